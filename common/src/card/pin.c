/* VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER and the Reset Code. A PIN is sent once:
 * when the card answers a wrong PIN with 6982 instead of 63Cx, the retry counter is read with
 * an empty VERIFY (or C4), never by sending the PIN again. */
#include <string.h>

#include "card_internal.h"
#include "opgp/crypto.h"

#define PIN_BUF (2 * 256)

static bool valid_ref(opgp_pin_ref ref)
{
    return ref == OPGP_PIN_PW1_SIGN || ref == OPGP_PIN_PW1 || ref == OPGP_PIN_PW3;
}

static opgp_kdf_pin kdf_pin_for(opgp_pin_ref ref)
{
    return ref == OPGP_PIN_PW3 ? OPGP_KDF_PIN_PW3 : OPGP_KDF_PIN_PW1;
}

static size_t max_len_for(const opgp_card *card, int ref)
{
    const opgp_pw_status *pw = &card->appdata.pw;
    size_t m = ref == OPGP_PIN_PW3 ? pw->max_len_pw3
             : ref == OPGP_PIN_RC  ? pw->max_len_rc
                                   : pw->max_len_pw1;
    return m ? m : 127;
}

/* Derive (KDF) or copy one PIN into out+*off, checking its length against C4. */
static opgp_status put_pin(const opgp_card *card, int ref, opgp_kdf_pin which, const uint8_t *pin,
                           size_t len, uint8_t *out, size_t cap, size_t *off)
{
    if (!pin || len == 0)
        return OPGP_E_INVALID_ARG;
    const opgp_kdf *kdf = &card->appdata.kdf;
    bool derived = kdf->present && kdf->algo != OPGP_KDF_NONE;
    /* Without KDF an over-long PIN is refused here rather than costing a try on the card. */
    if (!derived && len > max_len_for(card, ref))
        return OPGP_E_INVALID_ARG;
    size_t n = cap - *off;
    opgp_status st = opgp_kdf_derive(kdf, which, pin, len, out + *off, &n);
    if (st == OPGP_OK)
        *off += n;
    return st;
}

static opgp_status tries_from_c4(opgp_card *card, int ref, int *tries)
{
    opgp_error e;
    opgp_status st = opgp_card_refresh_status(card, &e);
    if (st != OPGP_OK)
        return st;
    const opgp_pw_status *pw = &card->appdata.pw;
    *tries = ref == OPGP_PIN_PW3 ? pw->tries_pw3 : ref == OPGP_PIN_RC ? pw->tries_rc
                                                                      : pw->tries_pw1;
    return OPGP_OK;
}

opgp_status opgp_card_pin_status(opgp_card *card, opgp_pin_ref ref, bool *verified,
                                 int *tries_left, opgp_error *err)
{
    card_err_init(err);
    if (verified)
        *verified = false;
    if (tries_left)
        *tries_left = -1;
    if (!card || !valid_ref(ref))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    if (err)
        err->pin_ref = ref;
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_VERIFY, .p1 = 0x00, .p2 = (uint8_t)ref};
    uint16_t sw = 0;
    opgp_status st = card_xfer(card, &cmd, NULL, NULL, &sw);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    if (err)
        err->sw = sw;
    int tries = -1;
    if (sw == 0x9000) {
        if (verified)
            *verified = true;
    } else if ((sw & 0xFFF0) == 0x63C0) {
        tries = sw & 0x0F;
    } else if (sw == 0x6983) {
        tries = 0;
    } else {
        /* Cards that do not answer the empty VERIFY with a counter: ask C4. */
        st = tries_from_c4(card, ref, &tries);
        if (st != OPGP_OK)
            return card_err_set(err, st);
    }
    if (tries_left)
        *tries_left = tries;
    if (err)
        err->tries_left = tries;
    return card_err_set(err, OPGP_OK);
}

/* Turn the answer to a command that carried a PIN into a status, learning the tries left
 * without sending the PIN again. */
opgp_status card_pin_result(opgp_card *card, uint16_t sw, int ref, opgp_error *err)
{
    opgp_status st = card_err_sw(err, sw, ref);
    if (sw == 0x9000 || (sw & 0xFFF0) == 0x63C0 || sw == 0x6983)
        return st;
    if (sw != 0x6982 && sw != 0x6A80)
        return st;
    /* 6982 after a PIN is a wrong PIN on many cards (CanoKey, YubiKey); 6A80 on some for
     * a PIN of the wrong length. Find the counter. */
    int tries = -1;
    if (ref == OPGP_PIN_RC) {
        if (tries_from_c4(card, ref, &tries) != OPGP_OK)
            tries = -1;
    } else {
        opgp_error q;
        bool verified = false;
        if (opgp_card_pin_status(card, ref, &verified, &tries, &q) != OPGP_OK)
            tries = -1;
    }
    if (sw == 0x6A80 && tries < 0)
        return st;
    if (err) {
        err->sw = sw;
        err->pin_ref = ref;
        err->tries_left = tries;
    }
    return card_err_set(err, tries == 0 ? OPGP_E_PIN_BLOCKED : OPGP_E_WRONG_PIN);
}

