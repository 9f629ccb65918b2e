/* A minidriver context as the Base CSP holds it: CARD_DATA, the card's shared cache, and the
 * cached reads that make a second context on an unchanged card cheap. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgp/host.h"
#include "opgp/host_reader.h"

struct opgp_host_context {
    CARD_DATA cd;
    opgp_host_cache_binding binding;
    BYTE atr[36];
    WCHAR name[OPGP_HOST_MAX_CARD_NAME];
    BYTE cardid[cbCARD_IDENTIFIER];
    bool acquired;
    opgp_host_txn txn;
    unsigned txn_depth;          /* the caller serialises use of one context, as with the CSP */
};

/* The cache's allocator has the C calling convention; opgp_host_alloc is WINAPI (stdcall on
 * x86). */
static void *alloc_plain(size_t n)
{
    return opgp_host_alloc(n);
}

static DWORD pcsc_begin(void *arg, SCARDHANDLE card)
{
    (void)arg;
    return (DWORD)opgp_host_reader_begin((uintptr_t)card);
}

static void pcsc_end(void *arg, SCARDHANDLE card)
{
    (void)arg;
    (void)opgp_host_reader_end((uintptr_t)card);
}

DWORD opgp_host_begin(opgp_host_context *c)
{
    if (c->txn_depth == 0) {
        DWORD rv = c->txn.begin(c->txn.arg, c->cd.hScard);
        /* A reset card is still held; the minidriver sees the reset on its next command. */
        if (rv != SCARD_S_SUCCESS && rv != (DWORD)SCARD_W_RESET_CARD)
            return rv;
    }
    c->txn_depth++;
    return SCARD_S_SUCCESS;
}

void opgp_host_end(opgp_host_context *c)
{
    if (c->txn_depth > 0 && --c->txn_depth == 0)
        c->txn.end(c->txn.arg, c->cd.hScard);
}

PCARD_DATA opgp_host_card_data(opgp_host_context *c) { return &c->cd; }
opgp_host_cache *opgp_host_context_cache(opgp_host_context *c) { return c->binding.cache; }
const BYTE *opgp_host_context_cardid(const opgp_host_context *c) { return c->cardid; }

DWORD opgp_host_begin(opgp_host_context *c);
void opgp_host_end(opgp_host_context *c);

/* "file:<dir>/<name>" or "cntr:<index>" as a UTF-16 tag; false when it does not fit. */
static bool make_tag(WCHAR tag[OPGP_HOST_CACHE_MAX_TAG], const char *kind, const char *dir,
                     const char *name)
{
    char narrow[OPGP_HOST_CACHE_MAX_TAG];
    int n = snprintf(narrow, sizeof narrow, "%s:%s/%s", kind, dir != NULL ? dir : "", name);
    if (n <= 0 || (size_t)n >= sizeof narrow)
        return false;
    for (int i = 0; i <= n; i++)
        tag[i] = (WCHAR)(unsigned char)narrow[i];
    return true;
}

static DWORD read_direct(opgp_host_context *c, const char *dir, const char *name, BYTE **data,
                         DWORD *len)
{
    *data = NULL;
    *len = 0;
    DWORD rv = opgp_host_begin(c);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    rv = c->cd.pfnCardReadFile(&c->cd, (LPSTR)dir, (LPSTR)name, 0, data, len);
    opgp_host_end(c);
    return rv;
}

DWORD opgp_host_refresh(opgp_host_context *c, unsigned *dropped)
{
    if (dropped != NULL)
        *dropped = 0;
    BYTE *cf = NULL;
    DWORD len = 0;
    DWORD rv = opgp_host_begin(c);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    rv = read_direct(c, NULL, szCACHE_FILE, &cf, &len);
    opgp_host_end(c);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (len < sizeof(CARD_CACHE_FILE_FORMAT)) {
        opgp_host_free(cf);
        return SCARD_E_UNEXPECTED;
    }
    CARD_CACHE_FILE_FORMAT f;
    memcpy(&f, cf, sizeof f); /* the file is the structure, little-endian as on Windows */
    opgp_host_free(cf);
    unsigned d = opgp_host_cache_check(c->binding.cache, &f);
    if (dropped != NULL)
        *dropped = d;
    return SCARD_S_SUCCESS;
}

