/* Native card access: the minidriver's transport provider hook, an APDU-counting wrapper, and
 * the in-process simulator (see card_access.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "card_access.h"
#include "opgp/minidriver_test.h"
#include "opgp/transport_pcsc.h"
#include "opgp_sim.h"

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER; /* the simulator is single-threaded */
/* A transaction holds the card for one transport, as SCardBeginTransaction does: others wait
 * (their transmits too) until it ends. Under sim_lock. */
static pthread_cond_t card_free = PTHREAD_COND_INITIALIZER;
static uintptr_t card_owner; /* the hScard holding the card, 0: nobody */
static unsigned card_depth;
static opgp_sim *sim;
static unsigned long apdus;            /* under sim_lock */
static unsigned long reset_generation; /* under sim_lock */

#define MAX_HANDLES 64
static struct { uintptr_t card, ctx; } handles[MAX_HANDLES]; /* under sim_lock */

typedef struct counting {
    opgp_transport base;
    opgp_transport *inner;
    bool is_sim;
    uintptr_t hscard;         /* the context's card handle: transactions are per handle */
    unsigned long generation; /* the last reset this transport reported */
} counting;

static opgp_status c_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                              uint8_t *resp, size_t *resp_len)
{
    counting *c = (counting *)t;
    if (!c->is_sim) {
        /* PC/SC blocks inside while another handle holds a transaction: never hold a lock of
         * ours across it. */
        pthread_mutex_lock(&sim_lock);
        apdus++;
        pthread_mutex_unlock(&sim_lock);
        return opgp_transport_transmit(c->inner, cmd, cmd_len, resp, resp_len);
    }
    pthread_mutex_lock(&sim_lock);
    while (c->is_sim && card_owner != 0 && card_owner != c->hscard)
        pthread_cond_wait(&card_free, &sim_lock);
    opgp_status s;
    if (c->is_sim && c->generation != reset_generation) {
        c->generation = reset_generation;
        *resp_len = 0;
        s = OPGP_E_CARD_RESET;
    } else {
        apdus++;
        s = opgp_transport_transmit(c->inner, cmd, cmd_len, resp, resp_len);
    }
    pthread_mutex_unlock(&sim_lock);
    return s;
}

static opgp_status c_begin(opgp_transport *t)
{
    counting *c = (counting *)t;
    if (!c->is_sim)
        return opgp_transport_begin(c->inner);
    pthread_mutex_lock(&sim_lock);
    while (c->is_sim && card_owner != 0 && card_owner != c->hscard)
        pthread_cond_wait(&card_free, &sim_lock);
    opgp_status s;
    if (c->is_sim && c->generation != reset_generation) {
        c->generation = reset_generation;
        s = OPGP_E_CARD_RESET;
    } else {
        s = opgp_transport_begin(c->inner);
    }
    /* Held even across a reset report, as PC/SC leaves the transaction on the reset card. */
    if (c->is_sim && (s == OPGP_OK || s == OPGP_E_CARD_RESET)) {
        card_owner = c->hscard;
        card_depth++;
    }
    pthread_mutex_unlock(&sim_lock);
    return s;
}

static opgp_status c_end(opgp_transport *t)
{
    counting *c = (counting *)t;
    if (!c->is_sim)
        return opgp_transport_end(c->inner);
    pthread_mutex_lock(&sim_lock);
    opgp_status s = opgp_transport_end(c->inner);
    if (c->is_sim && card_owner == c->hscard && card_depth > 0 && --card_depth == 0) {
        card_owner = 0;
        pthread_cond_broadcast(&card_free);
    }
    pthread_mutex_unlock(&sim_lock);
    return s;
}

static opgp_status c_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    counting *c = (counting *)t;
    if (!c->is_sim)
        return opgp_transport_get_atr(c->inner, atr, atr_len);
    pthread_mutex_lock(&sim_lock);
    opgp_status s = opgp_transport_get_atr(c->inner, atr, atr_len);
    pthread_mutex_unlock(&sim_lock);
    return s;
}

