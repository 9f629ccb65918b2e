/* The CSP's objects in the handle registry (bridge/winprov): CryptoAPI handles are our object
 * pointers, used only once the registry has found them live and of the expected kind. */
#include <stdlib.h>

#include "csp.h"

static void free_owned(winprov_obj *o)
{
    if (o->kind == CSP_KIND_KEY)
        csp_key_free((csp_key *)o);
    else
        csp_hash_free((csp_hash *)o);
}

void csp_handle_drop_owned(csp_prov *p)
{
    winprov_handle_drop_owned(p, free_owned);
}

csp_prov *csp_prov_get(HCRYPTPROV h)
{
    return (csp_prov *)winprov_handle_get(h, CSP_KIND_PROV);
}

csp_key *csp_key_get(csp_prov *p, HCRYPTKEY h)
{
    return (csp_key *)winprov_handle_get_owned(h, CSP_KIND_KEY, p);
}

csp_hash *csp_hash_get(csp_prov *p, HCRYPTHASH h)
{
    return (csp_hash *)winprov_handle_get_owned(h, CSP_KIND_HASH, p);
}

void csp_key_free(csp_key *k)
{
    free(k);
}

void csp_hash_free(csp_hash *h)
{
    if (h == NULL)
        return;
    csp_hash_state_free(h->state);
    opgp_tok_wipe(h->value, sizeof h->value);
    free(h);
}

csp_key *csp_key_lookup(HCRYPTPROV hProv, HCRYPTKEY hKey, csp_prov **prov)
{
    csp_prov *p = csp_prov_get(hProv);
    csp_key *k = p ? csp_key_get(p, hKey) : NULL;
    if (k == NULL)
        csp_fail(p ? (DWORD)NTE_BAD_KEY : (DWORD)NTE_BAD_UID);
    *prov = p;
    return k;
}

csp_hash *csp_hash_lookup(HCRYPTPROV hProv, HCRYPTHASH hHash, csp_prov **prov)
{
    csp_prov *p = csp_prov_get(hProv);
    csp_hash *h = p ? csp_hash_get(p, hHash) : NULL;
    if (h == NULL)
        csp_fail(p ? (DWORD)NTE_BAD_HASH : (DWORD)NTE_BAD_UID);
    *prov = p;
    return h;
}
