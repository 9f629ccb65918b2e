/* Spinner thread with the Windows API; an event stops it at once. */
#include <windows.h>

#include <io.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "progress.h"

static struct {
    HANDLE thread, stop;
    bool animated;
    const char *message;
    time_t started;
} P;

static DWORD WINAPI spin(LPVOID arg)
{
    (void)arg;
    unsigned tick = 0;
    do {
        progress_draw(P.message, tick++);
    } while (WaitForSingleObject(P.stop, 250) == WAIT_TIMEOUT);
    return 0;
}

void progress_start(const char *message)
{
    P.message = message;
    P.started = time(NULL);
    P.animated = _isatty(_fileno(stderr)) != 0;
    P.thread = NULL;
    if (P.animated) {
        P.stop = CreateEventW(NULL, TRUE, FALSE, NULL);
        if (P.stop)
            P.thread = CreateThread(NULL, 0, spin, NULL, 0, NULL);
        if (!P.thread) {
            if (P.stop)
                CloseHandle(P.stop);
            P.animated = false;
        }
    }
    if (!P.animated) {
        fprintf(stderr, "%s ", message);
        fflush(stderr);
    }
}

void progress_stop(bool ok)
{
    if (P.animated) {
        SetEvent(P.stop);
        WaitForSingleObject(P.thread, INFINITE);
        CloseHandle(P.thread);
        CloseHandle(P.stop);
    }
    progress_finish(P.animated ? P.message : "", ok, (unsigned)(time(NULL) - P.started),
                    P.animated);
}
