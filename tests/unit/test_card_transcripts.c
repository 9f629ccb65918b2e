/* The card API replayed against recorded exchanges with a real OpenPGP 3.4 card (CanoKey):
 * opening, PIN verification with the card's 6982 answer to a wrong PIN, public keys and their
 * fingerprints, certificates through SELECT DATA. Sessions combine files recorded from the same
 * card, because each file holds only what its host program sent (see card_test_util.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "card_test_util.h"
#include "hex.h"
#include "opgp/card.h"

typedef struct session {
    opgp_transcript *tr;
    ctu_counter counter;
    opgp_card *card;
} session;

static void open_session(session *s, const char *const *files, const char *extra)
{
    memset(s, 0, sizeof *s);
    s->tr = ctu_session(files, extra);
    ctu_counter_init(&s->counter, opgp_transcript_transport(s->tr));
    opgp_error err;
    opgp_status st = opgp_card_open(&s->counter.base, &s->card, &err);
    if (st != OPGP_OK)
        fail_msg("open: %s (%s)", opgp_status_str(st), opgp_transcript_error(s->tr));
    assert_int_equal(err.status, OPGP_OK);
}

static void close_session(session *s)
{
    opgp_card_close(s->card);
    opgp_transcript_free(s->tr);
}

/* scdaemon's session: short Le on GET DATA 6E, answered with 256 bytes and 6103. The SELECT
 * comes from rsa2048-get-data: scdaemon selects without Le, opgp with Le 00. */
static void test_open_gpg_card_status(void **state)
{
    (void)state;
    const char *files[] = {"rsa2048-gpg-card-status.txt", "rsa2048-get-data.txt", NULL};
    session s;
    open_session(&s, files, NULL);
    /* SELECT, GET DATA 6E, GET RESPONSE: 6E read once, nothing else at open */
    assert_int_equal(s.counter.commands, 3);
    const opgp_appdata *ad = opgp_card_appdata(s.card);
    assert_int_equal(ad->aid.manufacturer, 0xF1D0);
    assert_int_equal(ad->attr[OPGP_KEY_SIG].rsa_bits, 2048);
    assert_int_equal(ad->pw.tries_pw1, 3);
    /* the link follows the card: extended length, no chaining, 7F66 command limit */
    opgp_apdu_link *l = opgp_card_link(s.card);
    assert_true(l->extended);
    assert_false(l->chaining);
    assert_int_equal(l->max_cmd_data, 0x053C - 9);
    uint8_t fw[3];
    assert_false(opgp_card_firmware_version(s.card, fw));
    assert_false(opgp_card_select_data_quirk(s.card));

    opgp_error err;
    opgp_cardholder ch;
    assert_int_equal(opgp_card_get_cardholder(s.card, &ch, &err), OPGP_OK);
    assert_int_equal(ch.sex, '9');
    uint32_t counter = 0;
    assert_int_equal(opgp_card_get_signature_counter(s.card, &counter, &err), OPGP_OK);
    assert_int_equal(counter, 4);
    assert_int_equal(opgp_card_refresh_status(s.card, &err), OPGP_OK);
    assert_int_equal(opgp_card_appdata(s.card)->pw.tries_pw3, 3);
    close_session(&s);
}

/* The recorded empty VERIFY is opensc-tool's literal 5-byte form (Le 00); opgp sends the
 * 4-byte case 1 command, as OpenSC's driver does (see the p11 transcripts). Answer it with the
 * recorded answers to the 5-byte form, in order. */
static char *case1_verify_lines(const char *file)
{
    static char out[256];
    size_t len;
    char *text = ctu_read_text(file, &len);
    opgp_transcript *t = opgp_transcript_parse(text, len, false);
    free(text);
    assert_non_null(t);
    out[0] = '\0';
    const uint8_t empty_verify[] = {0x00, 0x20, 0x00, 0x82, 0x00};
    for (size_t i = 0; i < opgp_transcript_count(t); i++) {
        const opgp_transcript_entry *e = opgp_transcript_entry_at(t, i);
        if (e->cmd_len == sizeof empty_verify && memcmp(e->cmd, empty_verify, 5) == 0) {
            char hex[16];
            assert_true(e->resp_len == 2);
            opgp_hex_encode(e->resp, 2, hex, sizeof hex);
            strcat(out, "> 00200082\n< ");
            strcat(out, hex);
            strcat(out, "\n");
        }
    }
    opgp_transcript_free(t);
    return out;
}

