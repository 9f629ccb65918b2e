/* opgpscard's smart card database functions: SCardListCards, SCardGetCardTypeProviderName and
 * SCardGetProviderId, answered from the registry as Windows' winscard does, so that a Windows
 * program under Wine finds the minidriver, CSP and KSP of the card in a reader by its ATR:
 *   HKLM\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards\<card name>
 *     ATR, ATRMask (REG_BINARY)         which ATRs are this card type (masked compare)
 *     Supported Interfaces (REG_BINARY) GUIDs, for SCardListCards' interface filter
 *     Primary Provider (REG_BINARY)     GUID                         SCARD_PROVIDER_PRIMARY (1)
 *     Crypto Provider (REG_SZ)          CSP name                     SCARD_PROVIDER_CSP (2)
 *     Smart Card Key Storage Provider   KSP name                     SCARD_PROVIDER_KSP (3)
 *     80000001 (REG_SZ)                 minidriver DLL               SCARD_PROVIDER_CARD_MODULE
 * (any other provider id: the value named by the id in 8 hex digits, as vendors register them).
 * The registry is read through advapi32 (this is a Winelib module: the registry is Wine's); the
 * functions are declared here with the Windows ABI rather than from Wine's headers, whose types
 * collide with pcsc-lite's in the bridge's other files. No pcscd is needed except to check a
 * non-NULL context. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include "opgpscard_convert.h"

#define WINAPI __attribute__((ms_abi))

typedef void *whkey;
WINAPI int32_t RegOpenKeyExW(whkey key, const wchar16 *sub, wdword options, wdword sam, whkey *out);
WINAPI int32_t RegEnumKeyExW(whkey key, wdword index, wchar16 *name, wdword *cch, wdword *reserved,
                             wchar16 *cls, wdword *cch_cls, void *time);
WINAPI int32_t RegQueryValueExW(whkey key, const wchar16 *name, wdword *reserved, wdword *type,
                                uint8_t *data, wdword *cb);
WINAPI int32_t RegCloseKey(whkey key);

/* HKEY_LOCAL_MACHINE is (HKEY)(LONG_PTR)(LONG)0x80000002: sign-extended on Win64. */
#define W_HKLM ((whkey)(intptr_t)(int32_t)0x80000002u)
#define W_KEY_READ 0x20019u
#define W_REG_SZ 1u
#define W_REG_EXPAND_SZ 2u
#define W_REG_BINARY 3u
#define W_ERROR_SUCCESS 0
#define W_ERROR_MORE_DATA 234
#define W_ERROR_NO_MORE_ITEMS 259
#define W_NAME_MAX 256 /* registry key names are at most 255 characters */
#define W_GUID_SIZE 16

static const char16_t calais[] = u"SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards";

/* A context Windows does not know is ERROR_INVALID_HANDLE there (as in the bridge's other
 * functions); NULL is accepted by these database functions, which need no resource manager. */
static wlong check_context(whandle ctx)
{
  if (!ctx)
    return SCARD_S_SUCCESS;
  LONG rv = SCardIsValidContext((SCARDCONTEXT)ctx);
  if (rv == SCARD_S_SUCCESS)
    return SCARD_S_SUCCESS;
  return rv == SCARD_E_INVALID_HANDLE ? W_ERROR_INVALID_HANDLE : (wlong)(uint32_t)rv;
}

static size_t wide_len(const wchar16 *w)
{
  size_t n = 0;
  while (w[n])
    n++;
  return n;
}

/* A value of an open key, malloc'd, with a NUL (two zero bytes) after it whatever its type. */
static uint8_t *read_value(whkey key, const wchar16 *name, wdword *type, wdword *size)
{
  wdword cb = 0;
  if (RegQueryValueExW(key, name, NULL, type, NULL, &cb) != W_ERROR_SUCCESS)
    return NULL;
  for (int tries = 0; tries < 4; tries++) { /* the value may grow between the two calls */
    uint8_t *data = malloc((size_t)cb + 2);
    if (!data)
      return NULL;
    wdword got = cb;
    int32_t rv = RegQueryValueExW(key, name, NULL, type, data, &got);
    if (rv == W_ERROR_SUCCESS) {
      data[got] = 0;
      data[got + 1] = 0;
      *size = got;
      return data;
    }
    free(data);
    if (rv != W_ERROR_MORE_DATA)
      return NULL;
    cb = got;
  }
  return NULL;
}

