/* The CNG Key Storage Provider interface (what Microsoft's CNG SDK ships as ncrypt_provider.h and
 * bcrypt_provider.h; mingw-w64 has neither). Written from the public documentation of
 * NCRYPT_KEY_STORAGE_FUNCTION_TABLE and its function types; the layout is checked by the static
 * assertions at the end. Constants newer than mingw's ncrypt.h / bcrypt.h are added here too. */
#ifndef OPGP_KSP_PROVIDER_H
#define OPGP_KSP_PROVIDER_H

#include <windows.h>
#include <wincrypt.h>
#include <bcrypt.h>
#include <ncrypt.h>
#include <assert.h>
#include <stddef.h>

#ifndef NCRYPT_ECC_CURVE_NAME_PROPERTY
#define NCRYPT_ECC_CURVE_NAME_PROPERTY L"ECCCurveName"
#endif
/* Windows 10's generic magics (mingw hides them below _WIN32_WINNT 0x0A00). */
#ifndef BCRYPT_ECDSA_PUBLIC_GENERIC_MAGIC
#define BCRYPT_ECDSA_PUBLIC_GENERIC_MAGIC 0x50444345
#endif
#ifndef BCRYPT_ECDH_PUBLIC_GENERIC_MAGIC
#define BCRYPT_ECDH_PUBLIC_GENERIC_MAGIC 0x504B4345
#endif
#ifndef BCRYPT_KDF_RAW_SECRET
#define BCRYPT_KDF_RAW_SECRET L"TRUNCATE"
#endif
#ifndef BCRYPT_ECDSA_ALGORITHM
#define BCRYPT_ECDSA_ALGORITHM L"ECDSA"
#endif
#ifndef BCRYPT_ECDH_ALGORITHM
#define BCRYPT_ECDH_ALGORITHM L"ECDH"
#endif
#ifndef BCRYPT_ECC_CURVE_NISTP256
#define BCRYPT_ECC_CURVE_NISTP256 L"nistP256"
#define BCRYPT_ECC_CURVE_NISTP384 L"nistP384"
#define BCRYPT_ECC_CURVE_NISTP521 L"nistP521"
#endif
#ifndef BCRYPT_ECC_CURVE_BRAINPOOLP256R1
#define BCRYPT_ECC_CURVE_BRAINPOOLP256R1 L"brainpoolP256r1"
#define BCRYPT_ECC_CURVE_BRAINPOOLP384R1 L"brainpoolP384r1"
#define BCRYPT_ECC_CURVE_BRAINPOOLP512R1 L"brainpoolP512r1"
#endif

typedef SECURITY_STATUS(WINAPI *NCryptOpenStorageProviderFn)(NCRYPT_PROV_HANDLE *phProvider,
                                                             LPCWSTR pszProviderName,
                                                             DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptOpenKeyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                 NCRYPT_KEY_HANDLE *phKey, LPCWSTR pszKeyName,
                                                 DWORD dwLegacyKeySpec, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptCreatePersistedKeyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                            NCRYPT_KEY_HANDLE *phKey,
                                                            LPCWSTR pszAlgId, LPCWSTR pszKeyName,
                                                            DWORD dwLegacyKeySpec, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptGetProviderPropertyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                             LPCWSTR pszProperty, PBYTE pbOutput,
                                                             DWORD cbOutput, DWORD *pcbResult,
                                                             DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptGetKeyPropertyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                        NCRYPT_KEY_HANDLE hKey,
                                                        LPCWSTR pszProperty, PBYTE pbOutput,
                                                        DWORD cbOutput, DWORD *pcbResult,
                                                        DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptSetProviderPropertyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                             LPCWSTR pszProperty, PBYTE pbInput,
                                                             DWORD cbInput, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptSetKeyPropertyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                        NCRYPT_KEY_HANDLE hKey,
                                                        LPCWSTR pszProperty, PBYTE pbInput,
                                                        DWORD cbInput, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptFinalizeKeyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                     NCRYPT_KEY_HANDLE hKey, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptDeleteKeyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                   NCRYPT_KEY_HANDLE hKey, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptFreeProviderFn)(NCRYPT_PROV_HANDLE hProvider);
