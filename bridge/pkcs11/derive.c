/* C_DeriveKey with CKM_ECDH1_DERIVE (CKD_NULL): the card computes the shared secret with the
 * decryption key (any Weierstrass curve of the card, or X25519); it becomes a session object
 * (generic secret, extractable). */
#include <string.h>

#include "p11.h"

/* X25519's public value: its 32 bytes, raw or in a DER OCTET STRING (04 20 ...). */
static bool peer_x25519(const uint8_t *p, size_t len, const uint8_t **pt, size_t *pt_len)
{
    if (len == 34 && p[0] == 0x04 && p[1] == 0x20)
        p += 2, len -= 2;
    if (len != 32)
        return false;
    *pt = p;
    *pt_len = len;
    return true;
}

/* The peer's point: raw 04||X||Y, or wrapped in a DER OCTET STRING (both are seen). */
static bool peer_point(const uint8_t *p, size_t len, const uint8_t **pt, size_t *pt_len)
{
    if (len < 3 || p[0] != 0x04)
        return false;
    /* An OCTET STRING whose content is an uncompressed point: 04 L 04 ... or 04 81 L 04 ... */
    size_t hdr = p[1] == 0x81 ? 3 : 2;
    size_t n = p[1] == 0x81 ? p[2] : p[1];
    if (len > hdr && n == len - hdr && p[hdr] == 0x04 && (n % 2) == 1) {
        *pt = p + hdr;
        *pt_len = n;
        return true;
    }
    if ((len % 2) == 0)
        return false;
    *pt = p;
    *pt_len = len;
    return true;
}

CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                  CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount,
                  CK_OBJECT_HANDLE_PTR phKey)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (pMechanism == NULL || phKey == NULL ||
        (pTemplate == NULL && ulAttributeCount > 0))
        rv = CKR_ARGUMENTS_BAD;
    unsigned c = 0, kind = 0;
    opgp_tok_key key;
    if (rv == CKR_OK)
        rv = p11_key_find(s, slot, hBaseKey, &c, &kind, &key);
    if (rv == CKR_OK && pMechanism->mechanism != CKM_ECDH1_DERIVE)
        rv = CKR_MECHANISM_INVALID;
    const CK_ECDH1_DERIVE_PARAMS *prm = rv == CKR_OK ? pMechanism->pParameter : NULL;
    if (rv == CKR_OK && (prm == NULL || pMechanism->ulParameterLen != sizeof *prm ||
                         prm->kdf != CKD_NULL || prm->ulSharedDataLen != 0 ||
                         prm->pPublicData == NULL))
        rv = CKR_MECHANISM_PARAM_INVALID;
    bool x25519 = key.type == OPGP_TOK_KEY_X25519;
    if (rv == CKR_OK && (kind != P11_KIND_PRIVATE || (key.type != OPGP_TOK_KEY_EC && !x25519)))
        rv = CKR_KEY_TYPE_INCONSISTENT;
    if (rv == CKR_OK && !key.can_derive)
        rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
    if (rv == CKR_OK && slot->login != CKU_USER)
        rv = CKR_USER_NOT_LOGGED_IN;
    const uint8_t *pt = NULL;
    size_t pt_len = 0;
    if (rv == CKR_OK && !(x25519 ? peer_x25519 : peer_point)(prm->pPublicData,
                                                               prm->ulPublicDataLen, &pt, &pt_len))
        rv = CKR_MECHANISM_PARAM_INVALID;
    p11_session_object *o = NULL;
    for (size_t i = 0; rv == CKR_OK && o == NULL && i < P11_MAX_SESSION_OBJECTS; i++)
        if (s->objects[i].handle == 0)
            o = &s->objects[i];
    if (rv == CKR_OK && o == NULL)
        rv = CKR_HOST_MEMORY;
    if (rv == CKR_OK) {
        size_t len = sizeof o->value;
        opgp_tok_rv r = opgp_token_derive(slot->token, c, pt, pt_len, o->value, &len);
        rv = r == OPGP_TOK_BAD_INPUT ? CKR_MECHANISM_PARAM_INVALID : p11_token_error(slot, r);
        CK_ULONG want = 0;
        if (rv == CKR_OK && p11_attr_get_ulong(pTemplate, ulAttributeCount, CKA_VALUE_LEN, &want)) {
            if (want == 0 || want > len)
                rv = CKR_ATTRIBUTE_VALUE_INVALID;
            else
                len = want; /* the leading bytes, as CKD_NULL with a length asks */
        }
        if (rv == CKR_OK) {
            o->len = len;
            o->handle = (CK_OBJECT_HANDLE)((s->slot + 1) << 16 | P11_SESSION_OBJECT |
                                           (size_t)(o - s->objects));
            *phKey = o->handle;
        } else {
            opgp_tok_wipe(o, sizeof *o);
        }
    }
    p11_leave();
    return rv;
}
