/* certprop_plan.c: which provider, container, key spec and friendly name a card's certificate
 * gets in the MY store, and the mark that tells ours from the user's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "opgp/certprop.h"
#include "opgp/host_token.h"

#define SERIAL "000500001A2B3C4D" /* 16 hex digits, the most a token gives */
#define SHORT_SERIAL "0005001A2B3C"

static void rsa_keys_go_to_the_csp(void **state)
{
    (void)state;
    certprop_entry e;
    memset(&e, 0, sizeof e);
    assert_true(certprop_plan(SHORT_SERIAL, "Ada Lovelace", OPGP_TOK_ROLE_SIG, OPGP_TOK_KEY_RSA, &e));
    assert_string_equal(e.provider, "opgp OpenPGP CSP");
    assert_int_equal(e.prov_type, 1);          /* PROV_RSA_FULL */
    assert_int_equal(e.key_spec, 2);           /* AT_SIGNATURE */
    assert_string_equal(e.container, "opgp-" SHORT_SERIAL "-sig");
    assert_string_equal(e.slot, "sig");
    assert_string_equal(e.serial, SHORT_SERIAL);
    assert_string_equal(e.friendly_name, "Ada Lovelace sig");

    /* Authentication and decryption keys sit in the key exchange position. */
    assert_true(certprop_plan(SHORT_SERIAL, "Ada Lovelace", OPGP_TOK_ROLE_AUT, OPGP_TOK_KEY_RSA, &e));
    assert_int_equal(e.key_spec, 1);           /* AT_KEYEXCHANGE */
    assert_string_equal(e.container, "opgp-" SHORT_SERIAL "-aut");
    assert_true(certprop_plan(SHORT_SERIAL, "Ada Lovelace", OPGP_TOK_ROLE_DEC, OPGP_TOK_KEY_RSA, &e));
    assert_int_equal(e.key_spec, 1);
    assert_string_equal(e.container, "opgp-" SHORT_SERIAL "-dec");
    assert_string_equal(e.friendly_name, "Ada Lovelace dec");
}

static void other_keys_go_to_the_ksp(void **state)
{
    (void)state;
    static const int types[] = { OPGP_TOK_KEY_EC, OPGP_TOK_KEY_ED25519, OPGP_TOK_KEY_X25519 };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        certprop_entry e;
        assert_true(certprop_plan(SHORT_SERIAL, "x", OPGP_TOK_ROLE_SIG, types[i], &e));
        assert_string_equal(e.provider, "opgp OpenPGP KSP");
        assert_int_equal(e.prov_type, 0);
        assert_int_equal(e.key_spec, 0);
        assert_string_equal(e.container, "opgp-" SHORT_SERIAL "-sig");
    }
}

static void a_card_without_cardholder_is_named_by_serial(void **state)
{
    (void)state;
    certprop_entry e;
    /* What the token calls a card with no cardholder name. */
    assert_true(certprop_plan(SERIAL, "OpenPGP card " SERIAL, OPGP_TOK_ROLE_AUT, OPGP_TOK_KEY_RSA, &e));
    assert_string_equal(e.friendly_name, SERIAL " aut");
    assert_true(certprop_plan(SERIAL, "", OPGP_TOK_ROLE_AUT, OPGP_TOK_KEY_RSA, &e));
    assert_string_equal(e.friendly_name, SERIAL " aut");
    /* Another card's default label is a name like any other. */
    assert_true(certprop_plan(SHORT_SERIAL, "OpenPGP card " SERIAL, OPGP_TOK_ROLE_AUT,
                              OPGP_TOK_KEY_RSA, &e));
    assert_string_equal(e.friendly_name, "OpenPGP card " SERIAL " aut");
}

static void what_cannot_be_named_is_refused(void **state)
{
    (void)state;
    certprop_entry e;
    assert_false(certprop_plan(SHORT_SERIAL, "x", 0, OPGP_TOK_KEY_RSA, &e));
    assert_false(certprop_plan(SHORT_SERIAL, "x", 4, OPGP_TOK_KEY_RSA, &e));
    assert_false(certprop_plan(SHORT_SERIAL, "x", OPGP_TOK_ROLE_SIG, OPGP_TOK_KEY_NONE, &e));
    assert_false(certprop_plan("", "x", OPGP_TOK_ROLE_SIG, OPGP_TOK_KEY_RSA, &e));
    assert_false(certprop_plan("12G4", "x", OPGP_TOK_ROLE_SIG, OPGP_TOK_KEY_RSA, &e));
    assert_false(certprop_plan(SERIAL "00", "x", OPGP_TOK_ROLE_SIG, OPGP_TOK_KEY_RSA, &e));
    assert_false(certprop_plan(NULL, "x", OPGP_TOK_ROLE_SIG, OPGP_TOK_KEY_RSA, &e));
}

static void marks_round_trip(void **state)
{
    (void)state;
    char m[64], serial[17], slot[4];
    size_t n = certprop_mark(SHORT_SERIAL, "dec", m, sizeof m);
    assert_int_equal(n, strlen("opgp-certprop " SHORT_SERIAL " dec"));
    assert_memory_equal(m, "opgp-certprop " SHORT_SERIAL " dec", n);
    assert_true(certprop_parse_mark(m, n, serial, slot));
    assert_string_equal(serial, SHORT_SERIAL);
    assert_string_equal(slot, "dec");
    assert_int_equal(certprop_mark(SHORT_SERIAL, "dec", m, 10), 0);
    assert_int_equal(certprop_mark("not hex", "dec", m, sizeof m), 0);
}

static void foreign_marks_are_not_ours(void **state)
{
    (void)state;
    char serial[17], slot[4];
    static const char *const bad[] = {
        "opgp-certprop ",                       /* nothing after the prefix */
        "opgp-certprop 1234",                   /* no slot */
        "opgp-certprop 1234 xyz",               /* no such slot */
        "opgp-certprop 1234 sigX",
        "opgp-certprop  sig",                   /* empty serial */
        "opgp-certprop 12345678901234567 sig",  /* 17 digits */
        "opgp-certprop 12Z4 sig",
        "other-tool 1234 sig",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(certprop_parse_mark(bad[i], strlen(bad[i]), serial, slot));
    /* Lengths come from the store, not from a terminator: a prefix of a good mark is not one. */
    const char *good = "opgp-certprop 1234 aut";
    assert_true(certprop_parse_mark(good, strlen(good), serial, slot));
    assert_false(certprop_parse_mark(good, strlen(good) - 1, serial, slot));
    assert_false(certprop_parse_mark(NULL, 10, serial, slot));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rsa_keys_go_to_the_csp),
        cmocka_unit_test(other_keys_go_to_the_ksp),
        cmocka_unit_test(a_card_without_cardholder_is_named_by_serial),
        cmocka_unit_test(what_cannot_be_named_is_refused),
        cmocka_unit_test(marks_round_trip),
        cmocka_unit_test(foreign_marks_are_not_ours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
