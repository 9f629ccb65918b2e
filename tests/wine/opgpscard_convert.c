/* Conversions between Windows' winscard conventions and pcsc-lite's (see opgpscard_convert.h). */
#include "opgpscard_convert.h"

#include <stdlib.h>
#include <string.h>

#include <PCSC/reader.h>

DWORD protocols_to_pcsc(wdword p)
{
  DWORD r = p & (SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1);
  if (p & W_PROTOCOL_RAW)
    r |= SCARD_PROTOCOL_RAW;
  if (p & W_PROTOCOL_DEFAULT)
    r |= SCARD_PROTOCOL_ANY;
  return r;
}

wdword protocols_to_win(DWORD p)
{
  wdword r = (wdword)(p & (SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1));
  if (p & SCARD_PROTOCOL_RAW)
    r |= W_PROTOCOL_RAW;
  return r;
}

/* pcsc-lite keeps SCARD_NEGOTIABLE set on a powered card even once a connection has a protocol;
 * Windows reports SCARD_SPECIFIC as soon as a protocol is in force. */
wdword card_state_to_win(DWORD s, DWORD protocol)
{
  if ((s & (SCARD_POWERED | SCARD_NEGOTIABLE)) && protocol != SCARD_PROTOCOL_UNDEFINED)
    s |= SCARD_SPECIFIC;
  static const DWORD bits[] = {SCARD_SPECIFIC, SCARD_NEGOTIABLE, SCARD_POWERED,
                               SCARD_SWALLOWED, SCARD_PRESENT,    SCARD_ABSENT};
  for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
    if (s & bits[i])
      return (wdword)(6 - i); /* SCARD_SPECIFIC=6 ... SCARD_ABSENT=1 */
  return 0;                   /* SCARD_UNKNOWN */
}

DWORD control_code_to_pcsc(wdword code)
{
  if ((code & 0xFFFFC003u) == W_CTL_BASE)
    return PCSC_CTL_BASE + ((code >> 2) & 0xFFFu);
  return code;
}

wdword control_code_to_win(uint32_t code)
{
  if (code >= PCSC_CTL_BASE && code <= PCSC_CTL_BASE + 0xFFFu)
    return W_CTL_BASE + ((code - PCSC_CTL_BASE) << 2);
  return code;
}

/* CM_IOCTL_GET_FEATURE_REQUEST answers TLVs whose 4-byte big-endian values are control codes
 * in pcsc-lite's numbering; a Windows caller will send them back through SCardControl. */
void feature_codes_to_win(uint8_t *tlv, size_t len)
{
  size_t i = 0;
  while (i + 2 <= len) {
    size_t vlen = tlv[i + 1];
    if (i + 2 + vlen > len)
      break;
    if (vlen == 4) {
      uint8_t *v = tlv + i + 2;
      uint32_t code = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
      code = control_code_to_win(code);
      v[0] = (uint8_t)(code >> 24);
      v[1] = (uint8_t)(code >> 16);
      v[2] = (uint8_t)(code >> 8);
      v[3] = (uint8_t)code;
    }
    i += 2 + vlen;
  }
}

/* Hand `count` items of `unit` bytes to a Windows caller's (dst, *pcount) output pair. */
wlong deliver(const void *src, size_t count, size_t unit, void *dst, wdword *pcount)
{
  if (!pcount)
    return (wlong)SCARD_E_INVALID_PARAMETER;
  if (count >= W_AUTOALLOCATE)
    return (wlong)SCARD_E_NO_MEMORY;
  if (*pcount == W_AUTOALLOCATE) {
    if (!dst)
      return (wlong)SCARD_E_INVALID_PARAMETER;
    void *copy = malloc(count * unit + 1);
    if (!copy)
      return (wlong)SCARD_E_NO_MEMORY;
    if (count)
      memcpy(copy, src, count * unit);
    *(void **)dst = copy;
    *pcount = (wdword)count;
    return SCARD_S_SUCCESS;
  }
  if (dst && *pcount < count) {
    *pcount = (wdword)count;
    return (wlong)SCARD_E_INSUFFICIENT_BUFFER;
  }
  if (dst && count)
    memcpy(dst, src, count * unit);
  *pcount = (wdword)count;
  return SCARD_S_SUCCESS;
}

