#include "md_csp_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_MAX 64
#define TAG_MAX 128
static struct {
    WCHAR tag[TAG_MAX];
    uint8_t *data;
    DWORD len;
} cache[CACHE_MAX];
static size_t cache_n;
static unsigned long misuse;
static LPVOID(WINAPI *csp_alloc)(SIZE_T);

static size_t wlen(const WCHAR *w)
{
    size_t n = 0;
    while (w[n] != 0)
        n++;
    return n;
}

static int find(const WCHAR *tag)
{
    size_t n = wlen(tag);
    for (size_t i = 0; i < cache_n; i++)
        if (wlen(cache[i].tag) == n && memcmp(cache[i].tag, tag, n * sizeof *tag) == 0)
            return (int)i;
    return -1;
}

static DWORD WINAPI cache_add(PVOID ctx, LPWSTR tag, DWORD flags, PBYTE data, DWORD len)
{
    (void)ctx;
    (void)flags;
    if (data == NULL && len != 0) {
        misuse++;
        return SCARD_E_INVALID_PARAMETER;
    }
    if (wlen(tag) >= TAG_MAX)
        return SCARD_E_INVALID_PARAMETER;
    int i = find(tag);
    if (i < 0) {
        if (cache_n == CACHE_MAX)
            return SCARD_E_NO_MEMORY;
        i = (int)cache_n++;
        memcpy(cache[i].tag, tag, (wlen(tag) + 1) * sizeof *tag);
    } else {
        free(cache[i].data);
    }
    cache[i].data = malloc(len ? len : 1);
    if (cache[i].data == NULL) {
        cache[i] = cache[--cache_n];
        return SCARD_E_NO_MEMORY;
    }
    if (len)
        memcpy(cache[i].data, data, len);
    cache[i].len = len;
    return SCARD_S_SUCCESS;
}

static DWORD WINAPI cache_lookup(PVOID ctx, LPWSTR tag, DWORD flags, PBYTE *data, PDWORD len)
{
    (void)ctx;
    (void)flags;
    int i = find(tag);
    if (i < 0)
        return SCARD_W_CACHE_ITEM_NOT_FOUND;
    *data = csp_alloc(cache[i].len ? cache[i].len : 1);
    if (*data == NULL)
        return SCARD_E_NO_MEMORY;
    if (cache[i].len)
        memcpy(*data, cache[i].data, cache[i].len);
    *len = cache[i].len;
    return SCARD_S_SUCCESS;
}

static DWORD WINAPI cache_delete(PVOID ctx, LPWSTR tag, DWORD flags)
{
    (void)ctx;
    (void)flags;
    int i = find(tag);
    if (i < 0)
        return SCARD_W_CACHE_ITEM_NOT_FOUND;
    free(cache[i].data);
    cache[i] = cache[--cache_n];
    return SCARD_S_SUCCESS;
}

void md_csp_cache_install(CARD_DATA *cd, LPVOID(WINAPI *alloc)(SIZE_T))
{
    csp_alloc = alloc;
    cd->pfnCspCacheAddFile = cache_add;
    cd->pfnCspCacheLookupFile = cache_lookup;
    cd->pfnCspCacheDeleteFile = cache_delete;
}

void md_csp_cache_clear(void)
{
    for (size_t i = 0; i < cache_n; i++)
        free(cache[i].data);
    cache_n = 0;
    misuse = 0;
}

size_t md_csp_cache_count(void)
{
    return cache_n;
}

unsigned long md_csp_cache_misuse(void)
{
    return misuse;
}
