/* opgp status codes: one enum for every layer of the core, specific enough to tell the user
 * what happened (which PIN, how many tries left) without guessing from a bare "failed". */
#ifndef OPGP_STATUS_H
#define OPGP_STATUS_H

#include <stdint.h>

typedef enum opgp_status {
    OPGP_OK = 0,

    /* Caller and host side */
    OPGP_E_INVALID_ARG,       /* a NULL pointer, a bad length, an unknown slot */
    OPGP_E_BUFFER_TOO_SMALL,  /* the output buffer cannot hold the result */
    OPGP_E_NO_MEMORY,
    OPGP_E_INTERNAL,          /* a bug in opgp: an invariant did not hold */
    OPGP_E_CRYPTO,            /* the host crypto library failed */

    /* Transport (PC/SC, in-process simulator, transcript replay) */
    OPGP_E_NO_READER,         /* no such reader */
    OPGP_E_NO_CARD,           /* reader empty, or card removed */
    OPGP_E_CARD_RESET,        /* another process reset the card: state is lost */
    OPGP_E_TRANSPORT,         /* the reader or service failed */
    OPGP_E_TIMEOUT,           /* the card stopped answering */
    OPGP_E_SHARING,           /* another process holds the card exclusively */

    /* Malformed or unexpected card behaviour */
    OPGP_E_BAD_RESPONSE,      /* truncated, oversized or otherwise malformed response */
    OPGP_E_BAD_TLV,           /* BER-TLV that does not parse */
    OPGP_E_PROTOCOL,          /* a response that breaks ISO 7816-4 (endless 61xx, ...) */
    OPGP_E_NOT_OPENPGP,       /* SELECT of the OpenPGP application failed */

    /* Status words from the card, mapped */
    OPGP_E_WRONG_PIN,         /* 63Cx (tries left in opgp_error.tries_left) or 6982 after VERIFY */
    OPGP_E_PIN_BLOCKED,       /* 6983: no tries left */
    OPGP_E_SECURITY_STATUS,   /* 6982: the required PIN was not verified */
    OPGP_E_CONDITIONS,        /* 6985: conditions of use not satisfied */
    OPGP_E_WRONG_DATA,        /* 6A80: the card rejected the data */
    OPGP_E_NOT_FOUND,         /* 6A88 / 6A82: no such data object or key */
    OPGP_E_NOT_SUPPORTED,     /* 6D00 / 6E00 / 6A81 / 6A86: the card does not do this */
    OPGP_E_WRONG_LENGTH,      /* 6700 */
    OPGP_E_MEMORY_FAILURE,    /* 6581 */
    OPGP_E_TERMINATED,        /* 6285 / 6E00 after TERMINATE DF: the application is terminated */
    OPGP_E_CARD,              /* any other status word (opgp_error.sw says which) */

    OPGP_STATUS_COUNT
} opgp_status;

/* PIN references as the card knows them (VERIFY / CHANGE REFERENCE DATA P2). */
#define OPGP_PIN_PW1_SIGN 0x81
#define OPGP_PIN_PW1 0x82
#define OPGP_PIN_PW3 0x83
/* Pseudo reference for the Reset Code: the card has no VERIFY reference for it (it is sent with
 * RESET RETRY COUNTER P1=00), but errors about it deserve their own words. */
#define OPGP_PIN_RC 0x100

/* Details that accompany a status: the status word the card sent, the PIN it concerned, and the
 * tries left when the card told us. Filled by the core where known; -1 means unknown. */
typedef struct opgp_error {
    opgp_status status;
    uint16_t sw;        /* 0 when no status word was involved */
    int pin_ref;        /* 0x81, 0x82, 0x83, OPGP_PIN_RC, 0 when none */
    int tries_left;     /* -1 when unknown */
} opgp_error;

/* A short English phrase for the status ("wrong PIN", "card removed"). Never NULL. */
const char *opgp_status_str(opgp_status st);

/* A full sentence for the user: "wrong user PIN (PW1), 2 tries left". Writes at most cap bytes
 * (always NUL-terminated when cap > 0) and returns buf. */
char *opgp_error_format(const opgp_error *err, char *buf, unsigned cap);

#endif
