/* The token label from the card's cardholder name (5B): "Surname<<Given<Names" as the OpenPGP
 * card stores it becomes "Given Names Surname", as GnuPG shows it. The spec says ISO 8859-1;
 * cards written by newer tools hold UTF-8: a name that is valid UTF-8 is taken as such, any
 * other is converted from Latin-1. Pure: no card access. */
#include <string.h>

#include "token_internal.h"

/* Continuation bytes after a lead byte; 4 when the byte cannot lead. */
static size_t utf8_more(uint8_t c)
{
    if (c < 0x80) return 0;
    if (c >= 0xC2 && c <= 0xDF) return 1;
    if ((c & 0xF0) == 0xE0) return 2;
    if (c >= 0xF0 && c <= 0xF4) return 3;
    return 4;
}

static bool valid_utf8(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t more = utf8_more(p[i]);
        if (more == 4 || more > n - i - 1)
            return false;
        for (size_t k = 1; k <= more; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        i += more + 1;
    }
    return true;
}

/* Append one byte of the name as UTF-8, keeping whole characters within cap - 1 bytes. */
static void put_char(char *out, size_t cap, size_t *o, const uint8_t *p, size_t *i, size_t n,
                     bool utf8, bool *full)
{
    uint8_t c = p[*i];
    uint8_t enc[4];
    size_t len = 0;
    if (c == '<') {
        enc[len++] = ' ';
        (*i)++;
    } else if (c < 0x80) {
        enc[len++] = c;
        (*i)++;
    } else if (utf8) {
        size_t more = utf8_more(c);
        for (size_t k = 0; k <= more && k < sizeof enc && *i < n; k++)
            enc[len++] = p[(*i)++];
    } else {
        enc[len++] = (uint8_t)(0xC0 | (c >> 6));
        enc[len++] = (uint8_t)(0x80 | (c & 0x3F));
        (*i)++;
    }
    if (*full || *o + len > cap - 1) {
        *full = true;
        return;
    }
    memcpy(out + *o, enc, len);
    *o += len;
}

void tok_holder_label(const char *name, size_t len, char *out, size_t cap)
{
    if (cap == 0)
        return;
    out[0] = 0;
    const uint8_t *p = (const uint8_t *)name;
    bool utf8 = valid_utf8(p, len);
    size_t sep = len;
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '<' && p[i + 1] == '<') {
            sep = i;
            break;
        }
    }
    size_t o = 0;
    bool full = false;
    if (sep < len) {
        /* Given names first, then the surname. */
        for (size_t i = sep + 2; i < len;)
            put_char(out, cap, &o, p, &i, len, utf8, &full);
        if (o > 0 && !full && o + 1 < cap)
            out[o++] = ' ';
    }
    for (size_t i = 0; i < sep;)
        put_char(out, cap, &o, p, &i, sep, utf8, &full);
    while (o > 0 && out[o - 1] == ' ')
        o--;
    size_t start = 0;
    while (start < o && out[start] == ' ')
        start++;
    memmove(out, out + start, o - start);
    out[o - start] = 0;
}
