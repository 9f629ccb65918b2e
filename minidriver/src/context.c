/* CardAcquireContext / CardDeleteContext: check what the CSP hands over, open the card through
 * the core, publish the function table. Per-context state lives in pvVendorSpecific. */
#include <stdlib.h>
#include <string.h>

#include "md.h"

/* A handle connected after a reset never reports it (PC/SC tells only the handles that
 * existed): when the CSP hands over a new hScard, one GET DATA C4 shows whether our
 * application is still selected. If not, the card was reset: select it again, forget PINs. */
static void check_new_handle(md_state *st)
{
    opgp_status s = opgp_card_refresh_status(st->card, NULL);
    switch (s) {
    case OPGP_OK:
    case OPGP_E_NO_CARD:
    case OPGP_E_TRANSPORT:
    case OPGP_E_TIMEOUT:
    case OPGP_E_SHARING:
        return; /* selected; or no card to talk to, which the call itself will report */
    default:
        md_after_reset(st);
    }
}

DWORD md_state_get(PCARD_DATA pCardData, md_state **out)
{
    if (pCardData == NULL || pCardData->pvVendorSpecific == NULL)
        return SCARD_E_INVALID_PARAMETER;
    *out = pCardData->pvVendorSpecific;
    if ((*out)->card == NULL)
        return SCARD_E_INVALID_HANDLE;
    /* Every call: the CSP may have handed over a new hScard since the last one. */
    bool changed = false;
    DWORD rv = md_transport_follow(pCardData, (*out)->transport, &changed);
    if (rv == SCARD_S_SUCCESS && changed)
        check_new_handle(*out);
    /* Another context of this process may have written to the card since our last call. */
    if (rv == SCARD_S_SUCCESS)
        md_generation_follow(*out);
    return rv;
}

void md_after_reset(md_state *st)
{
    st->verified = PIN_SET_NONE;
    md_cert_forget(st);
    /* The card lost its selection; a failure here shows again on the next command. */
    (void)opgp_card_reselect(st->card, NULL);
}

static void state_free(md_state *st)
{
    if (st == NULL)
        return;
    md_cert_forget(st);
    for (int i = 0; i < MD_MAX_AGREEMENTS; i++) {
        if (st->agreement[i] != NULL) {
            opgp_wipe(st->agreement[i], st->agreement_len[i]);
            free(st->agreement[i]);
        }
    }
    opgp_card_close(st->card);
    if (st->transport != NULL)
        opgp_transport_close(st->transport);
    free(st);
}

static void fill_table(PCARD_DATA d)
{
    d->pfnCardDeleteContext = CardDeleteContext;
    d->pfnCardQueryCapabilities = CardQueryCapabilities;
    d->pfnCardDeleteContainer = CardDeleteContainer;
    d->pfnCardCreateContainer = CardCreateContainer;
    d->pfnCardGetContainerInfo = CardGetContainerInfo;
    d->pfnCardAuthenticatePin = CardAuthenticatePin;
    d->pfnCardGetChallenge = CardGetChallenge;
    d->pfnCardAuthenticateChallenge = CardAuthenticateChallenge;
    d->pfnCardUnblockPin = CardUnblockPin;
    d->pfnCardChangeAuthenticator = CardChangeAuthenticator;
    d->pfnCardDeauthenticate = CardDeauthenticate;
    d->pfnCardCreateDirectory = CardCreateDirectory;
    d->pfnCardDeleteDirectory = CardDeleteDirectory;
    d->pvUnused3 = NULL;
    d->pvUnused4 = NULL;
    d->pfnCardCreateFile = CardCreateFile;
    d->pfnCardReadFile = CardReadFile;
    d->pfnCardWriteFile = CardWriteFile;
    d->pfnCardDeleteFile = CardDeleteFile;
    d->pfnCardEnumFiles = CardEnumFiles;
    d->pfnCardGetFileInfo = CardGetFileInfo;
    d->pfnCardQueryFreeSpace = CardQueryFreeSpace;
    d->pfnCardQueryKeySizes = CardQueryKeySizes;
    d->pfnCardSignData = CardSignData;
    d->pfnCardRSADecrypt = CardRSADecrypt;
    d->pfnCardConstructDHAgreement = CardConstructDHAgreement;
    if (d->dwVersion >= CARD_DATA_VERSION_FIVE) {
        d->pfnCardDeriveKey = CardDeriveKey;
        d->pfnCardDestroyDHAgreement = CardDestroyDHAgreement;
        /* pfnCspGetDHAgreement belongs to the KSP: left as given. */
    }
    if (d->dwVersion >= CARD_DATA_VERSION_SIX) {
        d->pfnCardGetChallengeEx = CardGetChallengeEx;
        d->pfnCardAuthenticateEx = CardAuthenticateEx;
        d->pfnCardChangeAuthenticatorEx = CardChangeAuthenticatorEx;
        d->pfnCardDeauthenticateEx = CardDeauthenticateEx;
        d->pfnCardGetContainerProperty = CardGetContainerProperty;
        d->pfnCardSetContainerProperty = CardSetContainerProperty;
        d->pfnCardGetProperty = CardGetProperty;
        d->pfnCardSetProperty = CardSetProperty;
    }
    if (d->dwVersion >= CARD_DATA_VERSION_SEVEN) {
        /* pfnCspUnpadData belongs to the CSP: left as given. */
        d->pfnMDImportSessionKey = MDImportSessionKey;
        d->pfnMDEncryptData = MDEncryptData;
        d->pfnCardImportSessionKey = CardImportSessionKey;
        d->pfnCardGetSharedKeyHandle = CardGetSharedKeyHandle;
        d->pfnCardGetAlgorithmProperty = CardGetAlgorithmProperty;
        d->pfnCardGetKeyProperty = CardGetKeyProperty;
        d->pfnCardSetKeyProperty = CardSetKeyProperty;
        d->pfnCardDestroyKey = CardDestroyKey;
        d->pfnCardProcessEncryptedData = CardProcessEncryptedData;
        d->pfnCardCreateContainerEx = CardCreateContainerEx;
    }
}

