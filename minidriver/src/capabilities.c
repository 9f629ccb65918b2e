/* CardQueryCapabilities, CardQueryFreeSpace, CardQueryKeySizes: what an OpenPGP card offers.
 * The card has exactly three key slots, stores certificates in its 7F21 DOs (uncompressed), and
 * generates keys on card. */
#include <string.h>

#include "md.h"

DWORD WINAPI CardQueryCapabilities(PCARD_DATA pCardData, PCARD_CAPABILITIES pCardCapabilities)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pCardCapabilities == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (pCardCapabilities->dwVersion != CARD_CAPABILITIES_CURRENT_VERSION &&
        pCardCapabilities->dwVersion != 0)
        return ERROR_REVISION_MISMATCH;
    pCardCapabilities->dwVersion = CARD_CAPABILITIES_CURRENT_VERSION;
    pCardCapabilities->fCertificateCompression = FALSE;
    pCardCapabilities->fKeyGen = TRUE;
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardQueryFreeSpace(PCARD_DATA pCardData, DWORD dwFlags,
                                PCARD_FREE_SPACE_INFO pCardFreeSpaceInfo)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pCardFreeSpaceInfo == NULL || dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (pCardFreeSpaceInfo->dwVersion > CARD_FREE_SPACE_INFO_CURRENT_VERSION)
        return ERROR_REVISION_MISMATCH;
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    DWORD empty = 0;
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++)
        empty += !opgp_appdata_key_present(ad, (opgp_key_slot)s);
    pCardFreeSpaceInfo->dwVersion = CARD_FREE_SPACE_INFO_CURRENT_VERSION;
    /* Only certificates of the three slots can be stored, each up to max_cert. */
    pCardFreeSpaceInfo->dwBytesAvailable = CARD_DATA_VALUE_UNKNOWN;
    pCardFreeSpaceInfo->dwKeyContainersAvailable = empty;
    pCardFreeSpaceInfo->dwMaxKeyContainers = MD_CONTAINERS;
    return SCARD_S_SUCCESS;
}

/* Key sizes for a key spec; false when the spec is not one this card can hold. */
static bool key_sizes(DWORD spec, CARD_KEY_SIZES *ks)
{
    ks->dwVersion = CARD_KEY_SIZES_CURRENT_VERSION;
    switch (spec) {
    case AT_KEYEXCHANGE:
    case AT_SIGNATURE:
        /* OpenPGP 3.x cards: RSA 2048, 3072, 4096 (older and some vendor cards less). */
        ks->dwMinimumBitlen = 2048;
        ks->dwDefaultBitlen = 2048;
        ks->dwMaximumBitlen = 4096;
        ks->dwIncrementalBitlen = 1024;
        return true;
    case AT_ECDSA_P256:
    case AT_ECDHE_P256:
        ks->dwMinimumBitlen = ks->dwDefaultBitlen = ks->dwMaximumBitlen = 256;
        break;
    case AT_ECDSA_P384:
    case AT_ECDHE_P384:
        ks->dwMinimumBitlen = ks->dwDefaultBitlen = ks->dwMaximumBitlen = 384;
        break;
    case AT_ECDSA_P521:
    case AT_ECDHE_P521:
        ks->dwMinimumBitlen = ks->dwDefaultBitlen = ks->dwMaximumBitlen = 521;
        break;
    default:
        return false;
    }
    ks->dwIncrementalBitlen = 0;
    return true;
}

DWORD md_key_sizes(DWORD spec, CARD_KEY_SIZES *ks)
{
    return key_sizes(spec, ks) ? SCARD_S_SUCCESS : SCARD_E_INVALID_PARAMETER;
}

DWORD WINAPI CardQueryKeySizes(PCARD_DATA pCardData, DWORD dwKeySpec, DWORD dwFlags,
                               PCARD_KEY_SIZES pKeySizes)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pKeySizes == NULL || dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (pKeySizes->dwVersion > CARD_KEY_SIZES_CURRENT_VERSION)
        return ERROR_REVISION_MISMATCH;
    CARD_KEY_SIZES ks;
    if (!key_sizes(dwKeySpec, &ks))
        return SCARD_E_INVALID_PARAMETER;
    *pKeySizes = ks;
    return SCARD_S_SUCCESS;
}
