/* HMAC from the host crypto library (hmac_openssl.c natively, hmac_bcrypt.c on Windows). */
#ifndef OPGPMD_HMAC_H
#define OPGPMD_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/crypto.h"

typedef struct md_chunk {
    const uint8_t *p;
    size_t len;
} md_chunk;

/* HMAC(key, chunks concatenated). *out_len: capacity in, MAC size out. */
opgp_status md_hmac(opgp_hash_alg alg, const uint8_t *key, size_t key_len, const md_chunk *chunks,
                    size_t n, uint8_t *out, size_t *out_len);

#endif
