/* Which transport a context talks through: the test provider when one is installed and
 * answers for this hScard, else PC/SC on the CSP's handles. */
#include "md.h"
#include "opgp/minidriver_test.h"
#include "pcsc_bridge.h"

static opgpmd_transport_provider provider_fn;
static void *provider_arg;

void opgpmd_set_transport_provider(opgpmd_transport_provider fn, void *arg)
{
    provider_fn = fn;
    provider_arg = arg;
}

DWORD md_transport_open(PCARD_DATA d, opgp_transport **out)
{
    *out = NULL;
    if (provider_fn != NULL) {
        *out = provider_fn(provider_arg, (uintptr_t)d->hScard);
        if (*out != NULL)
            return SCARD_S_SUCCESS;
    }
    opgp_status st = md_pcsc_wrap((uintptr_t)d->hSCardCtx, (uintptr_t)d->hScard, out);
    return md_status_to_scard(st);
}
