/* The OpenPGP card API (spec 3.4.1): everything above the APDU layer talks to a card through
 * this header. One opgp_card per card connection; it reads the application related data once
 * when opened and keeps the decoded copy up to date with what this API changes.
 *
 * Conventions for every function here:
 *   - returns an opgp_status; when err is not NULL it is filled: status, the last status word
 *     (0 when none), the PIN reference concerned (0 when none) and tries left (-1 unknown);
 *   - a card reset seen by the transport is returned as OPGP_E_CARD_RESET: PIN states are
 *     lost; call opgp_card_reselect before anything else;
 *   - output buffers are (buf, *len): capacity on entry, length on return;
 *     OPGP_E_BUFFER_TOO_SMALL when the result does not fit;
 *   - PINs are byte strings (UTF-8 as typed); copies made here are wiped; PIN bytes never
 *     reach a trace (APDUs are marked sensitive);
 *   - not thread-safe: one caller at a time per opgp_card.
 */
#ifndef OPGP_CARD_H
#define OPGP_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/apdu.h"
#include "opgp/appdata.h"
#include "opgp/crypto.h"
#include "opgp/status.h"
#include "opgp/transport.h"

typedef struct opgp_card opgp_card;

/* ---------------------------------------------------------------- connection and state */

/* SELECT the OpenPGP application, read and decode 6E (and F9 when the card announces KDF but
 * 6E lacks it), configure the APDU link (extended length, chaining, max lengths) from it.
 * The transport is not owned: it must outlive the card. OPGP_E_NOT_OPENPGP when the
 * application is absent; OPGP_E_TERMINATED when it is terminated (see factory reset). */
opgp_status opgp_card_open(opgp_transport *t, opgp_card **out, opgp_error *err);
/* The same, for a card this process found with our application selected moments ago (another
 * context on it): GET DATA 6E first, which proves the selection (6E carries the AID), and only
 * when it does not, SELECT and 6E as opgp_card_open. One APDU instead of two when the guess
 * holds, one more when it does not. */
opgp_status opgp_card_open_selected(opgp_transport *t, opgp_card **out, opgp_error *err);
/* Free the card object (does not close the transport). NULL is fine. */
void opgp_card_close(opgp_card *card);

/* SELECT again and re-read 6E: after OPGP_E_CARD_RESET, or another application was selected. */
opgp_status opgp_card_reselect(opgp_card *card, opgp_error *err);
/* Re-read 6E only (the card changed behind our back). */
opgp_status opgp_card_refresh_appdata(opgp_card *card, opgp_error *err);
/* Re-read the PW status bytes C4 only (tries left, PW1 validity): one cheap APDU. */
opgp_status opgp_card_refresh_status(opgp_card *card, opgp_error *err);

/* The decoded application related data, owned by the card, valid until the next call that
 * refreshes it. Never NULL for an open card. */
const opgp_appdata *opgp_card_appdata(const opgp_card *card);
/* The APDU link inside the card (trace callback, APDU counter). */
opgp_apdu_link *opgp_card_link(opgp_card *card);
opgp_transport *opgp_card_transport(opgp_card *card);

/* Hold the card for a sequence (VERIFY then sign, ...): wraps the transport's begin/end.
 * Nested calls are counted; multi-APDU operations of this API take the transaction
 * themselves when the caller holds none. */
opgp_status opgp_card_begin(opgp_card *card, opgp_error *err);
opgp_status opgp_card_end(opgp_card *card);

/* Vendor firmware version when the card tells it (YubiKey: GET VERSION, sent to
 * manufacturer 0006 only). False when unknown. */
bool opgp_card_firmware_version(const opgp_card *card, uint8_t version[3]);
/* The SELECT DATA form with the extra length byte that YubiKey 5.2.0-5.4.3 require
 * (yubikey-manager issue 403). Chosen at open from manufacturer and firmware; tests and
 * users can force it. */
bool opgp_card_select_data_quirk(const opgp_card *card);
void opgp_card_set_select_data_quirk(opgp_card *card, bool on);

/* ---------------------------------------------------------------- generic access */

/* Send one command through the card's link; the status word mapped to a status (9000 ->
 * OPGP_OK). The response data is returned even when the status word is an error. */
opgp_status opgp_card_transceive(opgp_card *card, const opgp_apdu *cmd, uint8_t *resp,
                                 size_t *resp_len, opgp_error *err);
/* GET DATA / PUT DATA of a simple DO (tag 0x5B, 0x5F50, 0x0101, ...). An empty DO gives
 * OPGP_OK with *len 0. PUT DATA with len 0 deletes. */
