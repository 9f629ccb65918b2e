/* Containers: CardGetContainerInfo (public key blobs), container properties (standard and
 * opgp's vendor ones), CardDeleteContainer. */
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "opgp/minidriver_vendor.h"

DWORD md_public_key(PCARD_DATA d, md_state *st, opgp_key_slot slot, opgp_public_key *pk)
{
    static const char *names[OPGP_KEY_SLOT_COUNT] = { "pub0", "pub1", "pub2" };
    uint8_t *cached;
    size_t clen;
    if (md_cache_lookup(d, st, names[slot], &cached, &clen) == SCARD_S_SUCCESS) {
        bool ok = clen == sizeof *pk;
        if (ok)
            memcpy(pk, cached, sizeof *pk);
        d->pfnCspFree(cached);
        if (ok && pk->n_len <= sizeof pk->n && pk->e_len <= sizeof pk->e &&
            pk->point_len <= sizeof pk->point)
            return SCARD_S_SUCCESS;
    }
    opgp_status s = opgp_card_read_public_key(st->card, slot, pk, NULL);
    if (s == OPGP_E_CARD_RESET) {
        md_after_reset(st);
        s = opgp_card_read_public_key(st->card, slot, pk, NULL);
    }
    if (s == OPGP_E_NOT_FOUND)
        return SCARD_E_NO_KEY_CONTAINER;
    if (s != OPGP_OK)
        return md_card_error(st, s);
    md_cache_add(d, st, names[slot], (const uint8_t *)pk, sizeof *pk);
    return SCARD_S_SUCCESS;
}

/* The blob for the container's key in CSP memory. */
static DWORD container_blob(PCARD_DATA d, md_state *st, BYTE index, DWORD spec, PBYTE *out,
                            DWORD *out_len)
{
    opgp_public_key pk;
    opgp_key_slot slot = md_container_slot(index);
    DWORD rv = md_public_key(d, st, slot, &pk);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    size_t need = 0;
    opgp_status s;
    ULONG magic = 0;
    ALG_ID alg = spec == AT_SIGNATURE ? CALG_RSA_SIGN : CALG_RSA_KEYX;
    bool rsa = spec == AT_SIGNATURE || spec == AT_KEYEXCHANGE;
    if (rsa) {
        s = md_rsa_pubkey_blob(pk.n, pk.n_len, pk.e, pk.e_len, alg, NULL, &need);
    } else {
        magic = md_ecc_magic(opgp_card_appdata(st->card)->attr[slot].curve,
                             spec >= AT_ECDHE_P256);
        s = md_ecc_pubkey_blob(magic, pk.point, pk.point_len, NULL, &need);
    }
    if (s != OPGP_OK)
        return SCARD_E_UNEXPECTED;
    PBYTE blob = md_csp_alloc(d, need);
    if (blob == NULL)
        return SCARD_E_NO_MEMORY;
    if (rsa)
        s = md_rsa_pubkey_blob(pk.n, pk.n_len, pk.e, pk.e_len, alg, blob, &need);
    else
        s = md_ecc_pubkey_blob(magic, pk.point, pk.point_len, blob, &need);
    if (s != OPGP_OK) {
        d->pfnCspFree(blob);
        return SCARD_E_UNEXPECTED;
    }
    *out = blob;
    *out_len = (DWORD)need;
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardGetContainerInfo(PCARD_DATA pCardData, BYTE bContainerIndex, DWORD dwFlags,
                                  PCONTAINER_INFO pContainerInfo)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pContainerInfo == NULL || dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (pContainerInfo->dwVersion > CONTAINER_INFO_CURRENT_VERSION)
        return ERROR_REVISION_MISMATCH;
    if (bContainerIndex >= MD_CONTAINERS)
        return SCARD_E_NO_KEY_CONTAINER;
    DWORD spec = md_container_keyspec(opgp_card_appdata(st->card), bContainerIndex);
    if (spec == 0)
        return SCARD_E_NO_KEY_CONTAINER;
    PBYTE blob = NULL;
    DWORD blob_len = 0;
    rv = container_blob(pCardData, st, bContainerIndex, spec, &blob, &blob_len);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    pContainerInfo->dwVersion = CONTAINER_INFO_CURRENT_VERSION;
    pContainerInfo->dwReserved = 0;
    pContainerInfo->cbSigPublicKey = 0;
    pContainerInfo->pbSigPublicKey = NULL;
    pContainerInfo->cbKeyExPublicKey = 0;
    pContainerInfo->pbKeyExPublicKey = NULL;
    if (spec == AT_SIGNATURE || (spec >= AT_ECDSA_P256 && spec <= AT_ECDSA_P521)) {
        pContainerInfo->pbSigPublicKey = blob;
        pContainerInfo->cbSigPublicKey = blob_len;
    } else {
        pContainerInfo->pbKeyExPublicKey = blob;
        pContainerInfo->cbKeyExPublicKey = blob_len;
    }
    return SCARD_S_SUCCESS;
}

