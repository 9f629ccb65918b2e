/* Keys: algorithms and their attributes, generation, import, public key templates, fingerprints. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include "sim_internal.h"

static const sim_alg ALGS[] = {
    {"rsa2048", SIM_KIND_RSA, 2048, NULL, {0}, 0, 0, 0},
    {"rsa3072", SIM_KIND_RSA, 3072, NULL, {0}, 0, 0, 0},
    {"rsa4096", SIM_KIND_RSA, 4096, NULL, {0}, 0, 0, 0},
    {"p256", SIM_KIND_EC, 256, "prime256v1", {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07}, 8, 8, 7},
    {"p384", SIM_KIND_EC, 384, "secp384r1", {0x2B, 0x81, 0x04, 0x00, 0x22}, 5, 9, 8},
    {"p521", SIM_KIND_EC, 521, "secp521r1", {0x2B, 0x81, 0x04, 0x00, 0x23}, 5, 10, 9},
    {"bp256", SIM_KIND_EC, 256, "brainpoolP256r1", {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07}, 9, 8, 7},
    {"bp384", SIM_KIND_EC, 384, "brainpoolP384r1", {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B}, 9, 9, 8},
    {"bp512", SIM_KIND_EC, 512, "brainpoolP512r1", {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D}, 9, 10, 9},
    {"secp256k1", SIM_KIND_EC, 256, "secp256k1", {0x2B, 0x81, 0x04, 0x00, 0x0A}, 5, 8, 7},
    {"ed25519", SIM_KIND_ED25519, 255, NULL, {0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01}, 9, 0, 0},
    {"x25519", SIM_KIND_X25519, 255, NULL, {0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01}, 10, 8, 7},
};
#define NUM_ALGS (sizeof ALGS / sizeof ALGS[0])

const sim_alg *sim_alg_by_name(const char *name)
{
    for (size_t i = 0; i < NUM_ALGS; i++)
        if (strcmp(ALGS[i].name, name) == 0)
            return &ALGS[i];
    return NULL;
}

/* Attributes: RSA 01 nbits(2) ebits(2)=0020 import-format 00; ECDSA 13 OID; ECDH 12 OID; EdDSA 16 OID. */
size_t sim_alg_attr(const sim_alg *alg, int slot, uint8_t *attr, size_t cap)
{
    if (!alg || cap < 11)
        return 0;
    if (alg->kind == SIM_KIND_RSA) {
        const uint8_t a[6] = {0x01, (uint8_t)(alg->bits >> 8), (uint8_t)alg->bits, 0x00, 0x20, 0x00};
        memcpy(attr, a, 6);
        return 6;
    }
    if (alg->kind == SIM_KIND_ED25519)
        attr[0] = 0x16;
    else if (alg->kind == SIM_KIND_X25519 || slot == OPGP_SIM_DEC)
        attr[0] = 0x12;
    else
        attr[0] = 0x13;
    memcpy(attr + 1, alg->oid, alg->oid_len);
    return 1u + alg->oid_len;
}

const sim_alg *sim_alg_from_attr(const uint8_t *attr, size_t len)
{
    if (!attr || len < 1)
        return NULL;
    if (attr[0] == 0x01) {
        if (len < 5)
            return NULL;
        unsigned bits = (unsigned)attr[1] << 8 | attr[2];
        for (size_t i = 0; i < NUM_ALGS; i++)
            if (ALGS[i].kind == SIM_KIND_RSA && ALGS[i].bits == bits)
                return &ALGS[i];
        return NULL;
    }
    if (attr[0] != 0x12 && attr[0] != 0x13 && attr[0] != 0x16)
        return NULL;
    size_t ol = len - 1;
    if (ol > 0 && (attr[len - 1] == 0x00 || attr[len - 1] == 0xFF)) /* public key import format */
        for (size_t i = 0; i < NUM_ALGS; i++)
            if (ALGS[i].oid_len == ol - 1 && memcmp(ALGS[i].oid, attr + 1, ol - 1) == 0)
                ol--;
    for (size_t i = 0; i < NUM_ALGS; i++) {
        if (ALGS[i].kind == SIM_KIND_RSA || ALGS[i].oid_len != ol ||
            memcmp(ALGS[i].oid, attr + 1, ol) != 0)
            continue;
        if (ALGS[i].kind == SIM_KIND_ED25519 && attr[0] != 0x16)
            return NULL;
        if (ALGS[i].kind == SIM_KIND_X25519 && attr[0] != 0x12)
            return NULL;
        return &ALGS[i];
    }
    return NULL;
}

EVP_PKEY *sim_keygen(const sim_alg *alg)
{
    switch (alg->kind) {
    case SIM_KIND_RSA: return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)alg->bits);
    case SIM_KIND_EC: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", alg->group);
    case SIM_KIND_ED25519: return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    case SIM_KIND_X25519: return EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    default: return NULL;
    }
}

