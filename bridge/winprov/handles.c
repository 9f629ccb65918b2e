/* The handle registry: one list of live objects per DLL, under one lock. */
#include "winprov.h"

static SRWLOCK lock = SRWLOCK_INIT;
static winprov_obj *live;

void winprov_handle_add(winprov_obj *o, int kind, const void *owner)
{
    o->kind = kind;
    o->owner = owner;
    AcquireSRWLockExclusive(&lock);
    o->next = live;
    live = o;
    ReleaseSRWLockExclusive(&lock);
}

static void unlink_locked(winprov_obj *o)
{
    for (winprov_obj **pp = &live; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == o) {
            *pp = o->next;
            return;
        }
    }
}

void winprov_handle_remove(winprov_obj *o)
{
    AcquireSRWLockExclusive(&lock);
    unlink_locked(o);
    ReleaseSRWLockExclusive(&lock);
}

winprov_obj *winprov_handle_get(ULONG_PTR h, int kind)
{
    winprov_obj *found = NULL;
    if (h == 0)
        return NULL;
    AcquireSRWLockShared(&lock);
    for (winprov_obj *o = live; o != NULL; o = o->next) {
        if ((ULONG_PTR)o == h) {
            found = o->kind == kind ? o : NULL;
            break;
        }
    }
    ReleaseSRWLockShared(&lock);
    return found;
}

winprov_obj *winprov_handle_get_owned(ULONG_PTR h, int kind, const void *owner)
{
    winprov_obj *o = winprov_handle_get(h, kind);
    return o != NULL && o->owner == owner ? o : NULL;
}

void winprov_handle_drop_owned(const void *owner, void (*free_obj)(winprov_obj *o))
{
    for (;;) {
        winprov_obj *victim = NULL;
        AcquireSRWLockExclusive(&lock);
        for (winprov_obj *o = live; o != NULL; o = o->next) {
            if (o->owner == owner) {
                victim = o;
                unlink_locked(o);
                break;
            }
        }
        ReleaseSRWLockExclusive(&lock);
        if (victim == NULL)
            return;
        free_obj(victim);
    }
}
