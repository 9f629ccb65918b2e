/* PC/SC on the Base CSP's handles, behind integers: the pcsc-lite headers and cardmod.h define
 * DWORD differently natively, so only pcsc_bridge.c sees transport_pcsc.h. */
#ifndef OPGPMD_PCSC_BRIDGE_H
#define OPGPMD_PCSC_BRIDGE_H

#include <stdint.h>

#include "opgp/transport.h"

opgp_status md_pcsc_wrap(uintptr_t ctx, uintptr_t card, opgp_transport **out);

#endif
