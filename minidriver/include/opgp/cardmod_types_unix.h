/* The Windows types, constants and blob layouts that cardmod.h needs, for builds without
 * windows.h (Linux, with pcsc-lite). Widths are Windows' (LLP64 data, 32-bit DWORD and ULONG),
 * not pcsc-lite's (whose DWORD is unsigned long), so structures have Microsoft's field widths.
 * Only SCARDCONTEXT / SCARDHANDLE come from pcsc-lite, so real handles pass through unchanged.
 * Include through opgp/cardmod.h, which includes this file before anything else of its own. */
#ifndef OPGP_CARDMOD_TYPES_UNIX_H
#define OPGP_CARDMOD_TYPES_UNIX_H

#include <stddef.h>
#include <stdint.h>
#include <uchar.h>

/* pcsc-lite's wintypes.h names DWORD, ULONG, LONG, BOOL with other widths than Windows. Rename
 * them while its headers are read, so they cannot clash with the definitions below; the types
 * pcsc-lite declares identically (BYTE, WORD, LPSTR, ...) are legal C11 typedef repeats. */
#define DWORD opgp_pcsc_DWORD
#define PDWORD opgp_pcsc_PDWORD
#define LPDWORD opgp_pcsc_LPDWORD
#define ULONG opgp_pcsc_ULONG
#define PULONG opgp_pcsc_PULONG
#define LONG opgp_pcsc_LONG
#define BOOL opgp_pcsc_BOOL
#include <winscard.h> /* pcsc-lite (pkg-config libpcsclite) */
#undef DWORD
#undef PDWORD
#undef LPDWORD
#undef ULONG
#undef PULONG
#undef LONG
#undef BOOL

typedef uint8_t BYTE;
typedef BYTE *PBYTE;
typedef BYTE *LPBYTE;
typedef uint8_t UCHAR;
typedef UCHAR *PUCHAR;
typedef uint16_t WORD;
typedef uint16_t USHORT;
typedef uint32_t DWORD;
typedef DWORD *PDWORD;
typedef DWORD *LPDWORD;
typedef uint32_t ULONG;
typedef ULONG *PULONG;
typedef int32_t LONG;
typedef int BOOL;
typedef void *PVOID;
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef char *LPSTR;
typedef const char *LPCSTR;
typedef char16_t WCHAR;
typedef WCHAR *LPWSTR;
typedef WCHAR *PWSTR;
typedef const WCHAR *LPCWSTR;
typedef size_t SIZE_T;
typedef uintptr_t ULONG_PTR;
typedef uint32_t ALG_ID;
typedef void *HWND;

#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif

/* The platform's C calling convention: no stdcall outside 32-bit Windows. */
#define WINAPI

/* UTF-16 string literal: property names and KDF names compare as UTF-16 on every platform. */
#define OPGP_WSTR(s) u##s

/* Error codes with their Windows values and types (LONG, as winerror.h's HRESULT-typed codes:
 * comparing them with a DWORD warns here exactly as it does with mingw). pcsc-lite defines some
 * with other values (its SCARD_E_UNSUPPORTED_FEATURE is Windows' SCARD_E_UNEXPECTED), so
 * replace them all. */