static opgp_status c_control(opgp_transport *t, uint32_t code, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t *out_len)
{
    counting *c = (counting *)t;
    return opgp_transport_control(c->inner, code, in, in_len, out, out_len);
}

static void c_close(opgp_transport *t)
{
    counting *c = (counting *)t;
    pthread_mutex_lock(&sim_lock);
    if (c->is_sim && card_owner == c->hscard) {
        /* Closed inside a transaction: release it, as SCardDisconnect does. */
        card_owner = 0;
        card_depth = 0;
        pthread_cond_broadcast(&card_free);
    }
    pthread_mutex_unlock(&sim_lock);
    opgp_transport_close(c->inner);
    free(c);
}

static const struct opgp_transport_ops COUNTING_OPS = {
    .transmit = c_transmit,
    .begin = c_begin,
    .end = c_end,
    .get_atr = c_get_atr,
    .control = c_control,
    .close = c_close,
};

static opgp_transport *wrap(opgp_transport *inner, bool is_sim, uintptr_t hscard)
{
    if (inner == NULL)
        return NULL;
    counting *c = calloc(1, sizeof *c);
    if (c == NULL) {
        opgp_transport_close(inner);
        return NULL;
    }
    c->base.ops = &COUNTING_OPS;
    c->inner = inner;
    c->is_sim = is_sim;
    c->hscard = hscard;
    pthread_mutex_lock(&sim_lock);
    c->generation = reset_generation;
    pthread_mutex_unlock(&sim_lock);
    return &c->base;
}

static opgp_transport *sim_provider(void *arg, uintptr_t hscard)
{
    (void)arg;
    return wrap(opgp_sim_transport_new(sim), true, hscard);
}

static opgp_transport *pcsc_provider(void *arg, uintptr_t hscard)
{
    (void)arg;
    uintptr_t ctx = 0;
    pthread_mutex_lock(&sim_lock);
    for (int i = 0; i < MAX_HANDLES; i++) {
        if (handles[i].card == hscard)
            ctx = handles[i].ctx;
    }
    pthread_mutex_unlock(&sim_lock);
    opgp_transport *t = NULL;
    if (opgp_pcsc_wrap((SCARDCONTEXT)ctx, (SCARDHANDLE)hscard, &t) != OPGP_OK)
        return NULL;
    return wrap(t, false, hscard);
}

bool ca_sim_start(const char *alg, const ca_card_options *o)
{
    opgp_sim_options opt;
    memset(&opt, 0, sizeof opt);
    opt.serial = 0x00C0FFEE;
    opt.t0 = o->t0;
    opt.no_extended = o->no_extended;
    opt.kdf = o->kdf;
    opt.pin_per_signature = o->pin_per_signature;
    opt.wrong_pin_6982 = o->wrong_pin_6982;
    sim = opgp_sim_new(&opt);
    if (sim == NULL || opgp_sim_provision(sim, alg) != 0) {
        ca_sim_stop();
        return false;
    }
    opgpmd_set_transport_provider(sim_provider, NULL);
    return true;
}

void ca_sim_stop(void)
{
    opgpmd_set_transport_provider(NULL, NULL);
    opgp_sim_free(sim);
    sim = NULL;
}

bool ca_sim_active(void) { return sim != NULL; }

size_t ca_sim_atr(uint8_t *atr, size_t cap) { return sim != NULL ? opgp_sim_atr(sim, atr, cap) : 0; }

void ca_pcsc_register(uintptr_t ctx, uintptr_t card)
{
    pthread_mutex_lock(&sim_lock);
    for (int i = 0; i < MAX_HANDLES; i++) {
        if (handles[i].card == 0 || handles[i].card == card) {
            handles[i].card = card;
            handles[i].ctx = ctx;
            break;
        }
    }
    pthread_mutex_unlock(&sim_lock);
}

void ca_pcsc_count_start(void) { opgpmd_set_transport_provider(pcsc_provider, NULL); }

