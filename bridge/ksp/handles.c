/* The KSP's objects in the handle registry (bridge/winprov): CNG handles are our object
 * pointers, used only once the registry has found them live and of the expected kind. */
#include <stdlib.h>

#include "ksp.h"

static void free_owned(winprov_obj *o)
{
    if (o->kind == KSP_KIND_KEY)
        ksp_key_free((ksp_key *)o);
    else
        ksp_secret_free((ksp_secret *)o);
}

void ksp_handle_drop_owned(ksp_prov *p)
{
    winprov_handle_drop_owned(p, free_owned);
}

ksp_prov *ksp_prov_get(NCRYPT_PROV_HANDLE h)
{
    return (ksp_prov *)winprov_handle_get(h, KSP_KIND_PROV);
}

ksp_key *ksp_key_get(ksp_prov *p, NCRYPT_KEY_HANDLE h)
{
    return (ksp_key *)winprov_handle_get_owned(h, KSP_KIND_KEY, p);
}

ksp_secret *ksp_secret_get(ksp_prov *p, NCRYPT_SECRET_HANDLE h)
{
    return (ksp_secret *)winprov_handle_get_owned(h, KSP_KIND_SECRET, p);
}

void ksp_key_free(ksp_key *k)
{
    if (k == NULL)
        return;
    opgp_tok_wipe(k->pin, sizeof k->pin);
    free(k);
}

void ksp_secret_free(ksp_secret *s)
{
    if (s == NULL)
        return;
    opgp_tok_wipe(s->z, sizeof s->z);
    free(s);
}

SECURITY_STATUS ksp_key_lookup(NCRYPT_PROV_HANDLE hp, NCRYPT_KEY_HANDLE hk, ksp_prov **p,
                               ksp_key **k)
{
    *p = ksp_prov_get(hp);
    *k = *p != NULL ? ksp_key_get(*p, hk) : NULL;
    return *k != NULL ? ERROR_SUCCESS : NTE_INVALID_HANDLE;
}
