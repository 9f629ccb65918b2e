/* PKCS#1 v1.5 padding callbacks for minidrivers whose card only does raw RSA
 * (RFC 8017: EMSA-PKCS1-v1_5 for signatures, RSAES-PKCS1-v1_5 decoding for decryption). */
#include <stdbool.h>
#include <string.h>

#include "opgp/crypto.h"
#include "opgp/digestinfo.h"
#include "opgp/host.h"

#define MIN_PS 8 /* RFC 8017: at least 8 padding bytes */

static bool digest_of_alg(ALG_ID alg, opgp_digest *d)
{
    switch (alg) {
    case CALG_MD5: *d = OPGP_DIGEST_MD5; return true;
    case CALG_SHA1: *d = OPGP_DIGEST_SHA1; return true;
    case CALG_SHA_256: *d = OPGP_DIGEST_SHA256; return true;
    case CALG_SHA_384: *d = OPGP_DIGEST_SHA384; return true;
    case CALG_SHA_512: *d = OPGP_DIGEST_SHA512; return true;
    default: return false;
    }
}

static bool wcs_eq(LPCWSTR a, LPCWSTR b)
{
    while (*a != 0 && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static bool digest_of_name(LPCWSTR name, opgp_digest *d)
{
    static const struct { const WCHAR *name; opgp_digest d; } map[] = {
        { OPGP_WSTR("MD5"), OPGP_DIGEST_MD5 },
        { OPGP_WSTR("SHA1"), OPGP_DIGEST_SHA1 },
        { OPGP_WSTR("SHA256"), OPGP_DIGEST_SHA256 },
        { OPGP_WSTR("SHA384"), OPGP_DIGEST_SHA384 },
        { OPGP_WSTR("SHA512"), OPGP_DIGEST_SHA512 },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (wcs_eq(name, map[i].name)) {
            *d = map[i].d;
            return true;
        }
    }
    return false;
}

DWORD WINAPI opgp_host_pad_data(PCARD_SIGNING_INFO si, DWORD cbMaxWidth, DWORD *pcbPadded,
                                PBYTE *ppbPadded)
{
    if (si == NULL || pcbPadded == NULL || ppbPadded == NULL ||
        (si->pbData == NULL && si->cbData != 0))
        return SCARD_E_INVALID_PARAMETER;
    *ppbPadded = NULL;
    *pcbPadded = 0;
    const opgp_digestinfo *di = NULL;
    opgp_digest d;
    if (si->dwVersion >= CARD_SIGNING_INFO_CURRENT_VERSION &&
        (si->dwSigningFlags & CARD_PADDING_INFO_PRESENT)) {
        if (si->dwPaddingType != CARD_PADDING_PKCS1)
            return NTE_NOT_SUPPORTED; /* the Base CSP pads PKCS#1 v1.5 only */
        const BCRYPT_PKCS1_PADDING_INFO *pi = si->pPaddingInfo;
        if (pi != NULL && pi->pszAlgId != NULL) {
            if (!digest_of_name(pi->pszAlgId, &d))
                return NTE_BAD_ALGID;
            di = opgp_digestinfo_get(d);
        }
    } else if (!(si->dwSigningFlags & CRYPT_NOHASHOID) && si->aiHashAlg != CALG_SSL3_SHAMD5) {
        if (!digest_of_alg(si->aiHashAlg, &d))
            return NTE_BAD_ALGID;
        di = opgp_digestinfo_get(d);
    }
    if (di != NULL && si->cbData != di->hash_len)
        return NTE_BAD_LEN;
    size_t t_len = (di != NULL ? di->prefix_len : 0) + si->cbData;
    if ((size_t)cbMaxWidth < t_len + 3 + MIN_PS)
        return NTE_BAD_LEN;
    PBYTE em = opgp_host_alloc(cbMaxWidth);
    if (em == NULL)
        return NTE_NO_MEMORY;
    size_t ps = cbMaxWidth - t_len - 3;
    em[0] = 0x00;
    em[1] = 0x01;
    memset(em + 2, 0xFF, ps);
    em[2 + ps] = 0x00;
    size_t off = 3 + ps;
    if (di != NULL) {
        memcpy(em + off, di->prefix, di->prefix_len);
        off += di->prefix_len;
    }
    if (si->cbData > 0)
        memcpy(em + off, si->pbData, si->cbData);
    *ppbPadded = em;
    *pcbPadded = cbMaxWidth;
    return SCARD_S_SUCCESS;
}

DWORD WINAPI opgp_host_unpad_data(PCARD_RSA_DECRYPT_INFO in, DWORD cbUnpaddedData,
                                  DWORD *pcbUnpaddedData, PBYTE pbUnpaddedData)
{
    if (in == NULL || pcbUnpaddedData == NULL || in->pbData == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (in->dwVersion < CARD_RSA_KEY_DECRYPT_INFO_CURRENT_VERSION)
        return ERROR_REVISION_MISMATCH;
    if (in->dwPaddingType != CARD_PADDING_PKCS1)
        return NTE_NOT_SUPPORTED;
    DWORD k = in->cbData;
    if (k < 3 + MIN_PS)
        return NTE_BAD_DATA;
    /* Little-endian in: em[i] is pbData[k - 1 - i]. Scan the whole block whatever it holds,
     * so the time taken does not tell where the separator was. */
    const BYTE *b = in->pbData;
    unsigned bad = b[k - 1] | (b[k - 2] ^ 0x02u);
    DWORD sep = 0;
    unsigned found = 0;
    for (DWORD i = 2; i < k; i++) {
        unsigned zero = b[k - 1 - i] == 0;
        unsigned first = zero & !found;
        sep |= first ? i : 0;
        found |= zero;
    }
    bad |= !found;
    bad |= sep < 2 + MIN_PS;
    if (bad)
        return NTE_BAD_DATA;
    DWORD mlen = k - sep - 1;
    *pcbUnpaddedData = mlen;
    if (pbUnpaddedData == NULL || cbUnpaddedData < mlen)
        return ERROR_INSUFFICIENT_BUFFER;
    for (DWORD i = 0; i < mlen; i++)
        pbUnpaddedData[i] = b[k - 1 - (sep + 1 + i)];
    return SCARD_S_SUCCESS;
}
