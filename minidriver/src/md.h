/* State and helpers shared by the minidriver's source files. Not installed.
 *
 * Container / slot mapping (see README.md in minidriver/):
 *   container 0 = authentication key (AUT, INTERNAL AUTHENTICATE), the default container:
 *                 RSA as AT_KEYEXCHANGE (what Windows logon looks for), ECC as AT_ECDSA_P*;
 *   container 1 = signature key (SIG, PSO:COMPUTE DIGITAL SIGNATURE): AT_SIGNATURE / AT_ECDSA_P*;
 *   container 2 = decryption key (DEC, PSO:DECIPHER): AT_KEYEXCHANGE / AT_ECDHE_P*.
 * PIN ids: ROLE_USER = PW1 (82), ROLE_ADMIN = PW3 (83), MD_PIN_SIGN = PW1 for signatures (81),
 * MD_PIN_RESET_CODE = the Reset Code (unblocks PW1). */
#ifndef OPGPMD_MD_H
#define OPGPMD_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/cardmod.h"
#include "opgp/card.h"

#define MD_CONTAINERS 3
#define MD_PIN_SIGN 3
#define MD_PIN_RESET_CODE 4
#define MD_PIN_COUNT 5         /* ids 0..4 */
#define MD_MAX_AGREEMENTS 8
#define MD_MAX_CERT 4096       /* larger than any 7F21 an OpenPGP card stores (max_cert) */

typedef struct md_cached_cert {
    bool known;                /* read from the card (or its absence seen) */
    uint8_t *data;             /* malloc'ed, NULL when the slot is empty */
    size_t len;
} md_cached_cert;

typedef struct md_state {
    opgp_transport *transport; /* owned: closed with the context */
    opgp_card *card;
    PIN_SET verified;          /* PINs this context verified and the card still honours */
    md_cached_cert cert[OPGP_KEY_SLOT_COUNT];
    uint8_t *agreement[MD_MAX_AGREEMENTS]; /* ECDH shared secrets as the card returns them */
    size_t agreement_len[MD_MAX_AGREEMENTS];
    bool agreement_le[MD_MAX_AGREEMENTS];  /* natively little-endian (X25519), else big-endian */
    bool holder_known;         /* cardholder name read (GET DATA 65) in this context */
    char holder[40];           /* the 5B value as stored, NUL-terminated */
    uint32_t seen_generation;  /* the card's write generation this context's memory matches */
} md_state;

/* ---- context.c */
/* Checks pCardData and its vendor state; SCARD_E_INVALID_PARAMETER when either is missing. */
DWORD md_state_get(PCARD_DATA pCardData, md_state **out);
/* After OPGP_E_CARD_RESET: select the application again and forget PIN states. */
void md_after_reset(md_state *st);

/* ---- pinpad.c: secure PIN entry on the reader (PC/SC part 10) */
/* True when id is typed on the reader's pinpad: PW1 (82, 81) and PW3 on a pinpad reader, unless
 * the card has a KDF-DO. */
bool md_pin_external(md_state *st, PIN_ID id);
/* VERIFY ref on the pinpad. SCARD_S_SUCCESS when the card answered (*status then tells how);
 * otherwise the reader's outcome (cancel, bad entry) or SCARD_E_INVALID_PARAMETER when id
 * cannot be typed on the reader. */
DWORD md_verify_pinpad(md_state *st, PIN_ID id, int ref, opgp_status *status, opgp_error *err);

/* ---- errors.c */
DWORD md_status_to_scard(opgp_status s);
/* Map a card status from a call; a reset is handled (md_after_reset) and reported. */
DWORD md_card_error(md_state *st, opgp_status s);
bool md_wcs_eq(LPCWSTR a, LPCWSTR b);
/* Copy len bytes into pbData (capacity cbData); *pdwDataLen = len; ERROR_INSUFFICIENT_BUFFER
 * when it does not fit (pbData may be NULL for a size query with cbData 0). */
DWORD md_put_property(PBYTE pbData, DWORD cbData, PDWORD pdwDataLen, const void *src, DWORD len);
void *md_csp_alloc(PCARD_DATA d, size_t n);

/* ---- cmap.c: the container view of the card (pure: testable from an opgp_appdata) */
opgp_key_slot md_container_slot(BYTE index);
/* AT_* for the key in the container, 0 when the slot is empty or its algorithm cannot be
 * expressed in cardmod (brainpool, Ed25519, X25519: see VENDOR.md). */
DWORD md_container_keyspec(const opgp_appdata *ad, BYTE index);
/* Key size in bits for the cmapfile (RSA modulus bits, ECC field bits); 0 when absent. */
WORD md_key_bits(const opgp_algo_attr *a);
/* The container name: a GUID string "{...}" derived from the AID and the slot. */
opgp_status md_container_guid(const uint8_t aid[OPGP_AID_LEN], BYTE index,
                              WCHAR out[MAX_CONTAINER_NAME_LEN + 1]);
