/* bridge/host: the part of Windows' Base CSP that drives a cardmod v7 minidriver. It loads the
 * minidriver registered for a card, fills a CARD_DATA (CSP callbacks, the per-card data cache,
 * PKCS#1 padding helpers, the PC/SC handles) and offers the Base CSP's cached reads. The
 * consumer-facing token API (PKCS#11, CSP, KSP) sits on top of this later.
 *
 * Natively the minidriver is opgp's static library (loader_static.c); on Windows it is the DLL
 * registered for the card's ATR, or one given by path (loader_win32.c). */
#ifndef OPGP_HOST_H
#define OPGP_HOST_H

#include "opgp/cardmod.h"
#include "opgp/host_cache.h"

/* ---- loader ---------------------------------------------------------------------------- */

typedef struct opgp_host_module {
    PFN_CARD_ACQUIRE_CONTEXT acquire;
    void *library;               /* HMODULE on Windows; NULL for the built-in minidriver */
} opgp_host_module;

#define OPGP_HOST_MAX_CARD_NAME 256   /* UTF-16 units */
#define OPGP_HOST_BUILTIN_CARD_NAME OPGP_WSTR("opgp OpenPGP card")

/* The card name and minidriver for an ATR. Windows: the first card under
 * HKLM\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards whose ATR/ATRMask match, its
 * "80000001" DLL loaded. Natively: the built-in minidriver under OPGP_HOST_BUILTIN_CARD_NAME.
 * SCARD_E_UNKNOWN_CARD when nothing is registered for the ATR. */
DWORD opgp_host_module_for_atr(const BYTE *atr, DWORD atr_len,
                               WCHAR name[OPGP_HOST_MAX_CARD_NAME], opgp_host_module *out);
/* Load a minidriver by path (UTF-8) and find CardAcquireContext. Natively only the built-in
 * exists: SCARD_E_UNSUPPORTED_FEATURE. */
DWORD opgp_host_module_from_path(const char *path, opgp_host_module *out);
void opgp_host_module_close(opgp_host_module *m);

/* ---- CARD_DATA ------------------------------------------------------------------------- */

/* How the host holds the card for one operation, as the Base CSP wraps every call into the
 * minidriver in SCardBeginTransaction / SCardEndTransaction on hScard: without it another
 * process could slip commands between a VERIFY and its PSO, or into a GET RESPONSE or chaining
 * sequence. NULL begin: PC/SC transactions on hScard. */
typedef struct opgp_host_txn {
    DWORD (*begin)(void *arg, SCARDHANDLE card);
    void (*end)(void *arg, SCARDHANDLE card);
    void *arg;
} opgp_host_txn;

/* What the CSP side of a CARD_DATA is made from. */
typedef struct opgp_host_card_params {
    SCARDCONTEXT hSCardCtx;
    SCARDHANDLE hScard;
    const BYTE *atr;
    DWORD atr_len;               /* at most 36 */
    LPCWSTR card_name;           /* NULL: OPGP_HOST_BUILTIN_CARD_NAME */
    DWORD version;               /* 0: CARD_DATA_CURRENT_VERSION */
    opgp_host_txn txn;           /* zero: PC/SC transactions on hScard */
} opgp_host_card_params;

/* The allocator the callbacks use (pfnCspAlloc zeroes; all three are malloc-family). */
LPVOID WINAPI opgp_host_alloc(SIZE_T size);
LPVOID WINAPI opgp_host_realloc(LPVOID p, SIZE_T size);
void WINAPI opgp_host_free(LPVOID p);

/* PKCS#1 v1.5 helpers handed to raw-RSA minidrivers (padding.c).
 * pad: EMSA-PKCS1-v1_5 (block type 1) of exactly cbMaxWidth bytes, big-endian (the order an RSA
 *      primitive takes): DigestInfo for aiHashAlg (or the BCRYPT_PKCS1_PADDING_INFO algorithm)
 *      plus the hash, or the data alone with CRYPT_NOHASHOID / a NULL pszAlgId. The buffer
 *      comes from opgp_host_alloc; the minidriver frees it with pfnCspFree.
 * unpad: block type 2 from pbData/cbData, which holds the raw RSA result in CryptoAPI order
 *      (little-endian, as CARD_RSA_DECRYPT_INFO carries data); the message goes to
 *      pbUnpaddedData (capacity cbUnpaddedData), *pcbUnpaddedData its size.
 *      ERROR_INSUFFICIENT_BUFFER with the size when it does not fit. PKCS#1 only. */