opgp_status opgp_card_get_data(opgp_card *card, uint16_t tag, uint8_t *buf, size_t *len,
                               opgp_error *err);
opgp_status opgp_card_put_data(opgp_card *card, uint16_t tag, const uint8_t *data, size_t len,
                               opgp_error *err);

/* ---------------------------------------------------------------- PINs */

/* A PIN reference: OPGP_PIN_PW1_SIGN (81, user PIN for the signature key), OPGP_PIN_PW1
 * (82, user PIN for decryption, authentication, private DOs), OPGP_PIN_PW3 (83, admin PIN);
 * the values are in status.h, shared with opgp_error.pin_ref. */
typedef int opgp_pin_ref;

/* VERIFY. A wrong PIN is OPGP_E_WRONG_PIN with err->tries_left, whether the card answers 63Cx
 * or 6982 (then the counter is read with an empty VERIFY; the PIN is never sent twice).
 * OPGP_E_PIN_BLOCKED when no tries are left. With a KDF-DO the PIN is derived first. */
opgp_status opgp_card_verify(opgp_card *card, opgp_pin_ref ref, const uint8_t *pin,
                             size_t pin_len, opgp_error *err);
/* Empty VERIFY: *verified true when the PIN is already verified (9000), else *tries_left
 * from 63Cx (-1 when the card does not say). Either output may be NULL. */
opgp_status opgp_card_pin_status(opgp_card *card, opgp_pin_ref ref, bool *verified,
                                 int *tries_left, opgp_error *err);
/* Secure PIN entry on the reader's keypad (PC/SC part 10). The reader is asked for its
 * features (GET_FEATURE_REQUEST through the transport's control) once per card object.
 * True when it offers FEATURE_VERIFY_PIN_DIRECT. */
bool opgp_card_has_pinpad(opgp_card *card);
/* VERIFY ref with the PIN typed on the reader's keypad: the reader builds the APDU from a
 * PIN_VERIFY_STRUCTURE (ASCII PIN, lengths 6 (PW3: 8) to the card's C4 maximum, OK key) and
 * returns the card's status word, handled like opgp_card_verify (never retried). Reader
 * answers: 6400 entry timed out (OPGP_E_TIMEOUT), 6401 cancelled, 6402/6403 bad entry
 * (OPGP_E_CARD, err->sw says which). OPGP_E_NOT_SUPPORTED without a pinpad, and on a card
 * with a KDF-DO: the reader would send the typed PIN itself where the card expects its
 * derivation, costing a try for nothing. */
opgp_status opgp_card_verify_pinpad(opgp_card *card, opgp_pin_ref ref, opgp_error *err);
/* Why opgp_card_verify_pinpad would refuse (a sentence for the user), NULL when it can be used. */
const char *opgp_card_pinpad_refusal(opgp_card *card);
/* The PIN_VERIFY_STRUCTURE opgp_card_verify_pinpad sends (pure; for tests and tools):
 * returns its length (24) or 0 when cap is too small. */
size_t opgp_pinpad_verify_structure(uint8_t ref, uint8_t min_len, uint8_t max_len,
                                    uint8_t *out, size_t cap);
#define OPGP_PINPAD_CANCELLED_SW 0x6401

/* VERIFY with P1 FF: forget the verification of ref (3.x cards). */
opgp_status opgp_card_logout(opgp_card *card, opgp_pin_ref ref, opgp_error *err);
/* CHANGE REFERENCE DATA for PW1 (ref OPGP_PIN_PW1 or _PW1_SIGN, sent as 81) or PW3. */
opgp_status opgp_card_change_pin(opgp_card *card, opgp_pin_ref ref, const uint8_t *old_pin,
                                 size_t old_len, const uint8_t *new_pin, size_t new_len,
                                 opgp_error *err);
/* RESET RETRY COUNTER of PW1 with the Reset Code (P1 00) ... */
opgp_status opgp_card_unblock_pin(opgp_card *card, const uint8_t *reset_code, size_t rc_len,
                                  const uint8_t *new_pin, size_t new_len, opgp_error *err);
/* ... or after PW3 was verified (P1 02). */
opgp_status opgp_card_reset_pin_admin(opgp_card *card, const uint8_t *new_pin, size_t new_len,
                                      opgp_error *err);
/* PUT DATA D3: set the Reset Code (PW3 verified); len 0 removes it. */
opgp_status opgp_card_set_reset_code(opgp_card *card, const uint8_t *reset_code, size_t rc_len,
                                     opgp_error *err);