#undef SCARD_S_SUCCESS
#undef SCARD_F_INTERNAL_ERROR
#undef SCARD_E_CANCELLED
#undef SCARD_E_INVALID_HANDLE
#undef SCARD_E_INVALID_PARAMETER
#undef SCARD_E_INVALID_TARGET
#undef SCARD_E_NO_MEMORY
#undef SCARD_F_WAITED_TOO_LONG
#undef SCARD_E_INSUFFICIENT_BUFFER
#undef SCARD_E_UNKNOWN_READER
#undef SCARD_E_TIMEOUT
#undef SCARD_E_SHARING_VIOLATION
#undef SCARD_E_NO_SMARTCARD
#undef SCARD_E_UNKNOWN_CARD
#undef SCARD_E_CANT_DISPOSE
#undef SCARD_E_PROTO_MISMATCH
#undef SCARD_E_NOT_READY
#undef SCARD_E_INVALID_VALUE
#undef SCARD_E_SYSTEM_CANCELLED
#undef SCARD_F_COMM_ERROR
#undef SCARD_F_UNKNOWN_ERROR
#undef SCARD_E_INVALID_ATR
#undef SCARD_E_NOT_TRANSACTED
#undef SCARD_E_READER_UNAVAILABLE
#undef SCARD_P_SHUTDOWN
#undef SCARD_E_PCI_TOO_SMALL
#undef SCARD_E_READER_UNSUPPORTED
#undef SCARD_E_DUPLICATE_READER
#undef SCARD_E_CARD_UNSUPPORTED
#undef SCARD_E_NO_SERVICE
#undef SCARD_E_SERVICE_STOPPED
#undef SCARD_E_UNEXPECTED
#undef SCARD_E_ICC_INSTALLATION
#undef SCARD_E_ICC_CREATEORDER
#undef SCARD_E_UNSUPPORTED_FEATURE
#undef SCARD_E_DIR_NOT_FOUND
#undef SCARD_E_FILE_NOT_FOUND
#undef SCARD_E_NO_DIR
#undef SCARD_E_NO_FILE
#undef SCARD_E_NO_ACCESS
#undef SCARD_E_WRITE_TOO_MANY
#undef SCARD_E_BAD_SEEK
#undef SCARD_E_INVALID_CHV
#undef SCARD_E_UNKNOWN_RES_MNG
#undef SCARD_E_NO_SUCH_CERTIFICATE
#undef SCARD_E_CERTIFICATE_UNAVAILABLE
#undef SCARD_E_NO_READERS_AVAILABLE
#undef SCARD_E_COMM_DATA_LOST
#undef SCARD_E_NO_KEY_CONTAINER
#undef SCARD_E_SERVER_TOO_BUSY
#undef SCARD_E_PIN_CACHE_EXPIRED
#undef SCARD_E_NO_PIN_CACHE
#undef SCARD_E_READ_ONLY_CARD
#undef SCARD_W_UNSUPPORTED_CARD
#undef SCARD_W_UNRESPONSIVE_CARD
#undef SCARD_W_UNPOWERED_CARD
#undef SCARD_W_RESET_CARD
#undef SCARD_W_REMOVED_CARD
#undef SCARD_W_SECURITY_VIOLATION
#undef SCARD_W_WRONG_CHV
#undef SCARD_W_CHV_BLOCKED
#undef SCARD_W_EOF
#undef SCARD_W_CANCELLED_BY_USER
#undef SCARD_W_CARD_NOT_AUTHENTICATED
#undef SCARD_W_CACHE_ITEM_NOT_FOUND
#undef SCARD_W_CACHE_ITEM_STALE
#undef SCARD_W_CACHE_ITEM_TOO_BIG

