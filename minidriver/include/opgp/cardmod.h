/* opgp's Windows smart card minidriver interface, version 7 ("cardmod v7"), written from
 * Microsoft's "Smart Card Minidriver Specification" v7.07. Structure layouts are Microsoft's
 * (checked by the static assertions at the end), so the Base CSP / KSP and this header agree.
 *
 * Usable with mingw-w64 (types from windows.h; mingw's own cardmod.h is v5 and is never included)
 * and natively on Linux (Windows-width types, pcsc-lite's SCARDCONTEXT / SCARDHANDLE, WINAPI
 * empty, UTF-16 strings as char16_t). Wide literals go through OPGP_WSTR(), which is L"" on
 * Windows and u"" elsewhere. */
#ifndef OPGP_CARDMOD_H
#define OPGP_CARDMOD_H

#include <stdint.h>

#ifdef _WIN32
#include "opgp/cardmod_types_win32.h"
#else
#include "opgp/cardmod_types_unix.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ---------------------------------------------------------------------------- */

#define CARD_DATA_VERSION_FOUR   4
#define CARD_DATA_VERSION_FIVE   5
#define CARD_DATA_VERSION_SIX    6
#define CARD_DATA_VERSION_SEVEN  7
#define CARD_DATA_CURRENT_VERSION CARD_DATA_VERSION_SEVEN
/* The oldest CARD_DATA this minidriver serves (v4: the first with the v4 function table);
 * CardAcquireContext answers ERROR_REVISION_MISMATCH below it. */
#define CARD_DATA_MINIMUM_VERSION CARD_DATA_VERSION_FOUR

#define CARD_DATA_VALUE_UNKNOWN ((DWORD)-1)

/* ---- Key specs beyond CryptoAPI's AT_KEYEXCHANGE (1) / AT_SIGNATURE (2) ------------------- */

#define AT_ECDSA_P256  3
#define AT_ECDSA_P384  4
#define AT_ECDSA_P521  5
#define AT_ECDHE_P256  6
#define AT_ECDHE_P384  7
#define AT_ECDHE_P521  8

/* ---- Well-known files ---------------------------------------------------------------------- */

#define szBASE_CSP_DIR                          "mscp"
#define szINTERMEDIATE_CERTS_DIR                "mscerts"
#define szCACHE_FILE                            "cardcf"
#define szCARD_IDENTIFIER_FILE                  "cardid"
#define szCARD_APPS_FILE                        "cardapps"
#define szCONTAINER_MAP_FILE                    "cmapfile"
#define szROOT_STORE_FILE                       "msroots"
#define szUSER_SIGNATURE_PRIVATE_KEY_PREFIX     "kss"
#define szUSER_SIGNATURE_PUBLIC_KEY_PREFIX      "ksp"
#define szUSER_SIGNATURE_CERT_PREFIX            "ksc"
#define szUSER_KEYEXCHANGE_PRIVATE_KEY_PREFIX   "kxs"
#define szUSER_KEYEXCHANGE_PUBLIC_KEY_PREFIX    "kxp"
#define szUSER_KEYEXCHANGE_CERT_PREFIX          "kxc"

#define cbCARD_IDENTIFIER 16 /* bytes of cardid */

/* Legacy user names of CardAuthenticatePin / CardDeauthenticate / CardUnblockPin. */
#define wszCARD_USER_EVERYONE OPGP_WSTR("anonymous")
#define wszCARD_USER_USER     OPGP_WSTR("user")
#define wszCARD_USER_ADMIN    OPGP_WSTR("admin")

/* ---- File system ------------------------------------------------------------------------- */

typedef enum {
    InvalidAc = 0,
    EveryoneReadUserWriteAc = 1,   /* everyone reads, the user PIN writes */
    UserWriteExecuteAc = 2,        /* user writes and executes (private keys) */
    EveryoneReadAdminWriteAc = 3,  /* everyone reads, the admin writes */
    UnknownAc = 4,
    UserReadWriteAc = 5,
    AdminReadWriteAc = 6
} CARD_FILE_ACCESS_CONDITION;

typedef enum {
    InvalidDirAc = 0,
    UserCreateDeleteDirAc = 1,
    AdminCreateDeleteDirAc = 2
} CARD_DIRECTORY_ACCESS_CONDITION;

#define CARD_FILE_INFO_CURRENT_VERSION 1
typedef struct _CARD_FILE_INFO {
    DWORD dwVersion;
    DWORD cbFileSize;
    CARD_FILE_ACCESS_CONDITION AccessCondition;
} CARD_FILE_INFO, *PCARD_FILE_INFO;

/* cardcf: freshness counters the Base CSP compares with its cached copy. */
typedef struct _CARD_CACHE_FILE_FORMAT {
    BYTE bVersion;
    BYTE bPinsFreshness;
    WORD wContainersFreshness;
    WORD wFilesFreshness;
} CARD_CACHE_FILE_FORMAT, *PCARD_CACHE_FILE_FORMAT;

/* cmapfile: an array of these, one per container index. */
#define MAX_CONTAINER_NAME_LEN 39
#define CONTAINER_MAP_VALID_CONTAINER    1
#define CONTAINER_MAP_DEFAULT_CONTAINER  2

