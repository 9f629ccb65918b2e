/* The Windows types cardmod.h needs, from the Windows SDK / mingw-w64 headers. mingw-w64's own
 * cardmod.h is the v5 interface with wrong padding values: it is never included. */
#ifndef OPGP_CARDMOD_TYPES_WIN32_H
#define OPGP_CARDMOD_TYPES_WIN32_H

#include <windows.h>
#include <wincrypt.h>
#include <winscard.h>
#include <bcrypt.h>

/* UTF-16 string literal: wchar_t is 16 bits on Windows. */
#define OPGP_WSTR(s) L##s

/* Windows 8.1's raw-secret KDF; mingw declares it only for NTDDI_WINBLUE and later. */
#ifndef BCRYPT_KDF_RAW_SECRET
#define BCRYPT_KDF_RAW_SECRET L"TRUNCATE"
#endif

#ifndef TLS1_PROTOCOL_VERSION
#define TLS1_PROTOCOL_VERSION    0x0301
#define TLS1_1_PROTOCOL_VERSION  0x0302
#define TLS1_2_PROTOCOL_VERSION  0x0303
#endif

#endif
