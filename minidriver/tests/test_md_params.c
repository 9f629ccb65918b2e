/* Parameter validation of every entry point, and CardAcquireContext's checks, against a
 * simulated card behind the transport hook. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "md.h"
#include "md_test_env.h"

static void test_acquire_checks(void **state)
{
    (void)state;
    md_env e;
    opgp_sim *sim = md_env_sim("rsa2048", NULL);
    assert_rv(CardAcquireContext(NULL, 0), SCARD_E_INVALID_PARAMETER);

    md_env_card_data(&e, sim, 3);
    assert_rv(CardAcquireContext(&e.cd, 0), ERROR_REVISION_MISMATCH);

    md_env_card_data(&e, sim, 7);
    assert_rv(CardAcquireContext(&e.cd, 1), SCARD_E_INVALID_PARAMETER);

    md_env_card_data(&e, sim, 7);
    e.cd.pbAtr = NULL;
    assert_rv(CardAcquireContext(&e.cd, 0), SCARD_E_INVALID_PARAMETER);
    md_env_card_data(&e, sim, 7);
    e.cd.pwszCardName = NULL;
    assert_rv(CardAcquireContext(&e.cd, 0), SCARD_E_INVALID_PARAMETER);
    md_env_card_data(&e, sim, 7);
    e.cd.pfnCspAlloc = NULL;
    assert_rv(CardAcquireContext(&e.cd, 0), SCARD_E_INVALID_PARAMETER);
    md_env_card_data(&e, sim, 7);
    e.cd.hScard = 0;
    assert_rv(CardAcquireContext(&e.cd, 0), SCARD_E_INVALID_HANDLE);
    assert_null(e.cd.pvVendorSpecific);

    /* A newer CSP gets version 7 and the full table. */
    md_env_card_data(&e, sim, 9);
    assert_rv(CardAcquireContext(&e.cd, 0), SCARD_S_SUCCESS);
    assert_int_equal(e.cd.dwVersion, 7);
    assert_non_null(e.cd.pfnCardCreateContainerEx);
    assert_non_null(e.cd.pfnCardGetProperty);
    assert_ptr_equal(e.cd.pfnCardSignData, CardSignData);
    assert_null(e.cd.pvUnused3);
    assert_rv(e.cd.pfnCardDeleteContext(&e.cd), SCARD_S_SUCCESS);
    assert_null(e.cd.pvVendorSpecific);
    assert_rv(CardDeleteContext(&e.cd), SCARD_E_INVALID_PARAMETER);

    /* A v5 CSP: no v6/v7 entries written into a structure that has none. */
    md_env_card_data(&e, sim, 5);
    assert_rv(CardAcquireContext(&e.cd, 0), SCARD_S_SUCCESS);
    assert_int_equal(e.cd.dwVersion, 5);
    assert_non_null(e.cd.pfnCardDeriveKey);
    assert_null(e.cd.pfnCardGetProperty);
    assert_null(e.cd.pfnCardCreateContainerEx);
    md_env_close(&e);
}

static void test_not_openpgp(void **state)
{
    (void)state;
    md_env e;
    opgp_sim *sim = md_env_sim(NULL, NULL);
    md_env_card_data(&e, sim, 7);
    /* A card that does not answer SELECT: removed. */
    opgp_sim_power(sim, false);
    DWORD rv = CardAcquireContext(&e.cd, 0);
    assert_int_not_equal(rv, SCARD_S_SUCCESS);
    assert_null(e.cd.pvVendorSpecific);
    md_env_close(&e);
}

