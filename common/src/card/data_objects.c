/* GET DATA / PUT DATA of simple DOs, and the setters built on them. */
#include <string.h>

#include "card_internal.h"
#include "opgp/tlv.h"

/* le: OPGP_LE_MAX for DOs of any size; 256 (short Le 00) for DOs that are small by
 * definition, which every card answers without extended length (and 61xx if longer). */
static opgp_status get_data_le(opgp_card *card, uint16_t tag, uint8_t *buf, size_t *len,
                               size_t le, opgp_error *err)
{
    card_err_init(err);
    if (!card || !len || (*len && !buf))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_GET_DATA, .p1 = (uint8_t)(tag >> 8),
                     .p2 = (uint8_t)tag, .le = le};
    size_t cap = *len;
    opgp_status st = card_cmd(card, &cmd, buf, len, err, 0);
    if (st != OPGP_OK && cap)
        *len = 0;
    return st;
}

opgp_status opgp_card_get_data(opgp_card *card, uint16_t tag, uint8_t *buf, size_t *len,
                               opgp_error *err)
{
    return get_data_le(card, tag, buf, len, OPGP_LE_MAX, err);
}

opgp_status opgp_card_put_data(opgp_card *card, uint16_t tag, const uint8_t *data, size_t len,
                               opgp_error *err)
{
    card_err_init(err);
    if (!card || (len && !data))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_PUT_DATA, .p1 = (uint8_t)(tag >> 8),
                     .p2 = (uint8_t)tag, .data = len ? data : NULL, .data_len = len};
    /* D3 (Reset Code) and the private DOs can hold secrets: keep them out of traces. */
    cmd.sensitive = tag == 0xD3 || (tag >= 0x0101 && tag <= 0x0104);
    return card_cmd(card, &cmd, NULL, NULL, err, 0);
}

static opgp_status put_string(opgp_card *card, uint16_t tag, const char *s, size_t max,
                              opgp_error *err)
{
    card_err_init(err);
    if (!s)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    size_t n = strlen(s);
    if (n > max)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    return opgp_card_put_data(card, tag, (const uint8_t *)s, n, err);
}

/* Length limits of the spec (3.4.1 4.4.1): name 39, language 8, URL and login limited by
 * the card's special DO length. */
opgp_status opgp_card_set_name(opgp_card *card, const char *name, opgp_error *err)
{
    return put_string(card, 0x5B, name, 39, err);
}

opgp_status opgp_card_set_language(opgp_card *card, const char *lang, opgp_error *err)
{
    return put_string(card, 0x5F2D, lang, 8, err);
}

opgp_status opgp_card_set_sex(opgp_card *card, uint8_t iso5218, opgp_error *err)
{
    card_err_init(err);
    if (iso5218 != '0' && iso5218 != '1' && iso5218 != '2' && iso5218 != '9')
        return card_err_set(err, OPGP_E_INVALID_ARG);
    return opgp_card_put_data(card, 0x5F35, &iso5218, 1, err);
}

static size_t special_do_max(const opgp_card *card)
{
    uint16_t m = card ? card->appdata.ext_caps.max_special_do : 0;
    return m ? m : 255;
}

opgp_status opgp_card_set_url(opgp_card *card, const char *url, opgp_error *err)
{
    return put_string(card, 0x5F50, url, special_do_max(card), err);
}

opgp_status opgp_card_set_login(opgp_card *card, const char *login, opgp_error *err)
{
    return put_string(card, 0x5E, login, special_do_max(card), err);
}

opgp_status opgp_card_set_uif(opgp_card *card, opgp_key_slot slot, uint8_t mode,
                              opgp_error *err)
{
    card_err_init(err);
    if (!card || (unsigned)slot >= OPGP_KEY_SLOT_COUNT)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    /* Second byte: the general feature the UIF relies on, as the card reports it. */
    uint8_t v[2] = {mode, card->appdata.has_features ? card->appdata.features : 0x20};
    opgp_status st = opgp_card_put_data(card, opgp_key_slot_uif_tag(slot), v, 2, err);
    if (st == OPGP_OK) {
        card->appdata.has_uif[slot] = true;
        card->appdata.uif[slot] = mode;
    }
    return st;
}

opgp_status opgp_card_set_pw1_validity(opgp_card *card, bool multiple_signatures,
                                       opgp_error *err)
{
    uint8_t v = multiple_signatures ? 0x01 : 0x00;
    opgp_status st = opgp_card_put_data(card, 0xC4, &v, 1, err);
    if (st == OPGP_OK)
        card->appdata.pw.pw1_multi_sign = multiple_signatures;
    return st;
}

opgp_status opgp_card_set_ca_fingerprint(opgp_card *card, opgp_key_slot slot,
                                         const uint8_t fpr[20], opgp_error *err)
{
    card_err_init(err);
    if (!card || !fpr || (unsigned)slot >= OPGP_KEY_SLOT_COUNT)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    opgp_status st = opgp_card_put_data(card, opgp_key_slot_ca_fpr_tag(slot), fpr, 20, err);
    if (st == OPGP_OK)
        memcpy(card->appdata.ca_fpr[slot], fpr, 20);
    return st;
}

opgp_status opgp_card_get_private_do(opgp_card *card, int n, uint8_t *buf, size_t *len,
                                     opgp_error *err)
{
    card_err_init(err);
    if (n < 1 || n > 4)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    return opgp_card_get_data(card, (uint16_t)(0x0100 + n), buf, len, err);
}

opgp_status opgp_card_set_private_do(opgp_card *card, int n, const uint8_t *data, size_t len,
                                     opgp_error *err)
{
    card_err_init(err);
    if (n < 1 || n > 4 || len > special_do_max(card))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    return opgp_card_put_data(card, (uint16_t)(0x0100 + n), data, len, err);
}

opgp_status opgp_card_get_cardholder(opgp_card *card, opgp_cardholder *ch, opgp_error *err)
{
    card_err_init(err);
    if (!card || !ch)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    uint8_t buf[512];
    size_t len = sizeof buf;
    opgp_status st = get_data_le(card, 0x65, buf, &len, 256, err);
    if (st != OPGP_OK)
        return st;
    return card_err_set(err, opgp_cardholder_decode(buf, len, ch));
}

opgp_status opgp_card_get_signature_counter(opgp_card *card, uint32_t *count, opgp_error *err)
{
    card_err_init(err);
    if (!card || !count)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    uint8_t buf[256];
    size_t len = sizeof buf;
    opgp_status st = get_data_le(card, 0x7A, buf, &len, 256, err);
    if (st != OPGP_OK)
        return st;
    opgp_tlv t;
    st = opgp_tlv_find_deep(buf, len, 0x93, &t);
    if (st != OPGP_OK || t.len < 1 || t.len > 4)
        return card_err_set(err, st == OPGP_E_BAD_TLV ? st : OPGP_E_BAD_RESPONSE);
    uint32_t v = 0;
    for (size_t i = 0; i < t.len; i++)
        v = (v << 8) | t.value[i];
    *count = v;
    return card_err_set(err, OPGP_OK);
}

opgp_status opgp_card_get_algo_info(opgp_card *card, opgp_algo_info *info, opgp_error *err)
{
    card_err_init(err);
    if (!card || !info)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    uint8_t buf[2048];
    size_t len = sizeof buf;
    opgp_status st = opgp_card_get_data(card, 0xFA, buf, &len, err);
    if (st != OPGP_OK)
        return st;
    return card_err_set(err, opgp_algo_info_decode(buf, len, info));
}
