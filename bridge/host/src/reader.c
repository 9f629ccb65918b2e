/* PC/SC connection for the host (see opgp/host_reader.h). Only the calls whose names differ
 * between pcsc-lite and winscard.dll live in reader_unix.c / reader_win32.c. */
#include <stdio.h>
#include <string.h>

#include "reader_names.h"

long opgp_host_reader_connect(const char *reader, opgp_host_reader *r)
{
    memset(r, 0, sizeof *r);
    SCARDCONTEXT ctx;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    char names[2048];
    if (reader != NULL) {
        size_t n = strlen(reader);
        if (n + 2 > sizeof names) {
            SCardReleaseContext(ctx);
            return SCARD_E_INVALID_PARAMETER;
        }
        memcpy(names, reader, n + 1);
        names[n + 1] = 0;
    } else {
        DWORD len = sizeof names;
        rv = host_list_readers(ctx, names, &len);
        if (rv != SCARD_S_SUCCESS) {
            SCardReleaseContext(ctx);
            return rv;
        }
        names[sizeof names - 1] = 0;
        names[sizeof names - 2] = 0;
    }
    rv = SCARD_E_NO_SMARTCARD;
    for (const char *p = names; *p != 0; p += strlen(p) + 1) {
        SCARDHANDLE card;
        DWORD proto = 0;
        rv = host_connect(ctx, p, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0,
                          &card, &proto);
        if (rv != SCARD_S_SUCCESS)
            continue;
        DWORD atr_len = sizeof r->atr;
        rv = host_status(card, r->atr, &atr_len);
        if (rv != SCARD_S_SUCCESS) {
            SCardDisconnect(card, SCARD_LEAVE_CARD);
            continue;
        }
        r->ctx = (uintptr_t)ctx;
        r->card = (uintptr_t)card;
        r->protocol = proto;
        r->atr_len = atr_len;
        /* Bounded copy: reader names come from the service, not from us. */
        size_t n = strlen(p);
        if (n >= sizeof r->name)
            n = sizeof r->name - 1;
        memcpy(r->name, p, n);
        r->name[n] = 0;
        return SCARD_S_SUCCESS;
    }
    SCardReleaseContext(ctx);
    return rv;
}

long opgp_host_reader_reset(opgp_host_reader *r)
{
    SCARDHANDLE other;
    DWORD proto = 0;
    LONG rv = host_connect((SCARDCONTEXT)r->ctx, r->name, SCARD_SHARE_SHARED,
                           SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, &other, &proto);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    rv = SCardReconnect(other, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0,
                        SCARD_RESET_CARD, &proto);
    SCardDisconnect(other, SCARD_LEAVE_CARD);
    return rv;
}

void opgp_host_reader_disconnect(opgp_host_reader *r)
{
    if (r->card != 0)
        SCardDisconnect((SCARDHANDLE)r->card, SCARD_LEAVE_CARD);
    if (r->ctx != 0)
        SCardReleaseContext((SCARDCONTEXT)r->ctx);
    r->card = 0;
    r->ctx = 0;
}

long opgp_host_reader_begin(uintptr_t card)
{
    return SCardBeginTransaction((SCARDHANDLE)card);
}

long opgp_host_reader_end(uintptr_t card)
{
    return SCardEndTransaction((SCARDHANDLE)card, SCARD_LEAVE_CARD);
}

bool opgp_host_reader_card_gone(uintptr_t card)
{
    if (card == 0)
        return false;
    unsigned char atr[36];
    DWORD atr_len = sizeof atr;
    LONG rv = host_status((SCARDHANDLE)card, atr, &atr_len);
    return rv == (LONG)SCARD_W_REMOVED_CARD || rv == (LONG)SCARD_E_NO_SMARTCARD ||
           rv == (LONG)SCARD_E_READER_UNAVAILABLE || rv == (LONG)SCARD_E_UNKNOWN_READER;
}
