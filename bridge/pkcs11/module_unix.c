/* Process id and the module lock with pthreads. */
#include <pthread.h>
#include <unistd.h>

#include "p11.h"

static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;

void p11_lock(void);
void p11_unlock(void);
void p11_lock(void) { pthread_mutex_lock(&module_lock); }
void p11_unlock(void) { pthread_mutex_unlock(&module_lock); }
unsigned long p11_pid(void) { return (unsigned long)getpid(); }
