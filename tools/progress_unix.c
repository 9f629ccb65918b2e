/* Spinner thread with pthreads; it waits on a condition variable so that stopping is
 * immediate. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool running, animated;
    const char *message;
    time_t started;
} P = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *spin(void *arg)
{
    (void)arg;
    unsigned tick = 0;
    pthread_mutex_lock(&P.lock);
    while (P.running) {
        progress_draw(P.message, tick++);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&P.cond, &P.lock, &until);
    }
    pthread_mutex_unlock(&P.lock);
    return NULL;
}

void progress_start(const char *message)
{
    P.message = message;
    P.started = time(NULL);
    P.animated = isatty(STDERR_FILENO);
    P.running = true;
    if (!P.animated || pthread_create(&P.thread, NULL, spin, NULL) != 0) {
        P.animated = false;
        fprintf(stderr, "%s ", message);
        fflush(stderr);
    }
}

void progress_stop(bool ok)
{
    pthread_mutex_lock(&P.lock);
    P.running = false;
    pthread_cond_signal(&P.cond);
    pthread_mutex_unlock(&P.lock);
    if (P.animated)
        pthread_join(P.thread, NULL);
    /* Without animation the message is already on the line. */
    progress_finish(P.animated ? P.message : "", ok, (unsigned)(time(NULL) - P.started),
                    P.animated);
}