/* ---- UTF-8 <-> UTF-16, over whole buffers (multi-strings keep their NULs) ---- */

static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *used)
{
  unsigned c = s[0];
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || len > n) {
    *used = 1;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? c : c & (0x7Fu >> len);
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *used = i;
      return 0xFFFD;
    }
    cp = cp << 6 | (s[i] & 0x3F);
  }
  *used = len;
  static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0xFFFD;
  return cp;
}

/* Returns the number of UTF-16 units; writes them when out is non-NULL. */
size_t utf8_to_utf16(const char *in, size_t n, wchar16 *out)
{
  const unsigned char *s = (const unsigned char *)in;
  size_t units = 0;
  for (size_t i = 0; i < n;) {
    size_t used;
    uint32_t cp = utf8_next(s + i, n - i, &used);
    i += used;
    if (cp >= 0x10000) {
      if (out) {
        out[units] = (wchar16)(0xD800 + ((cp - 0x10000) >> 10));
        out[units + 1] = (wchar16)(0xDC00 + ((cp - 0x10000) & 0x3FF));
      }
      units += 2;
    } else {
      if (out)
        out[units] = (wchar16)cp;
      units++;
    }
  }
  return units;
}

size_t utf16_to_utf8(const wchar16 *in, size_t n, char *out)
{
  size_t bytes = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t cp = in[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && in[i + 1] >= 0xDC00 && in[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (in[i + 1] - 0xDC00);
      i++;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    unsigned char b[4];
    size_t len;
    if (cp < 0x80) {
      b[0] = (unsigned char)cp;
      len = 1;
    } else if (cp < 0x800) {
      b[0] = (unsigned char)(0xC0 | cp >> 6);
      b[1] = (unsigned char)(0x80 | (cp & 0x3F));
      len = 2;
    } else if (cp < 0x10000) {
      b[0] = (unsigned char)(0xE0 | cp >> 12);
      b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
      b[2] = (unsigned char)(0x80 | (cp & 0x3F));
      len = 3;
    } else {
      b[0] = (unsigned char)(0xF0 | cp >> 18);
      b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
      b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
      b[3] = (unsigned char)(0x80 | (cp & 0x3F));
      len = 4;
    }
    if (out)
      memcpy(out + bytes, b, len);
    bytes += len;
  }
  return bytes;
}

/* ---- ATRs (ISO/IEC 7816-3 section 8.2) ---- */

#define ATR_MAX 33

size_t atr_length(const uint8_t *atr, size_t cap)
{
  if (!atr || cap < 2)
    return 0;
  if (cap > ATR_MAX)
    cap = ATR_MAX;
  unsigned y = atr[1] >> 4, historical = atr[1] & 0x0F;
  size_t pos = 2;
  int tck = 0;
  for (;;) {
    pos += (y & 1) + (y >> 1 & 1) + (y >> 2 & 1); /* TAi, TBi, TCi */
    if (!(y & 8))
      break;
    if (pos >= cap)
      return 0;
    uint8_t td = atr[pos++];
    if ((td & 0x0F) != 0)
      tck = 1;
    y = td >> 4;
  }
  pos += historical + (size_t)tck;
  return pos <= cap ? pos : 0;
}

int atr_matches(const uint8_t *atr, size_t atr_len, const uint8_t *known, size_t known_len,
                const uint8_t *mask, size_t mask_len)
{
  if (!atr || !known || atr_len == 0 || atr_len != known_len)
    return 0;
  if (mask && mask_len != known_len)
    return 0; /* a malformed entry matches nothing rather than something by accident */
  for (size_t i = 0; i < atr_len; i++) {
    uint8_t m = mask ? mask[i] : 0xFF;
    if ((atr[i] & m) != (known[i] & m))
      return 0;
  }
  return 1;
}
