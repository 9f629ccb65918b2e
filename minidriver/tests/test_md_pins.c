/* PIN roles against a simulated card: verification, wrong and short PINs (never resent),
 * blocking, Reset Code, change, legacy entry points, the one-signature PW1 policy, card reset. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "md.h"
#include "md_test_env.h"

static unsigned long verifies(const md_env *e)
{
    opgp_sim_stats st;
    opgp_sim_get_stats(e->sim, &st);
    return st.verifies;
}

static PIN_SET authenticated(md_env *e)
{
    PIN_SET s = 0xFFFF;
    DWORD n;
    assert_rv(e->cd.pfnCardGetProperty(&e->cd, CP_CARD_AUTHENTICATED_STATE, (PBYTE)&s,
                                              sizeof s, &n, 0), SCARD_S_SUCCESS);
    return s;
}

static DWORD sign_sig(md_env *e)
{
    uint8_t hash[32] = { 9 };
    CARD_SIGNING_INFO si;
    md_signing_info(&si, 1, AT_SIGNATURE, CALG_SHA_256, hash, sizeof hash);
    DWORD rv = e->cd.pfnCardSignData(&e->cd, &si);
    if (rv == SCARD_S_SUCCESS)
        md_free(si.pbSignedData);
    return rv;
}

static void test_verify_and_wrong(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    DWORD tries = 99;
    unsigned long v0 = verifies(&e);
    assert_rv(md_env_auth(&e, ROLE_USER, "000000", &tries), SCARD_W_WRONG_CHV);
    assert_int_equal(tries, 2);
    assert_int_equal(verifies(&e), v0 + 1); /* sent once, never again */
    /* Too short for PW1: refused without a VERIFY. */
    assert_rv(md_env_auth(&e, ROLE_USER, "123", &tries), SCARD_W_WRONG_CHV);
    assert_int_equal(tries, 2);
    assert_int_equal(verifies(&e), v0 + 1);
    assert_int_equal(authenticated(&e), PIN_SET_NONE);
    assert_rv(md_env_auth(&e, ROLE_USER, OPGP_SIM_PW1, &tries), SCARD_S_SUCCESS);
    assert_int_equal(authenticated(&e), CREATE_PIN_SET(ROLE_USER));
    /* The user PIN (82) does not unlock the signature key (81). */
    assert_rv(sign_sig(&e), SCARD_W_SECURITY_VIOLATION);
    assert_rv(md_env_auth(&e, MD_PIN_SIGN, OPGP_SIM_PW1, &tries), SCARD_S_SUCCESS);
    assert_rv(sign_sig(&e), SCARD_S_SUCCESS);
    assert_rv(e.cd.pfnCardDeauthenticateEx(&e.cd, CREATE_PIN_SET(MD_PIN_SIGN), 0),
                     SCARD_S_SUCCESS);
    assert_int_equal(authenticated(&e), CREATE_PIN_SET(ROLE_USER));
    assert_rv(sign_sig(&e), SCARD_W_SECURITY_VIOLATION);
    /* Reset Code cannot be "verified" on its own. */
    assert_rv(md_env_auth(&e, MD_PIN_RESET_CODE, OPGP_SIM_RC, &tries), SCARD_E_UNSUPPORTED_FEATURE);
    md_env_close(&e);
}

static void test_legacy_user(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    DWORD tries;
    WCHAR user[8], admin[8];
    md_w(user, "user");
    md_w(admin, "admin");
    assert_rv(e.cd.pfnCardAuthenticatePin(&e.cd, user, (PBYTE)OPGP_SIM_PW1, 6, &tries),
                     SCARD_S_SUCCESS);
    assert_int_equal(authenticated(&e), CREATE_PIN_SET(ROLE_USER) | CREATE_PIN_SET(MD_PIN_SIGN));
    assert_rv(sign_sig(&e), SCARD_S_SUCCESS);
    assert_rv(e.cd.pfnCardDeauthenticate(&e.cd, user, 0), SCARD_S_SUCCESS);
    assert_int_equal(authenticated(&e), PIN_SET_NONE);
    assert_rv(sign_sig(&e), SCARD_W_SECURITY_VIOLATION);
    assert_rv(e.cd.pfnCardAuthenticatePin(&e.cd, admin, (PBYTE) "87654321", 8, &tries),
                     SCARD_W_WRONG_CHV);
    assert_int_equal(tries, 2);
    /* Change PW1 the v5 way, then use the new one. */
    assert_rv(e.cd.pfnCardChangeAuthenticator(&e.cd, user, (PBYTE)OPGP_SIM_PW1, 6,
                                                     (PBYTE) "24680246", 8, 0,
                                                     CARD_AUTHENTICATE_PIN_PIN, &tries),
                     SCARD_S_SUCCESS);
    assert_rv(md_env_auth(&e, ROLE_USER, OPGP_SIM_PW1, &tries), SCARD_W_WRONG_CHV);
    assert_rv(md_env_auth(&e, ROLE_USER, "24680246", &tries), SCARD_S_SUCCESS);
    md_env_close(&e);
}