typedef struct _CONTAINER_MAP_RECORD {
    WCHAR wszGuid[MAX_CONTAINER_NAME_LEN + 1];
    BYTE bFlags;
    BYTE bReserved;
    WORD wSigKeySizeBits;
    WORD wKeyExchangeKeySizeBits;
} CONTAINER_MAP_RECORD, *PCONTAINER_MAP_RECORD;

/* ---- Capabilities, space, key sizes -------------------------------------------------------- */

#define CARD_CAPABILITIES_CURRENT_VERSION 1
typedef struct _CARD_CAPABILITIES {
    DWORD dwVersion;
    BOOL fCertificateCompression;
    BOOL fKeyGen;
} CARD_CAPABILITIES, *PCARD_CAPABILITIES;

#define CARD_FREE_SPACE_INFO_CURRENT_VERSION 1
typedef struct _CARD_FREE_SPACE_INFO {
    DWORD dwVersion;
    DWORD dwBytesAvailable;
    DWORD dwKeyContainersAvailable;
    DWORD dwMaxKeyContainers;
} CARD_FREE_SPACE_INFO, *PCARD_FREE_SPACE_INFO;

#define CARD_KEY_SIZES_CURRENT_VERSION 1
typedef struct _CARD_KEY_SIZES {
    DWORD dwVersion;
    DWORD dwMinimumBitlen;
    DWORD dwDefaultBitlen;
    DWORD dwMaximumBitlen;
    DWORD dwIncrementalBitlen;
} CARD_KEY_SIZES, *PCARD_KEY_SIZES;

/* ---- Containers ---------------------------------------------------------------------------- */

#define CONTAINER_INFO_CURRENT_VERSION 1
typedef struct _CONTAINER_INFO {
    DWORD dwVersion;
    DWORD dwReserved;
    DWORD cbSigPublicKey;      /* PUBLICKEYBLOB (RSA) or BCRYPT_ECCKEY_BLOB (ECDSA) */
    PBYTE pbSigPublicKey;      /* allocated with pfnCspAlloc, freed by the caller */
    DWORD cbKeyExPublicKey;    /* PUBLICKEYBLOB (RSA) or BCRYPT_ECCKEY_BLOB (ECDH) */
    PBYTE pbKeyExPublicKey;
} CONTAINER_INFO, *PCONTAINER_INFO;

#define CARD_CREATE_CONTAINER_KEY_GEN     1
#define CARD_CREATE_CONTAINER_KEY_IMPORT  2

/* Container properties (CardGet/SetContainerProperty). */
#define CCP_CONTAINER_INFO        OPGP_WSTR("Container Info")
#define CCP_PIN_IDENTIFIER        OPGP_WSTR("PIN Identifier")
#define CCP_ASSOCIATED_ECDH_KEY   OPGP_WSTR("Associated ECDH Key")

/* ---- Signing, decryption, padding ---------------------------------------------------------- */

#define CARD_PADDING_INFO_PRESENT  0x40000000
#define CARD_BUFFER_SIZE_ONLY      0x20000000
#define CARD_PADDING_NONE          0x00000001
#define CARD_PADDING_PKCS1         0x00000002
#define CARD_PADDING_PSS           0x00000004
#define CARD_PADDING_OAEP          0x00000008

#define CARD_SIGNING_INFO_BASIC_VERSION    1   /* no pPaddingInfo / dwPaddingType */
#define CARD_SIGNING_INFO_CURRENT_VERSION  2

typedef struct _CARD_SIGNING_INFO {
    DWORD dwVersion;
    BYTE bContainerIndex;
    DWORD dwKeySpec;
    DWORD dwSigningFlags;      /* CARD_PADDING_INFO_PRESENT, CARD_BUFFER_SIZE_ONLY, CRYPT_NOHASHOID */
    ALG_ID aiHashAlg;
    PBYTE pbData;              /* the hash (the CSP hashes) */
    DWORD cbData;
    PBYTE pbSignedData;        /* allocated with pfnCspAlloc; big-endian for ECDSA r||s,
                                  little-endian for RSA (CryptoAPI order) */
    DWORD cbSignedData;
    LPVOID pPaddingInfo;       /* BCRYPT_PKCS1/PSS_PADDING_INFO when CARD_PADDING_INFO_PRESENT */
    DWORD dwPaddingType;       /* CARD_PADDING_* */
} CARD_SIGNING_INFO, *PCARD_SIGNING_INFO;

#define CARD_RSA_KEY_DECRYPT_INFO_VERSION_ONE      1
#define CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO      2
#define CARD_RSA_KEY_DECRYPT_INFO_CURRENT_VERSION  CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO

typedef struct _CARD_RSA_DECRYPT_INFO {
    DWORD dwVersion;
    BYTE bContainerIndex;
    DWORD dwKeySpec;
    PBYTE pbData;              /* in: ciphertext, out: result (same buffer; little-endian) */
    DWORD cbData;
    /* version 2 */
    LPVOID pPaddingInfo;       /* BCRYPT_OAEP_PADDING_INFO for CARD_PADDING_OAEP */
    DWORD dwPaddingType;       /* CARD_PADDING_NONE / PKCS1 / OAEP */
} CARD_RSA_DECRYPT_INFO, *PCARD_RSA_DECRYPT_INFO;

