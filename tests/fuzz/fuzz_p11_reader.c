/* The reader layer replaced for the PKCS#11 fuzz targets (fuzz_p11_reader.h). */
#include "fuzz_p11_reader.h"

#include <stdio.h>
#include <string.h>

#include "opgp/host_reader.h"
#include "opgp/host_token.h"

/* The PC/SC card handle of reader n's card, as the minidriver's hook sees it. */
#define FAKE_CARD(n) ((uintptr_t)0xf0220 + (n))
#define SCARD_E_UNKNOWN_READER ((long)0x80100009)

static struct {
    opgpmd_transport_provider provide;
    void *arg;
    unsigned long events;
} readers[FUZZ_P11_READERS];

/* The minidriver's process-wide selection hint (minidriver/src/selection_hint.c, md.h): the
 * ATR of the card last opened, after which a new context reads 6E without SELECT. Reset on
 * every insertion, so that each fuzz input starts from the same state (its first context
 * SELECTs, later ones take the hint) and replays exactly. */
void md_selection_opened(const uint8_t *atr, size_t len);

static opgp_transport *dispatch(void *arg, uintptr_t hscard)
{
    (void)arg;
    for (unsigned n = 0; n < FUZZ_P11_READERS; n++)
        if (hscard == FAKE_CARD(n) && readers[n].provide != NULL)
            return readers[n].provide(readers[n].arg, hscard);
    return NULL;
}

void fuzz_p11_reader_insert(unsigned n, opgpmd_transport_provider provide, void *arg)
{
    static const uint8_t no_card[] = {0x00};
    md_selection_opened(no_card, sizeof no_card);
    readers[n].provide = provide;
    readers[n].arg = arg;
    readers[n].events++;
    opgpmd_set_transport_provider(dispatch, NULL);
}

static int reader_index(const char *name)
{
    unsigned n;
    char tail;
    if (name == NULL || sscanf(name, "Fuzz reader %2u 00%c", &n, &tail) != 1 ||
        n >= FUZZ_P11_READERS)
        return -1;
    return (int)n;
}

/* ---- host_token.h: the reader list ------------------------------------------------------ */

struct opgp_tok_readers {
    int unused;
};
static struct opgp_tok_readers the_readers;

opgp_tok_rv opgp_tok_readers_open(opgp_tok_readers **out)
{
    *out = &the_readers;
    return OPGP_TOK_OK;
}

void opgp_tok_readers_close(opgp_tok_readers *r) { (void)r; }

opgp_tok_rv opgp_tok_readers_list(opgp_tok_readers *r, opgp_tok_reader *out, size_t max,
                                  size_t *count)
{
    (void)r;
    *count = 0;
    for (unsigned n = 0; n < FUZZ_P11_READERS && *count < max; n++) {
        opgp_tok_reader *o = &out[(*count)++];
        memset(o, 0, sizeof *o);
        snprintf(o->name, sizeof o->name, "Fuzz reader %02u 00", n);
        o->card_present = readers[n].provide != NULL;
        o->events = readers[n].events;
    }
    return OPGP_TOK_OK;
}

opgp_tok_rv opgp_tok_readers_wait(opgp_tok_readers *r, const opgp_tok_reader *known,
                                  size_t count, long timeout_ms, opgp_tok_reader *changed)
{
    (void)r, (void)known, (void)count, (void)timeout_ms, (void)changed;
    return OPGP_TOK_TIMEOUT; /* nothing is inserted or removed while a target runs */
}

void opgp_tok_readers_cancel(opgp_tok_readers *r) { (void)r; }

/* ---- host_reader.h: the connection ------------------------------------------------------ */

long opgp_host_reader_connect(const char *reader, opgp_host_reader *r)
{
    /* An OpenPGP card 3.4 ATR; what the card says comes from the transport. */
    static const unsigned char atr[] = {0x3B, 0xDA, 0x18, 0xFF, 0x81, 0xB1, 0xFE, 0x75, 0x1F,
                                        0x03, 0x00, 0x31, 0xF5, 0x73, 0xC0, 0x01, 0x60, 0x00,
                                        0x90, 0x00, 0x1C};
    memset(r, 0, sizeof *r);
    int n = reader_index(reader);
    if (n < 0 || readers[n].provide == NULL)
        return SCARD_E_UNKNOWN_READER;
    r->ctx = 1;
    r->card = FAKE_CARD(n);
    r->protocol = 2;
    memcpy(r->atr, atr, sizeof atr);
    r->atr_len = sizeof atr;
    snprintf(r->name, sizeof r->name, "%s", reader);
    return 0;
}

long opgp_host_reader_reset(opgp_host_reader *r)
{
    (void)r;
    return 0;
}

void opgp_host_reader_disconnect(opgp_host_reader *r) { memset(r, 0, sizeof *r); }
long opgp_host_reader_begin(uintptr_t card) { (void)card; return 0; }
long opgp_host_reader_end(uintptr_t card) { (void)card; return 0; }
bool opgp_host_reader_card_gone(uintptr_t card)
{
    for (unsigned n = 0; n < FUZZ_P11_READERS; n++)
        if (card == FAKE_CARD(n))
            return readers[n].provide == NULL;
    return true;
}