/* Which salt of the KDF-DO a PIN is derived with. */
typedef enum opgp_kdf_pin { OPGP_KDF_PIN_PW1, OPGP_KDF_PIN_RC, OPGP_KDF_PIN_PW3 } opgp_kdf_pin;
/* The bytes sent for a PIN: the PIN itself without KDF, else the iterated salted S2K
 * (RFC 4880 3.7.1.3) with the card's hash, salt and count. out needs 64 bytes. */
opgp_status opgp_kdf_derive(const opgp_kdf *kdf, opgp_kdf_pin which, const uint8_t *pin,
                            size_t pin_len, uint8_t *out, size_t *out_len);

/* ---------------------------------------------------------------- private key operations */

/* Signature with the key in slot SIG (PSO:COMPUTE DIGITAL SIGNATURE) or AUT (INTERNAL
 * AUTHENTICATE), from a digest made with hash:
 *   RSA: the card gets the DigestInfo for hash and digest (PKCS#1 v1.5 padding on card);
 *   ECDSA: the card gets the digest as is (the card truncates a digest longer than the curve
 *          order, as ECDSA defines; nothing is cut here);
 *   EdDSA: not possible from a digest (OPGP_E_INVALID_ARG): use opgp_card_sign_raw with the
 *          message.
 * The signature comes back as the card makes it: RSA modulus-sized; ECDSA r||s. */
opgp_status opgp_card_sign(opgp_card *card, opgp_key_slot slot, opgp_hash_alg hash,
                           const uint8_t *digest, size_t digest_len, uint8_t *sig,
                           size_t *sig_len, opgp_error *err);
/* The same with the card input given as is: a caller-built DigestInfo, the TLS 1.0/1.1 36-byte
 * MD5||SHA-1 (AUT), an ECDSA digest, the EdDSA message. */
opgp_status opgp_card_sign_raw(opgp_card *card, opgp_key_slot slot, const uint8_t *in,
                               size_t in_len, uint8_t *sig, size_t *sig_len, opgp_error *err);
/* PSO:DECIPHER with the DEC key. RSA: in is the cryptogram (modulus-sized), out the message
 * after the card removed PKCS#1 padding. ECDH: in is the other party's public key (04||X||Y,
 * or 32 bytes for X25519), out the shared secret (X coordinate / X25519 output). */
opgp_status opgp_card_decipher(opgp_card *card, const uint8_t *in, size_t in_len, uint8_t *out,
                               size_t *out_len, opgp_error *err);

/* ---------------------------------------------------------------- public keys, key management */

#define OPGP_MAX_RSA_BYTES 512   /* RSA 4096 */
#define OPGP_MAX_EC_POINT 133    /* P-521 uncompressed */

typedef struct opgp_public_key {
    opgp_algo_attr attr;         /* the slot's algorithm attributes when read */
    uint8_t n[OPGP_MAX_RSA_BYTES];
    size_t n_len;
    uint8_t e[8];
    size_t e_len;
    uint8_t point[OPGP_MAX_EC_POINT]; /* 04||X||Y, or the 32 native bytes of Ed25519/X25519 */
    size_t point_len;
} opgp_public_key;

/* Decode a 7F49 public key template (as returned by GENERATE ASYMMETRIC KEY PAIR). */
opgp_status opgp_public_key_decode(const uint8_t *buf, size_t len, const opgp_algo_attr *attr,
                                   opgp_public_key *out);
/* GENERATE ASYMMETRIC KEY PAIR P1 81: the public key in slot. OPGP_E_NOT_FOUND if none. */
opgp_status opgp_card_read_public_key(opgp_card *card, opgp_key_slot slot, opgp_public_key *pk,
                                      opgp_error *err);
/* The OpenPGP v4 fingerprint of pk created at `created` (seconds since 1970). ECDH uses
 * the KDF parameters GnuPG uses: SHA-256/AES-128 for 256-bit curves and X25519,
 * SHA-384/AES-256 for 384-bit, SHA-512/AES-256 for P-521 and brainpoolP512r1. */
opgp_status opgp_fingerprint_v4(const opgp_public_key *pk, uint32_t created, uint8_t fpr[20]);

/* PUT DATA C1/C2/C3 (PW3 verified). Changing the attributes deletes the slot's key. */
opgp_status opgp_card_set_algo_attr(opgp_card *card, opgp_key_slot slot,
                                    const opgp_algo_attr *attr, opgp_error *err);
