/* Parameter validation per entry point, as the certification test's functional area probes it:
 * NULL CARD_DATA, NULL out pointers, structure versions, flags, container indexes, PIN ids,
 * names. Every rejected call must leave the context usable (checked at the end of each case). */
#include <string.h>

#include "cases.h"
#include "harness.h"

#define BAD_PARAM SCARD_E_INVALID_PARAMETER

static void acquire_params(void)
{
    opgp_host_card_params p;
    opgp_host_reader reader;
    BYTE atr[36];
    REQUIRE(h_card_params(&p, &reader, atr));
    opgp_host_cache_binding binding = { NULL };
    CARD_DATA cd;

    CHECK_RV(H.module.acquire(NULL, 0), BAD_PARAM);

    opgp_host_card_data_init(&cd, &p, &binding);
    cd.dwVersion = 3;
    CHECK_RV(H.module.acquire(&cd, 0), ERROR_REVISION_MISMATCH);

    /* A newer CSP: the minidriver answers with the version it implements. */
    opgp_host_card_data_init(&cd, &p, &binding);
    cd.dwVersion = 8;
    if (CHECK_RV(H.module.acquire(&cd, 0), SCARD_S_SUCCESS)) {
        CHECK(cd.dwVersion == CARD_DATA_VERSION_SEVEN);
        CHECK(cd.pfnCardCreateContainerEx != NULL && cd.pfnCardDeleteContext != NULL);
        CHECK_RV(cd.pfnCardDeleteContext(&cd), SCARD_S_SUCCESS);
    }
    /* An older one (v6): no v7 entries published. */
    opgp_host_card_data_init(&cd, &p, &binding);
    cd.dwVersion = CARD_DATA_VERSION_SIX;
    if (CHECK_RV(H.module.acquire(&cd, 0), SCARD_S_SUCCESS)) {
        CHECK(cd.pfnCardCreateContainerEx == NULL && cd.pfnCardAuthenticateEx != NULL);
        CHECK_RV(cd.pfnCardDeleteContext(&cd), SCARD_S_SUCCESS);
    }

    opgp_host_card_data_init(&cd, &p, &binding);
    CHECK_RV(H.module.acquire(&cd, 0x8000), BAD_PARAM);
    opgp_host_card_data_init(&cd, &p, &binding);
    cd.pbAtr = NULL;
    CHECK_RV(H.module.acquire(&cd, 0), BAD_PARAM);
    opgp_host_card_data_init(&cd, &p, &binding);
    cd.cbAtr = 0;
    CHECK_RV(H.module.acquire(&cd, 0), BAD_PARAM);
    opgp_host_card_data_init(&cd, &p, &binding);
    cd.pwszCardName = NULL;
    CHECK_RV(H.module.acquire(&cd, 0), BAD_PARAM);
    opgp_host_card_data_init(&cd, &p, &binding);
    cd.pfnCspAlloc = NULL;
    CHECK_RV(H.module.acquire(&cd, 0), BAD_PARAM);
    opgp_host_card_data_init(&cd, &p, &binding);
    cd.pfnCspFree = NULL;
    CHECK_RV(H.module.acquire(&cd, 0), BAD_PARAM);
    opgp_host_card_data_init(&cd, &p, &binding);
    cd.hScard = 0;
    CHECK_RV(H.module.acquire(&cd, 0), SCARD_E_INVALID_HANDLE);

    /* CardDeleteContext twice / on a never-acquired CARD_DATA. */
    opgp_host_card_data_init(&cd, &p, &binding);
    if (CHECK_RV(H.module.acquire(&cd, 0), SCARD_S_SUCCESS)) {
        PFN_CARD_DELETE_CONTEXT del = cd.pfnCardDeleteContext;
        CHECK_RV(del(&cd), SCARD_S_SUCCESS);
        CHECK_RV(del(&cd), BAD_PARAM);
        CHECK_RV(del(NULL), BAD_PARAM);
    }
    h_card_params_done(&reader);
}

