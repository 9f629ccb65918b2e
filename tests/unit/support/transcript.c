/* Transcript files are test data from outside: every line is length-checked, every hex string
 * decoded strictly, and the file and entry counts are bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "transcript.h"

#define MAX_FILE_SIZE (8u * 1024 * 1024)
#define MAX_ENTRIES 65536
#define MAX_APDU_BYTES OPGP_MAX_RESPONSE

struct opgp_transcript {
    opgp_transport base; /* first: the transport pointer is this struct */
    bool strict;
    opgp_transcript_entry *entries;
    bool *used;
    size_t count, next;
    char error[160];
};

static void entry_free(opgp_transcript_entry *e)
{
    free((void *)e->cmd);
    free((void *)e->resp);
}

void opgp_transcript_free(opgp_transcript *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->count; i++)
        entry_free(&t->entries[i]);
    free(t->entries);
    free(t->used);
    free(t);
}

static uint8_t *decode_line(const char *hex, size_t len, size_t *out_len)
{
    size_t cap = len / 2 + 1;
    if (cap > MAX_APDU_BYTES)
        return NULL;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return NULL;
    long n = opgp_hex_decode(hex, len, buf, cap);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    *out_len = (size_t)n;
    return buf;
}

static opgp_status transcript_transmit(opgp_transport *tr, const uint8_t *cmd, size_t cmd_len,
                                       uint8_t *resp, size_t *resp_len)
{
    opgp_transcript *t = (opgp_transcript *)tr;
    size_t hit = t->count;
    if (t->strict) {
        if (t->next < t->count && t->entries[t->next].cmd_len == cmd_len &&
            memcmp(t->entries[t->next].cmd, cmd, cmd_len) == 0)
            hit = t->next;
    } else {
        size_t last = t->count;
        for (size_t i = 0; i < t->count; i++) {
            const opgp_transcript_entry *e = &t->entries[i];
            if (e->cmd_len != cmd_len || memcmp(e->cmd, cmd, cmd_len) != 0)
                continue;
            last = i;
            if (!t->used[i]) {
                hit = i;
                break;
            }
        }
        if (hit == t->count)
            hit = last;
    }
    if (hit == t->count) {
        char hex[41];
        opgp_hex_encode(cmd, cmd_len < 20 ? cmd_len : 20, hex, sizeof hex);
        snprintf(t->error, sizeof t->error, "%s command %s%s not in the transcript (entry %zu)",
                 t->strict ? "strict:" : "lookup:", hex, cmd_len > 20 ? "..." : "", t->next);
        return OPGP_E_TRANSPORT;
    }
    const opgp_transcript_entry *e = &t->entries[hit];
    if (e->resp_len > *resp_len)
        return OPGP_E_BUFFER_TOO_SMALL; /* not consumed: the caller may retry */
    t->used[hit] = true;
    if (t->strict)
        t->next++;
    memcpy(resp, e->resp, e->resp_len);
    *resp_len = e->resp_len;
    return OPGP_OK;
}

static opgp_status transcript_get_atr(opgp_transport *tr, uint8_t *atr, size_t *atr_len)
{
    (void)tr;
    (void)atr;
    (void)atr_len;
    return OPGP_E_NOT_SUPPORTED; /* the recordings hold no ATR, and a made-up one would lie */
}

static void transcript_close(opgp_transport *tr)
{
    (void)tr; /* owned by the transcript */
}

static const struct opgp_transport_ops transcript_ops = {
    .transmit = transcript_transmit,
    .get_atr = transcript_get_atr,
    .close = transcript_close,
};

static opgp_transcript *parse_fail(opgp_transcript *t, bool pending, size_t line,
                                   const char *why)
{
    if (pending)
        entry_free(&t->entries[t->count]); /* a command still waiting for its response */
    fprintf(stderr, "transcript line %zu: %s\n", line, why);
    opgp_transcript_free(t);
    return NULL;
}

