/* The provider context: acquire and release, provider parameters, the PIN. */
#include <stdlib.h>
#include <string.h>

#include "csp.h"

#ifndef OPGP_CSP_VERSION
#define OPGP_CSP_VERSION 0x0001
#endif

#define ACQUIRE_FLAGS (CRYPT_VERIFYCONTEXT | CRYPT_SILENT | CRYPT_MACHINE_KEYSET | \
                       CRYPT_DEFAULT_CONTAINER_OPTIONAL)

BOOL WINAPI CPAcquireContext(HCRYPTPROV *phProv, LPCSTR szContainer, DWORD dwFlags,
                             PVTableProvStruc pVTable)
{
    (void)pVTable;
    if (phProv == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    *phProv = 0;
    if (dwFlags & (CRYPT_NEWKEYSET | CRYPT_DELETEKEYSET))
        return csp_fail((DWORD)NTE_NOT_SUPPORTED); /* keys are made on the card (opgp-tool) */
    if (dwFlags & ~(DWORD)ACQUIRE_FLAGS)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    bool verify = (dwFlags & CRYPT_VERIFYCONTEXT) == CRYPT_VERIFYCONTEXT;
    csp_prov *p = calloc(1, sizeof *p);
    if (p == NULL)
        return csp_fail((DWORD)NTE_NO_MEMORY);
    p->container = -1;
    p->flags = dwFlags;
    DWORD e = csp_container_open(p, szContainer, verify);
    if (e != 0) {
        opgp_token_close(p->token);
        free(p);
        return csp_fail(e);
    }
    winprov_handle_add(&p->obj, CSP_KIND_PROV, NULL);
    *phProv = (HCRYPTPROV)p;
    return TRUE;
}

BOOL WINAPI CPReleaseContext(HCRYPTPROV hProv, DWORD dwFlags)
{
    csp_prov *p = csp_prov_get(hProv);
    if (p == NULL)
        return csp_fail((DWORD)NTE_BAD_UID);
    if (dwFlags != 0)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    winprov_handle_remove(&p->obj);
    csp_handle_drop_owned(p);
    opgp_token_close(p->token);
    free(p);
    return TRUE;
}

/* ---- PP_ENUMALGS / PP_ENUMALGS_EX ---------------------------------------------------------- */

typedef struct alg_entry {
    ALG_ID id;
    DWORD def_bits, min_bits, max_bits;
    const char *name, *long_name;
} alg_entry;

static const alg_entry algs[] = {
    { CALG_RSA_SIGN, 2048, 1024, 4096, "RSA_SIGN", "RSA Signature" },
    { CALG_RSA_KEYX, 2048, 1024, 4096, "RSA_KEYX", "RSA Key Exchange" },
    { CALG_MD5, 128, 128, 128, "MD5", "Message Digest 5 (MD5)" },
    { CALG_SHA1, 160, 160, 160, "SHA-1", "Secure Hash Algorithm (SHA-1)" },
    { CALG_SHA_256, 256, 256, 256, "SHA-256", "Secure Hash Algorithm (SHA-256)" },
    { CALG_SHA_384, 384, 384, 384, "SHA-384", "Secure Hash Algorithm (SHA-384)" },
    { CALG_SHA_512, 512, 512, 512, "SHA-512", "Secure Hash Algorithm (SHA-512)" },
    { CALG_SSL3_SHAMD5, 288, 288, 288, "SSL3 SHAMD5", "SSL3 SHAMD5" },
};
#define ALG_COUNT (sizeof algs / sizeof algs[0])

static BOOL enum_alg(unsigned *pos, bool ex, BYTE *pb, DWORD *pcb, DWORD flags)
{
    if (flags & CRYPT_FIRST)
        *pos = 0;
    if (*pos >= ALG_COUNT)
        return csp_fail(ERROR_NO_MORE_ITEMS);
    const alg_entry *a = &algs[*pos];
    BOOL ok;
    if (ex) {
        PROV_ENUMALGS_EX e;
        memset(&e, 0, sizeof e);
        e.aiAlgid = a->id;
        e.dwDefaultLen = a->def_bits;
        e.dwMinLen = a->min_bits;
        e.dwMaxLen = a->max_bits;
        e.dwNameLen = (DWORD)strlen(a->name) + 1;
        memcpy(e.szName, a->name, e.dwNameLen);
        e.dwLongNameLen = (DWORD)strlen(a->long_name) + 1;
        memcpy(e.szLongName, a->long_name, e.dwLongNameLen);
        ok = csp_out(&e, sizeof e, pb, pcb);
    } else {
        PROV_ENUMALGS e;
        memset(&e, 0, sizeof e);
        e.aiAlgid = a->id;
        e.dwBitLen = a->def_bits;
        e.dwNameLen = (DWORD)strlen(a->name) + 1;
        memcpy(e.szName, a->name, e.dwNameLen);
        ok = csp_out(&e, sizeof e, pb, pcb);
    }
    if (ok && pb != NULL)
        (*pos)++;
    return ok;
}

/* ---- PP_ENUMCONTAINERS ---------------------------------------------------------------------- */

#define CONTAINER_NAME_MAX 64
#define FQ_NAME_MAX (4 + OPGP_TOK_READER_NAME + 1 + CONTAINER_NAME_MAX)

static bool fq_name(const csp_prov *p, unsigned index, char *out, size_t max)
{
    char name[CONTAINER_NAME_MAX];
    if (!csp_container_name(p, index, name, sizeof name))
        return false;
    size_t rl = strlen(p->reader), nl = strlen(name);
    if (4 + rl + 1 + nl + 1 > max)
        return false;
    memcpy(out, "\\\\.\\", 4);
    memcpy(out + 4, p->reader, rl);
    out[4 + rl] = '\\';
    memcpy(out + 5 + rl, name, nl + 1);
    return true;
}

static BOOL enum_containers(csp_prov *p, BYTE *pb, DWORD *pcb, DWORD flags)
{
    if (flags & CRYPT_FIRST)
        p->enum_container = 0;
    if (pcb == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    /* The size query answers the longest name, as the Base CSP does. */
    if (pb == NULL) {
        *pcb = (flags & CRYPT_FQCN) ? FQ_NAME_MAX : CONTAINER_NAME_MAX;
        return TRUE;
    }
    while (p->enum_container < OPGP_TOK_CONTAINERS &&
           csp_container_keyspec(p->token, p->enum_container, NULL) == 0)
        p->enum_container++;
    if (p->token == NULL || p->enum_container >= OPGP_TOK_CONTAINERS)
        return csp_fail(ERROR_NO_MORE_ITEMS);
    char name[FQ_NAME_MAX];
    bool ok = (flags & CRYPT_FQCN) ? fq_name(p, p->enum_container, name, sizeof name)
                                   : csp_container_name(p, p->enum_container, name, sizeof name);
    if (!ok)
        return csp_fail((DWORD)NTE_FAIL);
    if (!csp_out(name, (DWORD)strlen(name) + 1, pb, pcb))
        return FALSE;
    p->enum_container++;
    return TRUE;
}

BOOL WINAPI CPGetProvParam(HCRYPTPROV hProv, DWORD dwParam, LPBYTE pbData, LPDWORD pcbDataLen,
                           DWORD dwFlags)
{
    csp_prov *p = csp_prov_get(hProv);
    if (p == NULL)
        return csp_fail((DWORD)NTE_BAD_UID);
    if (pcbDataLen == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    DWORD enum_flags = CRYPT_FIRST | CRYPT_NEXT | CRYPT_FQCN | CRYPT_UNIQUE;
    bool enumerates = dwParam == PP_ENUMCONTAINERS || dwParam == PP_ENUMALGS ||
                      dwParam == PP_ENUMALGS_EX;
    if (dwFlags & ~(enumerates ? enum_flags : (DWORD)0))
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    DWORD dw;
    char name[FQ_NAME_MAX];
    switch (dwParam) {
    case PP_NAME:
        return csp_out(CSP_PROVIDER_NAME, sizeof CSP_PROVIDER_NAME, pbData, pcbDataLen);
    case PP_VERSION:
        dw = OPGP_CSP_VERSION;
        return csp_out(&dw, sizeof dw, pbData, pcbDataLen);
    case PP_IMPTYPE:
        dw = CRYPT_IMPL_MIXED | CRYPT_IMPL_REMOVABLE;
        return csp_out(&dw, sizeof dw, pbData, pcbDataLen);
    case PP_PROVTYPE:
        dw = PROV_RSA_FULL;
        return csp_out(&dw, sizeof dw, pbData, pcbDataLen);
    case PP_KEYSPEC:
        dw = AT_SIGNATURE | AT_KEYEXCHANGE;
        return csp_out(&dw, sizeof dw, pbData, pcbDataLen);
    case PP_CONTAINER:
    case PP_UNIQUE_CONTAINER:
        if (p->container < 0 || !csp_container_name(p, (unsigned)p->container, name, sizeof name))
            return csp_fail((DWORD)NTE_BAD_KEYSET);
        return csp_out(name, (DWORD)strlen(name) + 1, pbData, pcbDataLen);
    case PP_SMARTCARD_READER:
        if (p->token == NULL)
            return csp_fail((DWORD)SCARD_E_NO_SMARTCARD);
        return csp_out(p->reader, (DWORD)strlen(p->reader) + 1, pbData, pcbDataLen);
    case PP_ENUMCONTAINERS:
        return enum_containers(p, pbData, pcbDataLen, dwFlags);
    case PP_ENUMALGS:
        return enum_alg(&p->enum_alg, false, pbData, pcbDataLen, dwFlags);
    case PP_ENUMALGS_EX:
        return enum_alg(&p->enum_alg_ex, true, pbData, pcbDataLen, dwFlags);
    default:
        return csp_fail((DWORD)NTE_BAD_TYPE);
    }
}

/* The PIN is PW1 whichever parameter brings it: a key exchange PIN logs in the user (the
 * token keeps it for the signature key's own state); a signature PIN on a card that wants it
 * for every signature is verified for the signature key as well. */
static BOOL set_pin(csp_prov *p, DWORD param, const BYTE *pb)
{
    if (pb == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    if (p->token == NULL)
        return csp_fail((DWORD)SCARD_E_NO_SMARTCARD);
    size_t len = strnlen((const char *)pb, 128);
    if (len == 0 || len > 127)
        return csp_fail((DWORD)SCARD_E_INVALID_CHV);
    opgp_tok_rv r = opgp_token_login(p->token, OPGP_TOK_PIN_USER, pb, len, NULL);
    if (r == OPGP_TOK_OK && param == PP_SIGNATURE_PIN) {
        opgp_tok_info info;
        r = opgp_token_info(p->token, &info);
        if (r == OPGP_TOK_OK && info.sign_pin_always)
            r = opgp_token_login(p->token, OPGP_TOK_PIN_SIGN, pb, len, NULL);
    }
    return r == OPGP_TOK_OK ? TRUE : csp_tok_fail(p, r);
}

BOOL WINAPI CPSetProvParam(HCRYPTPROV hProv, DWORD dwParam, CONST BYTE *pbData, DWORD dwFlags)
{
    csp_prov *p = csp_prov_get(hProv);
    if (p == NULL)
        return csp_fail((DWORD)NTE_BAD_UID);
    if (dwFlags != 0)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    switch (dwParam) {
    case PP_KEYEXCHANGE_PIN:
    case PP_SIGNATURE_PIN:
        return set_pin(p, dwParam, pbData);
    case PP_CLIENT_HWND:
        return TRUE; /* no UI of ours to parent */
    default:
        return csp_fail((DWORD)NTE_BAD_TYPE);
    }
}
