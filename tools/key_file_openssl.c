/* key_file.h with OpenSSL 3: PEM through the decoder (any private key format it knows, with a
 * passphrase when encrypted), PKCS#12 through PKCS12_parse. */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "key_file.h"

#define FILE_MAX (1024 * 1024)
#define SECRET_CAP (8u * 512u + 16u) /* every part of an RSA 4096 key, with room */

static key_file_result failed(char *why, size_t cap, const char *fmt, const char *arg)
{
    snprintf(why, cap, fmt, arg);
    return KEY_FILE_FAILED;
}

/* The whole file, or NULL (too large, unreadable). */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = OPENSSL_malloc(FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, FILE_MAX + 1, f) : 0;
    fclose(f);
    if (!buf || n == 0 || n > FILE_MAX) {
        OPENSSL_clear_free(buf, FILE_MAX + 1);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Appends parts to out->secret (sized by the caller), setting *v and *len. */
typedef struct builder {
    key_file *kf;
    size_t cap;
    bool ok;
} builder;

static void put_bn(builder *b, const EVP_PKEY *pkey, const char *param, const uint8_t **v,
                   size_t *len)
{
    BIGNUM *bn = NULL;
    if (!b->ok || !EVP_PKEY_get_bn_param(pkey, param, &bn)) {
        b->ok = false;
        return;
    }
    size_t n = (size_t)BN_num_bytes(bn);
    if (n == 0)
        n = 1;
    if (b->kf->secret_len + n > b->cap ||
        BN_bn2binpad(bn, b->kf->secret + b->kf->secret_len, (int)n) < 0) {
        b->ok = false;
    } else {
        *v = b->kf->secret + b->kf->secret_len;
        *len = n;
        b->kf->secret_len += n;
    }
    BN_clear_free(bn);
}

static uint8_t *reserve(builder *b, size_t n)
{
    if (!b->ok || b->kf->secret_len + n > b->cap) {
        b->ok = false;
        return NULL;
    }
    uint8_t *p = b->kf->secret + b->kf->secret_len;
    b->kf->secret_len += n;
    return p;
}

static key_file_result take_rsa(const EVP_PKEY *pkey, key_file *kf, char *why, size_t cap)
{
    int bits = EVP_PKEY_get_bits(pkey);
    if (bits != 2048 && bits != 3072 && bits != 4096) {
        char b[16];
        snprintf(b, sizeof b, "%d", bits);
        return failed(why, cap, "an RSA key of %s bits: OpenPGP cards take 2048, 3072 or 4096",
                      b);
    }
    kf->key.attr = opgp_algo_attr_rsa((uint16_t)bits);
    snprintf(kf->description, sizeof kf->description, "RSA %d", bits);
    builder b = {kf, SECRET_CAP, true};
    opgp_private_key *k = &kf->key;
    put_bn(&b, pkey, OSSL_PKEY_PARAM_RSA_E, &k->e, &k->e_len);
    put_bn(&b, pkey, OSSL_PKEY_PARAM_RSA_N, &k->n, &k->n_len);
    put_bn(&b, pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, &k->p, &k->p_len);
    put_bn(&b, pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, &k->q, &k->q_len);
    put_bn(&b, pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &k->u, &k->u_len); /* 1/q mod p */
    put_bn(&b, pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, &k->dp, &k->dp_len);
    put_bn(&b, pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, &k->dq, &k->dq_len);
    return b.ok ? KEY_FILE_OK
                : failed(why, cap, "%s", "the RSA key lacks its CRT parts (p, q, dp, dq, u)");
}

static const struct {
    int nid;
    opgp_curve curve;
} curves[] = {
    {NID_X9_62_prime256v1, OPGP_CURVE_P256},   {NID_secp384r1, OPGP_CURVE_P384},
    {NID_secp521r1, OPGP_CURVE_P521},          {NID_brainpoolP256r1, OPGP_CURVE_BRAINPOOL_P256R1},
    {NID_brainpoolP384r1, OPGP_CURVE_BRAINPOOL_P384R1},
    {NID_brainpoolP512r1, OPGP_CURVE_BRAINPOOL_P512R1}, {NID_secp256k1, OPGP_CURVE_SECP256K1},
};

static key_file_result take_ec(const EVP_PKEY *pkey, opgp_key_slot slot, key_file *kf,
                               char *why, size_t cap)
{
    char group[64];
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                        NULL))
        return failed(why, cap, "%s", "an EC key without a named curve");
    int nid = OBJ_txt2nid(group);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(group);
    opgp_curve curve = OPGP_CURVE_UNKNOWN;
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++)
        if (curves[i].nid == nid)
            curve = curves[i].curve;
    if (curve == OPGP_CURVE_UNKNOWN)
        return failed(why, cap, "an EC key on %s, a curve OpenPGP cards do not know", group);
    opgp_algo_id algo = slot == OPGP_KEY_DEC ? OPGP_ALGO_ECDH : OPGP_ALGO_ECDSA;
    if (opgp_algo_attr_ecc(algo, curve, &kf->key.attr) != OPGP_OK)
        return failed(why, cap, "an EC key on %s, which this slot cannot hold", group);
    opgp_algo_attr_describe(&kf->key.attr, kf->description, sizeof kf->description);
    builder b = {kf, SECRET_CAP, true};
    opgp_private_key *k = &kf->key;
    put_bn(&b, pkey, OSSL_PKEY_PARAM_PRIV_KEY, &k->scalar, &k->scalar_len);
    /* The uncompressed point, whatever form the file stored. */
    uint8_t *pub = NULL;
    size_t pub_len = EVP_PKEY_get1_encoded_public_key((EVP_PKEY *)pkey, &pub);
    uint8_t *dst = pub_len ? reserve(&b, pub_len) : NULL;
    if (dst) {
        memcpy(dst, pub, pub_len);
        k->pub = dst;
        k->pub_len = pub_len;
    } else {
        b.ok = false;
    }
    OPENSSL_free(pub);
    return b.ok ? KEY_FILE_OK : failed(why, cap, "%s", "the EC key lacks its private or public part");
}

