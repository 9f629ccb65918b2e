/* Test environment for the minidriver: a simulated card behind the transport hook, the Base
 * CSP's callbacks (allocator, a counting in-memory data cache) and a ready CARD_DATA. */
#ifndef MD_TEST_ENV_H
#define MD_TEST_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/cardmod.h"
#include "opgp_sim.h"

/* Windows error codes are LONG (HRESULT-typed) constants; entry points return DWORD. */
#define assert_rv(a, b) assert_int_equal((DWORD)(a), (DWORD)(b))

#define MD_TEST_HSCARD ((SCARDHANDLE)0x5ca4d)

typedef struct md_env {
    opgp_sim *sim;
    CARD_DATA cd;
    uint8_t atr[36];
    WCHAR name[16];
} md_env;

/* A simulator provisioned with alg ("rsa2048", "p256", ...; NULL: blank card). */
opgp_sim *md_env_sim(const char *alg, const opgp_sim_options *opt);
/* CARD_DATA for version ver with the test callbacks, handle MD_TEST_HSCARD; the transport hook
 * answers that handle with a transport on sim. */
void md_env_card_data(md_env *e, opgp_sim *sim, DWORD ver);
/* md_env_sim + md_env_card_data + CardAcquireContext, asserting success. */
void md_env_open(md_env *e, const char *alg, const opgp_sim_options *opt);
void md_env_close(md_env *e);

/* The CSP cache of the test callbacks: shared by all contexts of the process. */
void md_env_cache_clear(void);
size_t md_env_cache_count(void);
/* Outstanding pfnCspAlloc blocks (leak check). */
long md_env_live_allocs(void);
void md_free(void *p);

unsigned long md_env_apdus(const md_env *e);
/* UTF-8/ASCII into a UTF-16 buffer. */
void md_w(WCHAR *out, const char *s);

#endif
