/* Public OpenPGP data objects through the minidriver's CP_OPGP_DATA_OBJECT (VENDOR.md), for
 * consumers that show the card's state (opgp-tool status): the value as the card stores it,
 * for the consumer to decode. */
#include <stdint.h>

#include "opgp/minidriver_vendor.h"
#include "token_internal.h"

opgp_tok_rv opgp_token_read_do(opgp_token *t, unsigned tag, uint8_t *buf, size_t *len)
{
    if (len == NULL || (buf == NULL && *len != 0) || tag > 0xFFFF)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    PCARD_DATA cd = tok_cd(t);
    if (cd->pfnCardGetProperty == NULL) {
        tok_leave(t);
        return OPGP_TOK_UNSUPPORTED;
    }
    DWORD cap = *len > 0xFFFFFFFFu ? 0xFFFFFFFFu : (DWORD)*len;
    DWORD got = 0;
    DWORD rv = cd->pfnCardGetProperty(cd, CP_OPGP_DATA_OBJECT, buf, cap, &got, (DWORD)tag);
    /* A tag outside the minidriver's list, or a minidriver without the property. */
    r = rv == (DWORD)SCARD_E_INVALID_PARAMETER ? OPGP_TOK_UNSUPPORTED : tok_map(t, rv);
    if (r == OPGP_TOK_OK || r == OPGP_TOK_BUFFER_TOO_SMALL)
        *len = got;
    tok_leave(t);
    return r;
}
