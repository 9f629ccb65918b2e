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

#define MOCK_MAX_CONTROLS 8

typedef struct mock_control {
    uint32_t code;
    uint8_t in[256];
    size_t in_len;
    uint8_t out[256];
    size_t out_len;
} mock_control;

struct mock_transport {
    opgp_transport base;
    mock_step steps[MOCK_MAX_STEPS];
    size_t count, next, calls;
    mock_control controls[MOCK_MAX_CONTROLS];
    size_t control_count, control_next;
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

static opgp_status mock_control_op(opgp_transport *t, uint32_t code, const uint8_t *in,
                                   size_t in_len, uint8_t *out, size_t *out_len)
{
    mock_transport *m = (mock_transport *)t;
    if (m->control_next == m->control_count)
        return OPGP_E_NOT_SUPPORTED;
    mock_control *c = &m->controls[m->control_next++];
    assert_int_equal(code, c->code);
    char want[2 * 256 + 1], got[2 * 256 + 1];
    assert_true(in_len <= 256);
    opgp_hex_encode(c->in, c->in_len, want, sizeof want);
    opgp_hex_encode(in, in_len, got, sizeof got);
    assert_string_equal(got, want);
    if (!out_len || c->out_len > *out_len)
        return OPGP_E_BUFFER_TOO_SMALL;
    memcpy(out, c->out, c->out_len);
    *out_len = c->out_len;
    return OPGP_OK;
}

void mock_expect_control(mock_transport *m, uint32_t code, const char *in_hex, const char *out_hex)
{
    assert_true(m->control_count < MOCK_MAX_CONTROLS);
    mock_control *c = &m->controls[m->control_count++];
    memset(c, 0, sizeof *c);
    c->code = code;
    long n = opgp_hex_decode(in_hex, strlen(in_hex), c->in, sizeof c->in);
    assert_true(n >= 0);
    c->in_len = (size_t)n;
    n = opgp_hex_decode(out_hex, strlen(out_hex), c->out, sizeof c->out);
    assert_true(n >= 0);
    c->out_len = (size_t)n;
}

size_t mock_control_pending(const mock_transport *m)
{
    return m->control_count - m->control_next;
}

static void mock_close(opgp_transport *t)
{
    (void)t; /* freed by mock_transport_free: tests inspect it after the layer closes it */
}

static const struct opgp_transport_ops mock_ops = {
    .transmit = mock_transmit,
    .get_atr = mock_get_atr,
    .control = mock_control_op,
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