DWORD WINAPI opgp_host_pad_data(PCARD_SIGNING_INFO pSigningInfo, DWORD cbMaxWidth,
                                DWORD *pcbPaddedBuffer, PBYTE *ppbPaddedBuffer);
DWORD WINAPI opgp_host_unpad_data(PCARD_RSA_DECRYPT_INFO pRSADecryptInfo, DWORD cbUnpaddedData,
                                  DWORD *pcbUnpaddedData, PBYTE pbUnpaddedData);

/* What pvCacheContext points at: the card's shared cache once the host knows the cardid (the
 * callbacks answer "not found" and drop adds before that). */
typedef struct opgp_host_cache_binding {
    opgp_host_cache *cache;
} opgp_host_cache_binding;

/* Fill the CSP side of *cd (zeroing the rest first), as the Base CSP does before calling
 * CardAcquireContext. atr and card_name are referenced, not copied. */
void opgp_host_card_data_init(CARD_DATA *cd, const opgp_host_card_params *p,
                              opgp_host_cache_binding *binding);

/* ---- A minidriver context with the Base CSP's caching ------------------------------------ */

typedef struct opgp_host_context opgp_host_context;

/* CardAcquireContext on a filled CARD_DATA, then read cardid (binding the card's shared cache)
 * and cardcf (applying the freshness rule). Returns the minidriver's error as is. */
DWORD opgp_host_context_open(const opgp_host_module *m, const opgp_host_card_params *p,
                             opgp_host_context **out);
/* CardDeleteContext, release the cache. NULL allowed. */
void opgp_host_context_close(opgp_host_context *c);
PCARD_DATA opgp_host_card_data(opgp_host_context *c);
opgp_host_cache *opgp_host_context_cache(opgp_host_context *c);
/* The card's cardid as read at open. */
const BYTE *opgp_host_context_cardid(const opgp_host_context *c);

/* Hold the card for an operation (nestable; every begin that succeeded is paired with an end).
 * The host's own calls below take it themselves; a caller driving the minidriver directly
 * through CARD_DATA takes it around each operation. */
DWORD opgp_host_begin(opgp_host_context *c);
void opgp_host_end(opgp_host_context *c);

/* What the Base CSP does at the start of an operation: read cardcf from the minidriver and
 * drop what its counters say is stale. *dropped (may be NULL): the classes dropped. */
DWORD opgp_host_refresh(opgp_host_context *c, unsigned *dropped);

/* CardReadFile through the cache: cardcf and cardid always go to the minidriver; cmapfile is a
 * CONTAINERS item, every other file a FILES item. *data from opgp_host_alloc (free with
 * opgp_host_free). dir NULL for the root. */
DWORD opgp_host_read_file(opgp_host_context *c, const char *dir, const char *name, BYTE **data,
                          DWORD *len);
/* CardWriteFile, then the cached copy is replaced and cardcf read again (the write may have
 * moved its counters). */
DWORD opgp_host_write_file(opgp_host_context *c, const char *dir, const char *name,
                           const BYTE *data, DWORD len);
/* CardGetContainerInfo through the cache (a CONTAINERS item). The blobs come from
 * opgp_host_alloc, as the minidriver's would come from pfnCspAlloc. */
DWORD opgp_host_container_info(opgp_host_context *c, BYTE index, CONTAINER_INFO *info);
/* Forget the cached view of containers and files after the caller changed the card through
 * the minidriver (key generation, certificate write): what the Base CSP does after it updated
 * cardcf. */
void opgp_host_invalidate(opgp_host_context *c, unsigned classes);

#endif