static key_file_result take_25519(const EVP_PKEY *pkey, bool ed, opgp_key_slot slot,
                                  key_file *kf, char *why, size_t cap)
{
    const char *refusal = key_file_25519_refusal(ed, slot);
    if (refusal)
        return failed(why, cap, "%s", refusal);
    if (opgp_algo_attr_ecc(ed ? OPGP_ALGO_EDDSA : OPGP_ALGO_ECDH,
                           ed ? OPGP_CURVE_ED25519 : OPGP_CURVE_X25519, &kf->key.attr) != OPGP_OK)
        return failed(why, cap, "%s", "this build cannot describe 25519 keys");
    opgp_algo_attr_describe(&kf->key.attr, kf->description, sizeof kf->description);
    builder b = {kf, SECRET_CAP, true};
    uint8_t *priv = reserve(&b, 32), *pub = reserve(&b, 32);
    size_t priv_len = 32, pub_len = 32;
    if (!priv || !pub || !EVP_PKEY_get_raw_private_key(pkey, priv, &priv_len) ||
        !EVP_PKEY_get_raw_public_key(pkey, pub, &pub_len) || priv_len != 32 || pub_len != 32)
        return failed(why, cap, "%s", "the 25519 key lacks its private or public part");
    /* OpenPGP carries the X25519 secret as an integer, big-endian: the reverse of the
     * native (RFC 7748, little-endian) bytes, as GnuPG sends it and cards expect. The Ed25519
     * seed is a byte string and goes as it is. */
    for (size_t i = 0; !ed && i < 16; i++) {
        uint8_t t = priv[i];
        priv[i] = priv[31 - i];
        priv[31 - i] = t;
    }
    kf->key.scalar = priv;
    kf->key.scalar_len = 32;
    kf->key.pub = pub;
    kf->key.pub_len = 32;
    return KEY_FILE_OK;
}

static key_file_result take_key(EVP_PKEY *pkey, opgp_key_slot slot, key_file *kf, char *why,
                                size_t cap)
{
    kf->secret = OPENSSL_zalloc(SECRET_CAP);
    if (!kf->secret)
        return failed(why, cap, "%s", "out of memory");
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
        return take_rsa(pkey, kf, why, cap);
    case EVP_PKEY_EC:
        return take_ec(pkey, slot, kf, why, cap);
    case EVP_PKEY_ED25519:
        return take_25519(pkey, true, slot, kf, why, cap);
    case EVP_PKEY_X25519:
        return take_25519(pkey, false, slot, kf, why, cap);
    default:
        return failed(why, cap, "a %s key, which OpenPGP cards do not hold",
                      OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
    }
}

