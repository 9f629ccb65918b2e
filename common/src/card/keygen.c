/* GENERATE ASYMMETRIC KEY PAIR (generate and read), algorithm attributes, and the
 * fingerprint / generation time the host writes after a key is made. */
#include <string.h>

#include "card_internal.h"
#include "opgp/tlv.h"

static bool valid_slot(opgp_key_slot s)
{
    return (unsigned)s < OPGP_KEY_SLOT_COUNT;
}

static opgp_status copy_int(const opgp_tlv *t, uint8_t *dst, size_t cap, size_t *len)
{
    const uint8_t *v = t->value;
    size_t n = t->len;
    while (n > 1 && v[0] == 0) { /* leading zeros carry nothing */
        v++;
        n--;
    }
    if (n == 0 || n > cap)
        return OPGP_E_BAD_RESPONSE;
    memcpy(dst, v, n);
    *len = n;
    return OPGP_OK;
}

opgp_status opgp_public_key_decode(const uint8_t *buf, size_t len, const opgp_algo_attr *attr,
                                   opgp_public_key *out)
{
    if (!buf || !attr || !out)
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    out->attr = *attr;
    opgp_tlv top, t;
    opgp_status st = opgp_tlv_parse(buf, len, &top);
    if (st != OPGP_OK)
        return st;
    if (top.tag != 0x7F49)
        return OPGP_E_BAD_RESPONSE;
    if (attr->algo == OPGP_ALGO_RSA) {
        if ((st = opgp_tlv_find(top.value, top.len, 0x81, &t)) != OPGP_OK ||
            (st = copy_int(&t, out->n, sizeof out->n, &out->n_len)) != OPGP_OK)
            return st == OPGP_E_NOT_FOUND ? OPGP_E_BAD_RESPONSE : st;
        if ((st = opgp_tlv_find(top.value, top.len, 0x82, &t)) != OPGP_OK ||
            (st = copy_int(&t, out->e, sizeof out->e, &out->e_len)) != OPGP_OK)
            return st == OPGP_E_NOT_FOUND ? OPGP_E_BAD_RESPONSE : st;
        return OPGP_OK;
    }
    if (attr->algo == OPGP_ALGO_ECDH || attr->algo == OPGP_ALGO_ECDSA ||
        attr->algo == OPGP_ALGO_EDDSA) {
        st = opgp_tlv_find(top.value, top.len, 0x86, &t);
        if (st != OPGP_OK)
            return st == OPGP_E_NOT_FOUND ? OPGP_E_BAD_RESPONSE : st;
        if (t.len == 0 || t.len > sizeof out->point)
            return OPGP_E_BAD_RESPONSE;
        memcpy(out->point, t.value, t.len);
        out->point_len = t.len;
        return OPGP_OK;
    }
    return OPGP_E_NOT_SUPPORTED;
}

static opgp_status gen_cmd(opgp_card *card, opgp_key_slot slot, uint8_t p1, opgp_public_key *pk,
                           opgp_error *err)
{
    uint8_t crt[2] = {opgp_key_slot_crt(slot), 0x00};
    uint8_t buf[OPGP_MAX_RSA_BYTES + 64];
    size_t len = sizeof buf;
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_GENERATE, .p1 = p1, .p2 = 0x00, .data = crt,
                     .data_len = sizeof crt, .le = OPGP_LE_MAX};
    opgp_status st = card_cmd(card, &cmd, buf, &len, err, p1 == 0x80 ? OPGP_PIN_PW3 : 0);
    if (st != OPGP_OK)
        return st;
    return card_err_set(err, opgp_public_key_decode(buf, len, &card->appdata.attr[slot], pk));
}

opgp_status opgp_card_read_public_key(opgp_card *card, opgp_key_slot slot, opgp_public_key *pk,
                                      opgp_error *err)
{
    card_err_init(err);
    if (!card || !pk || !valid_slot(slot))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    return gen_cmd(card, slot, 0x81, pk, err);
}

opgp_status opgp_card_set_algo_attr(opgp_card *card, opgp_key_slot slot,
                                    const opgp_algo_attr *attr, opgp_error *err)
{
    card_err_init(err);
    if (!card || !attr || !valid_slot(slot))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    uint8_t v[2 + OPGP_MAX_OID];
    size_t len = sizeof v;
    opgp_status st = opgp_algo_attr_encode(attr, v, &len);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    st = opgp_card_put_data(card, opgp_key_slot_attr_tag(slot), v, len, err);
    if (st == OPGP_OK) {
        opgp_algo_attr dec;
        /* Keep the decoded copy as the card will report it. */
        if (opgp_algo_attr_decode(v, len, &dec) == OPGP_OK)
            card->appdata.attr[slot] = dec;
        memset(card->appdata.fpr[slot], 0, 20);
        card->appdata.gen_time[slot] = 0;
        card->appdata.key_status[slot] = OPGP_KEYSTATUS_NONE;
    } else if (err) {
        err->pin_ref = st == OPGP_E_SECURITY_STATUS ? OPGP_PIN_PW3 : err->pin_ref;
    }
    return st;
}

opgp_status opgp_card_set_key_metadata(opgp_card *card, opgp_key_slot slot,
                                       const uint8_t fpr[20], uint32_t created, opgp_error *err)
{
    card_err_init(err);
    if (!card || !fpr || !valid_slot(slot))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    uint8_t t[4] = {(uint8_t)(created >> 24), (uint8_t)(created >> 16), (uint8_t)(created >> 8),
                    (uint8_t)created};
    opgp_status st = opgp_card_put_data(card, opgp_key_slot_fpr_tag(slot), fpr, 20, err);
    if (st == OPGP_OK)
        st = opgp_card_put_data(card, opgp_key_slot_time_tag(slot), t, sizeof t, err);
    if (st == OPGP_OK) {
        memcpy(card->appdata.fpr[slot], fpr, 20);
        card->appdata.gen_time[slot] = created;
    }
    return st;
}

opgp_status opgp_card_generate_key(opgp_card *card, opgp_key_slot slot, uint32_t created,
                                   opgp_public_key *pk, opgp_error *err)
{
    card_err_init(err);
    if (!card || !valid_slot(slot))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    opgp_public_key local;
    if (!pk)
        pk = &local;
    bool taken;
    opgp_status st = card_txn_begin(card, &taken);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    st = gen_cmd(card, slot, 0x80, pk, err);
    uint8_t fpr[20];
    if (st == OPGP_OK)
        st = card_err_set(err, opgp_fingerprint_v4(pk, created, fpr));
    if (st == OPGP_OK)
        st = opgp_card_set_key_metadata(card, slot, fpr, created, err);
    if (st == OPGP_OK)
        card->appdata.key_status[slot] = OPGP_KEYSTATUS_GENERATED;
    card_txn_end(card, taken);
    return st;
}
