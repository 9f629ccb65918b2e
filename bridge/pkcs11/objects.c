/* Objects: per container a private key, a public key and a certificate, sharing one CKA_ID;
 * session objects for derived secrets. C_FindObjects*, C_GetAttributeValue, C_GetObjectSize,
 * C_CreateObject / C_DestroyObject (certificates), C_SetAttributeValue / C_CopyObject (no). */
#include <stdlib.h>
#include <string.h>

#include "p11.h"

CK_OBJECT_HANDLE p11_handle(CK_SLOT_ID slot, unsigned container, unsigned kind)
{
    return (CK_OBJECT_HANDLE)((slot + 1) << 16 | container << 4 | kind);
}

CK_RV p11_object_find(p11_session *s, p11_slot *slot, CK_OBJECT_HANDLE h, unsigned *container,
                      unsigned *kind, opgp_tok_key *key)
{
    if ((h >> 16) != s->slot + 1 || (h & P11_SESSION_OBJECT))
        return CKR_OBJECT_HANDLE_INVALID;
    unsigned c = (unsigned)(h >> 4) & 0xFFF, k = (unsigned)h & 0xF;
    if (c >= OPGP_TOK_CONTAINERS || k < P11_KIND_PRIVATE || k > P11_KIND_CERT)
        return CKR_OBJECT_HANDLE_INVALID;
    opgp_tok_rv r = opgp_token_key(slot->token, c, key);
    if (r == OPGP_TOK_NO_KEY)
        return CKR_OBJECT_HANDLE_INVALID;
    if (r != OPGP_TOK_OK)
        return p11_token_error(slot, r);
    if (k == P11_KIND_CERT) {
        uint8_t *der;
        size_t len;
        r = opgp_token_cert(slot->token, c, &der, &len);
        free(der);
        if (r == OPGP_TOK_NO_KEY)
            return CKR_OBJECT_HANDLE_INVALID;
        if (r != OPGP_TOK_OK)
            return p11_token_error(slot, r);
    }
    *container = c;
    *kind = k;
    return CKR_OK;
}

CK_RV p11_key_find(p11_session *s, p11_slot *slot, CK_OBJECT_HANDLE h, unsigned *container,
                   unsigned *kind, opgp_tok_key *key)
{
    CK_RV rv = p11_object_find(s, slot, h, container, kind, key);
    return rv == CKR_OBJECT_HANDLE_INVALID ? CKR_KEY_HANDLE_INVALID : rv;
}

CK_RV p11_op_key(p11_session *s, p11_slot *slot, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE h,
                 unsigned *container, unsigned *kind, opgp_tok_key *key)
{
    if (mech == NULL)
        return CKR_ARGUMENTS_BAD;
    if (s->op != OP_NONE)
        return CKR_OPERATION_ACTIVE;
    return p11_key_find(s, slot, h, container, kind, key);
}

CK_RV p11_container_of_id(p11_slot *slot, const CK_ATTRIBUTE *id, unsigned *container)
{
    if (id == NULL || id->ulValueLen != 1 || id->pValue == NULL)
        return CKR_ATTRIBUTE_VALUE_INVALID;
    for (unsigned c = 0; c < OPGP_TOK_CONTAINERS; c++) {
        unsigned role = 0;
        opgp_tok_rv r = opgp_token_role(slot->token, c, &role);
        if (r != OPGP_TOK_OK)
            return p11_token_error(slot, r);
        if (role == *(const uint8_t *)id->pValue) {
            *container = c;
            return CKR_OK;
        }
    }
    return CKR_ATTRIBUTE_VALUE_INVALID;
}

static p11_session_object *session_object(p11_session *s, CK_OBJECT_HANDLE h)
{
    if ((h >> 16) != s->slot + 1 || !(h & P11_SESSION_OBJECT))
        return NULL;
    for (size_t i = 0; i < P11_MAX_SESSION_OBJECTS; i++)
        if (s->objects[i].handle == h)
            return &s->objects[i];
    return NULL;
}

