/* The certificates on the cards, through bridge/host's token API: which readers hold an
 * OpenPGP card, and for each key slot with a key and a certificate, the certificate and the
 * provider/container its key is reached by. No PIN: certificates are public. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certprop_internal.h"
#include "winprov.h"

const char *cp_tok_error(opgp_tok_rv r)
{
    switch (r) {
    case OPGP_TOK_OK: return "no error";
    case OPGP_TOK_NO_CARD: return "no card in the reader (or it was removed)";
    case OPGP_TOK_CARD_RESET: return "the card was reset";
    case OPGP_TOK_UNKNOWN_CARD: return "no minidriver is registered for this card";
    case OPGP_TOK_NO_READER: return "no such reader";
    case OPGP_TOK_NO_KEY: return "no key";
    case OPGP_TOK_UNSUPPORTED: return "the card cannot do this";
    case OPGP_TOK_BAD_INPUT: return "the card's data is malformed";
    case OPGP_TOK_NO_MEMORY: return "out of memory";
    case OPGP_TOK_TIMEOUT: return "timeout";
    case OPGP_TOK_CANCELLED: return "cancelled";
    case OPGP_TOK_DEVICE_ERROR: return "the smart card service or the card failed";
    default: return "the card refused";
    }
}

/* One token's certificates into card. OPGP_TOK_NO_KEY etc. for a slot are not errors. */
static certprop_rv read_token(opgp_token *t, const char *reader, cp_card *card, char *msg,
                              size_t cap)
{
    opgp_tok_info info;
    opgp_tok_rv r = opgp_token_info(t, &info);
    if (r != OPGP_TOK_OK) {
        snprintf(msg, cap, "reader \"%s\": cannot read the card: %s", reader, cp_tok_error(r));
        return CERTPROP_CARD_ERROR;
    }
    snprintf(card->reader, sizeof card->reader, "%s", reader);
    snprintf(card->serial, sizeof card->serial, "%s", info.serial);
    for (unsigned i = 0; i < OPGP_TOK_CONTAINERS; i++) {
        opgp_tok_key key;
        r = opgp_token_key(t, i, &key);
        if (r == OPGP_TOK_NO_KEY)
            continue;               /* a certificate without its key points nowhere */
        if (r != OPGP_TOK_OK) {
            snprintf(msg, cap, "reader \"%s\", card %s: container %u: %s", reader, info.serial,
                     i, cp_tok_error(r));
            return CERTPROP_CARD_ERROR;
        }
        uint8_t *der = NULL;
        size_t len = 0;
        r = opgp_token_cert(t, i, &der, &len);
        if (r == OPGP_TOK_NO_KEY || (r == OPGP_TOK_OK && len == 0)) {
            free(der);
            continue;
        }
        const char *slot = certprop_slot_word(key.role);
        if (r != OPGP_TOK_OK) {
            snprintf(msg, cap, "card %s: cannot read the %s certificate: %s", info.serial,
                     slot != NULL ? slot : "?", cp_tok_error(r));
            return r == OPGP_TOK_NO_MEMORY ? CERTPROP_NO_MEMORY : CERTPROP_CARD_ERROR;
        }
        cp_cert *c = &card->certs[card->ncerts];
        memset(c, 0, sizeof *c);
        if (!certprop_plan(info.serial, info.label, key.role, (int)key.type, &c->e)) {
            free(der);
            continue;               /* a container the minidriver gives no OpenPGP role */
        }
        snprintf(c->e.reader, sizeof c->e.reader, "%s", reader);
        c->der = der;
        c->len = len;
        card->ncerts++;
    }
    return CERTPROP_OK;
}

certprop_rv cp_read_cards(const char *reader, cp_card **cards, size_t *ncards, char *msg,
                          size_t cap)
{
    *cards = NULL;
    *ncards = 0;
    opgp_tok_reader list[OPGP_TOK_MAX_READERS];
    size_t count = 0;
    opgp_tok_rv r = winprov_list_readers(list, &count);
    if (r != OPGP_TOK_OK && r != OPGP_TOK_NO_READER) {
        snprintf(msg, cap, "cannot list the smart card readers: %s", cp_tok_error(r));
        return CERTPROP_NO_READER;
    }
    if (count == 0) {
        snprintf(msg, cap, "no smart card reader");
        return CERTPROP_NO_READER;
    }
    cp_card *out = calloc(count, sizeof *out);
    if (out == NULL) {
        snprintf(msg, cap, "out of memory");
        return CERTPROP_NO_MEMORY;
    }
    bool reader_found = false;
    certprop_rv rv = CERTPROP_OK;
    size_t n = 0;
    for (size_t i = 0; i < count && rv == CERTPROP_OK; i++) {
        if (reader != NULL && strcmp(list[i].name, reader) != 0)
            continue;
        reader_found = true;
        if (!list[i].card_present) {
            if (reader != NULL) {
                snprintf(msg, cap, "no card in reader \"%s\"", reader);
                rv = CERTPROP_NO_CARD;
            }
            continue;
        }
        opgp_token *t = NULL;
        r = opgp_token_open(list[i].name, &t);
        if (r != OPGP_TOK_OK) {
            /* Another kind of card in some reader is no error when no reader was named. */
            if (reader != NULL) {
                snprintf(msg, cap, "reader \"%s\": %s", reader, cp_tok_error(r));
                rv = r == OPGP_TOK_NO_CARD || r == OPGP_TOK_UNKNOWN_CARD ? CERTPROP_NO_CARD
                                                                         : CERTPROP_CARD_ERROR;
            }
            continue;
        }
        rv = read_token(t, list[i].name, &out[n], msg, cap);
        opgp_token_close(t);
        if (rv == CERTPROP_OK)
            n++;
    }
    if (rv == CERTPROP_OK && reader != NULL && !reader_found) {
        snprintf(msg, cap, "no reader named \"%s\"", reader);
        rv = CERTPROP_NO_READER;
    }
    if (rv == CERTPROP_OK && n == 0) {
        snprintf(msg, cap, "no OpenPGP card in any reader");
        rv = CERTPROP_NO_CARD;
    }
    if (rv != CERTPROP_OK) {
        cp_free_cards(out, count);
        return rv;
    }
    *cards = out;
    *ncards = n;
    return CERTPROP_OK;
}

void cp_free_cards(cp_card *cards, size_t ncards)
{
    if (cards == NULL)
        return;
    for (size_t i = 0; i < ncards; i++)
        for (size_t k = 0; k < cards[i].ncerts; k++)
            free(cards[i].certs[k].der);
    free(cards);
}
