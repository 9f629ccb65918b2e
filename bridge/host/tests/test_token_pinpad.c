/* bridge/host's token API on a pinpad reader, in process: the static minidriver's transport
 * hook hands it the simulator with its emulated pinpad, and pinpad_sim_reader.c stands in for
 * the PC/SC reader connection (it defines the functions of host_reader.h, so reader.c is not
 * linked). Checked: protected_path, login with no PIN value typed on the pinpad, the signature
 * PIN asked on the pinpad when the signature key first signs, wrong PIN and cancel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "opgp/host_token.h"
#include "pinpad_sim_reader.h"

static opgp_token *open_token(const char *pinpad_pin)
{
    return pinpad_sim_token_open(0x0A0B0C0D, pinpad_pin);
}

static unsigned long entries(void)
{
    return pinpad_sim_stats().pinpad_entries;
}

static void test_login_and_sign_on_pinpad(void **state)
{
    (void)state;
    opgp_token *t = open_token(OPGP_SIM_PW1);
    opgp_tok_info ti;
    assert_int_equal(opgp_token_info(t, &ti), OPGP_TOK_OK);
    assert_true(ti.protected_path);
    assert_false(ti.logged_in[OPGP_TOK_PIN_USER]);

    int tries = 99;
    assert_int_equal(opgp_token_login(t, OPGP_TOK_PIN_USER, NULL, 0, &tries), OPGP_TOK_OK);
    assert_int_equal(entries(), 1);
    assert_int_equal(opgp_token_info(t, &ti), OPGP_TOK_OK);
    assert_true(ti.logged_in[OPGP_TOK_PIN_USER]);

    /* the signature key (container 1) wants PW1 as 81: asked on the pinpad, once */
    uint8_t digest_info[51] = {0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                               0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20, 1};
    uint8_t sig[512];
    size_t sig_len = sizeof sig;
    assert_int_equal(opgp_token_sign(t, 1, digest_info, sizeof digest_info, sig, &sig_len),
                     OPGP_TOK_OK);
    assert_int_equal(sig_len, 256);
    assert_int_equal(entries(), 2);
    sig_len = sizeof sig;
    assert_int_equal(opgp_token_sign(t, 1, digest_info, sizeof digest_info, sig, &sig_len),
                     OPGP_TOK_OK);
    assert_int_equal(entries(), 2); /* PW1 stays valid for several signatures */

    /* a PIN value still works as before */
    assert_int_equal(opgp_token_logout(t), OPGP_TOK_OK);
    assert_int_equal(opgp_token_login(t, OPGP_TOK_PIN_ADMIN, (const uint8_t *)OPGP_SIM_PW3, 8,
                                      &tries),
                     OPGP_TOK_OK);
    assert_int_equal(entries(), 2);
    pinpad_sim_token_close(t);
}

static void test_wrong_and_cancel(void **state)
{
    (void)state;
    opgp_token *t = open_token("999999");
    int tries = 99;
    assert_int_equal(opgp_token_login(t, OPGP_TOK_PIN_USER, NULL, 0, &tries),
                     OPGP_TOK_PIN_INCORRECT);
    assert_int_equal(tries, 2);
    assert_int_equal(entries(), 1); /* not asked again */
    opgp_sim_set_pinpad(pinpad_sim, "");
    assert_int_equal(opgp_token_login(t, OPGP_TOK_PIN_USER, NULL, 0, &tries),
                     OPGP_TOK_CANCELLED);
    opgp_sim_set_pinpad(pinpad_sim, OPGP_SIM_PW3);
    assert_int_equal(opgp_token_login(t, OPGP_TOK_PIN_ADMIN, NULL, 0, &tries), OPGP_TOK_OK);
    pinpad_sim_token_close(t);
}

static void test_no_pinpad(void **state)
{
    (void)state;
    opgp_token *t = open_token(NULL);
    opgp_tok_info ti;
    assert_int_equal(opgp_token_info(t, &ti), OPGP_TOK_OK);
    assert_false(ti.protected_path);
    int tries;
    assert_int_equal(opgp_token_login(t, OPGP_TOK_PIN_USER, NULL, 0, &tries),
                     OPGP_TOK_BAD_INPUT);
    assert_int_equal(opgp_token_login(t, OPGP_TOK_PIN_USER, (const uint8_t *)OPGP_SIM_PW1, 6,
                                      &tries),
                     OPGP_TOK_OK);
    pinpad_sim_token_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_and_sign_on_pinpad),
        cmocka_unit_test(test_wrong_and_cancel),
        cmocka_unit_test(test_no_pinpad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
