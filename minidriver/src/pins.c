/* PIN entry points. PIN ids: ROLE_USER = PW1 (82), MD_PIN_SIGN = PW1 for signatures (81),
 * ROLE_ADMIN = PW3 (83), MD_PIN_RESET_CODE = the Reset Code (only unblocks PW1).
 * A PIN the card rejected is never sent again: the core reads the retry counter with an empty
 * VERIFY, and nothing here retries a VERIFY that got an answer. A PIN id reported as
 * ExternalPinType (pinpad reader) is verified with no PIN data: the reader asks for it. */
#include <string.h>

#include "md.h"

static int pin_ref(PIN_ID id)
{
    switch (id) {
    case ROLE_USER: return OPGP_PIN_PW1;
    case MD_PIN_SIGN: return OPGP_PIN_PW1_SIGN;
    case ROLE_ADMIN: return OPGP_PIN_PW3;
    default: return 0;
    }
}

/* Shortest PINs the OpenPGP spec allows: shorter ones are refused here, without spending a
 * try on the card. */
static size_t min_len(PIN_ID id)
{
    return id == ROLE_ADMIN || id == MD_PIN_RESET_CODE ? 8 : 6;
}

static void report_tries(md_state *st, const opgp_error *err, PIN_ID id, PDWORD pcAttempts)
{
    if (pcAttempts == NULL)
        return;
    if (err->tries_left >= 0) {
        *pcAttempts = (DWORD)err->tries_left;
        return;
    }
    const opgp_pw_status *pw = &opgp_card_appdata(st->card)->pw;
    *pcAttempts = id == ROLE_ADMIN ? pw->tries_pw3 : id == MD_PIN_RESET_CODE ? pw->tries_rc
                                                                             : pw->tries_pw1;
}

static DWORD pin_result(md_state *st, opgp_status s, const opgp_error *err, PIN_ID id,
                        PDWORD pcAttempts)
{
    if (s == OPGP_OK)
        return SCARD_S_SUCCESS;
    if (s == OPGP_E_WRONG_PIN || s == OPGP_E_PIN_BLOCKED) {
        /* The counter changed on the card: keep the decoded copy honest. */
        (void)opgp_card_refresh_status(st->card, NULL);
        if (s == OPGP_E_PIN_BLOCKED) {
            if (pcAttempts != NULL)
                *pcAttempts = 0;
            return SCARD_W_CHV_BLOCKED;
        }
        report_tries(st, err, id, pcAttempts);
        return SCARD_W_WRONG_CHV;
    }
    return md_card_error(st, s);
}

/* VERIFY one PIN id; a transport reset before the command reached the card is retried once
 * (the PIN was not rejected: it never arrived). */
static DWORD verify(md_state *st, PIN_ID id, const uint8_t *pin, size_t len, PDWORD pcAttempts)
{
    int ref = pin_ref(id);
    if (ref == 0)
        return id == MD_PIN_RESET_CODE ? SCARD_E_UNSUPPORTED_FEATURE : SCARD_E_INVALID_PARAMETER;
    /* No PIN: typed on the reader's pinpad (md_verify_pinpad), when it has one. */
    if ((pin == NULL) != (len == 0))
        return SCARD_E_INVALID_PARAMETER;
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    if (ad->pw.present && (id == ROLE_ADMIN ? ad->pw.tries_pw3 : ad->pw.tries_pw1) == 0) {
        /* Blocked as far as we know: ask the card (someone may have unblocked it since) rather
         * than spend a VERIFY on a blocked PIN. */
        (void)opgp_card_refresh_status(st->card, NULL);
        ad = opgp_card_appdata(st->card);
        uint8_t tries = id == ROLE_ADMIN ? ad->pw.tries_pw3 : ad->pw.tries_pw1;
        if (tries == 0) {
            if (pcAttempts != NULL)
                *pcAttempts = 0;
            return SCARD_W_CHV_BLOCKED;
        }
    }
    if (pin != NULL && len < min_len(id)) {
        opgp_error none = { OPGP_E_WRONG_PIN, 0, ref, -1 };
        report_tries(st, &none, id, pcAttempts);
        return SCARD_W_WRONG_CHV;
    }
    opgp_error err;
    opgp_status s;
    if (pin == NULL) {
        DWORD rv = md_verify_pinpad(st, id, ref, &s, &err);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        if (s == OPGP_E_CARD_RESET)
            return md_card_error(st, s);
    } else {
        s = opgp_card_verify(st->card, ref, pin, len, &err);
        if (s == OPGP_E_CARD_RESET) {
            md_after_reset(st);
            s = opgp_card_verify(st->card, ref, pin, len, &err);
        }
    }
    if (s == OPGP_OK) {
        SET_PIN(st->verified, id);
        /* A success resets the card's counter to its maximum. Our copy only falls below the
         * usual 3 after failed attempts (or at open): read C4 again then, so that the PIN
         * tries property does not report a count the card no longer has. */
        ad = opgp_card_appdata(st->card);
        uint8_t known = id == ROLE_ADMIN ? ad->pw.tries_pw3 : ad->pw.tries_pw1;
        if (ad->pw.present && known < 3)
            (void)opgp_card_refresh_status(st->card, NULL);
    } else {
        CLEAR_PIN(st->verified, id);
    }
    return pin_result(st, s, &err, id, pcAttempts);
}

