#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "verify.h"

struct v_key {
    EVP_PKEY *pk;
};

static v_key *wrap(EVP_PKEY *pk)
{
    if (pk == NULL)
        return NULL;
    v_key *k = malloc(sizeof *k);
    if (k == NULL) {
        EVP_PKEY_free(pk);
        return NULL;
    }
    k->pk = pk;
    return k;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *b)
{
    EVP_PKEY *pk = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(b);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
        (void)EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pk;
}

static DWORD le32(const BYTE *p)
{
    return (DWORD)p[0] | (DWORD)p[1] << 8 | (DWORD)p[2] << 16 | (DWORD)p[3] << 24;
}

static v_key *rsa_from_blob(const BYTE *blob, DWORD len)
{
    /* BLOBHEADER (8) + RSAPUBKEY (12) + modulus little-endian */
    if (len < 20 || le32(blob + 8) != BCRYPT_RSAPUBLIC_MAGIC)
        return NULL;
    DWORD bits = le32(blob + 12), e = le32(blob + 16);
    if (bits == 0 || bits % 8 != 0 || len != 20 + bits / 8)
        return NULL;
    BIGNUM *n = BN_lebin2bn(blob + 20, (int)(bits / 8), NULL);
    BIGNUM *be = BN_new();
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    EVP_PKEY *pk = NULL;
    if (n != NULL && be != NULL && b != NULL && BN_set_word(be, e) &&
        OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n) &&
        OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, be))
        pk = from_params("RSA", b);
    OSSL_PARAM_BLD_free(b);
    BN_free(n);
    BN_free(be);
    return wrap(pk);
}

static const char *curve_of(DWORD magic)
{
    switch (magic) {
    case BCRYPT_ECDSA_PUBLIC_P256_MAGIC: case BCRYPT_ECDH_PUBLIC_P256_MAGIC: return "P-256";
    case BCRYPT_ECDSA_PUBLIC_P384_MAGIC: case BCRYPT_ECDH_PUBLIC_P384_MAGIC: return "P-384";
    case BCRYPT_ECDSA_PUBLIC_P521_MAGIC: case BCRYPT_ECDH_PUBLIC_P521_MAGIC: return "P-521";
    default: return NULL;
    }
}

static v_key *ec_from_blob(const BYTE *blob, DWORD len)
{
    if (len < 8)
        return NULL;
    const char *curve = curve_of(le32(blob));
    DWORD cb = le32(blob + 4);
    if (curve == NULL || cb == 0 || cb > 66 || len != 8 + 2 * cb)
        return NULL;
    BYTE point[1 + 2 * 66];
    point[0] = 0x04;
    memcpy(point + 1, blob + 8, 2 * cb);
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    EVP_PKEY *pk = NULL;
    if (b != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * cb))
        pk = from_params("EC", b);
    OSSL_PARAM_BLD_free(b);
    return wrap(pk);
}

v_key *v_key_from_blob(const BYTE *blob, DWORD len)
{
    if (blob == NULL || len < 8)
        return NULL;
    if (blob[0] == PUBLICKEYBLOB)
        return rsa_from_blob(blob, len);
    return ec_from_blob(blob, len);
}

v_key *v_key_from_spki(const BYTE *der, size_t len)
{
    const unsigned char *p = der;
    return wrap(d2i_PUBKEY(NULL, &p, (long)len));
}

void v_key_free(v_key *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pk);
    free(k);
}

bool v_supported(const v_key *k)
{
    return k != NULL;
}

bool v_key_same(const v_key *a, const v_key *b)
{
    return a != NULL && b != NULL && EVP_PKEY_eq(a->pk, b->pk) == 1;
}

static const EVP_MD *md_of(ALG_ID alg)
{
    switch (alg) {
    case CALG_SHA1: return EVP_sha1();
    case CALG_SHA_256: return EVP_sha256();
    case CALG_SHA_384: return EVP_sha384();
    case CALG_SHA_512: return EVP_sha512();
    default: return NULL;
    }
}

bool v_hash(ALG_ID alg, const void *data, size_t len, BYTE *out, DWORD *out_len)
{
    const EVP_MD *md = md_of(alg);
    unsigned int n = 0;
    if (md == NULL || EVP_Digest(data, len, out, &n, md, NULL) != 1)
        return false;
    *out_len = n;
    return true;
}

