/* The Base CSP's data cache, as bridge/host keeps it.
 *
 * One cache per card (keyed by the 16 bytes of its cardid file), shared by every context on
 * that card in the process, reference-counted, thread-safe. Entries are named by UTF-16 tags
 * and belong to a class that says which cardcf counter guards them:
 *   FILES       files the host read (certificates, ...): dropped when wFilesFreshness changes;
 *   CONTAINERS  cmapfile and container public keys: dropped when wContainersFreshness changes;
 *   MINIDRIVER  what the minidriver stored through pfnCspCacheAddFile: it cannot say what its
 *               items depend on, so they are dropped when either of the two counters changes.
 * bPinsFreshness guards PIN state, which this cache never holds.
 * A cache outlives its last context, as the Base CSP's does (the next context on an unchanged
 * card starts warm); at most OPGP_HOST_CACHE_IDLE_CARDS caches without a context are kept, the
 * least recently released goes first.
 * Limits: an item over OPGP_HOST_CACHE_MAX_ITEM bytes is refused (SCARD_W_CACHE_ITEM_TOO_BIG);
 * past OPGP_HOST_CACHE_MAX_ITEMS entries the oldest goes. */
#ifndef OPGP_HOST_CACHE_H
#define OPGP_HOST_CACHE_H

#include "opgp/cardmod.h"

#define OPGP_HOST_CACHE_MAX_ITEM (64u * 1024u)
#define OPGP_HOST_CACHE_MAX_ITEMS 128u
#define OPGP_HOST_CACHE_MAX_TAG 128u  /* UTF-16 units, terminator included */
#define OPGP_HOST_CACHE_IDLE_CARDS 8u

typedef enum opgp_host_cache_class {
    OPGP_HOST_CACHE_FILES = 1,
    OPGP_HOST_CACHE_CONTAINERS = 2,
    OPGP_HOST_CACHE_MINIDRIVER = 4
} opgp_host_cache_class;

typedef struct opgp_host_cache opgp_host_cache;

typedef struct opgp_host_cache_stats {
    unsigned long hits, misses, adds, drops; /* drops: entries removed by the freshness rule */
} opgp_host_cache_stats;

/* The cache of the card with this cardid, created on first use; NULL when out of memory.
 * Every acquire is balanced by a release; the last release frees the cache. */
opgp_host_cache *opgp_host_cache_acquire(const BYTE cardid[cbCARD_IDENTIFIER]);
void opgp_host_cache_release(opgp_host_cache *c);

/* The freshness rule, applied with the cardcf just read from the card: the first call records
 * it; later calls drop the classes whose counter moved and record the new value. Returns the
 * classes dropped (a mask of opgp_host_cache_class). */
unsigned opgp_host_cache_check(opgp_host_cache *c, const CARD_CACHE_FILE_FORMAT *cf);

/* Drop the given classes now (the host changed the card itself). */
void opgp_host_cache_drop(opgp_host_cache *c, unsigned classes);

/* Add or replace. SCARD_E_INVALID_PARAMETER for a bad tag, SCARD_W_CACHE_ITEM_TOO_BIG,
 * SCARD_E_NO_MEMORY. */
DWORD opgp_host_cache_put(opgp_host_cache *c, opgp_host_cache_class cls, const WCHAR *tag,
                          const BYTE *data, DWORD len);
/* A copy made with alloc (malloc when NULL), the caller frees it.
 * SCARD_W_CACHE_ITEM_NOT_FOUND when absent. */
DWORD opgp_host_cache_get(opgp_host_cache *c, const WCHAR *tag, void *(*alloc)(size_t),
                          BYTE **data, DWORD *len);
DWORD opgp_host_cache_delete(opgp_host_cache *c, const WCHAR *tag);
void opgp_host_cache_get_stats(opgp_host_cache *c, opgp_host_cache_stats *out);
/* Number of caches in the process, idle ones included. */
unsigned opgp_host_cache_count(void);
/* Free every cache no context holds (card removal, tests wanting a cold start). */
void opgp_host_cache_purge(void);

#endif