static DWORD vendor_property(PCARD_DATA d, md_state *st, BYTE index, LPCWSTR prop,
                             PBYTE pbData, DWORD cbData, PDWORD pdwDataLen)
{
    opgp_key_slot slot = md_container_slot(index);
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    if (md_wcs_eq(prop, CCP_OPGP_KEY_ROLE)) {
        BYTE role = opgp_key_slot_key_ref(slot); /* 1 SIG, 2 DEC, 3 AUT */
        return md_put_property(pbData, cbData, pdwDataLen, &role, 1);
    }
    if (md_wcs_eq(prop, CCP_OPGP_CERTIFICATE)) {
        /* Any slot, with or without a key cardmod can express (VENDOR.md). */
        const uint8_t *cert;
        size_t clen;
        DWORD rv = md_cert_get(d, st, slot, &cert, &clen);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        if (clen == 0)
            return SCARD_E_FILE_NOT_FOUND;
        return md_put_property(pbData, cbData, pdwDataLen, cert, (DWORD)clen);
    }
    if (md_wcs_eq(prop, CCP_OPGP_ALGORITHM)) {
        uint8_t attr[64];
        size_t alen = sizeof attr;
        if (ad->attr[slot].algo == OPGP_ALGO_NONE ||
            opgp_algo_attr_encode(&ad->attr[slot], attr, &alen) != OPGP_OK)
            return SCARD_E_NO_KEY_CONTAINER;
        return md_put_property(pbData, cbData, pdwDataLen, attr, (DWORD)alen);
    }
    if (!opgp_appdata_key_present(ad, slot))
        return SCARD_E_NO_KEY_CONTAINER;
    if (md_wcs_eq(prop, CCP_OPGP_FINGERPRINT))
        return md_put_property(pbData, cbData, pdwDataLen, ad->fpr[slot], 20);
    if (md_wcs_eq(prop, CCP_OPGP_GENERATION_TIME)) {
        uint32_t t = ad->gen_time[slot];
        uint8_t be[4] = { (uint8_t)(t >> 24), (uint8_t)(t >> 16), (uint8_t)(t >> 8), (uint8_t)t };
        return md_put_property(pbData, cbData, pdwDataLen, be, 4);
    }
    bool want_key = md_wcs_eq(prop, CCP_OPGP_PUBLIC_KEY);
    bool want_e = md_wcs_eq(prop, CCP_OPGP_PUBLIC_EXPONENT);
    if (!want_key && !want_e)
        return SCARD_E_INVALID_PARAMETER;
    opgp_public_key pk;
    DWORD rv = md_public_key(d, st, slot, &pk);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (want_e) {
        if (pk.e_len == 0)
            return SCARD_E_INVALID_PARAMETER;
        return md_put_property(pbData, cbData, pdwDataLen, pk.e, (DWORD)pk.e_len);
    }
    if (pk.n_len > 0)
        return md_put_property(pbData, cbData, pdwDataLen, pk.n, (DWORD)pk.n_len);
    return md_put_property(pbData, cbData, pdwDataLen, pk.point, (DWORD)pk.point_len);
}

