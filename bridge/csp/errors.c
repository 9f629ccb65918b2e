/* CryptoAPI's error and output conventions. */
#include <string.h>

#include "csp.h"

BOOL csp_fail(DWORD error)
{
    SetLastError(error);
    return FALSE;
}

DWORD csp_tok_error(const csp_prov *p, opgp_tok_rv r)
{
    switch (r) {
    case OPGP_TOK_BUFFER_TOO_SMALL: return ERROR_MORE_DATA;
    case OPGP_TOK_CANCELLED: return (DWORD)SCARD_W_CANCELLED_BY_USER;
    default:
        /* No PIN dialog here: a context that is not silent learns that the card wants
         * PP_KEYEXCHANGE_PIN / PP_SIGNATURE_PIN first. */
        return (DWORD)winprov_tok_status(r, p != NULL && (p->flags & CRYPT_SILENT));
    }
}

BOOL csp_tok_fail(const csp_prov *p, opgp_tok_rv r)
{
    return csp_fail(csp_tok_error(p, r));
}

BOOL csp_out(const void *src, DWORD len, BYTE *pb, DWORD *pcb)
{
    if (pcb == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    if (pb == NULL) {
        *pcb = len;
        return TRUE;
    }
    if (*pcb < len) {
        *pcb = len;
        return csp_fail(ERROR_MORE_DATA);
    }
    memcpy(pb, src, len);
    *pcb = len;
    return TRUE;
}

void csp_reverse(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}