bool v_verify(const v_key *k, ALG_ID alg, const BYTE *hash, DWORD hash_len, const BYTE *sig,
              DWORD sig_len)
{
    bool rsa = EVP_PKEY_is_a(k->pk, "RSA");
    unsigned char der[2 * 66 + 16];
    unsigned char be[1024];
    const unsigned char *s = sig;
    size_t s_len = sig_len;
    if (rsa) {
        if (sig_len > sizeof be)
            return false;
        for (DWORD i = 0; i < sig_len; i++)
            be[i] = sig[sig_len - 1 - i];
        s = be;
    } else {
        if (sig_len == 0 || sig_len % 2 != 0 || sig_len > 2 * 66)
            return false;
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig, (int)sig_len / 2, NULL);
        BIGNUM *sv = BN_bin2bn(sig + sig_len / 2, (int)sig_len / 2, NULL);
        if (es == NULL || r == NULL || sv == NULL || !ECDSA_SIG_set0(es, r, sv)) {
            ECDSA_SIG_free(es);
            BN_free(r);
            BN_free(sv);
            return false;
        }
        unsigned char *p = der;
        int n = i2d_ECDSA_SIG(es, NULL);
        bool fits = n > 0 && (size_t)n <= sizeof der && i2d_ECDSA_SIG(es, &p) == n;
        ECDSA_SIG_free(es);
        if (!fits)
            return false;
        s = der;
        s_len = (size_t)n;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pk, NULL);
    bool ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1;
    if (ok && rsa)
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 && md_of(alg) != NULL &&
             EVP_PKEY_CTX_set_signature_md(ctx, md_of(alg)) == 1;
    ok = ok && EVP_PKEY_verify(ctx, s, s_len, hash, hash_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

bool v_rsa_encrypt(const v_key *k, const BYTE *msg, DWORD msg_len, BYTE *out, DWORD *out_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pk, NULL);
    size_t n = *out_len;
    bool ok = ctx != NULL && EVP_PKEY_encrypt_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
              EVP_PKEY_encrypt(ctx, out, &n, msg, msg_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        BYTE t = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = t;
    }
    *out_len = (DWORD)n;
    return true;
}

struct v_secret {
    BYTE z[66];
    DWORD len;
};

bool v_kdf_hash(const v_secret *s, ALG_ID alg, const BYTE *prepend, DWORD prepend_len,
                const BYTE *append, DWORD append_len, BYTE *out, DWORD *out_len)
{
    BYTE joined[256 + 66 + 256];
    if (prepend_len > 256 || append_len > 256)
        return false;
    if (prepend_len > 0)
        memcpy(joined, prepend, prepend_len);
    memcpy(joined + prepend_len, s->z, s->len);
    if (append_len > 0)
        memcpy(joined + prepend_len + s->len, append, append_len);
    return v_hash(alg, joined, prepend_len + s->len + append_len, out, out_len);
}

void v_secret_free(v_secret *s)
{
    if (s != NULL)
        OPENSSL_cleanse(s, sizeof *s);
    free(s);
}

static bool ecdh_z(const v_key *k, BYTE *peer, DWORD *peer_len, BYTE *z, DWORD *z_len)
{
    char group[32];
    size_t glen = 0;
    if (!EVP_PKEY_is_a(k->pk, "EC") ||
        EVP_PKEY_get_utf8_string_param(k->pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &glen) != 1)
        return false;
    EVP_PKEY *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
    if (eph == NULL)
        return false;
    bool ok = false;
    BYTE point[1 + 2 * 66];
    size_t plen = 0;
    DWORD magic = 0;
    int bits = EVP_PKEY_get_bits(eph);
    if (bits == 256) magic = BCRYPT_ECDH_PUBLIC_P256_MAGIC;
    else if (bits == 384) magic = BCRYPT_ECDH_PUBLIC_P384_MAGIC;
    else if (bits == 521) magic = BCRYPT_ECDH_PUBLIC_P521_MAGIC;
    EVP_PKEY_CTX *ctx = NULL;
    if (magic != 0 &&
        EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                        &plen) == 1 &&
        plen >= 3 && point[0] == 0x04 && 8 + plen - 1 <= *peer_len) {
        DWORD cb = (DWORD)((plen - 1) / 2);
        for (int i = 0; i < 4; i++) {
            peer[i] = (BYTE)(magic >> (8 * i));
            peer[4 + i] = (BYTE)(cb >> (8 * i));
        }
        memcpy(peer + 8, point + 1, plen - 1);
        *peer_len = (DWORD)(8 + plen - 1);
        size_t zl = *z_len;
        ctx = EVP_PKEY_CTX_new(eph, NULL);
        ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
             EVP_PKEY_derive_set_peer(ctx, k->pk) == 1 && EVP_PKEY_derive(ctx, z, &zl) == 1;
        *z_len = (DWORD)zl;
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(eph);
    return ok;
}

v_secret *v_ecdh(const v_key *k, BYTE *peer, DWORD *peer_len)
{
    v_secret *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->len = sizeof s->z;
    if (!ecdh_z(k, peer, peer_len, s->z, &s->len)) {
        v_secret_free(s);
        return NULL;
    }
    return s;
}
