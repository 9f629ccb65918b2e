/* CardSignData. The container decides the key and the command: SIG via PSO:COMPUTE DIGITAL
 * SIGNATURE, AUT via INTERNAL AUTHENTICATE; the DEC key cannot sign. RSA: the card pads
 * (PKCS#1 v1.5) the DigestInfo built here; PSS and raw RSA are impossible on an OpenPGP card.
 * ECDSA: the digest goes as is, whatever its length (the card truncates to the order).
 * Keys cardmod cannot express sign under opgp's vendor key specs (AT_OPGP_ECDSA for any
 * curve, AT_OPGP_EDDSA with the message: minidriver_vendor.h). */
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "opgp/digestinfo.h"
#include "opgp/minidriver_vendor.h"

/* Longest ECDSA digest / EdDSA message sent to the card (command chaining or extended
 * length carry it; the card refuses what it cannot take). */
#define MD_MAX_SIGN_INPUT 4096

/* The digest for a CryptoAPI hash id; OPGP_DIGEST_COUNT for none / raw. *len its size. */
static opgp_digest digest_of_alg(ALG_ID alg, size_t *len)
{
    switch (alg) {
    case CALG_MD5: *len = 16; return OPGP_DIGEST_MD5;
    case CALG_SHA1: *len = 20; return OPGP_DIGEST_SHA1;
    case CALG_SHA_256: *len = 32; return OPGP_DIGEST_SHA256;
    case CALG_SHA_384: *len = 48; return OPGP_DIGEST_SHA384;
    case CALG_SHA_512: *len = 64; return OPGP_DIGEST_SHA512;
    case CALG_SSL3_SHAMD5: *len = 36; return OPGP_DIGEST_COUNT;
    default: *len = 0; return OPGP_DIGEST_COUNT;
    }
}

static bool digest_of_name(LPCWSTR name, opgp_digest *d)
{
    static const struct { const WCHAR *name; opgp_digest d; } map[] = {
        { BCRYPT_MD5_ALGORITHM, OPGP_DIGEST_MD5 },
        { BCRYPT_SHA1_ALGORITHM, OPGP_DIGEST_SHA1 },
        { BCRYPT_SHA256_ALGORITHM, OPGP_DIGEST_SHA256 },
        { BCRYPT_SHA384_ALGORITHM, OPGP_DIGEST_SHA384 },
        { BCRYPT_SHA512_ALGORITHM, OPGP_DIGEST_SHA512 },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (md_wcs_eq(name, map[i].name)) {
            *d = map[i].d;
            return true;
        }
    }
    return false;
}

/* What the card gets for an RSA signature: DigestInfo, or the data as is. */
static DWORD rsa_input(const CARD_SIGNING_INFO *in, uint8_t *out, size_t *out_len)
{
    opgp_digest d = OPGP_DIGEST_COUNT;
    bool raw = false;
    if (in->dwVersion >= CARD_SIGNING_INFO_CURRENT_VERSION &&
        (in->dwSigningFlags & CARD_PADDING_INFO_PRESENT)) {
        if (in->dwPaddingType == CARD_PADDING_PSS || in->dwPaddingType == CARD_PADDING_NONE)
            return SCARD_E_UNSUPPORTED_FEATURE; /* the card pads PKCS#1 v1.5, nothing else */
        if (in->dwPaddingType != CARD_PADDING_PKCS1)
            return SCARD_E_INVALID_PARAMETER;
        const BCRYPT_PKCS1_PADDING_INFO *pi = in->pPaddingInfo;
        if (pi == NULL || pi->pszAlgId == NULL)
            raw = true; /* the caller built the DigestInfo */
        else if (!digest_of_name(pi->pszAlgId, &d))
            return NTE_BAD_ALGID;
    } else {
        size_t hlen;
        d = digest_of_alg(in->aiHashAlg, &hlen);
        if (in->aiHashAlg == CALG_SSL3_SHAMD5 || in->aiHashAlg == 0 ||
            (in->dwSigningFlags & CRYPT_NOHASHOID))
            raw = true;
        else if (d == OPGP_DIGEST_COUNT)
            return NTE_BAD_ALGID;
        if (hlen != 0 && in->cbData != hlen)
            return SCARD_E_INVALID_PARAMETER;
    }
    if (raw) {
        if (in->cbData > *out_len)
            return SCARD_E_INVALID_PARAMETER;
        memcpy(out, in->pbData, in->cbData);
        *out_len = in->cbData;
        return SCARD_S_SUCCESS;
    }
    const opgp_digestinfo *di = opgp_digestinfo_get(d);
    if (di == NULL)
        return NTE_BAD_ALGID;
    if (in->cbData != di->hash_len || di->prefix_len + di->hash_len > *out_len)
        return SCARD_E_INVALID_PARAMETER;
    memcpy(out, di->prefix, di->prefix_len);
    memcpy(out + di->prefix_len, in->pbData, in->cbData);
    *out_len = di->prefix_len + di->hash_len;
    return SCARD_S_SUCCESS;
}

