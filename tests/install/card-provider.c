/* card-provider.exe: what Windows' Base CSP and KSP do to find a card's minidriver, as a Windows
 * program under Wine after the installer has run:
 *   the first reader with a card -> its ATR (SCardStatusW) -> SCardListCardsW/A(ATR) -> the card
 *   type -> SCardGetCardTypeProviderNameW/A(SCARD_PROVIDER_CARD_MODULE, _CSP, _KSP)
 *   -> LoadLibrary of the minidriver by that bare name (System32) -> CardAcquireContext exists.
 * Prints, one per line:
 *   ATR: <hex>
 *   Card: <card type>
 *   Minidriver: <DLL name>
 *   CSP: <name>
 *   KSP: <name>
 *   Loaded: <full path the loader chose>
 * and exits 0. --expect-none: succeeds only when no card type matches the ATR and the minidriver
 * lookup of CARD (--card, default the generic OpenPGP entry) answers SCARD_E_UNKNOWN_CARD (after
 * uninstall). --database CARD GUID: the primary provider and interface filter (see database()).
 * Every failure names the call and its code. Imports winscard and kernel32 only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>
#include <winscard.h>

#ifndef SCARD_PROVIDER_KSP
#define SCARD_PROVIDER_KSP 3
#endif
#ifndef SCARD_PROVIDER_CARD_MODULE
#define SCARD_PROVIDER_CARD_MODULE 0x80000001
#endif

static int failed(const char *call, LONG code)
{
    fprintf(stderr, "card-provider: %s failed: 0x%08lX\n", call, (unsigned long)(DWORD)code);
    return 1;
}

static int connect_first(SCARDCONTEXT ctx, SCARDHANDLE *card)
{
    LPWSTR list = NULL;
    DWORD len = SCARD_AUTOALLOCATE;
    LONG rv = SCardListReadersW(ctx, NULL, (LPWSTR)&list, &len);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardListReadersW", rv);
    LONG last = SCARD_E_NO_SMARTCARD;
    for (LPWSTR r = list; *r != 0; r += wcslen(r) + 1) {
        DWORD proto = 0;
        last = SCardConnectW(ctx, r, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                             card, &proto);
        if (last == SCARD_S_SUCCESS)
            break;
    }
    SCardFreeMemory(ctx, list);
    return last == SCARD_S_SUCCESS ? 0 : failed("SCardConnectW (no reader with a card)", last);
}

static int card_atr(SCARDHANDLE card, BYTE atr[36], DWORD *atr_len)
{
    WCHAR name[256];
    DWORD cch = 256, state = 0, proto = 0;
    *atr_len = 36;
    LONG rv = SCardStatusW(card, name, &cch, &state, &proto, atr, atr_len);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardStatusW", rv);
    printf("ATR: ");
    for (DWORD i = 0; i < *atr_len; i++)
        printf("%02X", atr[i]);
    printf("\n");
    return 0;
}

/* The card types for atr, W and A (auto-allocated), which must agree. *types is the W list. */
static int card_types(SCARDCONTEXT ctx, const BYTE *atr, LPWSTR *types)
{
    DWORD wlen = SCARD_AUTOALLOCATE, alen = SCARD_AUTOALLOCATE, size = 0;
    LPSTR atypes = NULL;
    LONG rv = SCardListCardsW(ctx, atr, NULL, 0, (LPWSTR)types, &wlen);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardListCardsW", rv);
    /* the size query answers the same length */
    rv = SCardListCardsW(ctx, atr, NULL, 0, NULL, &size);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardListCardsW (size)", rv);
    if (size != wlen) {
        fprintf(stderr, "card-provider: SCardListCardsW sizes differ: %lu, %lu\n",
                (unsigned long)size, (unsigned long)wlen);
        return 1;
    }
    rv = SCardListCardsA(ctx, atr, NULL, 0, (LPSTR)&atypes, &alen);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardListCardsA", rv);
    int same = alen == wlen;
    for (DWORD i = 0; same && i < wlen; i++)
        same = (WCHAR)(unsigned char)atypes[i] == (*types)[i];
    SCardFreeMemory(ctx, atypes);
    if (!same) {
        fprintf(stderr, "card-provider: SCardListCardsA and SCardListCardsW disagree\n");
        return 1;
    }
    return 0;
}

