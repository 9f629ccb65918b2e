/* The Base CSP's data cache as the minidriver sees it (CARD_DATA's pfnCspCache* callbacks): tag
 * -> bytes, process-wide, as the Base CSP's is per card. Shared by the minidriver's unit tests and
 * the fuzz target; no test framework here, so a caller that breaks the callbacks' contract is
 * counted (md_csp_cache_misuse) for the test to assert on. */
#ifndef MD_CSP_CACHE_H
#define MD_CSP_CACHE_H

#include <stddef.h>

#include "opgp/cardmod.h"

/* Point cd's three cache callbacks here; lookups return copies allocated with alloc (the CSP's
 * allocator, which the minidriver frees with pfnCspFree). */
void md_csp_cache_install(CARD_DATA *cd, LPVOID(WINAPI *alloc)(SIZE_T));
void md_csp_cache_clear(void);
size_t md_csp_cache_count(void);
/* Adds with data NULL and a length, since the last md_csp_cache_clear. */
unsigned long md_csp_cache_misuse(void);

#endif