#define SCARD_S_SUCCESS                 ((LONG)0x00000000)
#define SCARD_F_INTERNAL_ERROR          ((LONG)0x80100001)
#define SCARD_E_CANCELLED               ((LONG)0x80100002)
#define SCARD_E_INVALID_HANDLE          ((LONG)0x80100003)
#define SCARD_E_INVALID_PARAMETER       ((LONG)0x80100004)
#define SCARD_E_INVALID_TARGET          ((LONG)0x80100005)
#define SCARD_E_NO_MEMORY               ((LONG)0x80100006)
#define SCARD_F_WAITED_TOO_LONG         ((LONG)0x80100007)
#define SCARD_E_INSUFFICIENT_BUFFER     ((LONG)0x80100008)
#define SCARD_E_UNKNOWN_READER          ((LONG)0x80100009)
#define SCARD_E_TIMEOUT                 ((LONG)0x8010000A)
#define SCARD_E_SHARING_VIOLATION       ((LONG)0x8010000B)
#define SCARD_E_NO_SMARTCARD            ((LONG)0x8010000C)
#define SCARD_E_UNKNOWN_CARD            ((LONG)0x8010000D)
#define SCARD_E_CANT_DISPOSE            ((LONG)0x8010000E)
#define SCARD_E_PROTO_MISMATCH          ((LONG)0x8010000F)
#define SCARD_E_NOT_READY               ((LONG)0x80100010)
#define SCARD_E_INVALID_VALUE           ((LONG)0x80100011)
#define SCARD_E_SYSTEM_CANCELLED        ((LONG)0x80100012)
#define SCARD_F_COMM_ERROR              ((LONG)0x80100013)
#define SCARD_F_UNKNOWN_ERROR           ((LONG)0x80100014)
#define SCARD_E_INVALID_ATR             ((LONG)0x80100015)
#define SCARD_E_NOT_TRANSACTED          ((LONG)0x80100016)
#define SCARD_E_READER_UNAVAILABLE      ((LONG)0x80100017)
#define SCARD_P_SHUTDOWN                ((LONG)0x80100018)
#define SCARD_E_PCI_TOO_SMALL           ((LONG)0x80100019)
#define SCARD_E_READER_UNSUPPORTED      ((LONG)0x8010001A)
#define SCARD_E_DUPLICATE_READER        ((LONG)0x8010001B)
#define SCARD_E_CARD_UNSUPPORTED        ((LONG)0x8010001C)
#define SCARD_E_NO_SERVICE              ((LONG)0x8010001D)
#define SCARD_E_SERVICE_STOPPED         ((LONG)0x8010001E)
#define SCARD_E_UNEXPECTED              ((LONG)0x8010001F)
#define SCARD_E_ICC_INSTALLATION        ((LONG)0x80100020)
#define SCARD_E_ICC_CREATEORDER         ((LONG)0x80100021)
#define SCARD_E_UNSUPPORTED_FEATURE     ((LONG)0x80100022)
#define SCARD_E_DIR_NOT_FOUND           ((LONG)0x80100023)
#define SCARD_E_FILE_NOT_FOUND          ((LONG)0x80100024)
#define SCARD_E_NO_DIR                  ((LONG)0x80100025)
#define SCARD_E_NO_FILE                 ((LONG)0x80100026)
#define SCARD_E_NO_ACCESS               ((LONG)0x80100027)
#define SCARD_E_WRITE_TOO_MANY          ((LONG)0x80100028)
#define SCARD_E_BAD_SEEK                ((LONG)0x80100029)
#define SCARD_E_INVALID_CHV             ((LONG)0x8010002A)
#define SCARD_E_UNKNOWN_RES_MNG         ((LONG)0x8010002B)
#define SCARD_E_NO_SUCH_CERTIFICATE     ((LONG)0x8010002C)
#define SCARD_E_CERTIFICATE_UNAVAILABLE ((LONG)0x8010002D)
#define SCARD_E_NO_READERS_AVAILABLE    ((LONG)0x8010002E)
#define SCARD_E_COMM_DATA_LOST          ((LONG)0x8010002F)
#define SCARD_E_NO_KEY_CONTAINER        ((LONG)0x80100030)
#define SCARD_E_SERVER_TOO_BUSY         ((LONG)0x80100031)
#define SCARD_E_PIN_CACHE_EXPIRED       ((LONG)0x80100032)
#define SCARD_E_NO_PIN_CACHE            ((LONG)0x80100033)
#define SCARD_E_READ_ONLY_CARD          ((LONG)0x80100034)
#define SCARD_W_UNSUPPORTED_CARD        ((LONG)0x80100065)
#define SCARD_W_UNRESPONSIVE_CARD       ((LONG)0x80100066)
#define SCARD_W_UNPOWERED_CARD          ((LONG)0x80100067)
#define SCARD_W_RESET_CARD              ((LONG)0x80100068)
#define SCARD_W_REMOVED_CARD            ((LONG)0x80100069)
#define SCARD_W_SECURITY_VIOLATION      ((LONG)0x8010006A)
#define SCARD_W_WRONG_CHV               ((LONG)0x8010006B)
#define SCARD_W_CHV_BLOCKED             ((LONG)0x8010006C)
#define SCARD_W_EOF                     ((LONG)0x8010006D)
#define SCARD_W_CANCELLED_BY_USER       ((LONG)0x8010006E)
#define SCARD_W_CARD_NOT_AUTHENTICATED  ((LONG)0x8010006F)
#define SCARD_W_CACHE_ITEM_NOT_FOUND    ((LONG)0x80100070)
#define SCARD_W_CACHE_ITEM_STALE        ((LONG)0x80100071)
#define SCARD_W_CACHE_ITEM_TOO_BIG      ((LONG)0x80100072)

