/* PINs: wrong PIN (reported with the tries left, sent once), change, unblock with the Reset
 * Code and with the admin PIN, deauthentication. Every case leaves the PINs as it found them. */
#include <string.h>

#include "card_access.h"
#include "cases.h"
#include "harness.h"

static DWORD change(hctx *h, DWORD flags, PIN_ID auth_id, const char *auth, PIN_ID target,
                    const char *new_pin, DWORD *left)
{
    DWORD l = 0xFFFFFFFFu;
    DWORD rv = h->cd->pfnCardChangeAuthenticatorEx(h->cd, flags, auth_id, (PBYTE)auth,
                                                   (DWORD)strlen(auth), target, (PBYTE)new_pin,
                                                   (DWORD)strlen(new_pin), 0, &l);
    if (left != NULL)
        *left = l;
    return rv;
}

static void pin_wrong(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    unsigned long sent0 = 0, failed0 = 0, sent1 = 0, failed1 = 0;
    bool counted = ca_verifies(&sent0, &failed0);
    DWORD left = 0;
    CHECK_RV(h_auth(h, ROLE_USER, "000000", &left), SCARD_W_WRONG_CHV);
    CHECK(left == 2);
    if (counted && CHECK(ca_verifies(&sent1, &failed1))) {
        CHECK(sent1 - sent0 == 1);   /* one VERIFY, never retried with the same PIN */
        CHECK(failed1 - failed0 == 1);
    }
    /* Nothing the context does afterwards may replay the rejected PIN. */
    BYTE *sig = NULL;
    DWORD sig_len = 0;
    BYTE hash[32] = { 1 };
    DWORD rv = h_sign_hash(h, MDC_CNTR_AUT, CALG_SHA_256, hash, 32, true, &sig, &sig_len);
    CHECK_RV(rv, SCARD_W_SECURITY_VIOLATION);
    opgp_host_free(sig);
    if (counted && CHECK(ca_verifies(&sent1, &failed1)))
        CHECK(sent1 - sent0 == 1);
    /* The right PIN restores the counter. */
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, &left), SCARD_S_SUCCESS);
    CHECK(h_sign_and_verify(h, MDC_CNTR_AUT, "after wrong pin"));
    CHECK_RV(h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0), SCARD_S_SUCCESS);
    /* The admin PIN: same rules. */
    CHECK_RV(h_auth(h, ROLE_ADMIN, "87654320", &left), SCARD_W_WRONG_CHV);
    CHECK(left == 2);
    CHECK_RV(h_auth(h, ROLE_ADMIN, MDC_PIN_ADMIN, &left), SCARD_S_SUCCESS);
    CHECK_RV(h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0), SCARD_S_SUCCESS);
    h_close(h);
}

/* PIN lengths outside the card's range, and an empty PIN: never a success, and an empty one
 * must not become VERIFY with no data (a status query the card answers 9000 when verified). */
static void pin_length_limits(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    DWORD left = 0;
    BYTE none[1] = { 0 };
    DWORD rv = h->cd->pfnCardAuthenticateEx(h->cd, ROLE_USER, 0, none, 0, NULL, NULL, &left);
    t_note("empty PIN on a verified card: 0x%08lX", (unsigned long)rv);
    CHECK(rv != SCARD_S_SUCCESS);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    BYTE long_pin[200];
    memset(long_pin, '1', sizeof long_pin);
    rv = h->cd->pfnCardAuthenticateEx(h->cd, ROLE_USER, 0, long_pin, sizeof long_pin, NULL, NULL,
                                      &left);
    t_note("200-byte PIN: 0x%08lX", (unsigned long)rv);
    CHECK(rv != SCARD_S_SUCCESS);
    rv = h_auth(h, ROLE_USER, "12345", &left);
    t_note("5-digit PIN (below PW1's minimum): 0x%08lX, tries left %lu", (unsigned long)rv,
           (unsigned long)left);
    CHECK(rv != SCARD_S_SUCCESS);
    /* Whatever those cost, the right PIN still works and resets the counter. */
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, &left), SCARD_S_SUCCESS);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static void pin_change(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    DWORD left = 0;
    REQUIRE_RV(change(h, PIN_CHANGE_FLAG_CHANGEPIN, ROLE_USER, MDC_PIN_USER, ROLE_USER,
                      "24681357", &left),
               SCARD_S_SUCCESS);
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, &left), SCARD_W_WRONG_CHV);
    CHECK_RV(h_auth(h, ROLE_USER, "24681357", &left), SCARD_S_SUCCESS);
    CHECK(h_sign_and_verify(h, MDC_CNTR_AUT, "new pin"));
    /* A wrong current PIN changes nothing. */
    CHECK_RV(change(h, PIN_CHANGE_FLAG_CHANGEPIN, ROLE_USER, "11111111", ROLE_USER, "999999",
                    &left),
             SCARD_W_WRONG_CHV);
    CHECK(left == 2);
    /* Back, through the legacy entry point. */
    CHECK_RV(h->cd->pfnCardChangeAuthenticator(h->cd, wszCARD_USER_USER, (PBYTE)"24681357", 8,
                                               (PBYTE)MDC_PIN_USER, 6, 0,
                                               CARD_AUTHENTICATE_PIN_PIN, &left),
             SCARD_S_SUCCESS);
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, &left), SCARD_S_SUCCESS);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static bool block_user_pin(hctx *h)
{
    DWORD left = 0;
    for (int i = 0; i < 2; i++) {
        if (!CHECK_RV(h_auth(h, ROLE_USER, "000000", &left), SCARD_W_WRONG_CHV))
            return false;
    }
    CHECK_RV_ONE_OF(h_auth(h, ROLE_USER, "000000", &left), SCARD_W_CHV_BLOCKED,
                    SCARD_W_WRONG_CHV);
    CHECK(left == 0);
    /* Blocked: even the right PIN is refused. */
    return CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, &left), SCARD_W_CHV_BLOCKED);
}

