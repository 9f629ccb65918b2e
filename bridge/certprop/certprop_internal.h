/* bridge/certprop inside: the cards' certificates (certprop_cards.c, over the token API) and
 * the MY store (certprop_store_win32.c). */
#ifndef OPGP_CERTPROP_INTERNAL_H
#define OPGP_CERTPROP_INTERNAL_H

#include <stdint.h>

#include "opgp/certprop.h"
#include "opgp/host_token.h"

typedef struct cp_cert {
    certprop_entry e;       /* planned: where the key is, what the certificate is called */
    uint8_t *der;
    size_t len;
} cp_cert;

typedef struct cp_card {
    char reader[OPGP_TOK_READER_NAME];
    char serial[17];
    cp_cert certs[OPGP_TOK_CONTAINERS];
    size_t ncerts;
} cp_card;

/* The OpenPGP cards in reader (or in every reader, reader NULL) and the certificates their key
 * slots hold. Readers without a card or with another kind of card are skipped when none is
 * named. *cards: calloc'ed, cp_free_cards. */
certprop_rv cp_read_cards(const char *reader, cp_card **cards, size_t *ncards, char *msg,
                          size_t cap);
void cp_free_cards(cp_card *cards, size_t ncards);

/* A sentence for a token error. */
const char *cp_tok_error(opgp_tok_rv r);

#endif
