/* opgpksp internals: the provider, key and secret objects behind CNG's handles. */
#ifndef OPGP_KSP_H
#define OPGP_KSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksp_provider.h"
#include "opgp/host_token.h"
#include "winprov.h"

#define KSP_PROVIDER_NAME L"opgp OpenPGP Key Storage Provider"
#define KSP_NAME_MAX 64         /* "opgp-<16 hex>-<role>" and the reader forms' container part */

typedef enum ksp_kind { KSP_KIND_PROV = 1, KSP_KIND_KEY, KSP_KIND_SECRET } ksp_kind;

typedef struct ksp_curve {
    const uint8_t *oid;         /* OID body (no tag, no length) */
    size_t oid_len;
    const wchar_t *curve_name;  /* BCRYPT_ECC_CURVE_* */
    const wchar_t *ecdsa_alg;   /* NCRYPT_ECDSA_P256_ALGORITHM..., NULL: the generic "ECDSA" */
    const wchar_t *ecdh_alg;
    DWORD ecdsa_magic, ecdh_magic; /* public blob magics; generic for brainpool */
    unsigned bytes;             /* field size in bytes */
} ksp_curve;

/* One card, opened once per provider and shared by its keys (one PIN state per card). */
typedef struct ksp_card {
    char reader[OPGP_TOK_READER_NAME];
    char serial[17];
    opgp_token *token;
    bool stale;                 /* its card went away: a fresh slot serves the reader now */
} ksp_card;

typedef struct ksp_prov {
    winprov_obj obj;            /* first: the handle registry's (bridge/winprov) */
    DWORD flags;                /* NCRYPT_SILENT_FLAG as opened */
    SRWLOCK lock;               /* guards cards[] */
    ksp_card cards[OPGP_TOK_MAX_READERS];
} ksp_prov;

typedef struct ksp_key {
    winprov_obj obj;
    ksp_card *card;             /* NULL: a public key imported for a secret agreement */
    unsigned container;
    opgp_tok_key info;
    DWORD flags;                /* NCRYPT_SILENT_FLAG as opened */
    char name[KSP_NAME_MAX];
    /* A public key of its own (imported): 04||X||Y. Card keys read theirs from the token. */
    uint8_t point[1 + 2 * 66];
    size_t point_len;
    const ksp_curve *curve;     /* the imported key's curve */
    bool generic_magic;         /* imported with a generic magic: any curve of its size */
    /* The PIN given through NCRYPT_PIN_PROPERTY, kept only where the card wants it for every
     * signature (a context-specific login per SignHash); wiped on free. */
    uint8_t pin[128];
    size_t pin_len;
    SRWLOCK lock;               /* guards pin across threads sharing the handle */
} ksp_key;

typedef struct ksp_secret {
    winprov_obj obj;
    uint8_t z[66];              /* the shared secret, big-endian X */
    size_t z_len;
} ksp_secret;

/* handles.c: the objects are registered with winprov_handle_add / winprov_handle_remove. */
/* Unregisters and frees every key and secret of p. */
void ksp_handle_drop_owned(ksp_prov *p);
ksp_prov *ksp_prov_get(NCRYPT_PROV_HANDLE h);
/* The provider's key / secret, or NULL (a handle of another provider is not ours to use). */
ksp_key *ksp_key_get(ksp_prov *p, NCRYPT_KEY_HANDLE h);
ksp_secret *ksp_secret_get(ksp_prov *p, NCRYPT_SECRET_HANDLE h);
void ksp_key_free(ksp_key *k);
void ksp_secret_free(ksp_secret *s);
/* Provider and key as every key call starts: NTE_INVALID_HANDLE when either is unknown. */
SECURITY_STATUS ksp_key_lookup(NCRYPT_PROV_HANDLE hp, NCRYPT_KEY_HANDLE hk, ksp_prov **p,
                               ksp_key **k);

/* errors.c */
/* The CNG status for a token result; a PIN that is needed but absent is NTE_SILENT_CONTEXT for
 * a silent caller (flags of the call or of the open), else SCARD_W_CARD_NOT_AUTHENTICATED. */
SECURITY_STATUS ksp_tok_status(opgp_tok_rv r, DWORD flags);
/* CNG's output convention: pb NULL asks for the size (*pcb = len, ERROR_SUCCESS); a short
 * buffer is NTE_BUFFER_TOO_SMALL with *pcb the size needed. */
SECURITY_STATUS ksp_out(const void *src, DWORD len, PBYTE pb, DWORD cb, DWORD *pcb);
SECURITY_STATUS ksp_out_wstr(const wchar_t *s, PBYTE pb, DWORD cb, DWORD *pcb);
SECURITY_STATUS ksp_out_dword(DWORD v, PBYTE pb, DWORD cb, DWORD *pcb);
/* UTF-8 <-> UTF-16 for names; false when it does not fit. */
bool ksp_to_utf8(const wchar_t *w, char *out, size_t max);
bool ksp_to_wide(const char *s, wchar_t *out, size_t max);
/* Diagnostics without secrets: OutputDebugString, and stderr when OPGP_KSP_DEBUG is set. */
void ksp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cards.c */
/* Finds the card and container a key name designates and opens the card on p (kept open
 * until FreeProvider). 0 or the status. */
SECURITY_STATUS ksp_card_find(ksp_prov *p, const char *name, ksp_card **card,
                              unsigned *container);
/* "opgp-<serial>-<aut|sig|dec>" for a container of card. */
bool ksp_container_name(const ksp_card *card, unsigned index, char *out, size_t max);
/* Opens every card present (EnumKeys); 0 or the status (no reader / no service). */
SECURITY_STATUS ksp_card_open_all(ksp_prov *p, const char *only_reader);
void ksp_cards_close(ksp_prov *p);

/* algs.c */
const ksp_curve *ksp_curve_of(const opgp_tok_key *k);
const ksp_curve *ksp_curve_by_bytes_magic(DWORD magic, unsigned bytes);
/* The algorithm property of a key: "RSA", "ECDSA_P256", "ECDH_P384", "ECDSA" (brainpool). */
const wchar_t *ksp_key_algorithm(const opgp_tok_key *k);
const wchar_t *ksp_key_group(const opgp_tok_key *k);
/* The DER DigestInfo prefix for a CNG hash algorithm name (NULL when unknown). */
const uint8_t *ksp_digest_info(const wchar_t *alg, size_t *prefix_len, size_t *hash_len);

/* pin.c */
/* Verifies the PIN of key k (and keeps it for per-signature logins); wipes nothing of the
 * caller's buffer. */
SECURITY_STATUS ksp_key_set_pin(ksp_key *k, const BYTE *pin, DWORD cb, DWORD flags);
/* The per-signature login before a signature, when the card wants one (caller holds k->lock). */
SECURITY_STATUS ksp_key_sign_login(ksp_key *k, DWORD flags);
/* The tries left on the PIN that guards k (-1 unknown). */
int ksp_key_tries(ksp_key *k);

#endif
