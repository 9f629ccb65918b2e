/* opgp statuses as the Windows error codes the Base CSP / KSP understand, and small helpers
 * every entry point uses. */
#include <string.h>

#include "md.h"

DWORD md_status_to_scard(opgp_status s)
{
    switch (s) {
    case OPGP_OK: return SCARD_S_SUCCESS;
    case OPGP_E_INVALID_ARG: return SCARD_E_INVALID_PARAMETER;
    case OPGP_E_BUFFER_TOO_SMALL: return SCARD_E_INSUFFICIENT_BUFFER;
    case OPGP_E_NO_MEMORY: return SCARD_E_NO_MEMORY;
    case OPGP_E_INTERNAL: return SCARD_F_INTERNAL_ERROR;
    case OPGP_E_CRYPTO: return SCARD_F_INTERNAL_ERROR;
    case OPGP_E_NO_READER: return SCARD_E_UNKNOWN_READER;
    case OPGP_E_NO_CARD: return SCARD_W_REMOVED_CARD;
    case OPGP_E_CARD_RESET: return SCARD_W_RESET_CARD;
    case OPGP_E_TRANSPORT: return SCARD_F_COMM_ERROR;
    case OPGP_E_TIMEOUT: return SCARD_E_TIMEOUT;
    case OPGP_E_SHARING: return SCARD_E_SHARING_VIOLATION;
    case OPGP_E_BAD_RESPONSE:
    case OPGP_E_BAD_TLV:
    case OPGP_E_PROTOCOL: return SCARD_E_UNEXPECTED;
    case OPGP_E_NOT_OPENPGP: return SCARD_E_UNKNOWN_CARD;
    case OPGP_E_WRONG_PIN: return SCARD_W_WRONG_CHV;
    case OPGP_E_PIN_BLOCKED: return SCARD_W_CHV_BLOCKED;
    case OPGP_E_SECURITY_STATUS:
    case OPGP_E_CONDITIONS: return SCARD_W_SECURITY_VIOLATION;
    case OPGP_E_WRONG_DATA: return NTE_BAD_DATA;
    case OPGP_E_NOT_FOUND: return SCARD_E_FILE_NOT_FOUND;
    case OPGP_E_NOT_SUPPORTED: return SCARD_E_UNSUPPORTED_FEATURE;
    case OPGP_E_WRONG_LENGTH: return SCARD_E_INVALID_PARAMETER;
    case OPGP_E_MEMORY_FAILURE: return SCARD_E_WRITE_TOO_MANY;
    case OPGP_E_TERMINATED: return SCARD_E_CARD_UNSUPPORTED;
    default: return SCARD_E_UNEXPECTED;
    }
}

DWORD md_card_error(md_state *st, opgp_status s)
{
    if (s == OPGP_E_CARD_RESET && st != NULL)
        md_after_reset(st);
    return md_status_to_scard(s);
}

bool md_wcs_eq(LPCWSTR a, LPCWSTR b)
{
    if (a == NULL || b == NULL)
        return false;
    size_t i = 0;
    for (; a[i] != 0 && b[i] != 0; i++)
        if (a[i] != b[i])
            return false;
    return a[i] == b[i];
}

DWORD md_put_property(PBYTE pbData, DWORD cbData, PDWORD pdwDataLen, const void *src, DWORD len)
{
    if (pdwDataLen == NULL)
        return SCARD_E_INVALID_PARAMETER;
    *pdwDataLen = len;
    if (pbData == NULL || cbData < len)
        return ERROR_INSUFFICIENT_BUFFER;
    memcpy(pbData, src, len);
    return SCARD_S_SUCCESS;
}

void *md_csp_alloc(PCARD_DATA d, size_t n)
{
    if (d == NULL || d->pfnCspAlloc == NULL)
        return NULL;
    return d->pfnCspAlloc(n == 0 ? 1 : n);
}
