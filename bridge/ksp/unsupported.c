/* Table entries a card-backed provider does not serve: keys are made and deleted on the card
 * (opgp-tool), public-key operations belong to BCrypt, and there is no UI to prompt with. */
#include "ksp.h"
#include "ksp_table.h"

/* Only a live handle gets NTE_NOT_SUPPORTED: a bad one is still reported as one. */
static SECURITY_STATUS unsupported_key(NCRYPT_PROV_HANDLE hp, NCRYPT_KEY_HANDLE hk)
{
    ksp_prov *p;
    ksp_key *k;
    SECURITY_STATUS st = ksp_key_lookup(hp, hk, &p, &k);
    return st != ERROR_SUCCESS ? st : NTE_NOT_SUPPORTED;
}

SECURITY_STATUS WINAPI ksp_CreatePersistedKey(NCRYPT_PROV_HANDLE hProvider,
                                              NCRYPT_KEY_HANDLE *phKey, LPCWSTR pszAlgId,
                                              LPCWSTR pszKeyName, DWORD dwLegacyKeySpec,
                                              DWORD dwFlags)
{
    (void)pszAlgId, (void)pszKeyName, (void)dwLegacyKeySpec, (void)dwFlags;
    if (phKey != NULL)
        *phKey = 0;
    return ksp_prov_get(hProvider) == NULL ? NTE_INVALID_HANDLE : NTE_NOT_SUPPORTED;
}

SECURITY_STATUS WINAPI ksp_FinalizeKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                       DWORD dwFlags)
{
    (void)dwFlags;
    return unsupported_key(hProvider, hKey);
}

SECURITY_STATUS WINAPI ksp_DeleteKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                     DWORD dwFlags)
{
    (void)dwFlags;
    return unsupported_key(hProvider, hKey);
}

SECURITY_STATUS WINAPI ksp_Encrypt(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                   PBYTE pbInput, DWORD cbInput, VOID *pPaddingInfo,
                                   PBYTE pbOutput, DWORD cbOutput, DWORD *pcbResult,
                                   DWORD dwFlags)
{
    (void)pbInput, (void)cbInput, (void)pPaddingInfo, (void)pbOutput, (void)cbOutput;
    (void)pcbResult, (void)dwFlags;
    return unsupported_key(hProvider, hKey);
}

SECURITY_STATUS WINAPI ksp_VerifySignature(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                           VOID *pPaddingInfo, PBYTE pbHashValue,
                                           DWORD cbHashValue, PBYTE pbSignature,
                                           DWORD cbSignature, DWORD dwFlags)
{
    (void)pPaddingInfo, (void)pbHashValue, (void)cbHashValue, (void)pbSignature;
    (void)cbSignature, (void)dwFlags;
    return unsupported_key(hProvider, hKey);
}

SECURITY_STATUS WINAPI ksp_PromptUser(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                      LPCWSTR pszOperation, DWORD dwFlags)
{
    (void)pszOperation, (void)dwFlags;
    return unsupported_key(hProvider, hKey);
}

SECURITY_STATUS WINAPI ksp_NotifyChangeKey(NCRYPT_PROV_HANDLE hProvider, HANDLE *phEvent,
                                           DWORD dwFlags)
{
    (void)phEvent, (void)dwFlags;
    return ksp_prov_get(hProvider) == NULL ? NTE_INVALID_HANDLE : NTE_NOT_SUPPORTED;
}
