/* opgp-tool list: every reader, and the OpenPGP card in it when there is one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_info.h"
#include "opgp/transport_pcsc.h"
#include "tool.h"

static void describe_reader(out *o, const char *reader)
{
    out_begin_object(o, NULL, NULL);
    out_str(o, "reader", "Reader", reader);
    opgp_transport *t = NULL;
    opgp_status st = opgp_pcsc_open(reader, &t);
    if (st != OPGP_OK) {
        out_bool(o, "card_present", "Card", false, "yes", st == OPGP_E_NO_CARD ? "none" :
                 opgp_status_str(st));
        out_end_object(o);
        return;
    }
    out_bool(o, "card_present", "Card", true, "present", "none");
    opgp_card *card = NULL;
    opgp_error err;
    st = opgp_card_open(t, &card, &err);
    if (st == OPGP_OK) {
        out_bool(o, "openpgp", "OpenPGP", true, "yes", "no");
        card_info_identity(o, opgp_card_appdata(card));
        opgp_card_close(card);
    } else {
        char msg[200];
        out_bool(o, "openpgp", "OpenPGP", false, "yes",
                 st == OPGP_E_NOT_OPENPGP ? "no" : opgp_error_format(&err, msg, sizeof msg));
        if (st != OPGP_E_NOT_OPENPGP)
            out_str(o, "error", o->json ? NULL : "Error", opgp_error_format(&err, msg, sizeof msg));
    }
    opgp_transport_close(t);
    out_end_object(o);
}

int cmd_list(tool_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return tool_usage_error("list takes no arguments");
    size_t len = 0;
    opgp_status st = opgp_pcsc_list_readers(NULL, &len);
    char *names = NULL;
    if (st == OPGP_OK || st == OPGP_E_BUFFER_TOO_SMALL) {
        names = calloc(1, len + 2);
        if (!names)
            return EXIT_CARD;
        st = opgp_pcsc_list_readers(names, &len);
    }
    if (st == OPGP_E_NO_READER) {
        free(names);
        if (ctx->json) {
            out o;
            out_init(&o, stdout, true);
            out_begin_array(&o, "readers", NULL);
            out_end_array(&o);
            out_finish(&o);
        }
        fprintf(stderr, "opgp-tool: no smart card reader found\n");
        return EXIT_NO_CARD;
    }
    if (st != OPGP_OK) {
        free(names);
        opgp_error err = {.status = st, .tries_left = -1};
        return tool_fail("cannot list the readers", &err);
    }
    out o;
    out_init(&o, stdout, ctx->json);
    out_begin_array(&o, "readers", NULL);
    int shown = 0;
    for (const char *r = names; r < names + len && *r; r += strlen(r) + 1) {
        if (ctx->reader && strcmp(ctx->reader, r) != 0)
            continue;
        if (shown++ && !ctx->json)
            fputc('\n', stdout);
        describe_reader(&o, r);
    }
    out_end_array(&o);
    out_finish(&o);
    free(names);
    if (ctx->reader && shown == 0) {
        fprintf(stderr, "opgp-tool: no reader named \"%s\"\n", ctx->reader);
        return EXIT_NO_CARD;
    }
    return EXIT_OK;
}
