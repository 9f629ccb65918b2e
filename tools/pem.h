/* PEM armour (RFC 7468): Base64 of DER between BEGIN/END lines. */
#ifndef OPGP_TOOL_PEM_H
#define OPGP_TOOL_PEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write der as PEM with the given label ("CERTIFICATE", "PUBLIC KEY"). */
void pem_write(FILE *f, const char *label, const uint8_t *der, size_t len);

/* Base64 of in (no line breaks) into out (NUL-terminated). False when out is too small. */
bool base64_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/* When buf holds PEM with the given label, decode it in place and set *len to the DER length.
 * Returns true when PEM was found and decoded; false when buf is not PEM (then it is left
 * untouched: it may be DER) or is malformed PEM (*malformed set). */
bool pem_decode_in_place(uint8_t *buf, size_t *len, const char *label, bool *malformed);

#endif
