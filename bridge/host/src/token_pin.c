/* PINs of a token. A rejected PIN is reported, never resent; a reset drops every PIN state in
 * the minidriver and the caller logs in again.
 *
 * The one PIN kept is the user PIN (PW1) of a successful USER login whose PIN_INFO cache policy
 * is PinCacheNormal, for as long as that login lasts, as Windows' Base CSP keeps its PIN cache:
 *   - the signature key's state (PW1 as 81) is verified with it when a signature first needs it
 *     (token_crypto.c), unless the card wants the PIN for every signature (AlwaysPrompt);
 *   - when a private-key operation fails with SCARD_W_SECURITY_VIOLATION (6982: the card forgot
 *     the verification; in PC/SC shared mode another process's logout does that), the PIN is
 *     verified again once and the operation retried once, in one card transaction so that no
 *     other process's logout slips between them (tok_reauth).
 * Either VERIFY sends a PIN the card has accepted: it cannot spend a try unless someone changed
 * the PIN meanwhile. Then the card rejects it: the PIN is wiped at once, the error (with the
 * tries left) returned, and nothing is tried again until the caller logs in. The PIN is also
 * wiped on logout, PIN change or unblock, reset, removal and close (tok_forget_pin). */
#include <string.h>

#include "token_internal.h"

static void note_tries(opgp_token *t, opgp_tok_pin pin, opgp_tok_rv r, DWORD attempts,
                       int *tries)
{
    int v = -1;
    if (r == OPGP_TOK_PIN_LOCKED)
        v = 0;
    else if (r == OPGP_TOK_PIN_INCORRECT && attempts != (DWORD)-1)
        v = (int)attempts;
    else if (r == OPGP_TOK_OK)
        v = -1; /* a success resets the counter to its unknown maximum */
    if (r == OPGP_TOK_OK || r == OPGP_TOK_PIN_INCORRECT || r == OPGP_TOK_PIN_LOCKED) {
        t->tries[pin] = v;
        if (pin == OPGP_TOK_PIN_USER || pin == OPGP_TOK_PIN_SIGN)
            t->tries[pin == OPGP_TOK_PIN_USER ? OPGP_TOK_PIN_SIGN : OPGP_TOK_PIN_USER] = v;
    }
    if (tries != NULL)
        *tries = v;
}

static bool sign_pin_always(opgp_token *t)
{
    PCARD_DATA cd = tok_cd(t);
    PIN_INFO pi;
    DWORD len = 0;
    if (cd->pfnCardGetProperty == NULL ||
        cd->pfnCardGetProperty(cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &len,
                               OPGP_TOK_PIN_SIGN) != SCARD_S_SUCCESS || len != sizeof pi)
        return false;
    return pi.PinCachePolicy.PinCachePolicyType == PinCacheAlwaysPrompt;
}

/* True when the minidriver reports pin as typed on the reader (ExternalPinType). */
static bool pin_external(opgp_token *t, opgp_tok_pin pin)
{
    PCARD_DATA cd = tok_cd(t);
    PIN_INFO pi;
    DWORD len = 0;
    if (cd->pfnCardGetProperty == NULL ||
        cd->pfnCardGetProperty(cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &len,
                               (DWORD)pin) != SCARD_S_SUCCESS || len != sizeof pi)
        return false;
    return pi.PinType == ExternalPinType;
}

/* PinCacheNormal: the Base CSP would keep this PIN for the login. */
static bool pin_cached_normally(opgp_token *t, opgp_tok_pin pin)
{
    PCARD_DATA cd = tok_cd(t);
    PIN_INFO pi;
    DWORD len = 0;
    if (cd->pfnCardGetProperty == NULL ||
        cd->pfnCardGetProperty(cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &len,
                               (DWORD)pin) != SCARD_S_SUCCESS || len != sizeof pi)
        return false;
    return pi.PinCachePolicy.PinCachePolicyType == PinCacheNormal;
}

static opgp_tok_rv verify(opgp_token *t, opgp_tok_pin pin, const uint8_t *value, size_t len,
                          int *tries)
{
    PCARD_DATA cd = tok_cd(t);
    DWORD attempts = (DWORD)-1;
    DWORD rv = cd->pfnCardAuthenticateEx(cd, (PIN_ID)pin, 0, (PBYTE)value, (DWORD)len, NULL,
                                         NULL, &attempts);
    opgp_tok_rv r = tok_map(t, rv);
    note_tries(t, pin, r, attempts, tries);
    return r;
}

opgp_tok_rv opgp_token_login(opgp_token *t, opgp_tok_pin pin, const uint8_t *value,
                             size_t len, int *tries)
{
    if (tries != NULL)
        *tries = -1;
    bool pinpad = value == NULL && len == 0;
    if ((value == NULL && !pinpad) || len > 127 || (len == 0 && !pinpad) ||
        pin < OPGP_TOK_PIN_USER || pin > OPGP_TOK_PIN_SIGN)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    if (pinpad && !pin_external(t, pin)) {
        tok_leave(t);
        return OPGP_TOK_BAD_INPUT; /* no pinpad to type it on */
    }
    if (pin == OPGP_TOK_PIN_USER)
        tok_forget_pin(t);
    r = verify(t, pin, value, len, tries);
    if (r == OPGP_TOK_OK && pinpad && pin == OPGP_TOK_PIN_USER && !sign_pin_always(t))
        t->user_pinpad = true;
    /* Keep the PIN the card has just accepted for the login (see the top of this file). One
     * user login serves signatures too, unless the card wants the PIN per signature: PW1 as 81
     * is verified only when a signature needs it (most sessions never sign with that key). */
    if (r == OPGP_TOK_OK && !pinpad && pin == OPGP_TOK_PIN_USER && len <= sizeof t->user_pin &&
        pin_cached_normally(t, OPGP_TOK_PIN_USER)) {
        memcpy(t->user_pin, value, len);
        t->user_pin_len = len;
        t->user_pin_signs = pin_cached_normally(t, OPGP_TOK_PIN_SIGN);
    }
    tok_leave(t);
    return r;
}

