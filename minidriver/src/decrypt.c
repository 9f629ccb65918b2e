/* CardRSADecrypt with the decryption key (container 2). An OpenPGP card removes the PKCS#1 v1.5
 * padding itself and returns the message; a caller passing structure version 1 (v6 and older
 * CSPs) or padding type NONE expects the whole decrypted block and unpads it itself. For those
 * the block is rebuilt: 00 02 <random non-zero> 00 <message>, which unpads to exactly the
 * card's message. Version 2 with CARD_PADDING_PKCS1 gets the message as is; a v7 CSP must pass
 * version 2 (ERROR_REVISION_MISMATCH otherwise, as the specification says). OAEP is impossible
 * on an OpenPGP card. Byte order in pbData is CryptoAPI's (little-endian) both ways. */
#include <string.h>

#include "md.h"
#include "opgp/crypto.h"

static DWORD repad(uint8_t *block, size_t k, const uint8_t *msg, size_t mlen)
{
    if (mlen + 11 > k)
        return NTE_BAD_DATA;
    size_t ps = k - mlen - 3;
    block[0] = 0x00;
    block[1] = 0x02;
    if (opgp_random(block + 2, ps) != OPGP_OK)
        return SCARD_F_INTERNAL_ERROR;
    for (size_t i = 0; i < ps; i++) {
        /* Replace zero bytes: the padding string must not contain one. */
        while (block[2 + i] == 0) {
            if (opgp_random(block + 2 + i, 1) != OPGP_OK)
                return SCARD_F_INTERNAL_ERROR;
        }
    }
    block[2 + ps] = 0x00;
    memcpy(block + 3 + ps, msg, mlen);
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardRSADecrypt(PCARD_DATA pCardData, PCARD_RSA_DECRYPT_INFO pInfo)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pInfo == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (pInfo->dwVersion != CARD_RSA_KEY_DECRYPT_INFO_VERSION_ONE &&
        pInfo->dwVersion != CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO)
        return ERROR_REVISION_MISMATCH;
    /* The spec: a current (v7) CSP always passes version 2 with its padding fields. */
    if (pCardData->dwVersion >= CARD_DATA_CURRENT_VERSION &&
        pInfo->dwVersion < CARD_RSA_KEY_DECRYPT_INFO_CURRENT_VERSION)
        return ERROR_REVISION_MISMATCH;
    if (pInfo->pbData == NULL || pInfo->cbData == 0)
        return SCARD_E_INVALID_PARAMETER;
    if (pInfo->bContainerIndex >= MD_CONTAINERS)
        return SCARD_E_NO_KEY_CONTAINER;
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    DWORD spec = md_container_keyspec(ad, pInfo->bContainerIndex);
    if (spec == 0)
        return SCARD_E_NO_KEY_CONTAINER;
    if (pInfo->dwKeySpec != AT_KEYEXCHANGE)
        return SCARD_E_INVALID_PARAMETER;
    if (spec != AT_KEYEXCHANGE || md_container_slot(pInfo->bContainerIndex) != OPGP_KEY_DEC)
        return SCARD_E_UNSUPPORTED_FEATURE; /* only the DEC key deciphers */
    bool unpadded = false;
    if (pInfo->dwVersion >= CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO) {
        if (pInfo->dwPaddingType == CARD_PADDING_OAEP)
            return SCARD_E_UNSUPPORTED_FEATURE;
        if (pInfo->dwPaddingType == CARD_PADDING_PKCS1)
            unpadded = true;
        else if (pInfo->dwPaddingType != CARD_PADDING_NONE)
            return SCARD_E_INVALID_PARAMETER;
    }
    size_t k = opgp_algo_attr_key_bytes(&ad->attr[OPGP_KEY_DEC]);
    if (k == 0 || k > OPGP_MAX_RSA_BYTES || pInfo->cbData != k)
        return SCARD_E_INVALID_PARAMETER;

    uint8_t cryptogram[OPGP_MAX_RSA_BYTES];
    memcpy(cryptogram, pInfo->pbData, k);
    md_reverse(cryptogram, k);
    uint8_t msg[OPGP_MAX_RSA_BYTES];
    size_t mlen = sizeof msg;
    opgp_status s = opgp_card_decipher(st->card, cryptogram, k, msg, &mlen, NULL);
    if (s == OPGP_E_CARD_RESET) {
        md_after_reset(st);
        return SCARD_W_RESET_CARD;
    }
    if (s != OPGP_OK)
        return md_card_error(st, s);
    if (unpadded) {
        /* pbData holds k bytes; a PKCS#1 v1.5 message is at most k - 11. A longer answer is
         * garbled and must not run past the caller's buffer (tests/fuzz: fuzz_minidriver,
         * regress-decrypt-long-answer). */
        if (mlen + 11 > k) {
            opgp_wipe(msg, sizeof msg);
            return SCARD_E_UNEXPECTED;
        }
        memcpy(pInfo->pbData, msg, mlen);
        md_reverse(pInfo->pbData, mlen);
        pInfo->cbData = (DWORD)mlen;
        rv = SCARD_S_SUCCESS;
    } else {
        uint8_t block[OPGP_MAX_RSA_BYTES];
        rv = repad(block, k, msg, mlen);
        if (rv == SCARD_S_SUCCESS) {
            md_reverse(block, k);
            memcpy(pInfo->pbData, block, k);
        }
        opgp_wipe(block, sizeof block);
    }
    opgp_wipe(msg, sizeof msg);
    return rv;
}