typedef SECURITY_STATUS(WINAPI *NCryptFreeKeyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                 NCRYPT_KEY_HANDLE hKey);
typedef SECURITY_STATUS(WINAPI *NCryptFreeBufferFn)(PVOID pvInput);
typedef SECURITY_STATUS(WINAPI *NCryptEncryptFn)(NCRYPT_PROV_HANDLE hProvider,
                                                 NCRYPT_KEY_HANDLE hKey, PBYTE pbInput,
                                                 DWORD cbInput, VOID *pPaddingInfo,
                                                 PBYTE pbOutput, DWORD cbOutput,
                                                 DWORD *pcbResult, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptDecryptFn)(NCRYPT_PROV_HANDLE hProvider,
                                                 NCRYPT_KEY_HANDLE hKey, PBYTE pbInput,
                                                 DWORD cbInput, VOID *pPaddingInfo,
                                                 PBYTE pbOutput, DWORD cbOutput,
                                                 DWORD *pcbResult, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptIsAlgSupportedFn)(NCRYPT_PROV_HANDLE hProvider,
                                                        LPCWSTR pszAlgId, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptEnumAlgorithmsFn)(NCRYPT_PROV_HANDLE hProvider,
                                                        DWORD dwAlgClass, DWORD *pdwAlgCount,
                                                        NCryptAlgorithmName **ppAlgList,
                                                        DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptEnumKeysFn)(NCRYPT_PROV_HANDLE hProvider, LPCWSTR pszScope,
                                                  NCryptKeyName **ppKeyName, PVOID *ppEnumState,
                                                  DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptImportKeyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                   NCRYPT_KEY_HANDLE hImportKey,
                                                   LPCWSTR pszBlobType,
                                                   NCryptBufferDesc *pParameterList,
                                                   NCRYPT_KEY_HANDLE *phKey, PBYTE pbData,
                                                   DWORD cbData, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptExportKeyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                   NCRYPT_KEY_HANDLE hKey,
                                                   NCRYPT_KEY_HANDLE hExportKey,
                                                   LPCWSTR pszBlobType,
                                                   NCryptBufferDesc *pParameterList,
                                                   PBYTE pbOutput, DWORD cbOutput,
                                                   DWORD *pcbResult, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptSignHashFn)(NCRYPT_PROV_HANDLE hProvider,
                                                  NCRYPT_KEY_HANDLE hKey, VOID *pPaddingInfo,
                                                  PBYTE pbHashValue, DWORD cbHashValue,
                                                  PBYTE pbSignature, DWORD cbSignature,
                                                  DWORD *pcbResult, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptVerifySignatureFn)(NCRYPT_PROV_HANDLE hProvider,
                                                         NCRYPT_KEY_HANDLE hKey,
                                                         VOID *pPaddingInfo, PBYTE pbHashValue,
                                                         DWORD cbHashValue, PBYTE pbSignature,
                                                         DWORD cbSignature, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptPromptUserFn)(NCRYPT_PROV_HANDLE hProvider,
                                                    NCRYPT_KEY_HANDLE hKey,
                                                    LPCWSTR pszOperation, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptNotifyChangeKeyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                         HANDLE *phEvent, DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptSecretAgreementFn)(NCRYPT_PROV_HANDLE hProvider,
                                                         NCRYPT_KEY_HANDLE hPrivKey,
                                                         NCRYPT_KEY_HANDLE hPubKey,
                                                         NCRYPT_SECRET_HANDLE *phAgreedSecret,
                                                         DWORD dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptDeriveKeyFn)(NCRYPT_PROV_HANDLE hProvider,
                                                   NCRYPT_SECRET_HANDLE hSharedSecret,
                                                   LPCWSTR pwszKDF,
                                                   NCryptBufferDesc *pParameterList,
                                                   PBYTE pbDerivedKey, DWORD cbDerivedKey,
                                                   DWORD *pcbResult, ULONG dwFlags);