static whkey open_card(const wchar16 *card)
{
  size_t base = sizeof calais / sizeof calais[0] - 1, n = wide_len(card);
  if (n == 0 || n >= W_NAME_MAX)
    return NULL;
  wchar16 path[sizeof calais / sizeof calais[0] + W_NAME_MAX];
  memcpy(path, calais, base * sizeof *path);
  path[base] = '\\';
  memcpy(path + base + 1, card, (n + 1) * sizeof *path);
  whkey key = NULL;
  if (RegOpenKeyExW(W_HKLM, path, 0, W_KEY_READ, &key) != W_ERROR_SUCCESS)
    return NULL;
  return key;
}

/* ---- SCardListCards ---- */

/* Every GUID of want[] is among the card's "Supported Interfaces". */
static int has_interfaces(whkey card, const uint8_t *want, wdword count)
{
  if (count == 0)
    return 1;
  wdword type = 0, size = 0;
  uint8_t *have = read_value(card, u"Supported Interfaces", &type, &size);
  int ok = have && type == W_REG_BINARY;
  for (wdword i = 0; ok && i < count; i++) {
    int found = 0;
    for (wdword j = 0; !found && (j + 1) * W_GUID_SIZE <= size; j++)
      found = memcmp(have + j * W_GUID_SIZE, want + (size_t)i * W_GUID_SIZE, W_GUID_SIZE) == 0;
    ok = found;
  }
  free(have);
  return ok;
}

static int card_matches_atr(whkey card, const uint8_t *atr, size_t atr_len)
{
  wdword type = 0, size = 0, mtype = 0, msize = 0;
  uint8_t *known = read_value(card, u"ATR", &type, &size);
  uint8_t *mask = read_value(card, u"ATRMask", &mtype, &msize);
  int ok = known && type == W_REG_BINARY && (!mask || mtype == W_REG_BINARY) &&
           atr_matches(atr, atr_len, known, size, mask, mask ? msize : 0);
  free(known);
  free(mask);
  return ok;
}

/* After ctx is checked: the names of the registered cards that match atr (NULL: every card)
 * and support every interface, as a UTF-16 multi-string (its length in units in *units, final
 * NUL included). */
static wlong list_cards(whandle ctx, const uint8_t *atr, const uint8_t *guids, wdword nguids,
                        wchar16 **out, size_t *units)
{
  wlong checked = check_context(ctx);
  if (checked != SCARD_S_SUCCESS)
    return checked;
  size_t atr_len = 0;
  if (atr && (atr_len = atr_length(atr, W_ATR_SIZE)) == 0)
    return (wlong)(uint32_t)SCARD_E_INVALID_PARAMETER;
  if (nguids && !guids)
    return (wlong)(uint32_t)SCARD_E_INVALID_PARAMETER;
  size_t cap = 64, used = 0;
  wchar16 *list = malloc(cap * sizeof *list);
  if (!list)
    return (wlong)(uint32_t)SCARD_E_NO_MEMORY;
  whkey root = NULL;
  if (RegOpenKeyExW(W_HKLM, calais, 0, W_KEY_READ, &root) == W_ERROR_SUCCESS) {
    for (wdword i = 0;; i++) {
      wchar16 name[W_NAME_MAX];
      wdword cch = W_NAME_MAX;
      int32_t rv = RegEnumKeyExW(root, i, name, &cch, NULL, NULL, NULL, NULL);
      if (rv == W_ERROR_NO_MORE_ITEMS)
        break;
      if (rv != W_ERROR_SUCCESS)
        continue;
      whkey card = open_card(name);
      if (!card)
        continue;
      int match = (!atr || card_matches_atr(card, atr, atr_len)) && has_interfaces(card, guids, nguids);
      RegCloseKey(card);
      if (!match)
        continue;
      if (used + cch + 2 > cap) {
        size_t grown = (used + cch + 2) * 2;
        wchar16 *bigger = realloc(list, grown * sizeof *list);
        if (!bigger) {
          RegCloseKey(root);
          free(list);
          return (wlong)(uint32_t)SCARD_E_NO_MEMORY;
        }
        list = bigger;
        cap = grown;
      }
      memcpy(list + used, name, cch * sizeof *name);
      used += cch;
      list[used++] = 0;
    }
    RegCloseKey(root);
  }
  list[used++] = 0; /* the multi-string's end (alone: no card matched) */
  *out = list;
  *units = used;
  return SCARD_S_SUCCESS;
}

