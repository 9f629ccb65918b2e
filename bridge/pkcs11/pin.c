/* C_Login (CKU_USER = PW1, CKU_SO = PW3, CKU_CONTEXT_SPECIFIC = the PIN for one signature),
 * C_LoginUser, C_Logout, C_SetPIN (CKU_SO session: PW3, else PW1), C_InitPIN (SO: new PW1).
 * The module keeps no PIN (bridge/host keeps the user PIN for one lazy signature-PIN VERIFY,
 * see host_token.h) and never sends one again: a rejected PIN is reported as is. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "p11.h"
#include "pinentry.h"

CK_RV p11_pin_error(opgp_tok_rv r)
{
    switch (r) {
    case OPGP_TOK_PIN_INCORRECT: return CKR_PIN_INCORRECT;
    case OPGP_TOK_PIN_LOCKED: return CKR_PIN_LOCKED;
    case OPGP_TOK_PIN_LEN_RANGE:
    case OPGP_TOK_BAD_INPUT: return CKR_PIN_LEN_RANGE;
    default: return CKR_GENERAL_ERROR;
    }
}

static CK_RV pin_result(p11_slot *slot, opgp_tok_rv r)
{
    if (r == OPGP_TOK_PIN_INCORRECT || r == OPGP_TOK_PIN_LOCKED || r == OPGP_TOK_PIN_LEN_RANGE ||
        r == OPGP_TOK_BAD_INPUT)
        return p11_pin_error(r);
    if (r == OPGP_TOK_CARD_RESET) {
        p11_slot_card_reset(slot);
        return CKR_DEVICE_ERROR; /* the PIN never reached the card: the caller may try again */
    }
    return p11_token_error(slot, r);
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
              CK_ULONG ulPinLen)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (userType != CKU_USER && userType != CKU_SO &&
        userType != CKU_CONTEXT_SPECIFIC)
        rv = CKR_USER_TYPE_INVALID;
    /* A NULL PIN: typed on the reader's pinpad (CKF_PROTECTED_AUTHENTICATION_PATH). */
    bool pinpad = false;
    if (rv == CKR_OK && pPin == NULL) {
        opgp_tok_info ti;
        pinpad = opgp_token_info(slot->token, &ti) == OPGP_TOK_OK && ti.protected_path;
        if (!pinpad)
            rv = CKR_ARGUMENTS_BAD;
    }
    if (rv == CKR_OK && userType == CKU_CONTEXT_SPECIFIC &&
        (s->op != OP_SIGN && s->op != OP_DECRYPT))
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK && userType != CKU_CONTEXT_SPECIFIC && slot->login != (CK_USER_TYPE)-1)
        rv = slot->login == userType ? CKR_USER_ALREADY_LOGGED_IN
                                     : CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
    if (rv == CKR_OK && userType == CKU_SO && p11_slot_has_ro_session(s->slot))
        rv = CKR_SESSION_READ_ONLY_EXISTS;
    size_t min = userType == CKU_SO ? 8 : 6;
    if (rv == CKR_OK && !pinpad && (ulPinLen < min || ulPinLen > 127))
        rv = CKR_PIN_LEN_RANGE;
    if (rv == CKR_OK) {
        opgp_tok_pin pin = userType == CKU_SO ? OPGP_TOK_PIN_ADMIN : OPGP_TOK_PIN_USER;
        if (userType == CKU_CONTEXT_SPECIFIC && s->always_auth)
            pin = OPGP_TOK_PIN_SIGN;
        opgp_tok_rv r = opgp_token_login(slot->token, pin, pPin, pinpad ? 0 : ulPinLen, NULL);
        rv = r == OPGP_TOK_CANCELLED ? CKR_FUNCTION_CANCELED : pin_result(slot, r);
        if (rv == CKR_OK) {
            if (userType == CKU_CONTEXT_SPECIFIC)
                s->context_login = true;
            else
                slot->login = userType;
        }
    }
    p11_leave();
    return rv;
}

CK_RV C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
                  CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen)
{
    (void)pUsername;
    (void)ulUsernameLen; /* an OpenPGP card has no user names: PINs only */
    return C_Login(hSession, userType, pPin, ulPinLen);
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (slot->login == (CK_USER_TYPE)-1)
        rv = CKR_USER_NOT_LOGGED_IN;
    if (rv == CKR_OK) {
        opgp_tok_rv r = opgp_token_logout(slot->token);
        slot->login = (CK_USER_TYPE)-1;
        rv = r == OPGP_TOK_OK ? CKR_OK : p11_token_error(slot, r);
    }
    p11_leave();
    return rv;
}

CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
               CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (pOldPin == NULL || pNewPin == NULL)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK && !(s->flags & CKF_RW_SESSION))
        rv = CKR_SESSION_READ_ONLY;
    bool so = rv == CKR_OK && slot->login == CKU_SO;
    size_t min = so ? 8 : 6;
    if (rv == CKR_OK && (ulNewLen < min || ulNewLen > 127))
        rv = CKR_PIN_LEN_RANGE;
    if (rv == CKR_OK && (ulOldLen < min || ulOldLen > 127))
        rv = CKR_PIN_INCORRECT;
    if (rv == CKR_OK) {
        opgp_tok_rv r = opgp_token_change_pin(slot->token, so ? OPGP_TOK_PIN_ADMIN
                                                              : OPGP_TOK_PIN_USER,
                                              pOldPin, ulOldLen, pNewPin, ulNewLen, NULL);
        rv = pin_result(slot, r);
    }
    p11_leave();
    return rv;
}

/* C_InitPIN: the SO (PW3 verified by C_Login) sets a new user PIN: RESET RETRY COUNTER with
 * the admin PIN the card already holds as verified (nothing kept here). The Reset Code has no
 * place in PKCS#11's user model: it is not offered here (opgp-tool and Windows' PIN id 4 use
 * it). */
CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (!(s->flags & CKF_RW_SESSION))
        rv = CKR_SESSION_READ_ONLY;
    if (rv == CKR_OK && slot->login != CKU_SO)
        rv = CKR_USER_NOT_LOGGED_IN;
    if (rv == CKR_OK && pPin == NULL)
        rv = CKR_ARGUMENTS_BAD; /* no protected authentication path */
    if (rv == CKR_OK && (ulPinLen < 6 || ulPinLen > 127))
        rv = CKR_PIN_LEN_RANGE;
    if (rv == CKR_OK) {
        opgp_tok_rv r = opgp_token_unblock_user(slot->token, OPGP_TOK_PIN_ADMIN, NULL, 0, pPin,
                                                ulPinLen, NULL);
        rv = r == OPGP_TOK_NOT_LOGGED_IN ? CKR_USER_NOT_LOGGED_IN : pin_result(slot, r);
    }
    p11_leave();
    return rv;
}

static const char *key_kind(opgp_tok_keytype t)
{
    switch (t) {
    case OPGP_TOK_KEY_RSA: return "RSA";
    case OPGP_TOK_KEY_EC: return "ECDSA";
    case OPGP_TOK_KEY_ED25519: return "Ed25519";
    default: return "";
    }
}

/* The per-signature PIN for an application that gave no context-specific login: asked once
 * through the configured pinentry, sent to the card once. A rejected PIN is the caller's
 * CKR_PIN_INCORRECT; the next C_Sign asks again (the user's new attempt). */
CK_RV p11_pinentry_sign_login(p11_slot *slot, unsigned container)
{
    p11_config cfg;
    p11_config_load(&cfg);
    if (cfg.pinentry[0] == '\0')
        return CKR_USER_NOT_LOGGED_IN;
    opgp_tok_info ti;
    opgp_tok_key key;
    CK_RV rv = p11_token_error(slot, opgp_token_info(slot->token, &ti));
    if (rv == CKR_OK)
        rv = p11_token_error(slot, opgp_token_key(slot->token, container, &key));
    if (rv != CKR_OK)
        return rv;
    int tries = ti.tries[OPGP_TOK_PIN_SIGN] >= 0 ? ti.tries[OPGP_TOK_PIN_SIGN]
                                                 : ti.tries[OPGP_TOK_PIN_USER];
    char desc[512], tries_text[64] = "";
    if (tries >= 0)
        snprintf(tries_text, sizeof tries_text, "\n%d %s left.", tries,
                 tries == 1 ? "try" : "tries");
    snprintf(desc, sizeof desc,
             "The OpenPGP card \"%s\" (serial %s) wants the user PIN for this signature "
             "with its signature key (%s %u).%s", ti.label, ti.serial, key_kind(key.type),
             key.bits, tries_text);
    p11_pinentry_text text = { "opgp: PIN for one signature", desc, "PIN:" };
    uint8_t pin[P11_PINENTRY_MAX_PIN];
    size_t len = 0;
    rv = p11_pinentry_ask(cfg.pinentry, &text, pin, sizeof pin, &len);
    if (rv == CKR_OK && len < 6)
        rv = CKR_PIN_LEN_RANGE; /* as C_Login: never spend a try on what cannot be a PIN */
    if (rv == CKR_OK)
        rv = pin_result(slot, opgp_token_login(slot->token, OPGP_TOK_PIN_SIGN, pin, len, NULL));
    opgp_tok_wipe(pin, sizeof pin);
    return rv;
}
