/* Private key operations through the minidriver on a simulated card, checked with OpenSSL:
 * RSA and ECDSA signatures, RSA decryption (both padding contracts), ECDH with the CNG KDFs,
 * key generation and import. */
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
#include <openssl/kdf.h>
#include <openssl/rsa.h>

#include "md.h"
#include "md_test_env.h"

static void sha(const char *md, const void *in, size_t len, uint8_t *out)
{
    unsigned int n;
    assert_int_equal(EVP_Digest(in, len, out, &n, EVP_get_digestbyname(md), NULL), 1);
}

static void verify_rsa(EVP_PKEY *k, const EVP_MD *md, const uint8_t *tbs, size_t tlen,
                       const uint8_t *sig_le, size_t slen)
{
    uint8_t sig[512];
    for (size_t i = 0; i < slen; i++)
        sig[i] = sig_le[slen - 1 - i];
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    assert_int_equal(EVP_PKEY_verify_init(c), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), 1);
    if (md != NULL)
        assert_int_equal(EVP_PKEY_CTX_set_signature_md(c, md), 1);
    assert_int_equal(EVP_PKEY_verify(c, sig, slen, tbs, tlen), 1);
    EVP_PKEY_CTX_free(c);
}

static void test_rsa_sign(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    uint8_t hash[64];
    sha("SHA256", "hello", 5, hash);

    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_BASIC_VERSION; /* the Base CSP's form: ALG_ID only */
    si.bContainerIndex = 1;
    si.dwKeySpec = AT_SIGNATURE;
    si.aiHashAlg = CALG_SHA_256;
    si.pbData = hash;
    si.cbData = 32;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_W_SECURITY_VIOLATION);
    md_env_login(&e, MD_PIN_SIGN, OPGP_SIM_PW1);
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, 256);
    EVP_PKEY *sig_key = opgp_sim_public_key(e.sim, OPGP_SIM_SIG);
    verify_rsa(sig_key, EVP_sha256(), hash, 32, si.pbSignedData, si.cbSignedData);
    md_free(si.pbSignedData);
    EVP_PKEY_free(sig_key);

    /* The KSP's form: padding info naming the hash; container 0 = AUT via INTERNAL AUTHENTICATE,
     * signed under the user PIN. */
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    sha("SHA512", "hello", 5, hash);
    BCRYPT_PKCS1_PADDING_INFO pi = { BCRYPT_SHA512_ALGORITHM };
    md_signing_info(&si, 0, AT_KEYEXCHANGE, 0, hash, 64);
    si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
    si.pPaddingInfo = &pi;
    si.dwPaddingType = CARD_PADDING_PKCS1;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    EVP_PKEY *aut_key = opgp_sim_public_key(e.sim, OPGP_SIM_AUT);
    verify_rsa(aut_key, EVP_sha512(), hash, 64, si.pbSignedData, si.cbSignedData);
    md_free(si.pbSignedData);

    /* TLS 1.0/1.1 client authentication: MD5||SHA-1, no DigestInfo. */
    uint8_t md5sha1[36];
    memset(md5sha1, 0x5A, sizeof md5sha1);
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_BASIC_VERSION;
    si.bContainerIndex = 0;
    si.dwKeySpec = AT_KEYEXCHANGE;
    si.aiHashAlg = CALG_SSL3_SHAMD5;
    si.pbData = md5sha1;
    si.cbData = 36;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    verify_rsa(aut_key, NULL, md5sha1, 36, si.pbSignedData, si.cbSignedData);
    md_free(si.pbSignedData);
    EVP_PKEY_free(aut_key);
    md_env_close(&e);
}