static opgp_status send_pin_cmd(opgp_card *card, uint8_t ins, uint8_t p1, uint8_t p2,
                                const uint8_t *data, size_t len, int ref, opgp_error *err)
{
    opgp_apdu cmd = {.cla = 0x00, .ins = ins, .p1 = p1, .p2 = p2, .data = data,
                     .data_len = len, .sensitive = true};
    uint16_t sw = 0;
    opgp_status st = card_xfer(card, &cmd, NULL, NULL, &sw);
    if (st != OPGP_OK) {
        if (err)
            err->pin_ref = ref;
        return card_err_set(err, st);
    }
    return card_pin_result(card, sw, ref, err);
}

opgp_status opgp_card_verify(opgp_card *card, opgp_pin_ref ref, const uint8_t *pin,
                             size_t pin_len, opgp_error *err)
{
    card_err_init(err);
    if (!card || !valid_ref(ref) || !pin || pin_len == 0)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    if (err)
        err->pin_ref = ref;
    uint8_t buf[PIN_BUF];
    size_t off = 0;
    opgp_status st = put_pin(card, ref, kdf_pin_for(ref), pin, pin_len, buf, sizeof buf, &off);
    if (st == OPGP_OK)
        st = send_pin_cmd(card, INS_VERIFY, 0x00, (uint8_t)ref, buf, off, ref, err);
    else
        card_err_set(err, st);
    opgp_wipe(buf, sizeof buf);
    return st;
}

opgp_status opgp_card_logout(opgp_card *card, opgp_pin_ref ref, opgp_error *err)
{
    card_err_init(err);
    if (!card || !valid_ref(ref))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_VERIFY, .p1 = 0xFF, .p2 = (uint8_t)ref};
    return card_cmd(card, &cmd, NULL, NULL, err, ref);
}

opgp_status opgp_card_change_pin(opgp_card *card, opgp_pin_ref ref, const uint8_t *old_pin,
                                 size_t old_len, const uint8_t *new_pin, size_t new_len,
                                 opgp_error *err)
{
    card_err_init(err);
    if (!card || !valid_ref(ref))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    /* PW1 is one password with two VERIFY references; it is changed through 81. */
    int p2 = ref == OPGP_PIN_PW3 ? OPGP_PIN_PW3 : OPGP_PIN_PW1_SIGN;
    if (err)
        err->pin_ref = p2;
    uint8_t buf[PIN_BUF];
    size_t off = 0;
    opgp_status st = put_pin(card, p2, kdf_pin_for(ref), old_pin, old_len, buf, sizeof buf, &off);
    if (st == OPGP_OK)
        st = put_pin(card, p2, kdf_pin_for(ref), new_pin, new_len, buf, sizeof buf, &off);
    if (st == OPGP_OK)
        st = send_pin_cmd(card, INS_CHANGE_REFERENCE, 0x00, (uint8_t)p2, buf, off, p2, err);
    else
        card_err_set(err, st);
    opgp_wipe(buf, sizeof buf);
    return st;
}

opgp_status opgp_card_unblock_pin(opgp_card *card, const uint8_t *reset_code, size_t rc_len,
                                  const uint8_t *new_pin, size_t new_len, opgp_error *err)
{
    card_err_init(err);
    if (!card)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    if (err)
        err->pin_ref = OPGP_PIN_RC;
    uint8_t buf[PIN_BUF];
    size_t off = 0;
    opgp_status st = put_pin(card, OPGP_PIN_RC, OPGP_KDF_PIN_RC, reset_code, rc_len, buf,
                             sizeof buf, &off);
    if (st == OPGP_OK)
        st = put_pin(card, OPGP_PIN_PW1, OPGP_KDF_PIN_PW1, new_pin, new_len, buf, sizeof buf,
                     &off);
    if (st == OPGP_OK)
        st = send_pin_cmd(card, INS_RESET_RETRY, 0x00, 0x81, buf, off, OPGP_PIN_RC, err);
    else
        card_err_set(err, st);
    opgp_wipe(buf, sizeof buf);
    return st;
}

opgp_status opgp_card_reset_pin_admin(opgp_card *card, const uint8_t *new_pin, size_t new_len,
                                      opgp_error *err)
{
    card_err_init(err);
    if (!card)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    uint8_t buf[PIN_BUF];
    size_t off = 0;
    opgp_status st = put_pin(card, OPGP_PIN_PW1, OPGP_KDF_PIN_PW1, new_pin, new_len, buf,
                             sizeof buf, &off);
    if (st == OPGP_OK) {
        opgp_apdu cmd = {.cla = 0x00, .ins = INS_RESET_RETRY, .p1 = 0x02, .p2 = 0x81,
                         .data = buf, .data_len = off, .sensitive = true};
        /* 6982 here means PW3 is not verified: not a wrong PIN. */
        st = card_cmd(card, &cmd, NULL, NULL, err, OPGP_PIN_PW3);
    } else {
        card_err_set(err, st);
    }
    opgp_wipe(buf, sizeof buf);
    return st;
}

opgp_status opgp_card_set_reset_code(opgp_card *card, const uint8_t *reset_code, size_t rc_len,
                                     opgp_error *err)
{
    card_err_init(err);
    if (!card || (rc_len && !reset_code))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    uint8_t buf[PIN_BUF];
    size_t off = 0;
    opgp_status st = OPGP_OK;
    if (rc_len)
        st = put_pin(card, OPGP_PIN_RC, OPGP_KDF_PIN_RC, reset_code, rc_len, buf, sizeof buf,
                     &off);
    if (st == OPGP_OK)
        st = opgp_card_put_data(card, 0xD3, off ? buf : NULL, off, err);
    else
        card_err_set(err, st);
    opgp_wipe(buf, sizeof buf);
    return st;
}
