/* The handle registry: CryptoAPI handles are our object pointers, but only after the registry
 * has confirmed that the value names a live object of the expected kind. */
#include <stdlib.h>

#include "csp.h"

static SRWLOCK lock = SRWLOCK_INIT;
static csp_obj *live;

void csp_handle_add(csp_obj *o, csp_kind kind, csp_prov *owner)
{
    o->kind = kind;
    o->owner = owner;
    AcquireSRWLockExclusive(&lock);
    o->next = live;
    live = o;
    ReleaseSRWLockExclusive(&lock);
}

static void unlink_locked(csp_obj *o)
{
    for (csp_obj **pp = &live; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == o) {
            *pp = o->next;
            return;
        }
    }
}

void csp_handle_remove(csp_obj *o)
{
    AcquireSRWLockExclusive(&lock);
    unlink_locked(o);
    ReleaseSRWLockExclusive(&lock);
}

csp_obj *csp_handle_get(ULONG_PTR h, csp_kind kind)
{
    csp_obj *found = NULL;
    AcquireSRWLockShared(&lock);
    for (csp_obj *o = live; o != NULL; o = o->next) {
        if ((ULONG_PTR)o == h) {
            found = o->kind == kind ? o : NULL;
            break;
        }
    }
    ReleaseSRWLockShared(&lock);
    return found;
}

void csp_handle_drop_owned(csp_prov *p)
{
    for (;;) {
        csp_obj *victim = NULL;
        AcquireSRWLockExclusive(&lock);
        for (csp_obj *o = live; o != NULL; o = o->next) {
            if (o->owner == p) {
                victim = o;
                unlink_locked(o);
                break;
            }
        }
        ReleaseSRWLockExclusive(&lock);
        if (victim == NULL)
            return;
        if (victim->kind == CSP_KIND_KEY)
            csp_key_free((csp_key *)victim);
        else
            csp_hash_free((csp_hash *)victim);
    }
}

csp_prov *csp_prov_get(HCRYPTPROV h)
{
    return (csp_prov *)csp_handle_get(h, CSP_KIND_PROV);
}

csp_key *csp_key_get(csp_prov *p, HCRYPTKEY h)
{
    csp_obj *o = csp_handle_get(h, CSP_KIND_KEY);
    return o != NULL && o->owner == p ? (csp_key *)o : NULL;
}

csp_hash *csp_hash_get(csp_prov *p, HCRYPTHASH h)
{
    csp_obj *o = csp_handle_get(h, CSP_KIND_HASH);
    return o != NULL && o->owner == p ? (csp_hash *)o : NULL;
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