static void null_card_data(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    PCARD_DATA d = h->cd;
    BYTE b[64] = { 0 };
    DWORD n = 0;
    PBYTE pb = NULL;
    LPSTR ps = NULL;
    CARD_CAPABILITIES caps = { 1, 0, 0 };
    CONTAINER_INFO ci = { 1, 0, 0, NULL, 0, NULL };
    CARD_FILE_INFO fi = { 1, 0, InvalidAc };
    CARD_FREE_SPACE_INFO fs = { 1, 0, 0, 0 };
    CARD_KEY_SIZES ks = { 1, 0, 0, 0, 0 };
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    CARD_DH_AGREEMENT_INFO ai;
    memset(&ai, 0, sizeof ai);
    CARD_DERIVE_KEY dk;
    memset(&dk, 0, sizeof dk);
    LPWSTR user = (LPWSTR)wszCARD_USER_USER;

    CHECK_RV(d->pfnCardQueryCapabilities(NULL, &caps), BAD_PARAM);
    CHECK_RV(d->pfnCardDeleteContainer(NULL, 0, 0), BAD_PARAM);
    CHECK_RV(d->pfnCardCreateContainer(NULL, 0, CARD_CREATE_CONTAINER_KEY_GEN, AT_SIGNATURE,
                                       2048, NULL),
             BAD_PARAM);
    CHECK_RV(d->pfnCardGetContainerInfo(NULL, 0, 0, &ci), BAD_PARAM);
    CHECK_RV(d->pfnCardAuthenticatePin(NULL, user, b, 6, &n), BAD_PARAM);
    CHECK_RV_ONE_OF(d->pfnCardGetChallenge(NULL, &pb, &n), BAD_PARAM,
                    SCARD_E_UNSUPPORTED_FEATURE);
    CHECK_RV_ONE_OF(d->pfnCardAuthenticateChallenge(NULL, b, 8, &n), BAD_PARAM,
                    SCARD_E_UNSUPPORTED_FEATURE);
    CHECK_RV(d->pfnCardUnblockPin(NULL, user, b, 8, b, 6, 0, CARD_AUTHENTICATE_PIN_PIN),
             BAD_PARAM);
    CHECK_RV(d->pfnCardChangeAuthenticator(NULL, user, b, 6, b, 6, 0, CARD_AUTHENTICATE_PIN_PIN,
                                           &n),
             BAD_PARAM);
    CHECK_RV(d->pfnCardDeauthenticate(NULL, user, 0), BAD_PARAM);
    CHECK_RV_ONE_OF(d->pfnCardCreateDirectory(NULL, "dir", UserCreateDeleteDirAc), BAD_PARAM,
                    SCARD_E_UNSUPPORTED_FEATURE);
    CHECK_RV_ONE_OF(d->pfnCardDeleteDirectory(NULL, "dir"), BAD_PARAM,
                    SCARD_E_UNSUPPORTED_FEATURE);
    CHECK_RV_ONE_OF(d->pfnCardCreateFile(NULL, szBASE_CSP_DIR, "f", 0, EveryoneReadUserWriteAc),
                    BAD_PARAM, SCARD_E_UNSUPPORTED_FEATURE);
    CHECK_RV(d->pfnCardReadFile(NULL, NULL, szCACHE_FILE, 0, &pb, &n), BAD_PARAM);
    CHECK_RV(d->pfnCardWriteFile(NULL, NULL, szCACHE_FILE, 0, b, 6), BAD_PARAM);
    CHECK_RV_ONE_OF(d->pfnCardDeleteFile(NULL, szBASE_CSP_DIR, "f", 0), BAD_PARAM,
                    SCARD_E_UNSUPPORTED_FEATURE);
    CHECK_RV(d->pfnCardEnumFiles(NULL, szBASE_CSP_DIR, &ps, &n, 0), BAD_PARAM);
    CHECK_RV(d->pfnCardGetFileInfo(NULL, NULL, szCACHE_FILE, &fi), BAD_PARAM);
    CHECK_RV(d->pfnCardQueryFreeSpace(NULL, 0, &fs), BAD_PARAM);
    CHECK_RV(d->pfnCardQueryKeySizes(NULL, AT_SIGNATURE, 0, &ks), BAD_PARAM);
    CHECK_RV(d->pfnCardSignData(NULL, &si), BAD_PARAM);
    CHECK_RV(d->pfnCardRSADecrypt(NULL, &di), BAD_PARAM);
    CHECK_RV(d->pfnCardConstructDHAgreement(NULL, &ai), BAD_PARAM);
    CHECK_RV(d->pfnCardDeriveKey(NULL, &dk), BAD_PARAM);
    CHECK_RV(d->pfnCardDestroyDHAgreement(NULL, 0, 0), BAD_PARAM);
    CHECK_RV_ONE_OF(d->pfnCardGetChallengeEx(NULL, ROLE_USER, &pb, &n, 0), BAD_PARAM,
                    SCARD_E_UNSUPPORTED_FEATURE);
    CHECK_RV(d->pfnCardAuthenticateEx(NULL, ROLE_USER, 0, b, 6, NULL, NULL, &n), BAD_PARAM);
    CHECK_RV(d->pfnCardChangeAuthenticatorEx(NULL, PIN_CHANGE_FLAG_CHANGEPIN, ROLE_USER, b, 6,
                                             ROLE_USER, b, 6, 0, &n),
             BAD_PARAM);
    CHECK_RV(d->pfnCardDeauthenticateEx(NULL, PIN_SET_ALL_ROLES, 0), BAD_PARAM);
    CHECK_RV(d->pfnCardGetContainerProperty(NULL, 0, CCP_CONTAINER_INFO, b, sizeof b, &n, 0),
             BAD_PARAM);
    CHECK_RV(d->pfnCardSetContainerProperty(NULL, 0, CCP_PIN_IDENTIFIER, b, 4, 0), BAD_PARAM);
    CHECK_RV(d->pfnCardGetProperty(NULL, CP_CARD_GUID, b, sizeof b, &n, 0), BAD_PARAM);
    CHECK_RV(d->pfnCardSetProperty(NULL, CP_PARENT_WINDOW, b, sizeof(HWND), 0), BAD_PARAM);
    CHECK_RV(d->pfnCardCreateContainerEx(NULL, 0, CARD_CREATE_CONTAINER_KEY_GEN, AT_SIGNATURE,
                                         2048, NULL, ROLE_USER),
             BAD_PARAM);
    /* The context still works. */
    CHECK_RV(d->pfnCardQueryCapabilities(d, &caps), SCARD_S_SUCCESS);
    h_close(h);
}

