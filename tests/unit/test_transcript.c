/* Real-card transcripts through the transcript transport and the APDU layer: every recorded
 * command is re-encoded byte for byte by opgp_apdu_transceive (strict replay), 61xx pieces are
 * joined, and the data objects the OpenPGP card spec 3.4.1 defines parse completely. Plus the
 * transcript parser's handling of malformed files and the lookup mode. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opgp/apdu.h"
#include "opgp/tlv.h"
#include "transcript.h"

enum { DO_6E, DO_65, DO_7A, DO_7F21, DO_7F74, DO_FA, DO_C4, DO_5F52, DO_COUNT };
static const uint16_t do_tags[DO_COUNT] = {0x6E, 0x65, 0x7A, 0x7F21, 0x7F74, 0xFA, 0xC4, 0x5F52};
static unsigned do_seen[DO_COUNT];
static unsigned files_seen;

/* Every TLV, at every level, parses to the end of its parent. */
static void walk_all(const uint8_t *buf, size_t len, unsigned depth)
{
    assert_true(depth <= OPGP_TLV_MAX_DEPTH);
    opgp_tlv_iter it;
    opgp_tlv t;
    opgp_status st;
    opgp_tlv_iter_init(&it, buf, len);
    while ((st = opgp_tlv_next(&it, &t)) == OPGP_OK) {
        if (t.constructed)
            walk_all(t.value, t.len, depth + 1);
    }
    assert_int_equal(st, OPGP_E_NOT_FOUND);
}

static opgp_tlv must_find(const char *file, const uint8_t *buf, size_t len, uint32_t tag)
{
    opgp_tlv t;
    opgp_status st = opgp_tlv_find_deep(buf, len, tag, &t);
    if (st != OPGP_OK)
        fail_msg("%s: tag %X not found (%s)", file, tag, opgp_status_str(st));
    return t;
}

/* The whole of buf is one TLV with this tag. */
static void must_be_wrapped(const char *file, const uint8_t *buf, size_t len, uint32_t tag)
{
    opgp_tlv t;
    assert_int_equal(opgp_tlv_parse(buf, len, &t), OPGP_OK);
    if (t.tag != tag || t.raw_len != len)
        fail_msg("%s: response is not one %X TLV", file, tag);
}

static void check_historical_bytes(const char *file, const uint8_t *d, size_t len)
{
    /* ISO 7816-4 8.1.1: category 00, compact-TLV objects, then a 3-byte status indicator. */
    if (len < 4 || d[0] != 0x00 || d[len - 2] != 0x90 || d[len - 1] != 0x00)
        fail_msg("%s: historical bytes without category 00 / status 9000", file);
    size_t i = 1;
    bool capabilities = false;
    while (i < len - 3) {
        size_t n = d[i] & 0x0F;
        if ((d[i] >> 4) == 7 && n == 3)
            capabilities = true;
        i += 1 + n;
    }
    if (i != len - 3 || !capabilities)
        fail_msg("%s: compact-TLV objects do not end at the status indicator", file);
}

static void check_do(const char *file, uint16_t tag, const uint8_t *d, size_t len)
{
    unsigned which = DO_COUNT;
    for (unsigned i = 0; i < DO_COUNT; i++)
        if (do_tags[i] == tag)
            which = i;
    if (which == DO_COUNT || len == 0)
        return;
    do_seen[which]++;
    switch (tag) {
    case 0x6E: {
        must_be_wrapped(file, d, len, 0x6E);
        walk_all(d, len, 0);
        static const uint32_t inside[] = {0x4F, 0x5F52, 0x73, 0xC0, 0xC1, 0xC2,
                                          0xC3, 0xC4, 0xC5, 0xC6, 0xCD};
        for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++)
            must_find(file, d, len, inside[i]);
        assert_int_equal(must_find(file, d, len, 0x4F).len, 16);
        assert_int_equal(must_find(file, d, len, 0xC4).len, 7);
        assert_int_equal(must_find(file, d, len, 0xC5).len, 60);
        assert_int_equal(must_find(file, d, len, 0xC6).len, 60);
        assert_int_equal(must_find(file, d, len, 0xCD).len, 12);
        assert_true(must_find(file, d, len, 0xC0).len >= 10);
        break;
    }
    case 0x65:
        must_be_wrapped(file, d, len, 0x65);
        walk_all(d, len, 0);
        must_find(file, d, len, 0x5B);
        must_find(file, d, len, 0x5F2D);
        must_find(file, d, len, 0x5F35);
        break;
    case 0x7A:
        must_be_wrapped(file, d, len, 0x7A);
        walk_all(d, len, 0);
        assert_int_equal(must_find(file, d, len, 0x93).len, 3);
        break;
    case 0x7F21: {
        walk_all(d, len, 0);
        opgp_tlv cert = must_find(file, d, len, 0x30); /* the X.509 certificate */
        assert_true(cert.raw_len > 100);
        break;
    }
    case 0x7F74:
        walk_all(d, len, 0);
        assert_int_equal(must_find(file, d, len, 0x81).len, 1);
        break;
    case 0xFA:
        /* GET DATA FA answers the content of FA: algorithm attributes per key slot */
        walk_all(d, len, 0);
        must_find(file, d, len, 0xC1);
        must_find(file, d, len, 0xC2);
        must_find(file, d, len, 0xC3);
        break;
    case 0xC4:
        /* PW status bytes: a plain 7-byte value, not TLV */
        assert_int_equal(len, 7);
        assert_true(d[4] <= 3 && d[5] <= 3 && d[6] <= 3);
        break;
    case 0x5F52:
        check_historical_bytes(file, d, len);
        break;
    }
}