/* The PEM callback: the passphrase, or none (then decryption fails and we ask for one). */
static int pem_pass(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *pass = u;
    if (!pass)
        return -1;
    size_t n = strlen(pass);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, pass, n);
    return (int)n;
}

static bool looks_encrypted_pem(const uint8_t *data)
{
    return strstr((const char *)data, "-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
           strstr((const char *)data, "Proc-Type: 4,ENCRYPTED");
}

static key_file_result load_pem(const uint8_t *data, size_t len, const char *pass,
                                EVP_PKEY **pkey)
{
    bool encrypted = looks_encrypted_pem(data);
    if (encrypted && !pass)
        return KEY_FILE_NEEDS_PASSPHRASE;
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, pem_pass, (void *)pass) : NULL;
    BIO_free(bio);
    if (*pkey)
        return KEY_FILE_OK;
    return encrypted ? KEY_FILE_BAD_PASSPHRASE : KEY_FILE_FAILED;
}

static key_file_result load_p12(const uint8_t *data, size_t len, const char *pass,
                                EVP_PKEY **pkey, X509 **cert)
{
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    if (!p12)
        return KEY_FILE_FAILED;
    key_file_result r;
    /* An unprotected file has an empty or absent password; try those before asking. */
    if (!pass && !PKCS12_verify_mac(p12, "", 0) && !PKCS12_verify_mac(p12, NULL, 0) &&
        PKCS12_mac_present(p12))
        r = KEY_FILE_NEEDS_PASSPHRASE;
    else if (PKCS12_parse(p12, pass ? pass : "", pkey, cert, NULL) && *pkey)
        r = KEY_FILE_OK;
    else
        r = pass ? KEY_FILE_BAD_PASSPHRASE : KEY_FILE_NEEDS_PASSPHRASE;
    PKCS12_free(p12);
    return r;
}

key_file_result key_file_load(const char *path, opgp_key_slot slot, const char *passphrase,
                              key_file *out, char *why, size_t why_cap)
{
    memset(out, 0, sizeof *out);
    why[0] = '\0';
    size_t len = 0;
    uint8_t *data = read_file(path, &len);
    if (!data)
        return failed(why, why_cap, "cannot read %s", path);
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    key_file_result r;
    bool pem = strstr((const char *)data, "-----BEGIN ") != NULL;
    if (pem)
        r = load_pem(data, len, passphrase, &pkey);
    else
        r = load_p12(data, len, passphrase, &pkey, &cert);
    OPENSSL_clear_free(data, FILE_MAX + 1);
    ERR_clear_error();
    if (r == KEY_FILE_FAILED)
        failed(why, why_cap, pem ? "%s holds no private key OpenSSL can read"
                                 : "%s is neither PEM nor PKCS#12", path);
    else if (r == KEY_FILE_BAD_PASSPHRASE)
        failed(why, why_cap, "wrong passphrase for %s", path);
    if (r == KEY_FILE_OK)
        r = take_key(pkey, slot, out, why, why_cap);
    if (r == KEY_FILE_OK && cert) {
        if (X509_check_private_key(cert, pkey) != 1) {
            r = failed(why, why_cap, "the certificate in %s is not for its private key", path);
        } else {
            int n = i2d_X509(cert, &out->cert);
            if (n <= 0)
                r = failed(why, why_cap, "cannot encode the certificate of %s", path);
            else
                out->cert_len = (size_t)n;
        }
    }
    EVP_PKEY_free(pkey);
    X509_free(cert);
    ERR_clear_error();
    if (r != KEY_FILE_OK)
        key_file_free(out);
    return r;
}

void key_file_free(key_file *kf)
{
    if (kf->secret)
        OPENSSL_clear_free(kf->secret, SECRET_CAP);
    OPENSSL_free(kf->cert);
    memset(kf, 0, sizeof *kf);
}
