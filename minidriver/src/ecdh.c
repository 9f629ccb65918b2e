/* ECDH with the decryption key (container 2: AT_ECDHE_P*, or any ECDH curve with the vendor
 * flag OPGP_DH_RAW_PUBLIC_KEY): the card computes the shared secret (PSO:DECIPHER with the
 * peer's point); it is kept in this context under an index until CardDestroyDHAgreement or
 * the end of the context, and CardDeriveKey turns it into key material on the host. */
#include <stdlib.h>
#include <string.h>

#include "kdf.h"
#include "md.h"
#include "opgp/minidriver_vendor.h"

/* The point the card gets, from the caller's public key: a BCRYPT_ECCKEY_BLOB (magic, cbKey,
 * X, Y) checked against a NIST curve, or with OPGP_DH_RAW_PUBLIC_KEY the card's own form for
 * any ECDH curve. */
static DWORD peer_point(const opgp_algo_attr *a, const CARD_DH_AGREEMENT_INFO *in,
                        uint8_t point[OPGP_MAX_EC_POINT], size_t *point_len)
{
    size_t coord = opgp_algo_attr_key_bytes(a);
    const uint8_t *b = in->pbPublicKey;
    if (coord == 0 || 1 + 2 * coord > OPGP_MAX_EC_POINT)
        return SCARD_E_UNSUPPORTED_FEATURE;
    if (in->dwFlags & OPGP_DH_RAW_PUBLIC_KEY) {
        size_t want = a->curve == OPGP_CURVE_X25519 ? 32 : 1 + 2 * coord;
        if (in->dwPublicKey != want || (a->curve != OPGP_CURVE_X25519 && b[0] != 0x04))
            return SCARD_E_INVALID_PARAMETER;
        memcpy(point, b, want);
        *point_len = want;
        return SCARD_S_SUCCESS;
    }
    ULONG magic = (ULONG)b[0] | (ULONG)b[1] << 8 | (ULONG)b[2] << 16 | (ULONG)b[3] << 24;
    ULONG cb = (ULONG)b[4] | (ULONG)b[5] << 8 | (ULONG)b[6] << 16 | (ULONG)b[7] << 24;
    if (magic == 0 || magic != md_ecc_magic(a->curve, true) || cb != coord ||
        in->dwPublicKey != 8 + 2 * coord)
        return SCARD_E_INVALID_PARAMETER;
    point[0] = 0x04;
    memcpy(point + 1, b + 8, 2 * coord);
    *point_len = 1 + 2 * coord;
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardConstructDHAgreement(PCARD_DATA pCardData,
                                      PCARD_DH_AGREEMENT_INFO pAgreementInfo)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    PCARD_DH_AGREEMENT_INFO in = pAgreementInfo;
    if (in == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (in->dwVersion == 0 || in->dwVersion > CARD_DH_AGREEMENT_INFO_VERSION)
        return ERROR_REVISION_MISMATCH;
    if ((in->dwFlags & ~(DWORD)OPGP_DH_RAW_PUBLIC_KEY) != 0 || in->pbPublicKey == NULL ||
        in->dwPublicKey < 8)
        return SCARD_E_INVALID_PARAMETER;
    if (in->bContainerIndex >= MD_CONTAINERS)
        return SCARD_E_NO_KEY_CONTAINER;
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    opgp_key_slot kslot = md_container_slot(in->bContainerIndex);
    if (!opgp_appdata_key_present(ad, kslot))
        return SCARD_E_NO_KEY_CONTAINER;
    const opgp_algo_attr *a = &ad->attr[kslot];
    if (kslot != OPGP_KEY_DEC || a->algo != OPGP_ALGO_ECDH)
        return SCARD_E_UNSUPPORTED_FEATURE; /* only PSO:DECIPHER computes a shared secret */
    uint8_t point[OPGP_MAX_EC_POINT];
    size_t point_len = 0;
    rv = peer_point(a, in, point, &point_len);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    int slot = -1;
    for (int i = 0; i < MD_MAX_AGREEMENTS && slot < 0; i++)
        if (st->agreement[i] == NULL)
            slot = i;
    if (slot < 0)
        return SCARD_E_NO_MEMORY;

    uint8_t secret[OPGP_MAX_EC_POINT];
    size_t slen = sizeof secret;
    opgp_status s = opgp_card_decipher(st->card, point, point_len, secret, &slen, NULL);
    if (s == OPGP_E_CARD_RESET) {
        md_after_reset(st);
        return SCARD_W_RESET_CARD;
    }
    if (s != OPGP_OK)
        return md_card_error(st, s);
    /* The secret is the shared point's x coordinate (X25519: its 32 bytes). Some cards answer
     * the whole point 04||X||Y: keep X. Any other length is not a secret of this curve. */
    size_t coord = opgp_algo_attr_key_bytes(a);
    if (slen == 1 + 2 * coord && secret[0] == 0x04 && a->curve != OPGP_CURVE_X25519) {
        memmove(secret, secret + 1, coord);
        slen = coord;
    }
    if (slen != coord) {
        opgp_wipe(secret, sizeof secret);
        return SCARD_E_UNEXPECTED;
    }
    st->agreement[slot] = malloc(slen);
    if (st->agreement[slot] == NULL) {
        opgp_wipe(secret, sizeof secret);
        return SCARD_E_NO_MEMORY;
    }
    memcpy(st->agreement[slot], secret, slen);
    st->agreement_len[slot] = slen;
    st->agreement_le[slot] = a->curve == OPGP_CURVE_X25519;
    opgp_wipe(secret, sizeof secret);
    in->bSecretAgreementIndex = (BYTE)slot;
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardDeriveKey(PCARD_DATA pCardData, PCARD_DERIVE_KEY pAgreementInfo)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    PCARD_DERIVE_KEY in = pAgreementInfo;
    if (in == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (in->dwVersion != CARD_DERIVE_KEY_VERSION && in->dwVersion != CARD_DERIVE_KEY_VERSION_TWO)
        return ERROR_REVISION_MISMATCH;
    if (in->dwFlags & CARD_RETURN_KEY_HANDLE)
        return SCARD_E_UNSUPPORTED_FEATURE; /* no card-side session keys */
    if (in->pwszKDF == NULL)
        return SCARD_E_INVALID_PARAMETER;
    BYTE idx = in->bSecretAgreementIndex;
    if (idx >= MD_MAX_AGREEMENTS || st->agreement[idx] == NULL)
        return SCARD_E_INVALID_PARAMETER;
    size_t key_len = 0;
    if (in->dwVersion >= CARD_DERIVE_KEY_VERSION_TWO && in->dwKeyLen > 0)
        key_len = in->dwKeyLen;
    /* The size alone is asked for before the key (the spec's CARD_BUFFER_SIZE_ONLY); the
     * KDF runs all the same, since only it knows the size its parameters give. */
    bool size_only = (in->dwFlags & CARD_BUFFER_SIZE_ONLY) != 0;
    uint8_t out[MD_KDF_MAX_OUT];
    size_t out_len = sizeof out;
    rv = md_kdf_derive(in->pwszKDF, in->pParameterList,
                       in->dwFlags & ~(DWORD)CARD_BUFFER_SIZE_ONLY, st->agreement[idx],
                       st->agreement_len[idx], st->agreement_le[idx], key_len, out, &out_len);
    if (rv == SCARD_S_SUCCESS && size_only) {
        in->cbDerivedKey = (DWORD)out_len;
    } else if (rv == SCARD_S_SUCCESS) {
        PUCHAR key = md_csp_alloc(pCardData, out_len);
        if (key == NULL) {
            rv = SCARD_E_NO_MEMORY;
        } else {
            memcpy(key, out, out_len);
            in->pbDerivedKey = key;
            in->cbDerivedKey = (DWORD)out_len;
        }
    }
    opgp_wipe(out, sizeof out);
    return rv;
}

DWORD WINAPI CardDestroyDHAgreement(PCARD_DATA pCardData, BYTE bSecretAgreementIndex,
                                    DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (dwFlags != 0 || bSecretAgreementIndex >= MD_MAX_AGREEMENTS ||
        st->agreement[bSecretAgreementIndex] == NULL)
        return SCARD_E_INVALID_PARAMETER;
    opgp_wipe(st->agreement[bSecretAgreementIndex], st->agreement_len[bSecretAgreementIndex]);
    free(st->agreement[bSecretAgreementIndex]);
    st->agreement[bSecretAgreementIndex] = NULL;
    st->agreement_len[bSecretAgreementIndex] = 0;
    return SCARD_S_SUCCESS;
}
