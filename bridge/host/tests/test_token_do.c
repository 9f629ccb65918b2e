/* opgp_token_read_do in process: the public DOs through the minidriver's "opgp Data Object"
 * property, decoded with common/'s pure decoders as opgp-tool status does; tags outside the
 * minidriver's list refused without an APDU; short buffers answered with the size. The reader
 * layer is pinpad_sim_reader.c's (a reader without a pinpad here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "opgp/appdata.h"
#include "opgp/host_token.h"
#include "opgp/tlv.h"
#include "pinpad_sim_reader.h"

#define SERIAL 0x0A0B0C0Du

static opgp_token *open_token(void)
{
    return pinpad_sim_token_open(SERIAL, NULL);
}

static void test_public_dos_decode(void **state)
{
    (void)state;
    opgp_token *t = open_token();
    static uint8_t buf[8192];
    size_t len = sizeof buf;
    assert_int_equal(opgp_token_read_do(t, 0x6E, buf, &len), OPGP_TOK_OK);
    opgp_appdata ad;
    assert_int_equal(opgp_appdata_decode(buf, len, &ad), OPGP_OK);
    assert_int_equal(ad.aid.serial_number, SERIAL);
    assert_true(opgp_appdata_key_present(&ad, OPGP_KEY_SIG));
    uint8_t aid[OPGP_AID_LEN];
    len = sizeof aid;
    assert_int_equal(opgp_token_read_do(t, 0x4F, aid, &len), OPGP_TOK_OK);
    assert_int_equal(len, OPGP_AID_LEN);
    assert_memory_equal(aid, ad.aid.raw, OPGP_AID_LEN);

    len = sizeof buf;
    assert_int_equal(opgp_token_read_do(t, 0x65, buf, &len), OPGP_TOK_OK);
    opgp_cardholder ch;
    assert_int_equal(opgp_cardholder_decode(buf, len, &ch), OPGP_OK);
    assert_string_equal(ch.name, "Test<<Card");
    assert_string_equal(ch.language, "en");

    len = sizeof buf;
    assert_int_equal(opgp_token_read_do(t, 0x5F50, buf, &len), OPGP_TOK_OK);
    const char *url = "https://example.invalid/opgp-test.asc";
    assert_int_equal(len, strlen(url));
    assert_memory_equal(buf, url, len);
    len = sizeof buf;
    assert_int_equal(opgp_token_read_do(t, 0x5E, buf, &len), OPGP_TOK_OK);
    assert_int_equal(len, strlen("opgp-test"));
    assert_memory_equal(buf, "opgp-test", len);

    /* The signature counter moves with a signature made through the same token. */
    len = sizeof buf;
    assert_int_equal(opgp_token_read_do(t, 0x7A, buf, &len), OPGP_TOK_OK);
    opgp_tlv c;
    assert_int_equal(opgp_tlv_find_deep(buf, len, 0x93, &c), OPGP_OK);
    assert_int_equal(c.len, 3);
    uint32_t before = (uint32_t)c.value[0] << 16 | (uint32_t)c.value[1] << 8 | c.value[2];
    int tries = 0;
    assert_int_equal(opgp_token_login(t, OPGP_TOK_PIN_USER, (const uint8_t *)OPGP_SIM_PW1, 6,
                                      &tries),
                     OPGP_TOK_OK);
    uint8_t digest_info[51] = {0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                               0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20, 7};
    uint8_t sig[512];
    size_t sig_len = sizeof sig;
    assert_int_equal(opgp_token_sign(t, 1, digest_info, sizeof digest_info, sig, &sig_len),
                     OPGP_TOK_OK);
    len = sizeof buf;
    assert_int_equal(opgp_token_read_do(t, 0x7A, buf, &len), OPGP_TOK_OK);
    assert_int_equal(opgp_tlv_find_deep(buf, len, 0x93, &c), OPGP_OK);
    uint32_t after = (uint32_t)c.value[0] << 16 | (uint32_t)c.value[1] << 8 | c.value[2];
    assert_int_equal(after, before + 1);
    pinpad_sim_token_close(t);
}

static void test_refused_and_short(void **state)
{
    (void)state;
    opgp_token *t = open_token();
    uint8_t buf[64];
    opgp_sim_stats s0 = pinpad_sim_stats();
    static const unsigned refused[] = { 0x0101, 0x0102, 0x0103, 0x0104, 0xD3, 0xC4, 0x7F21 };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        size_t len = sizeof buf;
        assert_int_equal(opgp_token_read_do(t, refused[i], buf, &len), OPGP_TOK_UNSUPPORTED);
    }
    size_t len = sizeof buf;
    assert_int_equal(opgp_token_read_do(t, 0x1006E, buf, &len), OPGP_TOK_BAD_INPUT);
    assert_int_equal(pinpad_sim_stats().apdus, s0.apdus);

    /* Too short: the size needed; then exactly that much is enough. */
    len = 4;
    assert_int_equal(opgp_token_read_do(t, 0x6E, buf, &len), OPGP_TOK_BUFFER_TOO_SMALL);
    assert_true(len > 4);
    size_t need = len;
    len = 0;
    assert_int_equal(opgp_token_read_do(t, 0x6E, NULL, &len), OPGP_TOK_BUFFER_TOO_SMALL);
    assert_int_equal(len, need);
    static uint8_t full[8192];
    len = need;
    assert_int_equal(opgp_token_read_do(t, 0x6E, full, &len), OPGP_TOK_OK);
    assert_int_equal(len, need);
    opgp_appdata ad;
    assert_int_equal(opgp_appdata_decode(full, len, &ad), OPGP_OK);
    pinpad_sim_token_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_dos_decode),
        cmocka_unit_test(test_refused_and_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
