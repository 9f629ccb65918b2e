/* The in-process transport: the core talks to the simulator without PC/SC. */
#include <stdlib.h>

#include "sim_internal.h"

typedef struct sim_transport {
    opgp_transport base; /* first member: the core sees an opgp_transport */
    opgp_sim *sim;
} sim_transport;

static opgp_status t_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
                              size_t *resp_len)
{
    opgp_sim *s = ((sim_transport *)t)->sim;
    if (s->reset_seen) {
        s->reset_seen = false;
        *resp_len = 0;
        return OPGP_E_CARD_RESET;
    }
    size_t n = opgp_sim_process(s, cmd, cmd_len, resp, *resp_len);
    if (n == 0) {
        *resp_len = 0;
        if (s->reset_seen) {
            s->reset_seen = false;
            return OPGP_E_CARD_RESET;
        }
        return OPGP_E_NO_CARD;
    }
    *resp_len = n;
    return OPGP_OK;
}

static opgp_status t_begin(opgp_transport *t)
{
    opgp_sim *s = ((sim_transport *)t)->sim;
    if (!opgp_sim_present(s))
        return OPGP_E_NO_CARD;
    if (s->reset_seen) {
        s->reset_seen = false;
        return OPGP_E_CARD_RESET;
    }
    return OPGP_OK;
}

static opgp_status t_end(opgp_transport *t)
{
    (void)t;
    return OPGP_OK;
}

static opgp_status t_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    opgp_sim *s = ((sim_transport *)t)->sim;
    if (!opgp_sim_present(s))
        return OPGP_E_NO_CARD;
    size_t n = opgp_sim_atr(s, atr, *atr_len);
    if (!n)
        return OPGP_E_BUFFER_TOO_SMALL;
    *atr_len = n;
    return OPGP_OK;
}

static opgp_status t_control(opgp_transport *t, uint32_t code, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t *out_len)
{
    opgp_sim *s = ((sim_transport *)t)->sim;
    if (s->reset_seen) {
        s->reset_seen = false;
        return OPGP_E_CARD_RESET;
    }
    return sim_pinpad_control(s, code, in, in_len, out, out_len);
}

static void t_close(opgp_transport *t)
{
    free(t);
}

static const struct opgp_transport_ops SIM_OPS = {
    .transmit = t_transmit,
    .begin = t_begin,
    .end = t_end,
    .get_atr = t_get_atr,
    .control = t_control,
    .close = t_close,
};

opgp_transport *opgp_sim_transport_new(opgp_sim *s)
{
    if (!s)
        return NULL;
    sim_transport *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->base.ops = &SIM_OPS;
    t->sim = s;
    return &t->base;
}