static void test_ecdsa_sign(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "p256", NULL);
    md_env_login(&e, MD_PIN_SIGN, OPGP_SIM_PW1);
    uint8_t hash[48];
    sha("SHA384", "message", 7, hash); /* longer than the curve: the card truncates */
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si.bContainerIndex = 1;
    si.dwKeySpec = AT_ECDSA_P256;
    /* RSA padding flags that some callers pass for ECDSA are ignored. */
    BCRYPT_PKCS1_PADDING_INFO pi = { BCRYPT_SHA384_ALGORITHM };
    si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
    si.pPaddingInfo = &pi;
    si.dwPaddingType = CARD_PADDING_PKCS1;
    si.pbData = hash;
    si.cbData = 48;
    assert_rv(e.cd.pfnCardSignData(&e.cd, &si), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, 64);
    EVP_PKEY *k = opgp_sim_public_key(e.sim, OPGP_SIM_SIG);
    md_verify_ecdsa(k, si.pbSignedData, 32, hash, 48);
    EVP_PKEY_free(k);
    md_free(si.pbSignedData);
    md_env_close(&e);
}

static size_t rsa_encrypt(EVP_PKEY *k, const uint8_t *msg, size_t mlen, uint8_t *out)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    size_t olen = 512;
    assert_int_equal(EVP_PKEY_encrypt_init(c), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), 1);
    assert_int_equal(EVP_PKEY_encrypt(c, out, &olen, msg, mlen), 1);
    EVP_PKEY_CTX_free(c);
    return olen;
}

static void test_rsa_decrypt(void **state)
{
    (void)state;
    /* A version 6 CSP: it may pass the version 1 structure. */
    md_env e;
    md_env_card_data(&e, md_env_sim("rsa2048", NULL), CARD_DATA_VERSION_SIX);
    assert_rv(CardAcquireContext(&e.cd, 0), SCARD_S_SUCCESS);
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    EVP_PKEY *k = opgp_sim_public_key(e.sim, OPGP_SIM_DEC);
    uint8_t msg[32], ct[512], buf[512];
    for (int i = 0; i < 32; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    size_t clen = rsa_encrypt(k, msg, sizeof msg, ct);
    assert_int_equal(clen, 256);

    /* Version 1 (Base CSP): the whole block comes back, little-endian, PKCS#1 type 2. */
    for (size_t i = 0; i < clen; i++)
        buf[i] = ct[clen - 1 - i];
    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_ONE;
    di.bContainerIndex = 2;
    di.dwKeySpec = AT_KEYEXCHANGE;
    di.pbData = buf;
    di.cbData = (DWORD)clen;
    assert_rv(e.cd.pfnCardRSADecrypt(&e.cd, &di), SCARD_S_SUCCESS);
    assert_int_equal(di.cbData, 256);
    uint8_t block[256];
    for (int i = 0; i < 256; i++)
        block[i] = buf[255 - i];
    assert_int_equal(block[0], 0);
    assert_int_equal(block[1], 2);
    for (int i = 2; i < 256 - 33; i++)
        assert_int_not_equal(block[i], 0);
    assert_int_equal(block[256 - 33], 0);
    assert_memory_equal(block + 256 - 32, msg, 32);

    /* Version 2 with PKCS#1: the message alone. */
    for (size_t i = 0; i < clen; i++)
        buf[i] = ct[clen - 1 - i];
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    di.dwPaddingType = CARD_PADDING_PKCS1;
    di.cbData = (DWORD)clen;
    assert_rv(e.cd.pfnCardRSADecrypt(&e.cd, &di), SCARD_S_SUCCESS);
    assert_int_equal(di.cbData, 32);
    for (int i = 0; i < 32; i++)
        assert_int_equal(buf[i], msg[31 - i]);
    EVP_PKEY_free(k);
    md_env_close(&e);
}

static void ecc_blob(EVP_PKEY *k, uint8_t out[72])
{
    BIGNUM *x = NULL, *y = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y), 1);
    uint32_t magic = BCRYPT_ECDH_PUBLIC_P256_MAGIC, cb = 32;
    memcpy(out, &magic, 4);
    memcpy(out + 4, &cb, 4);
    BN_bn2binpad(x, out + 8, 32);
    BN_bn2binpad(y, out + 40, 32);
    BN_free(x);
    BN_free(y);
}