static void test_verify_wrong_then_right(void **state)
{
    (void)state;
    const char *files[] = {"rsa2048-get-data.txt", "rsa2048-verify-wrong-then-right.txt", NULL};
    session s;
    open_session(&s, files, case1_verify_lines("rsa2048-verify-wrong-then-right.txt"));
    opgp_error err;
    const uint8_t wrong[] = "999999", right[] = "123456";

    opgp_status st = opgp_card_verify(s.card, OPGP_PIN_PW1, wrong, 6, &err);
    assert_int_equal(st, OPGP_E_WRONG_PIN);
    assert_int_equal(err.status, OPGP_E_WRONG_PIN);
    assert_int_equal(err.sw, 0x6982);          /* the card's answer to the PIN */
    assert_int_equal(err.pin_ref, OPGP_PIN_PW1);
    assert_int_equal(err.tries_left, 2);       /* from the empty VERIFY: 63C2 */
    assert_int_equal(s.counter.pin_commands, 1); /* the PIN went once */
    assert_int_equal(s.counter.empty_verify, 1);

    assert_int_equal(opgp_card_verify(s.card, OPGP_PIN_PW1, right, 6, &err), OPGP_OK);
    assert_int_equal(s.counter.pin_commands, 2);
    bool verified = false;
    int tries = -1;
    assert_int_equal(opgp_card_pin_status(s.card, OPGP_PIN_PW1, &verified, &tries, &err),
                     OPGP_OK);
    assert_true(verified);
    assert_int_equal(opgp_card_refresh_status(s.card, &err), OPGP_OK);
    assert_int_equal(opgp_card_appdata(s.card)->pw.tries_pw1, 3);
    char msg[128];
    opgp_error e2 = {OPGP_E_WRONG_PIN, 0x6982, OPGP_PIN_PW1, 2};
    assert_non_null(opgp_error_format(&e2, msg, sizeof msg));
    close_session(&s);
}

static void check_pubkeys(const char *alg)
{
    char f1[64], f2[64];
    snprintf(f1, sizeof f1, "%s-get-data.txt", alg);
    snprintf(f2, sizeof f2, "%s-read-pubkeys.txt", alg);
    const char *files[] = {f1, f2, NULL};
    session s;
    open_session(&s, files, NULL);
    const opgp_appdata *ad = opgp_card_appdata(s.card);
    for (int i = 0; i < OPGP_KEY_SLOT_COUNT; i++) {
        opgp_public_key pk;
        opgp_error err;
        opgp_status st = opgp_card_read_public_key(s.card, (opgp_key_slot)i, &pk, &err);
        if (st != OPGP_OK)
            fail_msg("%s slot %d: %s", alg, i, opgp_status_str(st));
        if (pk.attr.algo == OPGP_ALGO_RSA) {
            assert_int_equal(pk.n_len, 256);
            assert_true(pk.n[0] & 0x80);
            assert_int_equal(pk.e_len, 3);
            assert_memory_equal(pk.e, "\x01\x00\x01", 3);
        } else if (pk.attr.curve == OPGP_CURVE_P256) {
            assert_int_equal(pk.point_len, 65);
            assert_int_equal(pk.point[0], 0x04);
        } else {
            assert_int_equal(pk.point_len, 32);
        }
        /* The fingerprint the card holds was made by the host from this key and the time in
         * CD: recomputing it must give the same bytes. */
        uint8_t fpr[20];
        assert_int_equal(opgp_fingerprint_v4(&pk, ad->gen_time[i], fpr), OPGP_OK);
        assert_memory_equal(fpr, ad->fpr[i], 20);
        /* a different time gives a different fingerprint */
        assert_int_equal(opgp_fingerprint_v4(&pk, ad->gen_time[i] + 1, fpr), OPGP_OK);
        assert_memory_not_equal(fpr, ad->fpr[i], 20);
    }
    close_session(&s);
}