static void pin_unblock_reset_code(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    if (block_user_pin(h)) {
        DWORD left = 0;
        CHECK_RV(change(h, PIN_CHANGE_FLAG_UNBLOCK, MDC_PIN_ID_RESET_CODE, "00000000", ROLE_USER,
                        MDC_PIN_USER, &left),
                 SCARD_W_WRONG_CHV);
        CHECK(left == 2);
        CHECK_RV(change(h, PIN_CHANGE_FLAG_UNBLOCK, MDC_PIN_ID_RESET_CODE, MDC_PIN_RESET_CODE,
                        ROLE_USER, MDC_PIN_USER, &left),
                 SCARD_S_SUCCESS);
    }
    /* Whatever happened above, the admin can always restore the card for later cases. */
    DWORD left;
    if (h_auth(h, ROLE_USER, MDC_PIN_USER, &left) != SCARD_S_SUCCESS)
        change(h, PIN_CHANGE_FLAG_UNBLOCK, ROLE_ADMIN, MDC_PIN_ADMIN, ROLE_USER, MDC_PIN_USER,
               NULL);
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, &left), SCARD_S_SUCCESS);
    CHECK(h_sign_and_verify(h, MDC_CNTR_AUT, "unblocked by reset code"));
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static void pin_unblock_admin(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    if (block_user_pin(h)) {
        DWORD left = 0;
        CHECK_RV(change(h, PIN_CHANGE_FLAG_UNBLOCK, ROLE_ADMIN, MDC_PIN_ADMIN, ROLE_USER,
                        MDC_PIN_USER, &left),
                 SCARD_S_SUCCESS);
    }
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    /* The legacy entry point: CardUnblockPin with the admin PIN as the response. */
    if (block_user_pin(h)) {
        CHECK_RV(h->cd->pfnCardUnblockPin(h->cd, wszCARD_USER_USER, (PBYTE)MDC_PIN_ADMIN, 8,
                                          (PBYTE)MDC_PIN_USER, 6, 0,
                                          CARD_AUTHENTICATE_PIN_PIN),
                 SCARD_S_SUCCESS);
    }
    DWORD left;
    if (h_auth(h, ROLE_USER, MDC_PIN_USER, &left) != SCARD_S_SUCCESS)
        change(h, PIN_CHANGE_FLAG_UNBLOCK, ROLE_ADMIN, MDC_PIN_ADMIN, ROLE_USER, MDC_PIN_USER,
               NULL);
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static void pin_authenticated_state(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    PIN_SET set = 0xFF;
    DWORD len = 0;
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_AUTHENTICATED_STATE, (PBYTE)&set,
                                       sizeof set, &len, 0),
             SCARD_S_SUCCESS);
    CHECK(len == sizeof set && !IS_PIN_SET(set, ROLE_USER));
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_AUTHENTICATED_STATE, (PBYTE)&set,
                                       sizeof set, &len, 0),
             SCARD_S_SUCCESS);
    CHECK(IS_PIN_SET(set, ROLE_USER));
    CHECK_RV(h->cd->pfnCardDeauthenticateEx(h->cd, CREATE_PIN_SET(ROLE_USER), 0),
             SCARD_S_SUCCESS);
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_AUTHENTICATED_STATE, (PBYTE)&set,
                                       sizeof set, &len, 0),
             SCARD_S_SUCCESS);
    CHECK(!IS_PIN_SET(set, ROLE_USER));
    h_close(h);
}

const t_case mdc_pin_cases[] = {
    { "pin.wrong", pin_wrong, NULL },
    { "pin.length_limits", pin_length_limits, NULL },
    { "pin.change", pin_change, NULL },
    { "pin.unblock_reset_code", pin_unblock_reset_code, NULL },
    { "pin.unblock_admin", pin_unblock_admin, NULL },
    { "pin.authenticated_state", pin_authenticated_state, NULL },
};
const size_t mdc_pin_count = sizeof mdc_pin_cases / sizeof mdc_pin_cases[0];