bool tok_pin_kept(const opgp_token *t, opgp_tok_pin pin)
{
    return t->user_pin_len > 0 &&
           (pin == OPGP_TOK_PIN_USER || (pin == OPGP_TOK_PIN_SIGN && t->user_pin_signs));
}

opgp_tok_rv tok_verify_kept(opgp_token *t, opgp_tok_pin pin)
{
    if (!tok_pin_kept(t, pin))
        return OPGP_TOK_NOT_LOGGED_IN;
    opgp_tok_rv r = verify(t, pin, t->user_pin, t->user_pin_len, NULL);
    if (r == OPGP_TOK_PIN_INCORRECT || r == OPGP_TOK_PIN_LOCKED)
        tok_forget_pin(t); /* changed behind our back: never sent again */
    return r;
}

bool tok_reauth(opgp_token *t, opgp_tok_pin pin, DWORD rv, opgp_tok_rv *r)
{
    *r = tok_map(t, rv);
    if (rv != (DWORD)SCARD_W_SECURITY_VIOLATION || !tok_pin_kept(t, pin))
        return false;
    opgp_tok_rv v = tok_verify_kept(t, pin);
    if (v != OPGP_TOK_OK) {
        *r = v;
        return false;
    }
    return true;
}

opgp_tok_rv opgp_token_logout(opgp_token *t)
{
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    tok_forget_pin(t);
    PCARD_DATA cd = tok_cd(t);
    PIN_SET state = 0;
    DWORD len = 0;
    DWORD rv = cd->pfnCardGetProperty(cd, CP_CARD_AUTHENTICATED_STATE, (PBYTE)&state,
                                      sizeof state, &len, 0);
    state &= ~CREATE_PIN_SET(ROLE_EVERYONE);
    if (rv == SCARD_S_SUCCESS && state != 0)
        rv = cd->pfnCardDeauthenticateEx(cd, state, 0);
    r = tok_map(t, rv);
    if (r == OPGP_TOK_CARD_RESET)
        r = OPGP_TOK_OK; /* a reset logged everyone out already */
    tok_leave(t);
    return r;
}

static opgp_tok_rv change(opgp_token *t, DWORD flags, opgp_tok_pin auth, const uint8_t *a,
                          size_t alen, opgp_tok_pin target, const uint8_t *n, size_t nlen,
                          int *tries)
{
    if (tries != NULL)
        *tries = -1;
    /* An empty admin authenticator unblocks with the admin already logged in. */
    bool logged_admin = flags == PIN_CHANGE_FLAG_UNBLOCK && auth == OPGP_TOK_PIN_ADMIN &&
                        alen == 0;
    if ((a == NULL && !logged_admin) || n == NULL || (alen == 0 && !logged_admin) ||
        nlen == 0 || alen > 127 || nlen > 127)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    if (target == OPGP_TOK_PIN_USER || target == OPGP_TOK_PIN_SIGN)
        tok_forget_pin(t); /* PW1 changes: the kept value is stale */
    PCARD_DATA cd = tok_cd(t);
    DWORD attempts = (DWORD)-1;
    DWORD rv = cd->pfnCardChangeAuthenticatorEx(cd, flags, (PIN_ID)auth, (PBYTE)a, (DWORD)alen,
                                                (PIN_ID)target, (PBYTE)n, (DWORD)nlen, 0,
                                                &attempts);
    r = tok_map(t, rv);
    if (r == OPGP_TOK_BAD_INPUT)
        r = OPGP_TOK_PIN_LEN_RANGE; /* what the minidriver refuses before the card sees it */
    if (!logged_admin)
        note_tries(t, auth, r, attempts, tries);
    tok_leave(t);
    return r;
}

opgp_tok_rv opgp_token_change_pin(opgp_token *t, opgp_tok_pin pin, const uint8_t *old_pin,
                                  size_t old_len, const uint8_t *new_pin, size_t new_len,
                                  int *tries)
{
    opgp_tok_pin auth = pin == OPGP_TOK_PIN_PUK ? OPGP_TOK_PIN_ADMIN : pin;
    return change(t, PIN_CHANGE_FLAG_CHANGEPIN, auth, old_pin, old_len, pin, new_pin, new_len,
                  tries);
}

opgp_tok_rv opgp_token_unblock_user(opgp_token *t, opgp_tok_pin by, const uint8_t *auth,
                                    size_t auth_len, const uint8_t *new_pin, size_t new_len,
                                    int *tries)
{
    if (by != OPGP_TOK_PIN_ADMIN && by != OPGP_TOK_PIN_PUK)
        return OPGP_TOK_BAD_INPUT;
    return change(t, PIN_CHANGE_FLAG_UNBLOCK, by, auth, auth_len, OPGP_TOK_PIN_USER, new_pin,
                  new_len, tries);
}
