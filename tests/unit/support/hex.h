/* Hex text <-> bytes for tests and transcripts. */
#ifndef OPGP_TEST_HEX_H
#define OPGP_TEST_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Decode hex digits (spaces and tabs ignored) into out. Returns the byte count, or -1 for an odd
 * digit count, a non-hex character, or more than cap bytes. */
long opgp_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t cap);

/* Upper-case hex of bytes into out (cap >= 2 * len + 1), NUL-terminated. Returns out. */
char *opgp_hex_encode(const uint8_t *bytes, size_t len, char *out, size_t cap);

#endif
