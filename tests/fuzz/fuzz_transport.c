/* The fuzz-input transport (see fuzz_transport.h). */
#include "fuzz_transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgp/apdu.h"

#define INS_VERIFY 0x20

void fuzz_assert(bool cond, const char *what, const char *file, int line)
{
    if (cond)
        return;
    fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, what);
    abort();
}

static void trace_bytes(const char *dir, const uint8_t *b, size_t n)
{
    fprintf(stderr, "%s ", dir);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%02X", b[i]);
    fputc('\n', stderr);
}

static opgp_status transport_error(uint8_t k)
{
    static const opgp_status errors[] = {OPGP_E_CARD_RESET, OPGP_E_NO_CARD, OPGP_E_TRANSPORT,
                                         OPGP_E_TIMEOUT};
    return errors[k % (sizeof errors / sizeof errors[0])];
}

static opgp_status ft_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                               uint8_t *resp, size_t *resp_len)
{
    fuzz_transport *ft = (fuzz_transport *)t;
    ft->transmits++;
    FUZZ_ASSERT(cmd != NULL && cmd_len >= 4 && cmd_len <= OPGP_MAX_COMMAND,
                "command length within ISO 7816-4 limits");
    opgp_apdu dec;
    opgp_status dst = opgp_apdu_decode(cmd, cmd_len, &dec, NULL);
    if (ft->check_commands)
        FUZZ_ASSERT(dst == OPGP_OK, "every command sent decodes as an APDU");
    if (dst == OPGP_OK && dec.ins == INS_VERIFY && dec.data_len > 0)
        ft->verify_with_data++;
    if (ft->trace)
        trace_bytes(">", cmd, cmd_len);

    size_t cap = *resp_len;
    if (ft->left < 2) {
        ft->after_end++;
        ft->left = 0;
        FUZZ_ASSERT(cap >= 2, "room for a status word");
        resp[0] = 0x6F;
        resp[1] = 0x00;
        *resp_len = 2;
        if (ft->trace)
            trace_bytes("<", resp, 2);
        return OPGP_OK;
    }
    size_t n = ((size_t)ft->p[0] << 8) | ft->p[1];
    ft->p += 2;
    ft->left -= 2;
    if (n == 0xFFFF) {
        uint8_t k = ft->left ? ft->p[0] : 0;
        if (ft->left) {
            ft->p++;
            ft->left--;
        }
        if (ft->trace)
            fprintf(stderr, "< (transport error %d)\n", (int)transport_error(k));
        return transport_error(k);
    }
    if (n > ft->left)
        n = ft->left;
    const uint8_t *src = ft->p;
    ft->p += n;
    ft->left -= n;
    if (ft->trace)
        trace_bytes("<", src, n);
    /* A reader that gets more than the caller's buffer holds fails the call (PC/SC:
     * SCARD_E_INSUFFICIENT_BUFFER); it never writes past it. */
    if (n > cap)
        return OPGP_E_TRANSPORT;
    if (n)
        memcpy(resp, src, n);
    *resp_len = n;
    return OPGP_OK;
}

static opgp_status ft_begin(opgp_transport *t)
{
    ((fuzz_transport *)t)->begins++;
    return OPGP_OK;
}

static opgp_status ft_end(opgp_transport *t)
{
    ((fuzz_transport *)t)->ends++;
    return OPGP_OK;
}

static opgp_status ft_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    (void)t;
    /* An OpenPGP card 3.4 ATR (CanoKey-like); the core does not depend on it. */
    static const uint8_t a[] = {0x3B, 0xF7, 0x11, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x65,
                                0x43, 0x61, 0x6E, 0x6F, 0x6B, 0x65, 0x79, 0x99};
    if (*atr_len < sizeof a)
        return OPGP_E_BUFFER_TOO_SMALL;
    memcpy(atr, a, sizeof a);
    *atr_len = sizeof a;
    return OPGP_OK;
}

static void ft_close(opgp_transport *t)
{
    (void)t; /* owned by the target's stack frame */
}

static const struct opgp_transport_ops ft_ops = {
    .transmit = ft_transmit,
    .begin = ft_begin,
    .end = ft_end,
    .get_atr = ft_get_atr,
    .control = NULL,
    .close = ft_close,
};

void fuzz_transport_init(fuzz_transport *ft, const uint8_t *stream, size_t len)
{
    memset(ft, 0, sizeof *ft);
    ft->base.ops = &ft_ops;
    ft->p = stream;
    ft->left = stream ? len : 0;
    ft->check_commands = true;
    ft->trace = getenv("OPGP_FUZZ_TRACE") != NULL;
    /* libFuzzer runs an input a second time when it suspects a leak: mark each run. */
    if (ft->trace)
        fprintf(stderr, "# run\n");
}