static PIN_ID user_id_of(LPCWSTR pwszUserId, bool *ok)
{
    *ok = true;
    if (md_wcs_eq(pwszUserId, wszCARD_USER_USER))
        return ROLE_USER;
    if (md_wcs_eq(pwszUserId, wszCARD_USER_ADMIN))
        return ROLE_ADMIN;
    *ok = false;
    return ROLE_EVERYONE;
}

DWORD WINAPI CardAuthenticatePin(PCARD_DATA pCardData, LPWSTR pwszUserId, PBYTE pbPin,
                                 DWORD cbPin, PDWORD pcAttemptsRemaining)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    bool ok;
    PIN_ID id = user_id_of(pwszUserId, &ok);
    if (!ok || pbPin == NULL)
        return SCARD_E_INVALID_PARAMETER;
    rv = verify(st, id, pbPin, cbPin, pcAttemptsRemaining);
    /* The v4/v5 CSP knows one user PIN: it must unlock signatures too (PW1 as 81). The card
     * just accepted this PIN, so sending it as 81 cannot spend a try. */
    if (rv == SCARD_S_SUCCESS && id == ROLE_USER)
        rv = verify(st, MD_PIN_SIGN, pbPin, cbPin, pcAttemptsRemaining);
    return rv;
}

DWORD WINAPI CardAuthenticateEx(PCARD_DATA pCardData, PIN_ID PinId, DWORD dwFlags,
                                PBYTE pbPinData, DWORD cbPinData, PBYTE *ppbSessionPin,
                                PDWORD pcbSessionPin, PDWORD pcAttemptsRemaining)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (dwFlags & (CARD_AUTHENTICATE_GENERATE_SESSION_PIN | CARD_AUTHENTICATE_SESSION_PIN))
        return SCARD_E_UNSUPPORTED_FEATURE; /* PIN strength is plaintext only */
    if ((dwFlags & ~(DWORD)CARD_PIN_SILENT_CONTEXT) != 0)
        return SCARD_E_INVALID_PARAMETER;
    /* pbPinData NULL with cbPinData 0: the spec's form for an ExternalPinType PIN. */
    if (PinId == ROLE_EVERYONE || PinId >= MD_PIN_COUNT || (pbPinData == NULL) != (cbPinData == 0))
        return SCARD_E_INVALID_PARAMETER;
    if (ppbSessionPin != NULL)
        *ppbSessionPin = NULL;
    if (pcbSessionPin != NULL)
        *pcbSessionPin = 0;
    return verify(st, PinId, pbPinData, cbPinData, pcAttemptsRemaining);
}

/* Forget the card's verification of one PIN id. 3.x cards take VERIFY P1 FF; older ones lose
 * every PIN state with a new SELECT. */
