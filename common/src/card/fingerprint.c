/* OpenPGP v4 fingerprints (RFC 4880 12.2): SHA-1 over 0x99, the 2-byte length and the public
 * key packet body. Cards store the fingerprint but do not compute it, so every key generated
 * or imported here gets its fingerprint written from this. */
#include <string.h>

#include "opgp/card.h"
#include "opgp/crypto.h"
#include "opgp/tlv.h"

#define PGP_ALGO_RSA 1
#define PGP_ALGO_ECDH 18
#define PGP_ALGO_ECDSA 19
#define PGP_ALGO_EDDSA 22

/* A multiprecision integer: bit count, then the bytes without leading zeros. */
static void put_mpi(opgp_buf *b, const uint8_t *v, size_t len)
{
    while (len > 0 && v[0] == 0) {
        v++;
        len--;
    }
    size_t bits = 0;
    if (len) {
        uint8_t top = v[0];
        size_t tb = 0;
        while (top) {
            tb++;
            top >>= 1;
        }
        bits = (len - 1) * 8 + tb;
    }
    opgp_buf_put_u8(b, (uint8_t)(bits >> 8));
    opgp_buf_put_u8(b, (uint8_t)bits);
    opgp_buf_put(b, v, len);
}

static bool is_25519(const opgp_public_key *pk)
{
    return pk->attr.curve == OPGP_CURVE_ED25519 || pk->attr.curve == OPGP_CURVE_X25519;
}

/* Curve points as OpenPGP stores them: SEC1 04||X||Y, or 0x40||native for 25519 curves. */
static opgp_status put_point(opgp_buf *b, const opgp_public_key *pk)
{
    if (pk->point_len == 0)
        return OPGP_E_INVALID_ARG;
    if (is_25519(pk)) {
        uint8_t tmp[1 + 32];
        if (pk->point_len == 33 && pk->point[0] == 0x40) {
            put_mpi(b, pk->point, 33);
            return OPGP_OK;
        }
        if (pk->point_len != 32)
            return OPGP_E_INVALID_ARG;
        tmp[0] = 0x40;
        memcpy(tmp + 1, pk->point, 32);
        put_mpi(b, tmp, sizeof tmp);
        return OPGP_OK;
    }
    put_mpi(b, pk->point, pk->point_len);
    return OPGP_OK;
}

opgp_status opgp_fingerprint_v4(const opgp_public_key *pk, uint32_t created, uint8_t fpr[20])
{
    if (!pk || !fpr)
        return OPGP_E_INVALID_ARG;
    uint8_t body[16 + OPGP_MAX_RSA_BYTES + 16 + OPGP_MAX_OID + OPGP_MAX_EC_POINT + 16];
    opgp_buf b;
    opgp_buf_init(&b, body, sizeof body);
    opgp_buf_put_u8(&b, 4);
    opgp_buf_put_u8(&b, (uint8_t)(created >> 24));
    opgp_buf_put_u8(&b, (uint8_t)(created >> 16));
    opgp_buf_put_u8(&b, (uint8_t)(created >> 8));
    opgp_buf_put_u8(&b, (uint8_t)created);
    const opgp_algo_attr *a = &pk->attr;
    opgp_status st = OPGP_OK;
    switch (a->algo) {
    case OPGP_ALGO_RSA:
        if (pk->n_len == 0 || pk->e_len == 0)
            return OPGP_E_INVALID_ARG;
        opgp_buf_put_u8(&b, PGP_ALGO_RSA);
        put_mpi(&b, pk->n, pk->n_len);
        put_mpi(&b, pk->e, pk->e_len);
        break;
    case OPGP_ALGO_ECDSA:
    case OPGP_ALGO_EDDSA:
    case OPGP_ALGO_ECDH:
        if (a->oid_len == 0)
            return OPGP_E_INVALID_ARG;
        opgp_buf_put_u8(&b, a->algo == OPGP_ALGO_ECDSA  ? PGP_ALGO_ECDSA
                            : a->algo == OPGP_ALGO_EDDSA ? PGP_ALGO_EDDSA
                                                         : PGP_ALGO_ECDH);
        opgp_buf_put_u8(&b, (uint8_t)a->oid_len);
        opgp_buf_put(&b, a->oid, a->oid_len);
        if ((st = put_point(&b, pk)) != OPGP_OK)
            return st;
        if (a->algo == OPGP_ALGO_ECDH) {
            /* KDF parameters (RFC 6637 9): length 3, reserved 01, hash, cipher. */
            const opgp_curve_info *ci = opgp_curve_by_id(a->curve);
            if (!ci)
                return OPGP_E_NOT_SUPPORTED;
            opgp_buf_put_u8(&b, 3);
            opgp_buf_put_u8(&b, 1);
            opgp_buf_put_u8(&b, ci->kdf_hash);
            opgp_buf_put_u8(&b, ci->kdf_cipher);
        }
        break;
    default:
        return OPGP_E_NOT_SUPPORTED;
    }
    if (opgp_buf_status(&b) != OPGP_OK || b.len > 0xFFFF)
        return OPGP_E_INTERNAL;
    uint8_t head[3] = {0x99, (uint8_t)(b.len >> 8), (uint8_t)b.len};
    opgp_hash_ctx *ctx = opgp_hash_new(OPGP_HASH_SHA1);
    if (!ctx)
        return OPGP_E_CRYPTO;
    size_t out_len = 20;
    st = opgp_hash_update(ctx, head, sizeof head);
    if (st == OPGP_OK)
        st = opgp_hash_update(ctx, body, b.len);
    if (st == OPGP_OK)
        st = opgp_hash_final(ctx, fpr, &out_len);
    opgp_hash_free(ctx);
    if (st == OPGP_OK && out_len != 20)
        st = OPGP_E_CRYPTO;
    return st;
}
