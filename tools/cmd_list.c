/* opgp-tool list: every reader, and the OpenPGP card in each when there is one. Through the
 * token API (bridge/host): the card is described as its minidriver sees it; its identity comes
 * from the card ID, which opgp's minidriver makes of the OpenPGP AID (minidriver/src/cmap.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_info.h"
#include "token_session.h"
#include "tool.h"

static const char *tok_words(opgp_tok_rv rv)
{
    switch (rv) {
    case OPGP_TOK_NO_CARD: return "no card";
    case OPGP_TOK_NO_READER: return "reader gone";
    case OPGP_TOK_DEVICE_ERROR: return "reader or card failed";
    case OPGP_TOK_TIMEOUT: return "the card stopped answering";
    case OPGP_TOK_NO_MEMORY: return "out of memory";
    default: return "card error";
    }
}

static void describe_reader(out *o, const opgp_tok_reader *r)
{
    out_begin_object(o, NULL, NULL);
    out_str(o, "reader", "Reader", r->name);
    out_bool(o, "card_present", "Card", r->card_present, "present", "none");
    if (!r->card_present) {
        out_end_object(o);
        return;
    }
    opgp_token *t = NULL;
    opgp_tok_rv rv = opgp_token_open(r->name, &t);
    opgp_tok_info info;
    opgp_appdata ad;
    memset(&ad, 0, sizeof ad);
    if (rv == OPGP_TOK_OK)
        rv = opgp_token_info(t, &info);
    if (rv == OPGP_TOK_OK && opgp_aid_decode(info.cardid, sizeof info.cardid, &ad.aid) == OPGP_OK) {
        out_bool(o, "openpgp", "OpenPGP", true, "yes", "no");
        card_info_identity(o, &ad);
    } else if (rv == OPGP_TOK_OK || rv == OPGP_TOK_UNKNOWN_CARD) {
        out_bool(o, "openpgp", "OpenPGP", false, "yes", "no");
    } else {
        out_bool(o, "openpgp", "OpenPGP", false, "yes", tok_words(rv));
        out_str(o, "error", o->json ? NULL : "Error", tok_words(rv));
    }
    if (t)
        opgp_token_close(t);
    out_end_object(o);
}

int cmd_list(tool_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return tool_usage_error("list takes no arguments");
    opgp_tok_readers *readers = NULL;
    opgp_tok_reader list[OPGP_TOK_MAX_READERS];
    size_t count = 0;
    opgp_tok_rv rv = opgp_tok_readers_open(&readers);
    if (rv == OPGP_TOK_OK)
        rv = opgp_tok_readers_list(readers, list, OPGP_TOK_MAX_READERS, &count);
    opgp_tok_readers_close(readers);
    if (rv == OPGP_TOK_NO_READER || (rv == OPGP_TOK_OK && count == 0)) {
        if (ctx->json) {
            out o;
            out_init(&o, stdout, true);
            out_begin_array(&o, "readers", NULL);
            out_end_array(&o);
            out_finish(&o);
        }
        return tool_no_card(TOOL_NO_READERS, NULL);
    }
    if (rv != OPGP_TOK_OK)
        return tool_token_fail("cannot list the readers", rv, 0, -1);
    out o;
    out_init(&o, stdout, ctx->json);
    out_begin_array(&o, "readers", NULL);
    int shown = 0;
    for (size_t i = 0; i < count; i++) {
        if (ctx->reader && strcmp(ctx->reader, list[i].name) != 0)
            continue;
        if (shown++ && !ctx->json)
            fputc('\n', stdout);
        describe_reader(&o, &list[i]);
    }
    out_end_array(&o);
    out_finish(&o);
    if (ctx->reader && shown == 0) {
        fprintf(stderr, "opgp-tool: no reader named \"%s\"\n", ctx->reader);
        return EXIT_NO_CARD;
    }
    return EXIT_OK;
}