/* Win32 and CryptoAPI errors a minidriver returns. */
#define ERROR_SUCCESS                   0
#define ERROR_FILE_NOT_FOUND            2
#define ERROR_NOT_ENOUGH_MEMORY         8
#define ERROR_INVALID_DATA              13
#define ERROR_NOT_SUPPORTED             50
#define ERROR_FILE_EXISTS               80
#define ERROR_INVALID_PARAMETER         87
#define ERROR_INSUFFICIENT_BUFFER       122
#define ERROR_MORE_DATA                 234
#define ERROR_REVISION_MISMATCH         1306
#define NTE_BAD_KEY                     ((LONG)0x80090003)
#define NTE_BAD_LEN                     ((LONG)0x80090004)
#define NTE_BAD_DATA                    ((LONG)0x80090005)
#define NTE_BAD_SIGNATURE               ((LONG)0x80090006)
#define NTE_BAD_ALGID                   ((LONG)0x80090008)
#define NTE_BAD_FLAGS                   ((LONG)0x80090009)
#define NTE_BAD_TYPE                    ((LONG)0x8009000A)
#define NTE_NO_KEY                      ((LONG)0x8009000D)
#define NTE_NO_MEMORY                   ((LONG)0x8009000E)
#define NTE_INVALID_HANDLE              ((LONG)0x80090026)
#define NTE_INVALID_PARAMETER           ((LONG)0x80090027)
#define NTE_BUFFER_TOO_SMALL            ((LONG)0x80090028)
#define NTE_NOT_SUPPORTED               ((LONG)0x80090029)

/* CryptoAPI key specs, algorithm ids and the public key blob (wincrypt.h). */
#define AT_KEYEXCHANGE  1
#define AT_SIGNATURE    2

#define CALG_MD2          0x00008001
#define CALG_MD4          0x00008002
#define CALG_MD5          0x00008003
#define CALG_SHA1         0x00008004
#define CALG_SHA          CALG_SHA1
#define CALG_SSL3_SHAMD5  0x00008008
#define CALG_SHA_256      0x0000800c
#define CALG_SHA_384      0x0000800d
#define CALG_SHA_512      0x0000800e
#define CALG_RSA_SIGN     0x00002400
#define CALG_RSA_KEYX     0x0000a400
#define CALG_ECDSA        0x00002203
#define CALG_ECDH         0x0000aa05
#define CALG_ECDH_EPHEM   0x0000ae06

#define PUBLICKEYBLOB     0x6
#define PRIVATEKEYBLOB    0x7
#define CUR_BLOB_VERSION  2

#define CRYPT_NOHASHOID     0x00000001
#define CRYPT_TYPE2_FORMAT  0x00000002
#define CRYPT_X931_FORMAT   0x00000004

/* 8 bytes, then RSAPUBKEY, then the modulus little-endian (bitlen/8 bytes). */
typedef struct _PUBLICKEYSTRUC {
    BYTE bType;
    BYTE bVersion;
    WORD reserved;
    ALG_ID aiKeyAlg;
} BLOBHEADER, PUBLICKEYSTRUC;

#define BCRYPT_RSAPUBLIC_MAGIC  0x31415352u /* "RSA1": RSAPUBKEY.magic of a public key */
#define BCRYPT_RSAPRIVATE_MAGIC 0x32415352u /* "RSA2": of a private key */

typedef struct _RSAPUBKEY {
    DWORD magic;
    DWORD bitlen;
    DWORD pubexp;
} RSAPUBKEY;

/* CNG (bcrypt.h): the ECC public key blob is this header, then X and Y big-endian, cbKey each. */
typedef struct _BCRYPT_ECCKEY_BLOB {
    ULONG dwMagic;
    ULONG cbKey;
} BCRYPT_ECCKEY_BLOB, *PBCRYPT_ECCKEY_BLOB;

#define BCRYPT_ECDH_PUBLIC_P256_MAGIC      0x314B4345u /* ECK1 */
#define BCRYPT_ECDH_PRIVATE_P256_MAGIC     0x324B4345u /* ECK2 */
#define BCRYPT_ECDH_PUBLIC_P384_MAGIC      0x334B4345u /* ECK3 */
#define BCRYPT_ECDH_PRIVATE_P384_MAGIC     0x344B4345u /* ECK4 */
#define BCRYPT_ECDH_PUBLIC_P521_MAGIC      0x354B4345u /* ECK5 */
#define BCRYPT_ECDH_PRIVATE_P521_MAGIC     0x364B4345u /* ECK6 */
#define BCRYPT_ECDSA_PUBLIC_P256_MAGIC     0x31534345u /* ECS1 */
#define BCRYPT_ECDSA_PRIVATE_P256_MAGIC    0x32534345u /* ECS2 */
#define BCRYPT_ECDSA_PUBLIC_P384_MAGIC     0x33534345u /* ECS3 */
#define BCRYPT_ECDSA_PRIVATE_P384_MAGIC    0x34534345u /* ECS4 */
#define BCRYPT_ECDSA_PUBLIC_P521_MAGIC     0x35534345u /* ECS5 */
#define BCRYPT_ECDSA_PRIVATE_P521_MAGIC    0x36534345u /* ECS6 */
#define BCRYPT_ECDH_PUBLIC_GENERIC_MAGIC   0x504B4345u /* ECKP */
#define BCRYPT_ECDSA_PUBLIC_GENERIC_MAGIC  0x50444345u /* ECDP */

