#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hex.h"
#include "mock_transport.h"

#define MOCK_MAX_STEPS 64
#define MOCK_MAX_BYTES 4096

typedef struct mock_step {
    uint8_t cmd[MOCK_MAX_BYTES];
    size_t cmd_len;
    uint8_t resp[MOCK_MAX_BYTES];
    size_t resp_len;
    opgp_status error;
    bool forever;
} mock_step;

struct mock_transport {
    opgp_transport base;
    mock_step steps[MOCK_MAX_STEPS];
    size_t count, next, calls;
};

static opgp_status mock_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                 uint8_t *resp, size_t *resp_len)
{
    mock_transport *m = (mock_transport *)t;
    m->calls++;
    assert_true(m->next < m->count); /* an unexpected extra command */
    mock_step *s = &m->steps[m->next];
    char want[2 * MOCK_MAX_BYTES + 1], got[2 * MOCK_MAX_BYTES + 1];
    opgp_hex_encode(s->cmd, s->cmd_len, want, sizeof want);
    opgp_hex_encode(cmd, cmd_len, got, sizeof got);
    assert_string_equal(got, want);
    if (!s->forever)
        m->next++;
    if (s->error != OPGP_OK)
        return s->error;
    if (s->resp_len > *resp_len)
        return OPGP_E_BUFFER_TOO_SMALL;
    memcpy(resp, s->resp, s->resp_len);
    *resp_len = s->resp_len;
    return OPGP_OK;
}

static opgp_status mock_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    (void)t;
    static const uint8_t fixed[] = {0x3B, 0x80, 0x80, 0x01, 0x01};
    if (*atr_len < sizeof fixed)
        return OPGP_E_BUFFER_TOO_SMALL;
    memcpy(atr, fixed, sizeof fixed);
    *atr_len = sizeof fixed;
    return OPGP_OK;
}

static void mock_close(opgp_transport *t)
{
    (void)t; /* freed by mock_transport_free: tests inspect it after the layer closes it */
}

static const struct opgp_transport_ops mock_ops = {
    .transmit = mock_transmit,
    .get_atr = mock_get_atr,
    .close = mock_close,
};

mock_transport *mock_transport_new(void)
{
    mock_transport *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->base.ops = &mock_ops;
    return m;
}

opgp_transport *mock_transport_base(mock_transport *m)
{
    return &m->base;
}

static mock_step *add_step(mock_transport *m, const char *cmd_hex)
{
    assert_true(m->count < MOCK_MAX_STEPS);
    mock_step *s = &m->steps[m->count++];
    memset(s, 0, sizeof *s);
    long n = opgp_hex_decode(cmd_hex, strlen(cmd_hex), s->cmd, sizeof s->cmd);
    assert_true(n >= 0);
    s->cmd_len = (size_t)n;
    return s;
}

static void set_resp(mock_step *s, const char *resp_hex)
{
    long n = opgp_hex_decode(resp_hex, strlen(resp_hex), s->resp, sizeof s->resp);
    assert_true(n >= 0);
    s->resp_len = (size_t)n;
}

void mock_expect(mock_transport *m, const char *cmd_hex, const char *resp_hex)
{
    set_resp(add_step(m, cmd_hex), resp_hex);
}

void mock_expect_error(mock_transport *m, const char *cmd_hex, opgp_status st)
{
    add_step(m, cmd_hex)->error = st;
}

void mock_expect_forever(mock_transport *m, const char *cmd_hex, const char *resp_hex)
{
    mock_step *s = add_step(m, cmd_hex);
    set_resp(s, resp_hex);
    s->forever = true;
}

size_t mock_pending(const mock_transport *m)
{
    return m->count - m->next;
}

size_t mock_calls(const mock_transport *m)
{
    return m->calls;
}

void mock_transport_free(mock_transport *m)
{
    free(m);
}