DWORD md_container_vendor_spec(const opgp_appdata *ad, BYTE index)
{
    if (ad == NULL || index >= MD_CONTAINERS)
        return 0;
    opgp_key_slot slot = md_container_slot(index);
    if (slot == OPGP_KEY_DEC || !opgp_appdata_key_present(ad, slot))
        return 0;
    switch (ad->attr[slot].algo) {
    case OPGP_ALGO_ECDSA: return AT_OPGP_ECDSA;
    case OPGP_ALGO_EDDSA: return AT_OPGP_EDDSA;
    default: return 0;
    }
}

/* Whether dwKeySpec names the container's key: RSA under either CryptoAPI spec, ECC under its
 * own AT_ECDSA_P*, and the vendor specs for every ECDSA / EdDSA key. */
static DWORD check_key_spec(const opgp_appdata *ad, const CARD_SIGNING_INFO *in, bool *rsa,
                            bool *message)
{
    DWORD spec = md_container_keyspec(ad, in->bContainerIndex);
    DWORD vendor = md_container_vendor_spec(ad, in->bContainerIndex);
    opgp_key_slot slot = md_container_slot(in->bContainerIndex);
    if (!opgp_appdata_key_present(ad, slot))
        return SCARD_E_NO_KEY_CONTAINER;
    *rsa = spec == AT_SIGNATURE || spec == AT_KEYEXCHANGE;
    *message = (in->dwSigningFlags & OPGP_SIGN_MESSAGE) != 0;
    if (in->dwKeySpec == AT_OPGP_ECDSA || in->dwKeySpec == AT_OPGP_EDDSA) {
        if (vendor != in->dwKeySpec)
            return slot == OPGP_KEY_DEC ? SCARD_E_UNSUPPORTED_FEATURE : SCARD_E_INVALID_PARAMETER;
        /* EdDSA signs the message itself: the caller says so, so that a digest passed by
         * mistake is refused rather than signed. Nothing else takes a message. */
        if (*message != (vendor == AT_OPGP_EDDSA) || (*message && in->aiHashAlg != 0))
            return SCARD_E_INVALID_PARAMETER;
        return SCARD_S_SUCCESS;
    }
    if (*message)
        return SCARD_E_INVALID_PARAMETER;
    if (spec == 0)
        return vendor != 0 ? SCARD_E_INVALID_PARAMETER : SCARD_E_NO_KEY_CONTAINER;
    /* RSA keys sign whichever of the two CryptoAPI key specs the caller names; an ECC key
     * only under its own spec. */
    if (*rsa ? (in->dwKeySpec != AT_SIGNATURE && in->dwKeySpec != AT_KEYEXCHANGE)
             : in->dwKeySpec != spec)
        return SCARD_E_INVALID_PARAMETER;
    if (slot == OPGP_KEY_DEC)
        return SCARD_E_UNSUPPORTED_FEATURE; /* PSO:DECIPHER keys cannot sign */
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardSignData(PCARD_DATA pCardData, PCARD_SIGNING_INFO pInfo)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pInfo == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (pInfo->dwVersion != CARD_SIGNING_INFO_BASIC_VERSION &&
        pInfo->dwVersion != CARD_SIGNING_INFO_CURRENT_VERSION)
        return ERROR_REVISION_MISMATCH;
    if (pInfo->pbData == NULL || pInfo->cbData == 0)
        return SCARD_E_INVALID_PARAMETER;
    if (pInfo->bContainerIndex >= MD_CONTAINERS)
        return SCARD_E_NO_KEY_CONTAINER;
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    bool rsa = false, message = false;
    rv = check_key_spec(ad, pInfo, &rsa, &message);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    opgp_key_slot slot = md_container_slot(pInfo->bContainerIndex);

    size_t sig_size = opgp_algo_attr_key_bytes(&ad->attr[slot]) * (rsa ? 1 : 2);
    if (sig_size == 0)
        return SCARD_E_UNEXPECTED;
    if (pInfo->dwSigningFlags & CARD_BUFFER_SIZE_ONLY) {
        pInfo->cbSignedData = (DWORD)sig_size;
        return SCARD_S_SUCCESS;
    }

    uint8_t input[OPGP_MAX_RSA_BYTES];
    size_t in_len = sizeof input;
    const uint8_t *card_in = input;
    if (rsa) {
        rv = rsa_input(pInfo, input, &in_len);
        if (rv != SCARD_S_SUCCESS)
            return rv;
    } else {
        /* ECDSA: the digest as given (padding flags some callers pass mean nothing here);
         * EdDSA: the message, as long as the card takes it. */
        if (pInfo->cbData > MD_MAX_SIGN_INPUT)
            return SCARD_E_INVALID_PARAMETER;
        card_in = pInfo->pbData;
        in_len = pInfo->cbData;
    }

    uint8_t sig[OPGP_MAX_RSA_BYTES];
    size_t sig_len = sizeof sig;
    opgp_status s = opgp_card_sign_raw(st->card, slot, card_in, in_len, sig, &sig_len, NULL);
    if (s == OPGP_E_CARD_RESET) {
        md_after_reset(st);
        return SCARD_W_RESET_CARD; /* the PIN state went with the reset: ask again */
    }
    if (slot == OPGP_KEY_SIG && !ad->pw.pw1_multi_sign)
        CLEAR_PIN(st->verified, MD_PIN_SIGN); /* valid for one signature only */
    if (s != OPGP_OK)
        return md_card_error(st, s);
    /* Longer than the key allows is a garbled answer (tests/faults: padded responses), never
     * a signature to hand on. */
    if (sig_len > sig_size)
        return SCARD_E_UNEXPECTED;
    /* So is an empty one, and an ECDSA r||s or EdDSA R||S of another size than the key's (the
     * halves would split wrongly). An RSA signature is a number: a card that drops leading
     * zero bytes still gave it, widened here to the modulus size callers expect
     * (tests/fuzz: fuzz_minidriver, regress-sign-empty-answer). */
    if (sig_len == 0 || (!rsa && sig_len != sig_size))
        return SCARD_E_UNEXPECTED;
    PBYTE out = md_csp_alloc(pCardData, sig_size);
    if (out == NULL)
        return SCARD_E_NO_MEMORY;
    memset(out, 0, sig_size - sig_len);
    memcpy(out + (sig_size - sig_len), sig, sig_len);
    if (rsa)
        md_reverse(out, sig_size); /* CryptoAPI's byte order */
    pInfo->pbSignedData = out;
    pInfo->cbSignedData = (DWORD)sig_size;
    return SCARD_S_SUCCESS;
}
