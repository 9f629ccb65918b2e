/* Test environment for the minidriver: a simulated card behind the transport hook, the Base
 * CSP's callbacks (allocator, a counting in-memory data cache) and a ready CARD_DATA. */
#ifndef MD_TEST_ENV_H
#define MD_TEST_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "opgp/cardmod.h"
#include "opgp_sim.h"

/* Windows error codes are LONG (HRESULT-typed) constants; entry points return DWORD. */
#define assert_rv(a, b) assert_int_equal((DWORD)(a), (DWORD)(b))

#define MD_TEST_HSCARD ((SCARDHANDLE)0x5ca4d)

typedef struct md_env {
    opgp_sim *sim;
    CARD_DATA cd;
    uint8_t atr[36];
    WCHAR name[16];
} md_env;

/* A simulator provisioned with alg ("rsa2048", "p256", ...; NULL: blank card). */
opgp_sim *md_env_sim(const char *alg, const opgp_sim_options *opt);
/* CARD_DATA for version ver with the test callbacks, handle MD_TEST_HSCARD; the transport hook
 * answers that handle with a transport on sim. */
void md_env_card_data(md_env *e, opgp_sim *sim, DWORD ver);
/* md_env_sim + md_env_card_data + CardAcquireContext, asserting success. */
void md_env_open(md_env *e, const char *alg, const opgp_sim_options *opt);
void md_env_close(md_env *e);

/* The CSP cache of the test callbacks: shared by all contexts of the process. */
void md_env_cache_clear(void);
size_t md_env_cache_count(void);
/* Outstanding pfnCspAlloc blocks (leak check). */
long md_env_live_allocs(void);
void md_free(void *p);

unsigned long md_env_apdus(const md_env *e);

/* CardAuthenticateEx with pin (strlen bytes) as PIN id; md_env_login asserts success. */
DWORD md_env_auth(md_env *e, PIN_ID id, const char *pin, DWORD *tries);
void md_env_login(md_env *e, PIN_ID id, const char *pin);
/* A current-version signing request: container index, key spec, hash algorithm (0: none),
 * the data to sign. */
void md_signing_info(CARD_SIGNING_INFO *si, BYTE index, DWORD spec, ALG_ID hash_alg,
                     uint8_t *data, size_t len);
/* A DH agreement request: container index, flags (OPGP_DH_RAW_PUBLIC_KEY or 0), the peer's
 * public key as the flags want it. */
void md_dh_agreement_info(CARD_DH_AGREEMENT_INFO *ai, BYTE index, DWORD flags, uint8_t *pub,
                          size_t len);
/* CardDeriveKey with the raw-secret KDF; the result in *out (md_free by the caller). */
DWORD md_env_raw_secret(md_env *e, BYTE index, BCryptBufferDesc *params, DWORD flags,
                        PUCHAR *out, DWORD *len);
/* The 32 bytes of a Curve25519 key (asserted); the card's key in slot key of the simulator
 * (OPGP_SIM_SIG, ...) compared with pub. */
void md_raw_public_key(EVP_PKEY *k, uint8_t out[32]);
void md_assert_sim_raw_key(opgp_sim *sim, int key, const uint8_t pub[32]);
/* ECDH of the X25519 key in container index with a fresh peer key (its raw public key, with
 * OPGP_DH_RAW_PUBLIC_KEY): the raw secret from CardDeriveKey equals OpenSSL's Z with card, the
 * container's public key (X25519's output is little-endian already). The agreement's index. */
BYTE md_assert_x25519_agreement(md_env *e, BYTE index, EVP_PKEY *card);
/* An ECDSA signature r||s (half bytes each) over h, verified with k. */
void md_verify_ecdsa(EVP_PKEY *k, const uint8_t *rs, size_t half, const uint8_t *h, size_t hlen);
/* An Ed25519 signature (64 bytes) over msg, verified with k. */
void md_verify_eddsa(EVP_PKEY *k, const uint8_t *sig, const uint8_t *msg, size_t len);
/* The card's public key with the peer's private key, as OpenSSL computes Z. */
size_t md_openssl_z(EVP_PKEY *peer, EVP_PKEY *card, uint8_t *z, size_t cap);
/* UTF-8/ASCII into a UTF-16 buffer. */
void md_w(WCHAR *out, const char *s);

#endif
