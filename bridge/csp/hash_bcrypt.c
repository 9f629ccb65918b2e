/* The hashes, computed by the system (CNG), and the DigestInfo prefixes PKCS#1 v1.5 wants. */
#include <stdlib.h>

#include "csp.h"

#include <bcrypt.h>

struct csp_hash_state {
    BCRYPT_ALG_HANDLE alg;
    BCRYPT_HASH_HANDLE hash;
};

static LPCWSTR cng_name(ALG_ID alg)
{
    switch (alg) {
    case CALG_MD5: return BCRYPT_MD5_ALGORITHM;
    case CALG_SHA1: return BCRYPT_SHA1_ALGORITHM;
    case CALG_SHA_256: return BCRYPT_SHA256_ALGORITHM;
    case CALG_SHA_384: return BCRYPT_SHA384_ALGORITHM;
    case CALG_SHA_512: return BCRYPT_SHA512_ALGORITHM;
    default: return NULL;
    }
}

bool csp_hash_alg_known(ALG_ID alg, DWORD *len)
{
    DWORD n;
    switch (alg) {
    case CALG_MD5: n = 16; break;
    case CALG_SHA1: n = 20; break;
    case CALG_SHA_256: n = 32; break;
    case CALG_SHA_384: n = 48; break;
    case CALG_SHA_512: n = 64; break;
    case CALG_SSL3_SHAMD5: n = 36; break; /* set by value (HP_HASHVAL) only */
    default: return false;
    }
    if (len != NULL)
        *len = n;
    return true;
}

csp_hash_state *csp_hash_state_new(ALG_ID alg)
{
    LPCWSTR name = cng_name(alg);
    if (name == NULL)
        return NULL;
    csp_hash_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    if (BCryptOpenAlgorithmProvider(&s->alg, name, NULL, 0) != 0) {
        free(s);
        return NULL;
    }
    if (BCryptCreateHash(s->alg, &s->hash, NULL, 0, NULL, 0, 0) != 0) {
        BCryptCloseAlgorithmProvider(s->alg, 0);
        free(s);
        return NULL;
    }
    return s;
}

bool csp_hash_state_update(csp_hash_state *s, const uint8_t *p, DWORD n)
{
    return BCryptHashData(s->hash, (PUCHAR)p, n, 0) == 0;
}

bool csp_hash_state_final(csp_hash_state *s, uint8_t *out, DWORD len)
{
    return BCryptFinishHash(s->hash, out, len, 0) == 0;
}

void csp_hash_state_free(csp_hash_state *s)
{
    if (s == NULL)
        return;
    BCryptDestroyHash(s->hash);
    BCryptCloseAlgorithmProvider(s->alg, 0);
    free(s);
}

const uint8_t *csp_digest_info_prefix(ALG_ID alg, size_t *len)
{
    LPCWSTR name = cng_name(alg);
    const uint8_t *prefix = name != NULL ? winprov_digest_info(name, len, NULL) : NULL;
    if (prefix == NULL)
        *len = 0;
    return prefix;
}
