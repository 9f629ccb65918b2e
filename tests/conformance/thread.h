/* Threads and a mutex for the multithreaded cases: thread_unix.c / thread_win32.c. */
#ifndef MDC_THREAD_H
#define MDC_THREAD_H

#include <stdbool.h>

typedef struct mdc_thread mdc_thread;
typedef struct mdc_mutex mdc_mutex;

mdc_thread *mdc_thread_start(void (*fn)(void *), void *arg);
void mdc_thread_join(mdc_thread *t);
mdc_mutex *mdc_mutex_new(void);
void mdc_mutex_free(mdc_mutex *m);
void mdc_mutex_lock(mdc_mutex *m);
void mdc_mutex_unlock(mdc_mutex *m);

#endif