/* Every entry point refuses a NULL context and a context without vendor state. */
static void test_null_context(void **state)
{
    (void)state;
    const DWORD bad = SCARD_E_INVALID_PARAMETER;
    CARD_DATA empty;
    memset(&empty, 0, sizeof empty);
    PCARD_DATA cds[2] = { NULL, &empty };
    for (int i = 0; i < 2; i++) {
        PCARD_DATA d = cds[i];
        BYTE buf[64];
        DWORD n = 0;
        PBYTE p = NULL;
        CARD_CAPABILITIES cc = { 1, 0, 0 };
        CARD_FREE_SPACE_INFO fs = { 1, 0, 0, 0 };
        CARD_KEY_SIZES ks = { 1, 0, 0, 0, 0 };
        CONTAINER_INFO ci = { 1, 0, 0, NULL, 0, NULL };
        CARD_FILE_INFO fi = { 1, 0, InvalidAc };
        CARD_SIGNING_INFO si;
        memset(&si, 0, sizeof si);
        CARD_RSA_DECRYPT_INFO di;
        memset(&di, 0, sizeof di);
        CARD_DH_AGREEMENT_INFO ai;
        memset(&ai, 0, sizeof ai);
        CARD_DERIVE_KEY dk;
        memset(&dk, 0, sizeof dk);
        char file[] = "cardid", dir[] = "mscp";
        LPSTR names = NULL;
        CARD_KEY_HANDLE h = 0;
        assert_int_equal(CardDeleteContext(d), bad);
        assert_int_equal(CardQueryCapabilities(d, &cc), bad);
        assert_int_equal(CardDeleteContainer(d, 0, 0), bad);
        assert_int_equal(CardCreateContainer(d, 0, 1, AT_KEYEXCHANGE, 2048, NULL), bad);
        assert_int_equal(CardCreateContainerEx(d, 0, 1, AT_KEYEXCHANGE, 2048, NULL, 1), bad);
        assert_int_equal(CardGetContainerInfo(d, 0, 0, &ci), bad);
        assert_int_equal(CardAuthenticatePin(d, NULL, buf, 6, &n), bad);
        assert_int_equal(CardGetChallenge(d, &p, &n), bad);
        assert_int_equal(CardAuthenticateChallenge(d, buf, 8, &n), bad);
        assert_int_equal(CardUnblockPin(d, NULL, buf, 8, buf, 6, 0, 2), bad);
        assert_int_equal(CardChangeAuthenticator(d, NULL, buf, 6, buf, 6, 0, 2, &n), bad);
        assert_int_equal(CardDeauthenticate(d, NULL, 0), bad);
        assert_int_equal(CardCreateDirectory(d, dir, UserCreateDeleteDirAc), bad);
        assert_int_equal(CardDeleteDirectory(d, dir), bad);
        assert_int_equal(CardCreateFile(d, NULL, file, 0, EveryoneReadUserWriteAc), bad);
        assert_int_equal(CardReadFile(d, NULL, file, 0, &p, &n), bad);
        assert_int_equal(CardWriteFile(d, NULL, file, 0, buf, 1), bad);
        assert_int_equal(CardDeleteFile(d, NULL, file, 0), bad);
        assert_int_equal(CardEnumFiles(d, NULL, &names, &n, 0), bad);
        assert_int_equal(CardGetFileInfo(d, NULL, file, &fi), bad);
        assert_int_equal(CardQueryFreeSpace(d, 0, &fs), bad);
        assert_int_equal(CardQueryKeySizes(d, AT_SIGNATURE, 0, &ks), bad);
        assert_int_equal(CardSignData(d, &si), bad);
        assert_int_equal(CardRSADecrypt(d, &di), bad);
        assert_int_equal(CardConstructDHAgreement(d, &ai), bad);
        assert_int_equal(CardDeriveKey(d, &dk), bad);
        assert_int_equal(CardDestroyDHAgreement(d, 0, 0), bad);
        assert_int_equal(CardGetChallengeEx(d, 1, &p, &n, 0), bad);
        assert_int_equal(CardAuthenticateEx(d, 1, 0, buf, 6, NULL, NULL, &n), bad);
        assert_int_equal(CardChangeAuthenticatorEx(d, 2, 1, buf, 6, 1, buf, 6, 0, &n), bad);
        assert_int_equal(CardDeauthenticateEx(d, 2, 0), bad);
        assert_int_equal(CardGetContainerProperty(d, 0, CCP_PIN_IDENTIFIER, buf, 4, &n, 0), bad);
        assert_int_equal(CardSetContainerProperty(d, 0, CCP_PIN_IDENTIFIER, buf, 4, 0), bad);
        assert_int_equal(CardGetProperty(d, CP_CARD_GUID, buf, 16, &n, 0), bad);
        assert_int_equal(CardSetProperty(d, CP_PARENT_WINDOW, buf, sizeof(HWND), 0), bad);
        assert_int_equal(MDImportSessionKey(d, NULL, NULL, &h, buf, 1), bad);
        assert_int_equal(MDEncryptData(d, 0, NULL, buf, 1, 0, NULL, &n), bad);
        assert_int_equal(CardImportSessionKey(d, 0, NULL, NULL, NULL, &h, buf, 1, 0), bad);
        assert_int_equal(CardGetSharedKeyHandle(d, buf, 1, &p, &n, &h), bad);
        assert_int_equal(CardGetAlgorithmProperty(d, NULL, NULL, buf, 1, &n, 0), bad);
        assert_int_equal(CardGetKeyProperty(d, 0, NULL, buf, 1, &n, 0), bad);
        assert_int_equal(CardSetKeyProperty(d, 0, NULL, buf, 1, 0), bad);
        assert_int_equal(CardDestroyKey(d, 0), bad);
        assert_int_equal(CardProcessEncryptedData(d, 0, NULL, NULL, 0, buf, 1, &n, 0), bad);
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    PCARD_DATA d = &e.cd;
    const DWORD bad = SCARD_E_INVALID_PARAMETER;
    DWORD n = 0;
    BYTE buf[600];

    CARD_CAPABILITIES cc = { 2, 0, 0 };
    assert_rv(d->pfnCardQueryCapabilities(d, &cc), ERROR_REVISION_MISMATCH);
    assert_int_equal(d->pfnCardQueryCapabilities(d, NULL), bad);
    cc.dwVersion = 1;
    assert_rv(d->pfnCardQueryCapabilities(d, &cc), SCARD_S_SUCCESS);
    assert_false(cc.fCertificateCompression);
    assert_true(cc.fKeyGen);

    CARD_FREE_SPACE_INFO fs = { 1, 0, 0, 0 };
    assert_int_equal(d->pfnCardQueryFreeSpace(d, 1, &fs), bad);
    assert_rv(d->pfnCardQueryFreeSpace(d, 0, &fs), SCARD_S_SUCCESS);
    assert_int_equal(fs.dwMaxKeyContainers, 3);
    assert_int_equal(fs.dwKeyContainersAvailable, 0); /* provisioned: all three slots used */

    CARD_KEY_SIZES ks = { 1, 0, 0, 0, 0 };
    assert_int_equal(d->pfnCardQueryKeySizes(d, 99, 0, &ks), bad);
    assert_int_equal(d->pfnCardQueryKeySizes(d, AT_SIGNATURE, 1, &ks), bad);
    assert_rv(d->pfnCardQueryKeySizes(d, AT_KEYEXCHANGE, 0, &ks), SCARD_S_SUCCESS);
    assert_int_equal(ks.dwDefaultBitlen, 2048);
    assert_int_equal(ks.dwMaximumBitlen, 4096);
    assert_rv(d->pfnCardQueryKeySizes(d, AT_ECDSA_P384, 0, &ks), SCARD_S_SUCCESS);
    assert_int_equal(ks.dwMinimumBitlen, 384);

    CONTAINER_INFO ci = { 1, 0, 0, NULL, 0, NULL };
    assert_rv(d->pfnCardGetContainerInfo(d, 3, 0, &ci), SCARD_E_NO_KEY_CONTAINER);
    assert_rv(d->pfnCardGetContainerInfo(d, 255, 0, &ci), SCARD_E_NO_KEY_CONTAINER);
    assert_int_equal(d->pfnCardGetContainerInfo(d, 0, 1, &ci), bad);
    assert_int_equal(d->pfnCardGetContainerInfo(d, 0, 0, NULL), bad);
    ci.dwVersion = 2;
    assert_rv(d->pfnCardGetContainerInfo(d, 0, 0, &ci), ERROR_REVISION_MISMATCH);

    /* Signing: structure version, container, key spec, size query without the card. */
    uint8_t hash[32] = { 1, 2, 3 };
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = 3;
    si.bContainerIndex = 1;
    si.dwKeySpec = AT_SIGNATURE;
    si.aiHashAlg = CALG_SHA_256;
    si.pbData = hash;
    si.cbData = sizeof hash;
    assert_rv(d->pfnCardSignData(d, &si), ERROR_REVISION_MISMATCH);
    si.dwVersion = 2;
    si.bContainerIndex = 3;
    assert_rv(d->pfnCardSignData(d, &si), SCARD_E_NO_KEY_CONTAINER);
    si.bContainerIndex = 1;
    si.dwKeySpec = AT_ECDSA_P256;
    assert_int_equal(d->pfnCardSignData(d, &si), bad);
    si.dwKeySpec = AT_SIGNATURE;
    si.cbData = 20; /* not a SHA-256 digest */
    assert_int_equal(d->pfnCardSignData(d, &si), bad);
    si.cbData = 32;
    unsigned long before = md_env_apdus(&e);
    si.dwSigningFlags = CARD_BUFFER_SIZE_ONLY;
    assert_rv(d->pfnCardSignData(d, &si), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, 256);
    assert_null(si.pbSignedData);
    assert_int_equal(md_env_apdus(&e), before);
    si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
    BCRYPT_PSS_PADDING_INFO pss = { BCRYPT_SHA256_ALGORITHM, 32 };
    si.pPaddingInfo = &pss;
    si.dwPaddingType = CARD_PADDING_PSS;
    assert_rv(d->pfnCardSignData(d, &si), SCARD_E_UNSUPPORTED_FEATURE);
    si.bContainerIndex = 2; /* the decryption key */
    si.dwKeySpec = AT_KEYEXCHANGE;
    si.dwSigningFlags = 0;
    assert_rv(d->pfnCardSignData(d, &si), SCARD_E_UNSUPPORTED_FEATURE);

    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    di.dwVersion = 2;
    di.bContainerIndex = 2;
    di.dwKeySpec = AT_KEYEXCHANGE;
    di.pbData = buf;
    di.cbData = 255;
    assert_int_equal(d->pfnCardRSADecrypt(d, &di), bad);
    di.cbData = 256;
    di.dwPaddingType = CARD_PADDING_OAEP;
    assert_rv(d->pfnCardRSADecrypt(d, &di), SCARD_E_UNSUPPORTED_FEATURE);
    di.dwVersion = 3;
    assert_rv(d->pfnCardRSADecrypt(d, &di), ERROR_REVISION_MISMATCH);
    di.dwVersion = 1; /* a v7 CSP passes version 2 */
    assert_rv(d->pfnCardRSADecrypt(d, &di), ERROR_REVISION_MISMATCH);
    di.dwVersion = 2;
    di.dwPaddingType = CARD_PADDING_PKCS1;
    di.bContainerIndex = 1;
    assert_rv(d->pfnCardRSADecrypt(d, &di), SCARD_E_UNSUPPORTED_FEATURE);

    /* ECDH on an RSA card */
    CARD_DH_AGREEMENT_INFO ai;
    md_dh_agreement_info(&ai, 2, 0, buf, 72);
    assert_rv(d->pfnCardConstructDHAgreement(d, &ai), SCARD_E_UNSUPPORTED_FEATURE);
    ai.bContainerIndex = 9;
    assert_rv(d->pfnCardConstructDHAgreement(d, &ai), SCARD_E_NO_KEY_CONTAINER);
    assert_int_equal(d->pfnCardDestroyDHAgreement(d, 0, 0), bad);
    CARD_DERIVE_KEY dk;
    memset(&dk, 0, sizeof dk);
    dk.dwVersion = CARD_DERIVE_KEY_CURRENT_VERSION;
    dk.pwszKDF = BCRYPT_KDF_HASH;
    assert_int_equal(d->pfnCardDeriveKey(d, &dk), bad); /* no such agreement */

    /* Containers */
    assert_rv(d->pfnCardCreateContainer(d, 3, CARD_CREATE_CONTAINER_KEY_GEN,
                                               AT_SIGNATURE, 2048, NULL), SCARD_E_NO_KEY_CONTAINER);
    assert_int_equal(d->pfnCardCreateContainer(d, 0, 3, AT_SIGNATURE, 2048, NULL), bad);
    assert_int_equal(d->pfnCardCreateContainer(d, 0, CARD_CREATE_CONTAINER_KEY_IMPORT,
                                               AT_SIGNATURE, 2048, NULL), bad);
    assert_int_equal(d->pfnCardCreateContainer(d, 2, CARD_CREATE_CONTAINER_KEY_GEN,
                                               AT_ECDSA_P256, 256, NULL), bad);
    assert_int_equal(d->pfnCardCreateContainerEx(d, 1, CARD_CREATE_CONTAINER_KEY_GEN,
                                                 AT_SIGNATURE, 2048, NULL, ROLE_ADMIN), bad);
    assert_rv(d->pfnCardDeleteContainer(d, 0, 0), SCARD_E_UNSUPPORTED_FEATURE);
    assert_rv(d->pfnCardDeleteContainer(d, 5, 0), SCARD_E_NO_KEY_CONTAINER);
    assert_int_equal(d->pfnCardDeleteContainer(d, 0, 1), bad);

    /* Properties */
    assert_int_equal(d->pfnCardGetProperty(d, NULL, buf, 4, &n, 0), bad);
    assert_int_equal(d->pfnCardGetProperty(d, CP_CARD_GUID, buf, 16, NULL, 0), bad);
    assert_int_equal(d->pfnCardGetProperty(d, CP_CARD_GUID, buf, 16, &n, 1), bad);
    assert_rv(d->pfnCardGetProperty(d, CP_CARD_GUID, buf, 15, &n, 0),
                     ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(n, 16);
    assert_int_equal(d->pfnCardGetProperty(d, OPGP_WSTR("No Such Property"), buf, 4, &n, 0), bad);
    assert_int_equal(d->pfnCardGetProperty(d, CP_CARD_PIN_INFO, buf, sizeof buf, &n, 9), bad);
    assert_rv(d->pfnCardSetProperty(d, CP_CARD_GUID, buf, 16, 0), SCARD_E_UNSUPPORTED_FEATURE);
    assert_int_equal(d->pfnCardSetProperty(d, CP_PARENT_WINDOW, buf, 1, 0), bad);
    assert_int_equal(d->pfnCardSetProperty(d, CP_PARENT_WINDOW, buf, sizeof(HWND), 1), bad);
    assert_rv(d->pfnCardSetProperty(d, CP_PARENT_WINDOW, buf, sizeof(HWND), 0),
                     SCARD_S_SUCCESS);
    WCHAR ctx[] = { 'h', 'i', 0 };
    assert_rv(d->pfnCardSetProperty(d, CP_PIN_CONTEXT_STRING, (PBYTE)ctx, sizeof ctx, 0),
                     SCARD_S_SUCCESS);
    assert_rv(d->pfnCardGetContainerProperty(d, 3, CCP_PIN_IDENTIFIER, buf, 4, &n, 0),
                     SCARD_E_NO_KEY_CONTAINER);
    assert_int_equal(d->pfnCardGetContainerProperty(d, 0, CCP_PIN_IDENTIFIER, buf, 4, &n, 1), bad);
    assert_int_equal(d->pfnCardGetContainerProperty(d, 0, OPGP_WSTR("Nope"), buf, 4, &n, 0), bad);

    /* PINs */
    assert_int_equal(d->pfnCardAuthenticateEx(d, 0, 0, buf, 6, NULL, NULL, &n), bad);
    assert_int_equal(d->pfnCardAuthenticateEx(d, 8, 0, buf, 6, NULL, NULL, &n), bad);
    assert_int_equal(d->pfnCardAuthenticateEx(d, 1, 0x4, buf, 6, NULL, NULL, &n), bad);
    assert_rv(d->pfnCardAuthenticateEx(d, 1, CARD_AUTHENTICATE_GENERATE_SESSION_PIN, buf,
                                              6, NULL, NULL, &n), SCARD_E_UNSUPPORTED_FEATURE);
    assert_int_equal(d->pfnCardAuthenticateEx(d, 1, 0, NULL, 6, NULL, NULL, &n), bad);
    WCHAR who[] = { 'n', 'o', 'b', 'o', 'd', 'y', 0 };
    assert_int_equal(d->pfnCardAuthenticatePin(d, who, buf, 6, &n), bad);
    assert_int_equal(d->pfnCardDeauthenticateEx(d, PIN_SET_NONE, 0), bad);
    assert_int_equal(d->pfnCardDeauthenticateEx(d, CREATE_PIN_SET(1), 1), bad);
    assert_int_equal(d->pfnCardChangeAuthenticatorEx(d, 3, 1, buf, 6, 1, buf, 6, 0, &n), bad);
    assert_int_equal(d->pfnCardChangeAuthenticatorEx(d, PIN_CHANGE_FLAG_CHANGEPIN, 1, buf, 6, 1,
                                                     buf, 6, 1, &n), bad);
    assert_int_equal(d->pfnCardChangeAuthenticatorEx(d, PIN_CHANGE_FLAG_UNBLOCK, ROLE_USER, buf,
                                                     6, ROLE_USER, buf, 6, 0, &n), bad);
    assert_int_equal(d->pfnCardChangeAuthenticatorEx(d, PIN_CHANGE_FLAG_CHANGEPIN, ROLE_USER,
                                                     buf, 6, ROLE_ADMIN, buf, 8, 0, &n), bad);

    /* Unsupported features still answer as the spec says. */
    PBYTE p = NULL;
    assert_rv(d->pfnCardGetChallenge(d, &p, &n), SCARD_E_UNSUPPORTED_FEATURE);
    assert_rv(d->pfnCardGetChallengeEx(d, 1, &p, &n, 0), SCARD_E_UNSUPPORTED_FEATURE);
    assert_rv(d->pfnCardDestroyKey(d, 0), SCARD_E_UNSUPPORTED_FEATURE);
    assert_rv(d->pfnCardGetAlgorithmProperty(d, NULL, NULL, buf, 1, &n, 0),
                     SCARD_E_UNSUPPORTED_FEATURE);
    md_env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acquire_checks),
        cmocka_unit_test(test_not_openpgp),
        cmocka_unit_test(test_null_context),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
