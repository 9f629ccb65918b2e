/* opgp's card properties (minidriver_vendor.h, VENDOR.md): cardholder name, PIN tries, random
 * bytes. The first two come from data this context already has (the name after one GET DATA
 * 65 per card and process, through the CSP cache); randomness always costs APDUs. */
#include <string.h>

#include "md.h"
#include "opgp/minidriver_vendor.h"

/* The name through the CSP's cache (as certificates: keyed by the card and its key state), so
 * that a second context of the process sends nothing. */
static DWORD holder_name(PCARD_DATA d, md_state *st, PBYTE pbData, DWORD cbData,
                         PDWORD pdwDataLen)
{
    if (!st->holder_known) {
        uint8_t *cached;
        size_t clen;
        if (md_cache_lookup(d, st, "holder", &cached, &clen) == SCARD_S_SUCCESS) {
            if (clen < sizeof st->holder) {
                memcpy(st->holder, cached, clen);
                st->holder[clen] = 0;
                st->holder_known = true;
            }
            d->pfnCspFree(cached);
        }
    }
    if (!st->holder_known) {
        opgp_cardholder ch;
        opgp_status s = opgp_card_get_cardholder(st->card, &ch, NULL);
        if (s == OPGP_E_CARD_RESET) {
            md_after_reset(st); /* a read: safe to send again */
            s = opgp_card_get_cardholder(st->card, &ch, NULL);
        }
        if (s != OPGP_OK)
            return md_card_error(st, s);
        memcpy(st->holder, ch.name, sizeof st->holder);
        st->holder[sizeof st->holder - 1] = 0;
        st->holder_known = true;
        md_cache_add(d, st, "holder", (const uint8_t *)st->holder, strlen(st->holder));
    }
    return md_put_property(pbData, cbData, pdwDataLen, st->holder,
                           (DWORD)strlen(st->holder));
}

static DWORD pin_tries(md_state *st, PBYTE pbData, DWORD cbData, PDWORD pdwDataLen)
{
    const opgp_pw_status *pw = &opgp_card_appdata(st->card)->pw;
    if (!pw->present)
        return SCARD_E_UNEXPECTED;
    BYTE v[3] = { pw->tries_pw1, pw->tries_rc, pw->tries_pw3 };
    return md_put_property(pbData, cbData, pdwDataLen, v, sizeof v);
}

static DWORD random_bytes(md_state *st, PBYTE pbData, DWORD cbData, PDWORD pdwDataLen)
{
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    if (!(ad->ext_caps.flags & OPGP_EXTCAP_GET_CHALLENGE) || ad->ext_caps.max_challenge == 0)
        return SCARD_E_UNSUPPORTED_FEATURE;
    if (pbData == NULL || cbData == 0 || cbData > OPGP_MAX_RANDOM)
        return SCARD_E_INVALID_PARAMETER;
    size_t done = 0;
    bool retried = false;
    while (done < cbData) {
        size_t n = cbData - done;
        if (n > ad->ext_caps.max_challenge)
            n = ad->ext_caps.max_challenge;
        opgp_status s = opgp_card_get_challenge(st->card, pbData + done, n, NULL);
        if (s == OPGP_E_CARD_RESET && !retried) {
            md_after_reset(st); /* nothing secret was sent: ask again once */
            retried = true;
            continue;
        }
        if (s != OPGP_OK) {
            opgp_wipe(pbData, cbData);
            return md_card_error(st, s);
        }
        done += n;
    }
    *pdwDataLen = cbData;
    return SCARD_S_SUCCESS;
}

DWORD md_vendor_card_property(PCARD_DATA d, md_state *st, LPCWSTR prop, PBYTE pbData,
                              DWORD cbData, PDWORD pdwDataLen, bool *handled)
{
    *handled = true;
    if (md_wcs_eq(prop, CP_OPGP_CARDHOLDER_NAME))
        return holder_name(d, st, pbData, cbData, pdwDataLen);
    if (md_wcs_eq(prop, CP_OPGP_PIN_TRIES))
        return pin_tries(st, pbData, cbData, pdwDataLen);
    if (md_wcs_eq(prop, CP_OPGP_RANDOM))
        return random_bytes(st, pbData, cbData, pdwDataLen);
    *handled = false;
    return SCARD_E_INVALID_PARAMETER;
}
