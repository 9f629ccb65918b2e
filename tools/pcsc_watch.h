/* Waiting for readers and cards to come and go (SCardGetStatusChange). The struct and call names
 * differ: pcsc-lite has one SCARD_READERSTATE, winscard.dll an ANSI and a wide one (and UNICODE is
 * defined for opgp's Windows build), so pcsc_watch_unix.c / pcsc_watch_win32.c each wrap their
 * own behind this interface. */
#ifndef OPGP_TOOL_PCSC_WATCH_H
#define OPGP_TOOL_PCSC_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "opgp/status.h"

#define WATCH_MAX_READERS 16

typedef struct watch_reader {
    char name[256];
    unsigned long state;   /* SCARD_STATE_* bits as last seen; 0 = not seen yet */
} watch_reader;

typedef struct pcsc_watch pcsc_watch;

opgp_status pcsc_watch_open(pcsc_watch **out);
void pcsc_watch_close(pcsc_watch *w);

/* Wait up to timeout_ms until a reader's state differs from readers[i].state or the set of
 * readers changes. readers[i].state is updated; *readers_changed tells that the list must be
 * read again. OPGP_OK on a change, OPGP_E_TIMEOUT when nothing happened. */
opgp_status pcsc_watch_wait(pcsc_watch *w, watch_reader *readers, size_t n, unsigned timeout_ms,
                            bool *readers_changed);

/* Whether a state says a card is in the reader. */
bool pcsc_watch_card_present(unsigned long state);

#endif
