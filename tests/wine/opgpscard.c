/* opgpscard: a Winelib module giving Windows programs under Wine a working winscard, backed by
 * pcsc-lite.  It is an ELF object: calls into it arrive with the Windows x64 ABI (ms_abi) and
 * Windows types, and it calls libpcsclite with the Linux ABI and pcsc-lite's types, converting:
 *   - DWORD is 32-bit on Windows, unsigned long (64-bit) in pcsc-lite: every DWORD* and every
 *     structure holding DWORDs (SCARD_IO_REQUEST, SCARD_READERSTATE) is copied field by field;
 *   - SCARD_READERSTATE carries a 36-byte ATR on Windows, 33 bytes in pcsc-lite;
 *   - SCARD_PROTOCOL_RAW is 0x10000 on Windows, 4 in pcsc-lite;
 *   - SCardStatus' state is an enum on Windows (SCARD_ABSENT=1..SCARD_SPECIFIC=6), a bit mask in
 *     pcsc-lite;
 *   - SCardControl codes: Windows SCARD_CTL_CODE(x) = 0x310000 + 4x, pcsc-lite 0x42000000 + x;
 *   - -W functions take UTF-16, pcsc-lite UTF-8 (-A strings pass through: reader names are ASCII
 *     in practice, and Wine's ANSI code page is not reachable from here);
 *   - output buffers follow Windows' rules: NULL = size query, SCARD_AUTOALLOCATE = allocated here
 *     and released by SCardFreeMemory (which therefore frees only what this module allocated).
 * Functions are named bridge_* and mapped to SCard* in opgpscard.spec: an ELF symbol called
 * SCardTransmit here would capture this module's own calls to pcsc-lite. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <PCSC/winscard.h>
#include <PCSC/reader.h>

#include "opgpscard_convert.h"

#define WINAPI __attribute__((ms_abi))

struct w_io_request {
  wdword dwProtocol;
  wdword cbPciLength;
};

struct w_readerstate {
  const void *szReader; /* char* or wchar16* */
  void *pvUserData;
  wdword dwCurrentState;
  wdword dwEventState;
  wdword cbAtr;
  uint8_t rgbAtr[W_ATR_SIZE];
};

_Static_assert(sizeof(struct w_io_request) == 8, "Windows SCARD_IO_REQUEST layout");
_Static_assert(sizeof(struct w_readerstate) == 64, "Windows x64 SCARD_READERSTATE layout");

/* Exported as g_rgSCardT0Pci etc. (see the .spec): Windows programs pass their address. */
const struct w_io_request bridge_t0_pci = {SCARD_PROTOCOL_T0, sizeof(struct w_io_request)};
const struct w_io_request bridge_t1_pci = {SCARD_PROTOCOL_T1, sizeof(struct w_io_request)};
const struct w_io_request bridge_raw_pci = {W_PROTOCOL_RAW, sizeof(struct w_io_request)};

/* pcsc-lite returns LONG (64-bit) codes with Windows' numbering in the low 32 bits, with two
 * differences worth knowing: an unknown handle is ERROR_INVALID_HANDLE on Windows, and
 * pcsc-lite's 0x8010001F "unsupported feature" reads as SCARD_E_UNEXPECTED there (Windows has
 * 0x80100022 for unsupported feature, but callers written for Windows see only what Windows would
 * return from a driver that fails, which is what 0x8010001F keeps meaning). */
static wlong win_error(LONG rv)
{
  if (rv == SCARD_E_INVALID_HANDLE)
    return W_ERROR_INVALID_HANDLE;
  return (wlong)(uint32_t)rv;
}

/* A NUL-terminated UTF-16 string as a malloc'd UTF-8 one (NULL in, NULL out). */
static char *utf8_from_wide(const wchar16 *w, int *failed)
{
  *failed = 0;
  if (!w)
    return NULL;
  size_t n = 0;
  while (w[n])
    n++;
  size_t bytes = utf16_to_utf8(w, n + 1, NULL);
  char *s = malloc(bytes);
  if (!s) {
    *failed = 1;
    return NULL;
  }
  utf16_to_utf8(w, n + 1, s);
  return s;
}

/* UTF-8 bytes delivered as UTF-16 to a Windows (buffer, cch) pair. */
static wlong deliver_wide(const char *s, size_t n, void *dst, wdword *pcch)
{
  size_t units = utf8_to_utf16(s, n, NULL);
  wchar16 *w = malloc(units * sizeof *w + 1);
  if (!w)
    return (wlong)SCARD_E_NO_MEMORY;
  utf8_to_utf16(s, n, w);
  wlong rv = deliver(w, units, sizeof *w, dst, pcch);
  free(w);
  return rv;
}

/* ---- contexts ---- */

