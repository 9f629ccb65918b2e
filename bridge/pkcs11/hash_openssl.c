/* Host digests for the hashing signature mechanisms: OpenSSL libcrypto. */
#include <openssl/evp.h>

#include "p11.h"

struct p11_hash {
    EVP_MD_CTX *ctx;
};

p11_hash *p11_hash_new(int alg)
{
    const EVP_MD *md;
    switch (alg) {
    case P11_HASH_SHA1: md = EVP_sha1(); break;
    case P11_HASH_SHA224: md = EVP_sha224(); break;
    case P11_HASH_SHA256: md = EVP_sha256(); break;
    case P11_HASH_SHA384: md = EVP_sha384(); break;
    case P11_HASH_SHA512: md = EVP_sha512(); break;
    default: return NULL;
    }
    p11_hash *h = OPENSSL_zalloc(sizeof *h);
    if (h == NULL)
        return NULL;
    h->ctx = EVP_MD_CTX_new();
    if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, md, NULL) != 1) {
        p11_hash_free(h);
        return NULL;
    }
    return h;
}

bool p11_hash_update(p11_hash *h, const uint8_t *p, size_t n)
{
    return EVP_DigestUpdate(h->ctx, p, n) == 1;
}

bool p11_hash_final(p11_hash *h, uint8_t *out, size_t *len)
{
    unsigned int n = 0;
    bool ok = EVP_DigestFinal_ex(h->ctx, out, &n) == 1;
    *len = n;
    p11_hash_free(h);
    return ok;
}

void p11_hash_free(p11_hash *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->ctx);
    OPENSSL_free(h);
}

bool p11_hash_available(int alg) { return alg >= P11_HASH_SHA1 && alg <= P11_HASH_SHA512; }
