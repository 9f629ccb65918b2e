/* Private key import: PUT DATA (odd INS DB, 3FFF) with the extended header list 4D
 * { CRT, 7F48 (tags and lengths of the parts), 5F48 (the parts concatenated) } of spec 3.4.1
 * 4.4.3.12, then the fingerprint and generation time. Every buffer that held key material is
 * wiped before return. */
#include <stdlib.h>
#include <string.h>

#include "card_internal.h"
#include "opgp/crypto.h"
#include "opgp/tlv.h"

#define IMPORT_MAX 4096
#define MAX_PARTS 7

struct part {
    uint8_t tag;
    const uint8_t *v;
    size_t len;    /* bytes of v used (leading zeros stripped) */
    size_t width;  /* length sent: v left-padded with zeros to this */
};

static void strip(const uint8_t **v, size_t *len)
{
    while (*len > 1 && (*v)[0] == 0) {
        (*v)++;
        (*len)--;
    }
}

static opgp_status add_part(struct part *parts, size_t *n, uint8_t tag, const uint8_t *v,
                            size_t len, size_t width)
{
    if (!v || len == 0)
        return OPGP_E_INVALID_ARG;
    strip(&v, &len);
    if (width == 0)
        width = len;
    if (len > width || *n >= MAX_PARTS)
        return OPGP_E_INVALID_ARG;
    parts[*n].tag = tag;
    parts[*n].v = v;
    parts[*n].len = len;
    parts[*n].width = width;
    (*n)++;
    return OPGP_OK;
}

static opgp_status rsa_parts(const opgp_algo_attr *a, const opgp_private_key *k,
                             struct part *parts, size_t *n)
{
    size_t half = a->rsa_bits / 16u, full = a->rsa_bits / 8u;
    size_t ew = (a->rsa_e_bits + 7u) / 8u;
    opgp_status st;
    if ((st = add_part(parts, n, 0x91, k->e, k->e_len, ew)) != OPGP_OK ||
        (st = add_part(parts, n, 0x92, k->p, k->p_len, half)) != OPGP_OK ||
        (st = add_part(parts, n, 0x93, k->q, k->q_len, half)) != OPGP_OK)
        return st;
    bool crt = a->rsa_import_format == 0x02 || a->rsa_import_format == 0x03;
    bool with_n = a->rsa_import_format == 0x01 || a->rsa_import_format == 0x03;
    if (crt && ((st = add_part(parts, n, 0x94, k->u, k->u_len, half)) != OPGP_OK ||
                (st = add_part(parts, n, 0x95, k->dp, k->dp_len, half)) != OPGP_OK ||
                (st = add_part(parts, n, 0x96, k->dq, k->dq_len, half)) != OPGP_OK))
        return st;
    if (with_n && (st = add_part(parts, n, 0x97, k->n, k->n_len, full)) != OPGP_OK)
        return st;
    return OPGP_OK;
}

static opgp_status ecc_parts(const opgp_algo_attr *a, const opgp_private_key *k,
                             struct part *parts, size_t *n)
{
    size_t width = opgp_algo_attr_key_bytes(a);
    /* The 25519 scalars are byte strings, not integers: send them as they are. */
    if (a->curve == OPGP_CURVE_ED25519 || a->curve == OPGP_CURVE_X25519) {
        if (!k->scalar || k->scalar_len != 32)
            return OPGP_E_INVALID_ARG;
        parts[0] = (struct part){0x92, k->scalar, 32, 32};
        *n = 1;
    } else {
        opgp_status st = add_part(parts, n, 0x92, k->scalar, k->scalar_len, width);
        if (st != OPGP_OK)
            return st;
    }
    if (a->ecc_import_pubkey) {
        if (!k->pub || k->pub_len == 0)
            return OPGP_E_INVALID_ARG;
        parts[*n] = (struct part){0x99, k->pub, k->pub_len, k->pub_len};
        (*n)++;
    }
    return OPGP_OK;
}

static opgp_status build_4d(opgp_key_slot slot, const struct part *parts, size_t n,
                            opgp_buf *b)
{
    size_t hdr_len = 0, data_len = 0;
    for (size_t i = 0; i < n; i++) {
        hdr_len += opgp_tlv_header_size(parts[i].tag, parts[i].width);
        data_len += parts[i].width;
    }
    size_t crt_len = 2;
    size_t t7f48 = opgp_tlv_header_size(0x7F48, hdr_len) + hdr_len;
    size_t t5f48 = opgp_tlv_header_size(0x5F48, data_len) + data_len;
    opgp_tlv_put_header(b, 0x4D, crt_len + t7f48 + t5f48);
    opgp_buf_put_u8(b, opgp_key_slot_crt(slot));
    opgp_buf_put_u8(b, 0x00);
    opgp_tlv_put_header(b, 0x7F48, hdr_len);
    for (size_t i = 0; i < n; i++)
        opgp_tlv_put_header(b, parts[i].tag, parts[i].width);
    opgp_tlv_put_header(b, 0x5F48, data_len);
    for (size_t i = 0; i < n; i++) {
        for (size_t z = parts[i].len; z < parts[i].width; z++)
            opgp_buf_put_u8(b, 0x00);
        opgp_buf_put(b, parts[i].v, parts[i].len);
    }
    return opgp_buf_status(b);
}

