/* The Base CSP's data cache (pfnCspCacheAddFile / LookupFile), used so that a second context on
 * an unchanged card answers from memory instead of reading certificates again. Entries are
 * tagged with the AID and the cardcf freshness: a card whose keys or certificates changed
 * gets new tags, and stale entries are simply never looked up again. The freshness is the
 * context's (seen_generation): what it stores matches that view, never a newer one. */
#include <stdio.h>
#include <string.h>

#include "md.h"

static bool make_tag(md_state *st, const char *name, WCHAR *tag, size_t cap)
{
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    uint8_t cf[6];
    if (md_cardcf_build(ad, st->seen_generation, cf) != OPGP_OK)
        return false;
    char narrow[128];
    int n = snprintf(narrow, sizeof narrow, "opgp/");
    for (int i = 0; i < OPGP_AID_LEN && n > 0 && (size_t)n < sizeof narrow; i++)
        n += snprintf(narrow + n, sizeof narrow - (size_t)n, "%02x", ad->aid.raw[i]);
    if (n > 0 && (size_t)n < sizeof narrow)
        n += snprintf(narrow + n, sizeof narrow - (size_t)n, "/%02x%02x%02x%02x/%s", cf[2], cf[3],
                      cf[4], cf[5], name);
    if (n <= 0 || (size_t)n >= sizeof narrow || (size_t)n >= cap)
        return false;
    for (int i = 0; i <= n; i++)
        tag[i] = (WCHAR)(unsigned char)narrow[i];
    return true;
}

DWORD md_cache_lookup(PCARD_DATA d, md_state *st, const char *name, uint8_t **data,
                      size_t *len)
{
    *data = NULL;
    *len = 0;
    if (d->pfnCspCacheLookupFile == NULL)
        return SCARD_W_CACHE_ITEM_NOT_FOUND;
    WCHAR tag[128];
    if (!make_tag(st, name, tag, sizeof tag / sizeof tag[0]))
        return SCARD_W_CACHE_ITEM_NOT_FOUND;
    PBYTE pb = NULL;
    DWORD cb = 0;
    DWORD rv = d->pfnCspCacheLookupFile(d->pvCacheContext, tag, 0, &pb, &cb);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pb == NULL)
        return SCARD_W_CACHE_ITEM_NOT_FOUND;
    *data = pb; /* CSP memory: the caller releases it with pfnCspFree */
    *len = cb;
    return SCARD_S_SUCCESS;
}

void md_cache_add(PCARD_DATA d, md_state *st, const char *name, const uint8_t *data, size_t len)
{
    if (d->pfnCspCacheAddFile == NULL || len > 0xFFFFFFFFu)
        return;
    WCHAR tag[128];
    if (!make_tag(st, name, tag, sizeof tag / sizeof tag[0]))
        return;
    /* A cache failure only costs APDUs later. */
    (void)d->pfnCspCacheAddFile(d->pvCacheContext, tag, 0, (PBYTE)data, (DWORD)len);
}
