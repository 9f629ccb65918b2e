/* C_DecryptInit / C_Decrypt: RSA PKCS#1 v1.5 with the decryption key (the card unpads). */
#include <string.h>

#include "p11.h"

CK_RV C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                    CK_OBJECT_HANDLE hKey)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    unsigned c = 0, kind = 0;
    opgp_tok_key key;
    rv = p11_op_key(s, slot, pMechanism, hKey, &c, &kind, &key);
    if (rv == CKR_OK && pMechanism->mechanism != CKM_RSA_PKCS)
        rv = CKR_MECHANISM_INVALID;
    if (rv == CKR_OK && pMechanism->ulParameterLen != 0)
        rv = CKR_MECHANISM_PARAM_INVALID;
    if (rv == CKR_OK && (kind != P11_KIND_PRIVATE || key.type != OPGP_TOK_KEY_RSA))
        rv = CKR_KEY_TYPE_INCONSISTENT;
    if (rv == CKR_OK && !key.can_decrypt)
        rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
    if (rv == CKR_OK && slot->login != CKU_USER)
        rv = CKR_USER_NOT_LOGGED_IN;
    if (rv == CKR_OK) {
        s->op = OP_DECRYPT;
        s->mech = CKM_RSA_PKCS;
        s->container = c;
        s->context_login = false;
        s->always_auth = false;
    }
    p11_leave();
    return rv;
}

CK_RV C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,
                CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (s->op != OP_DECRYPT)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    if (rv != CKR_OK) {
        p11_leave();
        return rv;
    }
    opgp_tok_key key;
    bool keep = false;
    if (pEncryptedData == NULL || pulDataLen == NULL)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK)
        rv = p11_token_error(slot, opgp_token_key(slot->token, s->container, &key));
    size_t k = rv == CKR_OK ? (key.bits + 7) / 8 : 0;
    if (rv == CKR_OK && ulEncryptedDataLen != k)
        rv = CKR_ENCRYPTED_DATA_LEN_RANGE;
    if (rv == CKR_OK && pData == NULL) {
        *pulDataLen = k - 11; /* the longest message a PKCS#1 v1.5 block holds */
        keep = true;
    } else if (rv == CKR_OK) {
        uint8_t out[1024];
        size_t out_len = sizeof out;
        opgp_tok_rv r = opgp_token_decrypt(slot->token, s->container, pEncryptedData,
                                           ulEncryptedDataLen, out, &out_len);
        rv = r == OPGP_TOK_BAD_INPUT ? CKR_ENCRYPTED_DATA_INVALID : p11_token_error(slot, r);
        if (rv == CKR_OK && out_len > *pulDataLen) {
            *pulDataLen = out_len;
            rv = CKR_BUFFER_TOO_SMALL;
            keep = true;
        } else if (rv == CKR_OK) {
            memcpy(pData, out, out_len);
            *pulDataLen = out_len;
        }
        opgp_tok_wipe(out, sizeof out);
    }
    if (!keep)
        p11_session_end_op(s);
    p11_leave();
    return rv;
}
