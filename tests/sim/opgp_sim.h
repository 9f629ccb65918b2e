/* opgp_sim: an OpenPGP card 3.4 simulator, for tests and benchmarks.
 *
 * It answers APDUs the way a real card does (structure checked against the recorded exchanges in
 * /work/shared/transcripts): SELECT, GET DATA / PUT DATA (incl. odd-INS key import), VERIFY,
 * CHANGE REFERENCE DATA, RESET RETRY COUNTER, PSO:CDS, PSO:DECIPHER, INTERNAL AUTHENTICATE,
 * GENERATE ASYMMETRIC KEY PAIR, GET CHALLENGE, SELECT DATA, TERMINATE DF / ACTIVATE FILE,
 * extended length, command chaining and GET RESPONSE (61xx).
 *
 * Choices where real cards differ (all documented here, stable for tests):
 *   - a wrong PIN is answered 63Cx (x = tries left) by default; `wrong_pin_6982` answers 6982 like
 *     CanoKey/YubiKey. A blocked PIN is 6983. Retry counters start at 3/3/3 (PW1/RC/PW3).
 *   - PINs: user PW1 "123456", admin PW3 "12345678" on a factory card and after provisioning.
 *     A provisioned card also has the resetting code "87654321" (a factory card has none).
 *   - AID: D2 76 00 01 24 01 03 04, manufacturer FF FF (test card range), 4-byte serial (random
 *     per card unless given), 00 00.
 *   - the ATR is the generic OpenPGP 3.x ATR
 *       3B DA 18 FF 81 B1 FE 75 1F 03 00 31 C5 73 C0 01 40 00 90 00 0C
 *     (historical byte 0x40: extended Lc/Le; with no_extended it becomes 0x80, command chaining,
 *     and the TCK is recomputed).
 *   - certificate occurrences (SELECT DATA): 0 = AUT, 1 = DEC, 2 = SIG; the selection lasts for the
 *     next command only, as on the recorded card.
 *
 * Not thread-safe: one opgp_sim per thread, or serialise calls.
 */
#ifndef OPGP_SIM_H
#define OPGP_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "opgp/transport.h"

#define OPGP_SIM_PW1 "123456"
#define OPGP_SIM_PW3 "12345678"
#define OPGP_SIM_RC "87654321"
#define OPGP_SIM_MANUFACTURER 0xFFFFu

/* Key slots, in the card's order (C1/C2/C3, C7/C8/C9, B6/B8/A4). */
enum opgp_sim_slot { OPGP_SIM_SIG = 0, OPGP_SIM_DEC = 1, OPGP_SIM_AUT = 2 };

typedef struct opgp_sim opgp_sim;

typedef struct opgp_sim_options {
    bool t0;                /* answer responses longer than 256 bytes with 61xx + GET RESPONSE even
                             * when the command carried an extended Le (T=0 style) */
    bool no_extended;       /* neither announce nor accept extended length (6700 on extended APDUs);
                             * long commands must use chaining */
    bool kdf;               /* the card has a KDF-DO (F9: ITERSALTED_S2K, SHA-256, 100000
                             * iterations): VERIFY and friends expect the derived PIN */
    bool wrong_pin_6982;    /* answer a wrong PIN 6982 instead of 63Cx */
    bool pin_per_signature; /* provision with C4 byte 1 = 00: PW1 (81) valid for one signature */
    uint32_t serial;        /* card serial number; 0 = random */
    const char *state_file; /* when set: opgp_sim_new loads it if it exists; every change of
                             * persistent state (PINs, keys, DOs, counters) is saved to it */
} opgp_sim_options;

/* A blank (factory) card: no keys, no certificates, default PINs, no resetting code. Powered on.
 * opt may be NULL (all defaults). When opt->state_file names an existing file, the card's state is
 * loaded from it instead. Returns NULL on failure (out of memory, unreadable state file). */
opgp_sim *opgp_sim_new(const opgp_sim_options *opt);

/* Provision like a personalised card: keys in SIG/DEC/AUT, a self-signed certificate for each key in
 * its certificate slot, fingerprints and generation dates, cardholder name "Test<<Card", language
 * "en", URL "https://example.invalid/opgp-test.asc", login "opgp-test", PINs as above plus the
 * resetting code. alg: rsa2048 rsa3072 rsa4096 p256 p384 p521 bp256 bp384 bp512 secp256k1
 * cv25519 (Ed25519 SIG/AUT, X25519 DEC). Returns 0 on success, -1 on an unknown alg or a crypto failure. */
int opgp_sim_provision(opgp_sim *s, const char *alg);

/* One command APDU in, the response (data + SW1 SW2) out. Returns the response length, or 0 when
 * the card does not answer (powered off, removed, or a REMOVE/RESET fault fired). Responses never
 * exceed cap: when cap < 2 nothing is answered. */
size_t opgp_sim_process(opgp_sim *s, const uint8_t *cmd, size_t len, uint8_t *resp, size_t cap);

/* Power the card off (volatile state lost) or on. A removed card (fault) is inserted again by
 * power on. */
void opgp_sim_power(opgp_sim *s, bool on);
/* Warm reset: clears verified PINs, the selected application, pending GET RESPONSE data, chaining
 * and SELECT DATA. Persistent state is kept. */
void opgp_sim_reset(opgp_sim *s);
/* True when the card is inserted and powered. */
bool opgp_sim_present(const opgp_sim *s);
/* True when the card is in the reader, powered or not (a reader sees an idle card it powered
 * down as present: vpcd asks for the ATR to tell). */
