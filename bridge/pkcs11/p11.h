/* State shared by the PKCS#11 module's files. The module talks to cards only through
 * bridge/host's token API (opgp/host_token.h). Not installed. */
#ifndef OPGP_P11_H
#define OPGP_P11_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/host_token.h"
#include "pkcs11_v3.h"

#define P11_MAX_SLOTS OPGP_TOK_MAX_READERS
#define P11_MAX_SESSIONS 64
#define P11_MAX_SESSION_OBJECTS 16
#define P11_MAX_FIND 64
#define P11_MAX_SIGN_DATA 1024   /* single-part input of CKM_RSA_PKCS / CKM_ECDSA */

/* ---- module.c: the module's lock and life ----------------------------------------------- */
extern bool p11_initialized;
/* CKR_CRYPTOKI_NOT_INITIALIZED unless initialised in this process (a forked child starts
 * uninitialised); otherwise takes the module lock and returns CKR_OK. */
CK_RV p11_enter(void);
void p11_leave(void);

/* ---- platform: module_unix.c / module_win32.c -------------------------------------------- */
unsigned long p11_pid(void);
void p11_lock(void);
void p11_unlock(void);
/* PC/SC contexts of blocked C_WaitForSlotEvent calls, cancelled by C_Finalize (lock held). */
bool p11_event_register(opgp_tok_readers *r);
void p11_event_unregister(opgp_tok_readers *r);

/* ---- slot.c ------------------------------------------------------------------------------ */
typedef struct p11_slot {
    bool used;
    opgp_tok_reader reader;
    opgp_token *token;          /* NULL when no card or not opened yet */
    bool token_failed;          /* the card is there but no minidriver serves it */
    CK_USER_TYPE login;         /* (CK_USER_TYPE)-1: nobody */
} p11_slot;

extern p11_slot p11_slots[P11_MAX_SLOTS];
/* Reader list refreshed from PC/SC. */
CK_RV p11_slots_refresh(void);
/* The slot, or CKR_SLOT_ID_INVALID. */
CK_RV p11_slot_get(CK_SLOT_ID id, p11_slot **out);
/* The slot's token, opened on first use: CKR_TOKEN_NOT_PRESENT,
 * CKR_TOKEN_NOT_RECOGNIZED. */
CK_RV p11_slot_token(p11_slot *s);
/* The card went away or was reset: sessions closed / logged out as PKCS#11 wants. */
void p11_slot_card_gone(p11_slot *s);
void p11_slot_card_reset(p11_slot *s);
void p11_slots_close_all(void);
/* Translate a token error; removal and reset update the slot. */
CK_RV p11_token_error(p11_slot *s, opgp_tok_rv r);

/* ---- session.c --------------------------------------------------------------------------- */
typedef enum p11_op { OP_NONE = 0, OP_FIND, OP_SIGN, OP_DECRYPT } p11_op;

typedef struct p11_hash p11_hash;

typedef struct p11_session_object {
    CK_OBJECT_HANDLE handle;    /* 0: free */
    uint8_t value[66];          /* a derived secret */
    size_t len;
} p11_session_object;

typedef struct p11_session {
    CK_SESSION_HANDLE handle;   /* 0: free */
    CK_SLOT_ID slot;
    CK_FLAGS flags;
    p11_op op;
    /* find */
    CK_OBJECT_HANDLE found[P11_MAX_FIND];
    size_t found_count, found_pos;
    /* sign / decrypt */
    CK_MECHANISM_TYPE mech;
    unsigned container;
    bool context_login;         /* CKU_CONTEXT_SPECIFIC done for this operation */
    bool always_auth;
    p11_hash *hash;             /* *_RSA_PKCS, ECDSA_SHA*: streaming digest */
    uint8_t data[P11_MAX_SIGN_DATA];
    size_t data_len;
    bool multi;                 /* C_SignUpdate seen */
    p11_session_object objects[P11_MAX_SESSION_OBJECTS];
} p11_session;

CK_RV p11_session_get(CK_SESSION_HANDLE h, p11_session **out, p11_slot **slot);
/* p11_enter, then p11_session_get: CKR_OK with the module lock held (the caller calls
 * p11_leave); any error with the lock released, so the caller just returns it. */
CK_RV p11_enter_session(CK_SESSION_HANDLE h, p11_session **out, p11_slot **slot);
void p11_session_end_op(p11_session *s);
void p11_sessions_close_slot(CK_SLOT_ID slot);
bool p11_slot_has_ro_session(CK_SLOT_ID slot);
bool p11_slot_has_session(CK_SLOT_ID slot);
void p11_sessions_reset(void);