/* cmapfile: MD_CONTAINERS records, little-endian as Windows reads them. */
#define MD_CMAPFILE_SIZE (MD_CONTAINERS * sizeof(CONTAINER_MAP_RECORD))
opgp_status md_cmapfile_build(const opgp_appdata *ad, uint8_t out[MD_CMAPFILE_SIZE]);
/* The freshness counters of cardcf: containers from the key state of 6E; files from the key
 * state plus the process's write generation of the card (freshness.c). */
opgp_status md_cardcf_build(const opgp_appdata *ad, uint32_t write_generation, uint8_t out[6]);
/* cardid: 16 bytes, the AID (unique per card: manufacturer + serial). */
void md_cardid_build(const opgp_appdata *ad, uint8_t out[16]);

/* ---- freshness.c: writes through any context of the process, per card */
uint32_t md_write_generation(const uint8_t aid[OPGP_AID_LEN]);
/* Writes to any card so far (sampled before opening the card). */
uint32_t md_writes_total(void);
/* Whether this process just had a card with this ATR open (selection_hint.c). */
bool md_selection_likely(const uint8_t *atr, size_t len);
void md_selection_opened(const uint8_t *atr, size_t len);
/* At CardAcquireContext, after the card is open. */
void md_generation_start(md_state *st, uint32_t writes_before_open);
/* After this context wrote to the card (or may have): every other context catches up. */
void md_generation_wrote(md_state *st);
/* At the start of every call: when another context wrote, forget certificates and the
 * cardholder name and read 6E again. */
void md_generation_follow(md_state *st);

/* ---- blobs.c (pure) */
/* CryptoAPI PUBLICKEYBLOB: BLOBHEADER, RSAPUBKEY, modulus little-endian. out NULL: size. */
opgp_status md_rsa_pubkey_blob(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                               ALG_ID alg, uint8_t *out, size_t *out_len);
/* BCRYPT_ECCKEY_BLOB with magic, from an uncompressed point 04||X||Y. out NULL: size. */
opgp_status md_ecc_pubkey_blob(ULONG magic, const uint8_t *point, size_t point_len,
                               uint8_t *out, size_t *out_len);
/* Magic for a curve: ECDSA (ecdh false) or ECDH public key; 0 when cardmod has none. */
ULONG md_ecc_magic(opgp_curve c, bool ecdh);
void md_reverse(uint8_t *p, size_t n);

/* ---- pin_info.c (pure) */
/* PIN_INFO for a PIN id given the card's PW status; SCARD_E_INVALID_PARAMETER for an id we
 * do not have. */
DWORD md_pin_info(PIN_ID id, const opgp_pw_status *pw, PIN_INFO *out);
/* The PIN id that guards the container's key. */
PIN_ID md_container_pin(BYTE index);

/* ---- certs (files.c) */
/* The certificate of slot, through the context's and the CSP's caches. */
DWORD md_cert_get(PCARD_DATA d, md_state *st, opgp_key_slot slot, const uint8_t **data,
                  size_t *len);
void md_cert_forget(md_state *st);
/* Write (len 0: delete) the certificate of the container's slot (the card wants PW3). */
DWORD md_cert_write(PCARD_DATA d, md_state *st, BYTE index, const uint8_t *data, size_t len);

/* ---- cache.c: the Base CSP's cache, keyed by card, freshness and name */
DWORD md_cache_lookup(PCARD_DATA d, md_state *st, const char *name, uint8_t **data,
                      size_t *len);
void md_cache_add(PCARD_DATA d, md_state *st, const char *name, const uint8_t *data,
                  size_t len);

/* ---- capabilities.c */
DWORD md_key_sizes(DWORD spec, CARD_KEY_SIZES *ks);

/* ---- sign.c / ecdh.c: vendor key specs (minidriver_vendor.h) */
/* The vendor signing key spec for the container's key (AT_OPGP_ECDSA / AT_OPGP_EDDSA), 0 when
 * it cannot sign that way (empty, RSA, the decryption key). */
DWORD md_container_vendor_spec(const opgp_appdata *ad, BYTE index);

/* ---- properties.c: opgp's card properties */
DWORD md_vendor_card_property(PCARD_DATA d, md_state *st, LPCWSTR prop, PBYTE pbData,
                              DWORD cbData, PDWORD pdwDataLen, bool *handled);
/* data_object.c: CP_OPGP_DATA_OBJECT, the tag in dwFlags. */
DWORD md_data_object_property(md_state *st, DWORD tag, PBYTE pbData, DWORD cbData,
                              PDWORD pdwDataLen);