/* The public half, for the fingerprint. */
static opgp_status public_of(const opgp_algo_attr *a, const opgp_private_key *k,
                             opgp_public_key *pk)
{
    memset(pk, 0, sizeof *pk);
    pk->attr = *a;
    if (a->algo == OPGP_ALGO_RSA) {
        const uint8_t *n = k->n, *e = k->e;
        size_t nl = k->n_len, el = k->e_len;
        if (!n || !e || !nl || !el)
            return OPGP_E_INVALID_ARG;
        strip(&n, &nl);
        strip(&e, &el);
        if (nl > sizeof pk->n || el > sizeof pk->e)
            return OPGP_E_INVALID_ARG;
        memcpy(pk->n, n, nl);
        pk->n_len = nl;
        memcpy(pk->e, e, el);
        pk->e_len = el;
        return OPGP_OK;
    }
    if (!k->pub || k->pub_len == 0 || k->pub_len > sizeof pk->point)
        return OPGP_E_INVALID_ARG;
    memcpy(pk->point, k->pub, k->pub_len);
    pk->point_len = k->pub_len;
    return OPGP_OK;
}

/* The attributes to import with: the card's when they describe the same key type (they carry
 * the import format the card wants), else the key's. */
static bool same_type(const opgp_algo_attr *card_attr, const opgp_algo_attr *key_attr)
{
    if (card_attr->algo != key_attr->algo)
        return false;
    if (key_attr->algo == OPGP_ALGO_RSA)
        return card_attr->rsa_bits == key_attr->rsa_bits;
    return card_attr->oid_len == key_attr->oid_len &&
           memcmp(card_attr->oid, key_attr->oid, key_attr->oid_len) == 0;
}

opgp_status opgp_card_import_key(opgp_card *card, opgp_key_slot slot, const opgp_private_key *key,
                                 uint32_t created, opgp_error *err)
{
    card_err_init(err);
    if (!card || !key || (unsigned)slot >= OPGP_KEY_SLOT_COUNT)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    if (key->attr.algo == OPGP_ALGO_RSA && (key->attr.rsa_bits == 0 ||
                                            key->attr.rsa_bits > OPGP_MAX_RSA_BYTES * 8))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    if (!(card->appdata.ext_caps.flags & OPGP_EXTCAP_KEY_IMPORT))
        return card_err_set(err, OPGP_E_NOT_SUPPORTED);

    opgp_public_key pk;
    opgp_status st = public_of(&key->attr, key, &pk);
    if (st != OPGP_OK)
        return card_err_set(err, st);

    bool taken;
    st = card_txn_begin(card, &taken);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    if (!same_type(&card->appdata.attr[slot], &key->attr))
        st = opgp_card_set_algo_attr(card, slot, &key->attr, err);
    const opgp_algo_attr a = card->appdata.attr[slot];
    pk.attr = a;

    uint8_t *buf = NULL;
    struct part parts[MAX_PARTS];
    size_t n = 0;
    if (st == OPGP_OK) {
        st = a.algo == OPGP_ALGO_RSA ? rsa_parts(&a, key, parts, &n) : ecc_parts(&a, key, parts, &n);
        card_err_set(err, st);
    }
    if (st == OPGP_OK && !(buf = malloc(IMPORT_MAX)))
        st = card_err_set(err, OPGP_E_NO_MEMORY);
    opgp_buf b;
    if (st == OPGP_OK) {
        opgp_buf_init(&b, buf, IMPORT_MAX);
        st = card_err_set(err, build_4d(slot, parts, n, &b));
    }
    if (st == OPGP_OK) {
        opgp_apdu cmd = {.cla = 0x00, .ins = INS_PUT_DATA_ODD, .p1 = 0x3F, .p2 = 0xFF,
                         .data = buf, .data_len = b.len, .sensitive = true};
        st = card_cmd(card, &cmd, NULL, NULL, err, 0);
        if (st == OPGP_E_SECURITY_STATUS && err)
            err->pin_ref = OPGP_PIN_PW3;
    }
    if (buf) {
        opgp_wipe(buf, IMPORT_MAX);
        free(buf);
    }
    uint8_t fpr[20];
    if (st == OPGP_OK)
        st = card_err_set(err, opgp_fingerprint_v4(&pk, created, fpr));
    if (st == OPGP_OK)
        st = opgp_card_set_key_metadata(card, slot, fpr, created, err);
    if (st == OPGP_OK)
        card->appdata.key_status[slot] = OPGP_KEYSTATUS_IMPORTED;
    card_txn_end(card, taken);
    return st;
}
