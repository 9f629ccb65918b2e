/* opgp-tool reset: factory reset (TERMINATE DF + ACTIVATE FILE). Everything on the card goes:
 * keys, certificates, cardholder data; the PINs return to 123456 / 12345678.
 *
 * The card accepts TERMINATE only with the admin PIN verified or blocked. With --pin-fd the admin
 * PIN is verified; otherwise, as GnuPG's factory-reset does, the admin PIN is blocked on purpose
 * with wrong values: the point of a reset is often that nobody knows it any more. That happens
 * only after the confirmation and only on cards that announce the life cycle support TERMINATE
 * needs, so that a card is never left blocked and unresettable. */
#include <stdio.h>
#include <string.h>

#include "opgp/crypto.h"
#include "card_info.h"
#include "pin_input.h"
#include "tool.h"

#define MAX_BLOCK_ATTEMPTS 16

static int activate_terminated(tool_ctx *ctx)
{
    static const uint8_t activate[] = {0x00, 0x44, 0x00, 0x00};
    uint8_t resp[16];
    size_t len = sizeof resp;
    opgp_status st = opgp_transport_transmit(ctx->transport, activate, sizeof activate, resp,
                                             &len);
    opgp_error err = {.status = st, .tries_left = -1};
    if (st == OPGP_OK && (len < 2 || resp[len - 2] != 0x90 || resp[len - 1] != 0x00)) {
        err.sw = len >= 2 ? (uint16_t)(resp[len - 2] << 8 | resp[len - 1]) : 0;
        err.status = OPGP_E_CARD;
    }
    if (err.status != OPGP_OK)
        return tool_fail("cannot activate the terminated application", &err);
    opgp_card *card = NULL;
    st = opgp_card_open(ctx->transport, &card, &err);
    if (st != OPGP_OK)
        return tool_fail("the card does not come back after ACTIVATE FILE", &err);
    ctx->card = card;
    return EXIT_OK;
}

/* Use up the admin PIN's tries with random lowercase strings: never a PIN somebody chose from
 * digits, and one wrong value per try (the counter is read before each). */
static int block_admin_pin(tool_ctx *ctx)
{
    for (int i = 0; i < MAX_BLOCK_ATTEMPTS; i++) {
        if (opgp_card_refresh_status(ctx->card, NULL) == OPGP_OK &&
            opgp_card_appdata(ctx->card)->pw.tries_pw3 == 0)
            return EXIT_OK;
        uint8_t junk[8];
        opgp_random(junk, sizeof junk);
        for (size_t k = 0; k < sizeof junk; k++)
            junk[k] = (uint8_t)('a' + junk[k] % 26); /* never the digits of a typical PIN */
        opgp_error err;
        opgp_status st = opgp_card_verify(ctx->card, OPGP_PIN_PW3, junk, sizeof junk, &err);
        if (st == OPGP_E_PIN_BLOCKED)
            return EXIT_OK;
        if (st == OPGP_OK)
            return EXIT_OK; /* verified: TERMINATE is allowed just the same */
        if (st != OPGP_E_WRONG_PIN)
            return tool_fail("cannot block the admin PIN for the reset", &err);
    }
    fprintf(stderr, "opgp-tool: the admin PIN does not block; no reset done\n");
    return EXIT_CARD;
}

int cmd_reset(tool_ctx *ctx, int argc, char **argv)
{
    bool yes = false;
    for (int i = 1; i < argc; i++) {
        if (tool_is_flag(argv[i], "--yes") || tool_is_flag(argv[i], "-y"))
            yes = true;
        else
            return tool_usage_error("reset: unexpected \"%s\"", argv[i]);
    }
    int rc = tool_open_card_or_terminated(ctx);
    if (rc != EXIT_OK)
        return rc;
    if (!ctx->card) {
        /* A reset interrupted between TERMINATE and ACTIVATE: finish it. */
        rc = activate_terminated(ctx);
        if (rc == EXIT_OK)
            printf("the terminated OpenPGP application in %s was activated again\n",
                   ctx->reader_name);
        return rc;
    }
    const opgp_appdata *ad = opgp_card_appdata(ctx->card);
    if (ad->historical.len > 0 && !ad->historical.has_status) {
        fprintf(stderr, "opgp-tool: this card does not announce life cycle management: it "
                        "cannot be reset with TERMINATE DF\n");
        return EXIT_CARD;
    }
    char serial[16];
    card_info_serial(&ad->aid, serial, sizeof serial);
    if (!yes) {
        char question[600];
        snprintf(question, sizeof question,
                 "Factory reset of the card %s in %s: every key, certificate and cardholder "
                 "data will be erased, the PINs set back to 123456 and 12345678.\n"
                 "Type \"yes\" to continue: ", serial, ctx->reader_name);
        if (!confirm_on_terminal(question)) {
            fprintf(stderr, "opgp-tool: reset cancelled\n");
            return EXIT_USAGE;
        }
    }
    opgp_error err;
    if (ctx->pin_fd >= 0) {
        rc = tool_verify_admin(ctx);
        if (rc != EXIT_OK)
            return rc;
    }
    opgp_status st = opgp_card_factory_reset(ctx->card, &err);
    if ((st == OPGP_E_SECURITY_STATUS || st == OPGP_E_CONDITIONS) && ctx->pin_fd < 0) {
        rc = block_admin_pin(ctx);
        if (rc != EXIT_OK)
            return rc;
        st = opgp_card_factory_reset(ctx->card, &err);
    }
    if (st != OPGP_OK)
        return tool_fail("factory reset failed", &err);
    printf("card %s reset to factory state: no keys, user PIN 123456, admin PIN 12345678\n",
           serial);
    return EXIT_OK;
}
