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
    /* The user PIN (PW1) of a USER login the card accepted, kept while that login lasts, as the
     * Base CSP keeps a PinCacheNormal PIN: for the lazy VERIFY of the signature key's state
     * (PW1 as 81) and for one VERIFY again when the card forgot a verification (token_pin.c).
     * Never logged; wiped by tok_forget_pin (logout, PIN change, a rejected re-VERIFY, reset,
     * removal, close). */
    uint8_t user_pin[128];
    size_t user_pin_len;
    bool user_pin_signs;        /* the signature PIN's policy is normal too: it verifies 81 */
    /* The last USER login was typed on the reader's pinpad: the signature PIN (81), when a
     * signature first needs it, is asked on the pinpad too (nothing to keep). */
    bool user_pinpad;
};

void tok_forget_pin(opgp_token *t);
/* token_pin.c, lock held. Whether a kept PIN may verify pin (USER; SIGN unless the card wants
 * the PIN for every signature). */
bool tok_pin_kept(const opgp_token *t, opgp_tok_pin pin);
/* VERIFY pin with the kept PIN (the caller holds the card transaction for what follows).
 * OPGP_TOK_NOT_LOGGED_IN when none is kept for it. A PIN the card rejects is wiped at once
 * (never sent again) and its error returned, the tries left noted for opgp_token_info. */
opgp_tok_rv tok_verify_kept(opgp_token *t, opgp_tok_pin pin);
/* token_crypto.c's rule for a private-key operation the card refused (rv, lock and card
 * transaction held): true when the card forgot the verification (SCARD_W_SECURITY_VIOLATION,
 * 6982: another process logged out) and the kept PIN verified pin again: run the operation
 * once more. Otherwise *r is what to return. */
bool tok_reauth(opgp_token *t, opgp_tok_pin pin, DWORD rv, opgp_tok_rv *r);
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
