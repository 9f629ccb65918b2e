/* Process id and the module lock with an SRW lock (no fork on Windows: the pid never moves). */
#include <windows.h>

#include "p11.h"

static SRWLOCK module_lock = SRWLOCK_INIT;

void p11_lock(void);
void p11_unlock(void);
void p11_lock(void) { AcquireSRWLockExclusive(&module_lock); }
void p11_unlock(void) { ReleaseSRWLockExclusive(&module_lock); }
unsigned long p11_pid(void) { return (unsigned long)GetCurrentProcessId(); }
