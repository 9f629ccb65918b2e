/* bridge/host: the consumer-facing token API (PKCS#11 now; CSP/KSP later).
 *
 * A reader may hold a card; a token is one card seen through its minidriver: bridge/host loads
 * the minidriver for the card's ATR, opens a host context (CARD_DATA with the Base CSP's cache)
 * and offers what a consumer needs in plain C types: no cardmod, PC/SC or common/ types leak.
 *
 * Containers are the minidriver's; which OpenPGP key each holds (its role) and the key metadata
 * come from the minidriver's vendor properties (minidriver/VENDOR.md; no card access); public
 * keys and certificates are read lazily, through the host cache, and kept until the card
 * changes. Keys cardmod cannot express (brainpool, secp256k1, Ed25519, X25519) are used
 * through the minidriver's vendor key specs.
 *
 * Thread safety: every call on one token takes the token's mutex; a card transaction never
 * outlives a call. Reset: the next call reconnects, the PIN states are gone (the caller sees
 * OPGP_TOK_CARD_RESET once and must log in again). Removal: OPGP_TOK_NO_CARD, the token stays
 * unusable and the caller closes it.
 *
 * PINs: a PIN the card rejected is never sent again. One exception to "no PIN is kept", as
 * Windows' Base CSP keeps a PinCacheNormal PIN: the user PIN of a successful USER login is
 * kept (in this token's memory only, never logged) while that login lasts, to verify the
 * signature key's state (PW1 as 81, unless the card wants the PIN for every signature) when a
 * signature first needs it, and to verify again once, in the same card transaction as one
 * retry, when a private-key operation finds the verification forgotten (6982: another process
 * logged out); if the card rejects it there (the PIN was changed), the operation returns
 * OPGP_TOK_PIN_INCORRECT / _LOCKED with the tries noted and the PIN is wiped. It is wiped on
 * logout, PIN change or unblock, reset, removal and close. */
#ifndef OPGP_HOST_TOKEN_H
#define OPGP_HOST_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum opgp_tok_rv {
    OPGP_TOK_OK = 0,
    OPGP_TOK_NO_CARD,           /* no card in the reader, or it was removed */
    OPGP_TOK_CARD_RESET,        /* the card was reset: reconnected, every PIN state lost */
    OPGP_TOK_UNKNOWN_CARD,      /* no minidriver serves this card */
    OPGP_TOK_NO_READER,
    OPGP_TOK_PIN_INCORRECT,
    OPGP_TOK_PIN_LOCKED,
    OPGP_TOK_PIN_LEN_RANGE,
    OPGP_TOK_NOT_LOGGED_IN,     /* the card refused: its security status is not satisfied */
    OPGP_TOK_NO_KEY,            /* no such container, or no key in it */
    OPGP_TOK_UNSUPPORTED,       /* the card (or its minidriver) cannot do this */
    OPGP_TOK_BAD_INPUT,         /* data the card or minidriver rejected as malformed */
    OPGP_TOK_BUFFER_TOO_SMALL,  /* *len holds the size needed */
    OPGP_TOK_NO_MEMORY,
    OPGP_TOK_TIMEOUT,
    OPGP_TOK_CANCELLED,
    OPGP_TOK_DEVICE_ERROR
} opgp_tok_rv;

/* ---- readers and card events (PC/SC, inside bridge/host) ---------------------------------- */

#define OPGP_TOK_MAX_READERS 16
#define OPGP_TOK_READER_NAME 128

typedef struct opgp_tok_reader {
    char name[OPGP_TOK_READER_NAME];
    bool card_present;
    unsigned long events;       /* PC/SC's event counter: changes on insertion, removal, reset */
} opgp_tok_reader;

typedef struct opgp_tok_readers opgp_tok_readers;

opgp_tok_rv opgp_tok_readers_open(opgp_tok_readers **out);
void opgp_tok_readers_close(opgp_tok_readers *r);
/* The readers now, with card presence; at most max entries. OPGP_TOK_OK with *count 0 when
 * there is none. */
opgp_tok_rv opgp_tok_readers_list(opgp_tok_readers *r, opgp_tok_reader *out, size_t max,
                                  size_t *count);
/* Wait until a reader's card state (presence, event counter) differs from known[] or a reader
 * appears; timeout_ms < 0 waits until opgp_tok_readers_cancel. *changed: the reader's name.
 * OPGP_TOK_TIMEOUT, OPGP_TOK_CANCELLED. */
opgp_tok_rv opgp_tok_readers_wait(opgp_tok_readers *r, const opgp_tok_reader *known,
                                  size_t count, long timeout_ms, opgp_tok_reader *changed);
/* Callable from any thread: ends a pending wait with OPGP_TOK_CANCELLED. */
void opgp_tok_readers_cancel(opgp_tok_readers *r);

