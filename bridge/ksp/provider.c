/* The provider: GetKeyStorageInterface and its table, open/free, provider properties, the
 * algorithms it serves, buffers it hands out. */
#include <stdlib.h>
#include <string.h>

#include "ksp.h"
#include "ksp_table.h"

#ifndef OPGP_KSP_VERSION
#define OPGP_KSP_VERSION 0x00010000
#endif

static NCRYPT_KEY_STORAGE_FUNCTION_TABLE table = {
    NCRYPT_KEY_STORAGE_INTERFACE_VERSION,
    ksp_OpenProvider, ksp_OpenKey, ksp_CreatePersistedKey, ksp_GetProviderProperty,
    ksp_GetKeyProperty, ksp_SetProviderProperty, ksp_SetKeyProperty, ksp_FinalizeKey,
    ksp_DeleteKey, ksp_FreeProvider, ksp_FreeKey, ksp_FreeBuffer, ksp_Encrypt, ksp_Decrypt,
    ksp_IsAlgSupported, ksp_EnumAlgorithms, ksp_EnumKeys, ksp_ImportKey, ksp_ExportKey,
    ksp_SignHash, ksp_VerifySignature, ksp_PromptUser, ksp_NotifyChangeKey,
    ksp_SecretAgreement, ksp_DeriveKey, ksp_FreeSecret,
};