/* ---- ECDH ---------------------------------------------------------------------------------- */

#define CARD_DH_AGREEMENT_INFO_VERSION 2

typedef struct _CARD_DH_AGREEMENT_INFO {
    DWORD dwVersion;
    BYTE bContainerIndex;
    DWORD dwFlags;
    DWORD dwPublicKey;         /* size of pbPublicKey */
    PBYTE pbPublicKey;         /* BCRYPT_ECCKEY_BLOB of the peer */
    PBYTE pbReserved;
    DWORD cbReserved;
    BYTE bSecretAgreementIndex; /* out: handle for CardDeriveKey / CardDestroyDHAgreement */
} CARD_DH_AGREEMENT_INFO, *PCARD_DH_AGREEMENT_INFO;

typedef ULONG_PTR CARD_KEY_HANDLE, *PCARD_KEY_HANDLE;

#define CARD_DERIVE_KEY_VERSION          1
#define CARD_DERIVE_KEY_VERSION_TWO      2
#define CARD_DERIVE_KEY_CURRENT_VERSION  CARD_DERIVE_KEY_VERSION_TWO

#define CARD_RETURN_KEY_HANDLE 0x1000000 /* CARD_DERIVE_KEY.dwFlags: return hKey, not bytes */

typedef struct _CARD_DERIVE_KEY {
    DWORD dwVersion;
    DWORD dwFlags;
    LPCWSTR pwszKDF;           /* BCRYPT_KDF_HASH / HMAC / TLS_PRF / SP80056A_CONCAT */
    BYTE bSecretAgreementIndex;
    PVOID pParameterList;      /* NCryptBufferDesc* */
    PUCHAR pbDerivedKey;       /* out, allocated with pfnCspAlloc */
    DWORD cbDerivedKey;
    /* version 2 */
    LPWSTR pwszAlgId;
    DWORD dwKeyLen;
    CARD_KEY_HANDLE hKey;
} CARD_DERIVE_KEY, *PCARD_DERIVE_KEY;

/* ---- v7 session keys ----------------------------------------------------------------------- */

typedef struct _CARD_ENCRYPTED_DATA {
    PBYTE pbEncryptedData;
    DWORD cbEncryptedData;
} CARD_ENCRYPTED_DATA, *PCARD_ENCRYPTED_DATA;

#define CARD_CIPHER_OPERATION      0x00000001
#define CARD_ASYMMETRIC_OPERATION  0x00000002

#define CARD_KEY_IMPORT_PLAIN_TEXT        0x00000001
#define CARD_KEY_IMPORT_RSA_KEYEST        0x00000002
#define CARD_KEY_IMPORT_ECC_KEYEST        0x00000004
#define CARD_KEY_IMPORT_SHARED_SYMMETRIC  0x00000008

#define CARD_SECURE_KEY_INJECTION_NO_CARD_MODE 0x1

#define CKP_CHAINING_MODE          OPGP_WSTR("ChainingMode")
#define CKP_INITIALIZATION_VECTOR  OPGP_WSTR("IV")
#define CKP_BLOCK_LENGTH           OPGP_WSTR("BlockLength")

/* ---- PINs ---------------------------------------------------------------------------------- */

typedef DWORD PIN_ID, *PPIN_ID;
typedef DWORD PIN_SET, *PPIN_SET;

#define MAX_PINS           8
#define ROLE_EVERYONE      0
#define ROLE_USER          1
#define ROLE_ADMIN         2

#define PIN_SET_NONE       0x00
#define PIN_SET_ALL_ROLES  0xFF
#define CREATE_PIN_SET(PinId)       (1u << (PinId))
#define SET_PIN(PinSet, PinId)      ((PinSet) |= CREATE_PIN_SET(PinId))
#define IS_PIN_SET(PinSet, PinId)   (0 != ((PinSet) & CREATE_PIN_SET(PinId)))
#define CLEAR_PIN(PinSet, PinId)    ((PinSet) &= ~CREATE_PIN_SET(PinId))

#define PIN_CHANGE_FLAG_UNBLOCK    0x01
#define PIN_CHANGE_FLAG_CHANGEPIN  0x02

typedef enum {
    AlphaNumericPinType = 0,
    ExternalPinType,
    ChallengeResponsePinType,
    EmptyPinType
} SECRET_TYPE;

typedef enum {
    AuthenticationPin = 0,
    DigitalSignaturePin,
    EncryptionPin,
    NonRepudiationPin,
    AdministratorPin,
    PrimaryCardPin,
    UnblockOnlyPin
} SECRET_PURPOSE;

typedef enum {
    PinCacheNormal = 0,
    PinCacheTimed,
    PinCacheNone,
    PinCacheAlwaysPrompt
} PIN_CACHE_POLICY_TYPE;

