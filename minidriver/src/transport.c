/* Which transport a context talks through: the test provider when one is installed and
 * answers for this hScard, else PC/SC on the CSP's handles.
 *
 * The CSP may hand a context a different hScard between calls: smart card redirection
 * (remote desktop) reconnects and disconnects the old handle with the card left as it is.
 * The card object keeps one transport for the context's life, a handle-following one: its
 * inner transport is made again on the current handles when CARD_DATA's have changed
 * (md_transport_follow, at the start of every call). */
#include <stdlib.h>

#include "md.h"
#include "opgp/minidriver_test.h"
#include "pcsc_bridge.h"

static opgpmd_transport_provider provider_fn;
static void *provider_arg;

void opgpmd_set_transport_provider(opgpmd_transport_provider fn, void *arg)
{
    provider_fn = fn;
    provider_arg = arg;
}

typedef struct following {
    opgp_transport base;
    opgp_transport *inner;
    uintptr_t ctx, card; /* the handles inner was made on */
} following;

static opgp_status f_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                              uint8_t *resp, size_t *resp_len)
{
    return opgp_transport_transmit(((following *)t)->inner, cmd, cmd_len, resp, resp_len);
}

static opgp_status f_begin(opgp_transport *t)
{
    return opgp_transport_begin(((following *)t)->inner);
}

static opgp_status f_end(opgp_transport *t)
{
    return opgp_transport_end(((following *)t)->inner);
}

static opgp_status f_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    return opgp_transport_get_atr(((following *)t)->inner, atr, atr_len);
}

static opgp_status f_control(opgp_transport *t, uint32_t code, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t *out_len)
{
    return opgp_transport_control(((following *)t)->inner, code, in, in_len, out, out_len);
}

static void f_close(opgp_transport *t)
{
    following *f = (following *)t;
    opgp_transport_close(f->inner);
    free(f);
}

static const struct opgp_transport_ops FOLLOWING_OPS = {
    .transmit = f_transmit,
    .begin = f_begin,
    .end = f_end,
    .get_atr = f_get_atr,
    .control = f_control,
    .close = f_close,
};

static DWORD open_inner(uintptr_t ctx, uintptr_t card, opgp_transport **out)
{
    *out = NULL;
    if (provider_fn != NULL) {
        *out = provider_fn(provider_arg, card);
        if (*out != NULL)
            return SCARD_S_SUCCESS;
    }
    return md_status_to_scard(md_pcsc_wrap(ctx, card, out));
}

DWORD md_transport_open(PCARD_DATA d, opgp_transport **out)
{
    *out = NULL;
    following *f = calloc(1, sizeof *f);
    if (f == NULL)
        return SCARD_E_NO_MEMORY;
    f->base.ops = &FOLLOWING_OPS;
    f->ctx = (uintptr_t)d->hSCardCtx;
    f->card = (uintptr_t)d->hScard;
    DWORD rv = open_inner(f->ctx, f->card, &f->inner);
    if (rv != SCARD_S_SUCCESS) {
        free(f);
        return rv;
    }
    *out = &f->base;
    return SCARD_S_SUCCESS;
}

DWORD md_transport_follow(PCARD_DATA d, opgp_transport *t, bool *changed)
{
    following *f = (following *)t;
    uintptr_t ctx = (uintptr_t)d->hSCardCtx, card = (uintptr_t)d->hScard;
    *changed = false;
    if (card == f->card && ctx == f->ctx)
        return SCARD_S_SUCCESS;
    if (card == 0)
        return SCARD_E_INVALID_HANDLE;
    /* The old inner transport only wrapped the CSP's handles (never owned them): dropping it
     * sends nothing. A reconnect leaving the card does not reset it: the application stays
     * selected and verified PINs stay verified (the caller checks for a reset it cannot see). */
    opgp_transport *inner = NULL;
    DWORD rv = open_inner(ctx, card, &inner);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    opgp_transport_close(f->inner);
    f->inner = inner;
    f->ctx = ctx;
    f->card = card;
    *changed = true;
    return SCARD_S_SUCCESS;
}
