/* Helpers shared by the card tests (header-only: each test is one executable): recorded
 * responses from the transcripts, sessions made of several transcripts of the same card, and a
 * transport wrapper that counts the commands that carried a PIN. */
#ifndef OPGP_CARD_TEST_UTIL_H
#define OPGP_CARD_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgp/transport.h"
#include "transcript.h"

static inline char *ctu_read_text(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", OPGP_TRANSCRIPTS_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The recorded response data (SW stripped) to the first command cmd in transcript name.
 * Returns its length; fails the test when absent or not 9000. */
static inline size_t ctu_recorded(const char *name, const uint8_t *cmd, size_t cmd_len, uint8_t *out,
                           size_t cap)
{
    size_t len;
    char *text = ctu_read_text(name, &len);
    opgp_transcript *t = opgp_transcript_parse(text, len, false);
    free(text);
    assert_non_null(t);
    for (size_t i = 0; i < opgp_transcript_count(t); i++) {
        const opgp_transcript_entry *e = opgp_transcript_entry_at(t, i);
        if (e->cmd_len == cmd_len && memcmp(e->cmd, cmd, cmd_len) == 0) {
            assert_true(e->resp_len >= 2);
            assert_int_equal(e->resp[e->resp_len - 2], 0x90);
            size_t n = e->resp_len - 2;
            assert_true(n <= cap);
            memcpy(out, e->resp, n);
            opgp_transcript_free(t);
            return n;
        }
    }
    opgp_transcript_free(t);
    fail_msg("%s: command not recorded", name);
    return 0;
}

/* One lookup-mode transcript made of several files recorded from the same card (each file
 * holds only the commands its host program sent). extra (may be NULL) is appended verbatim. */
static inline opgp_transcript *ctu_session(const char *const *names, const char *extra)
{
    size_t total = 0, cap = 1;
    char *all = malloc(cap);
    assert_non_null(all);
    all[0] = '\0';
    for (const char *const *n = names; *n; n++) {
        size_t len;
        char *text = ctu_read_text(*n, &len);
        all = realloc(all, cap + len + 1);
        assert_non_null(all);
        memcpy(all + total, text, len);
        total += len;
        all[total++] = '\n';
        all[total] = '\0';
        cap = total + 1;
        free(text);
    }
    if (extra) {
        size_t len = strlen(extra);
        all = realloc(all, cap + len);
        assert_non_null(all);
        memcpy(all + total, extra, len + 1);
        total += len;
    }
    opgp_transcript *t = opgp_transcript_parse(all, total, false);
    free(all);
    assert_non_null(t);
    return t;
}

/* Counts what passes through to the inner transport. */
typedef struct ctu_counter {
    opgp_transport base;
    opgp_transport *inner;
    unsigned commands;
    unsigned pin_commands;  /* VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER with data */
    unsigned empty_verify;  /* VERIFY without data: the retry counter query */
    unsigned select_data;   /* SELECT DATA */
} ctu_counter;

static inline opgp_status ctu_counter_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                        uint8_t *resp, size_t *resp_len)
{
    ctu_counter *c = (ctu_counter *)t;
    c->commands++;
    if (cmd_len >= 4 && (cmd[1] == 0x20 || cmd[1] == 0x24 || cmd[1] == 0x2C)) {
        if (cmd_len > 5)
            c->pin_commands++;
        else if (cmd[1] == 0x20 && cmd[2] == 0x00)
            c->empty_verify++;
    }
    if (cmd_len >= 2 && cmd[1] == 0xA5)
        c->select_data++;
    return opgp_transport_transmit(c->inner, cmd, cmd_len, resp, resp_len);
}

static inline opgp_status ctu_counter_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    return opgp_transport_get_atr(((ctu_counter *)t)->inner, atr, atr_len);
}

static inline void ctu_counter_init(ctu_counter *c, opgp_transport *inner)
{
    static const struct opgp_transport_ops ops = {
        .transmit = ctu_counter_transmit,
        .get_atr = ctu_counter_get_atr,
    };
    memset(c, 0, sizeof *c);
    c->base.ops = &ops;
    c->inner = inner;
}

#endif
