/* Secure PIN entry (PC/SC part 10) in the card API, against a scripted reader and card (mock
 * transport) opened with the recorded rsa2048 6E (C4: max lengths 64/64/64): the feature list,
 * the exact PIN_VERIFY_STRUCTURE, the card's and the reader's answers, KDF refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "card_test_util.h"
#include "hex.h"
#include "mock_transport.h"
#include "opgp/card.h"

static const uint8_t get_6e_ext[] = {0x00, 0xCA, 0x00, 0x6E, 0x00, 0x20, 0x00};

/* A CCID-style feature list: an unrelated feature first (12: GET_TLV_PROPERTIES), then
 * VERIFY_PIN_DIRECT and MODIFY_PIN_DIRECT. */
#define FEATURES "120442330012" "060442330006" "070442330007"
#define VERIFY_CODE 0x42330006u

/* PIN_VERIFY_STRUCTURE for ref, with wPINMaxExtraDigit bytes (max, min) as given. */
#define PV_STRUCT(maxmin, ref) "0000820000" maxmin "02" "01" "0904" "00" "000000" "05000000" \
                               "002000" ref "00"

typedef struct fixture {
    mock_transport *m;
    opgp_card *card;
    uint8_t ad[1024];
    size_t ad_len;
} fixture;

static void hex_piece(const uint8_t *b, size_t n, const char *sw, char *out, size_t cap)
{
    assert_true(2 * n + strlen(sw) < cap);
    opgp_hex_encode(b, n, out, cap);
    strcat(out, sw);
}

static void script_open(fixture *f)
{
    mock_expect(f->m, "00A4040006D2760001240100", "9000");
    char a[1024], b[1024], sw[8], gr[16];
    assert_true(f->ad_len > 256 && f->ad_len - 256 < 256);
    snprintf(sw, sizeof sw, "61%02X", (unsigned)(f->ad_len - 256));
    snprintf(gr, sizeof gr, "00C00000%02X", (unsigned)(f->ad_len - 256));
    hex_piece(f->ad, 256, sw, a, sizeof a);
    hex_piece(f->ad + 256, f->ad_len - 256, "9000", b, sizeof b);
    mock_expect(f->m, "00CA006E00", a);
    mock_expect(f->m, gr, b);
}

static void load(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->m = mock_transport_new();
    f->ad_len = ctu_recorded("rsa2048-get-data.txt", get_6e_ext, sizeof get_6e_ext, f->ad,
                             sizeof f->ad);
}

static void open_card(fixture *f)
{
    opgp_error err;
    assert_int_equal(opgp_card_open(mock_transport_base(f->m), &f->card, &err), OPGP_OK);
}

/* A card on a reader whose feature list is features (NULL: no control at all). */
static void start(fixture *f, const char *features)
{
    load(f);
    script_open(f);
    if (features)
        mock_expect_control(f->m, OPGP_CONTROL_GET_FEATURE_REQUEST, "", features);
    open_card(f);
}

static void done(fixture *f)
{
    assert_int_equal(mock_pending(f->m), 0);
    assert_int_equal(mock_control_pending(f->m), 0);
    opgp_card_close(f->card);
    mock_transport_free(f->m);
}

static void test_structure_bytes(void **state)
{
    (void)state;
    uint8_t b[32];
    char h[80];
    assert_int_equal(opgp_pinpad_verify_structure(0x82, 6, 64, b, sizeof b), 24);
    opgp_hex_encode(b, 24, h, sizeof h);
    assert_string_equal(h, PV_STRUCT("4006", "82"));
    assert_int_equal(opgp_pinpad_verify_structure(0x82, 6, 64, b, 23), 0);
}

static void test_verify_ok_exact_structure(void **state)
{
    (void)state;
    fixture f;
    start(&f, FEATURES);
    assert_true(opgp_card_has_pinpad(f.card));
    assert_null(opgp_card_pinpad_refusal(f.card));
    mock_expect_control(f.m, VERIFY_CODE, PV_STRUCT("4006", "82"), "9000");
    opgp_error err;
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW1, &err), OPGP_OK);
    assert_int_equal(err.sw, 0x9000);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW1);
    /* PW3: the spec's minimum 8 */
    mock_expect_control(f.m, VERIFY_CODE, PV_STRUCT("4008", "83"), "9000");
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW3, &err), OPGP_OK);
    assert_int_equal(mock_calls(f.m), 3); /* the open's APDUs only: the reader sent VERIFY */
    done(&f);
}

