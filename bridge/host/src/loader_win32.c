/* Windows: the minidriver DLL registered for the card, as the Base CSP finds it:
 * HKLM\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards\<card name>, values "ATR", "ATRMask"
 * and "80000001" (SCARD_PROVIDER_CARD_MODULE, the DLL). Read directly rather than through
 * SCardListCards / SCardGetCardTypeProviderName: Wine's winscard.dll implements neither. */
#include <string.h>

#include "opgp/host.h"

#define CALAIS_CARDS L"SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards"
#define CARD_MODULE_VALUE L"80000001"

static DWORD load(LPCWSTR path, opgp_host_module *out)
{
    HMODULE lib = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (lib == NULL)
        return SCARD_E_UNKNOWN_CARD;
    FARPROC fn = GetProcAddress(lib, "CardAcquireContext");
    if (fn == NULL) {
        FreeLibrary(lib);
        return SCARD_E_UNKNOWN_CARD;
    }
    out->acquire = (PFN_CARD_ACQUIRE_CONTEXT)(void (*)(void))fn;
    out->library = lib;
    return SCARD_S_SUCCESS;
}

/* Does the card registered under key match the ATR (ATRMask optional: all ones)? */
static BOOL atr_matches(HKEY key, const BYTE *atr, DWORD atr_len)
{
    BYTE reg_atr[36], mask[36];
    DWORD type = 0, len = sizeof reg_atr;
    if (RegQueryValueExW(key, L"ATR", NULL, &type, reg_atr, &len) != ERROR_SUCCESS ||
        type != REG_BINARY || len != atr_len)
        return FALSE;
    DWORD mlen = sizeof mask;
    if (RegQueryValueExW(key, L"ATRMask", NULL, &type, mask, &mlen) != ERROR_SUCCESS ||
        type != REG_BINARY || mlen != atr_len)
        memset(mask, 0xFF, sizeof mask);
    for (DWORD i = 0; i < atr_len; i++) {
        if ((atr[i] & mask[i]) != (reg_atr[i] & mask[i]))
            return FALSE;
    }
    return TRUE;
}

DWORD opgp_host_module_for_atr(const BYTE *atr, DWORD atr_len,
                               WCHAR name[OPGP_HOST_MAX_CARD_NAME], opgp_host_module *out)
{
    if (atr == NULL || atr_len == 0 || atr_len > 36 || name == NULL || out == NULL)
        return SCARD_E_INVALID_PARAMETER;
    out->acquire = NULL;
    out->library = NULL;
    HKEY cards;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, CALAIS_CARDS, 0, KEY_READ, &cards) != ERROR_SUCCESS)
        return SCARD_E_UNKNOWN_CARD;
    DWORD rv = SCARD_E_UNKNOWN_CARD;
    for (DWORD i = 0; rv == (DWORD)SCARD_E_UNKNOWN_CARD; i++) {
        DWORD name_len = OPGP_HOST_MAX_CARD_NAME;
        if (RegEnumKeyExW(cards, i, name, &name_len, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        HKEY card;
        if (RegOpenKeyExW(cards, name, 0, KEY_READ, &card) != ERROR_SUCCESS)
            continue;
        WCHAR dll[MAX_PATH + 1];
        DWORD type = 0, len = sizeof dll - sizeof dll[0];
        if (atr_matches(card, atr, atr_len) &&
            RegQueryValueExW(card, CARD_MODULE_VALUE, NULL, &type, (BYTE *)dll, &len) ==
                ERROR_SUCCESS &&
            (type == REG_SZ || type == REG_EXPAND_SZ)) {
            dll[len / sizeof dll[0]] = 0;
            rv = load(dll, out);
        }
        RegCloseKey(card);
    }
    RegCloseKey(cards);
    if (rv != SCARD_S_SUCCESS)
        name[0] = 0;
    return rv;
}

DWORD opgp_host_module_from_path(const char *path, opgp_host_module *out)
{
    if (path == NULL || out == NULL)
        return SCARD_E_INVALID_PARAMETER;
    out->acquire = NULL;
    out->library = NULL;
    WCHAR wide[MAX_PATH + 1];
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wide, MAX_PATH + 1) == 0)
        return SCARD_E_INVALID_PARAMETER;
    return load(wide, out);
}

void opgp_host_module_close(opgp_host_module *m)
{
    if (m == NULL)
        return;
    if (m->library != NULL)
        FreeLibrary(m->library);
    m->library = NULL;
    m->acquire = NULL;
}
