/* Host-side cryptography the core needs: hashes (OpenPGP v4 fingerprints, the KDF-DO iterated
 * and salted S2K, digests to sign), random bytes, and wiping secrets. OpenSSL libcrypto natively
 * (crypto_openssl.c), BCrypt on Windows (crypto_bcrypt.c); the build picks one. */
#ifndef OPGP_CRYPTO_H
#define OPGP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "opgp/status.h"

typedef enum opgp_hash_alg {
    OPGP_HASH_SHA1,
    OPGP_HASH_SHA224,   /* not offered by BCrypt: OPGP_E_NOT_SUPPORTED on Windows */
    OPGP_HASH_SHA256,
    OPGP_HASH_SHA384,
    OPGP_HASH_SHA512,
} opgp_hash_alg;

#define OPGP_HASH_MAX_SIZE 64

/* Digest size in bytes, 0 for an unknown algorithm. */
size_t opgp_hash_size(opgp_hash_alg alg);

/* One-shot hash. *out_len: capacity of out on entry, digest size on return. */
opgp_status opgp_hash(opgp_hash_alg alg, const void *data, size_t len, uint8_t *out,
                      size_t *out_len);

/* Incremental hash. new returns NULL on an unknown/unsupported algorithm or no memory;
 * final may be called once, then only free; free accepts NULL. */
typedef struct opgp_hash_ctx opgp_hash_ctx;
opgp_hash_ctx *opgp_hash_new(opgp_hash_alg alg);
opgp_status opgp_hash_update(opgp_hash_ctx *ctx, const void *data, size_t len);
opgp_status opgp_hash_final(opgp_hash_ctx *ctx, uint8_t *out, size_t *out_len);
void opgp_hash_free(opgp_hash_ctx *ctx);

/* Cryptographically strong random bytes from the OS generator. */
opgp_status opgp_random(void *buf, size_t n);

/* Overwrite a secret so that the compiler cannot drop the stores. NULL/0 allowed. */
void opgp_wipe(void *p, size_t n);

#endif
