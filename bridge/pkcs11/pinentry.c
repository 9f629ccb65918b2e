/* The Assuan conversation with a pinentry: greeting "OK", SETTITLE / SETDESC / SETPROMPT (and
 * the terminal for curses ones), GETPIN answered by "D <pin>" and "OK" or by "ERR <code>",
 * then BYE. Parameters are percent-escaped on the way out, data lines unescaped on the way in.
 * Every line is bounded (Assuan's limit is 1000 bytes); the lines that held the PIN are
 * wiped. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgp/host_token.h"
#include "pinentry.h"

#define LINE_MAX_LEN 1002            /* 1000 bytes and CR LF */
#define GPG_ERR_CANCELED 99
#define GPG_ERR_FULLY_CANCELED 198

typedef struct conv {
    p11_pe_proc *pe;
    char buf[LINE_MAX_LEN];
    size_t have;                    /* bytes in buf not yet returned */
    char line[LINE_MAX_LEN + 1];
} conv;

/* The next line without its LF (and CR) in c->line; false on EOF or a line too long. */
static bool read_line(conv *c)
{
    size_t used = 0;
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->have);
        size_t take = nl != NULL ? (size_t)(nl - c->buf) : c->have;
        if (used + take > LINE_MAX_LEN)
            return false;
        memcpy(c->line + used, c->buf, take);
        used += take;
        if (nl != NULL) {
            size_t rest = c->have - take - 1;
            memmove(c->buf, nl + 1, rest);
            opgp_tok_wipe(c->buf + rest, sizeof c->buf - rest);
            c->have = rest;
            if (used > 0 && c->line[used - 1] == '\r')
                used--;
            c->line[used] = '\0';
            return true;
        }
        c->have = 0;
        size_t n = p11_pe_read(c->pe, c->buf, sizeof c->buf);
        if (n == 0)
            return false;
        c->have = n;
    }
}

/* Skip status and comment lines; the answer: OK, ERR or D lines (the caller looks). */
static bool read_reply(conv *c)
{
    while (read_line(c)) {
        if (c->line[0] == '#' || (c->line[0] == 'S' && (c->line[1] == ' ' || c->line[1] == 0)))
            continue;
        return true;
    }
    return false;
}

static bool is_ok(const char *line) { return strncmp(line, "OK", 2) == 0 &&
                                              (line[2] == '\0' || line[2] == ' '); }

/* Send "CMD arg" (arg escaped; NULL: none) and expect OK. */
static bool command(conv *c, const char *cmd, const char *arg)
{
    char out[LINE_MAX_LEN];
    size_t n = strlen(cmd);
    if (n + 2 > sizeof out)
        return false;
    memcpy(out, cmd, n);
    if (arg != NULL) {
        out[n++] = ' ';
        for (const unsigned char *a = (const unsigned char *)arg; *a; a++) {
            if (n + 3 + 2 > sizeof out)
                return false;
            if (*a == '%' || *a < 0x20) {
                snprintf(out + n, 4, "%%%02X", *a);
                n += 3;
            } else {
                out[n++] = (char)*a;
            }
        }
    }
    out[n++] = '\n';
    return p11_pe_write(c->pe, out, n) && read_reply(c) && is_ok(c->line);
}

static int hex(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

/* Append the unescaped data of a "D " line; false when it does not fit or is malformed. */
static bool append_data(const char *d, uint8_t *pin, size_t cap, size_t *len)
{
    for (; *d; d++) {
        int v = (unsigned char)*d;
        if (*d == '%') {
            int hi = hex(d[1]), lo = hi < 0 ? -1 : hex(d[2]);
            if (lo < 0)
                return false;
            v = hi << 4 | lo;
            d += 2;
        }
        if (*len >= cap)
            return false;
        pin[(*len)++] = (uint8_t)v;
    }
    return true;
}

static CK_RV get_pin(conv *c, uint8_t *pin, size_t cap, size_t *len)
{
    if (!p11_pe_write(c->pe, "GETPIN\n", 7))
        return CKR_FUNCTION_FAILED;
    bool too_long = false;
    *len = 0;
    for (;;) {
        if (!read_reply(c))
            return CKR_FUNCTION_FAILED;
        if (c->line[0] == 'D' && c->line[1] == ' ') {
            if (!too_long && !append_data(c->line + 2, pin, cap, len))
                too_long = true;
            opgp_tok_wipe(c->line, sizeof c->line);
            continue;
        }
        if (is_ok(c->line))
            return too_long ? CKR_PIN_LEN_RANGE : CKR_OK;
        if (strncmp(c->line, "ERR ", 4) == 0) {
            unsigned long code = strtoul(c->line + 4, NULL, 10) & 0xFFFF;
            if (code == GPG_ERR_CANCELED || code == GPG_ERR_FULLY_CANCELED)
                return CKR_FUNCTION_CANCELED;
        }
        return CKR_FUNCTION_FAILED;
    }
}

static void option(conv *c, const char *name, const char *value)
{
    if (value == NULL)
        return;
    char opt[LINE_MAX_LEN];
    int n = snprintf(opt, sizeof opt, "%s=%s", name, value);
    if (n > 0 && (size_t)n < sizeof opt)
        (void)command(c, "OPTION", opt); /* an older pinentry may not know it: no matter */
}

CK_RV p11_pinentry_ask(const char *program, const p11_pinentry_text *text, uint8_t *pin,
                       size_t cap, size_t *len)
{
    *len = 0;
    conv *c = calloc(1, sizeof *c);
    if (c == NULL)
        return CKR_HOST_MEMORY;
    CK_RV rv = CKR_FUNCTION_FAILED;
    c->pe = p11_pe_spawn(program);
    if (c->pe != NULL && read_reply(c) && is_ok(c->line)) {
        option(c, "ttyname", p11_pe_ttyname());
        option(c, "ttytype", p11_pe_ttytype());
        if (command(c, "SETTITLE", text->title) && command(c, "SETDESC", text->desc) &&
            command(c, "SETPROMPT", text->prompt))
            rv = get_pin(c, pin, cap, len);
        (void)p11_pe_write(c->pe, "BYE\n", 4);
    }
    if (c->pe != NULL)
        p11_pe_end(c->pe);
    if (rv != CKR_OK) {
        opgp_tok_wipe(pin, cap);
        *len = 0;
    }
    opgp_tok_wipe(c, sizeof *c);
    free(c);
    return rv;
}