DWORD WINAPI CardGetContainerProperty(PCARD_DATA pCardData, BYTE bContainerIndex,
                                      LPCWSTR wszProperty, PBYTE pbData, DWORD cbData,
                                      PDWORD pdwDataLen, DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (wszProperty == NULL || pdwDataLen == NULL || dwFlags != 0 ||
        (pbData == NULL && cbData != 0))
        return SCARD_E_INVALID_PARAMETER;
    if (bContainerIndex >= MD_CONTAINERS)
        return SCARD_E_NO_KEY_CONTAINER;
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    if (md_wcs_eq(wszProperty, CCP_CONTAINER_INFO)) {
        if (cbData < sizeof(CONTAINER_INFO)) {
            *pdwDataLen = sizeof(CONTAINER_INFO);
            return ERROR_INSUFFICIENT_BUFFER;
        }
        CONTAINER_INFO ci;
        memset(&ci, 0, sizeof ci);
        ci.dwVersion = CONTAINER_INFO_CURRENT_VERSION;
        rv = CardGetContainerInfo(pCardData, bContainerIndex, 0, &ci);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        memcpy(pbData, &ci, sizeof ci);
        *pdwDataLen = sizeof ci;
        return SCARD_S_SUCCESS;
    }
    if (md_wcs_eq(wszProperty, CCP_PIN_IDENTIFIER)) {
        /* Also for keys Windows cannot see: the vendor key specs use the same PINs. */
        if (!opgp_appdata_key_present(ad, md_container_slot(bContainerIndex)))
            return SCARD_E_NO_KEY_CONTAINER;
        PIN_ID id = md_container_pin(bContainerIndex);
        return md_put_property(pbData, cbData, pdwDataLen, &id, sizeof id);
    }
    if (md_wcs_eq(wszProperty, CCP_ASSOCIATED_ECDH_KEY)) {
        /* The ECDH partner of an ECDSA container is the decryption key, when on the card. */
        DWORD spec = md_container_keyspec(ad, bContainerIndex);
        DWORD dec = md_container_keyspec(ad, 2);
        if (spec < AT_ECDSA_P256 || spec > AT_ECDSA_P521 || dec != spec + 3)
            return SCARD_E_NO_KEY_CONTAINER;
        BYTE partner = 2;
        return md_put_property(pbData, cbData, pdwDataLen, &partner, 1);
    }
    return vendor_property(pCardData, st, bContainerIndex, wszProperty, pbData, cbData,
                           pdwDataLen);
}

DWORD WINAPI CardSetContainerProperty(PCARD_DATA pCardData, BYTE bContainerIndex,
                                      LPCWSTR wszProperty, PBYTE pbData, DWORD cbDataLen,
                                      DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (wszProperty == NULL || dwFlags != 0 || (pbData == NULL && cbDataLen != 0))
        return SCARD_E_INVALID_PARAMETER;
    if (bContainerIndex >= MD_CONTAINERS)
        return SCARD_E_NO_KEY_CONTAINER;
    if (md_wcs_eq(wszProperty, CCP_OPGP_CERTIFICATE)) {
        /* The card checks the admin PIN (PUT DATA 7F21); empty deletes. */
        const opgp_appdata *ad = opgp_card_appdata(st->card);
        if (ad->ext_caps.max_cert != 0 && cbDataLen > ad->ext_caps.max_cert)
            return SCARD_E_WRITE_TOO_MANY;
        return md_cert_write(pCardData, st, bContainerIndex, pbData, cbDataLen);
    }
    if (pbData == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (md_wcs_eq(wszProperty, CCP_PIN_IDENTIFIER)) {
        /* Which PIN guards a key is fixed by the OpenPGP card: only that PIN is accepted. */
        PIN_ID id;
        if (cbDataLen != sizeof id)
            return SCARD_E_INVALID_PARAMETER;
        memcpy(&id, pbData, sizeof id);
        return id == md_container_pin(bContainerIndex) ? SCARD_S_SUCCESS
                                                       : SCARD_E_UNSUPPORTED_FEATURE;
    }
    return SCARD_E_UNSUPPORTED_FEATURE;
}

DWORD WINAPI CardDeleteContainer(PCARD_DATA pCardData, BYTE bContainerIndex, DWORD dwReserved)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (dwReserved != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (bContainerIndex >= MD_CONTAINERS)
        return SCARD_E_NO_KEY_CONTAINER;
    /* An OpenPGP card cannot delete one key; a new key replaces it (CardCreateContainer). */
    return SCARD_E_UNSUPPORTED_FEATURE;
}
