/* The reader layer replaced by a simulated card behind a pinpad reader (pinpad_sim_reader.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "opgp/host_reader.h"
#include "opgp/minidriver_test.h"
#include "pinpad_sim_reader.h"

#define FAKE_CARD ((uintptr_t)0x5ca4e)

opgp_sim *pinpad_sim;
static char reader_name[128];

long opgp_host_reader_connect(const char *reader, opgp_host_reader *r)
{
    memset(r, 0, sizeof *r);
    if (pinpad_sim == NULL || reader == NULL || strcmp(reader, reader_name) != 0)
        return (long)0x80100009; /* SCARD_E_UNKNOWN_READER */
    r->ctx = 1;
    r->card = FAKE_CARD;
    r->protocol = 2;
    r->atr_len = opgp_sim_atr(pinpad_sim, r->atr, sizeof r->atr);
    snprintf(r->name, sizeof r->name, "%s", reader);
    return 0;
}

long opgp_host_reader_reset(opgp_host_reader *r)
{
    (void)r;
    opgp_sim_reset(pinpad_sim);
    return 0;
}

void opgp_host_reader_disconnect(opgp_host_reader *r) { memset(r, 0, sizeof *r); }
long opgp_host_reader_begin(uintptr_t card) { (void)card; return 0; }
long opgp_host_reader_end(uintptr_t card) { (void)card; return 0; }
bool opgp_host_reader_card_gone(uintptr_t card)
{
    (void)card;
    return !opgp_sim_present(pinpad_sim);
}

static opgp_transport *provide(void *arg, uintptr_t hscard)
{
    return hscard == FAKE_CARD ? opgp_sim_transport_new(arg) : NULL;
}

opgp_sim *pinpad_sim_insert(const char *reader, uint32_t serial, const char *pinpad_pin)
{
    opgp_sim_options o;
    memset(&o, 0, sizeof o);
    o.serial = serial;
    pinpad_sim = opgp_sim_new(&o);
    assert_non_null(pinpad_sim);
    assert_int_equal(opgp_sim_provision(pinpad_sim, "rsa2048"), 0);
    opgp_sim_set_pinpad(pinpad_sim, pinpad_pin);
    snprintf(reader_name, sizeof reader_name, "%s", reader);
    opgpmd_set_transport_provider(provide, pinpad_sim);
    return pinpad_sim;
}

void pinpad_sim_remove(void)
{
    opgpmd_set_transport_provider(NULL, NULL);
    opgp_sim_free(pinpad_sim);
    pinpad_sim = NULL;
}

opgp_sim_stats pinpad_sim_stats(void)
{
    opgp_sim_stats st;
    opgp_sim_get_stats(pinpad_sim, &st);
    return st;
}

opgp_token *pinpad_sim_token_open(uint32_t serial, const char *pinpad_pin)
{
    pinpad_sim_insert("sim", serial, pinpad_pin);
    opgp_token *t = NULL;
    assert_int_equal(opgp_token_open("sim", &t), OPGP_TOK_OK);
    return t;
}

void pinpad_sim_token_close(opgp_token *t)
{
    opgp_token_close(t);
    pinpad_sim_remove();
}
