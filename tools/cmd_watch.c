/* opgp-tool watch: one line per event as readers and cards come and go, starting with the state
 * of every reader (or only the --reader one). Stops after --count N events or --timeout S seconds
 * (else runs until interrupted). With --json each line is a JSON object. Through bridge/host's
 * token API: its reader events (opgp_tok_readers_wait) and, for a card, its token.
 * --propagate (Windows): each OpenPGP card present at the start or inserted later has its
 * certificates propagated into the user's MY store (watch_propagate.c), one more line per card;
 * --remove-on-removal takes them out again when the card leaves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card_info.h"
#include "propagate.h"
#include "token_session.h"
#include "tool.h"
#include "watch_propagate.h"

/* opgp_tok_readers_wait takes fewer than OPGP_TOK_MAX_READERS readers. */
#define WATCH_MAX_READERS (OPGP_TOK_MAX_READERS - 1)

typedef struct watch_state {
    tool_ctx *ctx;
    opgp_tok_readers *service;
    opgp_tok_reader known[WATCH_MAX_READERS];
    size_t n;
    long remaining; /* events still to show; -1 unlimited */
    bool propagate, remove_on_removal;
    /* --propagate: the OpenPGP card in each reader whose certificates were propagated */
    struct {
        char reader[OPGP_TOK_READER_NAME];
        char serial[17];
    } cards[WATCH_MAX_READERS];
    size_t ncards;
    int propagate_rc; /* the first failed propagation's exit code, EXIT_OK */
} watch_state;

static void event_begin(out *o, watch_state *ws, const char *event, const char *reader)
{
    char when[32];
    out_format_time((unsigned long long)time(NULL), when, sizeof when);
    out_init(o, stdout, ws->ctx->json);
    if (ws->ctx->json) {
        out_str(o, "time", NULL, when);
        out_str(o, "event", NULL, event);
        out_str(o, "reader", NULL, reader);
    } else {
        printf("%s  %s: ", when, reader);
    }
}

/* counted: a reader or card event (--count); a propagation line is not one. */
static void event_end(out *o, watch_state *ws, bool counted)
{
    if (ws->ctx->json)
        out_finish(o);
    fflush(stdout);
    if (counted && ws->remaining > 0)
        ws->remaining--;
}

/* --propagate: the card with serial arrived in reader (certificates in), or left it (remove:
 * with --remove-on-removal, its certificates out). One line. */
static void propagation(watch_state *ws, const char *reader, const char *serial, bool remove)
{
    watch_propagation p;
    watch_propagate(reader, serial, remove, &p);
    if (p.rc != EXIT_OK) {
        fprintf(stderr, "opgp-tool: watch --propagate: card %s: %s\n", serial, p.msg);
        if (ws->propagate_rc == EXIT_OK)
            ws->propagate_rc = p.rc;
    }
    out o;
    event_begin(&o, ws, watch_propagation_event(&p), reader);
    watch_propagation_line(&o, serial, &p);
    event_end(&o, ws, false);
}

static void card_arrived(watch_state *ws, const char *reader, const char *serial)
{
    if (!ws->propagate || ws->ncards >= WATCH_MAX_READERS)
        return;
    /* reader and serial come from opgp_tok_reader.name and opgp_tok_info.serial: they fit */
    snprintf(ws->cards[ws->ncards].reader, sizeof ws->cards[0].reader, "%.*s",
             (int)sizeof ws->cards[0].reader - 1, reader);
    snprintf(ws->cards[ws->ncards].serial, sizeof ws->cards[0].serial, "%.*s",
             (int)sizeof ws->cards[0].serial - 1, serial);
    ws->ncards++;
    propagation(ws, reader, serial, false);
}

/* The reader's card left (or the reader did): forget it, and take its certificates out. */
static void card_left(watch_state *ws, const char *reader)
{
    for (size_t i = 0; i < ws->ncards; i++) {
        if (strcmp(ws->cards[i].reader, reader) != 0)
            continue;
        char serial[17];
        memcpy(serial, ws->cards[i].serial, sizeof serial);
        ws->cards[i] = ws->cards[--ws->ncards];
        if (ws->remove_on_removal)
            propagation(ws, reader, serial, true);
        return;
    }
}

/* What is in the reader now: an OpenPGP card (serial, manufacturer), another card, or none.
 * serial: the token's serial for an OpenPGP card (as bridge/certprop names the card), else
 * empty. */
static void report_card(watch_state *ws, const char *reader, bool present, char serial_out[17])
{
    serial_out[0] = '\0';
    out o;
    event_begin(&o, ws, present ? "card-present" : "card-absent", reader);
    if (!present) {
        if (!ws->ctx->json)
            printf("no card\n");
        event_end(&o, ws, true);
        return;
    }
    opgp_token *t = NULL;
    opgp_tok_info info;
    opgp_aid aid;
    opgp_tok_rv rv = opgp_token_open(reader, &t);
    if (rv == OPGP_TOK_OK)
        rv = opgp_token_info(t, &info);
    if (t)
        opgp_token_close(t);
    /* opgp's minidriver makes the card ID of the OpenPGP AID (minidriver/src/cmap.c). */
    if (rv == OPGP_TOK_OK && opgp_aid_decode(info.cardid, sizeof info.cardid, &aid) == OPGP_OK) {
        char serial[16];
        card_info_serial(&aid, serial, sizeof serial);
        const char *maker = opgp_manufacturer_name(aid.manufacturer);
        if (ws->ctx->json) {
            out_bool(&o, "openpgp", NULL, true, "", "");
            out_str(&o, "serial", NULL, serial);
            out_str(&o, "manufacturer", NULL, maker);
        } else {
            printf("OpenPGP card %s (%s)\n", serial, maker);
        }
        memcpy(serial_out, info.serial, 17);
        serial_out[16] = '\0';
    } else {
        const char *why = rv == OPGP_TOK_UNKNOWN_CARD ? "not an OpenPGP card opgp knows"
                          : rv == OPGP_TOK_NO_CARD    ? "removed again"
                                                      : "the card did not answer";
        if (ws->ctx->json) {
            out_bool(&o, "openpgp", NULL, false, "", "");
            out_str(&o, "detail", NULL, why);
        } else {
            printf("card present (%s)\n", why);
        }
    }
    event_end(&o, ws, true);
}

