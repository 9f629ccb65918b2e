/* slot_events.h on pcsc-lite. */
#include <stdlib.h>
#include <string.h>
#include <winscard.h>

#include "slot_events.h"

long tok_pcsc_establish(uintptr_t *ctx)
{
    SCARDCONTEXT c = 0;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &c);
    *ctx = (uintptr_t)c;
    return rv;
}

void tok_pcsc_release(uintptr_t ctx) { SCardReleaseContext((SCARDCONTEXT)ctx); }

long tok_pcsc_list(uintptr_t ctx, char *names, size_t *len)
{
    DWORD n = (DWORD)*len;
    LONG rv = SCardListReaders((SCARDCONTEXT)ctx, NULL, names, &n);
    *len = n;
    return rv;
}

long tok_pcsc_wait(uintptr_t ctx, long timeout_ms, tok_pcsc_state *st, size_t n)
{
    SCARD_READERSTATE rs[32];
    if (n > 32)
        return SCARD_E_INVALID_PARAMETER;
    memset(rs, 0, sizeof rs);
    for (size_t i = 0; i < n; i++) {
        rs[i].szReader = st[i].reader;
        rs[i].dwCurrentState = st[i].current;
    }
    LONG rv = SCardGetStatusChange((SCARDCONTEXT)ctx,
                                   timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms, rs, (DWORD)n);
    for (size_t i = 0; i < n; i++)
        st[i].event = rs[i].dwEventState;
    return rv;
}

long tok_pcsc_cancel(uintptr_t ctx) { return SCardCancel((SCARDCONTEXT)ctx); }

int tok_pcsc_result(long rv)
{
    switch (rv) {
    case SCARD_S_SUCCESS: return 0;
    case SCARD_E_TIMEOUT: return 1;
    case SCARD_E_CANCELLED: return 2;
    case SCARD_E_NO_READERS_AVAILABLE: return 3;
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED: return 4;
    default: return -1;
    }
}