#define PIN_CACHE_POLICY_CURRENT_VERSION 6
typedef struct _PIN_CACHE_POLICY {
    DWORD dwVersion;
    PIN_CACHE_POLICY_TYPE PinCachePolicyType;
    DWORD dwPinCachePolicyInfo;  /* seconds for PinCacheTimed */
} PIN_CACHE_POLICY, *PPIN_CACHE_POLICY;

#define PIN_INFO_CURRENT_VERSION 6
#define PIN_INFO_REQUIRE_SECURE_ENTRY 1

typedef struct _PIN_INFO {
    DWORD dwVersion;
    SECRET_TYPE PinType;
    SECRET_PURPOSE PinPurpose;
    PIN_SET dwChangePermission;
    PIN_SET dwUnblockPermission;
    PIN_CACHE_POLICY PinCachePolicy;
    DWORD dwFlags;
} PIN_INFO, *PPIN_INFO;

/* CardAuthenticateEx flags */
#define CARD_AUTHENTICATE_GENERATE_SESSION_PIN  0x10000000
#define CARD_AUTHENTICATE_SESSION_PIN           0x20000000
#define CARD_PIN_SILENT_CONTEXT                 0x00000040

/* CardUnblockPin / CardChangeAuthenticator (v5) flags */
#define CARD_AUTHENTICATE_PIN_CHALLENGE_RESPONSE  1
#define CARD_AUTHENTICATE_PIN_PIN                 2

/* CP_CARD_PIN_STRENGTH_* values */
#define CARD_PIN_STRENGTH_PLAINTEXT    0x1
#define CARD_PIN_STRENGTH_SESSION_PIN  0x2

/* ---- Card properties (CardGetProperty / CardSetProperty) ----------------------------------- */

#define CP_CARD_FREE_SPACE               OPGP_WSTR("Free Space")
#define CP_CARD_CAPABILITIES             OPGP_WSTR("Capabilities")
#define CP_CARD_KEYSIZES                 OPGP_WSTR("Key Sizes")
#define CP_CARD_READ_ONLY                OPGP_WSTR("Read Only Mode")
#define CP_CARD_CACHE_MODE               OPGP_WSTR("Cache Mode")
#define CP_SUPPORTS_WIN_X509_ENROLLMENT  OPGP_WSTR("Supports Windows x.509 Enrollment")
#define CP_CARD_GUID                     OPGP_WSTR("Card Identifier")
#define CP_CARD_SERIAL_NO                OPGP_WSTR("Card Serial Number")
#define CP_CARD_PIN_INFO                 OPGP_WSTR("PIN Information")
#define CP_CARD_LIST_PINS                OPGP_WSTR("PIN List")
#define CP_CARD_AUTHENTICATED_STATE      OPGP_WSTR("Authenticated State")
#define CP_CARD_PIN_STRENGTH_VERIFY      OPGP_WSTR("PIN Strength Verify")
#define CP_CARD_PIN_STRENGTH_CHANGE      OPGP_WSTR("PIN Strength Change")
#define CP_CARD_PIN_STRENGTH_UNBLOCK     OPGP_WSTR("PIN Strength Unblock")
#define CP_PARENT_WINDOW                 OPGP_WSTR("Parent Window")
#define CP_PIN_CONTEXT_STRING            OPGP_WSTR("PIN Context String")
#define CP_KEY_IMPORT_SUPPORT            OPGP_WSTR("Key Import Support")
#define CP_ENUM_ALGORITHMS               OPGP_WSTR("Algorithms")
#define CP_PADDING_SCHEMES               OPGP_WSTR("Padding Schemes")
#define CP_CHAINING_MODES                OPGP_WSTR("Chaining Modes")

#define CP_CACHE_MODE_GLOBAL_CACHE  1
#define CP_CACHE_MODE_SESSION_ONLY  2
#define CP_CACHE_MODE_NO_CACHE      3

/* ---- Callbacks the Base CSP / KSP provides ------------------------------------------------- */

typedef LPVOID (WINAPI *PFN_CSP_ALLOC)(SIZE_T Size);
typedef LPVOID (WINAPI *PFN_CSP_REALLOC)(LPVOID Address, SIZE_T Size);
typedef void (WINAPI *PFN_CSP_FREE)(LPVOID Address);

typedef DWORD (WINAPI *PFN_CSP_CACHE_ADD_FILE)(PVOID pvCacheContext, LPWSTR wszTag,
                                               DWORD dwFlags, PBYTE pbData, DWORD cbData);
typedef DWORD (WINAPI *PFN_CSP_CACHE_LOOKUP_FILE)(PVOID pvCacheContext, LPWSTR wszTag,
                                                  DWORD dwFlags, PBYTE *ppbData,
                                                  PDWORD pcbData);
typedef DWORD (WINAPI *PFN_CSP_CACHE_DELETE_FILE)(PVOID pvCacheContext, LPWSTR wszTag,
                                                  DWORD dwFlags);

typedef DWORD (WINAPI *PFN_CSP_PAD_DATA)(PCARD_SIGNING_INFO pSigningInfo, DWORD cbMaxWidth,
                                         DWORD *pcbPaddedBuffer, PBYTE *ppbPaddedBuffer);
