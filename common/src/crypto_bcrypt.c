/* Host crypto through Windows CNG (BCrypt). CNG has no SHA-224: that algorithm reports
 * OPGP_E_NOT_SUPPORTED here. */
#include <windows.h>
#include <bcrypt.h>
#include <stdlib.h>

#include "opgp/crypto.h"

struct opgp_hash_ctx {
    BCRYPT_ALG_HANDLE alg;
    BCRYPT_HASH_HANDLE hash;
    size_t size;
};

static LPCWSTR alg_id(opgp_hash_alg alg)
{
    switch (alg) {
    case OPGP_HASH_SHA1: return BCRYPT_SHA1_ALGORITHM;
    case OPGP_HASH_SHA256: return BCRYPT_SHA256_ALGORITHM;
    case OPGP_HASH_SHA384: return BCRYPT_SHA384_ALGORITHM;
    case OPGP_HASH_SHA512: return BCRYPT_SHA512_ALGORITHM;
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
    LPCWSTR id = alg_id(alg);
    if (!id)
        return NULL;
    opgp_hash_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->size = opgp_hash_size(alg);
    if (!BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&ctx->alg, id, NULL, 0)) ||
        !BCRYPT_SUCCESS(BCryptCreateHash(ctx->alg, &ctx->hash, NULL, 0, NULL, 0, 0))) {
        opgp_hash_free(ctx);
        return NULL;
    }
    return ctx;
}

opgp_status opgp_hash_update(opgp_hash_ctx *ctx, const void *data, size_t len)
{
    if (!ctx || !ctx->hash || (!data && len))
        return OPGP_E_INVALID_ARG;
    const UCHAR *p = data;
    while (len > 0) {
        ULONG chunk = len > 0x40000000u ? 0x40000000u : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptHashData(ctx->hash, (PUCHAR)p, chunk, 0)))
            return OPGP_E_CRYPTO;
        p += chunk;
        len -= chunk;
    }
    return OPGP_OK;
}

opgp_status opgp_hash_final(opgp_hash_ctx *ctx, uint8_t *out, size_t *out_len)
{
    if (!ctx || !ctx->hash || !out || !out_len)
        return OPGP_E_INVALID_ARG;
    if (*out_len < ctx->size)
        return OPGP_E_BUFFER_TOO_SMALL;
    if (!BCRYPT_SUCCESS(BCryptFinishHash(ctx->hash, out, (ULONG)ctx->size, 0)))
        return OPGP_E_CRYPTO;
    *out_len = ctx->size;
    return OPGP_OK;
}

void opgp_hash_free(opgp_hash_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->hash)
        BCryptDestroyHash(ctx->hash);
    if (ctx->alg)
        BCryptCloseAlgorithmProvider(ctx->alg, 0);
    free(ctx);
}

opgp_status opgp_hash(opgp_hash_alg alg, const void *data, size_t len, uint8_t *out,
                      size_t *out_len)
{
    if ((!data && len) || !out || !out_len || opgp_hash_size(alg) == 0)
        return OPGP_E_INVALID_ARG;
    if (!alg_id(alg))
        return OPGP_E_NOT_SUPPORTED;
    if (*out_len < opgp_hash_size(alg))
        return OPGP_E_BUFFER_TOO_SMALL;
    opgp_hash_ctx *ctx = opgp_hash_new(alg);
    if (!ctx)
        return OPGP_E_CRYPTO;
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
    UCHAR *p = buf;
    while (n > 0) {
        ULONG chunk = n > 0x40000000u ? 0x40000000u : (ULONG)n;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, p, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return OPGP_E_CRYPTO;
        p += chunk;
        n -= chunk;
    }
    return OPGP_OK;
}

void opgp_wipe(void *p, size_t n)
{
    if (p && n)
        SecureZeroMemory(p, n);
}
