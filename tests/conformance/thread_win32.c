#include <windows.h>
#include <stdlib.h>

#include "thread.h"

struct mdc_thread {
    HANDLE h;
    void (*fn)(void *);
    void *arg;
};

struct mdc_mutex {
    CRITICAL_SECTION cs;
};

static DWORD WINAPI trampoline(LPVOID p)
{
    mdc_thread *t = p;
    t->fn(t->arg);
    return 0;
}

mdc_thread *mdc_thread_start(void (*fn)(void *), void *arg)
{
    mdc_thread *t = malloc(sizeof *t);
    if (t == NULL)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    t->h = CreateThread(NULL, 0, trampoline, t, 0, NULL);
    if (t->h == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

void mdc_thread_join(mdc_thread *t)
{
    if (t == NULL)
        return;
    WaitForSingleObject(t->h, INFINITE);
    CloseHandle(t->h);
    free(t);
}

mdc_mutex *mdc_mutex_new(void)
{
    mdc_mutex *m = malloc(sizeof *m);
    if (m != NULL)
        InitializeCriticalSection(&m->cs);
    return m;
}

void mdc_mutex_free(mdc_mutex *m)
{
    if (m == NULL)
        return;
    DeleteCriticalSection(&m->cs);
    free(m);
}

void mdc_mutex_lock(mdc_mutex *m) { EnterCriticalSection(&m->cs); }
void mdc_mutex_unlock(mdc_mutex *m) { LeaveCriticalSection(&m->cs); }
