/* The per-card data cache and its registry (see opgp/host_cache.h for the rules). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "opgp/crypto.h"
#include "opgp/host_cache.h"

typedef struct entry {
    struct entry *next;
    opgp_host_cache_class cls;
    WCHAR tag[OPGP_HOST_CACHE_MAX_TAG];
    BYTE *data;
    DWORD len;
} entry;

struct opgp_host_cache {
    opgp_host_cache *next;        /* registry list, under the registry lock */
    unsigned refs;                /* under the registry lock */
    unsigned long released;       /* when refs last fell to 0: trim order */
    BYTE cardid[cbCARD_IDENTIFIER];
    opgp_host_lock *lock;         /* guards everything below */
    bool has_cf;
    CARD_CACHE_FILE_FORMAT cf;
    entry *entries;               /* newest first */
    unsigned count;
    opgp_host_cache_stats stats;
};

static opgp_host_cache *caches;

static size_t tag_len(const WCHAR *tag)
{
    size_t n = 0;
    while (n < OPGP_HOST_CACHE_MAX_TAG && tag[n] != 0)
        n++;
    return n;
}

static void entry_free(entry *e)
{
    /* Items may be secrets of the minidriver's; wipe before returning the memory. */
    opgp_wipe(e->data, e->len);
    free(e->data);
    free(e);
}

opgp_host_cache *opgp_host_cache_acquire(const BYTE cardid[cbCARD_IDENTIFIER])
{
    opgp_host_registry_take();
    opgp_host_cache *c = caches;
    while (c != NULL && memcmp(c->cardid, cardid, cbCARD_IDENTIFIER) != 0)
        c = c->next;
    if (c != NULL) {
        c->refs++;
    } else {
        c = calloc(1, sizeof *c);
        if (c != NULL && (c->lock = opgp_host_lock_new()) == NULL) {
            free(c);
            c = NULL;
        }
        if (c != NULL) {
            memcpy(c->cardid, cardid, cbCARD_IDENTIFIER);
            c->refs = 1;
            c->next = caches;
            caches = c;
        }
    }
    opgp_host_registry_give();
    return c;
}

static void cache_free(opgp_host_cache *c)
{
    while (c->entries != NULL) {
        entry *e = c->entries;
        c->entries = e->next;
        entry_free(e);
    }
    opgp_host_lock_free(c->lock);
    free(c);
}

/* Unlink and free idle caches beyond keep, oldest released first. Registry lock held. */
static void trim_idle(unsigned keep)
{
    for (;;) {
        unsigned idle = 0;
        opgp_host_cache **oldest = NULL;
        for (opgp_host_cache **p = &caches; *p != NULL; p = &(*p)->next) {
            if ((*p)->refs == 0) {
                idle++;
                if (oldest == NULL || (*p)->released < (*oldest)->released)
                    oldest = p;
            }
        }
        if (idle <= keep || oldest == NULL)
            return;
        opgp_host_cache *c = *oldest;
        *oldest = c->next;
        cache_free(c);
    }
}

void opgp_host_cache_release(opgp_host_cache *c)
{
    if (c == NULL)
        return;
    static unsigned long release_clock;
    opgp_host_registry_take();
    if (--c->refs == 0) {
        c->released = ++release_clock;
        trim_idle(OPGP_HOST_CACHE_IDLE_CARDS);
    }
    opgp_host_registry_give();
}

void opgp_host_cache_purge(void)
{
    opgp_host_registry_take();
    trim_idle(0);
    opgp_host_registry_give();
}

unsigned opgp_host_cache_count(void)
{
    unsigned n = 0;
    opgp_host_registry_take();
    for (opgp_host_cache *c = caches; c != NULL; c = c->next)
        n++;
    opgp_host_registry_give();
    return n;
}

/* Caller holds c->lock. */
static void drop_classes(opgp_host_cache *c, unsigned classes)
{
    entry **p = &c->entries;
    while (*p != NULL) {
        entry *e = *p;
        if (e->cls & classes) {
            *p = e->next;
            entry_free(e);
            c->count--;
            c->stats.drops++;
        } else {
            p = &e->next;
        }
    }
}

unsigned opgp_host_cache_check(opgp_host_cache *c, const CARD_CACHE_FILE_FORMAT *cf)
{
    unsigned dropped = 0;
    opgp_host_lock_take(c->lock);
    if (c->has_cf) {
        bool files = cf->wFilesFreshness != c->cf.wFilesFreshness;
        bool containers = cf->wContainersFreshness != c->cf.wContainersFreshness;
        if (files)
            dropped |= OPGP_HOST_CACHE_FILES;
        if (containers)
            dropped |= OPGP_HOST_CACHE_CONTAINERS;
        if (files || containers)
            dropped |= OPGP_HOST_CACHE_MINIDRIVER;
        drop_classes(c, dropped);
    }
    c->cf = *cf;
    c->has_cf = true;
    opgp_host_lock_give(c->lock);
    return dropped;
}

