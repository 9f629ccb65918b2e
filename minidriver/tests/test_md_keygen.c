/* Key generation under opgp's vendor key specs (VENDOR.md) on a blank simulated card: Ed25519
 * in the signature container, X25519 in the decryption container, brainpool in the
 * authentication container; secp256k1 (OID 1.3.132.0.10) ECDSA in the signature and
 * authentication containers and ECDH in the decryption container. Each new key is used
 * (signature verified, ECDH secret compared with OpenSSL's), its fingerprint is checked against
 * one computed here from the public key and the generation time (RFC 4880 v4 with the RFC 6637
 * / draft-ietf-openpgp-rfc4880bis encodings), a secp256k1 point against the simulator's key,
 * and the combinations that cannot be are refused before anything reaches the card. */
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
#include <openssl/params.h>

#include "md.h"
#include "md_test_env.h"
#include "opgp/minidriver_vendor.h"

static const uint8_t der_ed25519[] = { 0x06, 0x03, 0x2B, 0x65, 0x70 };       /* RFC 8410 */
static const uint8_t der_x25519[] = { 0x06, 0x03, 0x2B, 0x65, 0x6E };        /* RFC 8410 */
static const uint8_t der_bp384[] = { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02,
                                     0x08, 0x01, 0x01, 0x0B };
static const uint8_t der_k1[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A }; /* secp256k1 */
#define K1_OID (der_k1 + 2)
#define K1_OID_LEN 5
static const uint8_t pgp_ed25519[] = { 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01 };
static const uint8_t pgp_x25519[] = { 0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05,
                                      0x01 };

/* A blank card, the admin PIN verified: ready to generate. */
static void open_blank_as_admin(md_env *e)
{
    md_env_open(e, NULL, NULL);
    md_env_login(e, ROLE_ADMIN, OPGP_SIM_PW3);
}

static DWORD gen(md_env *e, BYTE index, DWORD spec, DWORD bits, const uint8_t *oid)
{
    return e->cd.pfnCardCreateContainerEx(&e->cd, index, CARD_CREATE_CONTAINER_KEY_GEN, spec,
                                          bits, (PBYTE)oid, ROLE_USER);
}

static size_t prop(md_env *e, BYTE index, LPCWSTR name, uint8_t *buf, size_t cap)
{
    DWORD got = 0;
    assert_rv(e->cd.pfnCardGetContainerProperty(&e->cd, index, name, buf, (DWORD)cap, &got, 0),
              SCARD_S_SUCCESS);
    return got;
}

/* The v4 fingerprint of an EC key: SHA-1 over 99, length, the public key packet body (version
 * 4, time, algorithm, OID, the point as an MPI of bits bits, and for ECDH (18) the KDF
 * parameters). The point: 40||X for Curve25519 (263 bits), 04||X||Y for secp256k1 (515). */
static void fingerprint_ec(uint8_t algo, const uint8_t *oid, size_t oid_len, const uint8_t *pt,
                           size_t pt_len, unsigned bits, const uint8_t created[4],
                           uint8_t fpr[20])
{
    uint8_t body[100];
    size_t n = 0;
    assert_true(8 + oid_len + 2 + pt_len + 4 <= sizeof body);
    body[n++] = 4;
    memcpy(body + n, created, 4);
    n += 4;
    body[n++] = algo;
    body[n++] = (uint8_t)oid_len;
    memcpy(body + n, oid, oid_len);
    n += oid_len;
    body[n++] = (uint8_t)(bits >> 8);
    body[n++] = (uint8_t)bits;
    memcpy(body + n, pt, pt_len);
    n += pt_len;
    if (algo == 18) { /* KDF: SHA-256, AES-128 */
        static const uint8_t kdf[] = { 0x03, 0x01, 0x08, 0x07 };
        memcpy(body + n, kdf, sizeof kdf);
        n += sizeof kdf;
    }
    uint8_t pkt[3 + sizeof body];
    pkt[0] = 0x99;
    pkt[1] = (uint8_t)(n >> 8);
    pkt[2] = (uint8_t)n;
    memcpy(pkt + 3, body, n);
    unsigned int len = 0;
    assert_int_equal(EVP_Digest(pkt, 3 + n, fpr, &len, EVP_sha1(), NULL), 1);
    assert_int_equal(len, 20);
}

