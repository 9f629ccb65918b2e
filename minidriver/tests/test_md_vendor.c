/* opgp's vendor extensions (VENDOR.md) on a simulated card, checked with OpenSSL: the raw
 * ECDH secret (BCRYPT_KDF_RAW_SECRET), ECDSA on brainpool and EdDSA through the vendor key
 * specs, ECDH on brainpool and X25519 with raw public keys, key roles and certificates of
 * containers Windows cannot see, the card properties (cardholder name, PIN tries, random) and
 * unblocking PW1 with an already verified admin PIN. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "md.h"
#include "md_test_env.h"
#include "opgp/minidriver_vendor.h"

static void sha256(const void *in, size_t len, uint8_t out[32])
{
    unsigned int n;
    assert_int_equal(EVP_Digest(in, len, out, &n, EVP_sha256(), NULL), 1);
}

/* The uncompressed point of an EC key. */
static size_t ec_point(EVP_PKEY *k, uint8_t *out, size_t cap)
{
    size_t len = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out,
                                                     cap, &len), 1);
    assert_int_equal(out[0], 0x04);
    return len;
}

static void assert_reversed(const uint8_t *le, const uint8_t *be, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(le[i], be[n - 1 - i]);
}

static void test_raw_secret_p256(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "p256", NULL);
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    EVP_PKEY *peer = EVP_EC_gen("P-256");
    uint8_t pt[65], blob[72];
    assert_int_equal(ec_point(peer, pt, sizeof pt), 65);
    uint32_t magic = BCRYPT_ECDH_PUBLIC_P256_MAGIC, cb = 32;
    memcpy(blob, &magic, 4);
    memcpy(blob + 4, &cb, 4);
    memcpy(blob + 8, pt + 1, 64);
    CARD_DH_AGREEMENT_INFO ai;
    md_dh_agreement_info(&ai, 2, 0, blob, sizeof blob);
    assert_rv(e.cd.pfnCardConstructDHAgreement(&e.cd, &ai), SCARD_S_SUCCESS);
    EVP_PKEY *card = opgp_sim_public_key(e.sim, OPGP_SIM_DEC);
    uint8_t z[32];
    assert_int_equal(md_openssl_z(peer, card, z, sizeof z), 32);

    PUCHAR key;
    DWORD klen;
    assert_rv(md_env_raw_secret(&e, ai.bSecretAgreementIndex, NULL, 0, &key, &klen),
              SCARD_S_SUCCESS);
    assert_int_equal(klen, 32);
    assert_reversed(key, z, 32); /* little-endian, as BCryptDeriveKey gives it */
    md_free(key);
    /* No parameters and no flags for this KDF. */
    uint8_t pre[1] = { 1 };
    BCryptBuffer b = { 1, KDF_SECRET_PREPEND, pre };
    BCryptBufferDesc desc = { BCRYPTBUFFER_VERSION, 1, &b };
    assert_rv(md_env_raw_secret(&e, ai.bSecretAgreementIndex, &desc, 0, &key, &klen),
              SCARD_E_INVALID_PARAMETER);
    assert_rv(md_env_raw_secret(&e, ai.bSecretAgreementIndex, NULL, 1, &key, &klen),
              SCARD_E_INVALID_PARAMETER);
    /* The same secret through the vendor raw point form. */
    ai.dwFlags = OPGP_DH_RAW_PUBLIC_KEY;
    ai.pbPublicKey = pt;
    ai.dwPublicKey = sizeof pt;
    assert_rv(e.cd.pfnCardConstructDHAgreement(&e.cd, &ai), SCARD_S_SUCCESS);
    assert_rv(md_env_raw_secret(&e, ai.bSecretAgreementIndex, NULL, 0, &key, &klen),
              SCARD_S_SUCCESS);
    assert_int_equal(klen, 32);
    assert_reversed(key, z, 32);
    md_free(key);
    EVP_PKEY_free(card);
    EVP_PKEY_free(peer);
    md_env_close(&e);
}

