/* CNG's status and output conventions, names, diagnostics. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksp.h"

SECURITY_STATUS ksp_tok_status(opgp_tok_rv r, DWORD flags)
{
    switch (r) {
    case OPGP_TOK_BUFFER_TOO_SMALL: return NTE_BUFFER_TOO_SMALL;
    case OPGP_TOK_CANCELLED: return NTE_USER_CANCELLED;
    case OPGP_TOK_DEVICE_ERROR: return NTE_DEVICE_NOT_READY;
    default:
        /* No PIN dialog here: a caller that is not silent learns that the card wants
         * NCRYPT_PIN_PROPERTY first. */
        return winprov_tok_status(r, (flags & NCRYPT_SILENT_FLAG) != 0);
    }
}

SECURITY_STATUS ksp_out(const void *src, DWORD len, PBYTE pb, DWORD cb, DWORD *pcb)
{
    if (pcb == NULL)
        return NTE_INVALID_PARAMETER;
    *pcb = len;
    if (pb == NULL)
        return ERROR_SUCCESS;
    if (cb < len)
        return NTE_BUFFER_TOO_SMALL;
    memcpy(pb, src, len);
    return ERROR_SUCCESS;
}

SECURITY_STATUS ksp_out_wstr(const wchar_t *s, PBYTE pb, DWORD cb, DWORD *pcb)
{
    return ksp_out(s, (DWORD)((wcslen(s) + 1) * sizeof(wchar_t)), pb, cb, pcb);
}

SECURITY_STATUS ksp_out_dword(DWORD v, PBYTE pb, DWORD cb, DWORD *pcb)
{
    return ksp_out(&v, sizeof v, pb, cb, pcb);
}

bool ksp_to_utf8(const wchar_t *w, char *out, size_t max)
{
    if (w == NULL || max == 0 || max > INT32_MAX)
        return false;
    int n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, out, (int)max, NULL, NULL);
    return n > 0;
}

bool ksp_to_wide(const char *s, wchar_t *out, size_t max)
{
    if (s == NULL || max == 0 || max > INT32_MAX)
        return false;
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, out, (int)max);
    return n > 0;
}

void ksp_log(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = strlen(line);
    line[len] = '\n';
    line[len + 1] = '\0';
    OutputDebugStringA(line);
    if (getenv("OPGP_KSP_DEBUG") != NULL)
        fputs(line, stderr);
}
