/* Pieces md-sign.exe and p11-sign.exe share: wiping the PIN, the ECDSA signature as OpenSSL
 * verifies it, the output file. */
#ifndef OPGP_WINE_SIGN_COMMON_H
#define OPGP_WINE_SIGN_COMMON_H

#include <stddef.h>

#include <windows.h>

void wipe(void *p, size_t n);
/* ECDSA r||s (each half the length, curves up to P-521) to SEQUENCE { INTEGER r, INTEGER s }. */
size_t ecdsa_der(const BYTE *rs, size_t n, BYTE *out);
/* 0, or 1 after a message that starts with prog. */
int write_file(const char *prog, const char *path, const BYTE *p, size_t n);

#endif