/* The provider of card for id, W (auto-allocated) and A (caller's buffer, size query first). */
static LONG provider(SCARDCONTEXT ctx, LPCWSTR card, DWORD id, WCHAR *out, DWORD out_max)
{
    LPWSTR name = NULL;
    DWORD len = SCARD_AUTOALLOCATE;
    LONG rv = SCardGetCardTypeProviderNameW(ctx, card, id, (LPWSTR)&name, &len);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    lstrcpynW(out, name, (int)out_max);
    SCardFreeMemory(ctx, name);

    char acard[256], aname[512];
    if (WideCharToMultiByte(CP_UTF8, 0, card, -1, acard, sizeof acard, NULL, NULL) == 0)
        return SCARD_E_INVALID_PARAMETER;
    DWORD alen = 0;
    rv = SCardGetCardTypeProviderNameA(ctx, acard, id, NULL, &alen);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (alen > sizeof aname || alen != (DWORD)wcslen(out) + 1)
        return SCARD_E_INSUFFICIENT_BUFFER;
    DWORD small = alen - 1;
    if (SCardGetCardTypeProviderNameA(ctx, acard, id, aname, &small) != SCARD_E_INSUFFICIENT_BUFFER ||
        small != alen)
        return SCARD_E_UNEXPECTED; /* a short buffer must be refused with the needed size */
    rv = SCardGetCardTypeProviderNameA(ctx, acard, id, aname, &alen);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    for (DWORD i = 0; i < alen; i++)
        if ((WCHAR)(unsigned char)aname[i] != out[i])
            return SCARD_E_UNEXPECTED;
    return SCARD_S_SUCCESS;
}

static int expect_none(SCARDCONTEXT ctx, LPCWSTR types, LPCWSTR card)
{
    if (types[0] != 0) {
        fwprintf(stderr, L"card-provider: card type still registered: %ls\n", types);
        return 1;
    }
    WCHAR name[MAX_PATH];
    LONG rv = provider(ctx, card, SCARD_PROVIDER_CARD_MODULE, name, MAX_PATH);
    if (rv != SCARD_E_UNKNOWN_CARD) {
        fwprintf(stderr, L"card-provider: minidriver of %ls: 0x%08lX, not SCARD_E_UNKNOWN_CARD\n",
                 card, (unsigned long)(DWORD)rv);
        return 1;
    }
    printf("No card type for this ATR; %ls: SCARD_E_UNKNOWN_CARD\n", card);
    return 0;
}

static int report(SCARDCONTEXT ctx, LPCWSTR types)
{
    if (types[0] == 0) {
        fprintf(stderr, "card-provider: SCardListCardsW: no card type matches the ATR\n");
        return 1;
    }
    if (types[wcslen(types) + 1] != 0) {
        fwprintf(stderr, L"card-provider: more than one card type for the ATR: %ls, %ls\n", types,
                 types + wcslen(types) + 1);
        return 1;
    }
    printf("Card: %ls\n", types);
    WCHAR md[MAX_PATH], csp[256], ksp[256];
    LONG rv = provider(ctx, types, SCARD_PROVIDER_CARD_MODULE, md, MAX_PATH);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardGetCardTypeProviderName (card module)", rv);
    printf("Minidriver: %ls\n", md);
    if ((rv = provider(ctx, types, SCARD_PROVIDER_CSP, csp, 256)) != SCARD_S_SUCCESS)
        return failed("SCardGetCardTypeProviderName (CSP)", rv);
    printf("CSP: %ls\n", csp);
    if ((rv = provider(ctx, types, SCARD_PROVIDER_KSP, ksp, 256)) != SCARD_S_SUCCESS)
        return failed("SCardGetCardTypeProviderName (KSP)", rv);
    printf("KSP: %ls\n", ksp);
    GUID id;
    rv = SCardGetProviderIdW(ctx, types, &id);
    if (rv != SCARD_E_UNKNOWN_CARD) /* opgp registers no primary provider GUID */
        return failed("SCardGetProviderIdW (expected SCARD_E_UNKNOWN_CARD)", rv);
    rv = SCardGetCardTypeProviderNameW(ctx, L"no such card type", SCARD_PROVIDER_CARD_MODULE, md,
                                       &(DWORD){MAX_PATH});
    if (rv != SCARD_E_UNKNOWN_CARD)
        return failed("SCardGetCardTypeProviderNameW (unknown card, expected SCARD_E_UNKNOWN_CARD)", rv);

    /* What the Base CSP does with the name: the loader's search, no path of ours. */
    HMODULE lib = LoadLibraryW(md);
    if (lib == NULL)
        return failed("LoadLibraryW (minidriver)", (LONG)GetLastError());
    WCHAR path[MAX_PATH];
    DWORD n = GetModuleFileNameW(lib, path, MAX_PATH);
    int ok = n > 0 && GetProcAddress(lib, "CardAcquireContext") != NULL;
    if (ok)
        printf("Loaded: %ls\n", path);
    FreeLibrary(lib);
    return ok ? 0 : failed("GetProcAddress (CardAcquireContext)", (LONG)GetLastError());
}

static int complain(const char *what)
{
    fprintf(stderr, "card-provider: %s\n", what);
    return 1;
}

static int hex16(const char *hex, BYTE out[16])
{
    for (int i = 0; i < 16; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (BYTE)v;
    }
    return hex[32] == 0;
}

/* Whether the multi-string list holds name. */
static int listed(LPCWSTR list, LPCWSTR name)
{
    for (LPCWSTR p = list; *p != 0; p += wcslen(p) + 1)
        if (wcscmp(p, name) == 0)
            return 1;
    return 0;
}

/* --database CARD GUID: the card type's "Primary Provider" (GUID bytes as stored, 32 hex digits)
 * through SCardGetProviderIdW/A and SCardGetCardTypeProviderNameW(SCARD_PROVIDER_PRIMARY), and
 * SCardListCardsW without an ATR: all card types, or those supporting an interface GUID (the
 * card registers that same GUID under "Supported Interfaces"). */
