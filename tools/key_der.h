/* Unencrypted private keys in DER, parsed without a crypto library (the Windows build's key
 * import; natively OpenSSL reads key files): PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958)
 * holding RSA, EC, Ed25519 or X25519 keys, PKCS#1 RSAPrivateKey and SEC 1 ECPrivateKey. Every
 * pointer points into the input; every length is checked against what is left. */
#ifndef OPGP_TOOL_KEY_DER_H
#define OPGP_TOOL_KEY_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/status.h"

typedef enum key_der_kind { KEY_DER_RSA, KEY_DER_EC, KEY_DER_ED25519, KEY_DER_X25519 } key_der_kind;

typedef struct key_der_int {
    const uint8_t *v; /* big-endian, a leading 00 sign byte removed */
    size_t len;
} key_der_int;

typedef struct key_der {
    key_der_kind kind;
    /* RSA */
    key_der_int n, e, p, q, dp, dq, u; /* u = qInv = 1/q mod p */
    /* EC: the curve OID's content bytes, the scalar, the public point (04||X||Y) when the file
     * carries it (else pub_len 0). 25519: the 32 raw private bytes, the public key when the
     * file carries it (RFC 5958 [1]). */
    const uint8_t *curve_oid;
    size_t curve_oid_len;
    const uint8_t *scalar, *pub;
    size_t scalar_len, pub_len;
} key_der;

/* Parse der (one of the forms above, found by its structure). OPGP_E_BAD_TLV when malformed,
 * OPGP_E_NOT_SUPPORTED for a well-formed key of another kind (DSA, encrypted PKCS#8...). */
opgp_status key_der_parse(const uint8_t *der, size_t len, key_der *out);

#endif