void opgp_host_cache_drop(opgp_host_cache *c, unsigned classes)
{
    opgp_host_lock_take(c->lock);
    drop_classes(c, classes);
    opgp_host_lock_give(c->lock);
}

/* Caller holds c->lock. */
static entry **find(opgp_host_cache *c, const WCHAR *tag, size_t n)
{
    entry **p = &c->entries;
    while (*p != NULL && !(tag_len((*p)->tag) == n && memcmp((*p)->tag, tag, n * sizeof *tag) == 0))
        p = &(*p)->next;
    return p;
}

DWORD opgp_host_cache_put(opgp_host_cache *c, opgp_host_cache_class cls, const WCHAR *tag,
                          const BYTE *data, DWORD len)
{
    if (c == NULL || tag == NULL || (data == NULL && len != 0))
        return SCARD_E_INVALID_PARAMETER;
    size_t n = tag_len(tag);
    if (n == 0 || n >= OPGP_HOST_CACHE_MAX_TAG)
        return SCARD_E_INVALID_PARAMETER;
    if (len > OPGP_HOST_CACHE_MAX_ITEM)
        return SCARD_W_CACHE_ITEM_TOO_BIG;
    entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return SCARD_E_NO_MEMORY;
    e->data = malloc(len > 0 ? len : 1);
    if (e->data == NULL) {
        free(e);
        return SCARD_E_NO_MEMORY;
    }
    if (len > 0)
        memcpy(e->data, data, len);
    e->len = len;
    e->cls = cls;
    memcpy(e->tag, tag, n * sizeof *tag);

    opgp_host_lock_take(c->lock);
    entry **old = find(c, tag, n);
    if (*old != NULL) {
        entry *o = *old;
        *old = o->next;
        entry_free(o);
        c->count--;
    }
    e->next = c->entries;
    c->entries = e;
    c->count++;
    c->stats.adds++;
    if (c->count > OPGP_HOST_CACHE_MAX_ITEMS) {
        entry **p = &c->entries;
        while ((*p)->next != NULL)
            p = &(*p)->next;
        entry_free(*p);
        *p = NULL;
        c->count--;
    }
    opgp_host_lock_give(c->lock);
    return SCARD_S_SUCCESS;
}

DWORD opgp_host_cache_get(opgp_host_cache *c, const WCHAR *tag, void *(*alloc)(size_t),
                          BYTE **data, DWORD *len)
{
    if (c == NULL || tag == NULL || data == NULL || len == NULL)
        return SCARD_E_INVALID_PARAMETER;
    *data = NULL;
    *len = 0;
    size_t n = tag_len(tag);
    if (n == 0 || n >= OPGP_HOST_CACHE_MAX_TAG)
        return SCARD_E_INVALID_PARAMETER;
    DWORD rv = SCARD_W_CACHE_ITEM_NOT_FOUND;
    opgp_host_lock_take(c->lock);
    entry *e = *find(c, tag, n);
    if (e != NULL) {
        BYTE *copy = (alloc != NULL ? alloc : malloc)(e->len > 0 ? e->len : 1);
        if (copy == NULL) {
            rv = SCARD_E_NO_MEMORY;
        } else {
            if (e->len > 0)
                memcpy(copy, e->data, e->len);
            *data = copy;
            *len = e->len;
            rv = SCARD_S_SUCCESS;
        }
        c->stats.hits++;
    } else {
        c->stats.misses++;
    }
    opgp_host_lock_give(c->lock);
    return rv;
}

DWORD opgp_host_cache_delete(opgp_host_cache *c, const WCHAR *tag)
{
    if (c == NULL || tag == NULL)
        return SCARD_E_INVALID_PARAMETER;
    size_t n = tag_len(tag);
    if (n == 0 || n >= OPGP_HOST_CACHE_MAX_TAG)
        return SCARD_E_INVALID_PARAMETER;
    DWORD rv = SCARD_W_CACHE_ITEM_NOT_FOUND;
    opgp_host_lock_take(c->lock);
    entry **p = find(c, tag, n);
    if (*p != NULL) {
        entry *e = *p;
        *p = e->next;
        entry_free(e);
        c->count--;
        rv = SCARD_S_SUCCESS;
    }
    opgp_host_lock_give(c->lock);
    return rv;
}

void opgp_host_cache_get_stats(opgp_host_cache *c, opgp_host_cache_stats *out)
{
    opgp_host_lock_take(c->lock);
    *out = c->stats;
    opgp_host_lock_give(c->lock);
}
