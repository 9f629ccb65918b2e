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
    case OPGP_TOK_OK: return ERROR_SUCCESS;
    case OPGP_TOK_NO_CARD: return (DWORD)SCARD_W_REMOVED_CARD;
    case OPGP_TOK_CARD_RESET: return (DWORD)SCARD_W_RESET_CARD;
    case OPGP_TOK_UNKNOWN_CARD: return (DWORD)SCARD_E_UNKNOWN_CARD;
    case OPGP_TOK_NO_READER: return (DWORD)SCARD_E_NO_READERS_AVAILABLE;
    case OPGP_TOK_PIN_INCORRECT: return (DWORD)SCARD_W_WRONG_CHV;
    case OPGP_TOK_PIN_LOCKED: return (DWORD)SCARD_W_CHV_BLOCKED;
    case OPGP_TOK_PIN_LEN_RANGE: return (DWORD)SCARD_E_INVALID_CHV;
    case OPGP_TOK_NOT_LOGGED_IN:
        /* This CSP has no PIN dialog: a silent caller learns that UI would be needed, any
         * other that the card wants a PIN (PP_KEYEXCHANGE_PIN / PP_SIGNATURE_PIN). */
        return p != NULL && (p->flags & CRYPT_SILENT) ? (DWORD)NTE_SILENT_CONTEXT
                                                      : (DWORD)SCARD_W_CARD_NOT_AUTHENTICATED;
    case OPGP_TOK_NO_KEY: return (DWORD)NTE_NO_KEY;
    case OPGP_TOK_UNSUPPORTED: return (DWORD)NTE_NOT_SUPPORTED;
    case OPGP_TOK_BAD_INPUT: return (DWORD)NTE_BAD_DATA;
    case OPGP_TOK_BUFFER_TOO_SMALL: return ERROR_MORE_DATA;
    case OPGP_TOK_NO_MEMORY: return (DWORD)NTE_NO_MEMORY;
    case OPGP_TOK_TIMEOUT: return (DWORD)SCARD_E_TIMEOUT;
    case OPGP_TOK_CANCELLED: return (DWORD)SCARD_W_CANCELLED_BY_USER;
    case OPGP_TOK_DEVICE_ERROR: return (DWORD)NTE_FAIL;
    }
    return (DWORD)NTE_FAIL;
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