static void test_block_and_unblock(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    DWORD tries = 99;
    assert_rv(md_env_auth(&e, ROLE_USER, "000001", &tries), SCARD_W_WRONG_CHV);
    assert_rv(md_env_auth(&e, ROLE_USER, "000002", &tries), SCARD_W_WRONG_CHV);
    DWORD rv = md_env_auth(&e, ROLE_USER, "000003", &tries);
    assert_true(rv == (DWORD)SCARD_W_WRONG_CHV || rv == (DWORD)SCARD_W_CHV_BLOCKED);
    assert_int_equal(tries, 0);
    unsigned long v = verifies(&e);
    /* Blocked: the right PIN is not even sent. */
    assert_rv(md_env_auth(&e, ROLE_USER, OPGP_SIM_PW1, &tries), SCARD_W_CHV_BLOCKED);
    assert_int_equal(verifies(&e), v);

    /* Wrong Reset Code, then the right one with a new PIN. */
    assert_rv(e.cd.pfnCardChangeAuthenticatorEx(&e.cd, PIN_CHANGE_FLAG_UNBLOCK,
                                                       MD_PIN_RESET_CODE, (PBYTE) "11111111", 8,
                                                       ROLE_USER, (PBYTE) "654321", 6, 0, &tries),
                     SCARD_W_WRONG_CHV);
    assert_int_equal(tries, 2);
    assert_rv(e.cd.pfnCardChangeAuthenticatorEx(&e.cd, PIN_CHANGE_FLAG_UNBLOCK,
                                                       MD_PIN_RESET_CODE, (PBYTE)OPGP_SIM_RC, 8,
                                                       ROLE_USER, (PBYTE) "654321", 6, 0, &tries),
                     SCARD_S_SUCCESS);
    assert_rv(md_env_auth(&e, ROLE_USER, "654321", &tries), SCARD_S_SUCCESS);

    /* The admin unblocks too (PW3 then RESET RETRY COUNTER P1 02), and sets a Reset Code. */
    WCHAR user[8];
    md_w(user, "user");
    assert_rv(e.cd.pfnCardUnblockPin(&e.cd, user, (PBYTE)OPGP_SIM_PW3, 8,
                                            (PBYTE) "135791", 6, 0, CARD_AUTHENTICATE_PIN_PIN),
                     SCARD_S_SUCCESS);
    assert_rv(md_env_auth(&e, ROLE_USER, "135791", &tries), SCARD_S_SUCCESS);
    assert_rv(e.cd.pfnCardChangeAuthenticatorEx(&e.cd, PIN_CHANGE_FLAG_CHANGEPIN,
                                                       ROLE_ADMIN, (PBYTE)OPGP_SIM_PW3, 8,
                                                       MD_PIN_RESET_CODE, (PBYTE) "22446688", 8,
                                                       0, &tries), SCARD_S_SUCCESS);
    assert_rv(e.cd.pfnCardChangeAuthenticatorEx(&e.cd, PIN_CHANGE_FLAG_UNBLOCK,
                                                       MD_PIN_RESET_CODE, (PBYTE) "22446688", 8,
                                                       MD_PIN_SIGN, (PBYTE) "975310", 6, 0, &tries),
                     SCARD_S_SUCCESS);
    assert_rv(md_env_auth(&e, MD_PIN_SIGN, "975310", &tries), SCARD_S_SUCCESS);
    md_env_close(&e);
}

static void test_one_signature_policy(void **state)
{
    (void)state;
    opgp_sim_options o;
    memset(&o, 0, sizeof o);
    o.pin_per_signature = true;
    md_env e;
    md_env_open(&e, "rsa2048", &o);
    PIN_INFO pi;
    DWORD n;
    assert_rv(e.cd.pfnCardGetProperty(&e.cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &n,
                                             MD_PIN_SIGN), SCARD_S_SUCCESS);
    assert_int_equal(pi.PinCachePolicy.PinCachePolicyType, PinCacheAlwaysPrompt);
    assert_rv(e.cd.pfnCardGetProperty(&e.cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &n,
                                             ROLE_USER), SCARD_S_SUCCESS);
    assert_int_equal(pi.PinCachePolicy.PinCachePolicyType, PinCacheNormal);
    DWORD tries;
    assert_rv(md_env_auth(&e, MD_PIN_SIGN, OPGP_SIM_PW1, &tries), SCARD_S_SUCCESS);
    assert_rv(sign_sig(&e), SCARD_S_SUCCESS);
    assert_false(IS_PIN_SET(authenticated(&e), MD_PIN_SIGN));
    assert_rv(sign_sig(&e), SCARD_W_SECURITY_VIOLATION);

    PIN_SET pins;
    assert_rv(e.cd.pfnCardGetProperty(&e.cd, CP_CARD_LIST_PINS, (PBYTE)&pins, sizeof pins,
                                             &n, 0), SCARD_S_SUCCESS);
    assert_int_equal(pins, 0x1E);
    DWORD strength;
    assert_rv(e.cd.pfnCardGetProperty(&e.cd, CP_CARD_PIN_STRENGTH_VERIFY, (PBYTE)&strength,
                                             sizeof strength, &n, ROLE_USER), SCARD_S_SUCCESS);
    assert_int_equal(strength, CARD_PIN_STRENGTH_PLAINTEXT);
    md_env_close(&e);
}

static void test_card_reset(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    DWORD tries;
    assert_rv(md_env_auth(&e, MD_PIN_SIGN, OPGP_SIM_PW1, &tries), SCARD_S_SUCCESS);
    opgp_sim_fault_spec f = { OPGP_SIM_FAULT_RESET, 0, 1, 0, 0 };
    opgp_sim_fault(e.sim, &f);
    assert_rv(sign_sig(&e), SCARD_W_RESET_CARD);
    assert_int_equal(authenticated(&e), PIN_SET_NONE);
    /* The context works on: authenticate again and sign. */
    assert_rv(md_env_auth(&e, MD_PIN_SIGN, OPGP_SIM_PW1, &tries), SCARD_S_SUCCESS);
    assert_rv(sign_sig(&e), SCARD_S_SUCCESS);
    md_env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_and_wrong),
        cmocka_unit_test(test_legacy_user),
        cmocka_unit_test(test_block_and_unblock),
        cmocka_unit_test(test_one_signature_policy),
        cmocka_unit_test(test_card_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
