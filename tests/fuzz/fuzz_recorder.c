/* The recording transport on the simulator (fuzz_recorder.h). */
#include "fuzz_recorder.h"

#include "fuzz_transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rec_transport {
    opgp_transport base; /* first */
    opgp_transport *inner;
    fuzz_recorder *r;
} rec_transport;

static void append(fuzz_recorder *r, const uint8_t *p, size_t n)
{
    if (r->len + n > r->cap) {
        size_t cap = (r->len + n) * 2;
        uint8_t *b = realloc(r->buf, cap);
        if (b == NULL)
            abort();
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, p, n);
    r->len += n;
}

static opgp_status rec_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                uint8_t *resp, size_t *resp_len)
{
    rec_transport *rt = (rec_transport *)t;
    opgp_status st = opgp_transport_transmit(rt->inner, cmd, cmd_len, resp, resp_len);
    if (getenv("OPGP_FUZZ_TRACE") != NULL) {
        fprintf(stderr, "> ");
        for (size_t i = 0; i < cmd_len; i++)
            fprintf(stderr, "%02X", cmd[i]);
        fprintf(stderr, "\n< ");
        for (size_t i = 0; st == OPGP_OK && i < *resp_len; i++)
            fprintf(stderr, "%02X", resp[i]);
        fprintf(stderr, "\n");
    }
    if (st != OPGP_OK) {
        /* fuzz_transport's failure record: FF FF, then k (0 reset, 1 removed, 2 transport). */
        uint8_t fail[3] = {0xFF, 0xFF, st == OPGP_E_CARD_RESET ? 0 : st == OPGP_E_NO_CARD ? 1 : 2};
        append(rt->r, fail, sizeof fail);
        return st;
    }
    uint8_t hdr[2] = {(uint8_t)(*resp_len >> 8), (uint8_t)*resp_len};
    append(rt->r, hdr, sizeof hdr);
    append(rt->r, resp, *resp_len);
    return OPGP_OK;
}

static opgp_status rec_begin(opgp_transport *t)
{
    return opgp_transport_begin(((rec_transport *)t)->inner);
}

static opgp_status rec_end(opgp_transport *t)
{
    return opgp_transport_end(((rec_transport *)t)->inner);
}

/* fuzz_transport's ATR, not the simulator's: the core chooses short or extended APDUs from
 * it, and the replay must send the same commands. */
static opgp_status rec_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    (void)t;
    fuzz_transport ft;
    fuzz_transport_init(&ft, NULL, 0);
    return opgp_transport_get_atr(&ft.base, atr, atr_len);
}

static void rec_close(opgp_transport *t)
{
    rec_transport *rt = (rec_transport *)t;
    opgp_transport_close(rt->inner);
    free(rt);
}

static const struct opgp_transport_ops rec_ops = {
    .transmit = rec_transmit,
    .begin = rec_begin,
    .end = rec_end,
    .get_atr = rec_get_atr,
    .control = NULL, /* no pinpad: fuzz_transport has none either */
    .close = rec_close,
};

int fuzz_recorder_start(fuzz_recorder *r, const char *alg)
{
    memset(r, 0, sizeof *r);
    opgp_sim_options o;
    memset(&o, 0, sizeof o);
    o.serial = 0x0F022001;
    r->sim = opgp_sim_new(&o);
    if (r->sim == NULL || opgp_sim_provision(r->sim, alg) != 0) {
        fuzz_recorder_stop(r);
        return -1;
    }
    return 0;
}

opgp_transport *fuzz_recorder_provide(void *arg, uintptr_t hscard)
{
    (void)hscard;
    fuzz_recorder *r = arg;
    rec_transport *rt = calloc(1, sizeof *rt);
    if (rt == NULL)
        return NULL;
    rt->base.ops = &rec_ops;
    rt->r = r;
    rt->inner = opgp_sim_transport_new(r->sim);
    if (rt->inner == NULL) {
        free(rt);
        return NULL;
    }
    return &rt->base;
}

int fuzz_recorder_save(const fuzz_recorder *r, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    size_t w = r->len ? fwrite(r->buf, 1, r->len, f) : 0;
    return fclose(f) == 0 && w == r->len ? 0 : -1;
}

void fuzz_recorder_stop(fuzz_recorder *r)
{
    if (r->sim != NULL)
        opgp_sim_free(r->sim);
    free(r->buf);
    memset(r, 0, sizeof *r);
}
