/* libFuzzer target: opgp_apdu_transceive against a card that answers from the fuzz input (61xx
 * chains, 6Cxx, truncated, oversized, transport errors), with a link and a command shaped by
 * the input too. Also opgp_apdu_encode/decode round trips.
 *
 * Input: 12 bytes of set-up, then the response stream of fuzz_transport.h.
 *   [0] flags: 1 extended, 2 chaining, 4 sensitive, 8 sensitive response, 16 trace on,
 *              32 Le = all (OPGP_LE_MAX)
 *   [1..2] max_cmd_data   [3..5] max_resp_data   [6..7] command data length (data: a pattern)
 *   [8..9] Le             [10..11] response capacity (x 4, up to 256 KiB) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_transport.h"
#include "opgp/apdu.h"

#define SETUP 12

static void trace_cb(void *arg, opgp_apdu_dir dir, const uint8_t *bytes, size_t len)
{
    (void)dir;
    const opgp_apdu *cmd = arg;
    /* Redacted copies: a PIN never reaches the trace. */
    if (cmd->sensitive && cmd->data_len >= 4 && bytes && dir == OPGP_APDU_SENT) {
        for (size_t i = 0; i + 4 <= len; i++)
            FUZZ_ASSERT(memcmp(bytes + i, "\x31\x32\x33\xA5", 4) != 0, "PIN pattern redacted");
    }
}

static void encode_round_trip(const opgp_apdu *cmd)
{
    for (int ext = 0; ext < 2; ext++) {
        uint8_t out[OPGP_MAX_COMMAND];
        size_t out_len = sizeof out;
        if (opgp_apdu_encode(cmd, ext, false, out, &out_len) != OPGP_OK)
            continue;
        opgp_apdu back;
        bool was_ext = false;
        FUZZ_ASSERT(opgp_apdu_decode(out, out_len, &back, &was_ext) == OPGP_OK,
                    "encoded command decodes");
        FUZZ_ASSERT(back.ins == cmd->ins && back.data_len == cmd->data_len, "same command");
        size_t max = ext ? 65536 : 256;
        size_t le = cmd->le > max ? max : cmd->le;
        FUZZ_ASSERT(back.le == le, "same Le");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < SETUP)
        return 0;
    uint8_t flags = data[0];
    size_t data_len = ((size_t)data[6] << 8 | data[7]);
    size_t le = flags & 32 ? OPGP_LE_MAX : ((size_t)data[8] << 8 | data[9]);
    size_t cap = ((size_t)data[10] << 8 | data[11]) * 4;

    uint8_t *cmd_data = malloc(data_len ? data_len : 1);
    uint8_t *resp = malloc(cap ? cap : 1);
    if (!cmd_data || !resp) {
        free(cmd_data);
        free(resp);
        return 0;
    }
    /* A recognisable pattern, so that the trace check can look for it. */
    for (size_t i = 0; i < data_len; i++)
        cmd_data[i] = (uint8_t)"\x31\x32\x33\xA5"[i % 4];

    opgp_apdu cmd = {.cla = 0x00, .ins = 0xCA, .p1 = 0x00, .p2 = 0x6E,
                     .data = data_len ? cmd_data : NULL, .data_len = data_len, .le = le,
                     .sensitive = (flags & 4) != 0, .sensitive_response = (flags & 8) != 0};
    encode_round_trip(&cmd);

    fuzz_transport ft;
    fuzz_transport_init(&ft, data + SETUP, size - SETUP);
    opgp_apdu_link link;
    opgp_apdu_link_init(&link, &ft.base);
    link.extended = (flags & 1) != 0;
    link.chaining = (flags & 2) != 0;
    link.max_cmd_data = ((size_t)data[1] << 8 | data[2]);
    link.max_resp_data = ((size_t)data[3] << 16 | (size_t)data[4] << 8 | data[5]);
    if (flags & 16) {
        link.trace = trace_cb;
        link.trace_arg = &cmd;
    }

    size_t resp_len = cap;
    uint16_t sw = 0;
    opgp_status st = opgp_apdu_transceive(&link, &cmd, resp, &resp_len, &sw);
    if (st == OPGP_OK) {
        FUZZ_ASSERT(resp_len <= cap, "response within capacity");
        /* Unchained, 61xx and 6Cxx are dealt with here; a chain piece refused with them is
         * the card's answer (ISO 7816-4 has 9000 for accepted pieces) and goes back as is. */
        size_t piece_max = link.max_cmd_data ? link.max_cmd_data : 255;
        if (data_len <= piece_max && data_len <= (link.extended ? 65535u : 255u))
            FUZZ_ASSERT((sw >> 8) != 0x61 && (sw >> 8) != 0x6C, "61xx/6Cxx handled, not returned");
    } else {
        FUZZ_ASSERT(resp_len == 0, "no length on failure");
    }
    /* Every APDU is bounded: chain pieces, one 6Cxx re-issue, the GET RESPONSE limit. */
    size_t chunk = link.max_cmd_data ? link.max_cmd_data : 255;
    size_t form_max = link.extended ? 65535 : 255;
    chunk = chunk < form_max ? chunk : form_max;
    size_t pieces = data_len / chunk + 1;
    FUZZ_ASSERT(ft.transmits <= pieces + 2 + OPGP_MAX_GET_RESPONSE + 1, "APDU count bounded");
    FUZZ_ASSERT(link.apdu_count == ft.transmits, "link counts its APDUs");

    free(cmd_data);
    free(resp);
    return 0;
}