/* ---- containers.c */
/* The public key of slot, through the CSP cache. */
DWORD md_public_key(PCARD_DATA d, md_state *st, opgp_key_slot slot, opgp_public_key *pk);

/* ---- transport.c */
DWORD md_transport_open(PCARD_DATA d, opgp_transport **out);
/* Rebuild the transport's inner part when CARD_DATA's handles changed since the last call
 * (*changed then true). */
DWORD md_transport_follow(PCARD_DATA d, opgp_transport *t, bool *changed);

/* ---- Entry points (also in CARD_DATA). Microsoft's names, so a test can call them. */
DWORD WINAPI CardDeleteContext(PCARD_DATA pCardData);
DWORD WINAPI CardQueryCapabilities(PCARD_DATA pCardData, PCARD_CAPABILITIES pCardCapabilities);
DWORD WINAPI CardDeleteContainer(PCARD_DATA pCardData, BYTE bContainerIndex, DWORD dwReserved);
DWORD WINAPI CardCreateContainer(PCARD_DATA pCardData, BYTE bContainerIndex, DWORD dwFlags,
                                 DWORD dwKeySpec, DWORD dwKeySize, PBYTE pbKeyData);
DWORD WINAPI CardCreateContainerEx(PCARD_DATA pCardData, BYTE bContainerIndex, DWORD dwFlags,
                                   DWORD dwKeySpec, DWORD dwKeySize, PBYTE pbKeyData,
                                   PIN_ID PinId);
DWORD WINAPI CardGetContainerInfo(PCARD_DATA pCardData, BYTE bContainerIndex, DWORD dwFlags,
                                  PCONTAINER_INFO pContainerInfo);
DWORD WINAPI CardAuthenticatePin(PCARD_DATA pCardData, LPWSTR pwszUserId, PBYTE pbPin,
                                 DWORD cbPin, PDWORD pcAttemptsRemaining);
DWORD WINAPI CardGetChallenge(PCARD_DATA pCardData, PBYTE *ppbChallengeData,
                              PDWORD pcbChallengeData);
DWORD WINAPI CardAuthenticateChallenge(PCARD_DATA pCardData, PBYTE pbResponseData,
                                       DWORD cbResponseData, PDWORD pcAttemptsRemaining);
DWORD WINAPI CardUnblockPin(PCARD_DATA pCardData, LPWSTR pwszUserId, PBYTE pbAuthenticationData,
                            DWORD cbAuthenticationData, PBYTE pbNewPinData, DWORD cbNewPinData,
                            DWORD cRetryCount, DWORD dwFlags);
DWORD WINAPI CardChangeAuthenticator(PCARD_DATA pCardData, LPWSTR pwszUserId,
                                     PBYTE pbCurrentAuthenticator, DWORD cbCurrentAuthenticator,
                                     PBYTE pbNewAuthenticator, DWORD cbNewAuthenticator,
                                     DWORD cRetryCount, DWORD dwFlags,
                                     PDWORD pcAttemptsRemaining);
DWORD WINAPI CardDeauthenticate(PCARD_DATA pCardData, LPWSTR pwszUserId, DWORD dwFlags);
DWORD WINAPI CardCreateDirectory(PCARD_DATA pCardData, LPSTR pszDirectoryName,
                                 CARD_DIRECTORY_ACCESS_CONDITION AccessCondition);
DWORD WINAPI CardDeleteDirectory(PCARD_DATA pCardData, LPSTR pszDirectoryName);
DWORD WINAPI CardCreateFile(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                            DWORD cbInitialCreationSize,
                            CARD_FILE_ACCESS_CONDITION AccessCondition);
DWORD WINAPI CardReadFile(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                          DWORD dwFlags, PBYTE *ppbData, PDWORD pcbData);
DWORD WINAPI CardWriteFile(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                           DWORD dwFlags, PBYTE pbData, DWORD cbData);
DWORD WINAPI CardDeleteFile(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                            DWORD dwFlags);
DWORD WINAPI CardEnumFiles(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR *pmszFileNames,
                           LPDWORD pdwcbFileName, DWORD dwFlags);
DWORD WINAPI CardGetFileInfo(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                             PCARD_FILE_INFO pCardFileInfo);
DWORD WINAPI CardQueryFreeSpace(PCARD_DATA pCardData, DWORD dwFlags,
                                PCARD_FREE_SPACE_INFO pCardFreeSpaceInfo);
DWORD WINAPI CardQueryKeySizes(PCARD_DATA pCardData, DWORD dwKeySpec, DWORD dwFlags,
                               PCARD_KEY_SIZES pKeySizes);
DWORD WINAPI CardSignData(PCARD_DATA pCardData, PCARD_SIGNING_INFO pInfo);
DWORD WINAPI CardRSADecrypt(PCARD_DATA pCardData, PCARD_RSA_DECRYPT_INFO pInfo);
DWORD WINAPI CardConstructDHAgreement(PCARD_DATA pCardData,
                                      PCARD_DH_AGREEMENT_INFO pAgreementInfo);
