/* scard-smoke: a Windows program exercising winscard the way opgp's DLLs will, meant to run under
 * Wine with the opgpscard bridge against a private pcscd holding an OpenPGP card.  Every check is
 * printed; the exit code is 0 only when all pass.  A reader's answer to the PC/SC Part 10 feature
 * request is reported, not judged: virtual readers often do not implement it. */
#include <windows.h>
#include <winscard.h>

#include <stdio.h>
#include <string.h>

static int failures;

static void check(int ok, const char *what, LONG rv)
{
  printf("%s %s (0x%08lX)\n", ok ? "PASS" : "FAIL", what, (unsigned long)rv);
  if (!ok)
    failures++;
}

static void print_hex(const char *label, const BYTE *p, DWORD n)
{
  printf("     %s:", label);
  for (DWORD i = 0; i < n; i++)
    printf(" %02X", p[i]);
  printf("\n");
}

static int is_invalid_handle(LONG rv)
{
  return rv == ERROR_INVALID_HANDLE || rv == (LONG)SCARD_E_INVALID_HANDLE;
}

/* Transmit one APDU; follows 61xx with GET RESPONSE so T=0 and T=1 readers look alike. */
static LONG transmit(SCARDHANDLE card, DWORD protocol, const BYTE *apdu, DWORD len, BYTE *resp,
                     DWORD *resp_len)
{
  const SCARD_IO_REQUEST *pci = protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
  SCARD_IO_REQUEST recv_pci = {0, sizeof recv_pci};
  DWORD cap = *resp_len, total = 0;
  BYTE cmd[5];
  for (;;) {
    DWORD n = cap - total;
    LONG rv = SCardTransmit(card, pci, apdu, len, &recv_pci, resp + total, &n);
    if (rv != SCARD_S_SUCCESS)
      return rv;
    if (n < 2)
      return SCARD_F_COMM_ERROR;
    total += n;
    if (resp[total - 2] != 0x61)
      break;
    cmd[0] = 0x00, cmd[1] = 0xC0, cmd[2] = 0, cmd[3] = 0, cmd[4] = resp[total - 1];
    total -= 2;
    apdu = cmd, len = sizeof cmd;
  }
  *resp_len = total;
  return SCARD_S_SUCCESS;
}

static DWORD WINAPI cancel_later(LPVOID arg)
{
  Sleep(200);
  return (DWORD)SCardCancel(*(SCARDCONTEXT *)arg);
}

static int sw_ok(const BYTE *r, DWORD n)
{
  return n >= 2 && r[n - 2] == 0x90 && r[n - 1] == 0x00;
}

