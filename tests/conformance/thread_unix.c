#include <pthread.h>
#include <stdlib.h>

#include "thread.h"

struct mdc_thread {
    pthread_t t;
    void (*fn)(void *);
    void *arg;
};

struct mdc_mutex {
    pthread_mutex_t m;
};

static void *trampoline(void *p)
{
    mdc_thread *t = p;
    t->fn(t->arg);
    return NULL;
}

mdc_thread *mdc_thread_start(void (*fn)(void *), void *arg)
{
    mdc_thread *t = malloc(sizeof *t);
    if (t == NULL)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->t, NULL, trampoline, t) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void mdc_thread_join(mdc_thread *t)
{
    if (t == NULL)
        return;
    pthread_join(t->t, NULL);
    free(t);
}

mdc_mutex *mdc_mutex_new(void)
{
    mdc_mutex *m = malloc(sizeof *m);
    if (m != NULL)
        pthread_mutex_init(&m->m, NULL);
    return m;
}

void mdc_mutex_free(mdc_mutex *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

void mdc_mutex_lock(mdc_mutex *m) { pthread_mutex_lock(&m->m); }
void mdc_mutex_unlock(mdc_mutex *m) { pthread_mutex_unlock(&m->m); }