/* Container index reports a generation time and the fingerprint of its key (fingerprint_ec's
 * point and bits). */
static void assert_fingerprint(md_env *e, BYTE index, uint8_t algo, const uint8_t *oid,
                               size_t oid_len, const uint8_t *pt, size_t pt_len, unsigned bits)
{
    uint8_t created[4], fpr[20], want[20];
    assert_int_equal(prop(e, index, CCP_OPGP_GENERATION_TIME, created, sizeof created), 4);
    assert_int_not_equal(created[0] | created[1] | created[2] | created[3], 0);
    assert_int_equal(prop(e, index, CCP_OPGP_FINGERPRINT, fpr, sizeof fpr), 20);
    fingerprint_ec(algo, oid, oid_len, pt, pt_len, bits, created, want);
    assert_memory_equal(fpr, want, 20);
}

/* An OpenSSL public key on the named curve group from an uncompressed point. */
static EVP_PKEY *ec_key(const char *group, const uint8_t *pt, size_t len)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt, len),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *k = NULL;
    assert_int_equal(EVP_PKEY_fromdata_init(fc), 1);
    assert_int_equal(EVP_PKEY_fromdata(fc, &k, EVP_PKEY_PUBLIC_KEY, params), 1);
    EVP_PKEY_CTX_free(fc);
    return k;
}

/* Container index holds a new key of OpenPGP algorithm algo on the curve oid (OpenPGP's OID
 * bytes); its public key (pub_len bytes) into pub. */
static void assert_new_key(md_env *e, BYTE index, uint8_t algo, const uint8_t *oid,
                           size_t oid_len, uint8_t *pub, size_t pub_len)
{
    uint8_t attr[16];
    size_t alen = prop(e, index, CCP_OPGP_ALGORITHM, attr, sizeof attr);
    assert_int_equal(alen, 1 + oid_len);
    assert_int_equal(attr[0], algo);
    assert_memory_equal(attr + 1, oid, oid_len);
    assert_int_equal(prop(e, index, CCP_OPGP_PUBLIC_KEY, pub, pub_len), pub_len);
}

/* A Curve25519 key generated in container index (key spec, the curve as DER OID or NULL), of
 * OpenPGP algorithm algo with OpenPGP OID oid: its attributes and fingerprint checked, its
 * public key in pub. */
static void generate_25519(md_env *e, BYTE index, DWORD spec, const uint8_t *der_oid,
                           uint8_t algo, const uint8_t *oid, size_t oid_len, uint8_t pub[32])
{
    assert_rv(gen(e, index, spec, 0, der_oid), SCARD_S_SUCCESS);
    assert_new_key(e, index, algo, oid, oid_len, pub, 32);
    uint8_t pt[33] = { 0x40 };
    memcpy(pt + 1, pub, 32);
    assert_fingerprint(e, index, algo, oid, oid_len, pt, sizeof pt, 263);
}

/* Container index holds a new secp256k1 key of OpenPGP algorithm algo, the key the card holds
 * in sim_slot, with the fingerprint computed here. Its point into pt. */
static void assert_new_k1_key(md_env *e, BYTE index, int sim_slot, uint8_t algo, uint8_t pt[65])
{
    assert_new_key(e, index, algo, K1_OID, K1_OID_LEN, pt, 65);
    assert_int_equal(pt[0], 0x04);
    EVP_PKEY *card = opgp_sim_public_key(e->sim, sim_slot);
    assert_non_null(card);
    uint8_t want[80];
    size_t wl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(card, OSSL_PKEY_PARAM_PUB_KEY, want,
                                                     sizeof want, &wl), 1);
    EVP_PKEY_free(card);
    assert_int_equal(wl, 65);
    assert_memory_equal(pt, want, 65);
    assert_fingerprint(e, index, algo, K1_OID, K1_OID_LEN, pt, 65, 515);
}

