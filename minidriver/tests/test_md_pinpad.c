/* A pinpad reader (PC/SC part 10) in front of the simulated card: PW1/PW3 reported as
 * ExternalPinType, CardAuthenticateEx without PIN data typed on the reader (the simulator's
 * emulated pinpad), its wrong PIN and cancel, and the cases that keep the PIN on the host
 * (no pinpad, KDF-DO, Reset Code). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "md.h"
#include "md_test_env.h"

static opgp_sim_stats stats(const md_env *e)
{
    opgp_sim_stats st;
    opgp_sim_get_stats(e->sim, &st);
    return st;
}

/* A provisioned card on a reader whose pinpad types pin (NULL: no pinpad). */
static void open_with_pinpad(md_env *e, const char *pin, const opgp_sim_options *opt)
{
    opgp_sim *sim = md_env_sim("rsa2048", opt);
    opgp_sim_set_pinpad(sim, pin);
    md_env_card_data(e, sim, CARD_DATA_CURRENT_VERSION);
    assert_rv(CardAcquireContext(&e->cd, 0), SCARD_S_SUCCESS);
}

static SECRET_TYPE pin_type(md_env *e, PIN_ID id)
{
    PIN_INFO pi;
    DWORD n = 0;
    assert_rv(e->cd.pfnCardGetProperty(&e->cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &n, id),
              SCARD_S_SUCCESS);
    assert_int_equal(n, sizeof pi);
    return pi.PinType;
}

static DWORD auth_external(md_env *e, PIN_ID id, DWORD flags, DWORD *tries)
{
    return e->cd.pfnCardAuthenticateEx(&e->cd, id, flags, NULL, 0, NULL, NULL, tries);
}

static PIN_SET authenticated(md_env *e)
{
    PIN_SET s = 0xFFFF;
    DWORD n;
    assert_rv(e->cd.pfnCardGetProperty(&e->cd, CP_CARD_AUTHENTICATED_STATE, (PBYTE)&s, sizeof s,
                                       &n, 0),
              SCARD_S_SUCCESS);
    return s;
}

static void test_pin_info_external(void **state)
{
    (void)state;
    md_env e;
    open_with_pinpad(&e, OPGP_SIM_PW1, NULL);
    assert_int_equal(pin_type(&e, ROLE_USER), ExternalPinType);
    assert_int_equal(pin_type(&e, MD_PIN_SIGN), ExternalPinType);
    assert_int_equal(pin_type(&e, ROLE_ADMIN), ExternalPinType);
    assert_int_equal(pin_type(&e, MD_PIN_RESET_CODE), AlphaNumericPinType);
    md_env_close(&e);

    open_with_pinpad(&e, NULL, NULL);
    assert_int_equal(pin_type(&e, ROLE_USER), AlphaNumericPinType);
    assert_int_equal(pin_type(&e, ROLE_ADMIN), AlphaNumericPinType);
    md_env_close(&e);
}

static void test_authenticate_on_pinpad(void **state)
{
    (void)state;
    md_env e;
    open_with_pinpad(&e, OPGP_SIM_PW1, NULL);
    opgp_sim_stats before = stats(&e);
    DWORD tries = 99;
    assert_rv(auth_external(&e, ROLE_USER, 0, &tries), SCARD_S_SUCCESS);
    opgp_sim_stats after = stats(&e);
    assert_int_equal(after.pinpad_entries - before.pinpad_entries, 1);
    assert_int_equal(after.verifies - before.verifies, 1); /* the reader's VERIFY reached the card */
    assert_int_equal(after.verifies_failed, before.verifies_failed);
    assert_true(IS_PIN_SET(authenticated(&e), ROLE_USER));

    /* the card now signs with the authentication key (PW1 82 verified) */
    uint8_t hash[32] = {7};
    CARD_SIGNING_INFO si;
    md_signing_info(&si, 0, AT_KEYEXCHANGE, CALG_SHA_256, hash, sizeof hash);
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    md_free(si.pbSignedData);

    /* the admin PIN on the same pinpad */
    opgp_sim_set_pinpad(e.sim, OPGP_SIM_PW3);
    assert_rv(auth_external(&e, ROLE_ADMIN, 0, &tries), SCARD_S_SUCCESS);
    assert_true(IS_PIN_SET(authenticated(&e), ROLE_ADMIN));

    /* session PINs are not offered, on the pinpad either */
    assert_rv(auth_external(&e, ROLE_USER, CARD_AUTHENTICATE_GENERATE_SESSION_PIN, &tries),
              SCARD_E_UNSUPPORTED_FEATURE);
    /* half a PIN buffer is not the external form */
    assert_rv(e.cd.pfnCardAuthenticateEx(&e.cd, ROLE_USER, 0, NULL, 6, NULL, NULL, &tries),
              SCARD_E_INVALID_PARAMETER);
    /* the Reset Code is never verified alone (only with RESET RETRY COUNTER) */
    assert_rv(auth_external(&e, MD_PIN_RESET_CODE, 0, &tries), SCARD_E_UNSUPPORTED_FEATURE);
    md_env_close(&e);
}

