/* bridge/certprop: certificate propagation, as Windows' Certificate Propagation Service does it.
 *
 * Each certificate a card keeps next to a key goes into the user's MY store
 * (CurrentUser\MY, CERT_STORE_ADD_REPLACE_EXISTING) with CERT_KEY_PROV_INFO_PROP_ID naming the
 * provider and container that hold its key: RSA keys our CSP ("opgp OpenPGP CSP",
 * PROV_RSA_FULL; AT_SIGNATURE for sig, AT_KEYEXCHANGE for aut and dec, as the CSP and the
 * minidriver's cmapfile), every other key our KSP ("opgp OpenPGP KSP", provider type 0, key
 * spec 0); containers "opgp-<serial>-<sig|dec|aut>"; friendly name "<cardholder or serial>
 * <slot>". A property of our own (CERTPROP_MARK_PROP_ID) marks what we added, so that
 * certprop_remove takes away exactly those certificates.
 *
 * Cards are reached through bridge/host's token API alone (opgp/host_token.h). This header is
 * plain C (the tool's portable code includes it); the library is Windows-only. */
#ifndef OPGP_CERTPROP_H
#define OPGP_CERTPROP_H

#include <stdbool.h>
#include <stddef.h>

#define CERTPROP_CSP_NAME "opgp OpenPGP CSP"
#define CERTPROP_KSP_NAME "opgp OpenPGP KSP"
/* The mark is the certificate's description (CERT_DESCRIPTION_PROP_ID, a UTF-16 string kept
 * with the certificate in the store, shown by certmgr): "opgp-certprop <serial> <slot>". Not a
 * user-defined property ID (0x8000..0xFFFF): Wine 8's crypt32 refuses to set those. */
#define CERTPROP_MARK_PROP_ID 13u
#define CERTPROP_MARK_PREFIX "opgp-certprop "

typedef enum certprop_rv {
    CERTPROP_OK = 0,
    CERTPROP_NO_READER,     /* no reader, or not the one named */
    CERTPROP_NO_CARD,       /* no card in the reader named, or no OpenPGP card in any reader */
    CERTPROP_CARD_ERROR,    /* the card or its minidriver failed */
    CERTPROP_STORE_ERROR,   /* the MY store refused (message says which call, which error) */
    CERTPROP_BAD_INPUT,
    CERTPROP_NO_MEMORY
} certprop_rv;

typedef enum certprop_action {
    CERTPROP_ADDED,         /* new in MY */
    CERTPROP_REFRESHED,     /* was there from an earlier propagation: properties written again */
    CERTPROP_USER_OWNED,    /* the user had put the same certificate in MY: left untouched */
    CERTPROP_REMOVED        /* taken out of MY (certprop_remove, or no longer on the card) */
} certprop_action;

typedef struct certprop_entry {
    certprop_action action;
    char reader[128];       /* empty for certprop_remove (the card may be gone) */
    char serial[17];
    char slot[4];           /* "sig", "dec", "aut" */
    char container[40];     /* opgp-<serial>-<slot> */
    const char *provider;   /* CERTPROP_CSP_NAME or CERTPROP_KSP_NAME; NULL for removals */
    unsigned prov_type;     /* 1 (PROV_RSA_FULL) or 0 (CNG KSP) */
    unsigned key_spec;      /* 1 AT_KEYEXCHANGE, 2 AT_SIGNATURE, 0 for the KSP */
    char friendly_name[80];
    char thumbprint[41];    /* SHA-1 of the certificate, uppercase hex */
} certprop_entry;

/* Called once per certificate handled, in order. */
typedef void (*certprop_report_fn)(void *arg, const certprop_entry *e);

/* Propagate the certificates of the card in reader, or of every OpenPGP card present (reader
 * NULL). Certificates this function added earlier for the same card and slot that the card no
 * longer holds are removed (reported as CERTPROP_REMOVED). Idempotent. *count (may be NULL):
 * certificates on the cards. On failure msg (cap bytes) holds a sentence. */
certprop_rv certprop_add(const char *reader, certprop_report_fn report, void *arg,
                         size_t *count, char *msg, size_t cap);

/* Remove the certificates certprop_add added for the card with this serial (hex, as
 * opgp_tok_info.serial), or for every card (serial NULL). Certificates the user added stay.
 * *count (may be NULL): how many were removed. */
certprop_rv certprop_remove(const char *serial, certprop_report_fn report, void *arg,
                            size_t *count, char *msg, size_t cap);

/* The serial of the OpenPGP card in reader (for "remove the certificates of this card"). */
certprop_rv certprop_card_serial(const char *reader, char serial[17], char *msg, size_t cap);

/* ---- the pure part (certprop_plan.c; no Windows, no card: unit-tested natively) ---------- */

/* "sig", "dec", "aut" for OPGP_TOK_ROLE_*; NULL for anything else. */
const char *certprop_slot_word(unsigned role);
/* Fill e's serial, slot, container, provider, prov_type, key_spec and friendly_name for a
 * key of role and type (opgp_tok_keytype) on the card with this serial and token label.
 * label is opgp_tok_info.label: the cardholder name, or "OpenPGP card <serial>" without one.
 * False when role or serial cannot be named. */
bool certprop_plan(const char *serial, const char *label, unsigned role, int keytype,
                   certprop_entry *e);
/* The mark for serial and slot; returns its length (no NUL written beyond it counts), 0 when
 * cap is too small. */
size_t certprop_mark(const char *serial, const char *slot, char *out, size_t cap);
/* Parse a mark of len bytes (not NUL-terminated); false when it is not ours. */
bool certprop_parse_mark(const void *data, size_t len, char serial[17], char slot[4]);

#endif