static void replay_file(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    opgp_transcript *t = opgp_transcript_load(path, true);
    if (!t)
        fail_msg("%s: does not load", name);
    size_t n = opgp_transcript_count(t);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        const opgp_transcript_entry *e = opgp_transcript_entry_at(t, i);
        if (e->resp_len < 2)
            fail_msg("%s: response %zu has no status word", name, i);
    }

    static uint8_t resp[65536];
    opgp_apdu_link l;
    opgp_apdu_link_init(&l, opgp_transcript_transport(t));
    l.max_resp_data = 65536;
    for (size_t i = 0; i < n;) {
        const opgp_transcript_entry *e = opgp_transcript_entry_at(t, i);
        opgp_apdu cmd;
        bool ext = false;
        assert_int_equal(opgp_apdu_decode(e->cmd, e->cmd_len, &cmd, &ext), OPGP_OK);
        l.extended = ext;
        l.max_cmd_data = ext ? 65535 : 255;
        unsigned long before = l.apdu_count;
        size_t len = sizeof resp;
        uint16_t sw = 0;
        opgp_status st = opgp_apdu_transceive(&l, &cmd, resp, &len, &sw);
        if (st != OPGP_OK)
            fail_msg("%s: exchange %zu: %s; %s", name, i, opgp_status_str(st),
                     opgp_transcript_error(t));
        size_t used = l.apdu_count - before;
        assert_true(used >= 1 && i + used <= n);
        const opgp_transcript_entry *last = opgp_transcript_entry_at(t, i + used - 1);
        uint16_t recorded_sw =
            (uint16_t)(last->resp[last->resp_len - 2] << 8 | last->resp[last->resp_len - 1]);
        assert_int_equal(sw, recorded_sw);
        if (cmd.ins == 0xCA && sw == 0x9000)
            check_do(name, (uint16_t)(cmd.p1 << 8 | cmd.p2), resp, len);
        i += used;
    }
    if (!opgp_transcript_done(t))
        fail_msg("%s: replay ended early", name);
    opgp_transcript_free(t);
    files_seen++;
}

static void every_transcript_replays_and_parses(void **state)
{
    (void)state;
    const char *dir = getenv("OPGP_TRANSCRIPTS_DIR"); /* override for trying other recordings */
    if (!dir || !*dir)
        dir = OPGP_TRANSCRIPTS_DIR;
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("no transcripts at %s", dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n > 4 && strcmp(de->d_name + n - 4, ".txt") == 0)
            replay_file(dir, de->d_name);
    }
    closedir(d);
    assert_true(files_seen >= 10);
    for (unsigned i = 0; i < DO_COUNT; i++)
        if (do_seen[i] == 0)
            fail_msg("no transcript holds a GET DATA %X", do_tags[i]);
}

static opgp_transcript *parse_text(const char *text, bool strict)
{
    return opgp_transcript_parse(text, strlen(text), strict);
}

static void parser_accepts_loose_whitespace(void **state)
{
    (void)state;
    opgp_transcript *t =
        parse_text("# name\r\n\r\n> 00 CA 00 C4 00\r\n<  004040400300039000  \r\n"
                   "  # indented comment\n>\t00200081\n< 63C3", true);
    assert_non_null(t);
    assert_int_equal(opgp_transcript_count(t), 2);
    const opgp_transcript_entry *e = opgp_transcript_entry_at(t, 0);
    assert_int_equal(e->cmd_len, 5);
    assert_int_equal(e->resp_len, 9);
    assert_null(opgp_transcript_entry_at(t, 2));
    opgp_transcript_free(t);
}

