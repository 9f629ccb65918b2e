/* PC/SC transport: pcsc-lite natively, winscard.dll on Windows, from one source. */
#ifndef OPGP_TRANSPORT_PCSC_H
#define OPGP_TRANSPORT_PCSC_H

#include <stddef.h>

#ifdef _WIN32
#include <windows.h>
#endif
#include <winscard.h>

#include "opgp/transport.h"

/* The reader names as a multi-string (names separated by NUL, a final extra NUL), in a context
 * of its own. names NULL: *len gets the size needed. OPGP_E_NO_READER when there is none,
 * OPGP_E_BUFFER_TOO_SMALL (and the size needed in *len) when names is too small. */
opgp_status opgp_pcsc_list_readers(char *names, size_t *len);

/* Connect to reader (NULL: the first reader holding a card) shared, T=1 or T=0. The transport
 * owns its context and card handle and releases them on close. After a reset by another
 * application the next call reports OPGP_E_CARD_RESET once and the handle is reconnected. */
opgp_status opgp_pcsc_open(const char *reader, opgp_transport **out);

/* Use a context and card handle someone else owns (the minidriver gets them from the Base CSP):
 * close frees only the transport. The protocol comes from SCardStatus. */
opgp_status opgp_pcsc_wrap(SCARDCONTEXT ctx, SCARDHANDLE card, opgp_transport **out);

/* The status for a PC/SC return code (pure; tested without a reader). */
opgp_status opgp_pcsc_map_error(long rv);

#endif
