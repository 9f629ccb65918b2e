/* ISO 7816-4 command/response exchange over a transport: short and extended length, command
 * chaining, GET RESPONSE for 61xx, re-issue with the right Le on 6Cxx. Every loop is bounded. */
#ifndef OPGP_APDU_H
#define OPGP_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/status.h"
#include "opgp/transport.h"

/* Le meaning "as much as the card has" (00 short, 0000 extended). */
#define OPGP_LE_MAX ((size_t)-1)

/* Upper bound of GET RESPONSE rounds for one command: 64 KiB in 256-byte pieces, plus slack.
 * A card that keeps answering 61xx beyond this gets OPGP_E_PROTOCOL. */
#define OPGP_MAX_GET_RESPONSE 260

typedef enum opgp_apdu_dir { OPGP_APDU_SENT, OPGP_APDU_RECEIVED } opgp_apdu_dir;

/* Optional trace of every APDU at the transport. Sensitive command data (PINs) is replaced
 * by the layer before the callback sees it. */
typedef void (*opgp_apdu_trace_fn)(void *arg, opgp_apdu_dir dir, const uint8_t *bytes,
                                   size_t len);

typedef struct opgp_apdu_link {
    opgp_transport *transport;
    bool extended;            /* the card takes extended Lc/Le (from its capabilities) */
    size_t max_cmd_data;      /* largest Lc the card accepts in one APDU (255 short) */
    size_t max_resp_data;     /* largest Le the card answers in one APDU (256 short); an
                                 extended Le is capped to it when it is above 256 */
    bool chaining;            /* the card supports command chaining (historical bytes) */
    opgp_apdu_trace_fn trace;
    void *trace_arg;
    unsigned long apdu_count; /* APDUs sent by this link, for benchmarks and tests */
} opgp_apdu_link;

typedef struct opgp_apdu {
    uint8_t cla, ins, p1, p2;
    const uint8_t *data;
    size_t data_len;
    size_t le;                /* 0: no data expected; OPGP_LE_MAX: all there is */
    bool sensitive;           /* data is a secret: redacted in traces */
    bool sensitive_response;  /* response data is a secret (deciphered keys): redacted too */
} opgp_apdu;

/* Initialise for a card whose capabilities are not known yet: short APDUs, no chaining. */
void opgp_apdu_link_init(opgp_apdu_link *l, opgp_transport *t);

/* Send a command and collect its complete response data into resp (capacity *resp_len on
 * entry, data length on return, status word not included) and the final status word in *sw.
 * Chains commands whose data exceed max_cmd_data when the card allows, else OPGP_E_WRONG_LENGTH.
 * Returns OPGP_OK whenever the exchange completed (whatever the status word: map it with
 * opgp_sw_status); transport errors, malformed responses, endless 61xx otherwise.
 * OPGP_E_BUFFER_TOO_SMALL when resp cannot hold the response. */
opgp_status opgp_apdu_transceive(opgp_apdu_link *l, const opgp_apdu *cmd, uint8_t *resp,
                                 size_t *resp_len, uint16_t *sw);

/* The status for a status word: 9000 -> OPGP_OK, 63Cx -> OPGP_E_WRONG_PIN, ... */
opgp_status opgp_sw_status(uint16_t sw);

/* Encode one APDU (no chaining) into out; for tests and for transports that need bytes.
 * extended selects the extended Lc/Le form whenever there is an Lc or Le (a case 1 APDU is the
 * same either way); opgp_apdu_transceive uses it only when the link allows and the data or Le
 * need it. Le: 1..256 short (256 = 00), 1..65536 extended (65536 = 0000); a larger le or
 * OPGP_LE_MAX encodes as the maximum of the form. chain_more sets CLA bit 0x10.
 * *out_len: capacity on entry, length on return. */
opgp_status opgp_apdu_encode(const opgp_apdu *cmd, bool extended, bool chain_more,
                             uint8_t *out, size_t *out_len);

/* Decode a command APDU (the inverse of opgp_apdu_encode, for simulators and tests). cmd->data
 * points into in; *extended tells which form was used (may be NULL). OPGP_E_WRONG_LENGTH when
 * the lengths do not add up. */
opgp_status opgp_apdu_decode(const uint8_t *in, size_t len, opgp_apdu *cmd, bool *extended);

/* Fill err for a status word answered to a command about PIN pin_ref (0 when none): status from
 * opgp_sw_status, tries_left from 63Cx (-1 otherwise). VERIFY callers whose card answers 6982
 * to a wrong PIN (see the transcripts) turn OPGP_E_SECURITY_STATUS into OPGP_E_WRONG_PIN. */
void opgp_error_from_sw(opgp_error *err, uint16_t sw, int pin_ref);

#endif