long ca_pcsc_connect(uintptr_t ctx, const char *reader, uintptr_t *card)
{
    SCARDHANDLE h = 0;
    DWORD proto = 0;
    LONG rv = SCardConnect((SCARDCONTEXT)ctx, reader, SCARD_SHARE_SHARED,
                           SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, &h, &proto);
    if (rv != SCARD_S_SUCCESS)
        return (long)rv;
    *card = (uintptr_t)h;
    ca_pcsc_register(ctx, *card);
    return 0;
}

long ca_pcsc_disconnect_leave(uintptr_t card)
{
    /* Free its slot in handles: a run replacing handles makes hundreds of them. */
    pthread_mutex_lock(&sim_lock);
    for (int i = 0; i < MAX_HANDLES; i++) {
        if (handles[i].card == card)
            handles[i].card = handles[i].ctx = 0;
    }
    pthread_mutex_unlock(&sim_lock);
    return (long)SCardDisconnect((SCARDHANDLE)card, SCARD_LEAVE_CARD);
}

bool ca_apdus(unsigned long *n)
{
    pthread_mutex_lock(&sim_lock);
    *n = apdus;
    pthread_mutex_unlock(&sim_lock);
    return true;
}

bool ca_verifies(unsigned long *sent, unsigned long *failed)
{
    if (sim == NULL)
        return false;
    opgp_sim_stats st;
    pthread_mutex_lock(&sim_lock);
    opgp_sim_get_stats(sim, &st);
    pthread_mutex_unlock(&sim_lock);
    *sent = st.verifies;
    *failed = st.verifies_failed;
    return true;
}

bool ca_sim_reset_after(unsigned long after)
{
    if (sim == NULL)
        return false;
    opgp_sim_fault_spec f;
    memset(&f, 0, sizeof f);
    f.kind = OPGP_SIM_FAULT_RESET;
    f.after = after;
    f.count = 1;
    pthread_mutex_lock(&sim_lock);
    opgp_sim_fault(sim, &f);
    pthread_mutex_unlock(&sim_lock);
    return true;
}

uint32_t ca_sim_begin(uintptr_t hscard)
{
    pthread_mutex_lock(&sim_lock);
    while (card_owner != 0 && card_owner != hscard)
        pthread_cond_wait(&card_free, &sim_lock);
    card_owner = hscard;
    card_depth++;
    pthread_mutex_unlock(&sim_lock);
    return 0;
}

void ca_sim_end(uintptr_t hscard)
{
    pthread_mutex_lock(&sim_lock);
    if (card_owner == hscard && card_depth > 0 && --card_depth == 0) {
        card_owner = 0;
        pthread_cond_broadcast(&card_free);
    }
    pthread_mutex_unlock(&sim_lock);
}

bool ca_sim_reset(void)
{
    if (sim == NULL)
        return false;
    pthread_mutex_lock(&sim_lock);
    opgp_sim_reset(sim);
    reset_generation++;
    pthread_mutex_unlock(&sim_lock);
    return true;
}

/* Through pcscd, tests/with-card exports the simulator's keys as PEM files. */
static EVP_PKEY *exported_key(int slot)
{
    static const char *const names[] = { "sig", "dec", "aut" };
    const char *dir = getenv("OPGP_TEST_PUBKEYS");
    if (dir == NULL || slot < 0 || slot > 2)
        return NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.pem", dir, names[slot]);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    EVP_PKEY *pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    return pk;
}

bool ca_sim_public_key(int slot, uint8_t *buf, size_t *len)
{
    EVP_PKEY *pk;
    if (sim != NULL) {
        pthread_mutex_lock(&sim_lock);
        pk = opgp_sim_public_key(sim, slot);
        pthread_mutex_unlock(&sim_lock);
    } else {
        pk = exported_key(slot);
    }
    if (pk == NULL)
        return false;
    int n = i2d_PUBKEY(pk, NULL);
    bool ok = n > 0 && (size_t)n <= *len;
    if (ok) {
        unsigned char *p = buf;
        ok = i2d_PUBKEY(pk, &p) == n;
        *len = (size_t)n;
    }
    EVP_PKEY_free(pk);
    return ok;
}