static void report_reader(watch_state *ws, const char *reader, bool added)
{
    out o;
    event_begin(&o, ws, added ? "reader-added" : "reader-removed", reader);
    if (!ws->ctx->json)
        printf("reader %s\n", added ? "added" : "removed");
    event_end(&o, ws, true);
}

static const opgp_tok_reader *find(const opgp_tok_reader *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

/* Read the reader list again and report what differs from the known one: readers that came
 * (then their card) or went, cards that came or went. initial: every reader's card state. */
static opgp_tok_rv refresh(watch_state *ws, bool initial)
{
    opgp_tok_reader all[OPGP_TOK_MAX_READERS], now[WATCH_MAX_READERS];
    size_t count = 0, m = 0;
    opgp_tok_rv rv = opgp_tok_readers_list(ws->service, all, OPGP_TOK_MAX_READERS, &count);
    if (rv == OPGP_TOK_NO_READER)
        count = 0;
    else if (rv != OPGP_TOK_OK)
        return rv;
    for (size_t i = 0; i < count && m < WATCH_MAX_READERS; i++)
        if (!ws->ctx->reader || strcmp(ws->ctx->reader, all[i].name) == 0)
            now[m++] = all[i]; /* --reader: that one only (it may come later) */
    for (size_t i = 0; i < m && ws->remaining != 0; i++) {
        const opgp_tok_reader *was = find(ws->known, ws->n, now[i].name);
        if (!was && !initial)
            report_reader(ws, now[i].name, true);
        if ((!was || was->card_present != now[i].card_present) && ws->remaining != 0) {
            char serial[17];
            report_card(ws, now[i].name, now[i].card_present, serial);
            if (!now[i].card_present)
                card_left(ws, now[i].name);
            else if (serial[0] != '\0')
                card_arrived(ws, now[i].name, serial);
        }
    }
    for (size_t i = 0; i < ws->n && ws->remaining != 0; i++)
        if (!find(now, m, ws->known[i].name)) {
            report_reader(ws, ws->known[i].name, false);
            card_left(ws, ws->known[i].name);
        }
    memcpy(ws->known, now, sizeof now[0] * m);
    ws->n = m;
    return OPGP_TOK_OK;
}

static bool parse_number(const char *s, long *v)
{
    char *end;
    *v = strtol(s, &end, 10);
    return *s && !*end && *v >= 0;
}

int cmd_watch(tool_ctx *ctx, int argc, char **argv)
{
    watch_state ws = {.ctx = ctx, .remaining = -1};
    long timeout_s = -1;
    for (int i = 1; i < argc; i++) {
        if (tool_is_flag(argv[i], "--count") && i + 1 < argc &&
            parse_number(argv[i + 1], &ws.remaining))
            i++;
        else if (tool_is_flag(argv[i], "--timeout") && i + 1 < argc &&
                 parse_number(argv[i + 1], &timeout_s))
            i++;
        else if (tool_is_flag(argv[i], "--propagate"))
            ws.propagate = true;
        else if (tool_is_flag(argv[i], "--remove-on-removal"))
            ws.remove_on_removal = true;
        else
            return tool_usage_error("usage: watch [--count N] [--timeout SECONDS] "
                                    "[--propagate [--remove-on-removal]]");
    }
    if (ws.remove_on_removal && !ws.propagate)
        return tool_usage_error("watch: --remove-on-removal goes with --propagate");
    if (ws.propagate) {
        int rc = propagate_available(
            ws.remove_on_removal ? "watch --propagate --remove-on-removal" : "watch --propagate",
            false);
        if (rc != EXIT_OK)
            return rc;
    }
    opgp_tok_rv rv = opgp_tok_readers_open(&ws.service);
    if (rv == OPGP_TOK_OK)
        rv = refresh(&ws, true);
    if (rv != OPGP_TOK_OK) {
        opgp_tok_readers_close(ws.service);
        return tool_token_fail("cannot reach the smart card service", rv, 0, -1);
    }
    time_t deadline = timeout_s >= 0 ? time(NULL) + timeout_s : 0;
    int rc = EXIT_OK;
    while (ws.remaining != 0) {
        long wait_ms = -1; /* until something happens */
        if (timeout_s >= 0) {
            time_t now = time(NULL);
            if (now >= deadline)
                break;
            wait_ms = (long)(deadline - now) * 1000L;
        }
        if (ws.n == 0 && (wait_ms < 0 || wait_ms > 1000))
            wait_ms = 1000; /* poll while no reader is there (not every service reports one) */
        opgp_tok_reader changed;
        rv = opgp_tok_readers_wait(ws.service, ws.known, ws.n, wait_ms, &changed);
        if (rv == OPGP_TOK_OK || rv == OPGP_TOK_NO_READER || (rv == OPGP_TOK_TIMEOUT && ws.n == 0))
            rv = refresh(&ws, false);
        else if (rv == OPGP_TOK_TIMEOUT)
            rv = OPGP_TOK_OK;
        if (rv != OPGP_TOK_OK) {
            rc = tool_token_fail("waiting for card events failed", rv, 0, -1);
            break;
        }
    }
    opgp_tok_readers_close(ws.service);
    return rc != EXIT_OK ? rc : ws.propagate_rc;
}