/* ---- a token --------------------------------------------------------------------------- */

typedef struct opgp_token opgp_token;

/* Connect to the card in reader, load its minidriver, open a host context. */
opgp_tok_rv opgp_token_open(const char *reader, opgp_token **out);
void opgp_token_close(opgp_token *t);

typedef enum opgp_tok_pin {
    OPGP_TOK_PIN_USER = 1,      /* PW1: authentication, decryption (and signatures unless
                                   the card asks for the PIN per signature) */
    OPGP_TOK_PIN_ADMIN = 2,     /* PW3 */
    OPGP_TOK_PIN_SIGN = 3,      /* PW1 for the signature key (its own card state) */
    OPGP_TOK_PIN_PUK = 4        /* the Reset Code: unblocks PW1 */
} opgp_tok_pin;

typedef struct opgp_tok_info {
    char label[33];             /* UTF-8, NUL-terminated: the cardholder name when the card
                                   has one, else "OpenPGP card <serial>" */
    char serial[17];            /* hex of the minidriver's serial number */
    uint8_t cardid[16];
    int tries[5];               /* by opgp_tok_pin: the card's counters as the minidriver
                                   knows them (no APDU); -1 when it cannot say */
    bool sign_pin_always;       /* the signature PIN must be given for every signature */
    bool logged_in[5];          /* by opgp_tok_pin: the minidriver's authenticated state */
    bool read_only;
    bool protected_path;        /* the reader has a pinpad the minidriver uses (PIN_INFO
                                   ExternalPinType): log in with no PIN value */
} opgp_tok_info;

/* Cheap: no APDU beyond what the minidriver already knows. */
opgp_tok_rv opgp_token_info(opgp_token *t, opgp_tok_info *out);

typedef enum opgp_tok_keytype {
    OPGP_TOK_KEY_NONE = 0,
    OPGP_TOK_KEY_RSA,
    OPGP_TOK_KEY_EC,            /* ECDSA / ECDH on a Weierstrass curve */
    OPGP_TOK_KEY_ED25519,
    OPGP_TOK_KEY_X25519
} opgp_tok_keytype;

#define OPGP_TOK_CONTAINERS 3
#define OPGP_TOK_MAX_PUB 1024   /* RSA-8192 modulus, any EC point */

/* Which OpenPGP key a container holds (the card's key reference: also opgp's CKA_ID). */
#define OPGP_TOK_ROLE_SIG 1
#define OPGP_TOK_ROLE_DEC 2
#define OPGP_TOK_ROLE_AUT 3

typedef struct opgp_tok_key {
    unsigned index;             /* container */
    unsigned role;              /* OPGP_TOK_ROLE_* */
    opgp_tok_keytype type;
    unsigned bits;              /* RSA modulus, EC field size */
    uint8_t ec_params[16];      /* DER OID of the curve (EC, Ed25519, X25519) */
    size_t ec_params_len;
    bool can_sign, can_decrypt, can_derive;
    opgp_tok_pin pin;           /* the PIN that guards the key */
} opgp_tok_key;

/* The key of a container (no APDU). OPGP_TOK_NO_KEY when empty. */
opgp_tok_rv opgp_token_key(opgp_token *t, unsigned index, opgp_tok_key *out);
/* The role of a container, with or without a key (no APDU). */
opgp_tok_rv opgp_token_role(opgp_token *t, unsigned index, unsigned *role);

/* The public key: RSA modulus and exponent big-endian, EC point 04||X||Y, 32 bytes for
 * Ed25519 / X25519 (exp_len 0). Read once, then kept. */
opgp_tok_rv opgp_token_public_key(opgp_token *t, unsigned index, uint8_t *pub, size_t *pub_len,
                                  uint8_t *exp, size_t *exp_len);

/* The container's certificate (DER) in a malloc'ed copy (free()); OPGP_TOK_NO_KEY when the
 * container has none. Read once through the host cache, then kept. */
opgp_tok_rv opgp_token_cert(opgp_token *t, unsigned index, uint8_t **der, size_t *len);
/* Write (admin PIN verified) or delete (der NULL) the container's certificate. */
opgp_tok_rv opgp_token_cert_write(opgp_token *t, unsigned index, const uint8_t *der,
                                  size_t len);

/* ---- PINs -------------------------------------------------------------------------------- */

/* Verify a PIN. A PIN the card rejects is never sent again by this layer; *tries (may be
 * NULL) the attempts left when the card said. USER verifies PW1 for authentication and
 * decryption; the signature key's state (SIGN) is verified with the same PIN when a signature
 * first needs it (see "PINs" above), unless the card asks for the PIN per signature (then SIGN
 * is a context-specific login of its own). value NULL and len 0: the PIN is typed on the
 * reader's pinpad (protected_path in opgp_tok_info; OPGP_TOK_BAD_INPUT without one,
 * OPGP_TOK_CANCELLED when the user cancels on the reader); the signature key's state is then
 * asked on the pinpad when a signature first needs it. */
