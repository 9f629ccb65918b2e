/* Base64 and PEM. Base64 is an encoding, not cryptography: small enough to own, and the same
 * on both platforms. */
#include <stdio.h>
#include <string.h>

#include "pem.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool base64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    size_t need = (len + 2) / 3 * 4 + 1;
    if (cap < need)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return true;
}

void pem_write(FILE *f, const char *label, const uint8_t *der, size_t len)
{
    fprintf(f, "-----BEGIN %s-----\n", label);
    for (size_t i = 0; i < len; i += 48) {
        char line[65];
        size_t n = len - i < 48 ? len - i : 48;
        base64_encode(der + i, n, line, sizeof line);
        fprintf(f, "%s\n", line);
    }
    fprintf(f, "-----END %s-----\n", label);
}

static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static const uint8_t *find(const uint8_t *hay, size_t hay_len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= hay_len && i <= hay_len - n; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

bool pem_decode_in_place(uint8_t *buf, size_t *len, const char *label, bool *malformed)
{
    char begin[80], end[80];
    *malformed = false;
    snprintf(begin, sizeof begin, "-----BEGIN %s-----", label);
    snprintf(end, sizeof end, "-----END %s-----", label);
    const uint8_t *b = find(buf, *len, begin);
    if (!b)
        return false;
    const uint8_t *body = b + strlen(begin);
    const uint8_t *e = find(body, *len - (size_t)(body - buf), end);
    if (!e) {
        *malformed = true;
        return false;
    }
    /* Decode body..e; the output never overtakes the input (3 bytes out per 4 in). */
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    for (const uint8_t *p = body; p < e; p++) {
        if (*p == '\r' || *p == '\n' || *p == ' ' || *p == '\t')
            continue;
        if (*p == '=') {
            pad++;
            continue;
        }
        int v = b64_value(*p);
        if (v < 0 || pad) {
            *malformed = true;
            return false;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (pad > 2 || o == 0) {
        *malformed = true;
        return false;
    }
    *len = o;
    return true;
}