bool opgp_sim_inserted(const opgp_sim *s);

/* The card's ATR; returns its length (0 when cap is too small). */
size_t opgp_sim_atr(const opgp_sim *s, uint8_t *atr, size_t cap);
/* The 16-byte AID (as GET DATA 4F); and the serial number alone. */
void opgp_sim_aid(const opgp_sim *s, uint8_t aid[16]);
uint32_t opgp_sim_serial(const opgp_sim *s);

/* An in-process transport on the simulator (common/include/opgp/transport.h). It does not own s:
 * s must outlive it. A card that does not answer gives OPGP_E_NO_CARD; a RESET fault gives
 * OPGP_E_CARD_RESET once. begin/end are accepted (no other process shares this card). */
opgp_transport *opgp_sim_transport_new(opgp_sim *s);

/* The in-process transport's reader gets a pinpad (PC/SC part 10): it answers
 * GET_FEATURE_REQUEST with FEATURE_VERIFY_PIN_DIRECT (code 0x42330006, the CCID driver's form;
 * MODIFY_PIN_DIRECT is not emulated), and on that control it "types" pin: the VERIFY APDU is
 * built from the PIN_VERIFY_STRUCTURE's abData (ASCII, byte-wise PIN as bmFormatString 0x82
 * asks) and handed to the card; the card's SW is answered. pin "" presses Cancel (6401); a
 * PIN outside the structure's min/max is refused by the reader (6403) without reaching the
 * card. pin NULL removes the pinpad (control then answers OPGP_E_NOT_SUPPORTED). Counted in
 * opgp_sim_stats.pinpad_entries. */
void opgp_sim_set_pinpad(opgp_sim *s, const char *pin);

/* The public key in slot (enum opgp_sim_slot): a new reference the caller frees with
 * EVP_PKEY_free, NULL when the slot is empty. Tests verify signatures with it. */
EVP_PKEY *opgp_sim_public_key(opgp_sim *s, int slot);
/* The OpenPGP v4 fingerprint the card holds for slot (C7/C8/C9); false when none is set. */
bool opgp_sim_fingerprint(const opgp_sim *s, int slot, uint8_t fpr[20]);
/* The certificate (DER) in slot's certificate DO; NULL (and *len 0) when empty. Owned by s. */
const uint8_t *opgp_sim_certificate(const opgp_sim *s, int slot, size_t *len);
/* Write into dir: sig.pem dec.pem aut.pem (public keys), sig.crt dec.crt aut.crt (certificates, PEM),
 * sig.fpr dec.fpr aut.fpr (fingerprints, 40 upper-case hex digits + newline), serial (8 hex digits),
 * aid (32 hex digits). Files for empty slots are not written. Returns 0, or -1 on an I/O error. */
int opgp_sim_export(opgp_sim *s, const char *dir);

/* Counters since opgp_sim_new (or the last opgp_sim_reset_stats). */
typedef struct opgp_sim_stats {
    unsigned long apdus;          /* commands received (GET RESPONSE and chained parts included) */
    unsigned long bytes_in;       /* command bytes */
    unsigned long bytes_out;      /* response bytes, SW included */
    unsigned long verifies;       /* VERIFY commands carrying a PIN (empty retry queries excluded) */
    unsigned long verifies_failed;/* of which wrong or blocked */
    unsigned long get_responses;  /* GET RESPONSE commands */
    unsigned long signatures;     /* PSO:CDS that produced a signature */
    unsigned long decipherments;  /* PSO:DECIPHER that produced a result */
    unsigned long authentications;/* INTERNAL AUTHENTICATE that produced a result */
    unsigned long resets;         /* warm resets and power cycles */
    unsigned long pinpad_entries; /* VERIFY_PIN_DIRECT requests the pinpad accepted */
} opgp_sim_stats;
void opgp_sim_get_stats(const opgp_sim *s, opgp_sim_stats *st);
void opgp_sim_reset_stats(opgp_sim *s);

/* Fault injection. A fault arms after `after` more APDUs (0: the very next one) and then applies to
 * `count` APDUs (0: every one until cleared). Setting a fault replaces the previous one; kind NONE
 * clears it. */
typedef enum opgp_sim_fault_kind {
    OPGP_SIM_FAULT_NONE = 0,
    OPGP_SIM_FAULT_REMOVE,      /* the card is removed: no answer until opgp_sim_power(s, true) */
    OPGP_SIM_FAULT_MUTE,        /* the card does not answer this APDU (state unchanged) */
    OPGP_SIM_FAULT_RESET,       /* the card is reset before the APDU, which is not processed */
    OPGP_SIM_FAULT_SW,          /* the APDU is not processed; the answer is `sw` alone */
    OPGP_SIM_FAULT_TRUNCATE,    /* the real response loses its last `bytes` bytes (SW included) */
    OPGP_SIM_FAULT_PAD,         /* `bytes` bytes of 0xA5 are inserted before the SW */
    OPGP_SIM_FAULT_ENDLESS_61XX /* GET RESPONSE always answers 61FF with 255 more bytes */
} opgp_sim_fault_kind;

typedef struct opgp_sim_fault_spec {
    opgp_sim_fault_kind kind;
    unsigned long after;
    unsigned long count;
    uint16_t sw;
    size_t bytes;
} opgp_sim_fault_spec;
void opgp_sim_fault(opgp_sim *s, const opgp_sim_fault_spec *f);

/* Free the card (keys wiped). Does not save: state is saved as it changes. */
void opgp_sim_free(opgp_sim *s);

#endif
