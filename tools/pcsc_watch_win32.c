/* winscard.dll's SCardGetStatusChangeA: opgp speaks ANSI/UTF-8 reader names everywhere. */
#include <windows.h>

#include <stdlib.h>

#include <winscard.h>

#include "opgp/transport_pcsc.h"
#include "pcsc_watch.h"

struct pcsc_watch {
    SCARDCONTEXT ctx;
    DWORD pnp_state;
};

opgp_status pcsc_watch_open(pcsc_watch **out)
{
    pcsc_watch *w = calloc(1, sizeof *w);
    if (!w)
        return OPGP_E_NO_MEMORY;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &w->ctx);
    if (rv != SCARD_S_SUCCESS) {
        free(w);
        return opgp_pcsc_map_error(rv);
    }
    *out = w;
    return OPGP_OK;
}

void pcsc_watch_close(pcsc_watch *w)
{
    if (!w)
        return;
    SCardReleaseContext(w->ctx);
    free(w);
}

bool pcsc_watch_card_present(unsigned long state)
{
    return (state & SCARD_STATE_PRESENT) != 0;
}

opgp_status pcsc_watch_wait(pcsc_watch *w, watch_reader *readers, size_t n, unsigned timeout_ms,
                            bool *readers_changed)
{
    SCARD_READERSTATEA st[WATCH_MAX_READERS + 1];
    if (n > WATCH_MAX_READERS)
        n = WATCH_MAX_READERS;
    for (size_t i = 0; i < n; i++) {
        st[i] = (SCARD_READERSTATEA){.szReader = readers[i].name,
                                     .dwCurrentState = (DWORD)readers[i].state};
    }
    /* The special name through which a new or vanished reader ends the wait too. */
    st[n] = (SCARD_READERSTATEA){.szReader = "\\\\?PnP?\\Notification",
                                 .dwCurrentState = w->pnp_state};
    *readers_changed = false;
    LONG rv = SCardGetStatusChangeA(w->ctx, timeout_ms, st, (DWORD)(n + 1));
    if (rv == (LONG)SCARD_E_TIMEOUT)
        return OPGP_E_TIMEOUT;
    if (rv == (LONG)SCARD_E_UNKNOWN_READER || rv == (LONG)SCARD_E_READER_UNAVAILABLE) {
        *readers_changed = true;
        return OPGP_OK;
    }
    if (rv != SCARD_S_SUCCESS)
        return opgp_pcsc_map_error(rv);
    for (size_t i = 0; i < n; i++)
        if (st[i].dwEventState & SCARD_STATE_CHANGED)
            readers[i].state = st[i].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
    if (st[n].dwEventState & SCARD_STATE_CHANGED) {
        w->pnp_state = st[n].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
        *readers_changed = true;
    }
    return OPGP_OK;
}
