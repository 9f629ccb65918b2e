/* C_GenerateKeyPair on the card (the SO, PW3, must be logged in). CKA_ID picks the slot:
 * 01 signature, 02 decryption, 03 authentication. RSA, EC (the card's Weierstrass curves),
 * Ed25519 (CKM_EC_EDWARDS_KEY_PAIR_GEN, signature or authentication slot) and X25519
 * (CKM_EC_MONTGOMERY_KEY_PAIR_GEN, decryption slot). */
#include <string.h>

#include "p11.h"
#include "pkcs11_v3.h"

/* CKA_EC_PARAMS of the Curve25519 mechanisms: a printable string naming the curve (PKCS#11 3.0),
 * RFC 8410's OID, or OpenPGP's OID for the curve (what OpenSC's pkcs11-tool sends). */
static bool names_curve25519(const CK_ATTRIBUTE *params, bool edwards)
{
    static const uint8_t ed_name[] = { 0x13, 0x0C, 'e', 'd', 'w', 'a', 'r', 'd', 's',
                                       '2', '5', '5', '1', '9' };
    static const uint8_t ed_oid[] = { 0x06, 0x03, 0x2B, 0x65, 0x70 };
    static const uint8_t ed_pgp[] = { 0x06, 0x09, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47,
                                      0x0F, 0x01 };
    static const uint8_t x_name[] = { 0x13, 0x0A, 'c', 'u', 'r', 'v', 'e', '2', '5', '5', '1',
                                      '9' };
    /* OpenSC 0.23's pkcs11-tool (EC:curve25519) sends this string with a length byte of 11. */
    static const uint8_t x_name_opensc[] = { 0x13, 0x0B, 'c', 'u', 'r', 'v', 'e', '2', '5', '5',
                                             '1', '9' };
    static const uint8_t x_oid[] = { 0x06, 0x03, 0x2B, 0x65, 0x6E };
    static const uint8_t x_pgp[] = { 0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55,
                                     0x01, 0x05, 0x01 };
    const struct { const uint8_t *v; size_t n; } ok[2][4] = {
        { { x_name, sizeof x_name }, { x_oid, sizeof x_oid }, { x_pgp, sizeof x_pgp },
          { x_name_opensc, sizeof x_name_opensc } },
        { { ed_name, sizeof ed_name }, { ed_oid, sizeof ed_oid }, { ed_pgp, sizeof ed_pgp },
          { ed_name, sizeof ed_name } },
    };
    for (int i = 0; i < 4; i++)
        if (params->ulValueLen == ok[edwards][i].n &&
            memcmp(params->pValue, ok[edwards][i].v, ok[edwards][i].n) == 0)
            return true;
    return false;
}

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
        else if (pMechanism->mechanism == CKM_EC_EDWARDS_KEY_PAIR_GEN)
            type = OPGP_TOK_KEY_ED25519;
        else if (pMechanism->mechanism == CKM_EC_MONTGOMERY_KEY_PAIR_GEN)
            type = OPGP_TOK_KEY_X25519;
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
    bool ecc = type == OPGP_TOK_KEY_EC || type == OPGP_TOK_KEY_ED25519 ||
               type == OPGP_TOK_KEY_X25519;
    if (rv == CKR_OK && ecc) {
        params = p11_attr_find(pPublicKeyTemplate, ulPublicKeyAttributeCount, CKA_EC_PARAMS);
        if (params == NULL || params->pValue == NULL)
            rv = CKR_TEMPLATE_INCOMPLETE;
    }
    if (rv == CKR_OK && (type == OPGP_TOK_KEY_ED25519 || type == OPGP_TOK_KEY_X25519)) {
        if (!names_curve25519(params, type == OPGP_TOK_KEY_ED25519))
            rv = CKR_CURVE_NOT_SUPPORTED;
        params = NULL; /* bridge/host names the curve by the key type */
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