DWORD WINAPI CardAcquireContext(PCARD_DATA pCardData, DWORD dwFlags)
{
    if (pCardData == NULL)
        return SCARD_E_INVALID_PARAMETER;
    /* Only CARD_SECURE_KEY_INJECTION_NO_CARD_MODE is defined, and it needs a card-less mode
     * this minidriver does not have. */
    if (dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (pCardData->dwVersion < CARD_DATA_MINIMUM_VERSION)
        return ERROR_REVISION_MISMATCH;
    if (pCardData->dwVersion > CARD_DATA_CURRENT_VERSION)
        pCardData->dwVersion = CARD_DATA_CURRENT_VERSION;
    if (pCardData->pbAtr == NULL || pCardData->cbAtr == 0 || pCardData->cbAtr > 36 ||
        pCardData->pwszCardName == NULL || pCardData->pfnCspAlloc == NULL ||
        pCardData->pfnCspReAlloc == NULL || pCardData->pfnCspFree == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (pCardData->hScard == 0)
        return SCARD_E_INVALID_HANDLE;

    md_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return SCARD_E_NO_MEMORY;
    uint32_t writes_before_open = md_writes_total();
    DWORD rv = md_transport_open(pCardData, &st->transport);
    if (rv == SCARD_S_SUCCESS) {
        opgp_status s = md_selection_likely(pCardData->pbAtr, pCardData->cbAtr)
                            ? opgp_card_open_selected(st->transport, &st->card, NULL)
                            : opgp_card_open(st->transport, &st->card, NULL);
        if (s == OPGP_E_CARD_RESET)
            s = opgp_card_open(st->transport, &st->card, NULL);
        if (s == OPGP_E_NOT_OPENPGP || s == OPGP_E_NOT_SUPPORTED || s == OPGP_E_NOT_FOUND)
            rv = SCARD_E_UNKNOWN_CARD;
        else
            rv = md_status_to_scard(s);
    }
    if (rv != SCARD_S_SUCCESS) {
        state_free(st);
        return rv;
    }
    md_selection_opened(pCardData->pbAtr, pCardData->cbAtr);
    md_generation_start(st, writes_before_open);
    pCardData->pvVendorSpecific = st;
    fill_table(pCardData);
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardDeleteContext(PCARD_DATA pCardData)
{
    if (pCardData == NULL)
        return SCARD_E_INVALID_PARAMETER;
    md_state *st = pCardData->pvVendorSpecific;
    if (st == NULL)
        return SCARD_E_INVALID_PARAMETER;
    pCardData->pvVendorSpecific = NULL;
    state_free(st);
    return SCARD_S_SUCCESS;
}
