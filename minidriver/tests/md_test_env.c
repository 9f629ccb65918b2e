/* Test environment: simulator behind the transport hook, CSP callbacks. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "md_test_env.h"
#include "opgp/minidriver_test.h"

static long live_allocs;

static LPVOID WINAPI t_alloc(SIZE_T n)
{
    live_allocs++;
    return calloc(1, n);
}

static LPVOID WINAPI t_realloc(LPVOID p, SIZE_T n)
{
    if (p == NULL)
        live_allocs++;
    return realloc(p, n);
}

static void WINAPI t_free(LPVOID p)
{
    if (p != NULL)
        live_allocs--;
    free(p);
}

void md_free(void *p)
{
    t_free(p);
}

long md_env_live_allocs(void)
{
    return live_allocs;
}

/* The cache: tag -> bytes, for the whole process (as the Base CSP's is per card). */
#define CACHE_MAX 64
static struct {
    WCHAR tag[128];
    uint8_t *data;
    DWORD len;
} cache[CACHE_MAX];
static size_t cache_n;

static size_t wlen(const WCHAR *w)
{
    size_t n = 0;
    while (w[n] != 0)
        n++;
    return n;
}

static int find(const WCHAR *tag)
{
    for (size_t i = 0; i < cache_n; i++)
        if (wlen(cache[i].tag) == wlen(tag) && memcmp(cache[i].tag, tag, wlen(tag) * 2) == 0)
            return (int)i;
    return -1;
}

static DWORD WINAPI t_cache_add(PVOID ctx, LPWSTR tag, DWORD flags, PBYTE data, DWORD len)
{
    (void)ctx;
    (void)flags;
    if (wlen(tag) >= 128)
        return SCARD_E_INVALID_PARAMETER;
    int i = find(tag);
    if (i < 0) {
        if (cache_n == CACHE_MAX)
            return SCARD_E_NO_MEMORY;
        i = (int)cache_n++;
        memcpy(cache[i].tag, tag, (wlen(tag) + 1) * 2);
    } else {
        free(cache[i].data);
    }
    cache[i].data = malloc(len ? len : 1);
    memcpy(cache[i].data, data, len);
    cache[i].len = len;
    return SCARD_S_SUCCESS;
}

static DWORD WINAPI t_cache_lookup(PVOID ctx, LPWSTR tag, DWORD flags, PBYTE *data, PDWORD len)
{
    (void)ctx;
    (void)flags;
    int i = find(tag);
    if (i < 0)
        return SCARD_W_CACHE_ITEM_NOT_FOUND;
    *data = t_alloc(cache[i].len ? cache[i].len : 1);
    memcpy(*data, cache[i].data, cache[i].len);
    *len = cache[i].len;
    return SCARD_S_SUCCESS;
}

static DWORD WINAPI t_cache_delete(PVOID ctx, LPWSTR tag, DWORD flags)
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

void md_env_cache_clear(void)
{
    for (size_t i = 0; i < cache_n; i++)
        free(cache[i].data);
    cache_n = 0;
}

size_t md_env_cache_count(void)
{
    return cache_n;
}

void md_w(WCHAR *out, const char *s)
{
    size_t i = 0;
    for (; s[i]; i++)
        out[i] = (WCHAR)(unsigned char)s[i];
    out[i] = 0;
}

static opgp_transport *provide(void *arg, uintptr_t hscard)
{
    if (hscard != (uintptr_t)MD_TEST_HSCARD)
        return NULL;
    return opgp_sim_transport_new(arg);
}

opgp_sim *md_env_sim(const char *alg, const opgp_sim_options *opt)
{
    opgp_sim_options o;
    memset(&o, 0, sizeof o);
    if (opt != NULL)
        o = *opt;
    if (o.serial == 0)
        o.serial = 0x01020304;
    opgp_sim *s = opgp_sim_new(&o);
    assert_non_null(s);
    if (alg != NULL)
        assert_int_equal(opgp_sim_provision(s, alg), 0);
    return s;
}

void md_env_card_data(md_env *e, opgp_sim *sim, DWORD ver)
{
    memset(&e->cd, 0, sizeof e->cd);
    e->sim = sim;
    size_t alen = opgp_sim_atr(sim, e->atr, sizeof e->atr);
    md_w(e->name, "OpenPGP card");
    e->cd.dwVersion = ver;
    e->cd.pbAtr = e->atr;
    e->cd.cbAtr = (DWORD)alen;
    e->cd.pwszCardName = e->name;
    e->cd.pfnCspAlloc = t_alloc;
    e->cd.pfnCspReAlloc = t_realloc;
    e->cd.pfnCspFree = t_free;
    e->cd.pfnCspCacheAddFile = t_cache_add;
    e->cd.pfnCspCacheLookupFile = t_cache_lookup;
    e->cd.pfnCspCacheDeleteFile = t_cache_delete;
    e->cd.hSCardCtx = 1;
    e->cd.hScard = MD_TEST_HSCARD;
    opgpmd_set_transport_provider(provide, sim);
}

void md_env_open(md_env *e, const char *alg, const opgp_sim_options *opt)
{
    md_env_card_data(e, md_env_sim(alg, opt), CARD_DATA_CURRENT_VERSION);
    assert_rv(CardAcquireContext(&e->cd, 0), SCARD_S_SUCCESS);
}

void md_env_close(md_env *e)
{
    if (e->cd.pvVendorSpecific != NULL)
        assert_rv(e->cd.pfnCardDeleteContext(&e->cd), SCARD_S_SUCCESS);
    opgpmd_set_transport_provider(NULL, NULL);
    opgp_sim_free(e->sim);
    e->sim = NULL;
    md_env_cache_clear();
    assert_int_equal(live_allocs, 0);
}

unsigned long md_env_apdus(const md_env *e)
{
    opgp_sim_stats st;
    opgp_sim_get_stats(e->sim, &st);
    return st.apdus;
}