/* ECDSA with container index (vendor key spec) over SHA-256 of msg, verified with pt's key. */
static void assert_k1_signs(md_env *e, BYTE index, const uint8_t pt[65], const char *msg)
{
    uint8_t h[32];
    unsigned int hl = 0;
    assert_int_equal(EVP_Digest(msg, strlen(msg), h, &hl, EVP_sha256(), NULL), 1);
    CARD_SIGNING_INFO si;
    md_signing_info(&si, index, AT_OPGP_ECDSA, 0, h, sizeof h);
    assert_rv(e->cd.pfnCardSignData(&e->cd, &si), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, 64);
    EVP_PKEY *k = ec_key("secp256k1", pt, 65);
    md_verify_ecdsa(k, si.pbSignedData, 32, h, sizeof h);
    EVP_PKEY_free(k);
    md_free(si.pbSignedData);
}

static void test_refused(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, NULL, NULL);
    /* Without the admin PIN the card refuses. */
    assert_rv(gen(&e, 1, AT_OPGP_EDDSA, 0, NULL), SCARD_W_SECURITY_VIOLATION);
    md_env_login(&e, ROLE_ADMIN, OPGP_SIM_PW3);
    unsigned long before = md_env_apdus(&e);
    assert_rv(gen(&e, 2, AT_OPGP_EDDSA, 0, NULL), SCARD_E_INVALID_PARAMETER);       /* DEC */
    assert_rv(gen(&e, 1, AT_OPGP_ECDH, 0, der_x25519), SCARD_E_INVALID_PARAMETER);  /* SIG */
    assert_rv(gen(&e, 2, AT_OPGP_ECDH, 0, der_ed25519), SCARD_E_INVALID_PARAMETER);
    assert_rv(gen(&e, 1, AT_OPGP_ECDSA, 0, der_ed25519), SCARD_E_INVALID_PARAMETER);
    assert_rv(gen(&e, 1, AT_OPGP_ECDSA, 0, der_x25519), SCARD_E_INVALID_PARAMETER);
    assert_rv(gen(&e, 2, AT_OPGP_ECDH, 0, NULL), SCARD_E_INVALID_PARAMETER);
    assert_rv(gen(&e, 0, AT_OPGP_ECDSA, 0, NULL), SCARD_E_INVALID_PARAMETER);
    assert_rv(gen(&e, 1, AT_OPGP_EDDSA, 256, NULL), SCARD_E_INVALID_PARAMETER);
    assert_rv(gen(&e, 0, AT_OPGP_ECDSA, 256, der_bp384), SCARD_E_INVALID_PARAMETER);
    static const uint8_t unknown[] = { 0x06, 0x03, 0x2B, 0x65, 0x71 };             /* Ed448 */
    assert_rv(gen(&e, 1, AT_OPGP_EDDSA, 0, unknown), SCARD_E_INVALID_PARAMETER);
    static const uint8_t not_oid[] = { 0x04, 0x03, 0x2B, 0x65, 0x70 };
    assert_rv(gen(&e, 1, AT_OPGP_EDDSA, 0, not_oid), SCARD_E_INVALID_PARAMETER);
    /* secp256k1: 256 bits only, ECDH in the decryption container only, no EdDSA. */
    assert_rv(gen(&e, 1, AT_OPGP_ECDSA, 384, der_k1), SCARD_E_INVALID_PARAMETER);
    assert_rv(gen(&e, 1, AT_OPGP_ECDH, 256, der_k1), SCARD_E_INVALID_PARAMETER);  /* SIG */
    assert_rv(gen(&e, 0, AT_OPGP_ECDH, 0, der_k1), SCARD_E_INVALID_PARAMETER);    /* AUT */
    assert_rv(gen(&e, 2, AT_OPGP_ECDSA, 0, der_k1), SCARD_E_INVALID_PARAMETER);   /* DEC */
    assert_rv(gen(&e, 1, AT_OPGP_EDDSA, 0, der_k1), SCARD_E_INVALID_PARAMETER);
    static const uint8_t truncated_k1[] = { 0x06, 0x04, 0x2B, 0x81, 0x04, 0x00 };
    assert_rv(gen(&e, 1, AT_OPGP_ECDSA, 0, truncated_k1), SCARD_E_INVALID_PARAMETER);
    /* The vendor key specs generate; an import keeps cardmod's blobs. */
    assert_rv(e.cd.pfnCardCreateContainerEx(&e.cd, 1, CARD_CREATE_CONTAINER_KEY_IMPORT,
                                            AT_OPGP_EDDSA, 0, (PBYTE)der_ed25519, ROLE_USER),
              SCARD_E_INVALID_PARAMETER);
    assert_int_equal(md_env_apdus(&e), before); /* nothing reached the card */
    uint8_t role;
    DWORD got;
    assert_rv(e.cd.pfnCardGetContainerProperty(&e.cd, 1, CCP_OPGP_PUBLIC_KEY, &role, 1, &got, 0),
              SCARD_E_NO_KEY_CONTAINER);
    md_env_close(&e);
}

