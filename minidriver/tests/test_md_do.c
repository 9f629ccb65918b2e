/* CP_OPGP_DATA_OBJECT (VENDOR.md): each allowed public DO comes back exactly as common/'s GET
 * DATA reads it from the same card; other tags (private DOs, secrets) are refused before any
 * APDU; a short buffer gives the length needed. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "md.h"
#include "md_test_env.h"
#include "opgp/minidriver_vendor.h"

#define BIG 65536

static const DWORD allowed[] = { 0x6E, 0x65, 0x5E, 0x5F50, 0x7A, 0x7F74, 0xF9, 0x5F52, 0x4F };

static DWORD get_do(md_env *e, DWORD tag, BYTE *buf, DWORD cap, DWORD *got)
{
    return e->cd.pfnCardGetProperty(&e->cd, CP_OPGP_DATA_OBJECT, buf, cap, got, tag);
}

static opgp_card *card_of(md_env *e)
{
    md_state *st;
    assert_rv(md_state_get(&e->cd, &st), SCARD_S_SUCCESS);
    return st->card;
}

/* Every allowed tag against common/'s answer; returns how many of them had content. */
static int compare_all(md_env *e)
{
    uint8_t *want = malloc(BIG), *got = malloc(BIG);
    assert_non_null(want);
    assert_non_null(got);
    int with_content = 0;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        size_t wlen = BIG;
        opgp_status s = opgp_card_get_data(card_of(e), (uint16_t)allowed[i], want, &wlen, NULL);
        DWORD glen = 0;
        DWORD rv = get_do(e, allowed[i], got, BIG, &glen);
        if (s != OPGP_OK) {
            /* A DO this card does not have: the minidriver says the same. */
            assert_rv(rv, md_status_to_scard(s));
            continue;
        }
        assert_rv(rv, SCARD_S_SUCCESS);
        assert_int_equal(glen, wlen);
        assert_memory_equal(got, want, wlen);
        if (wlen > 0)
            with_content++;
    }
    free(want);
    free(got);
    return with_content;
}

static void test_allowed_match_common(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    /* 6E, 65, 5E, 5F50, 7A, 4F at least hold something on a provisioned card. */
    assert_true(compare_all(&e) >= 6);
    md_env_close(&e);
}

static void test_kdf_do(void **state)
{
    (void)state;
    opgp_sim_options opt = {.kdf = true};
    md_env e;
    md_env_open(&e, "p256", &opt);
    assert_true(compare_all(&e) >= 6);
    /* The KDF-DO itself, decoded: what the simulator publishes. */
    uint8_t buf[512];
    DWORD len = 0;
    assert_rv(get_do(&e, 0xF9, buf, sizeof buf, &len), SCARD_S_SUCCESS);
    opgp_kdf kdf;
    assert_int_equal(opgp_kdf_decode(buf, len, &kdf), OPGP_OK);
    assert_true(kdf.present);
    assert_int_equal(kdf.algo, OPGP_KDF_ITERSALTED_S2K);
    assert_int_equal(kdf.iterations, 100000);
    md_env_close(&e);
}

static void test_values_decode(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    uint8_t buf[4096];
    DWORD len = 0;
    assert_rv(get_do(&e, 0x5F50, buf, sizeof buf, &len), SCARD_S_SUCCESS);
    const char *url = "https://example.invalid/opgp-test.asc";
    assert_int_equal(len, strlen(url));
    assert_memory_equal(buf, url, len);
    assert_rv(get_do(&e, 0x65, buf, sizeof buf, &len), SCARD_S_SUCCESS);
    opgp_cardholder ch;
    assert_int_equal(opgp_cardholder_decode(buf, len, &ch), OPGP_OK);
    assert_string_equal(ch.name, "Test<<Card");
    assert_rv(get_do(&e, 0x6E, buf, sizeof buf, &len), SCARD_S_SUCCESS);
    opgp_appdata ad;
    assert_int_equal(opgp_appdata_decode(buf, len, &ad), OPGP_OK);
    assert_memory_equal(ad.aid.raw, opgp_card_appdata(card_of(&e))->aid.raw, OPGP_AID_LEN);
    /* 4F from what the minidriver read at open: no APDU. */
    unsigned long before = md_env_apdus(&e);
    assert_rv(get_do(&e, 0x4F, buf, sizeof buf, &len), SCARD_S_SUCCESS);
    assert_int_equal(len, OPGP_AID_LEN);
    assert_memory_equal(buf, ad.aid.raw, OPGP_AID_LEN);
    assert_int_equal(md_env_apdus(&e), before);
    md_env_close(&e);
}

static void test_refused_without_apdu(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    /* Private DOs, the Reset Code, PW status, keys' DOs, the cardholder name on its own,
     * certificates (through files and the container property), nothing, and a tag too long. */
    static const DWORD refused[] = { 0x0101, 0x0102, 0x0103, 0x0104, 0xD3, 0xC4, 0x5B,
                                     0x7F21, 0xFA, 0x00, 0x6E6E, 0x1006E };
    uint8_t buf[256];
    unsigned long before = md_env_apdus(&e);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        DWORD len = 0xFFFF;
        assert_rv(get_do(&e, refused[i], buf, sizeof buf, &len), SCARD_E_INVALID_PARAMETER);
    }
    assert_int_equal(md_env_apdus(&e), before);
    /* Read-only. */
    assert_rv(e.cd.pfnCardSetProperty(&e.cd, CP_OPGP_DATA_OBJECT, buf, 4, 0),
              SCARD_E_UNSUPPORTED_FEATURE);
    assert_rv(e.cd.pfnCardSetProperty(&e.cd, CP_OPGP_DATA_OBJECT, buf, 4, 0x5E),
              SCARD_E_INVALID_PARAMETER);
    assert_int_equal(md_env_apdus(&e), before);
    md_env_close(&e);
}

static void test_short_buffer(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    uint8_t *full = malloc(BIG);
    assert_non_null(full);
    DWORD need = 0;
    assert_rv(get_do(&e, 0x6E, full, BIG, &need), SCARD_S_SUCCESS);
    assert_true(need > 4);
    uint8_t small[4];
    DWORD got = 0;
    assert_rv(get_do(&e, 0x6E, small, sizeof small, &got), SCARD_E_INSUFFICIENT_BUFFER);
    assert_int_equal(got, need);
    got = 0;
    assert_rv(get_do(&e, 0x6E, NULL, 0, &got), SCARD_E_INSUFFICIENT_BUFFER);
    assert_int_equal(got, need);
    got = 0;
    assert_rv(get_do(&e, 0x4F, small, sizeof small, &got), SCARD_E_INSUFFICIENT_BUFFER);
    assert_int_equal(got, OPGP_AID_LEN);
    /* The exact size is enough. */
    uint8_t *exact = malloc(need);
    assert_non_null(exact);
    assert_rv(get_do(&e, 0x6E, exact, need, &got), SCARD_S_SUCCESS);
    assert_memory_equal(exact, full, need);
    free(exact);
    free(full);
    md_env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allowed_match_common),
        cmocka_unit_test(test_kdf_do),
        cmocka_unit_test(test_values_decode),
        cmocka_unit_test(test_refused_without_apdu),
        cmocka_unit_test(test_short_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