typedef DWORD (WINAPI *PFN_CSP_UNPAD_DATA)(PCARD_RSA_DECRYPT_INFO pRSADecryptInfo,
                                           DWORD cbUnpaddedData, DWORD *pcbUnpaddedData,
                                           PBYTE pbUnpaddedData);

struct _CARD_DATA;
typedef struct _CARD_DATA CARD_DATA, *PCARD_DATA;

typedef DWORD (WINAPI *PFN_CSP_GET_DH_AGREEMENT)(PCARD_DATA pCardData, PVOID hSecretAgreement,
                                                 BYTE *pbSecretAgreementIndex, DWORD dwFlags);

/* ---- Minidriver entry points --------------------------------------------------------------- */

typedef DWORD (WINAPI *PFN_CARD_ACQUIRE_CONTEXT)(PCARD_DATA pCardData, DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_DELETE_CONTEXT)(PCARD_DATA pCardData);
typedef DWORD (WINAPI *PFN_CARD_QUERY_CAPABILITIES)(PCARD_DATA pCardData,
                                                    PCARD_CAPABILITIES pCardCapabilities);
typedef DWORD (WINAPI *PFN_CARD_DELETE_CONTAINER)(PCARD_DATA pCardData, BYTE bContainerIndex,
                                                  DWORD dwReserved);
typedef DWORD (WINAPI *PFN_CARD_CREATE_CONTAINER)(PCARD_DATA pCardData, BYTE bContainerIndex,
                                                  DWORD dwFlags, DWORD dwKeySpec,
                                                  DWORD dwKeySize, PBYTE pbKeyData);
typedef DWORD (WINAPI *PFN_CARD_GET_CONTAINER_INFO)(PCARD_DATA pCardData, BYTE bContainerIndex,
                                                    DWORD dwFlags,
                                                    PCONTAINER_INFO pContainerInfo);
typedef DWORD (WINAPI *PFN_CARD_AUTHENTICATE_PIN)(PCARD_DATA pCardData, LPWSTR pwszUserId,
                                                  PBYTE pbPin, DWORD cbPin,
                                                  PDWORD pcAttemptsRemaining);
typedef DWORD (WINAPI *PFN_CARD_GET_CHALLENGE)(PCARD_DATA pCardData, PBYTE *ppbChallengeData,
                                               PDWORD pcbChallengeData);
typedef DWORD (WINAPI *PFN_CARD_AUTHENTICATE_CHALLENGE)(PCARD_DATA pCardData,
                                                        PBYTE pbResponseData,
                                                        DWORD cbResponseData,
                                                        PDWORD pcAttemptsRemaining);
typedef DWORD (WINAPI *PFN_CARD_UNBLOCK_PIN)(PCARD_DATA pCardData, LPWSTR pwszUserId,
                                             PBYTE pbAuthenticationData,
                                             DWORD cbAuthenticationData, PBYTE pbNewPinData,
                                             DWORD cbNewPinData, DWORD cRetryCount,
                                             DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_CHANGE_AUTHENTICATOR)(PCARD_DATA pCardData, LPWSTR pwszUserId,
                                                      PBYTE pbCurrentAuthenticator,
                                                      DWORD cbCurrentAuthenticator,
                                                      PBYTE pbNewAuthenticator,
                                                      DWORD cbNewAuthenticator,
                                                      DWORD cRetryCount, DWORD dwFlags,
                                                      PDWORD pcAttemptsRemaining);
typedef DWORD (WINAPI *PFN_CARD_DEAUTHENTICATE)(PCARD_DATA pCardData, LPWSTR pwszUserId,
                                                DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_CREATE_DIRECTORY)(PCARD_DATA pCardData, LPSTR pszDirectoryName,
                                                  CARD_DIRECTORY_ACCESS_CONDITION AccessCondition);
typedef DWORD (WINAPI *PFN_CARD_DELETE_DIRECTORY)(PCARD_DATA pCardData, LPSTR pszDirectoryName);
typedef DWORD (WINAPI *PFN_CARD_CREATE_FILE)(PCARD_DATA pCardData, LPSTR pszDirectoryName,
                                             LPSTR pszFileName, DWORD cbInitialCreationSize,
                                             CARD_FILE_ACCESS_CONDITION AccessCondition);
typedef DWORD (WINAPI *PFN_CARD_READ_FILE)(PCARD_DATA pCardData, LPSTR pszDirectoryName,
                                           LPSTR pszFileName, DWORD dwFlags, PBYTE *ppbData,
                                           PDWORD pcbData);
typedef DWORD (WINAPI *PFN_CARD_WRITE_FILE)(PCARD_DATA pCardData, LPSTR pszDirectoryName,
                                            LPSTR pszFileName, DWORD dwFlags, PBYTE pbData,
                                            DWORD cbData);
