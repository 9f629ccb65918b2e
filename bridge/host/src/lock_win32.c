#include <windows.h>
#include <stdlib.h>

#include "lock.h"

struct opgp_host_lock {
    SRWLOCK l;
};

static SRWLOCK registry = SRWLOCK_INIT;

opgp_host_lock *opgp_host_lock_new(void)
{
    opgp_host_lock *l = malloc(sizeof *l);
    if (l != NULL)
        InitializeSRWLock(&l->l);
    return l;
}

void opgp_host_lock_free(opgp_host_lock *l) { free(l); }
void opgp_host_lock_take(opgp_host_lock *l) { AcquireSRWLockExclusive(&l->l); }
void opgp_host_lock_give(opgp_host_lock *l) { ReleaseSRWLockExclusive(&l->l); }
void opgp_host_registry_take(void) { AcquireSRWLockExclusive(&registry); }
void opgp_host_registry_give(void) { ReleaseSRWLockExclusive(&registry); }