int sim_key_kind(EVP_PKEY *k)
{
    if (!k)
        return SIM_KIND_NONE;
    switch (EVP_PKEY_get_base_id(k)) {
    case EVP_PKEY_RSA: return SIM_KIND_RSA;
    case EVP_PKEY_EC: return SIM_KIND_EC;
    case EVP_PKEY_ED25519: return SIM_KIND_ED25519;
    case EVP_PKEY_X25519: return SIM_KIND_X25519;
    default: return SIM_KIND_NONE;
    }
}

/* The public part as the card shows it: RSA n and e; EC the uncompressed point; 25519 the raw key. */
static bool public_parts(EVP_PKEY *k, uint8_t *n, size_t *nl, uint8_t *e, size_t *el)
{
    int kind = sim_key_kind(k);
    if (kind == SIM_KIND_RSA) {
        BIGNUM *bn = NULL, *be = NULL;
        bool ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &bn) == 1 &&
                  EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &be) == 1 &&
                  (size_t)BN_num_bytes(bn) <= *nl && (size_t)BN_num_bytes(be) <= *el;
        if (ok) {
            *nl = (size_t)BN_bn2bin(bn, n);
            *el = (size_t)BN_bn2bin(be, e);
        }
        BN_free(bn);
        BN_free(be);
        return ok;
    }
    *el = 0;
    if (kind == SIM_KIND_EC)
        return EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, n, *nl, nl) == 1;
    if (kind == SIM_KIND_ED25519 || kind == SIM_KIND_X25519)
        return EVP_PKEY_get_raw_public_key(k, n, nl) == 1;
    return false;
}

size_t sim_pubkey_template(EVP_PKEY *k, uint8_t *out, size_t cap)
{
    uint8_t n[600], e[16], inner[700];
    size_t nl = sizeof n, el = sizeof e, p = 0;
    if (!public_parts(k, n, &nl, e, &el))
        return SIZE_MAX;
    if (sim_key_kind(k) == SIM_KIND_RSA) {
        p = sim_put_tlv(inner, sizeof inner, p, 0x81, n, nl);
        p = sim_put_tlv(inner, sizeof inner, p, 0x82, e, el);
    } else {
        p = sim_put_tlv(inner, sizeof inner, p, 0x86, n, nl);
    }
    if (p == SIZE_MAX)
        return SIZE_MAX;
    return sim_put_tlv(out, cap, 0, 0x7F49, inner, p);
}

static size_t put_mpi(uint8_t *o, size_t pos, const uint8_t *v, size_t n)
{
    while (n > 0 && v[0] == 0)
        v++, n--;
    unsigned bits = 0;
    if (n) {
        bits = (unsigned)(n - 1) * 8;
        for (uint8_t b = v[0]; b; b >>= 1)
            bits++;
    }
    o[pos++] = (uint8_t)(bits >> 8);
    o[pos++] = (uint8_t)bits;
    memcpy(o + pos, v, n);
    return pos + n;
}

/* OpenPGP v4 fingerprint (RFC 4880 12.2; RFC 6637 for ECDH; EdDSA and cv25519 with the 0x40 prefix). */
bool sim_fingerprint(EVP_PKEY *k, const sim_alg *alg, int slot, const uint8_t time[4], uint8_t fpr[20])
{
    uint8_t n[600], e[16], body[1400];
    size_t nl = sizeof n - 1, el = sizeof e, p = 0;
    if (!alg || !public_parts(k, n + 1, &nl, e, &el))
        return false;
    body[p++] = 0x99;
    p += 2;
    body[p++] = 0x04;
    memcpy(body + p, time, 4);
    p += 4;
    bool ecdh = alg->kind == SIM_KIND_X25519 || (alg->kind == SIM_KIND_EC && slot == OPGP_SIM_DEC);
    if (alg->kind == SIM_KIND_RSA) {
        body[p++] = 1;
        p = put_mpi(body, p, n + 1, nl);
        p = put_mpi(body, p, e, el);
    } else {
        body[p++] = ecdh ? 18 : alg->kind == SIM_KIND_ED25519 ? 22 : 19;
        body[p++] = alg->oid_len;
        memcpy(body + p, alg->oid, alg->oid_len);
        p += alg->oid_len;
        if (alg->kind == SIM_KIND_EC) {
            p = put_mpi(body, p, n + 1, nl);
        } else {
            n[0] = 0x40;
            p = put_mpi(body, p, n, nl + 1);
        }
        if (ecdh) {
            body[p++] = 3;
            body[p++] = 1;
            body[p++] = alg->kdf_hash;
            body[p++] = alg->kdf_sym;
        }
    }
    body[1] = (uint8_t)((p - 3) >> 8);
    body[2] = (uint8_t)(p - 3);
    unsigned len = 0;
    return EVP_Digest(body, p, fpr, &len, EVP_sha1(), NULL) == 1 && len == 20;
}