static void test_wrong_and_cancelled(void **state)
{
    (void)state;
    md_env e;
    open_with_pinpad(&e, "654321", NULL);
    opgp_sim_stats before = stats(&e);
    DWORD tries = 99;
    assert_rv(auth_external(&e, ROLE_USER, 0, &tries), SCARD_W_WRONG_CHV);
    assert_int_equal(tries, 2);
    opgp_sim_stats after = stats(&e);
    /* one entry, one VERIFY: a rejected PIN is not asked for again */
    assert_int_equal(after.pinpad_entries - before.pinpad_entries, 1);
    assert_int_equal(after.verifies - before.verifies, 1);
    assert_int_equal(after.verifies_failed - before.verifies_failed, 1);
    assert_false(IS_PIN_SET(authenticated(&e), ROLE_USER));

    opgp_sim_set_pinpad(e.sim, ""); /* the user presses Cancel */
    assert_rv(auth_external(&e, ROLE_USER, 0, &tries), SCARD_W_CANCELLED_BY_USER);
    opgp_sim_stats cancelled = stats(&e);
    assert_int_equal(cancelled.verifies, after.verifies);

    opgp_sim_set_pinpad(e.sim, "12345"); /* shorter than the structure's minimum 6 */
    assert_rv(auth_external(&e, ROLE_USER, 0, &tries), SCARD_W_WRONG_CHV);
    assert_int_equal(stats(&e).verifies, after.verifies);

    opgp_sim_set_pinpad(e.sim, OPGP_SIM_PW1);
    assert_rv(auth_external(&e, ROLE_USER, 0, &tries), SCARD_S_SUCCESS);
    md_env_close(&e);
}

static void test_kdf_and_no_pinpad_keep_host_pin(void **state)
{
    (void)state;
    md_env e;
    opgp_sim_options o;
    memset(&o, 0, sizeof o);
    o.kdf = true;
    open_with_pinpad(&e, OPGP_SIM_PW1, &o);
    /* the reader would send the PIN itself, where the card expects its derivation */
    assert_int_equal(pin_type(&e, ROLE_USER), AlphaNumericPinType);
    DWORD tries;
    assert_rv(auth_external(&e, ROLE_USER, 0, &tries), SCARD_E_INVALID_PARAMETER);
    assert_int_equal(stats(&e).pinpad_entries, 0);
    md_env_close(&e);

    open_with_pinpad(&e, NULL, NULL);
    assert_rv(auth_external(&e, ROLE_USER, 0, &tries), SCARD_E_INVALID_PARAMETER);
    assert_rv(e.cd.pfnCardAuthenticateEx(&e.cd, ROLE_USER, 0, (PBYTE)OPGP_SIM_PW1, 6, NULL, NULL,
                                         &tries),
              SCARD_S_SUCCESS);
    md_env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pin_info_external),
        cmocka_unit_test(test_authenticate_on_pinpad),
        cmocka_unit_test(test_wrong_and_cancelled),
        cmocka_unit_test(test_kdf_and_no_pinpad_keep_host_pin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
