/* HMAC with Windows CNG (BCrypt, HMAC flag on the algorithm provider). */
#include "opgp/cardmod.h"
#include "hmac.h"

static LPCWSTR alg_name(opgp_hash_alg alg)
{
    switch (alg) {
    case OPGP_HASH_SHA1: return BCRYPT_SHA1_ALGORITHM;
    case OPGP_HASH_SHA256: return BCRYPT_SHA256_ALGORITHM;
    case OPGP_HASH_SHA384: return BCRYPT_SHA384_ALGORITHM;
    case OPGP_HASH_SHA512: return BCRYPT_SHA512_ALGORITHM;
    default: return NULL;
    }
}

opgp_status md_hmac(opgp_hash_alg alg, const uint8_t *key, size_t key_len, const md_chunk *chunks,
                    size_t n, uint8_t *out, size_t *out_len)
{
    LPCWSTR name = alg_name(alg);
    size_t size = opgp_hash_size(alg);
    if (name == NULL || size == 0)
        return OPGP_E_NOT_SUPPORTED;
    if (*out_len < size)
        return OPGP_E_BUFFER_TOO_SMALL;
    BCRYPT_ALG_HANDLE ah = NULL;
    BCRYPT_HASH_HANDLE hh = NULL;
    static UCHAR empty[1];
    bool ok = BCryptOpenAlgorithmProvider(&ah, name, NULL, BCRYPT_ALG_HANDLE_HMAC_FLAG) == 0;
    ok = ok && BCryptCreateHash(ah, &hh, NULL, 0, key_len ? (PUCHAR)key : empty,
                                (ULONG)key_len, 0) == 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = chunks[i].len == 0 ||
             BCryptHashData(hh, (PUCHAR)chunks[i].p, (ULONG)chunks[i].len, 0) == 0;
    ok = ok && BCryptFinishHash(hh, out, (ULONG)size, 0) == 0;
    if (hh != NULL)
        BCryptDestroyHash(hh);
    if (ah != NULL)
        BCryptCloseAlgorithmProvider(ah, 0);
    if (!ok)
        return OPGP_E_CRYPTO;
    *out_len = size;
    return OPGP_OK;
}
