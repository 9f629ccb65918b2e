/* Algorithm attributes (C1/C2/C3, FA entries) and the table of curves cards name by OID. */
#include <stdio.h>
#include <string.h>

#include "opgp/appdata.h"

/* OpenPGP algorithm numbers (RFC 4880 9.3/9.4) for the ECDH KDF parameters of fingerprints. */
#define PGP_SHA256 8
#define PGP_SHA384 9
#define PGP_SHA512 10
#define PGP_AES128 7
#define PGP_AES256 9

static const uint8_t oid_p256[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
static const uint8_t oid_p384[] = {0x2B, 0x81, 0x04, 0x00, 0x22};
static const uint8_t oid_p521[] = {0x2B, 0x81, 0x04, 0x00, 0x23};
static const uint8_t oid_bp256[] = {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07};
static const uint8_t oid_bp384[] = {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B};
static const uint8_t oid_bp512[] = {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D};
static const uint8_t oid_k256[] = {0x2B, 0x81, 0x04, 0x00, 0x0A};
static const uint8_t oid_ed25519[] = {0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01};
static const uint8_t oid_x25519[] = {0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01};

#define CURVE(id, nm, o, b, h, c) {id, nm, o, sizeof o, b, h, c}
static const opgp_curve_info curves[] = {
    CURVE(OPGP_CURVE_P256, "NIST P-256", oid_p256, 256, PGP_SHA256, PGP_AES128),
    CURVE(OPGP_CURVE_P384, "NIST P-384", oid_p384, 384, PGP_SHA384, PGP_AES256),
    CURVE(OPGP_CURVE_P521, "NIST P-521", oid_p521, 521, PGP_SHA512, PGP_AES256),
    CURVE(OPGP_CURVE_BRAINPOOL_P256R1, "brainpoolP256r1", oid_bp256, 256, PGP_SHA256, PGP_AES128),
    CURVE(OPGP_CURVE_BRAINPOOL_P384R1, "brainpoolP384r1", oid_bp384, 384, PGP_SHA384, PGP_AES256),
    CURVE(OPGP_CURVE_BRAINPOOL_P512R1, "brainpoolP512r1", oid_bp512, 512, PGP_SHA512, PGP_AES256),
    CURVE(OPGP_CURVE_SECP256K1, "secp256k1", oid_k256, 256, PGP_SHA256, PGP_AES128),
    CURVE(OPGP_CURVE_ED25519, "Ed25519", oid_ed25519, 255, PGP_SHA256, PGP_AES128),
    CURVE(OPGP_CURVE_X25519, "X25519", oid_x25519, 255, PGP_SHA256, PGP_AES128),
};
#define NCURVES (sizeof curves / sizeof curves[0])

const opgp_curve_info *opgp_curve_by_id(opgp_curve c)
{
    for (size_t i = 0; i < NCURVES; i++)
        if (curves[i].curve == c)
            return &curves[i];
    return NULL;
}

const opgp_curve_info *opgp_curve_by_oid(const uint8_t *oid, size_t oid_len)
{
    if (!oid)
        return NULL;
    for (size_t i = 0; i < NCURVES; i++)
        if (curves[i].oid_len == oid_len && memcmp(curves[i].oid, oid, oid_len) == 0)
            return &curves[i];
    return NULL;
}

static bool is_ecc(opgp_algo_id a)
{
    return a == OPGP_ALGO_ECDH || a == OPGP_ALGO_ECDSA || a == OPGP_ALGO_EDDSA;
}

opgp_status opgp_algo_attr_decode(const uint8_t *v, size_t len, opgp_algo_attr *out)
{
    if (!out || (len && !v))
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (len < 1)
        return OPGP_E_BAD_RESPONSE;
    if (v[0] == OPGP_ALGO_RSA) {
        /* 1.x/2.0 cards stop after the exponent length: import format 00 then. */
        if (len < 5 || len > 6)
            return OPGP_E_BAD_RESPONSE;
        out->algo = OPGP_ALGO_RSA;
        out->rsa_bits = (uint16_t)((v[1] << 8) | v[2]);
        out->rsa_e_bits = (uint16_t)((v[3] << 8) | v[4]);
        out->rsa_import_format = len == 6 ? v[5] : 0;
        if (out->rsa_bits == 0 || out->rsa_bits > 16384)
            return OPGP_E_BAD_RESPONSE;
        return OPGP_OK;
    }
    if (!is_ecc((opgp_algo_id)v[0]))
        return OPGP_E_NOT_SUPPORTED;
    size_t oid_len = len - 1;
    if (oid_len && v[len - 1] == 0xFF) {
        out->ecc_import_pubkey = true;
        oid_len--;
    }
    if (oid_len == 0 || oid_len > OPGP_MAX_OID)
        return OPGP_E_BAD_RESPONSE;
    out->algo = (opgp_algo_id)v[0];
    memcpy(out->oid, v + 1, oid_len);
    out->oid_len = oid_len;
    const opgp_curve_info *ci = opgp_curve_by_oid(out->oid, oid_len);
    out->curve = ci ? ci->curve : OPGP_CURVE_UNKNOWN;
    return OPGP_OK;
}

opgp_status opgp_algo_attr_encode(const opgp_algo_attr *a, uint8_t *out, size_t *out_len)
{
    if (!a || !out || !out_len)
        return OPGP_E_INVALID_ARG;
    size_t need;
    if (a->algo == OPGP_ALGO_RSA)
        need = 6;
    else if (is_ecc(a->algo) && a->oid_len > 0 && a->oid_len <= OPGP_MAX_OID)
        need = 1 + a->oid_len + (a->ecc_import_pubkey ? 1 : 0);
    else
        return OPGP_E_INVALID_ARG;
    if (*out_len < need)
        return OPGP_E_BUFFER_TOO_SMALL;
    out[0] = (uint8_t)a->algo;
    if (a->algo == OPGP_ALGO_RSA) {
        out[1] = (uint8_t)(a->rsa_bits >> 8);
        out[2] = (uint8_t)a->rsa_bits;
        out[3] = (uint8_t)(a->rsa_e_bits >> 8);
        out[4] = (uint8_t)a->rsa_e_bits;
        out[5] = a->rsa_import_format;
    } else {
        memcpy(out + 1, a->oid, a->oid_len);
        if (a->ecc_import_pubkey)
            out[1 + a->oid_len] = 0xFF;
    }
    *out_len = need;
    return OPGP_OK;
}

opgp_algo_attr opgp_algo_attr_rsa(uint16_t bits)
{
    opgp_algo_attr a;
    memset(&a, 0, sizeof a);
    a.algo = OPGP_ALGO_RSA;
    a.rsa_bits = bits;
    a.rsa_e_bits = 32;
    a.rsa_import_format = 0;
    return a;
}

opgp_status opgp_algo_attr_ecc(opgp_algo_id algo, opgp_curve curve, opgp_algo_attr *out)
{
    const opgp_curve_info *ci = opgp_curve_by_id(curve);
    if (!out || !ci || !is_ecc(algo))
        return OPGP_E_INVALID_ARG;
    /* Ed25519 signs only with EdDSA; X25519 is for ECDH only; the others are Weierstrass
     * curves used with ECDSA or ECDH. */
    if ((curve == OPGP_CURVE_ED25519) != (algo == OPGP_ALGO_EDDSA))
        return OPGP_E_INVALID_ARG;
    if (curve == OPGP_CURVE_X25519 && algo != OPGP_ALGO_ECDH)
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    out->algo = algo;
    out->curve = curve;
    memcpy(out->oid, ci->oid, ci->oid_len);
    out->oid_len = ci->oid_len;
    return OPGP_OK;
}

bool opgp_algo_attr_equal(const opgp_algo_attr *a, const opgp_algo_attr *b)
{
    if (!a || !b || a->algo != b->algo)
        return false;
    if (a->algo == OPGP_ALGO_RSA)
        return a->rsa_bits == b->rsa_bits && a->rsa_e_bits == b->rsa_e_bits &&
               a->rsa_import_format == b->rsa_import_format;
    return a->oid_len == b->oid_len && memcmp(a->oid, b->oid, a->oid_len) == 0 &&
           a->ecc_import_pubkey == b->ecc_import_pubkey;
}

static const char *algo_name(opgp_algo_id a)
{
    switch (a) {
    case OPGP_ALGO_RSA: return "RSA";
    case OPGP_ALGO_ECDH: return "ECDH";
    case OPGP_ALGO_ECDSA: return "ECDSA";
    case OPGP_ALGO_EDDSA: return "EdDSA";
    default: return "unknown algorithm";
    }
}

char *opgp_algo_attr_describe(const opgp_algo_attr *a, char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return buf;
    buf[0] = '\0';
    if (!a)
        return buf;
    if (a->algo == OPGP_ALGO_RSA) {
        snprintf(buf, cap, "RSA %u", (unsigned)a->rsa_bits);
        return buf;
    }
    const opgp_curve_info *ci = opgp_curve_by_id(a->curve);
    if (ci) {
        snprintf(buf, cap, "%s %s", algo_name(a->algo), ci->name);
        return buf;
    }
    int n = snprintf(buf, cap, "%s OID ", algo_name(a->algo));
    for (size_t i = 0; i < a->oid_len && n > 0 && (size_t)n + 3 <= cap; i++)
        n += snprintf(buf + n, cap - (size_t)n, "%02X", a->oid[i]);
    return buf;
}

size_t opgp_algo_attr_key_bytes(const opgp_algo_attr *a)
{
    if (!a)
        return 0;
    if (a->algo == OPGP_ALGO_RSA)
        return (a->rsa_bits + 7u) / 8u;
    const opgp_curve_info *ci = opgp_curve_by_id(a->curve);
    return ci ? (ci->bits + 7u) / 8u : 0;
}