static void test_brainpool(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "bp256", NULL);
    /* Windows does not see the containers; opgp's properties do. */
    CONTAINER_INFO ci = { CONTAINER_INFO_CURRENT_VERSION, 0, 0, NULL, 0, NULL };
    assert_rv(e.cd.pfnCardGetContainerInfo(&e.cd, 1, 0, &ci), SCARD_E_NO_KEY_CONTAINER);
    BYTE roles[3];
    for (BYTE i = 0; i < 3; i++) {
        DWORD got = 0;
        assert_rv(e.cd.pfnCardGetContainerProperty(&e.cd, i, CCP_OPGP_KEY_ROLE, &roles[i], 1,
                                                   &got, 0), SCARD_S_SUCCESS);
        assert_int_equal(got, 1);
    }
    assert_int_equal(roles[0], OPGP_KEY_ROLE_AUT);
    assert_int_equal(roles[1], OPGP_KEY_ROLE_SIG);
    assert_int_equal(roles[2], OPGP_KEY_ROLE_DEC);
    /* The certificate of a container Windows cannot see. */
    size_t want_len;
    const uint8_t *want = opgp_sim_certificate(e.sim, OPGP_SIM_SIG, &want_len);
    assert_non_null(want);
    uint8_t cert[4096];
    DWORD got = 0;
    assert_rv(e.cd.pfnCardGetContainerProperty(&e.cd, 1, CCP_OPGP_CERTIFICATE, cert, 10, &got, 0),
              ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(got, want_len);
    assert_rv(e.cd.pfnCardGetContainerProperty(&e.cd, 1, CCP_OPGP_CERTIFICATE, cert, sizeof cert,
                                               &got, 0), SCARD_S_SUCCESS);
    assert_memory_equal(cert, want, want_len);

    md_env_login(&e, MD_PIN_SIGN, OPGP_SIM_PW1);
    uint8_t h[32];
    sha256("brainpool", 9, h);
    CARD_SIGNING_INFO si;
    md_signing_info(&si, 1, AT_ECDSA_P256, 0, h, sizeof h);
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_E_INVALID_PARAMETER);
    si.dwKeySpec = AT_OPGP_EDDSA;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_E_INVALID_PARAMETER);
    si.dwKeySpec = AT_OPGP_ECDSA;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, 64);
    EVP_PKEY *k = opgp_sim_public_key(e.sim, OPGP_SIM_SIG);
    md_verify_ecdsa(k, si.pbSignedData, 32, h, sizeof h);
    EVP_PKEY_free(k);
    md_free(si.pbSignedData);

    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    EVP_PKEY *peer = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "brainpoolP256r1");
    assert_non_null(peer);
    uint8_t pt[65];
    assert_int_equal(ec_point(peer, pt, sizeof pt), 65);
    CARD_DH_AGREEMENT_INFO ai;
    md_dh_agreement_info(&ai, 2, 0, pt, sizeof pt);
    /* Without the flag the point is no BCRYPT_ECCKEY_BLOB cardmod knows. */
    assert_rv(e.cd.pfnCardConstructDHAgreement(&e.cd, &ai), SCARD_E_INVALID_PARAMETER);
    ai.dwFlags = OPGP_DH_RAW_PUBLIC_KEY;
    ai.dwPublicKey = 64;
    assert_rv(e.cd.pfnCardConstructDHAgreement(&e.cd, &ai), SCARD_E_INVALID_PARAMETER);
    ai.dwPublicKey = sizeof pt;
    assert_rv(e.cd.pfnCardConstructDHAgreement(&e.cd, &ai), SCARD_S_SUCCESS);
    EVP_PKEY *card = opgp_sim_public_key(e.sim, OPGP_SIM_DEC);
    uint8_t z[32];
    assert_int_equal(md_openssl_z(peer, card, z, sizeof z), 32);
    PUCHAR key;
    DWORD klen;
    assert_rv(md_env_raw_secret(&e, ai.bSecretAgreementIndex, NULL, 0, &key, &klen),
              SCARD_S_SUCCESS);
    assert_int_equal(klen, 32);
    assert_reversed(key, z, 32);
    md_free(key);
    EVP_PKEY_free(card);
    EVP_PKEY_free(peer);
    md_env_close(&e);
}

