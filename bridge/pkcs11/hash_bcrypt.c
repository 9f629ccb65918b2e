/* Host digests for the hashing signature mechanisms: Windows CNG (BCrypt). */
#include <windows.h>
#include <bcrypt.h>
#include <stdlib.h>

#include "p11.h"

struct p11_hash {
    BCRYPT_ALG_HANDLE alg;
    BCRYPT_HASH_HANDLE hash;
    ULONG len;
};

p11_hash *p11_hash_new(int alg)
{
    LPCWSTR name;
    ULONG len;
    switch (alg) {
    case P11_HASH_SHA1: name = BCRYPT_SHA1_ALGORITHM; len = 20; break;
    case P11_HASH_SHA256: name = BCRYPT_SHA256_ALGORITHM; len = 32; break;
    case P11_HASH_SHA384: name = BCRYPT_SHA384_ALGORITHM; len = 48; break;
    case P11_HASH_SHA512: name = BCRYPT_SHA512_ALGORITHM; len = 64; break;
    default: return NULL; /* CNG has no SHA-224 */
    }
    p11_hash *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->len = len;
    if (BCryptOpenAlgorithmProvider(&h->alg, name, NULL, 0) != 0) {
        free(h);
        return NULL;
    }
    if (BCryptCreateHash(h->alg, &h->hash, NULL, 0, NULL, 0, 0) != 0) {
        BCryptCloseAlgorithmProvider(h->alg, 0);
        free(h);
        return NULL;
    }
    return h;
}

bool p11_hash_update(p11_hash *h, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ULONG chunk = n > 0x40000000u ? 0x40000000u : (ULONG)n;
        if (BCryptHashData(h->hash, (PUCHAR)p, chunk, 0) != 0)
            return false;
        p += chunk;
        n -= chunk;
    }
    return true;
}

bool p11_hash_final(p11_hash *h, uint8_t *out, size_t *len)
{
    bool ok = BCryptFinishHash(h->hash, out, h->len, 0) == 0;
    *len = h->len;
    p11_hash_free(h);
    return ok;
}

void p11_hash_free(p11_hash *h)
{
    if (h == NULL)
        return;
    BCryptDestroyHash(h->hash);
    BCryptCloseAlgorithmProvider(h->alg, 0);
    free(h);
}

bool p11_hash_available(int alg) { return alg != P11_HASH_SHA224 && alg <= P11_HASH_SHA512; }
