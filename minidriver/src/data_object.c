/* CP_OPGP_DATA_OBJECT (VENDOR.md): the raw value of one public data object, for consumers that
 * show a card's state (opgp-tool status) without talking to common/ themselves. Only DOs the
 * card gives without a PIN and that hold nothing secret: never the private DOs (0101-0104),
 * the Reset Code or key material. */
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "opgp/minidriver_vendor.h"

/* A GET DATA response never exceeds an extended Le. */
#define DO_MAX 65536

static bool allowed(DWORD tag)
{
    static const DWORD tags[] = {
        0x6E,   /* application related data */
        0x65,   /* cardholder related data */
        0x5E,   /* login data */
        0x5F50, /* URL */
        0x7A,   /* security support template: the signature counter */
        0x7F74, /* general feature management */
        0xF9,   /* KDF-DO: salts and hashes the card publishes for PIN derivation */
        0x5F52, /* historical bytes */
        0x4F,   /* application identifier */
    };
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (tags[i] == tag)
            return true;
    return false;
}

static DWORD put(PBYTE pbData, DWORD cbData, PDWORD pdwDataLen, const uint8_t *v, size_t len)
{
    *pdwDataLen = (DWORD)len;
    if (len > cbData || (pbData == NULL && len != 0))
        return SCARD_E_INSUFFICIENT_BUFFER;
    if (len)
        memcpy(pbData, v, len);
    return SCARD_S_SUCCESS;
}

DWORD md_data_object_property(md_state *st, DWORD tag, PBYTE pbData, DWORD cbData,
                              PDWORD pdwDataLen)
{
    if (!allowed(tag))
        return SCARD_E_INVALID_PARAMETER;
    if (tag == 0x4F) {
        /* The AID is part of 6E, decoded at open: no APDU. */
        const opgp_aid *aid = &opgp_card_appdata(st->card)->aid;
        return put(pbData, cbData, pdwDataLen, aid->raw, sizeof aid->raw);
    }
    uint8_t *buf = malloc(DO_MAX);
    if (buf == NULL)
        return SCARD_E_NO_MEMORY;
    size_t len = DO_MAX;
    opgp_status s = opgp_card_get_data(st->card, (uint16_t)tag, buf, &len, NULL);
    if (s == OPGP_E_CARD_RESET) {
        md_after_reset(st); /* a read: safe to send again */
        len = DO_MAX;
        s = opgp_card_get_data(st->card, (uint16_t)tag, buf, &len, NULL);
    }
    DWORD rv = s == OPGP_OK ? put(pbData, cbData, pdwDataLen, buf, len) : md_card_error(st, s);
    free(buf);
    return rv;
}
