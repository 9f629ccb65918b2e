#include <pthread.h>
#include <stdlib.h>

#include "lock.h"

struct opgp_host_lock {
    pthread_mutex_t m;
};

static pthread_mutex_t registry = PTHREAD_MUTEX_INITIALIZER;

opgp_host_lock *opgp_host_lock_new(void)
{
    opgp_host_lock *l = malloc(sizeof *l);
    if (l != NULL && pthread_mutex_init(&l->m, NULL) != 0) {
        free(l);
        return NULL;
    }
    return l;
}

void opgp_host_lock_free(opgp_host_lock *l)
{
    if (l == NULL)
        return;
    pthread_mutex_destroy(&l->m);
    free(l);
}

void opgp_host_lock_take(opgp_host_lock *l) { pthread_mutex_lock(&l->m); }
void opgp_host_lock_give(opgp_host_lock *l) { pthread_mutex_unlock(&l->m); }
void opgp_host_registry_take(void) { pthread_mutex_lock(&registry); }
void opgp_host_registry_give(void) { pthread_mutex_unlock(&registry); }