DWORD opgp_host_context_open(const opgp_host_module *m, const opgp_host_card_params *p,
                             opgp_host_context **out)
{
    if (m == NULL || m->acquire == NULL || p == NULL || out == NULL ||
        p->atr_len > sizeof((opgp_host_context *)0)->atr)
        return SCARD_E_INVALID_PARAMETER;
    *out = NULL;
    opgp_host_context *c = calloc(1, sizeof *c);
    if (c == NULL)
        return SCARD_E_NO_MEMORY;
    memcpy(c->atr, p->atr, p->atr_len);
    LPCWSTR name = p->card_name != NULL ? p->card_name : OPGP_HOST_BUILTIN_CARD_NAME;
    size_t n = 0;
    while (name[n] != 0 && n + 1 < OPGP_HOST_MAX_CARD_NAME) {
        c->name[n] = name[n];
        n++;
    }
    opgp_host_card_params own = *p;
    own.atr = c->atr;
    own.card_name = c->name;
    opgp_host_card_data_init(&c->cd, &own, &c->binding);
    c->txn = p->txn;
    if (c->txn.begin == NULL || c->txn.end == NULL) {
        c->txn.begin = pcsc_begin;
        c->txn.end = pcsc_end;
        c->txn.arg = NULL;
    }

    DWORD rv = opgp_host_begin(c);
    if (rv != SCARD_S_SUCCESS) {
        free(c);
        return rv;
    }
    rv = m->acquire(&c->cd, 0);
    if (rv != SCARD_S_SUCCESS) {
        opgp_host_end(c);
        free(c);
        return rv;
    }
    c->acquired = true;
    BYTE *id = NULL;
    DWORD id_len = 0;
    rv = read_direct(c, NULL, szCARD_IDENTIFIER_FILE, &id, &id_len);
    if (rv == SCARD_S_SUCCESS && id_len != cbCARD_IDENTIFIER)
        rv = SCARD_E_UNEXPECTED;
    if (rv == SCARD_S_SUCCESS) {
        memcpy(c->cardid, id, cbCARD_IDENTIFIER);
        c->binding.cache = opgp_host_cache_acquire(c->cardid);
        if (c->binding.cache == NULL)
            rv = SCARD_E_NO_MEMORY;
    }
    opgp_host_free(id);
    if (rv == SCARD_S_SUCCESS)
        rv = opgp_host_refresh(c, NULL);
    opgp_host_end(c);
    if (rv != SCARD_S_SUCCESS) {
        opgp_host_context_close(c);
        return rv;
    }
    *out = c;
    return SCARD_S_SUCCESS;
}

void opgp_host_context_close(opgp_host_context *c)
{
    if (c == NULL)
        return;
    if (c->acquired && c->cd.pfnCardDeleteContext != NULL)
        (void)c->cd.pfnCardDeleteContext(&c->cd);
    while (c->txn_depth > 0)
        opgp_host_end(c);
    opgp_host_cache *cache = c->binding.cache;
    c->binding.cache = NULL;
    opgp_host_cache_release(cache);
    free(c);
}

static bool is_direct(const char *dir, const char *name)
{
    return (dir == NULL || dir[0] == 0) &&
           (strcmp(name, szCACHE_FILE) == 0 || strcmp(name, szCARD_IDENTIFIER_FILE) == 0);
}

static opgp_host_cache_class class_of(const char *dir, const char *name)
{
    return dir != NULL && strcmp(dir, szBASE_CSP_DIR) == 0 &&
                   strcmp(name, szCONTAINER_MAP_FILE) == 0
               ? OPGP_HOST_CACHE_CONTAINERS
               : OPGP_HOST_CACHE_FILES;
}