typedef DWORD (WINAPI *PFN_CARD_DELETE_FILE)(PCARD_DATA pCardData, LPSTR pszDirectoryName,
                                             LPSTR pszFileName, DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_ENUM_FILES)(PCARD_DATA pCardData, LPSTR pszDirectoryName,
                                            LPSTR *pmszFileNames, LPDWORD pdwcbFileName,
                                            DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_GET_FILE_INFO)(PCARD_DATA pCardData, LPSTR pszDirectoryName,
                                               LPSTR pszFileName,
                                               PCARD_FILE_INFO pCardFileInfo);
typedef DWORD (WINAPI *PFN_CARD_QUERY_FREE_SPACE)(PCARD_DATA pCardData, DWORD dwFlags,
                                                  PCARD_FREE_SPACE_INFO pCardFreeSpaceInfo);
typedef DWORD (WINAPI *PFN_CARD_QUERY_KEY_SIZES)(PCARD_DATA pCardData, DWORD dwKeySpec,
                                                 DWORD dwFlags, PCARD_KEY_SIZES pKeySizes);
typedef DWORD (WINAPI *PFN_CARD_SIGN_DATA)(PCARD_DATA pCardData, PCARD_SIGNING_INFO pInfo);
typedef DWORD (WINAPI *PFN_CARD_RSA_DECRYPT)(PCARD_DATA pCardData, PCARD_RSA_DECRYPT_INFO pInfo);
typedef DWORD (WINAPI *PFN_CARD_CONSTRUCT_DH_AGREEMENT)(PCARD_DATA pCardData,
                                                        PCARD_DH_AGREEMENT_INFO pAgreementInfo);
typedef DWORD (WINAPI *PFN_CARD_DERIVE_KEY)(PCARD_DATA pCardData,
                                            PCARD_DERIVE_KEY pAgreementInfo);
typedef DWORD (WINAPI *PFN_CARD_DESTROY_DH_AGREEMENT)(PCARD_DATA pCardData,
                                                      BYTE bSecretAgreementIndex,
                                                      DWORD dwFlags);
/* v6 */
typedef DWORD (WINAPI *PFN_CARD_GET_CHALLENGE_EX)(PCARD_DATA pCardData, PIN_ID PinId,
                                                  PBYTE *ppbChallengeData,
                                                  PDWORD pcbChallengeData, DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_AUTHENTICATE_EX)(PCARD_DATA pCardData, PIN_ID PinId,
                                                 DWORD dwFlags, PBYTE pbPinData,
                                                 DWORD cbPinData, PBYTE *ppbSessionPin,
                                                 PDWORD pcbSessionPin,
                                                 PDWORD pcAttemptsRemaining);
typedef DWORD (WINAPI *PFN_CARD_CHANGE_AUTHENTICATOR_EX)(PCARD_DATA pCardData, DWORD dwFlags,
                                                         PIN_ID dwAuthenticatingPinId,
                                                         PBYTE pbAuthenticatingPinData,
                                                         DWORD cbAuthenticatingPinData,
                                                         PIN_ID dwTargetPinId,
                                                         PBYTE pbTargetData,
                                                         DWORD cbTargetData,
                                                         DWORD cRetryCount,
                                                         PDWORD pcAttemptsRemaining);
typedef DWORD (WINAPI *PFN_CARD_DEAUTHENTICATE_EX)(PCARD_DATA pCardData, PIN_SET PinId,
                                                   DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_GET_CONTAINER_PROPERTY)(PCARD_DATA pCardData,
                                                        BYTE bContainerIndex,
                                                        LPCWSTR wszProperty, PBYTE pbData,
                                                        DWORD cbData, PDWORD pdwDataLen,
                                                        DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_SET_CONTAINER_PROPERTY)(PCARD_DATA pCardData,
                                                        BYTE bContainerIndex,
                                                        LPCWSTR wszProperty, PBYTE pbData,
                                                        DWORD cbDataLen, DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_GET_PROPERTY)(PCARD_DATA pCardData, LPCWSTR wszProperty,
                                              PBYTE pbData, DWORD cbData, PDWORD pdwDataLen,
                                              DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_SET_PROPERTY)(PCARD_DATA pCardData, LPCWSTR wszProperty,
                                              PBYTE pbData, DWORD cbDataLen, DWORD dwFlags);
/* v7 */
typedef DWORD (WINAPI *PFN_MD_IMPORT_SESSION_KEY)(PCARD_DATA pCardData, LPCWSTR pwszBlobType,
                                                  LPCWSTR pwszAlgId, PCARD_KEY_HANDLE phKey,
                                                  PBYTE pbInput, DWORD cbInput);
typedef DWORD (WINAPI *PFN_MD_ENCRYPT_DATA)(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                                            LPCWSTR pwszSecureFunction, PBYTE pbInput,
                                            DWORD cbInput, DWORD dwFlags,
                                            PCARD_ENCRYPTED_DATA *ppEncryptedData,
                                            PDWORD pcEncryptedData);
typedef DWORD (WINAPI *PFN_CARD_IMPORT_SESSION_KEY)(PCARD_DATA pCardData, BYTE bContainerIndex,
                                                    LPVOID pPaddingInfo, LPCWSTR pwszBlobType,
                                                    LPCWSTR pwszAlgId,
                                                    PCARD_KEY_HANDLE phKey, PBYTE pbInput,
                                                    DWORD cbInput, DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_GET_SHARED_KEY_HANDLE)(PCARD_DATA pCardData, PBYTE pbInput,
                                                       DWORD cbInput, PBYTE *ppbOutput,
                                                       PDWORD pcbOutput,
                                                       PCARD_KEY_HANDLE phKey);