static void test_ecdh(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "p256", NULL);
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    EVP_PKEY *peer = EVP_EC_gen("P-256");
    uint8_t blob[72];
    ecc_blob(peer, blob);
    CARD_DH_AGREEMENT_INFO ai;
    md_dh_agreement_info(&ai, 2, 0, blob, sizeof blob);
    blob[0] ^= 1; /* wrong magic */
    assert_rv(e.cd.pfnCardConstructDHAgreement(&e.cd, &ai), SCARD_E_INVALID_PARAMETER);
    blob[0] ^= 1;
    assert_rv(e.cd.pfnCardConstructDHAgreement(&e.cd, &ai), SCARD_S_SUCCESS);

    /* The same secret with OpenSSL: our peer private key, the card's DEC public key. */
    EVP_PKEY *card = opgp_sim_public_key(e.sim, OPGP_SIM_DEC);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(peer, NULL);
    uint8_t z[32];
    size_t zlen = sizeof z;
    assert_int_equal(EVP_PKEY_derive_init(c), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(c, card), 1);
    assert_int_equal(EVP_PKEY_derive(c, z, &zlen), 1);
    EVP_PKEY_CTX_free(c);

    /* HASH: SHA-256(prepend || Z || append) */
    uint8_t pre[3] = { 1, 2, 3 }, app[2] = { 9, 9 };
    WCHAR sha256[] = { 'S', 'H', 'A', '2', '5', '6', 0 };
    BCryptBuffer bufs[3] = {
        { sizeof sha256, KDF_HASH_ALGORITHM, sha256 },
        { sizeof pre, KDF_SECRET_PREPEND, pre },
        { sizeof app, KDF_SECRET_APPEND, app },
    };
    BCryptBufferDesc desc = { BCRYPTBUFFER_VERSION, 3, bufs };
    CARD_DERIVE_KEY dk;
    memset(&dk, 0, sizeof dk);
    dk.dwVersion = CARD_DERIVE_KEY_CURRENT_VERSION;
    dk.pwszKDF = BCRYPT_KDF_HASH;
    dk.bSecretAgreementIndex = ai.bSecretAgreementIndex;
    dk.pParameterList = &desc;
    dk.dwFlags = CARD_BUFFER_SIZE_ONLY; /* the size first, no key handed out */
    assert_rv(e.cd.pfnCardDeriveKey(&e.cd, &dk), SCARD_S_SUCCESS);
    assert_int_equal(dk.cbDerivedKey, 32);
    assert_null(dk.pbDerivedKey);
    dk.dwFlags = 0;
    dk.cbDerivedKey = 0;
    assert_rv(e.cd.pfnCardDeriveKey(&e.cd, &dk), SCARD_S_SUCCESS);
    uint8_t cat[64], want[64];
    memcpy(cat, pre, 3);
    memcpy(cat + 3, z, 32);
    memcpy(cat + 35, app, 2);
    sha("SHA256", cat, 37, want);
    assert_int_equal(dk.cbDerivedKey, 32);
    assert_memory_equal(dk.pbDerivedKey, want, 32);
    md_free(dk.pbDerivedKey);

    /* TLS_PRF (TLS 1.2) against OpenSSL's TLS1-PRF. */
    char label[] = "master secret";
    uint8_t seed[64];
    memset(seed, 0x42, sizeof seed);
    DWORD proto = TLS1_2_PROTOCOL_VERSION;
    BCryptBuffer tls[3] = {
        { (ULONG)strlen(label), KDF_TLS_PRF_LABEL, label },
        { sizeof seed, KDF_TLS_PRF_SEED, seed },
        { sizeof proto, KDF_TLS_PRF_PROTOCOL, &proto },
    };
    BCryptBufferDesc tdesc = { BCRYPTBUFFER_VERSION, 3, tls };
    dk.pwszKDF = BCRYPT_KDF_TLS_PRF;
    dk.pParameterList = &tdesc;
    dk.pbDerivedKey = NULL;
    assert_rv(e.cd.pfnCardDeriveKey(&e.cd, &dk), SCARD_S_SUCCESS);
    assert_int_equal(dk.cbDerivedKey, 48);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *kc = EVP_KDF_CTX_new(kdf);
    uint8_t both[13 + 64];
    memcpy(both, label, 13);
    memcpy(both + 13, seed, 64);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
        OSSL_PARAM_construct_octet_string("secret", z, 32),
        OSSL_PARAM_construct_octet_string("seed", both, sizeof both),
        OSSL_PARAM_construct_end(),
    };
    assert_int_equal(EVP_KDF_derive(kc, want, 48, params), 1);
    assert_memory_equal(dk.pbDerivedKey, want, 48);
    md_free(dk.pbDerivedKey);
    EVP_KDF_CTX_free(kc);
    EVP_KDF_free(kdf);

    /* SP800-56A concat, 40 bytes (two SHA-256 blocks). */
    uint8_t algid[4] = { 'A', 'E', 'S', 0 };
    BCryptBuffer cb[2] = { { sizeof sha256, KDF_HASH_ALGORITHM, sha256 },
                           { sizeof algid, KDF_ALGORITHMID, algid } };
    BCryptBufferDesc cdesc = { BCRYPTBUFFER_VERSION, 2, cb };
    dk.pwszKDF = BCRYPT_KDF_SP80056A_CONCAT;
    dk.pParameterList = &cdesc;
    dk.dwKeyLen = 40;
    dk.pbDerivedKey = NULL;
    dk.dwFlags = CARD_BUFFER_SIZE_ONLY;
    assert_rv(e.cd.pfnCardDeriveKey(&e.cd, &dk), SCARD_S_SUCCESS);
    assert_int_equal(dk.cbDerivedKey, 40);
    assert_null(dk.pbDerivedKey);
    dk.dwFlags = 0;
    assert_rv(e.cd.pfnCardDeriveKey(&e.cd, &dk), SCARD_S_SUCCESS);
    assert_int_equal(dk.cbDerivedKey, 40);
    uint8_t in[4 + 32 + 4] = { 0, 0, 0, 1 };
    memcpy(in + 4, z, 32);
    memcpy(in + 36, algid, 4);
    sha("SHA256", in, sizeof in, want);
    in[3] = 2;
    sha("SHA256", in, sizeof in, want + 32);
    assert_memory_equal(dk.pbDerivedKey, want, 40);
    md_free(dk.pbDerivedKey);

    assert_rv(e.cd.pfnCardDestroyDHAgreement(&e.cd, ai.bSecretAgreementIndex, 0),
                     SCARD_S_SUCCESS);
    assert_rv(e.cd.pfnCardDeriveKey(&e.cd, &dk), SCARD_E_INVALID_PARAMETER);
    EVP_PKEY_free(card);
    EVP_PKEY_free(peer);
    md_env_close(&e);
}

