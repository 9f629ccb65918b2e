/* The function table's entries: provider.c fills NCRYPT_KEY_STORAGE_FUNCTION_TABLE with them. */
#ifndef OPGP_KSP_TABLE_H
#define OPGP_KSP_TABLE_H

#include "ksp_provider.h"

SECURITY_STATUS WINAPI ksp_OpenProvider(NCRYPT_PROV_HANDLE *phProvider, LPCWSTR pszProviderName,
                                        DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_OpenKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE *phKey,
                                   LPCWSTR pszKeyName, DWORD dwLegacyKeySpec, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_CreatePersistedKey(NCRYPT_PROV_HANDLE hProvider,
                                              NCRYPT_KEY_HANDLE *phKey, LPCWSTR pszAlgId,
                                              LPCWSTR pszKeyName, DWORD dwLegacyKeySpec,
                                              DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_GetProviderProperty(NCRYPT_PROV_HANDLE hProvider, LPCWSTR pszProperty,
                                               PBYTE pbOutput, DWORD cbOutput, DWORD *pcbResult,
                                               DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_GetKeyProperty(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                          LPCWSTR pszProperty, PBYTE pbOutput, DWORD cbOutput,
                                          DWORD *pcbResult, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_SetProviderProperty(NCRYPT_PROV_HANDLE hProvider, LPCWSTR pszProperty,
                                               PBYTE pbInput, DWORD cbInput, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_SetKeyProperty(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                          LPCWSTR pszProperty, PBYTE pbInput, DWORD cbInput,
                                          DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_FinalizeKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                       DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_DeleteKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                     DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_FreeProvider(NCRYPT_PROV_HANDLE hProvider);
SECURITY_STATUS WINAPI ksp_FreeKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey);
SECURITY_STATUS WINAPI ksp_FreeBuffer(PVOID pvInput);
SECURITY_STATUS WINAPI ksp_Encrypt(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                   PBYTE pbInput, DWORD cbInput, VOID *pPaddingInfo, PBYTE pbOutput,
                                   DWORD cbOutput, DWORD *pcbResult, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_Decrypt(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                   PBYTE pbInput, DWORD cbInput, VOID *pPaddingInfo, PBYTE pbOutput,
                                   DWORD cbOutput, DWORD *pcbResult, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_IsAlgSupported(NCRYPT_PROV_HANDLE hProvider, LPCWSTR pszAlgId,
                                          DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_EnumAlgorithms(NCRYPT_PROV_HANDLE hProvider, DWORD dwAlgClass,
                                          DWORD *pdwAlgCount, NCryptAlgorithmName **ppAlgList,
                                          DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_EnumKeys(NCRYPT_PROV_HANDLE hProvider, LPCWSTR pszScope,
                                    NCryptKeyName **ppKeyName, PVOID *ppEnumState, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_ImportKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hImportKey,
                                     LPCWSTR pszBlobType, NCryptBufferDesc *pParameterList,
                                     NCRYPT_KEY_HANDLE *phKey, PBYTE pbData, DWORD cbData,
                                     DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_ExportKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                     NCRYPT_KEY_HANDLE hExportKey, LPCWSTR pszBlobType,
                                     NCryptBufferDesc *pParameterList, PBYTE pbOutput,
                                     DWORD cbOutput, DWORD *pcbResult, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_SignHash(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                    VOID *pPaddingInfo, PBYTE pbHashValue, DWORD cbHashValue,
                                    PBYTE pbSignature, DWORD cbSignature, DWORD *pcbResult,
                                    DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_VerifySignature(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                           VOID *pPaddingInfo, PBYTE pbHashValue, DWORD cbHashValue,
                                           PBYTE pbSignature, DWORD cbSignature, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_PromptUser(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                      LPCWSTR pszOperation, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_NotifyChangeKey(NCRYPT_PROV_HANDLE hProvider, HANDLE *phEvent,
                                           DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_SecretAgreement(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hPrivKey,
                                           NCRYPT_KEY_HANDLE hPubKey,
                                           NCRYPT_SECRET_HANDLE *phAgreedSecret, DWORD dwFlags);
SECURITY_STATUS WINAPI ksp_DeriveKey(NCRYPT_PROV_HANDLE hProvider,
                                     NCRYPT_SECRET_HANDLE hSharedSecret, LPCWSTR pwszKDF,
                                     NCryptBufferDesc *pParameterList, PBYTE pbDerivedKey,
                                     DWORD cbDerivedKey, DWORD *pcbResult, ULONG dwFlags);
SECURITY_STATUS WINAPI ksp_FreeSecret(NCRYPT_PROV_HANDLE hProvider,
                                      NCRYPT_SECRET_HANDLE hSharedSecret);

/* The export ncrypt looks up (opgpksp.def). */
NTSTATUS WINAPI GetKeyStorageInterface(LPCWSTR pszProviderName,
                                       NCRYPT_KEY_STORAGE_FUNCTION_TABLE **ppFunctionTable,
                                       DWORD dwFlags);

#endif
