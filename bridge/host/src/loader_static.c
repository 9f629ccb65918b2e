/* Native builds: the minidriver is opgp's static library, linked in (opgpmd_static). There is
 * no registry; every ATR is offered to it and CardAcquireContext decides. */
#include <string.h>

#include "opgp/host.h"

DWORD opgp_host_module_for_atr(const BYTE *atr, DWORD atr_len,
                               WCHAR name[OPGP_HOST_MAX_CARD_NAME], opgp_host_module *out)
{
    if (atr == NULL || atr_len == 0 || name == NULL || out == NULL)
        return SCARD_E_INVALID_PARAMETER;
    static const WCHAR builtin[] = OPGP_HOST_BUILTIN_CARD_NAME;
    memcpy(name, builtin, sizeof builtin);
    out->acquire = CardAcquireContext;
    out->library = NULL;
    return SCARD_S_SUCCESS;
}

DWORD opgp_host_module_from_path(const char *path, opgp_host_module *out)
{
    (void)path;
    if (out != NULL) {
        out->acquire = NULL;
        out->library = NULL;
    }
    return SCARD_E_UNSUPPORTED_FEATURE;
}

void opgp_host_module_close(opgp_host_module *m)
{
    if (m != NULL)
        m->acquire = NULL;
}