DWORD opgp_host_read_file(opgp_host_context *c, const char *dir, const char *name, BYTE **data,
                          DWORD *len)
{
    if (c == NULL || name == NULL || data == NULL || len == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (is_direct(dir, name)) {
        DWORD rv = opgp_host_begin(c);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        rv = read_direct(c, dir, name, data, len);
        opgp_host_end(c);
        return rv;
    }
    WCHAR tag[OPGP_HOST_CACHE_MAX_TAG];
    if (!make_tag(tag, "file", dir, name))
        return read_direct(c, dir, name, data, len);
    if (opgp_host_cache_get(c->binding.cache, tag, alloc_plain, data, len) ==
        SCARD_S_SUCCESS)
        return SCARD_S_SUCCESS;
    DWORD rv = opgp_host_begin(c);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    rv = read_direct(c, dir, name, data, len);
    opgp_host_end(c);
    if (rv == SCARD_S_SUCCESS)
        (void)opgp_host_cache_put(c->binding.cache, class_of(dir, name), tag, *data, *len);
    return rv;
}

DWORD opgp_host_write_file(opgp_host_context *c, const char *dir, const char *name,
                           const BYTE *data, DWORD len)
{
    if (c == NULL || name == NULL)
        return SCARD_E_INVALID_PARAMETER;
    DWORD rv = opgp_host_begin(c);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    rv = c->cd.pfnCardWriteFile(&c->cd, (LPSTR)dir, (LPSTR)name, 0, (PBYTE)data, len);
    opgp_host_end(c);
    WCHAR tag[OPGP_HOST_CACHE_MAX_TAG];
    bool tagged = make_tag(tag, "file", dir, name);
    if (tagged)
        (void)opgp_host_cache_delete(c->binding.cache, tag);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    rv = opgp_host_refresh(c, NULL);
    if (rv == SCARD_S_SUCCESS && tagged && !is_direct(dir, name))
        (void)opgp_host_cache_put(c->binding.cache, class_of(dir, name), tag, data, len);
    return rv;
}

/* The cached form: cbSig (4 bytes LE), cbKeyEx (4 bytes LE), the two blobs. */
static DWORD info_from_cache(const BYTE *p, DWORD len, CONTAINER_INFO *info)
{
    if (len < 8)
        return SCARD_W_CACHE_ITEM_STALE;
    DWORD a = (DWORD)p[0] | (DWORD)p[1] << 8 | (DWORD)p[2] << 16 | (DWORD)p[3] << 24;
    DWORD b = (DWORD)p[4] | (DWORD)p[5] << 8 | (DWORD)p[6] << 16 | (DWORD)p[7] << 24;
    if (a > len - 8 || b != len - 8 - a)
        return SCARD_W_CACHE_ITEM_STALE;
    PBYTE sig = a > 0 ? opgp_host_alloc(a) : NULL;
    PBYTE kx = b > 0 ? opgp_host_alloc(b) : NULL;
    if ((a > 0 && sig == NULL) || (b > 0 && kx == NULL)) {
        opgp_host_free(sig);
        opgp_host_free(kx);
        return SCARD_E_NO_MEMORY;
    }
    if (a > 0)
        memcpy(sig, p + 8, a);
    if (b > 0)
        memcpy(kx, p + 8 + a, b);
    info->cbSigPublicKey = a;
    info->pbSigPublicKey = sig;
    info->cbKeyExPublicKey = b;
    info->pbKeyExPublicKey = kx;
    return SCARD_S_SUCCESS;
}

static void info_to_cache(opgp_host_context *c, const WCHAR *tag, const CONTAINER_INFO *info)
{
    DWORD a = info->pbSigPublicKey != NULL ? info->cbSigPublicKey : 0;
    DWORD b = info->pbKeyExPublicKey != NULL ? info->cbKeyExPublicKey : 0;
    if (a > OPGP_HOST_CACHE_MAX_ITEM || b > OPGP_HOST_CACHE_MAX_ITEM)
        return;
    BYTE *buf = malloc(8 + (size_t)a + b);
    if (buf == NULL)
        return;
    for (int i = 0; i < 4; i++) {
        buf[i] = (BYTE)(a >> (8 * i));
        buf[4 + i] = (BYTE)(b >> (8 * i));
    }
    if (a > 0)
        memcpy(buf + 8, info->pbSigPublicKey, a);
    if (b > 0)
        memcpy(buf + 8 + a, info->pbKeyExPublicKey, b);
    (void)opgp_host_cache_put(c->binding.cache, OPGP_HOST_CACHE_CONTAINERS, tag, buf, 8 + a + b);
    free(buf);
}

DWORD opgp_host_container_info(opgp_host_context *c, BYTE index, CONTAINER_INFO *info)
{
    if (c == NULL || info == NULL)
        return SCARD_E_INVALID_PARAMETER;
    char idx[8];
    snprintf(idx, sizeof idx, "%u", (unsigned)index);
    WCHAR tag[OPGP_HOST_CACHE_MAX_TAG];
    if (make_tag(tag, "cntr", NULL, idx)) {
        BYTE *p = NULL;
        DWORD len = 0;
        if (opgp_host_cache_get(c->binding.cache, tag, NULL, &p, &len) == SCARD_S_SUCCESS) {
            DWORD rv = info_from_cache(p, len, info);
            free(p);
            if (rv == SCARD_S_SUCCESS) {
                info->dwVersion = CONTAINER_INFO_CURRENT_VERSION;
                return rv;
            }
        }
    }
    memset(info, 0, sizeof *info);
    info->dwVersion = CONTAINER_INFO_CURRENT_VERSION;
    DWORD rv = opgp_host_begin(c);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    rv = c->cd.pfnCardGetContainerInfo(&c->cd, index, 0, info);
    opgp_host_end(c);
    if (rv == SCARD_S_SUCCESS)
        info_to_cache(c, tag, info);
    return rv;
}

void opgp_host_invalidate(opgp_host_context *c, unsigned classes)
{
    opgp_host_cache_drop(c->binding.cache, classes);
    /* Record the card's current counters, so the next refresh compares against them. */
    (void)opgp_host_refresh(c, NULL);
}
