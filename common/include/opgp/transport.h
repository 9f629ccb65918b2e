/* The transport: how the core reaches a card. One APDU out, one response (data + SW1 SW2) back,
 * exactly as sent and received: the APDU layer above handles 61xx, 6Cxx, chaining and lengths.
 *
 * Implementations embed `opgp_transport` as their first member:
 *   - PC/SC (common/src/transport_pcsc.c: pcsc-lite natively, winscard.dll on Windows),
 *   - the in-process simulator (tests/sim), for fast tests,
 *   - transcript replay (tests), answering from recorded exchanges with real cards,
 *   - wrappers that count, delay or trace APDUs (tests, bench).
 */
#ifndef OPGP_TRANSPORT_H
#define OPGP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "opgp/status.h"

/* Largest response any transport hands back: 65536 data bytes + SW1 SW2 (extended Le = 0000). */
#define OPGP_MAX_RESPONSE (65536 + 2)
/* Largest command: header, extended Lc, 65535 data bytes, extended Le. */
#define OPGP_MAX_COMMAND (4 + 3 + 65535 + 2)
#define OPGP_MAX_ATR 33

typedef struct opgp_transport opgp_transport;

/* Reader control codes (PC/SC part 10). The code that asks a reader for its features is
 * SCARD_CTL_CODE(3400), whose value differs between platforms (Windows 0x00313520,
 * pcsc-lite 0x42000D48): transports take the portable OPGP_CONTROL_GET_FEATURE_REQUEST and
 * turn it into their platform's code. Every other code (those a reader lists in its features)
 * is already the platform's and is passed through unchanged. */
#define OPGP_CONTROL_GET_FEATURE_REQUEST 0xFFFF0D48u
/* Feature tags of the GET_FEATURE_REQUEST answer (TLVs: tag, length 4, code big-endian). */
#define OPGP_FEATURE_VERIFY_PIN_DIRECT 0x06
#define OPGP_FEATURE_MODIFY_PIN_DIRECT 0x07

struct opgp_transport_ops {
    /* Send cmd and receive the response into resp (capacity *resp_len on entry, the length
     * received on return, SW1 SW2 included). Returns OPGP_E_NO_CARD when the card is gone,
     * OPGP_E_CARD_RESET when the card was reset since the last call. */
    opgp_status (*transmit)(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                            uint8_t *resp, size_t *resp_len);
    /* Hold the card for a multi-APDU operation; end releases it. May return
     * OPGP_E_CARD_RESET (the transaction is then held on the reset card). May be NULL. */
    opgp_status (*begin)(opgp_transport *t);
    opgp_status (*end)(opgp_transport *t);
    /* The card's ATR. */
    opgp_status (*get_atr)(opgp_transport *t, uint8_t *atr, size_t *atr_len);
    /* Reader control (PC/SC part 10: features, secure PIN entry). May be NULL. */
    opgp_status (*control)(opgp_transport *t, uint32_t code, const uint8_t *in, size_t in_len,
                           uint8_t *out, size_t *out_len);
    /* Release the transport and what it owns. */
    void (*close)(opgp_transport *t);
};

struct opgp_transport {
    const struct opgp_transport_ops *ops;
};

opgp_status opgp_transport_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                    uint8_t *resp, size_t *resp_len);
opgp_status opgp_transport_begin(opgp_transport *t);
opgp_status opgp_transport_end(opgp_transport *t);
opgp_status opgp_transport_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len);
opgp_status opgp_transport_control(opgp_transport *t, uint32_t code, const uint8_t *in,
                                   size_t in_len, uint8_t *out, size_t *out_len);
void opgp_transport_close(opgp_transport *t);

#endif
