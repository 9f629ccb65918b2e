/* Mutexes for the host's shared state: lock_unix.c (pthreads) / lock_win32.c (SRW locks). */
#ifndef OPGP_HOST_LOCK_H
#define OPGP_HOST_LOCK_H

typedef struct opgp_host_lock opgp_host_lock;

/* NULL when out of memory. */
opgp_host_lock *opgp_host_lock_new(void);
void opgp_host_lock_free(opgp_host_lock *l);
void opgp_host_lock_take(opgp_host_lock *l);
void opgp_host_lock_give(opgp_host_lock *l);

/* The process-wide lock over the registry of per-card caches: statically initialised, so it
 * needs no setup call that two threads could race on. */
void opgp_host_registry_take(void);
void opgp_host_registry_give(void);

#endif