NTSTATUS WINAPI GetKeyStorageInterface(
    LPCWSTR pszProviderName, NCRYPT_KEY_STORAGE_FUNCTION_TABLE **ppFunctionTable, DWORD dwFlags)
{
    (void)pszProviderName; /* ncrypt passes the registered name; any alias is this provider */
    if (ppFunctionTable == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags != 0)
        return NTE_BAD_FLAGS;
    *ppFunctionTable = &table;
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI ksp_OpenProvider(NCRYPT_PROV_HANDLE *phProvider, LPCWSTR pszProviderName,
                                        DWORD dwFlags)
{
    (void)pszProviderName;
    if (phProvider == NULL)
        return NTE_INVALID_PARAMETER;
    *phProvider = 0;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    ksp_prov *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NTE_NO_MEMORY;
    p->flags = dwFlags;
    InitializeSRWLock(&p->lock);
    winprov_handle_add(&p->obj, KSP_KIND_PROV, NULL);
    *phProvider = (NCRYPT_PROV_HANDLE)p;
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI ksp_FreeProvider(NCRYPT_PROV_HANDLE hProvider)
{
    ksp_prov *p = ksp_prov_get(hProvider);
    if (p == NULL)
        return NTE_INVALID_HANDLE;
    winprov_handle_remove(&p->obj);
    ksp_handle_drop_owned(p);
    ksp_cards_close(p);
    free(p);
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI ksp_FreeBuffer(PVOID pvInput)
{
    /* Everything this provider hands out (key names, algorithm lists, enumeration states) is
     * one malloc'ed block. */
    free(pvInput);
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI ksp_GetProviderProperty(NCRYPT_PROV_HANDLE hProvider, LPCWSTR pszProperty,
                                               PBYTE pbOutput, DWORD cbOutput, DWORD *pcbResult,
                                               DWORD dwFlags)
{
    if (ksp_prov_get(hProvider) == NULL)
        return NTE_INVALID_HANDLE;
    if (pszProperty == NULL || pcbResult == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (wcscmp(pszProperty, NCRYPT_NAME_PROPERTY) == 0)
        return ksp_out_wstr(KSP_PROVIDER_NAME, pbOutput, cbOutput, pcbResult);
    if (wcscmp(pszProperty, NCRYPT_VERSION_PROPERTY) == 0)
        return ksp_out_dword(OPGP_KSP_VERSION, pbOutput, cbOutput, pcbResult);
    if (wcscmp(pszProperty, NCRYPT_IMPL_TYPE_PROPERTY) == 0)
        return ksp_out_dword(NCRYPT_IMPL_HARDWARE_FLAG | NCRYPT_IMPL_REMOVABLE_FLAG, pbOutput,
                             cbOutput, pcbResult);
    if (wcscmp(pszProperty, NCRYPT_MAX_NAME_LENGTH_PROPERTY) == 0)
        return ksp_out_dword(KSP_NAME_MAX - 1, pbOutput, cbOutput, pcbResult);
    return NTE_NOT_SUPPORTED;
}

SECURITY_STATUS WINAPI ksp_SetProviderProperty(NCRYPT_PROV_HANDLE hProvider, LPCWSTR pszProperty,
                                               PBYTE pbInput, DWORD cbInput, DWORD dwFlags)
{
    (void)pbInput, (void)cbInput;
    if (ksp_prov_get(hProvider) == NULL)
        return NTE_INVALID_HANDLE;
    if (pszProperty == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    return NTE_NOT_SUPPORTED;
}

/* ---- algorithms ---------------------------------------------------------------------------- */

typedef struct alg_entry {
    const wchar_t *name;
    DWORD klass, operations;
} alg_entry;

static const alg_entry algs[] = {
    { NCRYPT_RSA_ALGORITHM, NCRYPT_ASYMMETRIC_ENCRYPTION_INTERFACE,
      NCRYPT_ASYMMETRIC_ENCRYPTION_OPERATION | NCRYPT_SIGNATURE_OPERATION },
    { NCRYPT_ECDSA_P256_ALGORITHM, NCRYPT_SIGNATURE_INTERFACE, NCRYPT_SIGNATURE_OPERATION },
    { NCRYPT_ECDSA_P384_ALGORITHM, NCRYPT_SIGNATURE_INTERFACE, NCRYPT_SIGNATURE_OPERATION },
    { NCRYPT_ECDSA_P521_ALGORITHM, NCRYPT_SIGNATURE_INTERFACE, NCRYPT_SIGNATURE_OPERATION },
    { BCRYPT_ECDSA_ALGORITHM, NCRYPT_SIGNATURE_INTERFACE, NCRYPT_SIGNATURE_OPERATION },
    { NCRYPT_ECDH_P256_ALGORITHM, NCRYPT_SECRET_AGREEMENT_INTERFACE,
      NCRYPT_SECRET_AGREEMENT_OPERATION },
    { NCRYPT_ECDH_P384_ALGORITHM, NCRYPT_SECRET_AGREEMENT_INTERFACE,
      NCRYPT_SECRET_AGREEMENT_OPERATION },
    { NCRYPT_ECDH_P521_ALGORITHM, NCRYPT_SECRET_AGREEMENT_INTERFACE,
      NCRYPT_SECRET_AGREEMENT_OPERATION },
    { BCRYPT_ECDH_ALGORITHM, NCRYPT_SECRET_AGREEMENT_INTERFACE,
      NCRYPT_SECRET_AGREEMENT_OPERATION },
};
#define ALG_COUNT (sizeof algs / sizeof algs[0])
#define ALG_OPERATIONS (NCRYPT_ASYMMETRIC_ENCRYPTION_OPERATION | \
                        NCRYPT_SECRET_AGREEMENT_OPERATION | NCRYPT_SIGNATURE_OPERATION)

SECURITY_STATUS WINAPI ksp_IsAlgSupported(NCRYPT_PROV_HANDLE hProvider, LPCWSTR pszAlgId,
                                          DWORD dwFlags)
{
    if (ksp_prov_get(hProvider) == NULL)
        return NTE_INVALID_HANDLE;
    if (pszAlgId == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    for (size_t i = 0; i < ALG_COUNT; i++)
        if (wcscmp(pszAlgId, algs[i].name) == 0)
            return ERROR_SUCCESS;
    return NTE_NOT_SUPPORTED;
}

SECURITY_STATUS WINAPI ksp_EnumAlgorithms(NCRYPT_PROV_HANDLE hProvider, DWORD dwAlgClass,
                                          DWORD *pdwAlgCount, NCryptAlgorithmName **ppAlgList,
                                          DWORD dwFlags)
{
    if (ksp_prov_get(hProvider) == NULL)
        return NTE_INVALID_HANDLE;
    if (pdwAlgCount == NULL || ppAlgList == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (dwAlgClass & ~(DWORD)ALG_OPERATIONS)
        return NTE_BAD_FLAGS;
    DWORD want = dwAlgClass == 0 ? ALG_OPERATIONS : dwAlgClass;
    size_t count = 0, chars = 0;
    for (size_t i = 0; i < ALG_COUNT; i++) {
        if (algs[i].operations & want) {
            count++;
            chars += wcslen(algs[i].name) + 1;
        }
    }
    /* One block: the array, then the names it points to. */
    NCryptAlgorithmName *list = malloc(count * sizeof *list + chars * sizeof(wchar_t) + 1);
    if (list == NULL)
        return NTE_NO_MEMORY;
    wchar_t *names = (wchar_t *)(list + count);
    size_t n = 0;
    for (size_t i = 0; i < ALG_COUNT; i++) {
        if (!(algs[i].operations & want))
            continue;
        size_t len = wcslen(algs[i].name) + 1;
        memcpy(names, algs[i].name, len * sizeof(wchar_t));
        list[n].pszName = names;
        list[n].dwClass = algs[i].klass;
        list[n].dwAlgOperations = algs[i].operations & want;
        list[n].dwFlags = 0;
        names += len;
        n++;
    }
    *pdwAlgCount = (DWORD)count;
    *ppAlgList = list;
    return ERROR_SUCCESS;
}
