/* Checking the minidriver's results with the host's own crypto: OpenSSL natively
 * (verify_openssl.c), BCrypt on Windows (verify_bcrypt.c). Keys come from the blobs
 * CardGetContainerInfo returns (CryptoAPI PUBLICKEYBLOB for RSA, BCRYPT_ECCKEY_BLOB for ECC) or
 * from DER SubjectPublicKeyInfo (the simulator's export). */
#ifndef MDC_VERIFY_H
#define MDC_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "opgp/cardmod.h"

typedef struct v_key v_key;

v_key *v_key_from_blob(const BYTE *blob, DWORD len);
v_key *v_key_from_spki(const BYTE *der, size_t len);
void v_key_free(v_key *k);
/* Can the host's crypto use this key at all? (Wine 8's CNG has no P-521.) */
bool v_supported(const v_key *k);
/* Same public key (modulus and exponent, or curve and point). */
bool v_key_same(const v_key *a, const v_key *b);

/* Digest of data with CALG_SHA1 / SHA_256 / SHA_384 / SHA_512; false on failure. */
bool v_hash(ALG_ID alg, const void *data, size_t len, BYTE *out, DWORD *out_len);

/* RSA: PKCS#1 v1.5 signature of hash (DigestInfo for alg), sig little-endian as CryptoAPI
 * returns it. ECDSA: sig is r||s big-endian, alg ignored. */
bool v_verify(const v_key *k, ALG_ID alg, const BYTE *hash, DWORD hash_len, const BYTE *sig,
              DWORD sig_len);
/* RSA PKCS#1 v1.5 encryption; out little-endian (CryptoAPI order), *out_len the modulus size. */
bool v_rsa_encrypt(const v_key *k, const BYTE *msg, DWORD msg_len, BYTE *out, DWORD *out_len);
/* ECDH with a fresh key on k's curve: peer gets its public key as a BCRYPT_ECCKEY_BLOB with the
 * ECDH public magic; the shared secret stays inside the v_secret. */
typedef struct v_secret v_secret;
v_secret *v_ecdh(const v_key *k, BYTE *peer, DWORD *peer_len);
/* CNG's BCRYPT_KDF_HASH on the secret: hash(prepend || Z || append), Z the big-endian X
 * coordinate. */
bool v_kdf_hash(const v_secret *s, ALG_ID alg, const BYTE *prepend, DWORD prepend_len,
                const BYTE *append, DWORD append_len, BYTE *out, DWORD *out_len);
void v_secret_free(v_secret *s);

#endif
