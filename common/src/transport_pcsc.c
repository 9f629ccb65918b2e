/* PC/SC transport. DWORD and LONG come from the platform's headers (64-bit on pcsc-lite/Linux,
 * 32-bit on Windows), so every size crossing the API is range-checked before the cast. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opgp/transport_pcsc.h"
#include "pcsc_names.h"

#define ANY_PROTOCOL (SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
#define MAX_PCSC_ATR 64 /* larger than both MAX_ATR_SIZE values (33 pcsc-lite, 36 Windows) */

typedef struct pcsc_transport {
    opgp_transport base; /* first: the opgp_transport pointer is this struct */
    SCARDCONTEXT ctx;
    SCARDHANDLE card;
    DWORD protocol;
    int owned;
} pcsc_transport;

static int is(long rv, LONG code)
{
    return (uint32_t)rv == (uint32_t)code;
}

opgp_status opgp_pcsc_map_error(long rv)
{
    if (rv == 0)
        return OPGP_OK;
    if (is(rv, SCARD_W_RESET_CARD))
        return OPGP_E_CARD_RESET;
    if (is(rv, SCARD_W_REMOVED_CARD) || is(rv, SCARD_E_NO_SMARTCARD) ||
        is(rv, SCARD_W_UNPOWERED_CARD))
        return OPGP_E_NO_CARD;
    if (is(rv, SCARD_E_TIMEOUT))
        return OPGP_E_TIMEOUT;
    if (is(rv, SCARD_E_SHARING_VIOLATION))
        return OPGP_E_SHARING;
    if (is(rv, SCARD_E_UNKNOWN_READER) || is(rv, SCARD_E_NO_READERS_AVAILABLE) ||
        is(rv, SCARD_E_READER_UNAVAILABLE))
        return OPGP_E_NO_READER;
    if (is(rv, SCARD_E_INSUFFICIENT_BUFFER))
        return OPGP_E_BUFFER_TOO_SMALL;
    if (is(rv, SCARD_E_NO_MEMORY))
        return OPGP_E_NO_MEMORY;
    if (is(rv, SCARD_E_INVALID_PARAMETER) || is(rv, SCARD_E_INVALID_VALUE))
        return OPGP_E_INVALID_ARG;
    if (is(rv, SCARD_E_UNSUPPORTED_FEATURE))
        return OPGP_E_NOT_SUPPORTED;
    return OPGP_E_TRANSPORT;
}

static const SCARD_IO_REQUEST *pci_for(DWORD protocol)
{
    return protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
}

/* After another application reset the card: reconnect without touching the card again, so the
 * next call works, and let the caller know once that its card-side state is gone. */
static opgp_status after_reset(pcsc_transport *p)
{
    DWORD proto = 0;
    LONG rv = SCardReconnect(p->card, SCARD_SHARE_SHARED, ANY_PROTOCOL, SCARD_LEAVE_CARD, &proto);
    if (rv != SCARD_S_SUCCESS)
        return opgp_pcsc_map_error(rv);
    p->protocol = proto;
    return OPGP_E_CARD_RESET;
}

static opgp_status pcsc_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                 uint8_t *resp, size_t *resp_len)
{
    pcsc_transport *p = (pcsc_transport *)t;
    if (cmd_len > OPGP_MAX_COMMAND || *resp_len < 2)
        return OPGP_E_INVALID_ARG;
    DWORD rlen = (DWORD)(*resp_len > OPGP_MAX_RESPONSE ? OPGP_MAX_RESPONSE : *resp_len);
    LONG rv = SCardTransmit(p->card, pci_for(p->protocol), cmd, (DWORD)cmd_len, NULL, resp,
                            &rlen);
    if (is(rv, SCARD_W_RESET_CARD))
        return after_reset(p);
    if (rv != SCARD_S_SUCCESS)
        return opgp_pcsc_map_error(rv);
    if (rlen > *resp_len)
        return OPGP_E_BAD_RESPONSE;
    *resp_len = rlen;
    return OPGP_OK;
}

static opgp_status pcsc_begin(opgp_transport *t)
{
    pcsc_transport *p = (pcsc_transport *)t;
    LONG rv = SCardBeginTransaction(p->card);
    if (is(rv, SCARD_W_RESET_CARD)) {
        opgp_status st = after_reset(p);
        if (st != OPGP_E_CARD_RESET)
            return st;
        rv = SCardBeginTransaction(p->card);
        return rv == SCARD_S_SUCCESS ? OPGP_E_CARD_RESET : opgp_pcsc_map_error(rv);
    }
    return opgp_pcsc_map_error(rv);
}

static opgp_status pcsc_end(opgp_transport *t)
{
    pcsc_transport *p = (pcsc_transport *)t;
    return opgp_pcsc_map_error(SCardEndTransaction(p->card, SCARD_LEAVE_CARD));
}

static opgp_status pcsc_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    pcsc_transport *p = (pcsc_transport *)t;
    BYTE buf[MAX_PCSC_ATR];
    DWORD len = sizeof buf, proto = 0;
    LONG rv = opgp_pcsc_status_raw(p->card, &proto, buf, &len);
    if (is(rv, SCARD_W_RESET_CARD))
        return after_reset(p);
    if (rv != SCARD_S_SUCCESS)
        return opgp_pcsc_map_error(rv);
    if (len > sizeof buf)
        return OPGP_E_TRANSPORT;
    if (len > *atr_len)
        return OPGP_E_BUFFER_TOO_SMALL;
    memcpy(atr, buf, len);
    *atr_len = len;
    return OPGP_OK;
}