typedef struct _BCRYPT_PKCS1_PADDING_INFO {
    LPCWSTR pszAlgId;
} BCRYPT_PKCS1_PADDING_INFO;

typedef struct _BCRYPT_PSS_PADDING_INFO {
    LPCWSTR pszAlgId;
    ULONG cbSalt;
} BCRYPT_PSS_PADDING_INFO;

typedef struct _BCRYPT_OAEP_PADDING_INFO {
    LPCWSTR pszAlgId;
    PUCHAR pbLabel;
    ULONG cbLabel;
} BCRYPT_OAEP_PADDING_INFO;

/* KDF parameter lists (CARD_DERIVE_KEY.pParameterList is a BCryptBufferDesc). */
typedef struct _BCryptBuffer {
    ULONG cbBuffer;
    ULONG BufferType;
    PVOID pvBuffer;
} BCryptBuffer, *PBCryptBuffer, NCryptBuffer, *PNCryptBuffer;

typedef struct _BCryptBufferDesc {
    ULONG ulVersion;
    ULONG cBuffers;
    PBCryptBuffer pBuffers;
} BCryptBufferDesc, *PBCryptBufferDesc, NCryptBufferDesc, *PNCryptBufferDesc;

#define BCRYPTBUFFER_VERSION 0

#define KDF_HASH_ALGORITHM    0x0
#define KDF_SECRET_PREPEND    0x1
#define KDF_SECRET_APPEND     0x2
#define KDF_HMAC_KEY          0x3
#define KDF_TLS_PRF_LABEL     0x4
#define KDF_TLS_PRF_SEED      0x5
#define KDF_SECRET_HANDLE     0x6
#define KDF_TLS_PRF_PROTOCOL  0x7
#define KDF_ALGORITHMID       0x8
#define KDF_PARTYUINFO        0x9
#define KDF_PARTYVINFO        0xA
#define KDF_SUPPPUBINFO       0xB
#define KDF_SUPPPRIVINFO      0xC

#define BCRYPT_KDF_HASH             u"HASH"
#define BCRYPT_KDF_HMAC             u"HMAC"
#define BCRYPT_KDF_TLS_PRF          u"TLS_PRF"
#define BCRYPT_KDF_SP80056A_CONCAT  u"SP800_56A_CONCAT"
#define BCRYPT_KDF_RAW_SECRET       u"TRUNCATE"

#define BCRYPT_MD5_ALGORITHM     u"MD5"
#define BCRYPT_SHA1_ALGORITHM    u"SHA1"
#define BCRYPT_SHA256_ALGORITHM  u"SHA256"
#define BCRYPT_SHA384_ALGORITHM  u"SHA384"
#define BCRYPT_SHA512_ALGORITHM  u"SHA512"
#define BCRYPT_RSA_ALGORITHM     u"RSA"
#define BCRYPT_ECDH_P256_ALGORITHM   u"ECDH_P256"
#define BCRYPT_ECDH_P384_ALGORITHM   u"ECDH_P384"
#define BCRYPT_ECDH_P521_ALGORITHM   u"ECDH_P521"
#define BCRYPT_ECDSA_P256_ALGORITHM  u"ECDSA_P256"
#define BCRYPT_ECDSA_P384_ALGORITHM  u"ECDSA_P384"
#define BCRYPT_ECDSA_P521_ALGORITHM  u"ECDSA_P521"

/* TLS_PRF protocol versions (KDF_TLS_PRF_PROTOCOL). */
#define TLS1_PROTOCOL_VERSION    0x0301
#define TLS1_1_PROTOCOL_VERSION  0x0302
#define TLS1_2_PROTOCOL_VERSION  0x0303

#endif
