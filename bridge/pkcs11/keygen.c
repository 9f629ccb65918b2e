/* C_GenerateKeyPair on the card (the SO, PW3, must be logged in). CKA_ID picks the slot:
 * 01 signature, 02 decryption, 03 authentication. */
#include <string.h>

#include "p11.h"

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                        CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
                        CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                        CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (pMechanism == NULL || phPublicKey == NULL || phPrivateKey == NULL ||
        (pPublicKeyTemplate == NULL && ulPublicKeyAttributeCount > 0) ||
        (pPrivateKeyTemplate == NULL && ulPrivateKeyAttributeCount > 0))
        rv = CKR_ARGUMENTS_BAD;
    opgp_tok_keytype type = OPGP_TOK_KEY_NONE;
    if (rv == CKR_OK) {
        if (pMechanism->mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN)
            type = OPGP_TOK_KEY_RSA;
        else if (pMechanism->mechanism == CKM_EC_KEY_PAIR_GEN)
            type = OPGP_TOK_KEY_EC;
        else
            rv = CKR_MECHANISM_INVALID;
    }
    const CK_ATTRIBUTE *id = NULL;
    if (rv == CKR_OK) {
        id = p11_attr_find(pPrivateKeyTemplate, ulPrivateKeyAttributeCount, CKA_ID);
        if (id == NULL)
            id = p11_attr_find(pPublicKeyTemplate, ulPublicKeyAttributeCount, CKA_ID);
        if (id == NULL)
            rv = CKR_TEMPLATE_INCOMPLETE;
    }
    unsigned container = OPGP_TOK_CONTAINERS;
    if (rv == CKR_OK)
        rv = p11_container_of_id(slot, id, &container);
    CK_ULONG bits = 0;
    const CK_ATTRIBUTE *params = NULL;
    if (rv == CKR_OK && type == OPGP_TOK_KEY_RSA &&
        !p11_attr_get_ulong(pPublicKeyTemplate, ulPublicKeyAttributeCount, CKA_MODULUS_BITS,
                            &bits))
        rv = CKR_TEMPLATE_INCOMPLETE;
    if (rv == CKR_OK && type == OPGP_TOK_KEY_EC) {
        params = p11_attr_find(pPublicKeyTemplate, ulPublicKeyAttributeCount, CKA_EC_PARAMS);
        if (params == NULL || params->pValue == NULL)
            rv = CKR_TEMPLATE_INCOMPLETE;
    }
    if (rv == CKR_OK && !(s->flags & CKF_RW_SESSION))
        rv = CKR_SESSION_READ_ONLY;
    if (rv == CKR_OK && slot->login != CKU_SO)
        rv = CKR_USER_NOT_LOGGED_IN;
    if (rv == CKR_OK) {
        opgp_tok_rv r = opgp_token_generate(slot->token, container, type, (unsigned)bits,
                                            params != NULL ? params->pValue : NULL,
                                            params != NULL ? params->ulValueLen : 0);
        rv = r == OPGP_TOK_UNSUPPORTED ? CKR_TEMPLATE_INCONSISTENT : p11_token_error(slot, r);
    }
    if (rv == CKR_OK) {
        *phPublicKey = p11_handle(s->slot, container, P11_KIND_PUBLIC);
        *phPrivateKey = p11_handle(s->slot, container, P11_KIND_PRIVATE);
    }
    p11_leave();
    return rv;
}
