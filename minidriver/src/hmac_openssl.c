/* HMAC with OpenSSL 3 (EVP_MAC). */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "hmac.h"

static const char *digest_name(opgp_hash_alg alg)
{
    switch (alg) {
    case OPGP_HASH_SHA1: return "SHA1";
    case OPGP_HASH_SHA224: return "SHA224";
    case OPGP_HASH_SHA256: return "SHA256";
    case OPGP_HASH_SHA384: return "SHA384";
    case OPGP_HASH_SHA512: return "SHA512";
    default: return NULL;
    }
}

opgp_status md_hmac(opgp_hash_alg alg, const uint8_t *key, size_t key_len, const md_chunk *chunks,
                    size_t n, uint8_t *out, size_t *out_len)
{
    const char *name = digest_name(alg);
    size_t size = opgp_hash_size(alg);
    if (name == NULL || size == 0)
        return OPGP_E_NOT_SUPPORTED;
    if (*out_len < size)
        return OPGP_E_BUFFER_TOO_SMALL;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0),
        OSSL_PARAM_construct_end(),
    };
    static const uint8_t empty[1] = { 0 };
    bool ok = ctx != NULL && EVP_MAC_init(ctx, key_len ? key : empty, key_len, params) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = chunks[i].len == 0 || EVP_MAC_update(ctx, chunks[i].p, chunks[i].len) == 1;
    size_t got = 0;
    ok = ok && EVP_MAC_final(ctx, out, &got, *out_len) == 1;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    if (!ok)
        return OPGP_E_CRYPTO;
    *out_len = got;
    return OPGP_OK;
}
