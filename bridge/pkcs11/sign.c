/* C_SignInit / C_Sign / C_SignUpdate / C_SignFinal. RSA: PKCS#1 v1.5 by the card, the
 * DigestInfo built here for the hashing mechanisms; ECDSA: r||s; hashing on the host. A key
 * with CKA_ALWAYS_AUTHENTICATE signs only after a CKU_CONTEXT_SPECIFIC login for this
 * operation. Any result but CKR_BUFFER_TOO_SMALL (or a size query) ends the operation. */
#include <string.h>

#include "p11.h"

/* The DigestInfo of a CKM_SHA*_RSA_PKCS hash (bridge/host's table). */
static const uint8_t *prefix(int hash, size_t *len)
{
    static const opgp_tok_digest of[] = {
        [P11_HASH_SHA1] = OPGP_TOK_DIGEST_SHA1,     [P11_HASH_SHA224] = OPGP_TOK_DIGEST_SHA224,
        [P11_HASH_SHA256] = OPGP_TOK_DIGEST_SHA256, [P11_HASH_SHA384] = OPGP_TOK_DIGEST_SHA384,
        [P11_HASH_SHA512] = OPGP_TOK_DIGEST_SHA512,
    };
    return opgp_token_digest_info(of[hash], len, NULL);
}

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    unsigned c = 0, kind = 0;
    opgp_tok_key key;
    rv = p11_op_key(s, slot, pMechanism, hKey, &c, &kind, &key);
    const p11_mech *m = rv == CKR_OK ? p11_mech_get(pMechanism->mechanism) : NULL;
    if (rv == CKR_OK && (m == NULL || !(m->flags & CKF_SIGN) ||
                         (m->hash >= 0 && !p11_hash_available(m->hash))))
        rv = CKR_MECHANISM_INVALID;
    if (rv == CKR_OK && pMechanism->ulParameterLen != 0)
        rv = CKR_MECHANISM_PARAM_INVALID;
    if (rv == CKR_OK && kind != P11_KIND_PRIVATE)
        rv = CKR_KEY_TYPE_INCONSISTENT;
    if (rv == CKR_OK && m->key != key.type)
        rv = CKR_KEY_TYPE_INCONSISTENT;
    if (rv == CKR_OK && !key.can_sign)
        rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
    if (rv == CKR_OK && slot->login != CKU_USER)
        rv = CKR_USER_NOT_LOGGED_IN;
    if (rv == CKR_OK && m->hash >= 0 && (s->hash = p11_hash_new(m->hash)) == NULL)
        rv = CKR_HOST_MEMORY;
    if (rv == CKR_OK) {
        opgp_tok_info ti;
        s->op = OP_SIGN;
        s->mech = m->type;
        s->container = c;
        s->data_len = 0;
        s->multi = false;
        s->context_login = false;
        s->always_auth = key.pin == OPGP_TOK_PIN_SIGN &&
                         opgp_token_info(slot->token, &ti) == OPGP_TOK_OK && ti.sign_pin_always;
    }
    p11_leave();
    return rv;
}