static void test_ed25519_sig(void **state)
{
    (void)state;
    md_env e;
    open_blank_as_admin(&e);
    uint8_t pub[32];
    generate_25519(&e, 1, AT_OPGP_EDDSA, NULL, 22, pgp_ed25519, sizeof pgp_ed25519, pub);
    md_assert_sim_raw_key(e.sim, OPGP_SIM_SIG, pub);

    /* It signs, and the signature verifies with the public key the container reports. */
    md_env_login(&e, MD_PIN_SIGN, OPGP_SIM_PW1);
    uint8_t msg[100];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(3 * i + 1);
    CARD_SIGNING_INFO si;
    md_signing_info(&si, 1, AT_OPGP_EDDSA, 0, msg, sizeof msg);
    si.dwSigningFlags = OPGP_SIGN_MESSAGE;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, 64);
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    md_verify_eddsa(k, si.pbSignedData, msg, sizeof msg);
    EVP_PKEY_free(k);
    md_free(si.pbSignedData);

    /* Generating again (the OpenPGP OID this time) replaces the key. */
    md_env_login(&e, ROLE_ADMIN, OPGP_SIM_PW3);
    uint8_t der_pgp[2 + sizeof pgp_ed25519] = { 0x06, sizeof pgp_ed25519 };
    memcpy(der_pgp + 2, pgp_ed25519, sizeof pgp_ed25519);
    assert_rv(gen(&e, 1, AT_OPGP_EDDSA, 255, der_pgp), SCARD_S_SUCCESS);
    uint8_t pub2[32];
    assert_int_equal(prop(&e, 1, CCP_OPGP_PUBLIC_KEY, pub2, sizeof pub2), 32);
    assert_memory_not_equal(pub, pub2, 32);
    md_env_close(&e);
}

static void test_x25519_dec(void **state)
{
    (void)state;
    md_env e;
    open_blank_as_admin(&e);
    uint8_t pub[32];
    generate_25519(&e, 2, AT_OPGP_ECDH, der_x25519, 18, pgp_x25519, sizeof pgp_x25519, pub);

    /* ECDH with the new key gives OpenSSL's secret. */
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    EVP_PKEY *card = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, 32);
    BYTE agreement = md_assert_x25519_agreement(&e, 2, card);
    EVP_PKEY_free(card);
    assert_rv(e.cd.pfnCardDestroyDHAgreement(&e.cd, agreement, 0), SCARD_S_SUCCESS);
    md_env_close(&e);
}