opgp_tok_rv opgp_token_login(opgp_token *t, opgp_tok_pin pin, const uint8_t *value,
                             size_t len, int *tries);
opgp_tok_rv opgp_token_logout(opgp_token *t);
/* Change a PIN with its old value (USER, ADMIN; PUK: new Reset Code, old = admin PIN). */
opgp_tok_rv opgp_token_change_pin(opgp_token *t, opgp_tok_pin pin, const uint8_t *old_pin,
                                  size_t old_len, const uint8_t *new_pin, size_t new_len,
                                  int *tries);
/* Set PW1 to new_pin, authenticated by the Reset Code (by PUK), or by the admin PIN (by ADMIN):
 * its value, or auth NULL / auth_len 0 when ADMIN is logged in already (OPGP_TOK_NOT_LOGGED_IN
 * otherwise, nothing sent). */
opgp_tok_rv opgp_token_unblock_user(opgp_token *t, opgp_tok_pin by, const uint8_t *auth,
                                    size_t auth_len, const uint8_t *new_pin, size_t new_len,
                                    int *tries);

/* ---- private key operations -------------------------------------------------------------- */

/* The DER DigestInfo prefix (RFC 8017 section 9.2, note 1) that goes before a hash of
 * *hash_len bytes in an RSA PKCS#1 v1.5 signature input; NULL for an unknown digest. */
typedef enum opgp_tok_digest {
    OPGP_TOK_DIGEST_MD5,
    OPGP_TOK_DIGEST_SHA1,
    OPGP_TOK_DIGEST_SHA224,
    OPGP_TOK_DIGEST_SHA256,
    OPGP_TOK_DIGEST_SHA384,
    OPGP_TOK_DIGEST_SHA512
} opgp_tok_digest;
const uint8_t *opgp_token_digest_info(opgp_tok_digest d, size_t *prefix_len, size_t *hash_len);

/* Sign. RSA: in is the DigestInfo (or any data the card pads with PKCS#1 v1.5). EC: the
 * digest; the signature is r||s. Ed25519: the message. *sig_len in: capacity, out: size. */
opgp_tok_rv opgp_token_sign(opgp_token *t, unsigned index, const uint8_t *in, size_t in_len,
                            uint8_t *sig, size_t *sig_len);
/* The size a signature will have (no APDU). */
opgp_tok_rv opgp_token_sign_size(opgp_token *t, unsigned index, size_t *len);
/* RSA PKCS#1 v1.5 decryption: in is the cryptogram (modulus size); out the message. */
opgp_tok_rv opgp_token_decrypt(opgp_token *t, unsigned index, const uint8_t *in, size_t in_len,
                               uint8_t *out, size_t *out_len);
/* ECDH: peer is the uncompressed point 04||X||Y (X25519: its 32 bytes); out the raw shared
 * secret, big-endian X (X25519: RFC 7748's 32 bytes). */
opgp_tok_rv opgp_token_derive(opgp_token *t, unsigned index, const uint8_t *peer,
                              size_t peer_len, uint8_t *out, size_t *out_len);
/* Generate a key in the container (admin PIN verified). bits for RSA; ec_params the DER OID
 * for EC (NIST P-256/384/521, brainpool P256r1/P384r1/P512r1, secp256k1: what the card has);
 * ED25519 (signature or authentication container) and X25519 (decryption container) need no
 * ec_params. OPGP_TOK_UNSUPPORTED: the container, card or minidriver cannot hold such a key
 * (nothing was changed on the card). */
opgp_tok_rv opgp_token_generate(opgp_token *t, unsigned index, opgp_tok_keytype type,
                                unsigned bits, const uint8_t *ec_params, size_t ec_params_len);
/* The raw value of one public OpenPGP data object (tag: 6E, 65, 5E, 5F50, 7A, 7F74, F9, 5F52,
 * 4F), through the minidriver's "opgp Data Object" property; the caller decodes it. *len in:
 * capacity, out: size (0 for an empty DO). OPGP_TOK_BUFFER_TOO_SMALL with *len the size
 * needed; OPGP_TOK_UNSUPPORTED for any other tag (private DOs, secrets) or a minidriver
 * without the property; OPGP_TOK_NO_KEY when the card has no such DO. */
opgp_tok_rv opgp_token_read_do(opgp_token *t, unsigned tag, uint8_t *buf, size_t *len);
/* Random bytes from the card (GET CHALLENGE through the minidriver's random property). */
opgp_tok_rv opgp_token_random(opgp_token *t, uint8_t *out, size_t len);

/* Zero a secret so that the compiler cannot drop the stores. */
void opgp_tok_wipe(void *p, size_t n);

#endif
