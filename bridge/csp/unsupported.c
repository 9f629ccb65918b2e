/* Entry points a card-backed CSP cannot serve: session keys (generation, derivation, import,
 * encryption), duplicated objects, key parameters. advapi32 needs them all exported. */
#include "csp.h"

/* Only a live context gets NTE_NOT_SUPPORTED: a bad handle is still reported as one. */
static BOOL unsupported(HCRYPTPROV hProv)
{
    if (csp_prov_get(hProv) == NULL)
        return csp_fail((DWORD)NTE_BAD_UID);
    return csp_fail((DWORD)NTE_NOT_SUPPORTED);
}

BOOL WINAPI CPGenKey(HCRYPTPROV hProv, ALG_ID Algid, DWORD dwFlags, HCRYPTKEY *phKey)
{
    (void)Algid, (void)dwFlags;
    if (phKey != NULL)
        *phKey = 0;
    return unsupported(hProv);
}

BOOL WINAPI CPDeriveKey(HCRYPTPROV hProv, ALG_ID Algid, HCRYPTHASH hBaseData, DWORD dwFlags,
                        HCRYPTKEY *phKey)
{
    (void)Algid, (void)hBaseData, (void)dwFlags;
    if (phKey != NULL)
        *phKey = 0;
    return unsupported(hProv);
}

BOOL WINAPI CPSetKeyParam(HCRYPTPROV hProv, HCRYPTKEY hKey, DWORD dwParam, CONST BYTE *pbData,
                          DWORD dwFlags)
{
    (void)dwParam, (void)pbData, (void)dwFlags;
    csp_prov *p = csp_prov_get(hProv);
    if (p == NULL)
        return csp_fail((DWORD)NTE_BAD_UID);
    if (csp_key_get(p, hKey) == NULL)
        return csp_fail((DWORD)NTE_BAD_KEY);
    return csp_fail((DWORD)NTE_NOT_SUPPORTED);
}

BOOL WINAPI CPImportKey(HCRYPTPROV hProv, CONST BYTE *pbData, DWORD cbDataLen, HCRYPTKEY hPubKey,
                        DWORD dwFlags, HCRYPTKEY *phKey)
{
    (void)pbData, (void)cbDataLen, (void)hPubKey, (void)dwFlags;
    if (phKey != NULL)
        *phKey = 0;
    return unsupported(hProv);
}

BOOL WINAPI CPEncrypt(HCRYPTPROV hProv, HCRYPTKEY hKey, HCRYPTHASH hHash, BOOL fFinal,
                      DWORD dwFlags, LPBYTE pbData, LPDWORD pcbDataLen, DWORD cbBufLen)
{
    (void)hKey, (void)hHash, (void)fFinal, (void)dwFlags, (void)pbData, (void)pcbDataLen;
    (void)cbBufLen;
    return unsupported(hProv);
}

BOOL WINAPI CPDuplicateKey(HCRYPTPROV hUID, HCRYPTKEY hKey, LPDWORD pdwReserved, DWORD dwFlags,
                           HCRYPTKEY *phKey)
{
    (void)hKey, (void)pdwReserved, (void)dwFlags;
    if (phKey != NULL)
        *phKey = 0;
    return unsupported(hUID);
}

BOOL WINAPI CPHashSessionKey(HCRYPTPROV hProv, HCRYPTHASH hHash, HCRYPTKEY hKey, DWORD dwFlags)
{
    (void)hHash, (void)hKey, (void)dwFlags;
    return unsupported(hProv);
}

BOOL WINAPI CPDuplicateHash(HCRYPTPROV hUID, HCRYPTHASH hHash, LPDWORD pdwReserved, DWORD dwFlags,
                            HCRYPTHASH *phHash)
{
    (void)hHash, (void)pdwReserved, (void)dwFlags;
    if (phHash != NULL)
        *phHash = 0;
    return unsupported(hUID);
}
