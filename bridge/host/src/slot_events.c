/* Reader list and card events for consumers (opgp/host_token.h): SCardListReaders for the
 * list, SCardGetStatusChange for presence and for waiting. */
#include <stdlib.h>
#include <string.h>

#include "opgp/host_token.h"
#include "slot_events.h"

struct opgp_tok_readers {
    uintptr_t ctx;
};

static opgp_tok_rv map(long rv)
{
    switch (tok_pcsc_result(rv)) {
    case 0: return OPGP_TOK_OK;
    case 1: return OPGP_TOK_TIMEOUT;
    case 2: return OPGP_TOK_CANCELLED;
    case 3: return OPGP_TOK_NO_READER;
    default: return OPGP_TOK_DEVICE_ERROR;
    }
}

opgp_tok_rv opgp_tok_readers_open(opgp_tok_readers **out)
{
    if (out == NULL)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_readers *r = calloc(1, sizeof *r);
    if (r == NULL)
        return OPGP_TOK_NO_MEMORY;
    long rv = tok_pcsc_establish(&r->ctx);
    if (rv != TOK_PCSC_OK) {
        free(r);
        *out = NULL;
        return map(rv) == OPGP_TOK_OK ? OPGP_TOK_DEVICE_ERROR : map(rv);
    }
    *out = r;
    return OPGP_TOK_OK;
}

void opgp_tok_readers_close(opgp_tok_readers *r)
{
    if (r == NULL)
        return;
    tok_pcsc_release(r->ctx);
    free(r);
}

static opgp_tok_rv names_now(opgp_tok_readers *r, char *names, size_t cap, size_t *count)
{
    size_t len = cap - 2;
    long rv = tok_pcsc_list(r->ctx, names, &len);
    *count = 0;
    if (map(rv) == OPGP_TOK_NO_READER)
        return OPGP_TOK_OK;
    if (rv != TOK_PCSC_OK)
        return map(rv);
    names[cap - 1] = 0; /* bounded however the list ended */
    names[cap - 2] = 0;
    for (const char *p = names; *p != 0; p += strlen(p) + 1)
        (*count)++;
    return OPGP_TOK_OK;
}

opgp_tok_rv opgp_tok_readers_list(opgp_tok_readers *r, opgp_tok_reader *out, size_t max,
                                  size_t *count)
{
    if (r == NULL || count == NULL || (out == NULL && max != 0))
        return OPGP_TOK_BAD_INPUT;
    char names[4096];
    size_t n;
    opgp_tok_rv res = names_now(r, names, sizeof names, &n);
    *count = 0;
    if (res != OPGP_TOK_OK || n == 0)
        return res;
    tok_pcsc_state st[OPGP_TOK_MAX_READERS];
    size_t k = 0;
    for (const char *p = names; *p != 0 && k < OPGP_TOK_MAX_READERS && k < max;
         p += strlen(p) + 1) {
        if (strlen(p) >= OPGP_TOK_READER_NAME)
            continue;
        st[k].reader = p;
        st[k].current = TOK_STATE_UNAWARE;
        st[k].event = 0;
        k++;
    }
    long rv = k > 0 ? tok_pcsc_wait(r->ctx, 0, st, k) : TOK_PCSC_OK;
    if (rv != TOK_PCSC_OK && map(rv) != OPGP_TOK_TIMEOUT)
        return map(rv);
    for (size_t i = 0; i < k; i++) {
        memset(&out[i], 0, sizeof out[i]);
        strcpy(out[i].name, st[i].reader); /* length checked above */
        out[i].card_present = (st[i].event & TOK_STATE_PRESENT) != 0;
        out[i].events = (st[i].event >> 16) & 0xFFFFul;
    }
    *count = k;
    return OPGP_TOK_OK;
}

opgp_tok_rv opgp_tok_readers_wait(opgp_tok_readers *r, const opgp_tok_reader *known,
                                  size_t count, long timeout_ms, opgp_tok_reader *changed)
{
    if (r == NULL || changed == NULL || (known == NULL && count != 0) ||
        count >= OPGP_TOK_MAX_READERS)
        return OPGP_TOK_BAD_INPUT;
    tok_pcsc_state st[OPGP_TOK_MAX_READERS + 1];
    size_t n = 0;
    for (size_t i = 0; i < count; i++, n++) {
        st[n].reader = known[i].name;
        st[n].current = (known[i].card_present ? TOK_STATE_PRESENT : TOK_STATE_EMPTY) |
                        (known[i].events & 0xFFFFul) << 16;
    }
    /* Reader arrival and departure, where the PC/SC service reports it. */
    st[n].reader = TOK_PNP_READER;
    st[n].current = (unsigned long)count << 16;
    n++;
    for (;;) {
        long rv = tok_pcsc_wait(r->ctx, timeout_ms, st, n);
        if (rv != TOK_PCSC_OK)
            return map(rv);
        for (size_t i = 0; i < count; i++) {
            unsigned long ev = st[i].event;
            bool present = (ev & TOK_STATE_PRESENT) != 0;
            unsigned long events = (ev >> 16) & 0xFFFFul;
            if ((ev & TOK_STATE_UNKNOWN) || present != known[i].card_present ||
                events != (known[i].events & 0xFFFFul)) {
                memset(changed, 0, sizeof *changed);
                memcpy(changed->name, known[i].name, sizeof changed->name - 1);
                changed->card_present = present && !(ev & TOK_STATE_UNKNOWN);
                changed->events = events;
                return OPGP_TOK_OK;
            }
        }
        if (st[count].event & TOK_STATE_CHANGED) {
            memset(changed, 0, sizeof *changed); /* a reader came or went: no name */
            return OPGP_TOK_OK;
        }
        if (timeout_ms == 0)
            return OPGP_TOK_TIMEOUT;
        /* A difference that is not ours to report (in use, mute...): wait from the state PC/SC
         * reported, so the next wait blocks until something else moves. */
        for (size_t i = 0; i < n; i++)
            st[i].current = st[i].event & ~TOK_STATE_CHANGED;
    }
}

void opgp_tok_readers_cancel(opgp_tok_readers *r)
{
    if (r != NULL)
        (void)tok_pcsc_cancel(r->ctx);
}
