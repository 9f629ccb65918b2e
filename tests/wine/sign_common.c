#include "sign_common.h"

#include <stdio.h>
#include <string.h>

void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

/* One DER INTEGER (positive) from a big-endian unsigned value. */
static size_t der_integer(const BYTE *v, size_t n, BYTE *out)
{
    while (n > 1 && v[0] == 0) {
        v++;
        n--;
    }
    size_t pad = (v[0] & 0x80) ? 1 : 0, len = n + pad, at = 0;
    out[at++] = 0x02;
    if (len >= 0x80)
        out[at++] = 0x81;
    out[at++] = (BYTE)len;
    if (pad)
        out[at++] = 0;
    memcpy(out + at, v, n);
    return at + n;
}

size_t ecdsa_der(const BYTE *rs, size_t n, BYTE *out)
{
    BYTE body[2 * (3 + 67)];
    size_t len = der_integer(rs, n / 2, body);
    len += der_integer(rs + n / 2, n / 2, body + len);
    size_t at = 0;
    out[at++] = 0x30;
    if (len >= 0x80)
        out[at++] = 0x81;
    out[at++] = (BYTE)len;
    memcpy(out + at, body, len);
    return at + len;
}

int write_file(const char *prog, const char *path, const BYTE *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write %s\n", prog, path);
        return 1;
    }
    return 0;
}
