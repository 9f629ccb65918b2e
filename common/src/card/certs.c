/* Certificates 7F21, one per key slot on 3.x cards, reached through SELECT DATA. The selection
 * is not trusted to last (the recorded CanoKey forgets it after one command), so it is made
 * again right before every read or write, inside one transaction. */
#include <string.h>

#include "card_internal.h"

static opgp_status select_cert(opgp_card *card, opgp_key_slot slot, opgp_error *err)
{
    /* 60 { 5C 02 7F21 }; YubiKey 5.2.0-5.4.3 want the data preceded by its own length. */
    static const uint8_t std_form[] = {0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21};
    static const uint8_t yk_form[] = {0x06, 0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21};
    bool quirk = card->select_data_quirk;
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_SELECT_DATA,
                     .p1 = opgp_key_slot_cert_occurrence(slot), .p2 = 0x04,
                     .data = quirk ? yk_form : std_form,
                     .data_len = quirk ? sizeof yk_form : sizeof std_form};
    return card_cmd(card, &cmd, NULL, NULL, err, 0);
}

/* Cards before 3.0 hold one certificate, the AUT key's, and know no SELECT DATA. */
static bool single_cert_card(const opgp_card *card)
{
    return card->appdata.aid.version_major < 3;
}

static opgp_status prepare(opgp_card *card, opgp_key_slot slot, opgp_error *err)
{
    if (single_cert_card(card))
        return slot == OPGP_KEY_AUT ? OPGP_OK : card_err_set(err, OPGP_E_NOT_SUPPORTED);
    opgp_status st = select_cert(card, slot, err);
    /* A 3.x card without SELECT DATA still has the AUT certificate as the default. */
    if (st == OPGP_E_NOT_SUPPORTED && slot == OPGP_KEY_AUT)
        return card_err_set(err, OPGP_OK);
    return st;
}

opgp_status opgp_card_read_cert(opgp_card *card, opgp_key_slot slot, uint8_t *buf, size_t *len,
                                opgp_error *err)
{
    card_err_init(err);
    if (!card || !len || (*len && !buf) || (unsigned)slot >= OPGP_KEY_SLOT_COUNT)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    size_t cap = *len;
    *len = 0;
    bool taken;
    opgp_status st = card_txn_begin(card, &taken);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    st = prepare(card, slot, err);
    if (st == OPGP_OK) {
        opgp_apdu cmd = {.cla = 0x00, .ins = INS_GET_DATA, .p1 = 0x7F, .p2 = 0x21,
                         .le = OPGP_LE_MAX};
        size_t n = cap;
        st = card_cmd(card, &cmd, buf, &n, err, 0);
        if (st == OPGP_OK)
            *len = n;
        else if (st == OPGP_E_NOT_FOUND)
            st = card_err_set(err, OPGP_OK); /* an empty slot */
    }
    card_txn_end(card, taken);
    return st;
}

opgp_status opgp_card_write_cert(opgp_card *card, opgp_key_slot slot, const uint8_t *cert,
                                 size_t len, opgp_error *err)
{
    card_err_init(err);
    if (!card || (len && !cert) || (unsigned)slot >= OPGP_KEY_SLOT_COUNT)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    uint16_t max = card->appdata.ext_caps.max_cert;
    if (max && len > max)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    bool taken;
    opgp_status st = card_txn_begin(card, &taken);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    st = prepare(card, slot, err);
    if (st == OPGP_OK) {
        opgp_apdu cmd = {.cla = 0x00, .ins = INS_PUT_DATA, .p1 = 0x7F, .p2 = 0x21,
                         .data = len ? cert : NULL, .data_len = len};
        st = card_cmd(card, &cmd, NULL, NULL, err, 0);
        if (st == OPGP_E_SECURITY_STATUS && err)
            err->pin_ref = OPGP_PIN_PW3;
    }
    card_txn_end(card, taken);
    return st;
}
