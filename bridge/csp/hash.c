/* Hash objects: CPCreateHash, CPHashData, CPGetHashParam, CPSetHashParam, CPDestroyHash. */
#include <stdlib.h>
#include <string.h>

#include "csp.h"

bool csp_hash_finish(csp_hash *h)
{
    if (h->finished)
        return true;
    if (h->state == NULL || !csp_hash_state_final(h->state, h->value, h->len))
        return false;
    csp_hash_state_free(h->state);
    h->state = NULL;
    h->finished = true;
    return true;
}

BOOL WINAPI CPCreateHash(HCRYPTPROV hProv, ALG_ID Algid, HCRYPTKEY hKey, DWORD dwFlags,
                         HCRYPTHASH *phHash)
{
    csp_prov *p = csp_prov_get(hProv);
    if (p == NULL)
        return csp_fail((DWORD)NTE_BAD_UID);
    if (phHash == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    *phHash = 0;
    if (dwFlags != 0)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    if (hKey != 0)
        return csp_fail((DWORD)NTE_BAD_KEY); /* keyed hashes (MAC, HMAC) need session keys */
    DWORD len;
    if (!csp_hash_alg_known(Algid, &len))
        return csp_fail((DWORD)NTE_BAD_ALGID);
    csp_hash *h = calloc(1, sizeof *h);
    if (h == NULL)
        return csp_fail((DWORD)NTE_NO_MEMORY);
    h->alg = Algid;
    h->len = len;
    if (Algid != CALG_SSL3_SHAMD5) {
        h->state = csp_hash_state_new(Algid);
        if (h->state == NULL) {
            free(h);
            return csp_fail((DWORD)NTE_FAIL);
        }
    }
    winprov_handle_add(&h->obj, CSP_KIND_HASH, p);
    *phHash = (HCRYPTHASH)h;
    return TRUE;
}

BOOL WINAPI CPHashData(HCRYPTPROV hProv, HCRYPTHASH hHash, CONST BYTE *pbData, DWORD cbDataLen,
                       DWORD dwFlags)
{
    csp_prov *p;
    csp_hash *h = csp_hash_lookup(hProv, hHash, &p);
    if (h == NULL)
        return FALSE;
    if (dwFlags != 0)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    if (h->finished)
        return csp_fail((DWORD)NTE_BAD_HASH_STATE);
    if (h->state == NULL)
        return csp_fail((DWORD)NTE_BAD_ALGID); /* SSL3 SHAMD5 is set by value only */
    if (pbData == NULL && cbDataLen != 0)
        return csp_fail(ERROR_INVALID_PARAMETER);
    if (cbDataLen != 0 && !csp_hash_state_update(h->state, pbData, cbDataLen))
        return csp_fail((DWORD)NTE_FAIL);
    return TRUE;
}

BOOL WINAPI CPGetHashParam(HCRYPTPROV hProv, HCRYPTHASH hHash, DWORD dwParam, LPBYTE pbData,
                           LPDWORD pcbDataLen, DWORD dwFlags)
{
    csp_prov *p;
    csp_hash *h = csp_hash_lookup(hProv, hHash, &p);
    if (h == NULL)
        return FALSE;
    if (dwFlags != 0)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    DWORD dw;
    switch (dwParam) {
    case HP_ALGID:
        dw = h->alg;
        return csp_out(&dw, sizeof dw, pbData, pcbDataLen);
    case HP_HASHSIZE:
        dw = h->len;
        return csp_out(&dw, sizeof dw, pbData, pcbDataLen);
    case HP_HASHVAL:
        /* The size query leaves the hash open; reading the value finishes it. */
        if (pbData != NULL && pcbDataLen != NULL && *pcbDataLen >= h->len && !h->finished &&
            !csp_hash_finish(h))
            return csp_fail(h->state == NULL ? (DWORD)NTE_BAD_HASH_STATE : (DWORD)NTE_FAIL);
        return csp_out(h->value, h->len, pbData, pcbDataLen);
    default:
        return csp_fail((DWORD)NTE_BAD_TYPE);
    }
}

BOOL WINAPI CPSetHashParam(HCRYPTPROV hProv, HCRYPTHASH hHash, DWORD dwParam, CONST BYTE *pbData,
                           DWORD dwFlags)
{
    csp_prov *p;
    csp_hash *h = csp_hash_lookup(hProv, hHash, &p);
    if (h == NULL)
        return FALSE;
    if (dwFlags != 0)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    if (dwParam != HP_HASHVAL)
        return csp_fail((DWORD)NTE_BAD_TYPE);
    if (pbData == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    /* A value computed elsewhere (TLS's SHAMD5, a digest of a file hashed in pieces). */
    memcpy(h->value, pbData, h->len);
    csp_hash_state_free(h->state);
    h->state = NULL;
    h->finished = true;
    return TRUE;
}

BOOL WINAPI CPDestroyHash(HCRYPTPROV hProv, HCRYPTHASH hHash)
{
    csp_prov *p;
    csp_hash *h = csp_hash_lookup(hProv, hHash, &p);
    if (h == NULL)
        return FALSE;
    winprov_handle_remove(&h->obj);
    csp_hash_free(h);
    return TRUE;
}
