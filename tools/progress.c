/* The drawing half of the progress indicator. */
#include <stdio.h>

#include "progress.h"

void progress_draw(const char *message, unsigned tick)
{
    static const char frames[] = "|/-\\";
    /* Ticks come 4 times a second. */
    fprintf(stderr, "\r%s %c %us", message, frames[tick % 4], tick / 4);
    fflush(stderr);
}

void progress_finish(const char *message, bool ok, unsigned seconds, bool animated)
{
    if (animated)
        fprintf(stderr, "\r%s %s (%us)   \n", message, ok ? "done" : "failed", seconds);
    else
        fprintf(stderr, "%s%s (%us)\n", message, ok ? "done" : "failed", seconds);
    fflush(stderr);
}