static int database(SCARDCONTEXT ctx, const char *card_utf8, const char *guid_hex)
{
    WCHAR card[256];
    BYTE want[16];
    if (!hex16(guid_hex, want) || MultiByteToWideChar(CP_UTF8, 0, card_utf8, -1, card, 256) == 0) {
        fprintf(stderr, "usage: card-provider --database CARD GUID(32 hex digits)\n");
        return 2;
    }
    GUID got;
    LONG rv = SCardGetProviderIdW(ctx, card, &got);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardGetProviderIdW", rv);
    if (memcmp(&got, want, 16) != 0) {
        fprintf(stderr, "card-provider: SCardGetProviderIdW: another GUID\n");
        return 1;
    }
    memset(&got, 0, sizeof got);
    if ((rv = SCardGetProviderIdA(ctx, card_utf8, &got)) != SCARD_S_SUCCESS)
        return failed("SCardGetProviderIdA", rv);
    if (memcmp(&got, want, 16) != 0) {
        fprintf(stderr, "card-provider: SCardGetProviderIdA: another GUID\n");
        return 1;
    }
    WCHAR primary[64], expect[64];
    if ((rv = provider(ctx, card, SCARD_PROVIDER_PRIMARY, primary, 64)) != SCARD_S_SUCCESS)
        return failed("SCardGetCardTypeProviderName (primary)", rv);
    GUID g;
    memcpy(&g, want, 16);
    swprintf(expect, 64, L"{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
             (unsigned long)g.Data1, g.Data2, g.Data3, g.Data4[0], g.Data4[1], g.Data4[2],
             g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
    if (wcscmp(primary, expect) != 0) {
        fwprintf(stderr, L"card-provider: primary provider %ls, expected %ls\n", primary, expect);
        return 1;
    }
    printf("Primary Provider: %ls\n", primary);

    LPWSTR all = NULL, with = NULL, without = NULL;
    DWORD n1 = SCARD_AUTOALLOCATE, n2 = SCARD_AUTOALLOCATE, n3 = SCARD_AUTOALLOCATE;
    GUID other = g;
    other.Data1 ^= 1;
    int err = 0;
    if ((rv = SCardListCardsW(ctx, NULL, NULL, 0, (LPWSTR)&all, &n1)) != SCARD_S_SUCCESS)
        err = failed("SCardListCardsW (all)", rv);
    else if ((rv = SCardListCardsW(ctx, NULL, &g, 1, (LPWSTR)&with, &n2)) != SCARD_S_SUCCESS)
        err = failed("SCardListCardsW (interface)", rv);
    else if ((rv = SCardListCardsW(ctx, NULL, &other, 1, (LPWSTR)&without, &n3)) != SCARD_S_SUCCESS)
        err = failed("SCardListCardsW (other interface)", rv);
    else if (!listed(all, card) || !listed(all, L"opgp OpenPGP card v2-v3"))
        err = complain("SCardListCardsW without an ATR misses card types");
    else if (!listed(with, card) || listed(with, L"opgp OpenPGP card v2-v3"))
        err = complain("SCardListCardsW: the interface filter is wrong");
    else if (without[0] != 0)
        err = complain("SCardListCardsW: an unsupported interface matched a card type");
    else
        printf("Interface filter: %ls\n", with);
    SCardFreeMemory(ctx, all);
    SCardFreeMemory(ctx, with);
    SCardFreeMemory(ctx, without);
    return err;
}

int main(int argc, char **argv)
{
    int none = 0;
    WCHAR card[256] = L"opgp OpenPGP card v2-v3";
    if (argc == 4 && strcmp(argv[1], "--database") == 0) {
        SCARDCONTEXT ctx = 0;
        LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx);
        if (rv != SCARD_S_SUCCESS)
            return failed("SCardEstablishContext", rv);
        int err = database(ctx, argv[2], argv[3]);
        SCardReleaseContext(ctx);
        return err;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--expect-none") == 0) {
            none = 1;
        } else if (strcmp(argv[i], "--card") == 0 && i + 1 < argc) {
            MultiByteToWideChar(CP_UTF8, 0, argv[++i], -1, card, 256);
        } else {
            fprintf(stderr, "usage: card-provider [--expect-none [--card NAME]] | "
                            "--database CARD GUID\n");
            return 2;
        }
    }
    SCARDCONTEXT ctx = 0;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardEstablishContext", rv);
    SCARDHANDLE h = 0;
    BYTE atr[36];
    DWORD atr_len = 0;
    LPWSTR types = NULL;
    int err = connect_first(ctx, &h);
    if (!err)
        err = card_atr(h, atr, &atr_len);
    if (!err)
        err = card_types(ctx, atr, &types);
    if (!err)
        err = none ? expect_none(ctx, types, card) : report(ctx, types);
    if (types != NULL)
        SCardFreeMemory(ctx, types);
    if (h != 0)
        SCardDisconnect(h, SCARD_LEAVE_CARD);
    SCardReleaseContext(ctx);
    return err;
}
