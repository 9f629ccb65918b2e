/* GET CHALLENGE and the factory reset (TERMINATE DF + ACTIVATE FILE). */
#include "card_internal.h"

opgp_status opgp_card_get_challenge(opgp_card *card, uint8_t *out, size_t len, opgp_error *err)
{
    card_err_init(err);
    if (!card || !out || len == 0)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    const opgp_ext_caps *c = &card->appdata.ext_caps;
    if (!(c->flags & OPGP_EXTCAP_GET_CHALLENGE))
        return card_err_set(err, OPGP_E_NOT_SUPPORTED);
    if ((c->max_challenge && len > c->max_challenge) || len > card->link.max_resp_data)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_GET_CHALLENGE, .le = len};
    size_t got = len;
    opgp_status st = card_cmd(card, &cmd, out, &got, err, 0);
    if (st == OPGP_OK && got != len)
        st = card_err_set(err, OPGP_E_BAD_RESPONSE);
    return st;
}

opgp_status opgp_card_factory_reset(opgp_card *card, opgp_error *err)
{
    card_err_init(err);
    if (!card)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    bool taken;
    opgp_status st = card_txn_begin(card, &taken);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    opgp_apdu term = {.cla = 0x00, .ins = INS_TERMINATE_DF};
    st = card_cmd(card, &term, NULL, NULL, err, 0);
    if (st == OPGP_E_SECURITY_STATUS || st == OPGP_E_CONDITIONS) {
        /* Refused: PW3 neither verified nor blocked. */
        if (err)
            err->pin_ref = OPGP_PIN_PW3;
    }
    if (st == OPGP_OK) {
        opgp_apdu act = {.cla = 0x00, .ins = INS_ACTIVATE_FILE};
        st = card_cmd(card, &act, NULL, NULL, err, 0);
    }
    if (st == OPGP_OK)
        st = opgp_card_reselect(card, err);
    card_txn_end(card, taken);
    return st;
}