static void test_curve25519(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "cv25519", NULL);
    md_env_login(&e, MD_PIN_SIGN, OPGP_SIM_PW1);
    uint8_t msg[300];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7);
    CARD_SIGNING_INFO si;
    md_signing_info(&si, 1, AT_OPGP_EDDSA, 0, msg, sizeof msg);
    /* The message flag is required: a digest passed by mistake is not signed. */
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_E_INVALID_PARAMETER);
    si.dwSigningFlags = OPGP_SIGN_MESSAGE | CARD_BUFFER_SIZE_ONLY;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, 64);
    si.dwSigningFlags = OPGP_SIGN_MESSAGE;
    si.aiHashAlg = CALG_SHA_256;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_E_INVALID_PARAMETER);
    si.aiHashAlg = 0;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, 64);
    EVP_PKEY *k = opgp_sim_public_key(e.sim, OPGP_SIM_SIG);
    md_verify_eddsa(k, si.pbSignedData, msg, sizeof msg);
    EVP_PKEY_free(k);
    md_free(si.pbSignedData);
    /* The message flag means nothing to ECDSA or RSA keys: refused. */
    md_signing_info(&si, 0, AT_OPGP_ECDSA, 0, msg, 32);
    si.dwSigningFlags = OPGP_SIGN_MESSAGE;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_E_INVALID_PARAMETER);

    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    EVP_PKEY *card = opgp_sim_public_key(e.sim, OPGP_SIM_DEC);
    md_assert_x25519_agreement(&e, 2, card);
    EVP_PKEY_free(card);
    md_env_close(&e);
}

static void tries(md_env *e, BYTE want_pw1, BYTE want_rc, BYTE want_pw3)
{
    BYTE v[3];
    DWORD got = 0;
    assert_rv(e->cd.pfnCardGetProperty(&e->cd, CP_OPGP_PIN_TRIES, v, sizeof v, &got, 0),
              SCARD_S_SUCCESS);
    assert_int_equal(got, 3);
    assert_int_equal(v[0], want_pw1);
    assert_int_equal(v[1], want_rc);
    assert_int_equal(v[2], want_pw3);
}

