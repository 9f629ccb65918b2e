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

#ifndef TLS1_PROTOCOL_VERSION
#define TLS1_PROTOCOL_VERSION    0x0301
#define TLS1_1_PROTOCOL_VERSION  0x0302
#define TLS1_2_PROTOCOL_VERSION  0x0303
#endif

#endif
