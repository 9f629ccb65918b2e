/* The conformance harness: what every case needs to drive the minidriver the way Windows'
 * Base CSP / KSP does, through bridge/host. */
#ifndef MDC_HARNESS_H
#define MDC_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "card_access.h"
#include "opgp/host.h"
#include "opgp/host_reader.h"
#include "runner.h"
#include "thread.h"
#include "verify.h"

#define MDC_PIN_USER "123456"
#define MDC_PIN_ADMIN "12345678"
#define MDC_PIN_RESET_CODE "87654321"
/* The minidriver's PIN id of the Reset Code (minidriver/src/md.h: MD_PIN_RESET_CODE). */
#define MDC_PIN_ID_RESET_CODE 4

/* The containers of opgp's minidriver (minidriver/src/md.h): 0 authentication (the default),
 * 1 signature, 2 decryption. */
#define MDC_CNTR_AUT 0
#define MDC_CNTR_SIG 1
#define MDC_CNTR_DEC 2
#define MDC_CONTAINERS 3

typedef struct mdc_alg {
    const char *name;
    bool rsa;
    DWORD bits;        /* modulus or field bits */
    ALG_ID hash;       /* the digest a Windows client pairs with the key */
    DWORD ecdsa_spec;  /* AT_ECDSA_P*: 0 for RSA */
    DWORD ecdh_spec;   /* AT_ECDHE_P*: 0 for RSA */
} mdc_alg;

typedef struct mdc_config {
    const mdc_alg *alg;
    bool sim;                  /* in-process simulator (native) rather than PC/SC */
    const char *reader;        /* PC/SC reader, NULL: the first with a card */
    opgp_host_module module;
    ca_card_options card;      /* what the card does (told by the command line) */
    bool enrolled;             /* a case generated new keys: the simulator's export is stale */
    /* Smart card redirection (remote desktop): before every operation a context gets a fresh
     * card handle on the same reader in CARD_DATA.hScard, the old one disconnected (leave). */
    bool new_handle_per_call;
    unsigned long handles_replaced; /* how many times that happened, under handles_lock */
    mdc_mutex *handles_lock;
} mdc_config;

extern mdc_config H;

const mdc_alg *mdc_alg_find(const char *name);

/* One Base CSP-like context: its own PC/SC connection (or simulator transport), CARD_DATA,
 * cache binding. lock serialises calls when several threads share it, as the Base CSP does. */
typedef struct hctx {
    opgp_host_context *c;
    PCARD_DATA cd;
    opgp_host_reader reader;
    bool has_reader;
    mdc_mutex *lock;
} hctx;

DWORD h_open(hctx **out);
/* With a CARD_DATA version other than the current one (an older CSP). */
DWORD h_open_version(hctx **out, DWORD version);
void h_close(hctx *h);
/* Card parameters for a raw CARD_DATA (parameter tests); the connection is kept in *reader. */
bool h_card_params(opgp_host_card_params *p, opgp_host_reader *reader, BYTE atr[36]);
void h_card_params_done(opgp_host_reader *reader);

/* APDUs so far (all contexts); false when this build cannot count. */
bool h_apdus(unsigned long *n);
/* Print "APDUs <what>: N" for the APDUs since mark (a value of h_apdu_mark()). */
unsigned long h_apdu_mark(void);
void h_apdu_note(const char *what, unsigned long mark);

DWORD h_auth(hctx *h, PIN_ID id, const char *pin, DWORD *remaining);
/* The key spec CardSignData / CardRSADecrypt expect for the container's key (0: none). */
DWORD h_container_spec(hctx *h, BYTE index, bool *is_sig);
/* Sign hash with the container's key the way the KSP does (padding info for RSA). *sig from
 * pfnCspAlloc: free with opgp_host_free. */
DWORD h_sign_hash(hctx *h, BYTE index, ALG_ID alg, const BYTE *hash, DWORD hash_len,
                  bool ksp_style, BYTE **sig, DWORD *sig_len);
/* Verify sig over hash against the container's public key (from CardGetContainerInfo) and, when
 * available, the simulator's own copy of that slot's key (checked equal). */
bool h_verify(hctx *h, BYTE index, ALG_ID alg, const BYTE *hash, DWORD hash_len,
              const BYTE *sig, DWORD sig_len);
/* The container's public key blob (sig or key exchange, whichever is there), host memory. */
v_key *h_container_key(hctx *h, BYTE index);

/* Sign a message end to end with the container: hash, sign, verify. */
bool h_sign_and_verify(hctx *h, BYTE index, const char *msg);

/* Byte-wise UTF-16 equality for property names. */
bool h_wcs_eq(const WCHAR *a, const WCHAR *b);

#endif