/* A UTF-16 result handed to a -W caller as it is, or to an -A caller as UTF-8 (the bridge
 * treats -A strings as UTF-8); wide is freed either way. */
static wlong deliver_utf16(wchar16 *wide, size_t units, wchar16 *dst, wdword *pcch)
{
  wlong rv = deliver(wide, units, sizeof *wide, dst, pcch);
  free(wide);
  return rv;
}

static wlong deliver_utf8(wchar16 *wide, size_t units, char *dst, wdword *pcch)
{
  size_t bytes = utf16_to_utf8(wide, units, NULL);
  char *narrow = malloc(bytes);
  wlong rv = (wlong)(uint32_t)SCARD_E_NO_MEMORY;
  if (narrow) {
    utf16_to_utf8(wide, units, narrow);
    rv = deliver(narrow, bytes, 1, dst, pcch);
    free(narrow);
  }
  free(wide);
  return rv;
}

/* SCardListCards for both character sets: the list as UTF-16 (wide) or as UTF-8. */
static wlong list_cards_for(whandle ctx, const uint8_t *atr, const uint8_t *guids, wdword nguids,
                            int wide, void *cards, wdword *pcch)
{
  wchar16 *list;
  size_t units;
  wlong rv = list_cards(ctx, atr, guids, nguids, &list, &units);
  if (rv != SCARD_S_SUCCESS)
    return rv;
  return wide ? deliver_utf16(list, units, cards, pcch) : deliver_utf8(list, units, cards, pcch);
}

WINAPI wlong bridge_ListCardsW(whandle ctx, const uint8_t *atr, const uint8_t *guids, wdword nguids,
                               wchar16 *cards, wdword *pcch)
{
  return list_cards_for(ctx, atr, guids, nguids, 1, cards, pcch);
}

WINAPI wlong bridge_ListCardsA(whandle ctx, const uint8_t *atr, const uint8_t *guids, wdword nguids,
                               char *cards, wdword *pcch)
{
  return list_cards_for(ctx, atr, guids, nguids, 0, cards, pcch);
}

/* ---- SCardGetCardTypeProviderName, SCardGetProviderId ---- */

#define W_PROVIDER_PRIMARY 1u
#define W_PROVIDER_CSP 2u
#define W_PROVIDER_KSP 3u

/* {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} of a GUID as Windows stores it (three little-endian
 * fields, then eight bytes). */
static void guid_string(const uint8_t *g, wchar16 out[39])
{
  char s[39];
  snprintf(s, sizeof s, "{%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
           g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13],
           g[14], g[15]);
  for (int i = 0; i < 39; i++)
    out[i] = (wchar16)(unsigned char)s[i];
}

