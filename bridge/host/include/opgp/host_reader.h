/* Reaching a card through PC/SC the way the Base CSP does before it loads a minidriver: a
 * context, a shared connection, the ATR. pcsc-lite natively, winscard.dll on Windows.
 * Handles are integers here because natively cardmod.h and pcsc-lite disagree on DWORD; cast
 * them to SCARDCONTEXT / SCARDHANDLE for CARD_DATA. */
#ifndef OPGP_HOST_READER_H
#define OPGP_HOST_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct opgp_host_reader {
    uintptr_t ctx;
    uintptr_t card;
    unsigned long protocol;
    unsigned char atr[36];
    size_t atr_len;
    char name[256];
} opgp_host_reader;

/* Connect (shared, T=1 or T=0) to reader, or with NULL to the first reader that accepts a
 * connection. Returns the PC/SC code (0 on success). */
long opgp_host_reader_connect(const char *reader, opgp_host_reader *r);
/* Reset the card through a connection of its own, so that r->card, like every other handle,
 * sees SCARD_W_RESET_CARD on its next use. */
long opgp_host_reader_reset(opgp_host_reader *r);
void opgp_host_reader_disconnect(opgp_host_reader *r);
/* SCardBeginTransaction / SCardEndTransaction (leave the card) on a card handle. */
long opgp_host_reader_begin(uintptr_t card);
long opgp_host_reader_end(uintptr_t card);

/* Whether the card behind a handle has left (removed, or its reader gone): no APDU, one
 * SCardStatus. Tells a removal from a card that merely failed a command. */
bool opgp_host_reader_card_gone(uintptr_t card);

#endif