static void test_keygen(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, NULL, NULL); /* blank card */
    PBYTE p;
    DWORD n;
    CARD_FREE_SPACE_INFO fs = { 1, 0, 0, 0 };
    assert_rv(e.cd.pfnCardQueryFreeSpace(&e.cd, 0, &fs), SCARD_S_SUCCESS);
    assert_int_equal(fs.dwKeyContainersAvailable, 3);
    assert_rv(e.cd.pfnCardReadFile(&e.cd, (LPSTR) "mscp", (LPSTR) "cmapfile", 0, &p, &n),
                     SCARD_S_SUCCESS);
    uint8_t cf_before[6];
    md_free(p);
    assert_rv(e.cd.pfnCardReadFile(&e.cd, NULL, (LPSTR) "cardcf", 0, &p, &n), SCARD_S_SUCCESS);
    memcpy(cf_before, p, 6);
    md_free(p);

    assert_rv(e.cd.pfnCardCreateContainer(&e.cd, 1, CARD_CREATE_CONTAINER_KEY_GEN,
                                                 AT_ECDSA_P256, 256, NULL),
                     SCARD_W_SECURITY_VIOLATION);
    md_env_login(&e, ROLE_ADMIN, OPGP_SIM_PW3);
    assert_rv(e.cd.pfnCardCreateContainer(&e.cd, 1, CARD_CREATE_CONTAINER_KEY_GEN,
                                                 AT_ECDSA_P256, 256, NULL), SCARD_S_SUCCESS);
    assert_rv(e.cd.pfnCardReadFile(&e.cd, NULL, (LPSTR) "cardcf", 0, &p, &n), SCARD_S_SUCCESS);
    assert_memory_not_equal(p, cf_before, 6);
    md_free(p);
    CONTAINER_INFO ci = { 1, 0, 0, NULL, 0, NULL };
    assert_rv(e.cd.pfnCardGetContainerInfo(&e.cd, 1, 0, &ci), SCARD_S_SUCCESS);
    assert_int_equal(ci.cbSigPublicKey, 72);
    EVP_PKEY *k = opgp_sim_public_key(e.sim, OPGP_SIM_SIG);
    uint8_t want[72];
    ecc_blob(k, want);
    uint32_t magic = BCRYPT_ECDSA_PUBLIC_P256_MAGIC;
    memcpy(want, &magic, 4);
    assert_memory_equal(ci.pbSigPublicKey, want, 72);
    md_free(ci.pbSigPublicKey);
    EVP_PKEY_free(k);

    /* Import an RSA key into the decryption slot from a CryptoAPI PRIVATEKEYBLOB. */
    EVP_PKEY *rk = EVP_RSA_gen(2048);
    static const char *const names[] = { OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_FACTOR1,
                                         OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
                                         OSSL_PKEY_PARAM_RSA_EXPONENT2,
                                         OSSL_PKEY_PARAM_RSA_COEFFICIENT1, OSSL_PKEY_PARAM_RSA_D };
    static const int sizes[] = { 256, 128, 128, 128, 128, 128, 256 };
    uint8_t blob[20 + 256 * 2 + 128 * 5];
    blob[0] = PRIVATEKEYBLOB;
    blob[1] = CUR_BLOB_VERSION;
    blob[2] = blob[3] = 0;
    uint32_t v = CALG_RSA_KEYX;
    memcpy(blob + 4, &v, 4);
    v = 0x32415352u;
    memcpy(blob + 8, &v, 4);
    v = 2048;
    memcpy(blob + 12, &v, 4);
    v = 65537;
    memcpy(blob + 16, &v, 4);
    size_t off = 20;
    BIGNUM *nbn = NULL;
    for (int i = 0; i < 7; i++) {
        BIGNUM *b = NULL;
        assert_int_equal(EVP_PKEY_get_bn_param(rk, names[i], &b), 1);
        assert_int_equal(BN_bn2lebinpad(b, blob + off, sizes[i]), sizes[i]);
        off += (size_t)sizes[i];
        if (i == 0)
            nbn = b;
        else
            BN_free(b);
    }
    assert_rv(e.cd.pfnCardCreateContainer(&e.cd, 2, CARD_CREATE_CONTAINER_KEY_IMPORT,
                                                 AT_KEYEXCHANGE, 2048, blob), SCARD_S_SUCCESS);
    ci.dwVersion = 1;
    assert_rv(e.cd.pfnCardGetContainerInfo(&e.cd, 2, 0, &ci), SCARD_S_SUCCESS);
    BIGNUM *got = BN_lebin2bn(ci.pbKeyExPublicKey + 20, 256, NULL);
    assert_int_equal(BN_cmp(got, nbn), 0);
    BN_free(got);
    BN_free(nbn);
    md_free(ci.pbKeyExPublicKey);

    /* And it decrypts what OpenSSL encrypted to it. */
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    uint8_t msg[16] = "sixteen byte msg", ct[512], buf[512];
    size_t clen = rsa_encrypt(rk, msg, sizeof msg, ct);
    for (size_t i = 0; i < clen; i++)
        buf[i] = ct[clen - 1 - i];
    CARD_RSA_DECRYPT_INFO di = { CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO, 2, AT_KEYEXCHANGE, buf,
                                 (DWORD)clen, NULL, CARD_PADDING_PKCS1 };
    assert_rv(e.cd.pfnCardRSADecrypt(&e.cd, &di), SCARD_S_SUCCESS);
    assert_int_equal(di.cbData, 16);
    for (int i = 0; i < 16; i++)
        assert_int_equal(buf[i], msg[15 - i]);
    EVP_PKEY_free(rk);
    md_env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_sign),
        cmocka_unit_test(test_ecdsa_sign),
        cmocka_unit_test(test_rsa_decrypt),
        cmocka_unit_test(test_ecdh),
        cmocka_unit_test(test_keygen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
