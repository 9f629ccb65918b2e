/* Test hook of the minidriver's native static library (opgpmd_static): hand CardAcquireContext
 * a transport of your own (the in-process simulator, a transcript replay) instead of PC/SC on
 * CARD_DATA.hScard. Not exported by opgpmd.dll. */
#ifndef OPGP_MINIDRIVER_TEST_H
#define OPGP_MINIDRIVER_TEST_H

#include <stdint.h>

#include "opgp/transport.h"

/* Called by CardAcquireContext with the CARD_DATA's hScard (as an integer). Return a new
 * transport for that card, or NULL to fall back to PC/SC on the handle. The minidriver owns
 * what is returned and closes it (opgp_transport_close) in CardDeleteContext or when
 * CardAcquireContext fails. */
typedef opgp_transport *(*opgpmd_transport_provider)(void *arg, uintptr_t hscard);

/* Install (fn non-NULL) or remove (fn NULL) the provider. Process-wide; not thread-safe:
 * set it before the contexts it should serve are acquired. */
void opgpmd_set_transport_provider(opgpmd_transport_provider fn, void *arg);

#endif
