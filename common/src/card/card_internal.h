/* State of an opgp_card and the helpers the card's source files share. Not installed. */
#ifndef OPGP_CARD_INTERNAL_H
#define OPGP_CARD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/card.h"

#define INS_SELECT 0xA4
#define INS_SELECT_DATA 0xA5
#define INS_GET_DATA 0xCA
#define INS_PUT_DATA 0xDA
#define INS_PUT_DATA_ODD 0xDB
#define INS_VERIFY 0x20
#define INS_CHANGE_REFERENCE 0x24
#define INS_RESET_RETRY 0x2C
#define INS_PSO 0x2A
#define INS_INTERNAL_AUTH 0x88
#define INS_GENERATE 0x47
#define INS_GET_CHALLENGE 0x84
#define INS_TERMINATE_DF 0xE6
#define INS_ACTIVATE_FILE 0x44
#define INS_YUBICO_GET_VERSION 0xF1

/* Enough for any 6E seen (261-274 bytes) and the largest this code accepts. */
#define OPGP_APPDATA_MAX 4096

struct opgp_card {
    opgp_transport *transport;
    opgp_apdu_link link;
    opgp_appdata appdata;
    unsigned txn_depth;
    bool have_fw;
    uint8_t fw[3];
    bool select_data_quirk;
    /* The reader's secure PIN entry (PC/SC part 10), asked once (pinpad.c). */
    bool pinpad_probed;
    uint32_t pinpad_verify_code, pinpad_modify_code; /* 0: the reader lacks the feature */
};

/* Start err for a call: unknown everything. */
void card_err_init(opgp_error *err);
/* Finish a call: record st (and return it). */
opgp_status card_err_set(opgp_error *err, opgp_status st);
/* Record a status word (and its mapped status), for PIN ref pin_ref (0 none). */
opgp_status card_err_sw(opgp_error *err, uint16_t sw, int pin_ref);

/* One command with its response; *sw the final status word. Transport-level failures only
 * (the status word is left to the caller). */
opgp_status card_xfer(opgp_card *card, const opgp_apdu *cmd, uint8_t *resp, size_t *resp_len,
                      uint16_t *sw);
/* One command whose status word must be 9000: anything else becomes the mapped status. */
opgp_status card_cmd(opgp_card *card, const opgp_apdu *cmd, uint8_t *resp, size_t *resp_len,
                     opgp_error *err, int pin_ref);

/* The status of a command that carried a PIN (VERIFY, ...) from its status word: a 6982 or
 * 6A80 answer is completed with the tries left (empty VERIFY or C4), never by resending. */
opgp_status card_pin_result(opgp_card *card, uint16_t sw, int ref, opgp_error *err);

/* Ask the reader for its features (pinpad.c); done at open, after the application answered,
 * so that a reset seen by the transport is reported by the open sequence, not swallowed. */
void card_pinpad_probe(opgp_card *card);

/* Transactions for multi-APDU operations: taken only when the caller holds none. */
opgp_status card_txn_begin(opgp_card *card, bool *taken);
void card_txn_end(opgp_card *card, bool taken);

/* Read and decode 6E (plus F9 when needed) into card->appdata, and configure the link. */
opgp_status card_load_appdata(opgp_card *card, opgp_error *err);

/* Map an opgp_hash_alg to its DigestInfo prefix; NULL when none. */
const struct opgp_digestinfo *card_digestinfo_for(opgp_hash_alg hash);

#endif
