/* What the token's source files share. Not installed. */
#ifndef OPGP_HOST_TOKEN_INTERNAL_H
#define OPGP_HOST_TOKEN_INTERNAL_H

#include "opgp/host.h"
#include "opgp/host_reader.h"
#include "opgp/host_token.h"
#include "lock.h"

typedef struct tok_container {
    bool known;                 /* metadata read */
    unsigned role;              /* OPGP_TOK_ROLE_*, 0 until known (even for empty slots) */
    opgp_tok_key key;
    DWORD keyspec;              /* the minidriver's AT_*, 0 for keys cardmod cannot express */
    DWORD vendor_spec;          /* AT_OPGP_ECDSA / AT_OPGP_EDDSA when keyspec is 0 */
    bool raw_dh;                /* ECDH with OPGP_DH_RAW_PUBLIC_KEY (no cardmod ECDH spec) */
    bool sig_cert;              /* certificate file ksc (else kxc) */
    bool pub_known;
    uint8_t pub[OPGP_TOK_MAX_PUB];
    size_t pub_len;
    uint8_t exp[16];
    size_t exp_len;
    bool cert_known;
    uint8_t *cert;              /* malloc'ed, NULL: none */
    size_t cert_len;
} tok_container;

struct opgp_token {
    opgp_host_lock *lock;
    opgp_host_reader reader;
    opgp_host_module module;
    WCHAR card_name[OPGP_HOST_MAX_CARD_NAME];
    opgp_host_context *ctx;
    bool removed;
    int tries[5];
    tok_container c[OPGP_TOK_CONTAINERS];
    /* The user PIN of the last USER login, kept for one lazy VERIFY of the signature PIN
     * (see host_token.h); wiped by tok_forget_pin. */
    uint8_t user_pin[128];
    size_t user_pin_len;
};

void tok_forget_pin(opgp_token *t);
/* token_label.c: the label for a cardholder name (len bytes, as stored), NUL-terminated
 * UTF-8 in out (capacity cap); empty when the name has nothing to show. */
void tok_holder_label(const char *name, size_t len, char *out, size_t cap);

/* Map a minidriver / PC/SC code; a removal marks the token dead, a reset forgets the
 * containers' login-dependent state (nothing: PIN states live in the minidriver). */
opgp_tok_rv tok_map(opgp_token *t, DWORD rv);
PCARD_DATA tok_cd(opgp_token *t);
/* Take the lock; OPGP_TOK_NO_CARD (lock not held) when the card is gone. */
opgp_tok_rv tok_enter(opgp_token *t);
void tok_leave(opgp_token *t);
/* Metadata of container index (lock held). */
opgp_tok_rv tok_container_load(opgp_token *t, unsigned index, tok_container **out);
void tok_containers_forget(opgp_token *t);

#endif