static void test_pubkeys_rsa2048(void **state)
{
    (void)state;
    check_pubkeys("rsa2048");
}

static void test_pubkeys_p256(void **state)
{
    (void)state;
    check_pubkeys("p256");
}

static void test_pubkeys_cv25519(void **state)
{
    (void)state;
    check_pubkeys("cv25519");
}

/* Short APDUs: the 270-byte 7F49 arrives as 256 bytes + 610F and a GET RESPONSE. */
static void test_pubkey_short_apdus(void **state)
{
    (void)state;
    const char *files[] = {"rsa2048-get-data.txt", "rsa2048-read-pubkeys-short-apdus.txt", NULL};
    session s;
    open_session(&s, files, NULL);
    opgp_apdu_link *l = opgp_card_link(s.card);
    l->extended = false; /* as if the card had not announced extended length */
    l->max_cmd_data = 255;
    l->max_resp_data = 256;
    opgp_public_key pk;
    opgp_error err;
    unsigned before = s.counter.commands;
    assert_int_equal(opgp_card_read_public_key(s.card, OPGP_KEY_SIG, &pk, &err), OPGP_OK);
    assert_int_equal(s.counter.commands - before, 2);
    uint8_t fpr[20];
    assert_int_equal(opgp_fingerprint_v4(&pk, opgp_card_appdata(s.card)->gen_time[0], fpr),
                     OPGP_OK);
    assert_memory_equal(fpr, opgp_card_appdata(s.card)->fpr[0], 20);
    close_session(&s);
}

static void test_read_certs(void **state)
{
    (void)state;
    const char *files[] = {"rsa2048-get-data.txt", "rsa2048-read-certs.txt", NULL};
    session s;
    open_session(&s, files, NULL);
    /* occurrences 0, 1, 2 in the order recorded: AUT, DEC, SIG */
    const opgp_key_slot order[3] = {OPGP_KEY_AUT, OPGP_KEY_DEC, OPGP_KEY_SIG};
    uint8_t certs[3][2048];
    size_t lens[3];
    for (int i = 0; i < 3; i++) {
        opgp_error err;
        lens[i] = sizeof certs[i];
        unsigned sd = s.counter.select_data;
        opgp_status st = opgp_card_read_cert(s.card, order[i], certs[i], &lens[i], &err);
        if (st != OPGP_OK)
            fail_msg("cert %d: %s (%s)", i, opgp_status_str(st), opgp_transcript_error(s.tr));
        assert_int_equal(s.counter.select_data, sd + 1); /* selected again for every read */
        /* a DER certificate: SEQUENCE with a two-byte length covering the whole response */
        assert_true(lens[i] > 4);
        assert_int_equal(certs[i][0], 0x30);
        assert_int_equal(certs[i][1], 0x82);
        assert_int_equal(((size_t)certs[i][2] << 8 | certs[i][3]) + 4, lens[i]);
    }
    assert_int_not_equal(lens[0], lens[2]);
    assert_memory_not_equal(certs[1], certs[2], lens[1]);
    /* too small a buffer: an error, never a cut certificate */
    opgp_error err;
    uint8_t small[100];
    size_t small_len = sizeof small;
    assert_int_equal(opgp_card_read_cert(s.card, OPGP_KEY_AUT, small, &small_len, &err),
                     OPGP_E_BUFFER_TOO_SMALL);
    assert_int_equal(small_len, 0);
    close_session(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_gpg_card_status),
        cmocka_unit_test(test_verify_wrong_then_right),
        cmocka_unit_test(test_pubkeys_rsa2048),
        cmocka_unit_test(test_pubkeys_p256),
        cmocka_unit_test(test_pubkeys_cv25519),
        cmocka_unit_test(test_pubkey_short_apdus),
        cmocka_unit_test(test_read_certs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
