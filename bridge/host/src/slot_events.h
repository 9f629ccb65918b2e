/* The PC/SC calls the reader list and card events need, in neutral types: pcsc-lite and
 * winscard.dll differ in names (A/W), DWORD width and reader state layout. slot_events_unix.c /
 * slot_events_win32.c. Return values are PC/SC codes as long. */
#ifndef OPGP_HOST_SLOT_EVENTS_H
#define OPGP_HOST_SLOT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#define TOK_PNP_READER "\\\\?PnP?\\Notification"

enum { TOK_PCSC_OK = 0 };

typedef struct tok_pcsc_state {
    const char *reader;
    unsigned long current;      /* in: what the caller knows (PC/SC state bits, counter << 16) */
    unsigned long event;        /* out */
} tok_pcsc_state;

/* PC/SC's state bits the callers look at. */
#define TOK_STATE_UNAWARE 0x0000ul
#define TOK_STATE_CHANGED 0x0002ul
#define TOK_STATE_UNKNOWN 0x0004ul
#define TOK_STATE_EMPTY   0x0010ul
#define TOK_STATE_PRESENT 0x0020ul

long tok_pcsc_establish(uintptr_t *ctx);
void tok_pcsc_release(uintptr_t ctx);
/* Multi-string of reader names in names (capacity *len); *len the size used. */
long tok_pcsc_list(uintptr_t ctx, char *names, size_t *len);
/* timeout_ms < 0: forever. */
long tok_pcsc_wait(uintptr_t ctx, long timeout_ms, tok_pcsc_state *st, size_t n);
long tok_pcsc_cancel(uintptr_t ctx);
int tok_pcsc_result(long rv); /* 0 ok, 1 timeout, 2 cancelled, 3 no readers, 4 no service,
                                 -1 other */

#endif