static CK_RV sign_now(p11_session *s, p11_slot *slot, CK_BYTE_PTR pSignature,
                      CK_ULONG_PTR pulSignatureLen, bool *keep)
{
    *keep = false;
    size_t size;
    CK_RV rv = p11_token_error(slot, opgp_token_sign_size(slot->token, s->container, &size));
    if (rv != CKR_OK)
        return rv;
    if (pSignature == NULL) {
        *pulSignatureLen = size;
        *keep = true;
        return CKR_OK;
    }
    if (*pulSignatureLen < size) {
        *pulSignatureLen = size;
        *keep = true;
        return CKR_BUFFER_TOO_SMALL;
    }
    if (s->always_auth && !s->context_login) {
        /* The card wants the PIN for this very signature and the application gave none
         * (OpenSSH, OpenSSL's engine): the module's own prompt, when configured. */
        rv = p11_pinentry_sign_login(slot, s->container);
        if (rv != CKR_OK)
            return rv;
        s->context_login = true;
    }
    const p11_mech *m = p11_mech_get(s->mech);
    opgp_tok_key key;
    rv = p11_token_error(slot, opgp_token_key(slot->token, s->container, &key));
    if (rv != CKR_OK)
        return rv;
    uint8_t in[P11_MAX_SIGN_DATA + 32];
    size_t in_len = 0;
    if (m->hash >= 0) {
        uint8_t digest[64];
        size_t dlen = 0;
        bool ok = p11_hash_final(s->hash, digest, &dlen);
        s->hash = NULL;
        if (!ok)
            return CKR_FUNCTION_FAILED;
        if (key.type == OPGP_TOK_KEY_RSA) {
            size_t plen;
            const uint8_t *p = prefix(m->hash, &plen);
            memcpy(in, p, plen);
            in_len = plen;
        }
        memcpy(in + in_len, digest, dlen);
        in_len += dlen;
    } else {
        memcpy(in, s->data, s->data_len);
        in_len = s->data_len;
    }
    if (key.type == OPGP_TOK_KEY_RSA && in_len + 11 > size)
        return CKR_DATA_LEN_RANGE;
    if (key.type == OPGP_TOK_KEY_EC) {
        size_t coord = (key.bits + 7) / 8;
        if (in_len == 0)
            return CKR_DATA_LEN_RANGE;
        if (in_len > coord)
            in_len = coord; /* ECDSA uses the leftmost bits of the digest */
    }
    size_t sig_len = *pulSignatureLen;
    rv = p11_token_error(slot, opgp_token_sign(slot->token, s->container, in, in_len,
                                               pSignature, &sig_len));
    opgp_tok_wipe(in, sizeof in);
    if (rv == CKR_OK)
        *pulSignatureLen = sig_len;
    return rv;
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
             CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (s->op != OP_SIGN)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK && ((pData == NULL && ulDataLen > 0) || pulSignatureLen == NULL)) {
        p11_session_end_op(s);
        rv = CKR_ARGUMENTS_BAD;
    }
    if (rv == CKR_OK && s->multi) {
        p11_session_end_op(s);
        rv = CKR_OPERATION_ACTIVE; /* C_SignUpdate began a multi-part signature */
    }
    if (rv != CKR_OK) {
        p11_leave();
        return rv;
    }
    bool keep = false;
    if (s->hash != NULL) {
        /* Hash once: a size query must not feed the data twice. */
        if (s->data_len == 0 && ulDataLen > 0 && !p11_hash_update(s->hash, pData, ulDataLen))
            rv = CKR_FUNCTION_FAILED;
        s->data_len = 1; /* marks "hashed" */
    } else if (ulDataLen > P11_MAX_SIGN_DATA) {
        rv = CKR_DATA_LEN_RANGE;
    } else {
        if (ulDataLen > 0)
            memcpy(s->data, pData, ulDataLen);
        s->data_len = ulDataLen;
    }
    if (rv == CKR_OK)
        rv = sign_now(s, slot, pSignature, pulSignatureLen, &keep);
    if (!keep)
        p11_session_end_op(s);
    p11_leave();
    return rv;
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
    p11_session *s;
    CK_RV rv = p11_enter_session(hSession, &s, NULL);
    if (rv != CKR_OK)
        return rv;
    if (s->op != OP_SIGN)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK && pPart == NULL && ulPartLen > 0)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK) {
        s->multi = true;
        if (s->hash != NULL) {
            if (ulPartLen > 0 && !p11_hash_update(s->hash, pPart, ulPartLen))
                rv = CKR_FUNCTION_FAILED;
        } else if (ulPartLen > P11_MAX_SIGN_DATA - s->data_len) {
            rv = CKR_DATA_LEN_RANGE;
        } else if (ulPartLen > 0) {
            memcpy(s->data + s->data_len, pPart, ulPartLen);
            s->data_len += ulPartLen;
        }
        if (rv != CKR_OK)
            p11_session_end_op(s);
    }
    p11_leave();
    return rv;
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
                  CK_ULONG_PTR pulSignatureLen)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (s->op != OP_SIGN)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv == CKR_OK && pulSignatureLen == NULL) {
        p11_session_end_op(s);
        rv = CKR_ARGUMENTS_BAD;
    }
    if (rv == CKR_OK) {
        bool keep = false;
        rv = sign_now(s, slot, pSignature, pulSignatureLen, &keep);
        if (!keep)
            p11_session_end_op(s);
    }
    p11_leave();
    return rv;
}