static void null_outputs(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    PCARD_DATA d = h->cd;
    PBYTE pb = NULL;
    DWORD n = 0;
    CHECK_RV(d->pfnCardReadFile(d, NULL, szCACHE_FILE, 0, NULL, &n), BAD_PARAM);
    CHECK_RV(d->pfnCardReadFile(d, NULL, szCACHE_FILE, 0, &pb, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardGetContainerInfo(d, 0, 0, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardQueryCapabilities(d, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardQueryFreeSpace(d, 0, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardQueryKeySizes(d, AT_SIGNATURE, 0, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardSignData(d, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardRSADecrypt(d, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardConstructDHAgreement(d, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardDeriveKey(d, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardEnumFiles(d, szBASE_CSP_DIR, NULL, &n, 0), BAD_PARAM);
    CHECK_RV(d->pfnCardGetFileInfo(d, szBASE_CSP_DIR, szCONTAINER_MAP_FILE, NULL), BAD_PARAM);
    CHECK_RV(d->pfnCardGetProperty(d, CP_CARD_GUID, NULL, 0, NULL, 0), BAD_PARAM);
    CHECK_RV(d->pfnCardGetProperty(d, NULL, NULL, 0, &n, 0), BAD_PARAM);
    CHECK_RV(d->pfnCardGetContainerProperty(d, 0, CCP_CONTAINER_INFO, NULL, 0, NULL, 0),
             BAD_PARAM);
    CHECK_RV(d->pfnCardAuthenticateEx(d, ROLE_USER, 0, NULL, 6, NULL, NULL, &n), BAD_PARAM);
    /* Session PIN output requested without a place to put it. */
    CHECK_RV_ONE_OF(d->pfnCardAuthenticateEx(d, ROLE_USER, CARD_AUTHENTICATE_GENERATE_SESSION_PIN,
                                             (PBYTE)MDC_PIN_USER, 6, NULL, NULL, &n),
                    BAD_PARAM, SCARD_E_UNSUPPORTED_FEATURE);
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si.dwKeySpec = h_container_spec(h, MDC_CNTR_AUT, NULL);
    si.aiHashAlg = CALG_SHA_256;
    si.cbData = 32;
    CHECK_RV(d->pfnCardSignData(d, &si), BAD_PARAM); /* pbData NULL */
    h_close(h);
}

static void versions_and_flags(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    PCARD_DATA d = h->cd;
    PBYTE pb = NULL;
    DWORD n = 0;
    CARD_CAPABILITIES caps = { 2, 0, 0 };
    CHECK_RV(d->pfnCardQueryCapabilities(d, &caps), ERROR_REVISION_MISMATCH);
    CONTAINER_INFO ci = { 2, 0, 0, NULL, 0, NULL };
    CHECK_RV(d->pfnCardGetContainerInfo(d, 0, 0, &ci), ERROR_REVISION_MISMATCH);
    ci.dwVersion = CONTAINER_INFO_CURRENT_VERSION;
    CHECK_RV(d->pfnCardGetContainerInfo(d, 0, 1, &ci), BAD_PARAM);
    CARD_FREE_SPACE_INFO fs = { 2, 0, 0, 0 };
    CHECK_RV(d->pfnCardQueryFreeSpace(d, 0, &fs), ERROR_REVISION_MISMATCH);
    fs.dwVersion = CARD_FREE_SPACE_INFO_CURRENT_VERSION;
    CHECK_RV(d->pfnCardQueryFreeSpace(d, 1, &fs), BAD_PARAM);
    CARD_KEY_SIZES ks = { 2, 0, 0, 0, 0 };
    CHECK_RV(d->pfnCardQueryKeySizes(d, AT_SIGNATURE, 0, &ks), ERROR_REVISION_MISMATCH);
    ks.dwVersion = CARD_KEY_SIZES_CURRENT_VERSION;
    CHECK_RV(d->pfnCardQueryKeySizes(d, AT_SIGNATURE, 1, &ks), BAD_PARAM);
    CHECK_RV_ONE_OF(d->pfnCardQueryKeySizes(d, 77, 0, &ks), BAD_PARAM, SCARD_E_UNSUPPORTED_FEATURE);
    CARD_FILE_INFO fi = { 2, 0, InvalidAc };
    CHECK_RV(d->pfnCardGetFileInfo(d, szBASE_CSP_DIR, szCONTAINER_MAP_FILE, &fi),
             ERROR_REVISION_MISMATCH);
    CHECK_RV(d->pfnCardReadFile(d, NULL, szCACHE_FILE, 1, &pb, &n), BAD_PARAM);
    CHECK_RV(d->pfnCardDeauthenticateEx(d, PIN_SET_ALL_ROLES, 1), BAD_PARAM);
    BYTE guid[16];
    CHECK_RV(d->pfnCardGetProperty(d, CP_CARD_GUID, guid, sizeof guid, &n, 1), BAD_PARAM);
    CHECK_RV(d->pfnCardAuthenticateEx(d, ROLE_USER, 0x00000100, (PBYTE)MDC_PIN_USER, 6, NULL,
                                      NULL, &n),
             BAD_PARAM);

    BYTE hash[32] = { 0 };
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = 0;
    si.dwKeySpec = h_container_spec(h, MDC_CNTR_AUT, NULL);
    si.aiHashAlg = CALG_SHA_256;
    si.pbData = hash;
    si.cbData = 32;
    CHECK_RV(d->pfnCardSignData(d, &si), ERROR_REVISION_MISMATCH);
    si.dwVersion = 3;
    CHECK_RV(d->pfnCardSignData(d, &si), ERROR_REVISION_MISMATCH);

    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    di.dwVersion = 3;
    di.bContainerIndex = MDC_CNTR_DEC;
    di.dwKeySpec = AT_KEYEXCHANGE;
    di.pbData = hash;
    di.cbData = sizeof hash;
    CHECK_RV(d->pfnCardRSADecrypt(d, &di), ERROR_REVISION_MISMATCH);
    CARD_DH_AGREEMENT_INFO ai;
    memset(&ai, 0, sizeof ai);
    ai.dwVersion = CARD_DH_AGREEMENT_INFO_VERSION + 1;
    ai.bContainerIndex = MDC_CNTR_DEC;
    ai.pbPublicKey = hash;
    ai.dwPublicKey = sizeof hash;
    CHECK_RV(d->pfnCardConstructDHAgreement(d, &ai), ERROR_REVISION_MISMATCH);
    CARD_DERIVE_KEY dk;
    memset(&dk, 0, sizeof dk);
    dk.dwVersion = CARD_DERIVE_KEY_CURRENT_VERSION + 1;
    dk.pwszKDF = BCRYPT_KDF_HASH;
    CHECK_RV(d->pfnCardDeriveKey(d, &dk), ERROR_REVISION_MISMATCH);
    CHECK_RV(d->pfnCardQueryCapabilities(d, &(CARD_CAPABILITIES){ 1, 0, 0 }), SCARD_S_SUCCESS);
    h_close(h);
}

static void containers_and_names(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    PCARD_DATA d = h->cd;
    CONTAINER_INFO ci = { CONTAINER_INFO_CURRENT_VERSION, 0, 0, NULL, 0, NULL };
    CHECK_RV(d->pfnCardGetContainerInfo(d, MDC_CONTAINERS, 0, &ci), SCARD_E_NO_KEY_CONTAINER);
    CHECK_RV(d->pfnCardGetContainerInfo(d, 255, 0, &ci), SCARD_E_NO_KEY_CONTAINER);
    BYTE b[64];
    DWORD n = 0;
    CHECK_RV_ONE_OF(d->pfnCardGetContainerProperty(d, MDC_CONTAINERS, CCP_PIN_IDENTIFIER, b,
                                                   sizeof b, &n, 0),
                    SCARD_E_NO_KEY_CONTAINER, BAD_PARAM);
    CHECK_RV(d->pfnCardGetContainerProperty(d, 0, OPGP_WSTR("No Such Property"), b, sizeof b,
                                            &n, 0),
             BAD_PARAM);
    BYTE hash[64] = { 0 };
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si.bContainerIndex = MDC_CONTAINERS;
    si.dwKeySpec = h_container_spec(h, MDC_CNTR_AUT, NULL);
    si.aiHashAlg = CALG_SHA_256;
    si.pbData = hash;
    si.cbData = 32;
    CHECK_RV(d->pfnCardSignData(d, &si), SCARD_E_NO_KEY_CONTAINER);
    /* The wrong key spec for the container, and a hash of the wrong length. */
    si.bContainerIndex = MDC_CNTR_AUT;
    si.dwKeySpec = H.alg->rsa ? (DWORD)AT_ECDSA_P256 : (DWORD)AT_SIGNATURE;
    CHECK_RV(d->pfnCardSignData(d, &si), BAD_PARAM);
    if (H.alg->rsa) {
        si.dwKeySpec = h_container_spec(h, MDC_CNTR_AUT, NULL);
        si.cbData = 20;
        CHECK_RV_ONE_OF(d->pfnCardSignData(d, &si), BAD_PARAM, NTE_BAD_LEN, NTE_BAD_DATA);
    }
    /* Keys used for what they cannot do: the decryption key never signs, the signature and
     * authentication keys never decrypt. Refused, whatever the code. */
    si.bContainerIndex = MDC_CNTR_DEC;
    si.dwKeySpec = h_container_spec(h, MDC_CNTR_DEC, NULL);
    si.cbData = 32;
    CHECK(d->pfnCardSignData(d, &si) != SCARD_S_SUCCESS);
    if (H.alg->rsa) {
        /* PSS: the card pads PKCS#1 v1.5 only. */
        BCRYPT_PSS_PADDING_INFO pss = { OPGP_WSTR("SHA256"), 32 };
        si.bContainerIndex = MDC_CNTR_AUT;
        si.dwKeySpec = h_container_spec(h, MDC_CNTR_AUT, NULL);
        si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
        si.dwPaddingType = CARD_PADDING_PSS;
        si.pPaddingInfo = &pss;
        CHECK_RV_ONE_OF(d->pfnCardSignData(d, &si), SCARD_E_UNSUPPORTED_FEATURE,
                        NTE_NOT_SUPPORTED, NTE_BAD_FLAGS);
        si.dwSigningFlags = 0;
        si.pPaddingInfo = NULL;
        BYTE block[512] = { 0 };
        CARD_RSA_DECRYPT_INFO wrong;
        memset(&wrong, 0, sizeof wrong);
        wrong.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
        wrong.dwKeySpec = AT_KEYEXCHANGE;
        wrong.pbData = block;
        wrong.cbData = H.alg->bits / 8;
        wrong.dwPaddingType = CARD_PADDING_PKCS1;
        wrong.bContainerIndex = MDC_CNTR_AUT;
        CHECK(d->pfnCardRSADecrypt(d, &wrong) != SCARD_S_SUCCESS);
        wrong.bContainerIndex = MDC_CNTR_SIG;
        CHECK(d->pfnCardRSADecrypt(d, &wrong) != SCARD_S_SUCCESS);
    }
    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    di.bContainerIndex = MDC_CONTAINERS;
    di.dwKeySpec = AT_KEYEXCHANGE;
    di.pbData = hash;
    di.cbData = sizeof hash;
    di.dwPaddingType = CARD_PADDING_PKCS1;
    CHECK_RV(d->pfnCardRSADecrypt(d, &di), SCARD_E_NO_KEY_CONTAINER);
    /* PIN ids: none beyond the card's, and "everyone" has nothing to verify. */
    DWORD left = 0;
    CHECK_RV(d->pfnCardAuthenticateEx(d, 7, 0, (PBYTE)MDC_PIN_USER, 6, NULL, NULL, &left),
             BAD_PARAM);
    CHECK_RV(d->pfnCardAuthenticateEx(d, ROLE_EVERYONE, 0, (PBYTE)MDC_PIN_USER, 6, NULL, NULL,
                                      &left),
             BAD_PARAM);
    CHECK_RV(d->pfnCardAuthenticatePin(d, OPGP_WSTR("nobody"), (PBYTE)MDC_PIN_USER, 6, &left),
             BAD_PARAM);
    /* Files and directories that do not exist. */
    PBYTE pb = NULL;
    CHECK_RV(d->pfnCardReadFile(d, szBASE_CSP_DIR, "nosuch", 0, &pb, &n), SCARD_E_FILE_NOT_FOUND);
    CHECK_RV(d->pfnCardReadFile(d, "nodir", "cmapfile", 0, &pb, &n), SCARD_E_DIR_NOT_FOUND);
    CHECK_RV(d->pfnCardReadFile(d, NULL, "nosuch", 0, &pb, &n), SCARD_E_FILE_NOT_FOUND);
    CHECK_RV_ONE_OF(d->pfnCardDeleteContainer(d, MDC_CONTAINERS, 0), SCARD_E_NO_KEY_CONTAINER,
                    BAD_PARAM, SCARD_E_UNSUPPORTED_FEATURE);
    /* Still usable. */
    ci.dwVersion = CONTAINER_INFO_CURRENT_VERSION;
    CHECK_RV(d->pfnCardGetContainerInfo(d, 0, 0, &ci), SCARD_S_SUCCESS);
    opgp_host_free(ci.pbSigPublicKey);
    opgp_host_free(ci.pbKeyExPublicKey);
    h_close(h);
}

const t_case mdc_param_cases[] = {
    { "params.acquire", acquire_params, NULL },
    { "params.null_card_data", null_card_data, NULL },
    { "params.null_outputs", null_outputs, NULL },
    { "params.versions_flags", versions_and_flags, NULL },
    { "params.containers_names", containers_and_names, NULL },
};
const size_t mdc_param_count = sizeof mdc_param_cases / sizeof mdc_param_cases[0];