WINAPI wlong bridge_EstablishContext(wdword scope, const void *r1, const void *r2, whandle *ctx)
{
  (void)r1;
  (void)r2;
  if (!ctx)
    return (wlong)SCARD_E_INVALID_PARAMETER;
  SCARDCONTEXT c = 0;
  LONG rv = SCardEstablishContext(scope, NULL, NULL, &c);
  if (rv == SCARD_S_SUCCESS)
    *ctx = (whandle)c;
  return win_error(rv);
}

WINAPI wlong bridge_ReleaseContext(whandle ctx)
{
  return win_error(SCardReleaseContext((SCARDCONTEXT)ctx));
}

WINAPI wlong bridge_IsValidContext(whandle ctx)
{
  return win_error(SCardIsValidContext((SCARDCONTEXT)ctx));
}

WINAPI wlong bridge_Cancel(whandle ctx)
{
  return win_error(SCardCancel((SCARDCONTEXT)ctx));
}

WINAPI wlong bridge_FreeMemory(whandle ctx, const void *mem)
{
  (void)ctx;
  free((void *)mem);
  return SCARD_S_SUCCESS;
}

/* ---- reader lists ---- */

/* pcsc-lite's multi-string of readers (or groups), allocated by pcsc-lite. Windows accepts a
 * NULL context here, meaning "use a temporary one". */
static LONG pcsc_list(whandle wctx, int groups, char **list, DWORD *len)
{
  SCARDCONTEXT ctx = (SCARDCONTEXT)wctx, own = 0;
  if (!wctx) {
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &own);
    if (rv != SCARD_S_SUCCESS)
      return rv;
    ctx = own;
  }
  *len = SCARD_AUTOALLOCATE;
  LONG rv = groups ? SCardListReaderGroups(ctx, (char *)list, len)
                   : SCardListReaders(ctx, NULL, (char *)list, len);
  if (rv != SCARD_S_SUCCESS)
    *list = NULL;
  else if (own) { /* memory of a context about to go away: copy it out first */
    char *copy = malloc(*len);
    if (copy)
      memcpy(copy, *list, *len);
    SCardFreeMemory(ctx, *list);
    *list = copy;
    if (!copy)
      rv = SCARD_E_NO_MEMORY;
  }
  if (own)
    SCardReleaseContext(own);
  return rv;
}

static void pcsc_list_free(whandle wctx, char *list)
{
  if (!list)
    return;
  if (wctx)
    SCardFreeMemory((SCARDCONTEXT)wctx, list);
  else
    free(list);
}

static wlong list_a(whandle ctx, int groups, void *out, wdword *pcch)
{
  char *list;
  DWORD len;
  LONG rv = pcsc_list(ctx, groups, &list, &len);
  if (rv != SCARD_S_SUCCESS)
    return win_error(rv);
  wlong wrv = deliver(list, len, 1, out, pcch);
  pcsc_list_free(ctx, list);
  return wrv;
}

static wlong list_w(whandle ctx, int groups, void *out, wdword *pcch)
{
  char *list;
  DWORD len;
  LONG rv = pcsc_list(ctx, groups, &list, &len);
  if (rv != SCARD_S_SUCCESS)
    return win_error(rv);
  wlong wrv = deliver_wide(list, len, out, pcch);
  pcsc_list_free(ctx, list);
  return wrv;
}

/* The groups filter is ignored, as pcsc-lite does: every reader is in SCard$DefaultReaders. */
WINAPI wlong bridge_ListReadersA(whandle ctx, const char *groups, char *readers, wdword *pcch)
{
  (void)groups;
  return list_a(ctx, 0, readers, pcch);
}

WINAPI wlong bridge_ListReadersW(whandle ctx, const wchar16 *groups, wchar16 *readers, wdword *pcch)
{
  (void)groups;
  return list_w(ctx, 0, readers, pcch);
}

WINAPI wlong bridge_ListReaderGroupsA(whandle ctx, char *groups, wdword *pcch)
{
  return list_a(ctx, 1, groups, pcch);
}

WINAPI wlong bridge_ListReaderGroupsW(whandle ctx, wchar16 *groups, wdword *pcch)
{
  return list_w(ctx, 1, groups, pcch);
}

/* ---- card connections ---- */

static wlong connect_utf8(whandle ctx, const char *reader, wdword share, wdword protocols,
                          whandle *card, wdword *active)
{
  if (!card || !active)
    return (wlong)SCARD_E_INVALID_PARAMETER;
  SCARDHANDLE h = 0;
  DWORD proto = 0;
  LONG rv = SCardConnect((SCARDCONTEXT)ctx, reader, share, protocols_to_pcsc(protocols), &h, &proto);
  if (rv == SCARD_S_SUCCESS) {
    *card = (whandle)h;
    *active = protocols_to_win(proto);
  }
  return win_error(rv);
}

