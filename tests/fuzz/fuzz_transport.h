/* A transport for fuzz targets that answers every command from the fuzz input.
 *
 * Input format (a stream of responses, consumed one per transmit):
 *   LL LL  then LLLL bytes     a response, data then SW1 SW2 as a card would send it; when fewer
 *                              bytes are left, what is left is the response (a truncated card)
 *   FF FF  then one byte k     the transmit fails: k selects a transport status (reset, removed,
 *                              transport error, timeout)
 * When the stream runs out every command is answered 6F00.
 *
 * The transport also records what the host sent, so targets can check properties of the
 * commands themselves (each one decodes as an APDU, no PIN is sent twice, a bounded number of
 * APDUs per input). */
#ifndef OPGP_FUZZ_TRANSPORT_H
#define OPGP_FUZZ_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/transport.h"

typedef struct fuzz_transport {
    opgp_transport base;          /* first: the core sees an opgp_transport */
    const uint8_t *p;             /* the rest of the response stream */
    size_t left;
    unsigned long transmits;      /* commands received */
    unsigned long after_end;      /* of those, answered 6F00 after the stream ran out */
    unsigned long verify_with_data; /* VERIFY commands that carried a PIN */
    unsigned long begins, ends;   /* transaction calls */
    bool check_commands;          /* abort unless every command decodes as an APDU */
    bool trace;                   /* print the exchange to stderr (seed debugging) */
} fuzz_transport;

void fuzz_transport_init(fuzz_transport *ft, const uint8_t *stream, size_t len);

/* Abort with a message (a finding for libFuzzer) unless cond holds. */
#define FUZZ_ASSERT(cond, what) fuzz_assert((cond), (what), __FILE__, __LINE__)
void fuzz_assert(bool cond, const char *what, const char *file, int line);

#endif