void sim_install_key(opgp_sim *s, int slot, EVP_PKEY *k, uint8_t status, const uint8_t *created)
{
    sim_key *key = &s->keys[slot];
    EVP_PKEY_free(key->pkey);
    key->pkey = k;
    key->status = status;
    memset(key->fpr, 0, 20);
    memset(key->time, 0, 4);
    if (created) {
        memcpy(key->time, created, 4);
        sim_fingerprint(k, sim_alg_from_attr(key->attr, key->attr_len), slot, key->time, key->fpr);
    }
    if (slot == OPGP_SIM_SIG)
        memset(s->sig_count, 0, sizeof s->sig_count);
}

int sim_slot_from_crt(uint8_t tag)
{
    switch (tag) {
    case 0xB6: return OPGP_SIM_SIG;
    case 0xB8: return OPGP_SIM_DEC;
    case 0xA4: return OPGP_SIM_AUT;
    default: return -1;
    }
}

uint16_t sim_cmd_generate(opgp_sim *s, const sim_apdu *a)
{
    if ((a->p1 != 0x80 && a->p1 != 0x81) || a->p2 != 0x00)
        return SW_WRONG_P1P2;
    if (a->lc < 2)
        return SW_WRONG_LENGTH;
    int slot = sim_slot_from_crt(a->data[0]);
    if (slot < 0)
        return SW_WRONG_DATA;
    sim_key *k = &s->keys[slot];
    if (a->p1 == 0x80) {
        if (!s->pw3_ok)
            return SW_SECURITY;
        const sim_alg *alg = sim_alg_from_attr(k->attr, k->attr_len);
        EVP_PKEY *nk = alg ? sim_keygen(alg) : NULL;
        if (!nk)
            return SW_MEMORY;
        sim_install_key(s, slot, nk, 0x01, NULL);
        sim_changed(s);
    } else if (!k->pkey) {
        return SW_NOT_FOUND;
    }
    size_t n = sim_pubkey_template(k->pkey, s->rbuf, OPGP_MAX_RESPONSE - 2);
    if (n == SIZE_MAX)
        return SW_MEMORY;
    s->rlen = n;
    return SW_OK;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    EVP_PKEY *k = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return k;
}

/* RSA from e, p, q: the rest (n, d, CRT values) computed here. */
static EVP_PKEY *rsa_from_epq(const uint8_t *e, size_t el, const uint8_t *p, size_t pl,
                              const uint8_t *q, size_t ql)
{
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *E = BN_bin2bn(e, (int)el, NULL), *P = BN_bin2bn(p, (int)pl, NULL),
           *Q = BN_bin2bn(q, (int)ql, NULL), *N = BN_new(), *D = BN_new(), *P1 = BN_new(),
           *Q1 = BN_new(), *PHI = BN_new(), *DP = BN_new(), *DQ = BN_new(), *QI = BN_new();
    EVP_PKEY *k = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    if (bc && E && P && Q && N && D && P1 && Q1 && PHI && DP && DQ && QI && bld &&
        BN_mul(N, P, Q, bc) && BN_sub(P1, P, BN_value_one()) && BN_sub(Q1, Q, BN_value_one()) &&
        BN_mul(PHI, P1, Q1, bc) && BN_mod_inverse(D, E, PHI, bc) && BN_mod(DP, D, P1, bc) &&
        BN_mod(DQ, D, Q1, bc) && BN_mod_inverse(QI, Q, P, bc) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, N) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, E) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, D) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, P) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, Q) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, DP) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, DQ) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, QI))
        k = from_params("RSA", bld);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(D);
    BN_clear_free(P);
    BN_clear_free(Q);
    BN_clear_free(P1);
    BN_clear_free(Q1);
    BN_clear_free(PHI);
    BN_clear_free(DP);
    BN_clear_free(DQ);
    BN_clear_free(QI);
    BN_free(E);
    BN_free(N);
    BN_CTX_free(bc);
    return k;
}

/* EC from the private scalar; the public point is derived. */
static EVP_PKEY *ec_from_priv(const sim_alg *alg, const uint8_t *d, size_t dl)
{
    int nid = OBJ_sn2nid(alg->group);
    if (nid == NID_undef)
        nid = OBJ_txt2nid(alg->group);
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    BIGNUM *D = BN_bin2bn(d, (int)dl, NULL);
    EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    uint8_t pub[140];
    size_t pl = 0;
    EVP_PKEY *k = NULL;
    if (g && D && pt && bld && EC_POINT_mul(g, pt, D, NULL, NULL, NULL) == 1 &&
        (pl = EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub, NULL)) > 0 &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, alg->group, 0) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, D) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pl))
        k = from_params("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    EC_POINT_free(pt);
    EC_GROUP_free(g);
    BN_clear_free(D);
    return k;
}