int main(int argc, char **argv)
{
  SCARDCONTEXT ctx = 0;
  LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx);
  /* --expect-no-service: run with no pcscd reachable; proves the DLL chain loads and that the
   * bridge reports pcsc-lite's answer rather than Wine's stub (which says 0x80100001). */
  if (argc == 2 && strcmp(argv[1], "--expect-no-service") == 0) {
    check(rv == (LONG)SCARD_E_NO_SERVICE, "SCardEstablishContext with no pcscd -> SCARD_E_NO_SERVICE", rv);
    return failures ? 1 : 0;
  }
  check(rv == SCARD_S_SUCCESS, "SCardEstablishContext", rv);
  if (rv != SCARD_S_SUCCESS)
    return 1;
  rv = SCardIsValidContext(ctx);
  check(rv == SCARD_S_SUCCESS, "SCardIsValidContext on a live context", rv);

  /* Reader list, W: size query, then a buffer exactly that size. */
  DWORD cch = 0;
  rv = SCardListReadersW(ctx, NULL, NULL, &cch);
  check(rv == SCARD_S_SUCCESS && cch > 2, "SCardListReadersW size query", rv);
  static WCHAR readers_w[4096];
  if (cch > ARRAYSIZE(readers_w))
    cch = ARRAYSIZE(readers_w);
  DWORD too_small = 1;
  rv = SCardListReadersW(ctx, NULL, readers_w, &too_small);
  check(rv == (LONG)SCARD_E_INSUFFICIENT_BUFFER && too_small == cch,
        "SCardListReadersW too small a buffer -> SCARD_E_INSUFFICIENT_BUFFER + needed size", rv);
  DWORD cch_w = cch;
  rv = SCardListReadersW(ctx, NULL, readers_w, &cch_w);
  check(rv == SCARD_S_SUCCESS && cch_w == cch && readers_w[cch_w - 1] == 0 && readers_w[cch_w - 2] == 0,
        "SCardListReadersW multi-string", rv);
  int nreaders = 0;
  for (const WCHAR *r = readers_w; *r; r += wcslen(r) + 1) {
    printf("     reader %d: %ls\n", nreaders, r);
    nreaders++;
  }

  /* Reader list, A, auto-allocated: same names as W (reader names are ASCII). */
  LPSTR readers_a = NULL;
  DWORD cch_a = SCARD_AUTOALLOCATE;
  rv = SCardListReadersA(ctx, NULL, (LPSTR)&readers_a, &cch_a);
  int same = rv == SCARD_S_SUCCESS && readers_a && cch_a == cch_w;
  for (DWORD i = 0; same && i < cch_a; i++)
    same = (WCHAR)(unsigned char)readers_a[i] == readers_w[i];
  check(same, "SCardListReadersA SCARD_AUTOALLOCATE matches the W list", rv);
  if (readers_a) {
    rv = SCardFreeMemory(ctx, readers_a);
    check(rv == SCARD_S_SUCCESS, "SCardFreeMemory", rv);
  }

  WCHAR groups[256];
  DWORD groups_len = ARRAYSIZE(groups);
  rv = SCardListReaderGroupsW(ctx, groups, &groups_len);
  check(rv == SCARD_S_SUCCESS && groups_len >= 2 && groups[groups_len - 1] == 0 && groups[groups_len - 2] == 0,
        "SCardListReaderGroupsW multi-string", rv);

  /* Which readers hold a card: one GetStatusChangeW pass over all of them. */
  SCARD_READERSTATEW states[16];
  DWORD nstates = 0;
  for (const WCHAR *r = readers_w; *r && nstates < ARRAYSIZE(states); r += wcslen(r) + 1) {
    memset(&states[nstates], 0, sizeof states[nstates]);
    states[nstates].szReader = r;
    states[nstates].dwCurrentState = SCARD_STATE_UNAWARE;
    nstates++;
  }
  rv = SCardGetStatusChangeW(ctx, 0, states, nstates);
  check(rv == SCARD_S_SUCCESS, "SCardGetStatusChangeW (current states)", rv);
  int with_card = -1;
  for (DWORD i = 0; i < nstates && with_card < 0; i++)
    if (states[i].dwEventState & SCARD_STATE_PRESENT)
      with_card = (int)i;
  check(with_card >= 0, "a reader with a card", rv);
  if (with_card < 0) {
    SCardReleaseContext(ctx);
    printf("%d check(s) failed\n", failures + 1);
    return 1;
  }
  SCARD_READERSTATEW *st = &states[with_card];
  check(st->cbAtr >= 2 && st->cbAtr <= 33 && (st->rgbAtr[0] == 0x3B || st->rgbAtr[0] == 0x3F),
        "SCARD_READERSTATE ATR (TS byte, length within 36)", (LONG)st->cbAtr);
  printf("     card in: %ls\n", st->szReader);

  SCARDHANDLE card = 0;
  DWORD protocol = 0;
  rv = SCardConnectW(ctx, st->szReader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                     &card, &protocol);
  check(rv == SCARD_S_SUCCESS && (protocol == SCARD_PROTOCOL_T0 || protocol == SCARD_PROTOCOL_T1),
        "SCardConnectW T0|T1", rv);
  printf("     active protocol: T=%d\n", protocol == SCARD_PROTOCOL_T1);

  WCHAR name[256];
  DWORD name_len = ARRAYSIZE(name), state = 0, proto2 = 0, atr_len = 36;
  BYTE atr[36];
  rv = SCardStatusW(card, name, &name_len, &state, &proto2, atr, &atr_len);
  check(rv == SCARD_S_SUCCESS && wcscmp(name, st->szReader) == 0 && name_len == wcslen(name) + 2,
        "SCardStatusW reader name (a multi-string)", rv);
  check(state == SCARD_SPECIFIC, "SCardStatusW state is the Windows enum SCARD_SPECIFIC (6)", (LONG)state);
  check(proto2 == protocol, "SCardStatusW protocol", (LONG)proto2);
  check(atr_len == st->cbAtr && memcmp(atr, st->rgbAtr, atr_len) == 0,
        "SCardStatusW ATR equals the SCARD_READERSTATE ATR", (LONG)atr_len);
  print_hex("ATR", atr, atr_len);

  LPSTR name_a = NULL;
  LPBYTE atr_a = NULL;
  DWORD name_a_len = SCARD_AUTOALLOCATE, atr_a_len = SCARD_AUTOALLOCATE;
  rv = SCardStatusA(card, (LPSTR)&name_a, &name_a_len, NULL, NULL, (LPBYTE)&atr_a, &atr_a_len);
  check(rv == SCARD_S_SUCCESS && name_a && atr_a && name_a_len == name_len && atr_a_len == atr_len &&
            memcmp(atr_a, atr, atr_len) == 0,
        "SCardStatusA SCARD_AUTOALLOCATE name and ATR", rv);
  if (name_a)
    SCardFreeMemory(ctx, name_a);
  if (atr_a)
    SCardFreeMemory(ctx, atr_a);

  BYTE attr[64];
  DWORD attr_len = sizeof attr;
  rv = SCardGetAttrib(card, SCARD_ATTR_ATR_STRING, attr, &attr_len);
  check(rv == SCARD_S_SUCCESS && attr_len == atr_len && memcmp(attr, atr, atr_len) == 0,
        "SCardGetAttrib SCARD_ATTR_ATR_STRING", rv);

  rv = SCardBeginTransaction(card);
  check(rv == SCARD_S_SUCCESS, "SCardBeginTransaction", rv);

  static const BYTE select_openpgp[] = {0x00, 0xA4, 0x04, 0x00, 0x06, 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01, 0x00};
  static BYTE resp[65538];
  DWORD resp_len = sizeof resp;
  rv = transmit(card, protocol, select_openpgp, sizeof select_openpgp, resp, &resp_len);
  check(rv == SCARD_S_SUCCESS && sw_ok(resp, resp_len), "SCardTransmit SELECT OpenPGP -> 9000", rv);

  static const BYTE get_6e_short[] = {0x00, 0xCA, 0x00, 0x6E, 0x00};
  static BYTE ard[65538];
  DWORD ard_len = sizeof ard;
  rv = transmit(card, protocol, get_6e_short, sizeof get_6e_short, ard, &ard_len);
  check(rv == SCARD_S_SUCCESS && sw_ok(ard, ard_len) && ard_len > 4 && ard[0] == 0x6E,
        "SCardTransmit GET DATA 6E (short Le) -> 6E... 9000", rv);
  if (ard_len >= 2)
    printf("     application related data: %lu bytes + SW\n", (unsigned long)ard_len - 2);

  static const BYTE get_6e_ext[] = {0x00, 0xCA, 0x00, 0x6E, 0x00, 0x00, 0x00};
  resp_len = sizeof resp;
  rv = transmit(card, protocol, get_6e_ext, sizeof get_6e_ext, resp, &resp_len);
  check(rv == SCARD_S_SUCCESS && resp_len == ard_len && memcmp(resp, ard, ard_len) == 0,
        "SCardTransmit GET DATA 6E (extended Le) -> same data, 9000", rv);

  BYTE tiny[4];
  DWORD tiny_len = sizeof tiny;
  rv = SCardTransmit(card, protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1, get_6e_ext,
                     sizeof get_6e_ext, NULL, tiny, &tiny_len);
  check(rv == (LONG)SCARD_E_INSUFFICIENT_BUFFER || (rv == SCARD_S_SUCCESS && tiny_len <= sizeof tiny),
        "SCardTransmit into a 4-byte buffer does not overflow it", rv);

  rv = SCardEndTransaction(card, SCARD_LEAVE_CARD);
  check(rv == SCARD_S_SUCCESS, "SCardEndTransaction", rv);

  /* Nothing changes on the reader: a bounded wait must time out. */
  st->dwCurrentState = st->dwEventState & ~SCARD_STATE_CHANGED;
  DWORD t0 = GetTickCount();
  rv = SCardGetStatusChangeW(ctx, 300, st, 1);
  DWORD waited = GetTickCount() - t0;
  check(rv == (LONG)SCARD_E_TIMEOUT && waited >= 200 && waited < 5000,
        "SCardGetStatusChangeW 300 ms with no change -> SCARD_E_TIMEOUT", rv);
  printf("     waited %lu ms\n", (unsigned long)waited);

  /* A watcher blocked without a timeout is released by SCardCancel from another thread. */
  HANDLE canceller = CreateThread(NULL, 0, cancel_later, &ctx, 0, NULL);
  rv = SCardGetStatusChangeW(ctx, INFINITE, st, 1);
  DWORD cancel_rv = 1;
  if (canceller) {
    WaitForSingleObject(canceller, 5000);
    GetExitCodeThread(canceller, &cancel_rv);
    CloseHandle(canceller);
  }
  check(rv == (LONG)SCARD_E_CANCELLED && cancel_rv == SCARD_S_SUCCESS,
        "SCardCancel from another thread ends SCardGetStatusChangeW(INFINITE) -> SCARD_E_CANCELLED", rv);

  DWORD proto3 = 0;
  rv = SCardReconnect(card, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD, &proto3);
  check(rv == SCARD_S_SUCCESS && proto3 == protocol, "SCardReconnect (leave card) keeps the protocol", rv);

  BYTE features[256];
  DWORD features_len = 0;
  rv = SCardControl(card, SCARD_CTL_CODE(3400), NULL, 0, features, sizeof features, &features_len);
  printf("INFO SCardControl CM_IOCTL_GET_FEATURE_REQUEST -> 0x%08lX, %lu bytes\n", (unsigned long)rv,
         (unsigned long)features_len);
  if (rv == SCARD_S_SUCCESS) {
    for (DWORD i = 0; i + 6 <= features_len && features[i + 1] == 4; i += 6) {
      DWORD code = (DWORD)features[i + 2] << 24 | features[i + 3] << 16 | features[i + 4] << 8 | features[i + 5];
      printf("     feature 0x%02X -> control code 0x%08lX%s\n", features[i], (unsigned long)code,
             (code & 0xFFFF0000) == 0x00310000 ? " (Windows form)" : "");
    }
  }

  /* Error paths, answered as Windows does. */
  BYTE r2[258];
  DWORD r2_len = sizeof r2;
  rv = SCardTransmit((SCARDHANDLE)0x5ca4d, SCARD_PCI_T1, select_openpgp, sizeof select_openpgp, NULL, r2, &r2_len);
  check(is_invalid_handle(rv), "SCardTransmit on a bogus handle -> invalid handle", rv);
  rv = SCardStatusW((SCARDHANDLE)0x5ca4d, NULL, NULL, &state, NULL, NULL, NULL);
  check(is_invalid_handle(rv), "SCardStatusW on a bogus handle -> invalid handle", rv);
  rv = SCardIsValidContext((SCARDCONTEXT)0x5ca4d);
  check(is_invalid_handle(rv), "SCardIsValidContext on a bogus context -> invalid handle", rv);
  SCARDHANDLE none = 0;
  DWORD none_proto = 0;
  rv = SCardConnectW(ctx, L"No Such Reader 00 00", SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                     &none, &none_proto);
  check(rv == (LONG)SCARD_E_UNKNOWN_READER, "SCardConnectW to an unknown reader -> SCARD_E_UNKNOWN_READER", rv);

  rv = SCardDisconnect(card, SCARD_LEAVE_CARD);
  check(rv == SCARD_S_SUCCESS, "SCardDisconnect", rv);
  rv = SCardTransmit(card, SCARD_PCI_T1, select_openpgp, sizeof select_openpgp, NULL, r2, &r2_len);
  check(is_invalid_handle(rv), "SCardTransmit after SCardDisconnect -> invalid handle", rv);
  rv = SCardReleaseContext(ctx);
  check(rv == SCARD_S_SUCCESS, "SCardReleaseContext", rv);
  rv = SCardIsValidContext(ctx);
  check(is_invalid_handle(rv), "SCardIsValidContext after release -> invalid handle", rv);

  printf(failures ? "%d check(s) failed\n" : "all checks passed\n", failures);
  return failures ? 1 : 0;
}
