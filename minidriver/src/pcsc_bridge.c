/* The transport on the handles the Base CSP connected: not owned, never disconnected here. */
#include "opgp/transport_pcsc.h"
#include "pcsc_bridge.h"

opgp_status md_pcsc_wrap(uintptr_t ctx, uintptr_t card, opgp_transport **out)
{
    return opgp_pcsc_wrap((SCARDCONTEXT)ctx, (SCARDHANDLE)card, out);
}
