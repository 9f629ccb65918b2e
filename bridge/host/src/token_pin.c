/* PINs of a token. A rejected PIN is reported, never retried; a reset drops every PIN state in
 * the minidriver and the caller logs in again. The one PIN kept is the user PIN of a
 * successful login, for a single lazy VERIFY of the signature key's state (token_crypto.c);
 * see host_token.h for when it is wiped. */
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
    if (value == NULL || len == 0 || len > 127 || pin < OPGP_TOK_PIN_USER ||
        pin > OPGP_TOK_PIN_SIGN)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    if (pin == OPGP_TOK_PIN_USER)
        tok_forget_pin(t);
    r = verify(t, pin, value, len, tries);
    /* One user login serves signatures too, unless the card wants the PIN per signature. PW1
     * as 81 is verified only when a signature needs it (most sessions never sign with the
     * signature key): keep the PIN the card has just accepted for that one VERIFY, which
     * cannot spend a try. */
    if (r == OPGP_TOK_OK && pin == OPGP_TOK_PIN_USER && len <= sizeof t->user_pin &&
        !sign_pin_always(t)) {
        memcpy(t->user_pin, value, len);
        t->user_pin_len = len;
    }
    tok_leave(t);
    return r;
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
