/* Private key operations: PSO:CDS, PSO:DECIPHER, INTERNAL AUTHENTICATE, GET CHALLENGE. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "sim_internal.h"

/* Raw signature as the card returns it: RSA PKCS#1 v1.5 type 1 over the given DigestInfo, ECDSA r||s
 * over the given hash (each half the width of the group order), EdDSA over the given message. */
static uint16_t sign_raw(EVP_PKEY *k, const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen)
{
    int kind = sim_key_kind(k);
    if (kind == SIM_KIND_ED25519) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        bool ok = md && EVP_DigestSignInit_ex(md, NULL, NULL, NULL, NULL, k, NULL) == 1 &&
                  EVP_DigestSign(md, out, outlen, in, inlen) == 1;
        EVP_MD_CTX_free(md);
        return ok ? SW_OK : SW_WRONG_DATA;
    }
    if (kind != SIM_KIND_RSA && kind != SIM_KIND_EC)
        return SW_CONDITIONS;
    if (kind == SIM_KIND_RSA && inlen > (size_t)EVP_PKEY_get_size(k) * 4 / 10)
        return SW_WRONG_LENGTH;
    if (kind == SIM_KIND_EC && (inlen == 0 || inlen > 64))
        return SW_WRONG_LENGTH;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    uint8_t der[200];
    size_t derlen = sizeof der;
    uint8_t *dst = kind == SIM_KIND_RSA ? out : der;
    size_t *dlen = kind == SIM_KIND_RSA ? outlen : &derlen;
    bool ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
              (kind != SIM_KIND_RSA || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1) &&
              EVP_PKEY_sign(ctx, dst, dlen, in, inlen) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        return SW_WRONG_DATA;
    if (kind == SIM_KIND_RSA)
        return SW_OK;
    /* DER ECDSA-Sig-Value to fixed-width r||s */
    const uint8_t *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    int bits = EVP_PKEY_get_bits(k);
    size_t w = ((size_t)bits + 7) / 8;
    ok = sig && 2 * w <= *outlen &&
         BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, (int)w) == (int)w &&
         BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + w, (int)w) == (int)w;
    ECDSA_SIG_free(sig);
    if (!ok)
        return SW_WRONG_DATA;
    *outlen = 2 * w;
    return SW_OK;
}

static uint16_t cds(opgp_sim *s, const sim_apdu *a)
{
    sim_key *k = &s->keys[OPGP_SIM_SIG];
    if (!s->pw1_sig)
        return SW_SECURITY;
    if (!k->pkey)
        return SW_NOT_FOUND;
    size_t n = OPGP_MAX_RESPONSE - 2;
    uint16_t sw = sign_raw(k->pkey, a->data, a->lc, s->rbuf, &n);
    if (sw != SW_OK)
        return sw;
    s->rlen = n;
    if (!s->pw1_multi)
        s->pw1_sig = false;
    for (int i = 2; i >= 0; i--)
        if (++s->sig_count[i] != 0)
            break;
    s->stats.signatures++;
    sim_changed(s);
    return SW_OK;
}

static uint16_t rsa_decrypt(EVP_PKEY *k, const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen)
{
    if (inlen < 2 || in[0] != 0x00)
        return SW_WRONG_DATA;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    bool ok = ctx && EVP_PKEY_decrypt_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
              EVP_PKEY_decrypt(ctx, out, outlen, in + 1, inlen - 1) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? SW_OK : SW_WRONG_DATA;
}

/* The peer's public key for ECDH, in our key's group. */
static EVP_PKEY *peer_key(EVP_PKEY *k, const uint8_t *pt, size_t n)
{
    if (sim_key_kind(k) == SIM_KIND_X25519) {
        if (n == 33 && pt[0] == 0x40)
            pt++, n--;
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pt, n);
    }
    char group[64];
    size_t gl = 0;
    if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &gl) != 1)
        return NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *peer = NULL;
    if (bld && ctx && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, n) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
        EVP_PKEY_fromdata(ctx, &peer, EVP_PKEY_PUBLIC_KEY, params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return peer;
}

/* ECDH: A6 { 7F49 { 86 point } } in, the shared secret (x coordinate / X25519 output) out. */
static uint16_t ecdh(EVP_PKEY *k, const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen)
{
    size_t pos = 0, vl;
    unsigned tag;
    const uint8_t *v;
    if (!sim_get_tlv(in, inlen, &pos, &tag, &v, &vl) || tag != 0xA6)
        return SW_WRONG_DATA;
    const uint8_t *b = v;
    size_t bl = vl;
    pos = 0;
    if (!sim_get_tlv(b, bl, &pos, &tag, &v, &vl) || tag != 0x7F49)
        return SW_WRONG_DATA;
    b = v;
    bl = vl;
    pos = 0;
    if (!sim_get_tlv(b, bl, &pos, &tag, &v, &vl) || tag != 0x86)
        return SW_WRONG_DATA;
    EVP_PKEY *peer = peer_key(k, v, vl);
    if (!peer)
        return SW_WRONG_DATA;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    bool ok = ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
              EVP_PKEY_derive(ctx, out, outlen) == 1;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    return ok ? SW_OK : SW_WRONG_DATA;
}

static uint16_t decipher(opgp_sim *s, const sim_apdu *a)
{
    sim_key *k = &s->keys[OPGP_SIM_DEC];
    if (!s->pw1_other)
        return SW_SECURITY;
    if (!k->pkey)
        return SW_NOT_FOUND;
    size_t n = OPGP_MAX_RESPONSE - 2;
    uint16_t sw;
    switch (sim_key_kind(k->pkey)) {
    case SIM_KIND_RSA: sw = rsa_decrypt(k->pkey, a->data, a->lc, s->rbuf, &n); break;
    case SIM_KIND_EC:
    case SIM_KIND_X25519: sw = ecdh(k->pkey, a->data, a->lc, s->rbuf, &n); break;
    default: sw = SW_CONDITIONS; break;
    }
    if (sw != SW_OK)
        return sw;
    s->rlen = n;
    s->stats.decipherments++;
    return SW_OK;
}

uint16_t sim_cmd_pso(opgp_sim *s, const sim_apdu *a)
{
    if (a->p1 == 0x9E && a->p2 == 0x9A)
        return cds(s, a);
    if (a->p1 == 0x80 && a->p2 == 0x86)
        return decipher(s, a);
    return SW_WRONG_P1P2;
}

uint16_t sim_cmd_internal_auth(opgp_sim *s, const sim_apdu *a)
{
    sim_key *k = &s->keys[OPGP_SIM_AUT];
    if (a->p1 != 0x00 || a->p2 != 0x00)
        return SW_WRONG_P1P2;
    if (!s->pw1_other)
        return SW_SECURITY;
    if (!k->pkey)
        return SW_NOT_FOUND;
    size_t n = OPGP_MAX_RESPONSE - 2;
    uint16_t sw = sign_raw(k->pkey, a->data, a->lc, s->rbuf, &n);
    if (sw != SW_OK)
        return sw;
    s->rlen = n;
    s->stats.authentications++;
    return SW_OK;
}

uint16_t sim_cmd_get_challenge(opgp_sim *s, const sim_apdu *a)
{
    if (a->p1 || a->p2)
        return SW_WRONG_P1P2;
    size_t n = a->has_le ? a->le : 0;
    if (n == 0 || n > SIM_MAX_CHALLENGE)
        return SW_WRONG_LENGTH;
    if (RAND_bytes(s->rbuf, (int)n) != 1)
        return SW_MEMORY;
    s->rlen = n;
    return SW_OK;
}
