/* key_der.h: DER walking with common/'s bounded TLV parser (DER is BER with single-byte tags
 * here: 02 INTEGER, 03 BIT STRING, 04 OCTET STRING, 06 OID, 30 SEQUENCE, A0/A1 context tags). */
#include <string.h>

#include "key_der.h"
#include "opgp/tlv.h"

static const uint8_t OID_RSA[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
static const uint8_t OID_EC[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
static const uint8_t OID_X25519[] = {0x2B, 0x65, 0x6E};
static const uint8_t OID_ED25519[] = {0x2B, 0x65, 0x70};

typedef struct reader {
    opgp_tlv_iter it;
} reader;

/* The next element, which must carry tag. */
static opgp_status next(reader *r, uint32_t tag, opgp_tlv *t)
{
    opgp_status st = opgp_tlv_next(&r->it, t);
    if (st != OPGP_OK)
        return OPGP_E_BAD_TLV;
    return t->tag == tag ? OPGP_OK : OPGP_E_BAD_TLV;
}

static void enter(reader *r, const opgp_tlv *t)
{
    opgp_tlv_iter_init(&r->it, t->value, t->len);
}

static opgp_status integer(reader *r, key_der_int *out)
{
    opgp_tlv t;
    opgp_status st = next(r, 0x02, &t);
    if (st != OPGP_OK || t.len == 0)
        return OPGP_E_BAD_TLV;
    out->v = t.value;
    out->len = t.len;
    if (out->len > 1 && out->v[0] == 0x00) { /* the sign byte of a positive integer */
        out->v++;
        out->len--;
    }
    return OPGP_OK;
}

static bool oid_is(const opgp_tlv *t, const uint8_t *oid, size_t len)
{
    return t->tag == 0x06 && t->len == len && memcmp(t->value, oid, len) == 0;
}

/* RSAPrivateKey: version, n, e, d, p, q, dp, dq, u. */
static opgp_status rsa_key(const uint8_t *der, size_t len, key_der *out)
{
    opgp_tlv seq;
    if (opgp_tlv_parse(der, len, &seq) != OPGP_OK || seq.tag != 0x30)
        return OPGP_E_BAD_TLV;
    reader r;
    enter(&r, &seq);
    key_der_int version, d;
    opgp_status st = integer(&r, &version);
    if (st == OPGP_OK && (version.len != 1 || version.v[0] != 0))
        return OPGP_E_NOT_SUPPORTED; /* multi-prime RSA */
    if (st == OPGP_OK) st = integer(&r, &out->n);
    if (st == OPGP_OK) st = integer(&r, &out->e);
    if (st == OPGP_OK) st = integer(&r, &d);
    if (st == OPGP_OK) st = integer(&r, &out->p);
    if (st == OPGP_OK) st = integer(&r, &out->q);
    if (st == OPGP_OK) st = integer(&r, &out->dp);
    if (st == OPGP_OK) st = integer(&r, &out->dq);
    if (st == OPGP_OK) st = integer(&r, &out->u);
    if (st != OPGP_OK)
        return st;
    out->kind = KEY_DER_RSA;
    return OPGP_OK;
}

/* A BIT STRING's bytes (no unused bits allowed: keys are whole bytes). */
static opgp_status bit_string(const opgp_tlv *t, const uint8_t **v, size_t *len)
{
    if (t->len < 2 || t->value[0] != 0)
        return OPGP_E_BAD_TLV;
    *v = t->value + 1;
    *len = t->len - 1;
    return OPGP_OK;
}

/* ECPrivateKey: version 1, OCTET STRING scalar, [0] curve OID, [1] BIT STRING public key.
 * The curve may come from the PKCS#8 AlgorithmIdentifier instead (then [0] may be absent). */
static opgp_status ec_key(const uint8_t *der, size_t len, key_der *out)
{
    opgp_tlv seq, t;
    if (opgp_tlv_parse(der, len, &seq) != OPGP_OK || seq.tag != 0x30)
        return OPGP_E_BAD_TLV;
    reader r;
    enter(&r, &seq);
    key_der_int version;
    opgp_status st = integer(&r, &version);
    if (st != OPGP_OK || version.len != 1 || version.v[0] != 1)
        return OPGP_E_BAD_TLV;
    if (next(&r, 0x04, &t) != OPGP_OK || t.len == 0)
        return OPGP_E_BAD_TLV;
    out->scalar = t.value;
    out->scalar_len = t.len;
    while ((st = opgp_tlv_next(&r.it, &t)) == OPGP_OK) {
        opgp_tlv inner;
        if ((t.tag != 0xA0 && t.tag != 0xA1) ||
            opgp_tlv_parse(t.value, t.len, &inner) != OPGP_OK)
            return OPGP_E_BAD_TLV;
        if (t.tag == 0xA0) {
            if (inner.tag != 0x06 || inner.len == 0)
                return OPGP_E_NOT_SUPPORTED; /* explicit curve parameters */
            out->curve_oid = inner.value;
            out->curve_oid_len = inner.len;
        } else if (inner.tag != 0x03 || bit_string(&inner, &out->pub, &out->pub_len) != OPGP_OK) {
            return OPGP_E_BAD_TLV;
        }
    }
    if (st != OPGP_E_NOT_FOUND)
        return OPGP_E_BAD_TLV;
    out->kind = KEY_DER_EC;
    return OPGP_OK;
}

/* PrivateKeyInfo / OneAsymmetricKey: version, AlgorithmIdentifier, OCTET STRING key,
 * [0] attributes, [1] public key (v2). */
static opgp_status pkcs8(const opgp_tlv *seq, key_der *out)
{
    reader r, alg_r;
    opgp_tlv alg, oid, params, key, t;
    enter(&r, seq);
    key_der_int version;
    opgp_status st = integer(&r, &version);
    if (st != OPGP_OK || version.len != 1 || version.v[0] > 1)
        return OPGP_E_BAD_TLV;
    if (next(&r, 0x30, &alg) != OPGP_OK)
        return OPGP_E_BAD_TLV;
    enter(&alg_r, &alg);
    if (next(&alg_r, 0x06, &oid) != OPGP_OK)
        return OPGP_E_BAD_TLV;
    bool has_params = opgp_tlv_next(&alg_r.it, &params) == OPGP_OK;
    if (next(&r, 0x04, &key) != OPGP_OK)
        return OPGP_E_BAD_TLV;
    const uint8_t *pub = NULL;
    size_t pub_len = 0;
    while ((st = opgp_tlv_next(&r.it, &t)) == OPGP_OK) {
        if (t.tag == 0x81 && bit_string(&t, &pub, &pub_len) != OPGP_OK) /* [1] IMPLICIT */
            return OPGP_E_BAD_TLV;
        if (t.tag != 0x81 && t.tag != 0xA0)
            return OPGP_E_BAD_TLV;
    }
    if (st != OPGP_E_NOT_FOUND)
        return OPGP_E_BAD_TLV;

    if (oid_is(&oid, OID_RSA, sizeof OID_RSA))
        return rsa_key(key.value, key.len, out);
    if (oid_is(&oid, OID_EC, sizeof OID_EC)) {
        if (!has_params || params.tag != 0x06 || params.len == 0)
            return OPGP_E_NOT_SUPPORTED; /* explicit curve parameters */
        st = ec_key(key.value, key.len, out);
        if (st != OPGP_OK)
            return st;
        if (out->curve_oid && (out->curve_oid_len != params.len ||
                               memcmp(out->curve_oid, params.value, params.len) != 0))
            return OPGP_E_BAD_TLV; /* two different curves named */
        out->curve_oid = params.value;
        out->curve_oid_len = params.len;
        return OPGP_OK;
    }
    bool ed = oid_is(&oid, OID_ED25519, sizeof OID_ED25519);
    if (ed || oid_is(&oid, OID_X25519, sizeof OID_X25519)) {
        /* The key is an OCTET STRING inside the OCTET STRING (RFC 8410). */
        opgp_tlv inner;
        if (opgp_tlv_parse(key.value, key.len, &inner) != OPGP_OK || inner.tag != 0x04 ||
            inner.len != 32 || inner.raw_len != key.len)
            return OPGP_E_BAD_TLV;
        if (pub && pub_len != 32)
            return OPGP_E_BAD_TLV;
        out->kind = ed ? KEY_DER_ED25519 : KEY_DER_X25519;
        out->scalar = inner.value;
        out->scalar_len = 32;
        out->pub = pub;
        out->pub_len = pub ? 32 : 0;
        return OPGP_OK;
    }
    return OPGP_E_NOT_SUPPORTED;
}

opgp_status key_der_parse(const uint8_t *der, size_t len, key_der *out)
{
    memset(out, 0, sizeof *out);
    opgp_tlv seq;
    if (!der || opgp_tlv_parse(der, len, &seq) != OPGP_OK || seq.tag != 0x30 ||
        seq.raw_len != len)
        return OPGP_E_BAD_TLV;
    /* Tell the three forms apart by their second element: PKCS#8 has an AlgorithmIdentifier
     * (SEQUENCE), SEC 1 an OCTET STRING, PKCS#1 an INTEGER (n). */
    reader r;
    enter(&r, &seq);
    opgp_tlv first, second;
    if (opgp_tlv_next(&r.it, &first) != OPGP_OK || first.tag != 0x02 ||
        opgp_tlv_next(&r.it, &second) != OPGP_OK)
        return OPGP_E_BAD_TLV;
    opgp_status st;
    if (second.tag == 0x30)
        st = pkcs8(&seq, out);
    else if (second.tag == 0x04)
        st = ec_key(der, len, out);
    else if (second.tag == 0x02)
        st = rsa_key(der, len, out);
    else
        st = OPGP_E_BAD_TLV;
    if (st != OPGP_OK)
        memset(out, 0, sizeof *out);
    return st;
}
