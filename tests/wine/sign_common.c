#include "sign_common.h"

#include <stdio.h>
#include <string.h>

int sign_parse(int argc, char **argv, sign_options *o, const char *usage,
               BOOL (*extra)(const char *name, const char *value, void *arg), void *arg)
{
    BOOL ok = TRUE;
    for (int i = 1; i < argc && ok; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--pin-stdin") == 0) {
            o->pin_stdin = TRUE;
            continue;
        }
        if (v == NULL)
            ok = FALSE;
        else if (strcmp(a, "--dll") == 0)
            o->dll = v;
        else if (strcmp(a, "--in") == 0)
            o->in = v;
        else if (strcmp(a, "--out") == 0)
            o->out = v;
        else if (strcmp(a, "--pin") == 0)
            o->pin = v;
        else
            ok = extra(a, v, arg);
        i++;
    }
    if (!ok || o->in == NULL || o->out == NULL || (o->pin == NULL) == !o->pin_stdin) {
        fputs(usage, stderr);
        return 2;
    }
    return 0;
}

int sign_read_pin(const char *prog, const sign_options *o, char *pin, size_t max)
{
    if (o->pin != NULL) {
        if (strlen(o->pin) >= max) {
            fprintf(stderr, "%s: the PIN is too long (at most %lu characters)\n", prog,
                    (unsigned long)(max - 1));
            return 1;
        }
        strcpy(pin, o->pin);
        return 0;
    }
    if (fgets(pin, (int)max, stdin) == NULL) {
        fprintf(stderr, "%s: no PIN on stdin\n", prog);
        return 1;
    }
    pin[strcspn(pin, "\r\n")] = 0;
    return 0;
}

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