/* Key import: PUT DATA odd INS (DB 3FFF) with the extended header list 4D { CRT, 7F48, 5F48 }. */
uint16_t sim_cmd_import(opgp_sim *s, const sim_apdu *a)
{
    if (a->p1 != 0x3F || a->p2 != 0xFF)
        return SW_WRONG_P1P2;
    if (!s->pw3_ok)
        return SW_SECURITY;
    size_t pos = 0, vl, hl = 0, dl = 0;
    unsigned tag;
    const uint8_t *v, *hdr = NULL, *data = NULL;
    if (!sim_get_tlv(a->data, a->lc, &pos, &tag, &v, &vl) || tag != 0x4D)
        return SW_WRONG_DATA;
    const uint8_t *l = v;
    size_t ll = vl;
    pos = 0;
    int slot = -1;
    while (pos < ll && sim_get_tlv(l, ll, &pos, &tag, &v, &vl)) {
        if (tag == 0xB6 || tag == 0xB8 || tag == 0xA4)
            slot = sim_slot_from_crt((uint8_t)tag);
        else if (tag == 0x7F48)
            hdr = v, hl = vl;
        else if (tag == 0x5F48)
            data = v, dl = vl;
    }
    if (slot < 0 || !hdr || !data)
        return SW_WRONG_DATA;
    /* 7F48 lists tags with lengths only: the values follow each other in 5F48 */
    const uint8_t *part[16] = {0};
    size_t plen[16] = {0}, off = 0;
    pos = 0;
    while (pos < hl) {
        unsigned t = hdr[pos++];
        if (pos >= hl)
            return SW_WRONG_DATA;
        size_t n = hdr[pos++];
        if (n == 0x81 || n == 0x82) {
            size_t nb = n - 0x80;
            if (pos + nb > hl)
                return SW_WRONG_DATA;
            n = 0;
            for (size_t i = 0; i < nb; i++)
                n = n << 8 | hdr[pos++];
        }
        if (n > dl - off)
            return SW_WRONG_DATA;
        if (t >= 0x91 && t <= 0x99) {
            part[t - 0x90] = data + off;
            plen[t - 0x90] = n;
        }
        off += n;
    }
    const sim_alg *alg = sim_alg_from_attr(s->keys[slot].attr, s->keys[slot].attr_len);
    EVP_PKEY *k = NULL;
    if (!alg)
        return SW_CONDITIONS;
    if (alg->kind == SIM_KIND_RSA && part[1] && part[2] && part[3])
        k = rsa_from_epq(part[1], plen[1], part[2], plen[2], part[3], plen[3]);
    else if (alg->kind == SIM_KIND_EC && part[2])
        k = ec_from_priv(alg, part[2], plen[2]);
    else if (alg->kind == SIM_KIND_ED25519 && part[2])
        k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, part[2], plen[2]);
    else if (alg->kind == SIM_KIND_X25519 && part[2] && plen[2] == 32) {
        /* OpenPGP carries the X25519 secret big-endian (an MPI); the native form is little-endian */
        uint8_t le[32];
        for (int i = 0; i < 32; i++)
            le[i] = part[2][31 - i];
        k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, le, 32);
        sim_wipe(le, sizeof le);
    }
    if (!k)
        return SW_WRONG_DATA;
    if (alg->kind == SIM_KIND_RSA && (unsigned)EVP_PKEY_get_bits(k) != alg->bits) {
        EVP_PKEY_free(k);
        return SW_WRONG_DATA;
    }
    sim_install_key(s, slot, k, 0x02, NULL);
    sim_changed(s);
    return SW_OK;
}

/* FA: every attribute the card accepts, per slot (C1 SIG, C2 DEC, C3 AUT). */
size_t sim_algorithm_info(uint8_t *out, size_t cap)
{
    size_t p = 0;
    for (int slot = 0; slot < 3; slot++) {
        for (size_t i = 0; i < NUM_ALGS; i++) {
            if ((ALGS[i].kind == SIM_KIND_X25519) != (slot == OPGP_SIM_DEC) &&
                (ALGS[i].kind == SIM_KIND_X25519 || ALGS[i].kind == SIM_KIND_ED25519))
                continue;
            uint8_t attr[16];
            size_t n = sim_alg_attr(&ALGS[i], slot, attr, sizeof attr);
            p = sim_put_tlv(out, cap, p, (uint16_t)(0xC1 + slot), attr, n);
        }
    }
    return p;
}