static void test_verify_wrong_pin_not_retried(void **state)
{
    (void)state;
    fixture f;
    start(&f, FEATURES);
    mock_expect_control(f.m, VERIFY_CODE, PV_STRUCT("4006", "81"), "63C2");
    opgp_error err;
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW1_SIGN, &err), OPGP_E_WRONG_PIN);
    assert_int_equal(err.tries_left, 2);
    assert_int_equal(err.sw, 0x63C2);
    /* 6982 for a wrong PIN: the counter comes from an empty VERIFY, the entry is not redone */
    mock_expect_control(f.m, VERIFY_CODE, PV_STRUCT("4006", "82"), "6982");
    mock_expect(f.m, "00200082", "63C1");
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW1, &err), OPGP_E_WRONG_PIN);
    assert_int_equal(err.tries_left, 1);
    mock_expect_control(f.m, VERIFY_CODE, PV_STRUCT("4006", "82"), "6983");
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW1, &err), OPGP_E_PIN_BLOCKED);
    done(&f);
}

static void test_reader_answers(void **state)
{
    (void)state;
    fixture f;
    start(&f, FEATURES);
    opgp_error err;
    mock_expect_control(f.m, VERIFY_CODE, PV_STRUCT("4006", "82"), "6400");
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW1, &err), OPGP_E_TIMEOUT);
    assert_int_equal(err.sw, 0x6400);
    mock_expect_control(f.m, VERIFY_CODE, PV_STRUCT("4006", "82"), "6401");
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW1, &err), OPGP_E_CARD);
    assert_int_equal(err.sw, OPGP_PINPAD_CANCELLED_SW);
    char msg[128];
    assert_string_equal(opgp_error_format(&err, msg, sizeof msg),
                        "card answered 6401 (PIN entry cancelled on the reader)");
    /* a reader answering more than a status word */
    mock_expect_control(f.m, VERIFY_CODE, PV_STRUCT("4006", "82"), "009000");
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW1, &err),
                     OPGP_E_BAD_RESPONSE);
    assert_int_equal(opgp_card_verify_pinpad(f.card, 0x84, &err), OPGP_E_INVALID_ARG);
    done(&f);
}

static void test_no_pinpad(void **state)
{
    (void)state;
    fixture f;
    start(&f, NULL); /* control: not supported */
    assert_false(opgp_card_has_pinpad(f.card));
    opgp_error err;
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW1, &err), OPGP_E_NOT_SUPPORTED);
    assert_non_null(strstr(opgp_card_pinpad_refusal(f.card), "no pinpad"));
    done(&f);

    /* MODIFY only, and a list whose VERIFY entry is cut short: no verify feature */
    start(&f, "070442330007" "0604423300");
    assert_false(opgp_card_has_pinpad(f.card));
    done(&f);
    /* a length running past the end */
    start(&f, "06FF42330006");
    assert_false(opgp_card_has_pinpad(f.card));
    done(&f);
}

static void test_kdf_refused(void **state)
{
    (void)state;
    fixture f;
    load(&f);
    /* the recorded 6E, patched to announce KDF; F9 then read */
    for (size_t i = 0; i + 4 <= f.ad_len; i++) {
        if (memcmp(f.ad + i, "\xC0\x0A\x74\x00", 4) == 0) {
            f.ad[i + 2] = 0x75;
            break;
        }
    }
    script_open(&f);
    mock_expect(f.m, "00CA00F9000000",
                "F92A810103820108830400010000" "84080102030405060708" "85081112131415161718"
                "86082122232425262728" "9000");
    mock_expect_control(f.m, OPGP_CONTROL_GET_FEATURE_REQUEST, "", FEATURES);
    open_card(&f);
    assert_true(opgp_card_appdata(f.card)->kdf.present);
    assert_true(opgp_card_has_pinpad(f.card));
    opgp_error err;
    /* no control, no APDU: the reader would send the typed PIN, not its derivation */
    assert_int_equal(opgp_card_verify_pinpad(f.card, OPGP_PIN_PW1, &err), OPGP_E_NOT_SUPPORTED);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW1);
    assert_non_null(strstr(opgp_card_pinpad_refusal(f.card), "KDF-DO"));
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure_bytes),
        cmocka_unit_test(test_verify_ok_exact_structure),
        cmocka_unit_test(test_verify_wrong_pin_not_retried),
        cmocka_unit_test(test_reader_answers),
        cmocka_unit_test(test_no_pinpad),
        cmocka_unit_test(test_kdf_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