WINAPI wlong bridge_ConnectA(whandle ctx, const char *reader, wdword share, wdword protocols,
                             whandle *card, wdword *active)
{
  return connect_utf8(ctx, reader, share, protocols, card, active);
}

WINAPI wlong bridge_ConnectW(whandle ctx, const wchar16 *reader, wdword share, wdword protocols,
                             whandle *card, wdword *active)
{
  int failed;
  char *name = utf8_from_wide(reader, &failed);
  if (failed)
    return (wlong)SCARD_E_NO_MEMORY;
  wlong rv = connect_utf8(ctx, name, share, protocols, card, active);
  free(name);
  return rv;
}

WINAPI wlong bridge_Reconnect(whandle card, wdword share, wdword protocols, wdword init,
                              wdword *active)
{
  DWORD proto = 0;
  LONG rv = SCardReconnect((SCARDHANDLE)card, share, protocols_to_pcsc(protocols), init, &proto);
  if (rv == SCARD_S_SUCCESS && active)
    *active = protocols_to_win(proto);
  return win_error(rv);
}

WINAPI wlong bridge_Disconnect(whandle card, wdword disposition)
{
  return win_error(SCardDisconnect((SCARDHANDLE)card, disposition));
}

WINAPI wlong bridge_BeginTransaction(whandle card)
{
  return win_error(SCardBeginTransaction((SCARDHANDLE)card));
}

WINAPI wlong bridge_EndTransaction(whandle card, wdword disposition)
{
  return win_error(SCardEndTransaction((SCARDHANDLE)card, disposition));
}

/* Windows returns the reader name as a multi-string: pcsc-lite's name plus one more NUL. */
static wlong status_common(whandle card, int wide, void *name_out, wdword *pcch, wdword *state,
                           wdword *protocol, uint8_t *atr_out, wdword *patr)
{
  char name[MAX_READERNAME + 2];
  DWORD name_len = MAX_READERNAME, pstate = 0, pproto = 0, atr_len = MAX_ATR_SIZE;
  uint8_t atr[MAX_ATR_SIZE];
  LONG rv = SCardStatus((SCARDHANDLE)card, name, &name_len, &pstate, &pproto, atr, &atr_len);
  if (rv != SCARD_S_SUCCESS)
    return win_error(rv);
  if (name_len == 0 || name_len > MAX_READERNAME)
    return (wlong)SCARD_F_INTERNAL_ERROR;
  name[name_len - 1] = '\0';
  name[name_len++] = '\0';
  if (state)
    *state = card_state_to_win(pstate, pproto);
  if (protocol)
    *protocol = protocols_to_win(pproto);
  wlong wrv = SCARD_S_SUCCESS;
  if (pcch)
    wrv = wide ? deliver_wide(name, name_len, name_out, pcch) : deliver(name, name_len, 1, name_out, pcch);
  if (wrv == SCARD_S_SUCCESS && patr)
    wrv = deliver(atr, atr_len, 1, atr_out, patr);
  return wrv;
}

WINAPI wlong bridge_StatusA(whandle card, char *name, wdword *pcch, wdword *state,
                            wdword *protocol, uint8_t *atr, wdword *patr)
{
  return status_common(card, 0, name, pcch, state, protocol, atr, patr);
}

WINAPI wlong bridge_StatusW(whandle card, wchar16 *name, wdword *pcch, wdword *state,
                            wdword *protocol, uint8_t *atr, wdword *patr)
{
  return status_common(card, 1, name, pcch, state, protocol, atr, patr);
}

/* ---- status change ---- */

static wlong get_status_change(whandle ctx, wdword timeout, struct w_readerstate *states,
                               wdword count, int wide)
{
  if (count && !states)
    return (wlong)SCARD_E_INVALID_PARAMETER;
  SCARD_READERSTATE *ps = calloc(count ? count : 1, sizeof *ps);
  char **names = calloc(count ? count : 1, sizeof *names);
  wlong wrv = SCARD_S_SUCCESS;
  if (!ps || !names) {
    wrv = (wlong)SCARD_E_NO_MEMORY;
    goto out;
  }
  for (wdword i = 0; i < count; i++) {
    if (wide) {
      int failed;
      names[i] = utf8_from_wide(states[i].szReader, &failed);
      if (failed) {
        wrv = (wlong)SCARD_E_NO_MEMORY;
        goto out;
      }
      ps[i].szReader = names[i];
    } else {
      ps[i].szReader = states[i].szReader;
    }
    ps[i].pvUserData = states[i].pvUserData;
    ps[i].dwCurrentState = states[i].dwCurrentState;
    ps[i].dwEventState = states[i].dwEventState;
  }
  LONG rv = SCardGetStatusChange((SCARDCONTEXT)ctx, timeout, ps, count);
  /* pcsc-lite updates the states on success and on timeout alike. */
  if (rv == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT) {
    for (wdword i = 0; i < count; i++) {
      size_t n = ps[i].cbAtr <= MAX_ATR_SIZE ? ps[i].cbAtr : MAX_ATR_SIZE;
      states[i].dwEventState = (wdword)ps[i].dwEventState;
      states[i].cbAtr = (wdword)n;
      memset(states[i].rgbAtr, 0, sizeof states[i].rgbAtr);
      memcpy(states[i].rgbAtr, ps[i].rgbAtr, n);
    }
  }
  wrv = win_error(rv);
out:
  if (names)
    for (wdword i = 0; i < count; i++)
      free(names[i]);
  free(names);
  free(ps);
  return wrv;
}

