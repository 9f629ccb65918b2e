/* Pieces md-sign.exe and p11-sign.exe share: their common options and PIN, wiping the PIN, the
 * ECDSA signature as OpenSSL verifies it, the output file. */
#ifndef OPGP_WINE_SIGN_COMMON_H
#define OPGP_WINE_SIGN_COMMON_H

#include <stddef.h>

#include <windows.h>

/* The options md-sign and p11-sign share. */
typedef struct sign_options {
    const char *dll, *in, *out, *pin;
    BOOL pin_stdin;
} sign_options;

/* argv into o (o->dll keeps the default the caller set), each option of the program's own
 * ("--name value") to extra, which returns FALSE for one it does not know. 0, or 2 after the
 * usage line: a value missing, an unknown option, no --in or --out, or not exactly one of --pin
 * and --pin-stdin. */
int sign_parse(int argc, char **argv, sign_options *o, const char *usage,
               BOOL (*extra)(const char *name, const char *value, void *arg), void *arg);
/* The PIN from --pin or from one line of stdin, NUL-terminated in pin (max bytes). 0, or 1 after
 * a message that starts with prog. */
int sign_read_pin(const char *prog, const sign_options *o, char *pin, size_t max);

void wipe(void *p, size_t n);
/* ECDSA r||s (each half the length, curves up to P-521) to SEQUENCE { INTEGER r, INTEGER s }. */
size_t ecdsa_der(const BYTE *rs, size_t n, BYTE *out);
/* 0, or 1 after a message that starts with prog. */
int write_file(const char *prog, const char *path, const BYTE *p, size_t n);

#endif