static opgp_status pcsc_control(opgp_transport *t, uint32_t code, const uint8_t *in,
                                size_t in_len, uint8_t *out, size_t *out_len)
{
    pcsc_transport *p = (pcsc_transport *)t;
    size_t cap = out_len ? *out_len : 0;
    if ((in_len && !in) || (cap && !out) || in_len > 0xFFFF || cap > 0xFFFF)
        return OPGP_E_INVALID_ARG;
    if (code == OPGP_CONTROL_GET_FEATURE_REQUEST)
        code = (uint32_t)opgp_pcsc_ctl_code(3400);
    DWORD returned = 0;
    LONG rv = SCardControl(p->card, (DWORD)code, in, (DWORD)in_len, out, (DWORD)cap, &returned);
    if (is(rv, SCARD_W_RESET_CARD))
        return after_reset(p);
    if (rv != SCARD_S_SUCCESS)
        return opgp_pcsc_map_error(rv);
    if (returned > cap)
        return OPGP_E_BAD_RESPONSE;
    if (out_len)
        *out_len = returned;
    return OPGP_OK;
}

static void pcsc_close(opgp_transport *t)
{
    pcsc_transport *p = (pcsc_transport *)t;
    if (p->owned) {
        SCardDisconnect(p->card, SCARD_LEAVE_CARD);
        SCardReleaseContext(p->ctx);
    }
    free(p);
}

static const struct opgp_transport_ops pcsc_ops = {
    .transmit = pcsc_transmit,
    .begin = pcsc_begin,
    .end = pcsc_end,
    .get_atr = pcsc_get_atr,
    .control = pcsc_control,
    .close = pcsc_close,
};

static opgp_status new_transport(SCARDCONTEXT ctx, SCARDHANDLE card, DWORD protocol, int owned,
                                 opgp_transport **out)
{
    pcsc_transport *p = calloc(1, sizeof *p);
    if (!p)
        return OPGP_E_NO_MEMORY;
    p->base.ops = &pcsc_ops;
    p->ctx = ctx;
    p->card = card;
    p->protocol = protocol;
    p->owned = owned;
    *out = &p->base;
    return OPGP_OK;
}

/* The reader multi-string of ctx, malloc'ed. */
static opgp_status reader_names(SCARDCONTEXT ctx, char **names, DWORD *len)
{
    DWORD n = 0;
    LONG rv = opgp_pcsc_list_raw(ctx, NULL, &n);
    if (rv != SCARD_S_SUCCESS)
        return opgp_pcsc_map_error(rv);
    if (n == 0 || n > 1024 * 1024)
        return OPGP_E_NO_READER;
    char *buf = malloc(n);
    if (!buf)
        return OPGP_E_NO_MEMORY;
    rv = opgp_pcsc_list_raw(ctx, buf, &n);
    if (rv != SCARD_S_SUCCESS) {
        free(buf);
        return opgp_pcsc_map_error(rv);
    }
    if (n == 0) {
        free(buf);
        return OPGP_E_NO_READER;
    }
    buf[n - 1] = '\0'; /* terminate even if the service did not */
    *names = buf;
    *len = n;
    return OPGP_OK;
}

opgp_status opgp_pcsc_list_readers(char *names, size_t *len)
{
    if (!len)
        return OPGP_E_INVALID_ARG;
    SCARDCONTEXT ctx;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS)
        return opgp_pcsc_map_error(rv);
    char *all = NULL;
    DWORD n = 0;
    opgp_status st = reader_names(ctx, &all, &n);
    SCardReleaseContext(ctx);
    if (st != OPGP_OK)
        return st;
    if (names && *len >= n)
        memcpy(names, all, n);
    else if (names)
        st = OPGP_E_BUFFER_TOO_SMALL;
    *len = n;
    free(all);
    return st;
}

opgp_status opgp_pcsc_open(const char *reader, opgp_transport **out)
{
    if (!out)
        return OPGP_E_INVALID_ARG;
    *out = NULL;
    SCARDCONTEXT ctx;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS)
        return opgp_pcsc_map_error(rv);

    SCARDHANDLE card = 0;
    DWORD proto = 0;
    opgp_status st;
    if (reader) {
        st = opgp_pcsc_map_error(
            opgp_pcsc_connect_raw(ctx, reader, SCARD_SHARE_SHARED, ANY_PROTOCOL, &card, &proto));
    } else {
        char *names = NULL;
        DWORD n = 0;
        st = reader_names(ctx, &names, &n);
        if (st == OPGP_OK) {
            st = OPGP_E_NO_CARD;
            for (const char *r = names; *r && r < names + n; r += strlen(r) + 1) {
                card = 0;
                opgp_status one = opgp_pcsc_map_error(opgp_pcsc_connect_raw(
                    ctx, r, SCARD_SHARE_SHARED, ANY_PROTOCOL, &card, &proto));
                if (one == OPGP_OK || one == OPGP_E_SHARING) {
                    /* a card in exclusive use elsewhere is still the first card found */
                    st = one;
                    if (one == OPGP_OK)
                        break;
                }
            }
            free(names);
        }
    }
    if (st == OPGP_OK)
        st = new_transport(ctx, card, proto, 1, out);
    if (st != OPGP_OK) {
        if (card)
            SCardDisconnect(card, SCARD_LEAVE_CARD);
        SCardReleaseContext(ctx);
    }
    return st;
}

opgp_status opgp_pcsc_wrap(SCARDCONTEXT ctx, SCARDHANDLE card, opgp_transport **out)
{
    if (!out)
        return OPGP_E_INVALID_ARG;
    *out = NULL;
    BYTE atr[MAX_PCSC_ATR];
    DWORD atr_len = sizeof atr, proto = 0;
    LONG rv = opgp_pcsc_status_raw(card, &proto, atr, &atr_len);
    if (rv != SCARD_S_SUCCESS)
        return opgp_pcsc_map_error(rv);
    return new_transport(ctx, card, proto, 0, out);
}
