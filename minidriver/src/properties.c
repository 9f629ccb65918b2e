/* CardGetProperty / CardSetProperty. */
#include <string.h>

#include "md.h"
#include "opgp/minidriver_vendor.h"

/* PIN ids this card has: user, admin, signature PIN, Reset Code. */
static const PIN_SET all_pins = CREATE_PIN_SET(ROLE_USER) | CREATE_PIN_SET(ROLE_ADMIN) |
                                CREATE_PIN_SET(MD_PIN_SIGN) | CREATE_PIN_SET(MD_PIN_RESET_CODE);

static bool valid_pin(DWORD id)
{
    return id < MD_PIN_COUNT && id != ROLE_EVERYONE;
}

/* A multi-string of UTF-16 names. */
static DWORD put_names(PBYTE pbData, DWORD cbData, PDWORD pdwDataLen, const WCHAR *const *names,
                       size_t n)
{
    WCHAR buf[128];
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; names[i][j] != 0 && o < 126; j++)
            buf[o++] = names[i][j];
        buf[o++] = 0;
    }
    buf[o++] = 0;
    return md_put_property(pbData, cbData, pdwDataLen, buf, (DWORD)(o * sizeof(WCHAR)));
}

DWORD WINAPI CardGetProperty(PCARD_DATA pCardData, LPCWSTR wszProperty, PBYTE pbData,
                             DWORD cbData, PDWORD pdwDataLen, DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (wszProperty == NULL || pdwDataLen == NULL || (pbData == NULL && cbData != 0))
        return SCARD_E_INVALID_PARAMETER;
    const opgp_appdata *ad = opgp_card_appdata(st->card);

    /* Properties that take a PIN id or key spec in dwFlags. */
    if (md_wcs_eq(wszProperty, CP_CARD_KEYSIZES)) {
        CARD_KEY_SIZES ks;
        rv = md_key_sizes(dwFlags, &ks);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        return md_put_property(pbData, cbData, pdwDataLen, &ks, sizeof ks);
    }
    if (md_wcs_eq(wszProperty, CP_CARD_PIN_INFO)) {
        PIN_INFO pi;
        rv = md_pin_info(dwFlags, &ad->pw, &pi);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        if (md_pin_external(st, dwFlags))
            pi.PinType = ExternalPinType; /* the CSP collects nothing: the reader asks */
        return md_put_property(pbData, cbData, pdwDataLen, &pi, sizeof pi);
    }
    if (md_wcs_eq(wszProperty, CP_CARD_PIN_STRENGTH_VERIFY) ||
        md_wcs_eq(wszProperty, CP_CARD_PIN_STRENGTH_CHANGE) ||
        md_wcs_eq(wszProperty, CP_CARD_PIN_STRENGTH_UNBLOCK)) {
        if (!valid_pin(dwFlags))
            return SCARD_E_INVALID_PARAMETER;
        DWORD v = CARD_PIN_STRENGTH_PLAINTEXT;
        return md_put_property(pbData, cbData, pdwDataLen, &v, sizeof v);
    }
    if (md_wcs_eq(wszProperty, CP_ENUM_ALGORITHMS)) {
        static const WCHAR *const asym[] = {
            BCRYPT_RSA_ALGORITHM,        BCRYPT_ECDSA_P256_ALGORITHM, BCRYPT_ECDSA_P384_ALGORITHM,
            BCRYPT_ECDSA_P521_ALGORITHM, BCRYPT_ECDH_P256_ALGORITHM,  BCRYPT_ECDH_P384_ALGORITHM,
            BCRYPT_ECDH_P521_ALGORITHM,
        };
        if (dwFlags == CARD_ASYMMETRIC_OPERATION)
            return put_names(pbData, cbData, pdwDataLen, asym, sizeof asym / sizeof asym[0]);
        if (dwFlags == CARD_CIPHER_OPERATION)
            return put_names(pbData, cbData, pdwDataLen, NULL, 0); /* no card session keys */
        return SCARD_E_INVALID_PARAMETER;
    }
    if (md_wcs_eq(wszProperty, CP_PADDING_SCHEMES)) {
        if (dwFlags != CARD_ASYMMETRIC_OPERATION && dwFlags != CARD_CIPHER_OPERATION)
            return SCARD_E_INVALID_PARAMETER;
        DWORD v = dwFlags == CARD_ASYMMETRIC_OPERATION ? CARD_PADDING_PKCS1 : 0;
        return md_put_property(pbData, cbData, pdwDataLen, &v, sizeof v);
    }
    if (md_wcs_eq(wszProperty, CP_CHAINING_MODES)) {
        if (dwFlags != CARD_CIPHER_OPERATION)
            return SCARD_E_INVALID_PARAMETER;
        return put_names(pbData, cbData, pdwDataLen, NULL, 0);
    }
    if (md_wcs_eq(wszProperty, CP_OPGP_DATA_OBJECT))
        return md_data_object_property(st, dwFlags, pbData, cbData, pdwDataLen);

    if (dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (md_wcs_eq(wszProperty, CP_CARD_GUID)) {
        uint8_t id[16];
        md_cardid_build(ad, id);
        return md_put_property(pbData, cbData, pdwDataLen, id, sizeof id);
    }
    if (md_wcs_eq(wszProperty, CP_CARD_SERIAL_NO)) {
        /* Manufacturer and serial number from the AID: what "gpg --card-status" shows. */
        return md_put_property(pbData, cbData, pdwDataLen, ad->aid.raw + 8, 6);
    }
    if (md_wcs_eq(wszProperty, CP_CARD_FREE_SPACE)) {
        CARD_FREE_SPACE_INFO fs = { CARD_FREE_SPACE_INFO_CURRENT_VERSION, 0, 0, 0 };
        rv = CardQueryFreeSpace(pCardData, 0, &fs);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        return md_put_property(pbData, cbData, pdwDataLen, &fs, sizeof fs);
    }
    if (md_wcs_eq(wszProperty, CP_CARD_CAPABILITIES)) {
        CARD_CAPABILITIES cc = { CARD_CAPABILITIES_CURRENT_VERSION, FALSE, FALSE };
        rv = CardQueryCapabilities(pCardData, &cc);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        return md_put_property(pbData, cbData, pdwDataLen, &cc, sizeof cc);
    }
    if (md_wcs_eq(wszProperty, CP_CARD_READ_ONLY)) {
        BOOL v = FALSE;
        return md_put_property(pbData, cbData, pdwDataLen, &v, sizeof v);
    }
    if (md_wcs_eq(wszProperty, CP_CARD_CACHE_MODE)) {
        /* cardcf follows the keys but not a certificate replaced by another host: keep cached
         * data for the card session only. */
        DWORD v = CP_CACHE_MODE_SESSION_ONLY;
        return md_put_property(pbData, cbData, pdwDataLen, &v, sizeof v);
    }
    if (md_wcs_eq(wszProperty, CP_SUPPORTS_WIN_X509_ENROLLMENT)) {
        BOOL v = TRUE; /* with the admin PIN verified: the card wants PW3 for keys and certs */
        return md_put_property(pbData, cbData, pdwDataLen, &v, sizeof v);
    }
    if (md_wcs_eq(wszProperty, CP_CARD_LIST_PINS)) {
        PIN_SET v = all_pins;
        return md_put_property(pbData, cbData, pdwDataLen, &v, sizeof v);
    }
    if (md_wcs_eq(wszProperty, CP_CARD_AUTHENTICATED_STATE)) {
        PIN_SET v = st->verified;
        return md_put_property(pbData, cbData, pdwDataLen, &v, sizeof v);
    }
    if (md_wcs_eq(wszProperty, CP_KEY_IMPORT_SUPPORT)) {
        DWORD v = (ad->ext_caps.flags & OPGP_EXTCAP_KEY_IMPORT) ? CARD_KEY_IMPORT_PLAIN_TEXT : 0;
        return md_put_property(pbData, cbData, pdwDataLen, &v, sizeof v);
    }
    bool handled;
    rv = md_vendor_card_property(pCardData, st, wszProperty, pbData, cbData, pdwDataLen,
                                 &handled);
    return handled ? rv : (DWORD)SCARD_E_INVALID_PARAMETER;
}

DWORD WINAPI CardSetProperty(PCARD_DATA pCardData, LPCWSTR wszProperty, PBYTE pbData,
                             DWORD cbDataLen, DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (wszProperty == NULL || dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (md_wcs_eq(wszProperty, CP_PARENT_WINDOW)) {
        /* No UI here (no pinpad prompts yet): the handle is checked and not kept. */
        if (pbData == NULL || cbDataLen != sizeof(HWND))
            return SCARD_E_INVALID_PARAMETER;
        return SCARD_S_SUCCESS;
    }
    if (md_wcs_eq(wszProperty, CP_PIN_CONTEXT_STRING)) {
        if (pbData == NULL && cbDataLen != 0)
            return SCARD_E_INVALID_PARAMETER;
        return SCARD_S_SUCCESS;
    }
    static const WCHAR *const known[] = {
        CP_CARD_FREE_SPACE, CP_CARD_CAPABILITIES, CP_CARD_KEYSIZES, CP_CARD_LIST_PINS,
        CP_CARD_AUTHENTICATED_STATE, CP_KEY_IMPORT_SUPPORT, CP_ENUM_ALGORITHMS,
        CP_PADDING_SCHEMES, CP_CHAINING_MODES, CP_CARD_READ_ONLY, CP_CARD_CACHE_MODE,
        CP_SUPPORTS_WIN_X509_ENROLLMENT, CP_CARD_GUID, CP_CARD_SERIAL_NO, CP_CARD_PIN_INFO,
        CP_CARD_PIN_STRENGTH_VERIFY, CP_CARD_PIN_STRENGTH_CHANGE, CP_CARD_PIN_STRENGTH_UNBLOCK,
        CP_OPGP_CARDHOLDER_NAME, CP_OPGP_PIN_TRIES, CP_OPGP_RANDOM, CP_OPGP_DATA_OBJECT,
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (md_wcs_eq(wszProperty, known[i]))
            return SCARD_E_UNSUPPORTED_FEATURE; /* read-only, or fixed by the card */
    return SCARD_E_INVALID_PARAMETER;
}
