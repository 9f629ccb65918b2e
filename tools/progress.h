/* A progress indicator for one long card operation (key generation is a single APDU that can
 * take a minute): a message, then a spinner and the seconds elapsed while it runs, on stderr
 * when stderr is a terminal; just the message and the outcome otherwise. The spinner runs in a
 * thread of its own (progress_unix.c / progress_win32.c) because the card call blocks. */
#ifndef OPGP_TOOL_PROGRESS_H
#define OPGP_TOOL_PROGRESS_H

#include <stdbool.h>

void progress_start(const char *message);
/* Stop the spinner and print "done (Ns)" or "failed (Ns)". */
void progress_stop(bool ok);

/* Shared by the platform halves: the frame for a tick, and the final line. */
void progress_draw(const char *message, unsigned tick);
void progress_finish(const char *message, bool ok, unsigned seconds, bool animated);

#endif