/* Does the object match every attribute of the template? */
static bool matches(p11_slot *slot, unsigned c, unsigned kind, const opgp_tok_key *key,
                    const p11_session_object *so, const CK_ATTRIBUTE *t, CK_ULONG n)
{
    uint8_t buf[4096];
    for (CK_ULONG i = 0; i < n; i++) {
        CK_ATTRIBUTE a = { t[i].type, buf, sizeof buf };
        CK_RV rv = so != NULL ? p11_session_object_attribute(so, &a)
                              : p11_object_attribute(slot, c, kind, key, &a);
        if (rv != CKR_OK || a.ulValueLen != t[i].ulValueLen ||
            (a.ulValueLen > 0 && (t[i].pValue == NULL ||
                                  memcmp(buf, t[i].pValue, a.ulValueLen) != 0)))
            return false;
    }
    return true;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (pTemplate == NULL && ulCount > 0)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK && s->op != OP_NONE)
        rv = CKR_OPERATION_ACTIVE;
    if (rv != CKR_OK) {
        p11_leave();
        return rv;
    }
    CK_ULONG cls = 0;
    bool has_cls = p11_attr_get_ulong(pTemplate, ulCount, CKA_CLASS, &cls);
    s->found_count = s->found_pos = 0;
    for (unsigned c = 0; c < OPGP_TOK_CONTAINERS && rv == CKR_OK; c++) {
        opgp_tok_key key;
        opgp_tok_rv r = opgp_token_key(slot->token, c, &key);
        if (r == OPGP_TOK_NO_KEY)
            continue;
        if (r != OPGP_TOK_OK) {
            rv = p11_token_error(slot, r);
            break;
        }
        for (unsigned kind = P11_KIND_PRIVATE; kind <= P11_KIND_CERT; kind++) {
            CK_ULONG kc = kind == P11_KIND_PRIVATE ? CKO_PRIVATE_KEY
                          : kind == P11_KIND_PUBLIC ? CKO_PUBLIC_KEY : CKO_CERTIFICATE;
            if (has_cls && cls != kc)
                continue; /* skipped before any card read a certificate would cost */
            if (kind == P11_KIND_PRIVATE && slot->login != CKU_USER)
                continue; /* CKA_PRIVATE objects are for the logged-in user only */
            if (kind == P11_KIND_CERT) {
                uint8_t *der;
                size_t len;
                r = opgp_token_cert(slot->token, c, &der, &len);
                free(der);
                if (r == OPGP_TOK_NO_KEY)
                    continue;
                if (r != OPGP_TOK_OK) {
                    rv = p11_token_error(slot, r);
                    break;
                }
            }
            if (matches(slot, c, kind, &key, NULL, pTemplate, ulCount) &&
                s->found_count < P11_MAX_FIND)
                s->found[s->found_count++] = p11_handle(s->slot, c, kind);
        }
    }
    for (size_t i = 0; rv == CKR_OK && i < P11_MAX_SESSION_OBJECTS; i++) {
        const p11_session_object *o = &s->objects[i];
        if (o->handle != 0 && matches(slot, 0, 0, NULL, o, pTemplate, ulCount) &&
            s->found_count < P11_MAX_FIND)
            s->found[s->found_count++] = o->handle;
    }
    if (rv == CKR_OK)
        s->op = OP_FIND;
    else
        s->found_count = 0;
    p11_leave();
    return rv;
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
                    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
    p11_session *s;
    CK_RV rv = p11_enter_session(hSession, &s, NULL);
    if (rv != CKR_OK)
        return rv;
    if (phObject == NULL || pulObjectCount == NULL)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK && s->op != OP_FIND)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK) {
        CK_ULONG n = 0;
        while (n < ulMaxObjectCount && s->found_pos < s->found_count)
            phObject[n++] = s->found[s->found_pos++];
        *pulObjectCount = n;
    }
    p11_leave();
    return rv;
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
    p11_session *s;
    CK_RV rv = p11_enter_session(hSession, &s, NULL);
    if (rv != CKR_OK)
        return rv;
    if (s->op != OP_FIND)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK)
        p11_session_end_op(s);
    p11_leave();
    return rv;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                          CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (pTemplate == NULL && ulCount > 0)
        rv = CKR_ARGUMENTS_BAD;
    unsigned c = 0, kind = 0;
    opgp_tok_key key;
    p11_session_object *so = NULL;
    if (rv == CKR_OK) {
        so = session_object(s, hObject);
        if (so == NULL)
            rv = p11_object_find(s, slot, hObject, &c, &kind, &key);
    }
    /* Every attribute is answered; the result is the last error met (PKCS#11 allows any). */
    CK_RV result = CKR_OK;
    for (CK_ULONG i = 0; rv == CKR_OK && i < ulCount; i++) {
        CK_RV r = so != NULL ? p11_session_object_attribute(so, &pTemplate[i])
                             : p11_object_attribute(slot, c, kind, &key, &pTemplate[i]);
        if (r == CKR_DEVICE_REMOVED || r == CKR_DEVICE_ERROR || r == CKR_HOST_MEMORY) {
            rv = r;
            break;
        }
        if (r != CKR_OK) {
            if (r != CKR_ATTRIBUTE_SENSITIVE && r != CKR_ATTRIBUTE_TYPE_INVALID &&
                r != CKR_BUFFER_TOO_SMALL) {
                pTemplate[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
                r = CKR_ATTRIBUTE_TYPE_INVALID;
            }
            result = r;
        }
    }
    p11_leave();
    return rv != CKR_OK ? rv : result;
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (pulSize == NULL)
        rv = CKR_ARGUMENTS_BAD;
    unsigned c, kind;
    opgp_tok_key key;
    if (rv == CKR_OK && session_object(s, hObject) == NULL)
        rv = p11_object_find(s, slot, hObject, &c, &kind, &key);
    if (rv == CKR_OK)
        *pulSize = CK_UNAVAILABLE_INFORMATION;
    p11_leave();
    return rv;
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                          CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (pTemplate == NULL && ulCount > 0)
        rv = CKR_ARGUMENTS_BAD;
    unsigned c, kind;
    opgp_tok_key key;
    if (rv == CKR_OK && session_object(s, hObject) == NULL)
        rv = p11_object_find(s, slot, hObject, &c, &kind, &key);
    p11_leave();
    return rv != CKR_OK ? rv : CKR_ACTION_PROHIBITED; /* everything is fixed by the card */
}

CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                   CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
    (void)pTemplate;
    (void)ulCount;
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (phNewObject == NULL)
        rv = CKR_ARGUMENTS_BAD;
    unsigned c, kind;
    opgp_tok_key key;
    if (rv == CKR_OK && session_object(s, hObject) == NULL)
        rv = p11_object_find(s, slot, hObject, &c, &kind, &key);
    p11_leave();
    return rv != CKR_OK ? rv : CKR_ACTION_PROHIBITED;
}

/* C_CreateObject: an X.509 certificate for the container whose key has the template's CKA_ID
 * (admin PIN: the SO must be logged in). */
CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                     CK_OBJECT_HANDLE_PTR phObject)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (pTemplate == NULL || phObject == NULL)
        rv = CKR_ARGUMENTS_BAD;
    CK_ULONG cls = 0, ctype = CKC_X_509;
    if (rv == CKR_OK && !p11_attr_get_ulong(pTemplate, ulCount, CKA_CLASS, &cls))
        rv = CKR_TEMPLATE_INCOMPLETE;
    if (rv == CKR_OK && cls != CKO_CERTIFICATE)
        rv = CKR_FUNCTION_NOT_SUPPORTED; /* keys are generated on the card, not imported here */
    if (rv == CKR_OK && p11_attr_find(pTemplate, ulCount, CKA_CERTIFICATE_TYPE) != NULL &&
        (!p11_attr_get_ulong(pTemplate, ulCount, CKA_CERTIFICATE_TYPE, &ctype) ||
         ctype != CKC_X_509))
        rv = CKR_ATTRIBUTE_VALUE_INVALID;
    const CK_ATTRIBUTE *id = rv == CKR_OK ? p11_attr_find(pTemplate, ulCount, CKA_ID) : NULL;
    const CK_ATTRIBUTE *value = rv == CKR_OK ? p11_attr_find(pTemplate, ulCount, CKA_VALUE) : NULL;
    if (rv == CKR_OK && (id == NULL || value == NULL))
        rv = CKR_TEMPLATE_INCOMPLETE;
    unsigned container = OPGP_TOK_CONTAINERS;
    if (rv == CKR_OK)
        rv = p11_container_of_id(slot, id, &container);
    p11_der a, b, c2;
    if (rv == CKR_OK && (value->pValue == NULL ||
                         !p11_cert_fields(value->pValue, value->ulValueLen, &a, &b, &c2)))
        rv = CKR_ATTRIBUTE_VALUE_INVALID;
    if (rv == CKR_OK && !(s->flags & CKF_RW_SESSION))
        rv = CKR_SESSION_READ_ONLY;
    if (rv == CKR_OK && slot->login != CKU_SO)
        rv = CKR_USER_NOT_LOGGED_IN;
    if (rv == CKR_OK)
        rv = p11_token_error(slot, opgp_token_cert_write(slot->token, container, value->pValue,
                                                         value->ulValueLen));
    if (rv == CKR_OK)
        *phObject = p11_handle(s->slot, container, P11_KIND_CERT);
    p11_leave();
    return rv;
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    p11_session_object *so = session_object(s, hObject);
    if (so != NULL) {
        opgp_tok_wipe(so, sizeof *so);
        p11_leave();
        return CKR_OK;
    }
    unsigned c = 0, kind = 0;
    opgp_tok_key key;
    if (rv == CKR_OK)
        rv = p11_object_find(s, slot, hObject, &c, &kind, &key);
    if (rv == CKR_OK && kind != P11_KIND_CERT)
        rv = CKR_ACTION_PROHIBITED; /* an OpenPGP card cannot delete a key */
    if (rv == CKR_OK && !(s->flags & CKF_RW_SESSION))
        rv = CKR_SESSION_READ_ONLY;
    if (rv == CKR_OK && slot->login != CKU_SO)
        rv = CKR_USER_NOT_LOGGED_IN;
    if (rv == CKR_OK)
        rv = p11_token_error(slot, opgp_token_cert_write(slot->token, c, NULL, 0));
    p11_leave();
    return rv;
}