/* The provider's name (UTF-16, NUL-terminated, malloc'd) registered for card. */
static wlong provider_name(whandle ctx, const wchar16 *card, wdword id, wchar16 **out, size_t *units)
{
  wlong rv = check_context(ctx);
  if (rv != SCARD_S_SUCCESS)
    return rv;
  if (!card)
    return (wlong)(uint32_t)SCARD_E_INVALID_PARAMETER;
  whkey key = open_card(card);
  if (!key)
    return (wlong)(uint32_t)SCARD_E_UNKNOWN_CARD;
  wchar16 value[9];
  const char16_t *name = value;
  if (id == W_PROVIDER_PRIMARY) {
    name = u"Primary Provider";
  } else if (id == W_PROVIDER_CSP) {
    name = u"Crypto Provider";
  } else if (id == W_PROVIDER_KSP) {
    name = u"Smart Card Key Storage Provider";
  } else {
    char hex[9];
    snprintf(hex, sizeof hex, "%08X", (unsigned)id);
    for (int i = 0; i < 9; i++)
      value[i] = (wchar16)(unsigned char)hex[i];
  }
  wdword type = 0, size = 0;
  uint8_t *data = read_value(key, name, &type, &size);
  RegCloseKey(key);
  /* A card type without this provider is, to the caller, unknown for it: Windows says so too. */
  rv = (wlong)(uint32_t)SCARD_E_UNKNOWN_CARD;
  if (!data)
    return rv;
  if (id == W_PROVIDER_PRIMARY) {
    if (type == W_REG_BINARY && size == W_GUID_SIZE && (*out = malloc(39 * sizeof **out))) {
      guid_string(data, *out);
      *units = 39;
      rv = SCARD_S_SUCCESS;
    }
  } else if (type == W_REG_SZ || type == W_REG_EXPAND_SZ) {
    size_t n = wide_len((const wchar16 *)(void *)data); /* read_value added a NUL */
    if ((*out = malloc((n + 1) * sizeof **out))) {
      memcpy(*out, data, n * sizeof **out);
      (*out)[n] = 0;
      *units = n + 1;
      rv = SCARD_S_SUCCESS;
    } else {
      rv = (wlong)(uint32_t)SCARD_E_NO_MEMORY;
    }
  }
  free(data);
  return rv;
}

WINAPI wlong bridge_GetCardTypeProviderNameW(whandle ctx, const wchar16 *card, wdword id,
                                             wchar16 *provider, wdword *pcch)
{
  wchar16 *name;
  size_t units;
  wlong rv = provider_name(ctx, card, id, &name, &units);
  return rv != SCARD_S_SUCCESS ? rv : deliver_utf16(name, units, provider, pcch);
}

/* A card name from an -A caller, as UTF-16 (the bridge treats -A strings as UTF-8). */
static wchar16 *wide_from_utf8(const char *s)
{
  size_t n = strlen(s) + 1, units = utf8_to_utf16(s, n, NULL);
  wchar16 *w = malloc(units * sizeof *w);
  if (w)
    utf8_to_utf16(s, n, w);
  return w;
}

WINAPI wlong bridge_GetCardTypeProviderNameA(whandle ctx, const char *card, wdword id,
                                             char *provider, wdword *pcch)
{
  if (!card)
    return (wlong)(uint32_t)SCARD_E_INVALID_PARAMETER;
  wchar16 *wcard = wide_from_utf8(card);
  if (!wcard)
    return (wlong)(uint32_t)SCARD_E_NO_MEMORY;
  wchar16 *name;
  size_t units;
  wlong rv = provider_name(ctx, wcard, id, &name, &units);
  free(wcard);
  return rv != SCARD_S_SUCCESS ? rv : deliver_utf8(name, units, provider, pcch);
}

static wlong provider_id(whandle ctx, const wchar16 *card, uint8_t *guid)
{
  wlong rv = check_context(ctx);
  if (rv != SCARD_S_SUCCESS)
    return rv;
  if (!card || !guid)
    return (wlong)(uint32_t)SCARD_E_INVALID_PARAMETER;
  whkey key = open_card(card);
  if (!key)
    return (wlong)(uint32_t)SCARD_E_UNKNOWN_CARD;
  wdword type = 0, size = 0;
  uint8_t *data = read_value(key, u"Primary Provider", &type, &size);
  RegCloseKey(key);
  rv = (wlong)(uint32_t)SCARD_E_UNKNOWN_CARD;
  if (data && type == W_REG_BINARY && size == W_GUID_SIZE) {
    memcpy(guid, data, W_GUID_SIZE);
    rv = SCARD_S_SUCCESS;
  }
  free(data);
  return rv;
}

WINAPI wlong bridge_GetProviderIdW(whandle ctx, const wchar16 *card, uint8_t *guid)
{
  return provider_id(ctx, card, guid);
}

WINAPI wlong bridge_GetProviderIdA(whandle ctx, const char *card, uint8_t *guid)
{
  if (!card)
    return (wlong)(uint32_t)SCARD_E_INVALID_PARAMETER;
  wchar16 *wcard = wide_from_utf8(card);
  if (!wcard)
    return (wlong)(uint32_t)SCARD_E_NO_MEMORY;
  wlong rv = provider_id(ctx, wcard, guid);
  free(wcard);
  return rv;
}
