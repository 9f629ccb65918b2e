/* What the Windows providers (bridge/csp, bridge/ksp) and certificate propagation
 * (bridge/certprop) share: the handle registry, container names, finding cards, and the
 * mapping of token results to Windows status codes. A static library linked into each DLL, so
 * every DLL keeps a registry of its own. */
#ifndef OPGP_WINPROV_H
#define OPGP_WINPROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include <windows.h>

#include "opgp/host_token.h"

/* handles.c: the handles given to the system are our object pointers, dereferenced only once
 * the registry has found the value live and of the expected kind, so a stale or made-up handle
 * is an error, not a crash. Every registered object starts with a winprov_obj. */
typedef struct winprov_obj {
    int kind;
    struct winprov_obj *next;
    const void *owner;          /* the provider object it belongs to; NULL for a provider */
} winprov_obj;

void winprov_handle_add(winprov_obj *o, int kind, const void *owner);
/* Unregisters o; the caller frees it. */
void winprov_handle_remove(winprov_obj *o);
/* The live object h names if it is of kind, else NULL. */
winprov_obj *winprov_handle_get(ULONG_PTR h, int kind);
/* The same, and only when it belongs to owner (another provider's handle is not ours to use). */
winprov_obj *winprov_handle_get_owned(ULONG_PTR h, int kind, const void *owner);
/* Unregisters every object of owner and hands each to free_obj. */
void winprov_handle_drop_owned(const void *owner, void (*free_obj)(winprov_obj *o));

/* cards.c */
/* A container's name: "opgp-<serial>-<aut|sig|dec>", unique across cards, stable across hosts;
 * false when the container has no OpenPGP role or out is too small. */
bool winprov_container_name(opgp_token *t, const char *serial, unsigned index, char *out,
                            size_t max);
/* The container of t that want names by index ("0".."2"), full name or role word; -1 when none
 * (want empty: the caller's default). */
int winprov_container_by_name(opgp_token *t, const char *serial, const char *want);
/* A fully qualified name, \\.\<reader>\<container>: 1 with reader and *container (after the
 * reader, "" when absent) set; 0 when name is not of that form; -1 when its reader part is
 * empty or too long. */
int winprov_split_qualified(const char *name, char reader[OPGP_TOK_READER_NAME],
                            const char **container);
/* The readers PC/SC lists now (up to OPGP_TOK_MAX_READERS). */
opgp_tok_rv winprov_list_readers(opgp_tok_reader *list, size_t *count);
/* Opens the card in reader and reads its info; *t stays NULL on failure. */
opgp_tok_rv winprov_token_open(const char *reader, opgp_token **t, opgp_tok_info *info);

/* digest_info.c */
/* The DER DigestInfo prefix PKCS#1 v1.5 puts before a digest of the CNG hash algorithm alg
 * (MD5, SHA1, SHA256, SHA384, SHA512), its length and (hash_len non-NULL) the digest size;
 * NULL when alg is none of these. */
const uint8_t *winprov_digest_info(const wchar_t *alg, size_t *prefix_len, size_t *hash_len);

/* status.c */
/* The Windows status (HRESULT-valued, as both SECURITY_STATUS and CryptoAPI's GetLastError)
 * for the token results CNG and CryptoAPI report alike; a PIN that is needed but absent is
 * NTE_SILENT_CONTEXT for a silent caller, else SCARD_W_CARD_NOT_AUTHENTICATED. The results
 * the two APIs report differently (BUFFER_TOO_SMALL, CANCELLED, DEVICE_ERROR) are NTE_FAIL
 * here: each provider maps those itself first. */
LONG winprov_tok_status(opgp_tok_rv r, bool silent);

#endif