/* ---- objects.c --------------------------------------------------------------------------- */
/* Token object handles: slot << 16 | container << 4 | kind; session objects: bit 15. */
#define P11_KIND_PRIVATE 1u
#define P11_KIND_PUBLIC 2u
#define P11_KIND_CERT 3u
#define P11_SESSION_OBJECT 0x8000u
CK_OBJECT_HANDLE p11_handle(CK_SLOT_ID slot, unsigned container, unsigned kind);
/* The container whose OpenPGP key reference (CKA_ID: 1 SIG, 2 DEC, 3 AUT) is *id. */
CK_RV p11_container_of_id(p11_slot *slot, const CK_ATTRIBUTE *id, unsigned *container);
/* Decode and check that the object exists now. */
CK_RV p11_object_find(p11_session *s, p11_slot *slot, CK_OBJECT_HANDLE h, unsigned *container,
                      unsigned *kind, opgp_tok_key *key);
/* p11_object_find for the key of sign / decrypt / derive: an unknown handle is
 * CKR_KEY_HANDLE_INVALID there. */
CK_RV p11_key_find(p11_session *s, p11_slot *slot, CK_OBJECT_HANDLE h, unsigned *container,
                   unsigned *kind, opgp_tok_key *key);
/* What C_SignInit and C_DecryptInit check first, in this order: a mechanism, no operation
 * active, the key (p11_key_find). */
CK_RV p11_op_key(p11_session *s, p11_slot *slot, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE h,
                 unsigned *container, unsigned *kind, opgp_tok_key *key);

/* ---- attributes.c ------------------------------------------------------------------------ */
/* Fill one attribute (pValue NULL: length only). CK_UNAVAILABLE_INFORMATION and the error
 * for unknown types or short buffers, as C_GetAttributeValue wants. */
CK_RV p11_attr_put(CK_ATTRIBUTE *a, const void *v, size_t len);
CK_RV p11_attr_bool(CK_ATTRIBUTE *a, bool v);
CK_RV p11_attr_ulong(CK_ATTRIBUTE *a, CK_ULONG v);
/* Template value readers for C_CreateObject / C_GenerateKeyPair. */
const CK_ATTRIBUTE *p11_attr_find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type);
bool p11_attr_get_ulong(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, CK_ULONG *v);
CK_RV p11_object_attribute(p11_slot *slot, unsigned container, unsigned kind,
                           const opgp_tok_key *key, CK_ATTRIBUTE *a);
CK_RV p11_session_object_attribute(const p11_session_object *o, CK_ATTRIBUTE *a);

/* ---- der.c ------------------------------------------------------------------------------- */
typedef struct p11_der { const uint8_t *p; size_t len; } p11_der;
/* Issuer, subject, serial number (whole TLVs) of an X.509 certificate. */
bool p11_cert_fields(const uint8_t *cert, size_t len, p11_der *issuer, p11_der *serial,
                     p11_der *subject);

/* ---- mechanisms.c ------------------------------------------------------------------------ */
typedef struct p11_mech {
    CK_MECHANISM_TYPE type;
    opgp_tok_keytype key;
    CK_FLAGS flags;             /* CKF_SIGN / DECRYPT / DERIVE / GENERATE_KEY_PAIR, with CKF_HW */
    int hash;                   /* P11_HASH_* or -1 */
} p11_mech;
const p11_mech *p11_mech_get(CK_MECHANISM_TYPE type);
size_t p11_mech_count(void);
const p11_mech *p11_mech_at(size_t i);

/* ---- hash_openssl.c / hash_bcrypt.c ------------------------------------------------------ */
enum { P11_HASH_SHA1, P11_HASH_SHA224, P11_HASH_SHA256, P11_HASH_SHA384, P11_HASH_SHA512 };
p11_hash *p11_hash_new(int alg);
bool p11_hash_update(p11_hash *h, const uint8_t *p, size_t n);
/* Digest into out (64 bytes at least); frees h. */
bool p11_hash_final(p11_hash *h, uint8_t *out, size_t *len);
void p11_hash_free(p11_hash *h);
/* Whether this platform's crypto has the digest (CNG lacks SHA-224). */
bool p11_hash_available(int alg);

/* ---- pin.c ------------------------------------------------------------------------------- */
CK_RV p11_pin_error(opgp_tok_rv r);
/* A signature that needs the PIN and got no CKU_CONTEXT_SPECIFIC login: the configured
 * pinentry asks (config.h); CKR_USER_NOT_LOGGED_IN when none is configured. */
CK_RV p11_pinentry_sign_login(p11_slot *slot, unsigned container);

#endif