static void test_brainpool_aut(void **state)
{
    (void)state;
    md_env e;
    open_blank_as_admin(&e);
    assert_rv(gen(&e, 0, AT_OPGP_ECDSA, 384, der_bp384), SCARD_S_SUCCESS);
    uint8_t pt[97];
    assert_new_key(&e, 0, 0x13, der_bp384 + 2, der_bp384[1], pt, sizeof pt);
    assert_int_equal(pt[0], 0x04);

    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    uint8_t h[48];
    unsigned int hl;
    assert_int_equal(EVP_Digest("brainpool", 9, h, &hl, EVP_sha384(), NULL), 1);
    CARD_SIGNING_INFO si;
    md_signing_info(&si, 0, AT_OPGP_ECDSA, 0, h, sizeof h);
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, 96);
    /* Verify with an OpenSSL key made of the reported point. */
    EVP_PKEY *k = ec_key("brainpoolP384r1", pt, sizeof pt);
    md_verify_ecdsa(k, si.pbSignedData, 48, h, sizeof h);
    EVP_PKEY_free(k);
    md_free(si.pbSignedData);
    md_env_close(&e);
}

static void test_secp256k1(void **state)
{
    (void)state;
    md_env e;
    open_blank_as_admin(&e);
    uint8_t sig_pt[65], dec_pt[65], aut_pt[65];
    assert_rv(gen(&e, 1, AT_OPGP_ECDSA, 256, der_k1), SCARD_S_SUCCESS);
    assert_new_k1_key(&e, 1, OPGP_SIM_SIG, 0x13, sig_pt);
    assert_rv(gen(&e, 2, AT_OPGP_ECDH, 0, der_k1), SCARD_S_SUCCESS);
    assert_new_k1_key(&e, 2, OPGP_SIM_DEC, 0x12, dec_pt);
    assert_rv(gen(&e, 0, AT_OPGP_ECDSA, 0, der_k1), SCARD_S_SUCCESS);
    assert_new_k1_key(&e, 0, OPGP_SIM_AUT, 0x13, aut_pt);
    assert_memory_not_equal(sig_pt, aut_pt, 65);

    /* The signature key under its own PIN state, the authentication key under the user PIN. */
    md_env_login(&e, MD_PIN_SIGN, OPGP_SIM_PW1);
    assert_k1_signs(&e, 1, sig_pt, "secp256k1 signature key");
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    assert_k1_signs(&e, 0, aut_pt, "secp256k1 authentication key");
    opgp_sim_stats st;
    opgp_sim_get_stats(e.sim, &st);
    assert_int_equal(st.signatures, 1);
    assert_int_equal(st.authentications, 1);

    /* ECDH with a fresh peer's raw point: CardDeriveKey's raw secret is OpenSSL's Z. */
    EVP_PKEY *peer = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    assert_non_null(peer);
    uint8_t peer_pt[65];
    size_t pl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(peer, OSSL_PKEY_PARAM_PUB_KEY, peer_pt,
                                                     sizeof peer_pt, &pl), 1);
    assert_int_equal(pl, 65);
    CARD_DH_AGREEMENT_INFO ai;
    md_dh_agreement_info(&ai, 2, OPGP_DH_RAW_PUBLIC_KEY, peer_pt, sizeof peer_pt);
    assert_rv(e.cd.pfnCardConstructDHAgreement(&e.cd, &ai), SCARD_S_SUCCESS);
    PUCHAR key = NULL;
    DWORD klen = 0;
    assert_rv(md_env_raw_secret(&e, ai.bSecretAgreementIndex, NULL, 0, &key, &klen),
              SCARD_S_SUCCESS);
    assert_int_equal(klen, 32);
    EVP_PKEY *card = ec_key("secp256k1", dec_pt, sizeof dec_pt);
    uint8_t z[32];
    assert_int_equal(md_openssl_z(peer, card, z, sizeof z), 32);
    /* little-endian, as BCryptDeriveKey gives it: Z reversed */
    uint8_t z_le[32];
    for (size_t i = 0; i < 32; i++)
        z_le[i] = z[31 - i];
    assert_memory_equal(key, z_le, 32);
    md_free(key);
    EVP_PKEY_free(card);
    EVP_PKEY_free(peer);
    assert_rv(e.cd.pfnCardDestroyDHAgreement(&e.cd, ai.bSecretAgreementIndex, 0),
              SCARD_S_SUCCESS);
    md_env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_ed25519_sig),
        cmocka_unit_test(test_x25519_dec),
        cmocka_unit_test(test_brainpool_aut),
        cmocka_unit_test(test_secp256k1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