typedef SECURITY_STATUS(WINAPI *NCryptFreeSecretFn)(NCRYPT_PROV_HANDLE hProvider,
                                                    NCRYPT_SECRET_HANDLE hSharedSecret);

/* Version 1 of the table (NCRYPT_KEY_STORAGE_INTERFACE_VERSION): ncrypt reads no further. */
typedef struct _NCRYPT_KEY_STORAGE_FUNCTION_TABLE {
    BCRYPT_INTERFACE_VERSION Version;
    NCryptOpenStorageProviderFn OpenProvider;
    NCryptOpenKeyFn OpenKey;
    NCryptCreatePersistedKeyFn CreatePersistedKey;
    NCryptGetProviderPropertyFn GetProviderProperty;
    NCryptGetKeyPropertyFn GetKeyProperty;
    NCryptSetProviderPropertyFn SetProviderProperty;
    NCryptSetKeyPropertyFn SetKeyProperty;
    NCryptFinalizeKeyFn FinalizeKey;
    NCryptDeleteKeyFn DeleteKey;
    NCryptFreeProviderFn FreeProvider;
    NCryptFreeKeyFn FreeKey;
    NCryptFreeBufferFn FreeBuffer;
    NCryptEncryptFn Encrypt;
    NCryptDecryptFn Decrypt;
    NCryptIsAlgSupportedFn IsAlgSupported;
    NCryptEnumAlgorithmsFn EnumAlgorithms;
    NCryptEnumKeysFn EnumKeys;
    NCryptImportKeyFn ImportKey;
    NCryptExportKeyFn ExportKey;
    NCryptSignHashFn SignHash;
    NCryptVerifySignatureFn VerifySignature;
    NCryptPromptUserFn PromptUser;
    NCryptNotifyChangeKeyFn NotifyChangeKey;
    NCryptSecretAgreementFn SecretAgreement;
    NCryptDeriveKeyFn DeriveKey;
    NCryptFreeSecretFn FreeSecret;
} NCRYPT_KEY_STORAGE_FUNCTION_TABLE;

typedef NTSTATUS(WINAPI *GetKeyStorageInterfaceFn)(LPCWSTR pszProviderName,
                                                   NCRYPT_KEY_STORAGE_FUNCTION_TABLE **ppTable,
                                                   DWORD dwFlags);

/* Microsoft's layout: a 4-byte version, then 26 pointers at pointer alignment. */
static_assert(sizeof(BCRYPT_INTERFACE_VERSION) == 4, "BCRYPT_INTERFACE_VERSION");
static_assert(offsetof(NCRYPT_KEY_STORAGE_FUNCTION_TABLE, OpenProvider) == sizeof(void *),
              "table: first function after the version");
static_assert(offsetof(NCRYPT_KEY_STORAGE_FUNCTION_TABLE, FreeSecret) == 26 * sizeof(void *),
              "table: FreeSecret is the 26th function");
static_assert(sizeof(NCRYPT_KEY_STORAGE_FUNCTION_TABLE) == 27 * sizeof(void *),
              "NCRYPT_KEY_STORAGE_FUNCTION_TABLE: 216 bytes on x64, 108 on x86");
static_assert(sizeof(NCryptKeyName) == 2 * sizeof(void *) + 8, "NCryptKeyName");
static_assert(sizeof(NCryptAlgorithmName) == sizeof(void *) + 12 + (sizeof(void *) - 4),
              "NCryptAlgorithmName");
static_assert(sizeof(BCRYPT_ECCKEY_BLOB) == 8 && sizeof(BCRYPT_RSAKEY_BLOB) == 24,
              "BCrypt key blob headers");

#endif
