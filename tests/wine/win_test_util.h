/* Pieces the Windows provider test programs (csp-test, ksp-test, certprop-test) share: the
 * pass/fail tally, fatal errors with GetLastError, whole-file input and output, CMS signing. */
#ifndef OPGP_WINE_WIN_TEST_UTIL_H
#define OPGP_WINE_WIN_TEST_UTIL_H

#include <stdbool.h>

#include <windows.h>
#include <wincrypt.h>

/* Checks that failed so far; a program exits non-zero when any did. */
extern int wt_failures;

/* Prints "ok: what" or "FAIL: what" and counts a failure. */
void wt_check(bool ok, const char *what);
/* "<what> failed: 0x<GetLastError>" on stderr; returns 1, the exit status of a failed call. */
int wt_die(const char *what);
/* The file's bytes (up to 1 MiB) in a malloc'd buffer, or NULL when it cannot be opened. */
BYTE *wt_read_file(const char *path, DWORD *len);
/* 0, or 1 when the file could not be written whole. */
int wt_write_file(const char *path, const BYTE *p, DWORD len);
/* win_test_cms.c (crypt32): the file in signed by cert's key (CMS, attached, SHA-256, cert
 * included) to out as DER; prints its size. 0, or 1 after a message. */
int wt_sign_message(PCCERT_CONTEXT cert, const char *in, const char *out);
/* Upper-case hex on stdout, no separators. */
void wt_print_hex(const BYTE *p, DWORD n);

#endif