/* Generate a key in slot with its current attributes (PW3 verified), then write its
 * fingerprint and generation time (the card does not). pk (may be NULL) gets the public key. */
opgp_status opgp_card_generate_key(opgp_card *card, opgp_key_slot slot, uint32_t created,
                                   opgp_public_key *pk, opgp_error *err);
/* Write fingerprint (C7-C9) and generation time (CE-D0) of slot. */
opgp_status opgp_card_set_key_metadata(opgp_card *card, opgp_key_slot slot,
                                       const uint8_t fpr[20], uint32_t created, opgp_error *err);

/* A private key to import. Big-endian unsigned integers. RSA: e, p, q always; n always (for the
 * fingerprint); u (1/q mod p), dp, dq when the slot's import format is CRT (02/03).
 * ECC: the private scalar, and the public point (always needed for the fingerprint). */
typedef struct opgp_private_key {
    opgp_algo_attr attr;
    const uint8_t *e, *p, *q, *n, *u, *dp, *dq;
    size_t e_len, p_len, q_len, n_len, u_len, dp_len, dq_len;
    const uint8_t *scalar, *pub;
    size_t scalar_len, pub_len;
} opgp_private_key;

/* Import key into slot (PW3 verified): sets the attributes first when they differ, PUT DATA
 * 3FFF with the extended header list 4D, then fingerprint and time. */
opgp_status opgp_card_import_key(opgp_card *card, opgp_key_slot slot, const opgp_private_key *key,
                                 uint32_t created, opgp_error *err);

/* ---------------------------------------------------------------- certificates */

/* The certificate of slot (7F21 via SELECT DATA, re-selected before every access).
 * An empty slot gives OPGP_OK with *len 0. */
opgp_status opgp_card_read_cert(opgp_card *card, opgp_key_slot slot, uint8_t *buf, size_t *len,
                                opgp_error *err);
/* Write (PW3 verified); len 0 deletes. */
opgp_status opgp_card_write_cert(opgp_card *card, opgp_key_slot slot, const uint8_t *cert,
                                 size_t len, opgp_error *err);

/* ---------------------------------------------------------------- other data objects */

opgp_status opgp_card_get_cardholder(opgp_card *card, opgp_cardholder *ch, opgp_error *err);
/* Digital signature counter from the security support template 7A. */
opgp_status opgp_card_get_signature_counter(opgp_card *card, uint32_t *count, opgp_error *err);
/* Algorithm information FA; OPGP_E_NOT_SUPPORTED / _NOT_FOUND on cards without it. */
opgp_status opgp_card_get_algo_info(opgp_card *card, opgp_algo_info *info, opgp_error *err);

/* Setters (PW3 verified unless noted). Strings are written without their NUL. */
opgp_status opgp_card_set_name(opgp_card *card, const char *name, opgp_error *err);
opgp_status opgp_card_set_language(opgp_card *card, const char *lang, opgp_error *err);
opgp_status opgp_card_set_sex(opgp_card *card, uint8_t iso5218, opgp_error *err);
opgp_status opgp_card_set_url(opgp_card *card, const char *url, opgp_error *err);
opgp_status opgp_card_set_login(opgp_card *card, const char *login, opgp_error *err);
opgp_status opgp_card_set_uif(opgp_card *card, opgp_key_slot slot, uint8_t mode, opgp_error *err);
opgp_status opgp_card_set_pw1_validity(opgp_card *card, bool multiple_signatures,
                                       opgp_error *err);
opgp_status opgp_card_set_ca_fingerprint(opgp_card *card, opgp_key_slot slot,
                                         const uint8_t fpr[20], opgp_error *err);
/* Private use DOs 1-4 (0101-0104); access: 1/3 PW1 (82) to write, 2/4 PW3; 3/4 read after
 * verification. */
opgp_status opgp_card_get_private_do(opgp_card *card, int n, uint8_t *buf, size_t *len,
                                     opgp_error *err);
opgp_status opgp_card_set_private_do(opgp_card *card, int n, const uint8_t *data, size_t len,
                                     opgp_error *err);

/* GET CHALLENGE: len random bytes from the card (1..max challenge length). */
opgp_status opgp_card_get_challenge(opgp_card *card, uint8_t *out, size_t len, opgp_error *err);
/* TERMINATE DF + ACTIVATE FILE, then reselect: every key, PIN and DO back to factory state.
 * The card accepts TERMINATE only with PW3 verified or PW3 blocked. */
opgp_status opgp_card_factory_reset(opgp_card *card, opgp_error *err);

#endif
