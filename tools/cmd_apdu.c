/* opgp-tool apdu: send command APDUs as hex and print the responses, for experts. By default the
 * OpenPGP application is selected first (it is what the other commands talk to); --raw sends to
 * the card as it is. The bytes go out unchanged: no GET RESPONSE, no chaining. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Hex with optional spaces or colons between bytes. -1 when malformed. */
static long parse_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*s) {
        if (*s == ' ' || *s == ':') {
            s++;
            continue;
        }
        int hi = hex_value(s[0]);
        int lo = hi >= 0 && s[1] ? hex_value(s[1]) : -1;
        if (lo < 0 || n >= cap)
            return -1;
        out[n++] = (uint8_t)(hi << 4 | lo);
        s += 2;
    }
    return (long)n;
}

int cmd_apdu(tool_ctx *ctx, int argc, char **argv)
{
    bool raw = false;
    int first = 1;
    if (argc > 1 && tool_is_flag(argv[1], "--raw")) {
        raw = true;
        first = 2;
    }
    if (first >= argc)
        return tool_usage_error("usage: apdu [--raw] HEX...");
    uint8_t *cmd = malloc(OPGP_MAX_COMMAND);
    uint8_t *resp = malloc(OPGP_MAX_RESPONSE);
    if (!cmd || !resp) {
        free(cmd);
        free(resp);
        return EXIT_CARD;
    }
    int rc = EXIT_OK;
    for (int i = first; i < argc; i++) {
        long n = parse_hex(argv[i], cmd, OPGP_MAX_COMMAND);
        if (n < 4) {
            rc = tool_usage_error("\"%s\" is not a command APDU in hex", argv[i]);
            goto done;
        }
    }
    rc = raw ? tool_open_card_or_terminated(ctx) : tool_open_card(ctx);
    if (rc != EXIT_OK)
        goto done;
    for (int i = first; i < argc; i++) {
        long n = parse_hex(argv[i], cmd, OPGP_MAX_COMMAND);
        size_t rlen = OPGP_MAX_RESPONSE;
        opgp_status st = opgp_transport_transmit(ctx->transport, cmd, (size_t)n, resp, &rlen);
        if (st != OPGP_OK) {
            opgp_error err = {.status = st, .tries_left = -1};
            rc = tool_fail("transmit failed", &err);
            goto done;
        }
        if (rlen < 2) {
            fprintf(stderr, "opgp-tool: response without a status word\n");
            rc = EXIT_CARD;
            goto done;
        }
        for (size_t k = 0; k < rlen - 2; k++)
            printf("%02X", resp[k]);
        printf("%s%02X%02X\n", rlen > 2 ? " " : "", resp[rlen - 2], resp[rlen - 1]);
        uint16_t sw = (uint16_t)(resp[rlen - 2] << 8 | resp[rlen - 1]);
        if (sw != 0x9000 && (sw & 0xFF00) != 0x6100)
            rc = EXIT_CARD;
    }
done:
    free(cmd);
    free(resp);
    return rc;
}