static void test_card_properties(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "p256", NULL);
    unsigned long before = md_env_apdus(&e);
    char name[64];
    DWORD got = 0;
    assert_rv(e.cd.pfnCardGetProperty(&e.cd, CP_OPGP_CARDHOLDER_NAME, (PBYTE)name, sizeof name,
                                      &got, 0), SCARD_S_SUCCESS);
    assert_int_equal(got, 10);
    assert_memory_equal(name, "Test<<Card", 10);
    assert_int_equal(md_env_apdus(&e), before + 1); /* one GET DATA 65 ... */
    assert_rv(e.cd.pfnCardGetProperty(&e.cd, CP_OPGP_CARDHOLDER_NAME, (PBYTE)name, sizeof name,
                                      &got, 0), SCARD_S_SUCCESS);
    tries(&e, 3, 3, 3);
    assert_int_equal(md_env_apdus(&e), before + 1); /* ... then nothing */
    /* A second context of the process answers the name from the CSP cache. */
    md_env e2;
    md_env_card_data(&e2, e.sim, CARD_DATA_CURRENT_VERSION);
    assert_rv(CardAcquireContext(&e2.cd, 0), SCARD_S_SUCCESS);
    unsigned long opened = md_env_apdus(&e);
    memset(name, 0, sizeof name);
    assert_rv(e2.cd.pfnCardGetProperty(&e2.cd, CP_OPGP_CARDHOLDER_NAME, (PBYTE)name,
                                       sizeof name, &got, 0), SCARD_S_SUCCESS);
    assert_int_equal(got, 10);
    assert_memory_equal(name, "Test<<Card", 10);
    assert_int_equal(md_env_apdus(&e), opened);
    assert_rv(e2.cd.pfnCardDeleteContext(&e2.cd), SCARD_S_SUCCESS);

    /* A wrong PIN shows in the counters without another APDU; a right one restores them. */
    DWORD left = 0;
    assert_rv(md_env_auth(&e, ROLE_USER, "999999", &left), SCARD_W_WRONG_CHV);
    assert_int_equal(left, 2);
    unsigned long after_wrong = md_env_apdus(&e);
    tries(&e, 2, 3, 3);
    assert_int_equal(md_env_apdus(&e), after_wrong);
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    tries(&e, 3, 3, 3);

    uint8_t a[40], b[40];
    assert_rv(e.cd.pfnCardGetProperty(&e.cd, CP_OPGP_RANDOM, a, sizeof a, &got, 0),
              SCARD_S_SUCCESS);
    assert_int_equal(got, sizeof a);
    assert_rv(e.cd.pfnCardGetProperty(&e.cd, CP_OPGP_RANDOM, b, sizeof b, &got, 0),
              SCARD_S_SUCCESS);
    assert_memory_not_equal(a, b, sizeof a);
    assert_rv(e.cd.pfnCardGetProperty(&e.cd, CP_OPGP_RANDOM, NULL, 0, &got, 0),
              SCARD_E_INVALID_PARAMETER);
    assert_rv(e.cd.pfnCardSetProperty(&e.cd, CP_OPGP_PIN_TRIES, a, 3, 0),
              SCARD_E_UNSUPPORTED_FEATURE);
    md_env_close(&e);
}

static DWORD unblock_by_admin(md_env *e, const char *admin, const char *new_pin)
{
    DWORD left = 0;
    return e->cd.pfnCardChangeAuthenticatorEx(&e->cd, PIN_CHANGE_FLAG_UNBLOCK, ROLE_ADMIN,
                                              (PBYTE)admin, admin ? (DWORD)strlen(admin) : 0,
                                              ROLE_USER, (PBYTE)new_pin,
                                              (DWORD)strlen(new_pin), 0, &left);
}

static void test_unblock_verified_admin(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    DWORD left = 0;
    for (int i = 0; i < 3; i++)
        (void)md_env_auth(&e, ROLE_USER, "999999", &left);
    assert_rv(md_env_auth(&e, ROLE_USER, OPGP_SIM_PW1, &left), SCARD_W_CHV_BLOCKED);
    tries(&e, 0, 3, 3);
    /* An empty admin authenticator needs the admin verified in this context. */
    opgp_sim_stats s0, s1;
    opgp_sim_get_stats(e.sim, &s0);
    assert_rv(unblock_by_admin(&e, NULL, "654321"), SCARD_W_SECURITY_VIOLATION);
    opgp_sim_get_stats(e.sim, &s1);
    assert_int_equal(s1.apdus, s0.apdus);
    md_env_login(&e, ROLE_ADMIN, OPGP_SIM_PW3);
    opgp_sim_get_stats(e.sim, &s0);
    assert_rv(unblock_by_admin(&e, NULL, "654321"), SCARD_S_SUCCESS);
    opgp_sim_get_stats(e.sim, &s1);
    assert_int_equal(s1.verifies, s0.verifies); /* PW3 not sent again */
    tries(&e, 3, 3, 3);
    md_env_login(&e, ROLE_USER, "654321");
    md_env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_secret_p256),
        cmocka_unit_test(test_brainpool),
        cmocka_unit_test(test_curve25519),
        cmocka_unit_test(test_card_properties),
        cmocka_unit_test(test_unblock_verified_admin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
