/* Status phrases and user-facing error sentences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "opgp/apdu.h"
#include "opgp/status.h"

static void every_status_has_a_phrase(void **state)
{
    (void)state;
    for (int st = 0; st < OPGP_STATUS_COUNT; st++) {
        const char *s = opgp_status_str((opgp_status)st);
        assert_non_null(s);
        assert_true(strlen(s) > 3);
        assert_string_not_equal(s, "unknown error");
    }
    assert_string_equal(opgp_status_str(OPGP_STATUS_COUNT), "unknown error");
    assert_string_equal(opgp_status_str((opgp_status)-1), "unknown error");
    assert_string_equal(opgp_status_str(OPGP_E_NO_CARD), "card removed");
}

static const char *fmt(opgp_status st, uint16_t sw, int pin, int tries)
{
    static char buf[200];
    opgp_error e = {.status = st, .sw = sw, .pin_ref = pin, .tries_left = tries};
    return opgp_error_format(&e, buf, sizeof buf);
}

static void sentences(void **state)
{
    (void)state;
    assert_string_equal(fmt(OPGP_E_WRONG_PIN, 0x63C2, 0x82, 2),
                        "wrong user PIN (PW1), 2 tries left");
    assert_string_equal(fmt(OPGP_E_WRONG_PIN, 0x63C1, 0x81, 1),
                        "wrong user PIN for signing (PW1), 1 try left");
    assert_string_equal(fmt(OPGP_E_WRONG_PIN, 0x6982, 0x83, -1), "wrong admin PIN (PW3)");
    assert_string_equal(fmt(OPGP_E_WRONG_PIN, 0x63C0, OPGP_PIN_RC, 0),
                        "wrong Reset Code, 0 tries left");
    assert_string_equal(fmt(OPGP_E_PIN_BLOCKED, 0x6983, 0x83, 0),
                        "PIN blocked (admin PIN PW3): the card can only be restored by a "
                        "factory reset, which erases its keys");
    assert_string_equal(fmt(OPGP_E_PIN_BLOCKED, 0x6983, 0x82, 0),
                        "PIN blocked (user PIN PW1): unblock it with the Reset Code or the "
                        "admin PIN (PW3)");
    assert_string_equal(fmt(OPGP_E_SECURITY_STATUS, 0x6982, 0x81, -1),
                        "the user PIN for signing (PW1) must be verified first");
    assert_string_equal(fmt(OPGP_E_NO_CARD, 0, 0, -1), "card removed");
    assert_string_equal(fmt(OPGP_E_NOT_FOUND, 0x6A88, 0, -1),
                        "card answered 6A88 (referenced data not found)");
    assert_string_equal(fmt(OPGP_E_CARD, 0x6F00, 0, -1),
                        "card answered 6F00 (no precise diagnosis)");
    assert_string_equal(fmt(OPGP_E_CARD, 0x6A89, 0, -1),
                        "card answered 6A89 (card reported an error)");
    assert_string_equal(fmt(OPGP_E_SECURITY_STATUS, 0x6982, 0, -1),
                        "card answered 6982 (security status not satisfied)");
}

static void from_status_word(void **state)
{
    (void)state;
    char buf[120];
    opgp_error e;
    opgp_error_from_sw(&e, 0x63C2, 0x82);
    assert_string_equal(opgp_error_format(&e, buf, sizeof buf),
                        "wrong user PIN (PW1), 2 tries left");
    opgp_error_from_sw(&e, 0x6983, OPGP_PIN_RC);
    assert_string_equal(opgp_error_format(&e, buf, sizeof buf),
                        "PIN blocked (Reset Code): set a new Reset Code with the admin PIN (PW3)");
}

static void truncates_safely(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'Z', sizeof buf);
    opgp_error e = {.status = OPGP_E_WRONG_PIN, .pin_ref = 0x82, .tries_left = 2};
    assert_ptr_equal(opgp_error_format(&e, buf, 5), buf);
    assert_string_equal(buf, "wron");
    assert_int_equal(buf[5], 'Z');
    assert_ptr_equal(opgp_error_format(&e, buf, 0), buf);
    assert_int_equal(buf[0], 'w');
    assert_string_equal(opgp_error_format(NULL, buf, sizeof buf), "interna");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_status_has_a_phrase),
        cmocka_unit_test(sentences),
        cmocka_unit_test(from_status_word),
        cmocka_unit_test(truncates_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