DWORD WINAPI CardDeriveKey(PCARD_DATA pCardData, PCARD_DERIVE_KEY pAgreementInfo);
DWORD WINAPI CardDestroyDHAgreement(PCARD_DATA pCardData, BYTE bSecretAgreementIndex,
                                    DWORD dwFlags);
DWORD WINAPI CardGetChallengeEx(PCARD_DATA pCardData, PIN_ID PinId, PBYTE *ppbChallengeData,
                                PDWORD pcbChallengeData, DWORD dwFlags);
DWORD WINAPI CardAuthenticateEx(PCARD_DATA pCardData, PIN_ID PinId, DWORD dwFlags,
                                PBYTE pbPinData, DWORD cbPinData, PBYTE *ppbSessionPin,
                                PDWORD pcbSessionPin, PDWORD pcAttemptsRemaining);
DWORD WINAPI CardChangeAuthenticatorEx(PCARD_DATA pCardData, DWORD dwFlags,
                                       PIN_ID dwAuthenticatingPinId,
                                       PBYTE pbAuthenticatingPinData,
                                       DWORD cbAuthenticatingPinData, PIN_ID dwTargetPinId,
                                       PBYTE pbTargetData, DWORD cbTargetData,
                                       DWORD cRetryCount, PDWORD pcAttemptsRemaining);
DWORD WINAPI CardDeauthenticateEx(PCARD_DATA pCardData, PIN_SET PinId, DWORD dwFlags);
DWORD WINAPI CardGetContainerProperty(PCARD_DATA pCardData, BYTE bContainerIndex,
                                      LPCWSTR wszProperty, PBYTE pbData, DWORD cbData,
                                      PDWORD pdwDataLen, DWORD dwFlags);
DWORD WINAPI CardSetContainerProperty(PCARD_DATA pCardData, BYTE bContainerIndex,
                                      LPCWSTR wszProperty, PBYTE pbData, DWORD cbDataLen,
                                      DWORD dwFlags);
DWORD WINAPI CardGetProperty(PCARD_DATA pCardData, LPCWSTR wszProperty, PBYTE pbData,
                             DWORD cbData, PDWORD pdwDataLen, DWORD dwFlags);
DWORD WINAPI CardSetProperty(PCARD_DATA pCardData, LPCWSTR wszProperty, PBYTE pbData,
                             DWORD cbDataLen, DWORD dwFlags);
DWORD WINAPI MDImportSessionKey(PCARD_DATA pCardData, LPCWSTR pwszBlobType, LPCWSTR pwszAlgId,
                                PCARD_KEY_HANDLE phKey, PBYTE pbInput, DWORD cbInput);
DWORD WINAPI MDEncryptData(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                           LPCWSTR pwszSecureFunction, PBYTE pbInput, DWORD cbInput,
                           DWORD dwFlags, PCARD_ENCRYPTED_DATA *ppEncryptedData,
                           PDWORD pcEncryptedData);
DWORD WINAPI CardImportSessionKey(PCARD_DATA pCardData, BYTE bContainerIndex,
                                  LPVOID pPaddingInfo, LPCWSTR pwszBlobType, LPCWSTR pwszAlgId,
                                  PCARD_KEY_HANDLE phKey, PBYTE pbInput, DWORD cbInput,
                                  DWORD dwFlags);
DWORD WINAPI CardGetSharedKeyHandle(PCARD_DATA pCardData, PBYTE pbInput, DWORD cbInput,
                                    PBYTE *ppbOutput, PDWORD pcbOutput, PCARD_KEY_HANDLE phKey);
DWORD WINAPI CardGetAlgorithmProperty(PCARD_DATA pCardData, LPCWSTR pwszAlgId,
                                      LPCWSTR pwszProperty, PBYTE pbData, DWORD cbData,
                                      PDWORD pdwDataLen, DWORD dwFlags);
DWORD WINAPI CardGetKeyProperty(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                                LPCWSTR pwszProperty, PBYTE pbData, DWORD cbData,
                                PDWORD pdwDataLen, DWORD dwFlags);
DWORD WINAPI CardSetKeyProperty(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                                LPCWSTR pwszProperty, PBYTE pbInput, DWORD cbInput,
                                DWORD dwFlags);
DWORD WINAPI CardDestroyKey(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey);
DWORD WINAPI CardProcessEncryptedData(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                                      LPCWSTR pwszSecureFunction,
                                      PCARD_ENCRYPTED_DATA pEncryptedData, DWORD cEncryptedData,
                                      PBYTE pbOutput, DWORD cbOutput, PDWORD pdwOutputLen,
                                      DWORD dwFlags);

#endif
