/* Regression tests for what the fuzz targets (tests/fuzz) found in common/. Each test names
 * the corpus file that holds the input the fuzzer reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "mock_transport.h"
#include "opgp/card.h"

/* A 3.4 card whose KDF-DO (inside 6E) announces an iteration count of FFFFFFFF: 4 GiB to hash
 * for every PIN. tests/fuzz/corpus/fuzz_card_session/regress-kdf-huge-iterations. */
#define SELECT "00A4040006D2760001240100"
#define GET_6E "00CA006E00"
#define AD_HUGE_KDF                                                                            \
    "6E574F10D276000124010304F1D0000000010000C00A7D000BFE080000FF0000C106010800002000"       \
    "C206010800002000C306010800002000C407007F7F7F030003"                                     \
    "F9168101038201088304FFFFFFFF84080001020304050607"

static void test_kdf_huge_iterations_refused_without_hashing(void **state)
{
    (void)state;
    mock_transport *m = mock_transport_new();
    mock_expect(m, SELECT, "9000");
    mock_expect(m, GET_6E, AD_HUGE_KDF "9000");
    opgp_card *card = NULL;
    opgp_error err;
    assert_int_equal(opgp_card_open(mock_transport_base(m), &card, &err), OPGP_OK);
    assert_int_equal(opgp_card_appdata(card)->kdf.iterations, 0xFFFFFFFFu);

    time_t start = time(NULL);
    /* Refused before any APDU: the PIN cannot be derived, so nothing is sent (no try lost). */
    assert_int_equal(opgp_card_verify(card, OPGP_PIN_PW1, (const uint8_t *)"123456", 6, &err),
                     OPGP_E_NOT_SUPPORTED);
    assert_int_equal(err.status, OPGP_E_NOT_SUPPORTED);
    assert_true(time(NULL) - start <= 2);
    assert_int_equal(mock_calls(m), 2);
    assert_int_equal(mock_pending(m), 0);
    opgp_card_close(card);
    mock_transport_free(m);
}

static void test_kdf_iteration_limit(void **state)
{
    (void)state;
    opgp_kdf k = {.present = true, .algo = OPGP_KDF_ITERSALTED_S2K,
                  .hash = OPGP_KDF_HASH_SHA256, .salt_pw1 = {1, 2, 3, 4, 5, 6, 7, 8},
                  .salt_pw1_len = 8};
    uint8_t out[64];
    size_t out_len;
    /* The largest RFC 4880 count is what GnuPG writes at most: still derived. */
    k.iterations = 65011712u;
    out_len = sizeof out;
    assert_int_equal(opgp_kdf_derive(&k, OPGP_KDF_PIN_PW1, (const uint8_t *)"123456", 6, out,
                                     &out_len),
                     OPGP_OK);
    assert_int_equal(out_len, 32);
    /* One more is a card we do not hash for. */
    k.iterations = 65011713u;
    out_len = sizeof out;
    assert_int_equal(opgp_kdf_derive(&k, OPGP_KDF_PIN_PW1, (const uint8_t *)"123456", 6, out,
                                     &out_len),
                     OPGP_E_NOT_SUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kdf_huge_iterations_refused_without_hashing),
        cmocka_unit_test(test_kdf_iteration_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