typedef DWORD (WINAPI *PFN_CARD_GET_ALGORITHM_PROPERTY)(PCARD_DATA pCardData,
                                                        LPCWSTR pwszAlgId,
                                                        LPCWSTR pwszProperty, PBYTE pbData,
                                                        DWORD cbData, PDWORD pdwDataLen,
                                                        DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_GET_KEY_PROPERTY)(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                                                  LPCWSTR pwszProperty, PBYTE pbData,
                                                  DWORD cbData, PDWORD pdwDataLen,
                                                  DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_SET_KEY_PROPERTY)(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                                                  LPCWSTR pwszProperty, PBYTE pbInput,
                                                  DWORD cbInput, DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_DESTROY_KEY)(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey);
typedef DWORD (WINAPI *PFN_CARD_PROCESS_ENCRYPTED_DATA)(PCARD_DATA pCardData,
                                                        CARD_KEY_HANDLE hKey,
                                                        LPCWSTR pwszSecureFunction,
                                                        PCARD_ENCRYPTED_DATA pEncryptedData,
                                                        DWORD cEncryptedData, PBYTE pbOutput,
                                                        DWORD cbOutput, PDWORD pdwOutputLen,
                                                        DWORD dwFlags);
typedef DWORD (WINAPI *PFN_CARD_CREATE_CONTAINER_EX)(PCARD_DATA pCardData,
                                                     BYTE bContainerIndex, DWORD dwFlags,
                                                     DWORD dwKeySpec, DWORD dwKeySize,
                                                     PBYTE pbKeyData, PIN_ID PinId);

/* ---- CARD_DATA ----------------------------------------------------------------------------- */

struct _CARD_DATA {
    /* Set by the CSP / KSP */
    DWORD dwVersion;
    PBYTE pbAtr;
    DWORD cbAtr;
    LPWSTR pwszCardName;
    PFN_CSP_ALLOC pfnCspAlloc;
    PFN_CSP_REALLOC pfnCspReAlloc;
    PFN_CSP_FREE pfnCspFree;
    PFN_CSP_CACHE_ADD_FILE pfnCspCacheAddFile;
    PFN_CSP_CACHE_LOOKUP_FILE pfnCspCacheLookupFile;
    PFN_CSP_CACHE_DELETE_FILE pfnCspCacheDeleteFile;
    PVOID pvCacheContext;
    PFN_CSP_PAD_DATA pfnCspPadData;
    SCARDCONTEXT hSCardCtx;
    SCARDHANDLE hScard;

    /* Set by the minidriver */
    PVOID pvVendorSpecific;
    PFN_CARD_DELETE_CONTEXT pfnCardDeleteContext;
    PFN_CARD_QUERY_CAPABILITIES pfnCardQueryCapabilities;
    PFN_CARD_DELETE_CONTAINER pfnCardDeleteContainer;
    PFN_CARD_CREATE_CONTAINER pfnCardCreateContainer;
    PFN_CARD_GET_CONTAINER_INFO pfnCardGetContainerInfo;
    PFN_CARD_AUTHENTICATE_PIN pfnCardAuthenticatePin;
    PFN_CARD_GET_CHALLENGE pfnCardGetChallenge;
    PFN_CARD_AUTHENTICATE_CHALLENGE pfnCardAuthenticateChallenge;
    PFN_CARD_UNBLOCK_PIN pfnCardUnblockPin;
    PFN_CARD_CHANGE_AUTHENTICATOR pfnCardChangeAuthenticator;
    PFN_CARD_DEAUTHENTICATE pfnCardDeauthenticate;
    PFN_CARD_CREATE_DIRECTORY pfnCardCreateDirectory;
    PFN_CARD_DELETE_DIRECTORY pfnCardDeleteDirectory;
    LPVOID pvUnused3;
    LPVOID pvUnused4;
    PFN_CARD_CREATE_FILE pfnCardCreateFile;
    PFN_CARD_READ_FILE pfnCardReadFile;
    PFN_CARD_WRITE_FILE pfnCardWriteFile;
    PFN_CARD_DELETE_FILE pfnCardDeleteFile;
    PFN_CARD_ENUM_FILES pfnCardEnumFiles;
    PFN_CARD_GET_FILE_INFO pfnCardGetFileInfo;
    PFN_CARD_QUERY_FREE_SPACE pfnCardQueryFreeSpace;
    PFN_CARD_QUERY_KEY_SIZES pfnCardQueryKeySizes;
    PFN_CARD_SIGN_DATA pfnCardSignData;
    PFN_CARD_RSA_DECRYPT pfnCardRSADecrypt;
    PFN_CARD_CONSTRUCT_DH_AGREEMENT pfnCardConstructDHAgreement;