WINAPI wlong bridge_GetStatusChangeA(whandle ctx, wdword timeout, struct w_readerstate *states,
                                     wdword count)
{
  return get_status_change(ctx, timeout, states, count, 0);
}

WINAPI wlong bridge_GetStatusChangeW(whandle ctx, wdword timeout, struct w_readerstate *states,
                                     wdword count)
{
  return get_status_change(ctx, timeout, states, count, 1);
}

/* ---- I/O ---- */

WINAPI wlong bridge_Transmit(whandle card, const struct w_io_request *send_pci, const uint8_t *send,
                             wdword send_len, struct w_io_request *recv_pci, uint8_t *recv,
                             wdword *recv_len)
{
  if (!send_pci || !recv_len)
    return (wlong)SCARD_E_INVALID_PARAMETER;
  /* Protocol-specific bytes after a Windows PCI header are not forwarded: pcsc-lite ignores them. */
  SCARD_IO_REQUEST ps = {protocols_to_pcsc(send_pci->dwProtocol), sizeof(SCARD_IO_REQUEST)};
  SCARD_IO_REQUEST pr = {0, sizeof(SCARD_IO_REQUEST)};
  DWORD len = *recv_len;
  LONG rv = SCardTransmit((SCARDHANDLE)card, &ps, send, send_len, recv_pci ? &pr : NULL, recv, &len);
  if (rv == SCARD_S_SUCCESS || rv == SCARD_E_INSUFFICIENT_BUFFER)
    *recv_len = (wdword)len;
  if (rv == SCARD_S_SUCCESS && recv_pci)
    recv_pci->dwProtocol = protocols_to_win(pr.dwProtocol);
  return win_error(rv);
}

WINAPI wlong bridge_Control(whandle card, wdword code, const void *in, wdword in_len, void *out,
                            wdword out_size, wdword *returned)
{
  DWORD got = 0;
  DWORD pcode = control_code_to_pcsc(code);
  LONG rv = SCardControl((SCARDHANDLE)card, pcode, in, in_len, out, out_size, &got);
  if (returned)
    *returned = (wdword)got;
  if (rv == SCARD_S_SUCCESS && pcode == CM_IOCTL_GET_FEATURE_REQUEST && out)
    feature_codes_to_win(out, got <= out_size ? got : out_size);
  return win_error(rv);
}

/* Windows' smart card library answers SCARD_ATTR_ATR_STRING for every reader driver; pcscd
 * passes it to the driver, and some (vpcd) do not know it.  The ATR is the same one SCardStatus
 * reports. */
static wlong atr_attribute(whandle card, uint8_t *out, wdword *plen)
{
  uint8_t atr[MAX_ATR_SIZE];
  DWORD atr_len = sizeof atr, state, proto;
  LONG rv = SCardStatus((SCARDHANDLE)card, NULL, NULL, &state, &proto, atr, &atr_len);
  if (rv != SCARD_S_SUCCESS)
    return win_error(rv);
  return deliver(atr, atr_len, 1, out, plen);
}

WINAPI wlong bridge_GetAttrib(whandle card, wdword attr, uint8_t *out, wdword *plen)
{
  if (!plen)
    return (wlong)SCARD_E_INVALID_PARAMETER;
  uint8_t *value = NULL;
  DWORD len = SCARD_AUTOALLOCATE;
  LONG rv = SCardGetAttrib((SCARDHANDLE)card, attr, (uint8_t *)&value, &len);
  if (rv == SCARD_E_UNSUPPORTED_FEATURE && attr == SCARD_ATTR_ATR_STRING)
    return atr_attribute(card, out, plen);
  if (rv != SCARD_S_SUCCESS)
    return win_error(rv);
  wlong wrv = deliver(value, len, 1, out, plen);
  SCardFreeMemory(0, value);
  return wrv;
}

WINAPI wlong bridge_SetAttrib(whandle card, wdword attr, const uint8_t *in, wdword len)
{
  return win_error(SCardSetAttrib((SCARDHANDLE)card, attr, in, len));
}
