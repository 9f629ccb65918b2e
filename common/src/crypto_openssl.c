/* Host crypto through OpenSSL libcrypto (native builds). */
#include <limits.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "opgp/crypto.h"

struct opgp_hash_ctx {
    EVP_MD_CTX *md;
    size_t size;
};

static const EVP_MD *md_for(opgp_hash_alg alg)
{
    switch (alg) {
    case OPGP_HASH_SHA1: return EVP_sha1();
    case OPGP_HASH_SHA224: return EVP_sha224();
    case OPGP_HASH_SHA256: return EVP_sha256();
    case OPGP_HASH_SHA384: return EVP_sha384();
    case OPGP_HASH_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

size_t opgp_hash_size(opgp_hash_alg alg)
{
    switch (alg) {
    case OPGP_HASH_SHA1: return 20;
    case OPGP_HASH_SHA224: return 28;
    case OPGP_HASH_SHA256: return 32;
    case OPGP_HASH_SHA384: return 48;
    case OPGP_HASH_SHA512: return 64;
    default: return 0;
    }
}

opgp_hash_ctx *opgp_hash_new(opgp_hash_alg alg)
{
    const EVP_MD *md = md_for(alg);
    if (!md)
        return NULL;
    opgp_hash_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->md = EVP_MD_CTX_new();
    ctx->size = opgp_hash_size(alg);
    if (!ctx->md || EVP_DigestInit_ex(ctx->md, md, NULL) != 1) {
        opgp_hash_free(ctx);
        return NULL;
    }
    return ctx;
}

opgp_status opgp_hash_update(opgp_hash_ctx *ctx, const void *data, size_t len)
{
    if (!ctx || !ctx->md || (!data && len))
        return OPGP_E_INVALID_ARG;
    if (len && EVP_DigestUpdate(ctx->md, data, len) != 1)
        return OPGP_E_CRYPTO;
    return OPGP_OK;
}

opgp_status opgp_hash_final(opgp_hash_ctx *ctx, uint8_t *out, size_t *out_len)
{
    if (!ctx || !ctx->md || !out || !out_len)
        return OPGP_E_INVALID_ARG;
    if (*out_len < ctx->size)
        return OPGP_E_BUFFER_TOO_SMALL;
    unsigned n = 0;
    if (EVP_DigestFinal_ex(ctx->md, out, &n) != 1 || n != ctx->size)
        return OPGP_E_CRYPTO;
    *out_len = n;
    return OPGP_OK;
}

void opgp_hash_free(opgp_hash_ctx *ctx)
{
    if (!ctx)
        return;
    EVP_MD_CTX_free(ctx->md);
    free(ctx);
}

opgp_status opgp_hash(opgp_hash_alg alg, const void *data, size_t len, uint8_t *out,
                      size_t *out_len)
{
    if ((!data && len) || !out || !out_len)
        return OPGP_E_INVALID_ARG;
    if (!md_for(alg))
        return OPGP_E_INVALID_ARG;
    if (*out_len < opgp_hash_size(alg))
        return OPGP_E_BUFFER_TOO_SMALL;
    opgp_hash_ctx *ctx = opgp_hash_new(alg);
    if (!ctx)
        return OPGP_E_NO_MEMORY;
    opgp_status st = opgp_hash_update(ctx, data, len);
    if (st == OPGP_OK)
        st = opgp_hash_final(ctx, out, out_len);
    opgp_hash_free(ctx);
    return st;
}

opgp_status opgp_random(void *buf, size_t n)
{
    if (!buf && n)
        return OPGP_E_INVALID_ARG;
    uint8_t *p = buf;
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (RAND_bytes(p, chunk) != 1)
            return OPGP_E_CRYPTO;
        p += chunk;
        n -= (size_t)chunk;
    }
    return OPGP_OK;
}

void opgp_wipe(void *p, size_t n)
{
    if (p && n)
        OPENSSL_cleanse(p, n);
}
