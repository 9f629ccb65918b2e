/* Pure conversions between Windows' winscard conventions and pcsc-lite's, used by the opgpscard
 * Winelib bridge and tested natively (test_opgpscard_convert.c). */
#ifndef OPGPSCARD_CONVERT_H
#define OPGPSCARD_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include <PCSC/winscard.h>

typedef uint32_t wdword;  /* Windows DWORD */
typedef int32_t wlong;    /* Windows LONG: the SCard* return code */
typedef uint64_t whandle; /* SCARDCONTEXT / SCARDHANDLE: ULONG_PTR on Win64 */
typedef uint16_t wchar16; /* WCHAR */

#define W_AUTOALLOCATE 0xFFFFFFFFu
#define W_PROTOCOL_RAW 0x00010000u
#define W_PROTOCOL_DEFAULT 0x80000000u
#define W_ATR_SIZE 36
#define W_ERROR_INVALID_HANDLE 6
#define W_CTL_BASE 0x00310000u /* CTL_CODE(FILE_DEVICE_SMARTCARD, 0, METHOD_BUFFERED, FILE_ANY_ACCESS) */
#define PCSC_CTL_BASE 0x42000000u

/* Protocol masks: T0/T1 agree, RAW is 0x10000 on Windows and 4 in pcsc-lite; Windows'
 * SCARD_PROTOCOL_DEFAULT asks for T0|T1. */
DWORD protocols_to_pcsc(wdword p);
wdword protocols_to_win(DWORD p);

/* SCardStatus' state: pcsc-lite bit mask (plus the connection's protocol) -> Windows enum. */
wdword card_state_to_win(DWORD s, DWORD protocol);

/* SCardControl codes: Windows SCARD_CTL_CODE(x) = 0x310000 + 4x, pcsc-lite's 0x42000000 + x.
 * Other codes pass unchanged. */
DWORD control_code_to_pcsc(wdword code);
wdword control_code_to_win(uint32_t code);

/* Rewrites, in place, the control codes in a CM_IOCTL_GET_FEATURE_REQUEST answer (TLVs, 4-byte
 * big-endian values) into Windows' numbering; stops at the first TLV that overruns len. */
void feature_codes_to_win(uint8_t *tlv, size_t len);

/* Hands count items of unit bytes to a Windows caller's (dst, *pcount) output pair: dst NULL =
 * size query; *pcount SCARD_AUTOALLOCATE = a malloc'd copy stored at *(void **)dst (freed by
 * SCardFreeMemory); too small = SCARD_E_INSUFFICIENT_BUFFER with the needed count. */
wlong deliver(const void *src, size_t count, size_t unit, void *dst, wdword *pcount);

/* Whole-buffer conversions (embedded NULs of multi-strings are kept); return the output length in
 * units, writing only when out is non-NULL.  Malformed input becomes U+FFFD. */
size_t utf8_to_utf16(const char *in, size_t n, wchar16 *out);
size_t utf16_to_utf8(const wchar16 *in, size_t n, char *out);

/* The length of the ATR at atr, from its own structure (T0's historical byte count, the interface
 * bytes each TDi announces, TCK when any protocol other than T=0 is offered), reading at most cap
 * bytes; 0 when it runs past cap or past the 33 bytes an ATR may have. SCardListCards gets an ATR
 * without a length: this is how it knows how much to compare. */
size_t atr_length(const uint8_t *atr, size_t cap);

/* Whether a card's ATR matches a registered card type the way Windows' smart card database does:
 * same length, and equal in every bit the mask keeps (no mask: every bit). */
int atr_matches(const uint8_t *atr, size_t atr_len, const uint8_t *known, size_t known_len,
                const uint8_t *mask, size_t mask_len);

#endif