    /* v5 */
    PFN_CARD_DERIVE_KEY pfnCardDeriveKey;
    PFN_CARD_DESTROY_DH_AGREEMENT pfnCardDestroyDHAgreement;
    PFN_CSP_GET_DH_AGREEMENT pfnCspGetDHAgreement;          /* set by the KSP */

    /* v6 */
    PFN_CARD_GET_CHALLENGE_EX pfnCardGetChallengeEx;
    PFN_CARD_AUTHENTICATE_EX pfnCardAuthenticateEx;
    PFN_CARD_CHANGE_AUTHENTICATOR_EX pfnCardChangeAuthenticatorEx;
    PFN_CARD_DEAUTHENTICATE_EX pfnCardDeauthenticateEx;
    PFN_CARD_GET_CONTAINER_PROPERTY pfnCardGetContainerProperty;
    PFN_CARD_SET_CONTAINER_PROPERTY pfnCardSetContainerProperty;
    PFN_CARD_GET_PROPERTY pfnCardGetProperty;
    PFN_CARD_SET_PROPERTY pfnCardSetProperty;

    /* v7 */
    PFN_CSP_UNPAD_DATA pfnCspUnpadData;                    /* set by the CSP / KSP */
    PFN_MD_IMPORT_SESSION_KEY pfnMDImportSessionKey;
    PFN_MD_ENCRYPT_DATA pfnMDEncryptData;
    PFN_CARD_IMPORT_SESSION_KEY pfnCardImportSessionKey;
    PFN_CARD_GET_SHARED_KEY_HANDLE pfnCardGetSharedKeyHandle;
    PFN_CARD_GET_ALGORITHM_PROPERTY pfnCardGetAlgorithmProperty;
    PFN_CARD_GET_KEY_PROPERTY pfnCardGetKeyProperty;
    PFN_CARD_SET_KEY_PROPERTY pfnCardSetKeyProperty;
    PFN_CARD_DESTROY_KEY pfnCardDestroyKey;
    PFN_CARD_PROCESS_ENCRYPTED_DATA pfnCardProcessEncryptedData;
    PFN_CARD_CREATE_CONTAINER_EX pfnCardCreateContainerEx;
};

/* The one export of the DLL (undecorated on x86 too). Natively, the static library's entry. */
DWORD WINAPI CardAcquireContext(PCARD_DATA pCardData, DWORD dwFlags);

/* ---- Layout checks: Microsoft's sizes for x64 (LLP64) and x86 ------------------------------- */

#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
_Static_assert(sizeof(CARD_DATA) == 504, "CARD_DATA layout (x64)");
_Static_assert(sizeof(CARD_SIGNING_INFO) == 72, "CARD_SIGNING_INFO layout (x64)");
_Static_assert(sizeof(CARD_RSA_DECRYPT_INFO) == 48, "CARD_RSA_DECRYPT_INFO layout (x64)");
_Static_assert(sizeof(CARD_DH_AGREEMENT_INFO) == 40, "CARD_DH_AGREEMENT_INFO layout (x64)");
_Static_assert(sizeof(CARD_DERIVE_KEY) == 72, "CARD_DERIVE_KEY layout (x64)");
_Static_assert(sizeof(CONTAINER_INFO) == 40, "CONTAINER_INFO layout (x64)");
#else
_Static_assert(sizeof(CARD_DATA) == 252, "CARD_DATA layout (x86)");
_Static_assert(sizeof(CARD_SIGNING_INFO) == 44, "CARD_SIGNING_INFO layout (x86)");
_Static_assert(sizeof(CARD_RSA_DECRYPT_INFO) == 28, "CARD_RSA_DECRYPT_INFO layout (x86)");
_Static_assert(sizeof(CARD_DH_AGREEMENT_INFO) == 32, "CARD_DH_AGREEMENT_INFO layout (x86)");
_Static_assert(sizeof(CARD_DERIVE_KEY) == 40, "CARD_DERIVE_KEY layout (x86)");
_Static_assert(sizeof(CONTAINER_INFO) == 24, "CONTAINER_INFO layout (x86)");
#endif
_Static_assert(sizeof(PIN_INFO) == 36, "PIN_INFO layout");
_Static_assert(sizeof(CARD_KEY_SIZES) == 20, "CARD_KEY_SIZES layout");
_Static_assert(sizeof(CONTAINER_MAP_RECORD) == 86, "CONTAINER_MAP_RECORD layout");
_Static_assert(sizeof(CARD_CACHE_FILE_FORMAT) == 6, "CARD_CACHE_FILE_FORMAT layout");
_Static_assert(sizeof(CARD_CAPABILITIES) == 12, "CARD_CAPABILITIES layout");
_Static_assert(sizeof(CARD_FREE_SPACE_INFO) == 16, "CARD_FREE_SPACE_INFO layout");
_Static_assert(sizeof(CARD_FILE_INFO) == 12, "CARD_FILE_INFO layout");
_Static_assert(sizeof(WCHAR) == 2, "WCHAR is UTF-16");
_Static_assert(sizeof(DWORD) == 4, "DWORD is 32 bits");

#ifdef __cplusplus
}
#endif

#endif
