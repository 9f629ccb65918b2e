/* opgp-tool watch: one line per event as readers and cards come and go, starting with the state
 * of every reader (or only the --reader one). Stops after --count N events or --timeout S seconds
 * (else runs until interrupted). With --json each line is a JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card_info.h"
#include "opgp/transport_pcsc.h"
#include "pcsc_watch.h"
#include "tool.h"

typedef struct watch_state {
    tool_ctx *ctx;
    watch_reader readers[WATCH_MAX_READERS];
    size_t n;
    long remaining; /* events still to show; -1 unlimited */
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

static void event_end(out *o, watch_state *ws)
{
    if (ws->ctx->json)
        out_finish(o);
    fflush(stdout);
    if (ws->remaining > 0)
        ws->remaining--;
}

/* What is in the reader now: an OpenPGP card (serial, manufacturer), another card, or none. */
static void report_card(watch_state *ws, const char *reader, bool present)
{
    out o;
    event_begin(&o, ws, present ? "card-present" : "card-absent", reader);
    if (!present) {
        if (!ws->ctx->json)
            printf("no card\n");
        event_end(&o, ws);
        return;
    }
    opgp_transport *t = NULL;
    opgp_card *card = NULL;
    opgp_error err = {.tries_left = -1};
    opgp_status st = opgp_pcsc_open(reader, &t);
    if (st == OPGP_OK)
        st = opgp_card_open(t, &card, &err);
    else
        err.status = st;
    if (st == OPGP_OK) {
        const opgp_aid *aid = &opgp_card_appdata(card)->aid;
        char serial[16];
        card_info_serial(aid, serial, sizeof serial);
        const char *maker = opgp_manufacturer_name(aid->manufacturer);
        if (ws->ctx->json) {
            out_bool(&o, "openpgp", NULL, true, "", "");
            out_str(&o, "serial", NULL, serial);
            out_str(&o, "manufacturer", NULL, maker);
        } else {
            printf("OpenPGP card %s (%s)\n", serial, maker);
        }
    } else {
        char msg[200];
        opgp_error_format(&err, msg, sizeof msg);
        if (ws->ctx->json) {
            out_bool(&o, "openpgp", NULL, false, "", "");
            out_str(&o, "detail", NULL, msg);
        } else {
            printf("card present (%s)\n", msg);
        }
    }
    opgp_card_close(card);
    if (t)
        opgp_transport_close(t);
    event_end(&o, ws);
}

static void report_reader(watch_state *ws, const char *reader, bool added)
{
    out o;
    event_begin(&o, ws, added ? "reader-added" : "reader-removed", reader);
    if (!ws->ctx->json)
        printf("reader %s\n", added ? "added" : "removed");
    event_end(&o, ws);
}

/* Read the reader list again; report readers that went away, keep the known states of the
 * others, and add new ones with state 0 (their first wait reports them). */
static void refresh_readers(watch_state *ws, bool initial)
{
    char names[4096];
    size_t len = sizeof names - 1;
    if (opgp_pcsc_list_readers(names, &len) != OPGP_OK)
        len = 0;
    names[len] = '\0';
    watch_reader next[WATCH_MAX_READERS];
    size_t m = 0;
    for (const char *r = names; len && r < names + len && *r && m < WATCH_MAX_READERS;
         r += strlen(r) + 1) {
        if (ws->ctx->reader && strcmp(ws->ctx->reader, r) != 0)
            continue; /* --reader: that one only (it may come later) */
        size_t rlen = strlen(r);
        if (rlen >= sizeof next[m].name)
            continue; /* no PC/SC reader name is this long; skip rather than cut it */
        memcpy(next[m].name, r, rlen + 1);
        next[m].state = 0;
        for (size_t i = 0; i < ws->n; i++)
            if (strcmp(ws->readers[i].name, r) == 0)
                next[m].state = ws->readers[i].state;
        if (next[m].state == 0 && !initial && ws->remaining != 0)
            report_reader(ws, r, true);
        m++;
    }
    for (size_t i = 0; i < ws->n && ws->remaining != 0; i++) {
        bool kept = false;
        for (size_t k = 0; k < m; k++)
            kept = kept || strcmp(next[k].name, ws->readers[i].name) == 0;
        if (!kept)
            report_reader(ws, ws->readers[i].name, false);
    }
    memcpy(ws->readers, next, sizeof next[0] * m);
    ws->n = m;
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
        else
            return tool_usage_error("usage: watch [--count N] [--timeout SECONDS]");
    }
    pcsc_watch *w = NULL;
    opgp_status st = pcsc_watch_open(&w);
    if (st != OPGP_OK) {
        opgp_error err = {.status = st, .tries_left = -1};
        return tool_fail("cannot reach the smart card service", &err);
    }
    time_t deadline = timeout_s >= 0 ? time(NULL) + timeout_s : 0;
    refresh_readers(&ws, true);
    int rc = EXIT_OK;
    while (ws.remaining != 0) {
        unsigned wait_ms = 0xFFFFFFFFu; /* INFINITE on both platforms */
        if (timeout_s >= 0) {
            time_t now = time(NULL);
            if (now >= deadline)
                break;
            wait_ms = (unsigned)(deadline - now) * 1000u;
        }
        if (ws.n == 0)
            wait_ms = wait_ms > 1000 ? 1000 : wait_ms; /* poll while no reader is there */
        watch_reader before[WATCH_MAX_READERS];
        memcpy(before, ws.readers, sizeof before[0] * ws.n);
        bool readers_changed = false;
        st = pcsc_watch_wait(w, ws.readers, ws.n, wait_ms, &readers_changed);
        if (st == OPGP_E_TIMEOUT) {
            if (ws.n == 0)
                refresh_readers(&ws, false);
            continue;
        }
        if (st != OPGP_OK && st != OPGP_E_NO_READER) {
            opgp_error err = {.status = st, .tries_left = -1};
            rc = tool_fail("waiting for card events failed", &err);
            break;
        }
        for (size_t i = 0; i < ws.n && ws.remaining != 0; i++) {
            bool was = pcsc_watch_card_present(before[i].state);
            bool is = pcsc_watch_card_present(ws.readers[i].state);
            if (before[i].state == 0 || was != is)
                report_card(&ws, ws.readers[i].name, is);
        }
        if (readers_changed || st == OPGP_E_NO_READER)
            refresh_readers(&ws, false);
    }
    pcsc_watch_close(w);
    return rc;
}
