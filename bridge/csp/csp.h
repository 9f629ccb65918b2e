/* opgpcsp internals: the provider context, key and hash objects behind CryptoAPI's handles. */
#ifndef OPGP_CSP_H
#define OPGP_CSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cspdk.h"
#include "opgp/host_token.h"
#include "winprov.h"

#define CSP_PROVIDER_NAME "opgp OpenPGP CSP"

typedef enum csp_kind { CSP_KIND_PROV = 1, CSP_KIND_KEY, CSP_KIND_HASH } csp_kind;

typedef struct csp_prov {
    winprov_obj obj;            /* first: the handle registry's (bridge/winprov) */
    opgp_token *token;          /* NULL: a verify context with no card */
    char reader[OPGP_TOK_READER_NAME];
    int container;              /* -1: no container (CRYPT_VERIFYCONTEXT) */
    DWORD flags;                /* CRYPT_SILENT, CRYPT_VERIFYCONTEXT as acquired */
    char serial[17];
    unsigned enum_container;    /* PP_ENUMCONTAINERS position */
    unsigned enum_alg;          /* PP_ENUMALGS and PP_ENUMALGS_EX positions */
    unsigned enum_alg_ex;
} csp_prov;

typedef struct csp_key {
    winprov_obj obj;
    unsigned container;
    DWORD keyspec;              /* AT_SIGNATURE or AT_KEYEXCHANGE */
    opgp_tok_key info;
} csp_key;

typedef struct csp_hash_state csp_hash_state; /* hash_bcrypt.c */

typedef struct csp_hash {
    winprov_obj obj;
    ALG_ID alg;
    DWORD len;                  /* digest size */
    csp_hash_state *state;      /* NULL once finished or for a value-only hash */
    bool finished;
    uint8_t value[64];
} csp_hash;

/* handles.c: the objects are registered with winprov_handle_add / winprov_handle_remove. */
/* Unregisters and frees every key and hash of p (a released context takes them along). */
void csp_handle_drop_owned(csp_prov *p);
csp_prov *csp_prov_get(HCRYPTPROV h);
csp_key *csp_key_get(csp_prov *p, HCRYPTKEY h);
csp_hash *csp_hash_get(csp_prov *p, HCRYPTHASH h);
/* The context and its key or hash, as every CP* call on one starts: NULL with the CryptoAPI error
 * set (NTE_BAD_UID for an unknown context, NTE_BAD_KEY / NTE_BAD_HASH for an unknown object). */
csp_key *csp_key_lookup(HCRYPTPROV hProv, HCRYPTKEY hKey, csp_prov **prov);
csp_hash *csp_hash_lookup(HCRYPTPROV hProv, HCRYPTHASH hHash, csp_prov **prov);
void csp_key_free(csp_key *k);
void csp_hash_free(csp_hash *h);

/* errors.c */
BOOL csp_fail(DWORD error);
/* The CryptoAPI error for a token result; a silent context that would need a PIN gets
 * NTE_SILENT_CONTEXT. */
DWORD csp_tok_error(const csp_prov *p, opgp_tok_rv r);
BOOL csp_tok_fail(const csp_prov *p, opgp_tok_rv r);
/* CryptoAPI's output convention: pb NULL asks for the size; a short buffer gets
 * ERROR_MORE_DATA with the size needed. */
BOOL csp_out(const void *src, DWORD len, BYTE *pb, DWORD *pcb);
void csp_reverse(uint8_t *p, size_t n);

/* containers.c */
/* The CSP's name of a container: "opgp-<serial>-<aut|sig|dec>". */
bool csp_container_name(const csp_prov *p, unsigned index, char *out, size_t max);
/* The CryptoAPI key spec of a container (0: none this CSP can use: not RSA, or empty). */
DWORD csp_container_keyspec(opgp_token *t, unsigned index, opgp_tok_key *key);
/* Finds the card and container for CPAcquireContext's name; sets p->token, reader,
 * container. Returns 0 or the CryptoAPI error. */
DWORD csp_container_open(csp_prov *p, const char *name, bool verify);

/* hash_bcrypt.c */
bool csp_hash_alg_known(ALG_ID alg, DWORD *len);
csp_hash_state *csp_hash_state_new(ALG_ID alg);
bool csp_hash_state_update(csp_hash_state *s, const uint8_t *p, DWORD n);
bool csp_hash_state_final(csp_hash_state *s, uint8_t *out, DWORD len);
void csp_hash_state_free(csp_hash_state *s);
/* Finishes h (once); its value is then fixed. */
bool csp_hash_finish(csp_hash *h);
/* The DER DigestInfo prefix for alg (NULL, 0 for CALG_SSL3_SHAMD5). */
const uint8_t *csp_digest_info_prefix(ALG_ID alg, size_t *len);

#endif
