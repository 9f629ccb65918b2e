/* Private keys from files for `key import`: PEM (PKCS#8, traditional RSA/EC, encrypted PKCS#8)
 * and PKCS#12. The loaded key material lives in one buffer that key_file_free wipes.
 * Platform halves: key_file_openssl.c (native) and key_file_win32.c. */
#ifndef OPGP_TOOL_KEY_FILE_H
#define OPGP_TOOL_KEY_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/card.h"

typedef enum key_file_result {
    KEY_FILE_OK,
    KEY_FILE_NEEDS_PASSPHRASE, /* encrypted: call again with a passphrase */
    KEY_FILE_BAD_PASSPHRASE,   /* the passphrase given does not open it */
    KEY_FILE_FAILED,           /* unreadable, no private key, or a key the card cannot hold;
                                * why says which */
} key_file_result;

typedef struct key_file {
    opgp_private_key key;   /* attr from the key (ECDSA/ECDH chosen by the slot); the pointers
                             * point into secret */
    uint8_t *secret;        /* all key parts, wiped by key_file_free */
    size_t secret_len;
    uint8_t *cert;          /* the PKCS#12's certificate for this key (DER), or NULL */
    size_t cert_len;
    char description[64];   /* "RSA 2048", "ECDSA NIST P-256", ... */
} key_file;

/* Load path for slot (which decides ECDSA vs ECDH for Weierstrass curves, and rejects keys the
 * slot cannot use: Ed25519 for decryption, X25519 for signing). passphrase may be NULL (then
 * an encrypted file gives KEY_FILE_NEEDS_PASSPHRASE). On failure why (cap bytes) holds a
 * sentence. */
key_file_result key_file_load(const char *path, opgp_key_slot slot, const char *passphrase,
                              key_file *out, char *why, size_t why_cap);
void key_file_free(key_file *kf);

/* For both platform halves (key_file.c): why slot cannot hold a Curve25519 key (ed: Ed25519,
 * else X25519), or NULL when it can. */
const char *key_file_25519_refusal(bool ed, opgp_key_slot slot);

#endif