static DWORD logout(md_state *st, PIN_ID id)
{
    int ref = pin_ref(id);
    if (ref == 0)
        return SCARD_S_SUCCESS;
    opgp_status s = opgp_card_logout(st->card, ref, NULL);
    if (s == OPGP_E_NOT_SUPPORTED || s == OPGP_E_WRONG_DATA || s == OPGP_E_CARD) {
        s = opgp_card_reselect(st->card, NULL);
        if (s == OPGP_OK)
            st->verified = PIN_SET_NONE;
    }
    if (s == OPGP_E_CARD_RESET) {
        md_after_reset(st); /* a reset forgets every PIN: done */
        return SCARD_S_SUCCESS;
    }
    if (s != OPGP_OK)
        return md_card_error(st, s);
    CLEAR_PIN(st->verified, id);
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardDeauthenticate(PCARD_DATA pCardData, LPWSTR pwszUserId, DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    bool ok;
    PIN_ID id = user_id_of(pwszUserId, &ok);
    if (!ok || dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    rv = logout(st, id);
    if (rv == SCARD_S_SUCCESS && id == ROLE_USER)
        rv = logout(st, MD_PIN_SIGN);
    return rv;
}

DWORD WINAPI CardDeauthenticateEx(PCARD_DATA pCardData, PIN_SET PinId, DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (dwFlags != 0 || PinId == PIN_SET_NONE)
        return SCARD_E_INVALID_PARAMETER;
    for (PIN_ID id = ROLE_USER; id < MD_PIN_COUNT && rv == SCARD_S_SUCCESS; id++)
        if (IS_PIN_SET(PinId, id))
            rv = logout(st, id);
    return rv;
}

/* PW1 changed or reset: both of its verification states are gone from our view. */
static void pw1_changed(md_state *st)
{
    CLEAR_PIN(st->verified, ROLE_USER);
    CLEAR_PIN(st->verified, MD_PIN_SIGN);
    (void)opgp_card_refresh_status(st->card, NULL);
}

static DWORD change_pin(md_state *st, PIN_ID id, const uint8_t *old_pin, size_t old_len,
                        const uint8_t *new_pin, size_t new_len, PDWORD pcAttempts)
{
    if (old_pin == NULL || new_pin == NULL || old_len == 0 || new_len == 0)
        return SCARD_E_INVALID_PARAMETER;
    if (new_len < min_len(id))
        return SCARD_E_INVALID_PARAMETER;
    if (old_len < min_len(id)) {
        opgp_error none = { OPGP_E_WRONG_PIN, 0, pin_ref(id), -1 };
        report_tries(st, &none, id, pcAttempts);
        return SCARD_W_WRONG_CHV;
    }
    opgp_error err;
    opgp_status s = opgp_card_change_pin(st->card, pin_ref(id), old_pin, old_len, new_pin,
                                         new_len, &err);
    DWORD rv = pin_result(st, s, &err, id, pcAttempts);
    if (rv == SCARD_S_SUCCESS && id != ROLE_ADMIN)
        pw1_changed(st);
    return rv;
}

/* Reset PW1 with the Reset Code, or with the admin PIN. An empty admin authenticator means
 * "PW3 is verified in this context already" (RESET RETRY COUNTER P1 02 needs nothing more):
 * a caller that logged the admin in does not have to keep the admin PIN. */
static DWORD unblock_pw1(md_state *st, PIN_ID auth, const uint8_t *auth_data, size_t auth_len,
                         const uint8_t *new_pin, size_t new_len, PDWORD pcAttempts)
{
    bool admin_verified = auth == ROLE_ADMIN && auth_len == 0;
    if (new_pin == NULL || new_len == 0 ||
        (!admin_verified && (auth_data == NULL || auth_len == 0)))
        return SCARD_E_INVALID_PARAMETER;
    if (admin_verified && !IS_PIN_SET(st->verified, ROLE_ADMIN))
        return SCARD_W_SECURITY_VIOLATION; /* nothing sent: the card would refuse it */
    if (new_len < min_len(ROLE_USER))
        return SCARD_E_INVALID_PARAMETER;
    opgp_error err;
    opgp_status s;
    if (auth == MD_PIN_RESET_CODE) {
        const opgp_pw_status *pw = &opgp_card_appdata(st->card)->pw;
        if (pw->present && pw->tries_rc == 0) {
            if (pcAttempts != NULL)
                *pcAttempts = 0;
            return SCARD_W_CHV_BLOCKED; /* no Reset Code set, or it is blocked */
        }
        s = opgp_card_unblock_pin(st->card, auth_data, auth_len, new_pin, new_len, &err);
    } else {
        if (!admin_verified) {
            DWORD rv = verify(st, ROLE_ADMIN, auth_data, auth_len, pcAttempts);
            if (rv != SCARD_S_SUCCESS)
                return rv;
        }
        s = opgp_card_reset_pin_admin(st->card, new_pin, new_len, &err);
    }
    DWORD rv = pin_result(st, s, &err, auth, pcAttempts);
    if (rv == SCARD_S_SUCCESS)
        pw1_changed(st);
    return rv;
}

DWORD WINAPI CardChangeAuthenticatorEx(PCARD_DATA pCardData, DWORD dwFlags,
                                       PIN_ID dwAuthenticatingPinId,
                                       PBYTE pbAuthenticatingPinData,
                                       DWORD cbAuthenticatingPinData, PIN_ID dwTargetPinId,
                                       PBYTE pbTargetData, DWORD cbTargetData,
                                       DWORD cRetryCount, PDWORD pcAttemptsRemaining)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (dwFlags != PIN_CHANGE_FLAG_UNBLOCK && dwFlags != PIN_CHANGE_FLAG_CHANGEPIN)
        return SCARD_E_INVALID_PARAMETER;
    if (cRetryCount != 0)
        return SCARD_E_INVALID_PARAMETER; /* the card's retry counters are fixed */
    /* The admin may unblock PW1 with an empty authenticator once verified (unblock_pw1). */
    bool empty_admin = dwFlags == PIN_CHANGE_FLAG_UNBLOCK && dwAuthenticatingPinId == ROLE_ADMIN &&
                       cbAuthenticatingPinData == 0;
    if (dwAuthenticatingPinId == ROLE_EVERYONE || dwAuthenticatingPinId >= MD_PIN_COUNT ||
        dwTargetPinId == ROLE_EVERYONE || dwTargetPinId >= MD_PIN_COUNT ||
        (pbAuthenticatingPinData == NULL && !empty_admin) || pbTargetData == NULL)
        return SCARD_E_INVALID_PARAMETER;
    bool target_pw1 = dwTargetPinId == ROLE_USER || dwTargetPinId == MD_PIN_SIGN;
    if (dwFlags == PIN_CHANGE_FLAG_UNBLOCK) {
        if (!target_pw1 || (dwAuthenticatingPinId != ROLE_ADMIN &&
                            dwAuthenticatingPinId != MD_PIN_RESET_CODE))
            return SCARD_E_INVALID_PARAMETER;
        return unblock_pw1(st, dwAuthenticatingPinId, pbAuthenticatingPinData,
                           cbAuthenticatingPinData, pbTargetData, cbTargetData,
                           pcAttemptsRemaining);
    }
    if (dwTargetPinId == MD_PIN_RESET_CODE) {
        /* The admin sets a new Reset Code (PUT DATA D3). */
        if (dwAuthenticatingPinId != ROLE_ADMIN || cbTargetData < 8)
            return SCARD_E_INVALID_PARAMETER;
        rv = verify(st, ROLE_ADMIN, pbAuthenticatingPinData, cbAuthenticatingPinData,
                    pcAttemptsRemaining);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        opgp_status s = opgp_card_set_reset_code(st->card, pbTargetData, cbTargetData, NULL);
        if (s == OPGP_OK)
            (void)opgp_card_refresh_status(st->card, NULL);
        return md_card_error(st, s);
    }
    bool same = dwAuthenticatingPinId == dwTargetPinId ||
                (target_pw1 && (dwAuthenticatingPinId == ROLE_USER ||
                                dwAuthenticatingPinId == MD_PIN_SIGN));
    if (!same)
        return SCARD_E_INVALID_PARAMETER;
    return change_pin(st, dwTargetPinId, pbAuthenticatingPinData, cbAuthenticatingPinData,
                      pbTargetData, cbTargetData, pcAttemptsRemaining);
}

DWORD WINAPI CardChangeAuthenticator(PCARD_DATA pCardData, LPWSTR pwszUserId,
                                     PBYTE pbCurrentAuthenticator, DWORD cbCurrentAuthenticator,
                                     PBYTE pbNewAuthenticator, DWORD cbNewAuthenticator,
                                     DWORD cRetryCount, DWORD dwFlags,
                                     PDWORD pcAttemptsRemaining)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    bool ok;
    PIN_ID id = user_id_of(pwszUserId, &ok);
    if (!ok || cRetryCount != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (dwFlags == CARD_AUTHENTICATE_PIN_CHALLENGE_RESPONSE)
        return SCARD_E_UNSUPPORTED_FEATURE;
    if (dwFlags != CARD_AUTHENTICATE_PIN_PIN)
        return SCARD_E_INVALID_PARAMETER;
    return change_pin(st, id, pbCurrentAuthenticator, cbCurrentAuthenticator,
                      pbNewAuthenticator, cbNewAuthenticator, pcAttemptsRemaining);
}

DWORD WINAPI CardUnblockPin(PCARD_DATA pCardData, LPWSTR pwszUserId, PBYTE pbAuthenticationData,
                            DWORD cbAuthenticationData, PBYTE pbNewPinData, DWORD cbNewPinData,
                            DWORD cRetryCount, DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    bool ok;
    PIN_ID id = user_id_of(pwszUserId, &ok);
    if (!ok || id != ROLE_USER || cRetryCount != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (dwFlags == CARD_AUTHENTICATE_PIN_CHALLENGE_RESPONSE)
        return SCARD_E_UNSUPPORTED_FEATURE;
    if (dwFlags != CARD_AUTHENTICATE_PIN_PIN)
        return SCARD_E_INVALID_PARAMETER;
    /* The legacy interface's unblock secret is the administrator's: PW3. */
    return unblock_pw1(st, ROLE_ADMIN, pbAuthenticationData, cbAuthenticationData, pbNewPinData,
                       cbNewPinData, NULL);
}
