/* The CSP side of CARD_DATA: allocator, data cache callbacks, padding helpers, handles. */
#include <stdlib.h>
#include <string.h>

#include "opgp/host.h"

LPVOID WINAPI opgp_host_alloc(SIZE_T size)
{
    /* The Base CSP hands out zeroed memory (LPTR); minidrivers may rely on it. */
    return calloc(1, size > 0 ? size : 1);
}

LPVOID WINAPI opgp_host_realloc(LPVOID p, SIZE_T size)
{
    return realloc(p, size > 0 ? size : 1);
}

void WINAPI opgp_host_free(LPVOID p)
{
    free(p);
}

static void *alloc_plain(size_t n)
{
    return opgp_host_alloc(n);
}

static DWORD WINAPI cache_add(PVOID ctx, LPWSTR tag, DWORD flags, PBYTE data, DWORD len)
{
    opgp_host_cache_binding *b = ctx;
    if (b == NULL || tag == NULL || flags != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (b->cache == NULL)
        return SCARD_S_SUCCESS; /* no card identity yet: nothing can be shared safely */
    return opgp_host_cache_put(b->cache, OPGP_HOST_CACHE_MINIDRIVER, tag, data, len);
}

static DWORD WINAPI cache_lookup(PVOID ctx, LPWSTR tag, DWORD flags, PBYTE *data, PDWORD len)
{
    opgp_host_cache_binding *b = ctx;
    if (b == NULL || tag == NULL || flags != 0 || data == NULL || len == NULL)
        return SCARD_E_INVALID_PARAMETER;
    *data = NULL;
    *len = 0;
    if (b->cache == NULL)
        return SCARD_W_CACHE_ITEM_NOT_FOUND;
    return opgp_host_cache_get(b->cache, tag, alloc_plain, data, len);
}

static DWORD WINAPI cache_delete(PVOID ctx, LPWSTR tag, DWORD flags)
{
    opgp_host_cache_binding *b = ctx;
    if (b == NULL || tag == NULL || flags != 0)
        return SCARD_E_INVALID_PARAMETER;
    if (b->cache == NULL)
        return SCARD_W_CACHE_ITEM_NOT_FOUND;
    return opgp_host_cache_delete(b->cache, tag);
}

void opgp_host_card_data_init(CARD_DATA *cd, const opgp_host_card_params *p,
                              opgp_host_cache_binding *binding)
{
    memset(cd, 0, sizeof *cd);
    cd->dwVersion = p->version != 0 ? p->version : CARD_DATA_CURRENT_VERSION;
    cd->pbAtr = (PBYTE)p->atr;
    cd->cbAtr = p->atr_len;
    cd->pwszCardName = (LPWSTR)(p->card_name != NULL ? p->card_name
                                                     : OPGP_HOST_BUILTIN_CARD_NAME);
    cd->pfnCspAlloc = opgp_host_alloc;
    cd->pfnCspReAlloc = opgp_host_realloc;
    cd->pfnCspFree = opgp_host_free;
    cd->pfnCspCacheAddFile = cache_add;
    cd->pfnCspCacheLookupFile = cache_lookup;
    cd->pfnCspCacheDeleteFile = cache_delete;
    cd->pvCacheContext = binding;
    cd->pfnCspPadData = opgp_host_pad_data;
    cd->pfnCspUnpadData = opgp_host_unpad_data;
    cd->hSCardCtx = p->hSCardCtx;
    cd->hScard = p->hScard;
}