opgp_transcript *opgp_transcript_parse(const char *text, size_t len, bool strict)
{
    if (!text || len > MAX_FILE_SIZE)
        return NULL;
    opgp_transcript *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->base.ops = &transcript_ops;
    t->strict = strict;
    size_t cap = 0, line = 0;
    bool have_cmd = false;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        line++;
        while (eol > p && (eol[-1] == '\r' || eol[-1] == ' ' || eol[-1] == '\t'))
            eol--;
        while (p < eol && (*p == ' ' || *p == '\t'))
            p++;
        if (p == eol || *p == '#') {
            p = next;
            continue;
        }
        if (eol - p < 2 || (p[0] != '>' && p[0] != '<') || (p[1] != ' ' && p[1] != '\t'))
            return parse_fail(t, have_cmd, line, "expected '> HEX', '< HEX' or '# comment'");
        size_t n = 0;
        uint8_t *bytes = decode_line(p + 2, (size_t)(eol - p - 2), &n);
        if (!bytes)
            return parse_fail(t, have_cmd, line, "bad or oversized hex");
        if (p[0] == '>') {
            if (have_cmd) {
                free(bytes);
                return parse_fail(t, have_cmd, line, "command without a response");
            }
            if (n < 4) {
                free(bytes);
                return parse_fail(t, have_cmd, line, "command shorter than a header");
            }
            if (t->count == cap) {
                if (cap >= MAX_ENTRIES) {
                    free(bytes);
                    return parse_fail(t, have_cmd, line, "too many exchanges");
                }
                size_t ncap = cap ? cap * 2 : 64;
                opgp_transcript_entry *ne = realloc(t->entries, ncap * sizeof *ne);
                if (!ne) {
                    free(bytes);
                    return parse_fail(t, have_cmd, line, "out of memory");
                }
                t->entries = ne;
                cap = ncap;
            }
            t->entries[t->count] = (opgp_transcript_entry){.cmd = bytes, .cmd_len = n};
            have_cmd = true;
        } else {
            if (!have_cmd) {
                free(bytes);
                return parse_fail(t, have_cmd, line, "response without a command");
            }
            t->entries[t->count].resp = bytes;
            t->entries[t->count].resp_len = n;
            t->count++;
            have_cmd = false;
        }
        p = next;
    }
    if (have_cmd)
        return parse_fail(t, have_cmd, line, "last command has no response");
    t->used = calloc(t->count ? t->count : 1, sizeof *t->used);
    if (!t->used)
        return parse_fail(t, have_cmd, line, "out of memory");
    return t;
}

opgp_transcript *opgp_transcript_load(const char *path, bool strict)
{
    if (!path)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "transcript %s: cannot open\n", path);
        return NULL;
    }
    char *text = malloc(MAX_FILE_SIZE + 1);
    size_t len = text ? fread(text, 1, MAX_FILE_SIZE + 1, f) : 0;
    fclose(f);
    if (!text || len > MAX_FILE_SIZE) {
        fprintf(stderr, "transcript %s: unreadable or larger than %u bytes\n", path,
                MAX_FILE_SIZE);
        free(text);
        return NULL;
    }
    opgp_transcript *t = opgp_transcript_parse(text, len, strict);
    free(text);
    if (!t)
        fprintf(stderr, "transcript %s: malformed\n", path);
    return t;
}

opgp_transport *opgp_transcript_transport(opgp_transcript *t)
{
    return t ? &t->base : NULL;
}

bool opgp_transcript_done(opgp_transcript *t)
{
    if (!t)
        return false;
    if (t->strict)
        return t->next == t->count;
    for (size_t i = 0; i < t->count; i++)
        if (!t->used[i])
            return false;
    return true;
}

size_t opgp_transcript_count(const opgp_transcript *t)
{
    return t ? t->count : 0;
}

const opgp_transcript_entry *opgp_transcript_entry_at(const opgp_transcript *t, size_t i)
{
    return t && i < t->count ? &t->entries[i] : NULL;
}

const char *opgp_transcript_error(const opgp_transcript *t)
{
    return t ? t->error : "";
}