static void parser_rejects_malformed(void **state)
{
    (void)state;
    static const char *bad[] = {
        "> 00CA00C400\n",                       /* command without response */
        "< 9000\n",                             /* response without command */
        "> 00CA00C400\n> 00CA00C400\n< 9000\n", /* two commands in a row */
        "> 00CA00C40\n< 9000\n",                /* odd digit count */
        "> 00CA00C4ZZ\n< 9000\n",               /* not hex */
        "> 00CA\n< 9000\n",                     /* shorter than a header */
        ">00CA00C400\n< 9000\n",                /* no separator */
        "hello\n",                              /* not a transcript line */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        opgp_transcript *t = parse_text(bad[i], true);
        if (t)
            fail_msg("accepted malformed transcript %zu", i);
    }
    assert_null(opgp_transcript_load("/nonexistent/transcript.txt", true));
}

static void strict_mode_refuses_other_commands(void **state)
{
    (void)state;
    opgp_transcript *t = parse_text("> 00CA00C400\n< 004040400300039000\n", true);
    assert_non_null(t);
    opgp_transport *tr = opgp_transcript_transport(t);
    const uint8_t other[] = {0x00, 0xCA, 0x00, 0x6E, 0x00};
    const uint8_t right[] = {0x00, 0xCA, 0x00, 0xC4, 0x00};
    uint8_t resp[64];
    size_t len = sizeof resp;
    assert_int_equal(opgp_transport_transmit(tr, other, sizeof other, resp, &len),
                     OPGP_E_TRANSPORT);
    assert_true(strlen(opgp_transcript_error(t)) > 0);
    assert_false(opgp_transcript_done(t));
    len = 3;
    assert_int_equal(opgp_transport_transmit(tr, right, sizeof right, resp, &len),
                     OPGP_E_BUFFER_TOO_SMALL);
    len = sizeof resp;
    assert_int_equal(opgp_transport_transmit(tr, right, sizeof right, resp, &len), OPGP_OK);
    assert_int_equal(len, 9);
    assert_true(opgp_transcript_done(t));
    len = sizeof resp; /* the transcript is over */
    assert_int_equal(opgp_transport_transmit(tr, right, sizeof right, resp, &len),
                     OPGP_E_TRANSPORT);
    uint8_t atr[OPGP_MAX_ATR];
    len = sizeof atr;
    assert_int_equal(opgp_transport_get_atr(tr, atr, &len), OPGP_E_NOT_SUPPORTED);
    opgp_transcript_free(t);
}

static void lookup_mode_answers_in_any_order(void **state)
{
    (void)state;
    opgp_transcript *t = parse_text("> 00CA00C400\n< 019000\n"
                                    "> 00CA006500\n< 659000\n"
                                    "> 00CA00C400\n< 029000\n",
                                    false);
    assert_non_null(t);
    opgp_transport *tr = opgp_transcript_transport(t);
    const uint8_t c4[] = {0x00, 0xCA, 0x00, 0xC4, 0x00};
    const uint8_t c65[] = {0x00, 0xCA, 0x00, 0x65, 0x00};
    uint8_t resp[16];
    size_t len = sizeof resp;
    assert_int_equal(opgp_transport_transmit(tr, c4, sizeof c4, resp, &len), OPGP_OK);
    assert_int_equal(resp[0], 0x01);
    len = sizeof resp;
    assert_int_equal(opgp_transport_transmit(tr, c4, sizeof c4, resp, &len), OPGP_OK);
    assert_int_equal(resp[0], 0x02); /* the second recording of the same command */
    assert_false(opgp_transcript_done(t));
    len = sizeof resp;
    assert_int_equal(opgp_transport_transmit(tr, c4, sizeof c4, resp, &len), OPGP_OK);
    assert_int_equal(resp[0], 0x02); /* all used: the last one again */
    len = sizeof resp;
    assert_int_equal(opgp_transport_transmit(tr, c65, sizeof c65, resp, &len), OPGP_OK);
    assert_int_equal(resp[0], 0x65);
    assert_true(opgp_transcript_done(t));
    opgp_transcript_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_transcript_replays_and_parses),
        cmocka_unit_test(parser_accepts_loose_whitespace),
        cmocka_unit_test(parser_rejects_malformed),
        cmocka_unit_test(strict_mode_refuses_other_commands),
        cmocka_unit_test(lookup_mode_answers_in_any_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
