/* Attribute values of the module's objects (C_GetAttributeValue's rules: a length query with
 * pValue NULL, CKR_BUFFER_TOO_SMALL, CKR_ATTRIBUTE_SENSITIVE, CKR_ATTRIBUTE_TYPE_INVALID). */
#include <stdlib.h>
#include <string.h>

#include "p11.h"

CK_RV p11_attr_put(CK_ATTRIBUTE *a, const void *v, size_t len)
{
    if (a->pValue == NULL) {
        a->ulValueLen = len;
        return CKR_OK;
    }
    if (a->ulValueLen < len) {
        a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return CKR_BUFFER_TOO_SMALL;
    }
    if (len > 0)
        memcpy(a->pValue, v, len);
    a->ulValueLen = len;
    return CKR_OK;
}

CK_RV p11_attr_bool(CK_ATTRIBUTE *a, bool v)
{
    CK_BBOOL b = v ? CK_TRUE : CK_FALSE;
    return p11_attr_put(a, &b, sizeof b);
}

CK_RV p11_attr_ulong(CK_ATTRIBUTE *a, CK_ULONG v) { return p11_attr_put(a, &v, sizeof v); }

const CK_ATTRIBUTE *p11_attr_find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
    for (CK_ULONG i = 0; i < n; i++)
        if (t[i].type == type)
            return &t[i];
    return NULL;
}

bool p11_attr_get_ulong(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, CK_ULONG *v)
{
    const CK_ATTRIBUTE *a = p11_attr_find(t, n, type);
    if (a == NULL || a->pValue == NULL || a->ulValueLen != sizeof(CK_ULONG))
        return false;
    memcpy(v, a->pValue, sizeof *v);
    return true;
}

/* By key role (the card's key reference, also the CKA_ID): 1 SIG, 2 DEC, 3 AUT. */
static const char *const key_labels[4] = {
    "Key", "Signature key", "Decryption key", "Authentication key"
};
static const char *const cert_labels[4] = {
    "Certificate", "Signature certificate", "Decryption certificate",
    "Authentication certificate"
};

static CK_KEY_TYPE key_type(const opgp_tok_key *k)
{
    switch (k->type) {
    case OPGP_TOK_KEY_RSA: return CKK_RSA;
    case OPGP_TOK_KEY_ED25519: return CKK_EC_EDWARDS;
    case OPGP_TOK_KEY_X25519: return CKK_EC_MONTGOMERY;
    default: return CKK_EC;
    }
}

static bool always_auth(p11_slot *s, const opgp_tok_key *k)
{
    if (k->pin != OPGP_TOK_PIN_SIGN)
        return false; /* never the authentication or decryption key */
    opgp_tok_info ti;
    return opgp_token_info(s->token, &ti) == OPGP_TOK_OK && ti.sign_pin_always;
}

/* The certificate and the DER fields a request needs. */
static CK_RV cert_field(p11_slot *s, unsigned container, CK_ATTRIBUTE *a, bool missing_empty)
{
    uint8_t *der = NULL;
    size_t len = 0;
    opgp_tok_rv r = opgp_token_cert(s->token, container, &der, &len);
    if (r == OPGP_TOK_NO_KEY && missing_empty)
        return p11_attr_put(a, NULL, 0);
    if (r != OPGP_TOK_OK)
        return p11_token_error(s, r);
    CK_RV rv;
    if (a->type == CKA_VALUE) {
        rv = p11_attr_put(a, der, len);
    } else {
        p11_der issuer, serial, subject;
        if (!p11_cert_fields(der, len, &issuer, &serial, &subject))
            rv = missing_empty ? p11_attr_put(a, NULL, 0) : p11_attr_put(a, NULL, 0);
        else if (a->type == CKA_ISSUER)
            rv = p11_attr_put(a, issuer.p, issuer.len);
        else if (a->type == CKA_SERIAL_NUMBER)
            rv = p11_attr_put(a, serial.p, serial.len);
        else
            rv = p11_attr_put(a, subject.p, subject.len);
    }
    free(der);
    return rv;
}

static CK_RV public_part(p11_slot *s, unsigned container, const opgp_tok_key *k, CK_ATTRIBUTE *a)
{
    uint8_t pub[OPGP_TOK_MAX_PUB + 4], exp[16];
    size_t pub_len = OPGP_TOK_MAX_PUB, exp_len = sizeof exp;
    opgp_tok_rv r = opgp_token_public_key(s->token, container, pub + 4, &pub_len, exp, &exp_len);
    if (r != OPGP_TOK_OK)
        return p11_token_error(s, r);
    if (a->type == CKA_MODULUS)
        return p11_attr_put(a, pub + 4, pub_len);
    if (a->type == CKA_PUBLIC_EXPONENT)
        return p11_attr_put(a, exp, exp_len);
    (void)k;
    /* CKA_EC_POINT: the point in a DER OCTET STRING. */
    size_t hdr;
    if (pub_len < 128) {
        pub[2] = 0x04;
        pub[3] = (uint8_t)pub_len;
        hdr = 2;
    } else {
        pub[1] = 0x04;
        pub[2] = 0x81;
        pub[3] = (uint8_t)pub_len;
        hdr = 3;
    }
    return p11_attr_put(a, pub + 4 - hdr, pub_len + hdr);
}

CK_RV p11_object_attribute(p11_slot *s, unsigned container, unsigned kind,
                           const opgp_tok_key *k, CK_ATTRIBUTE *a)
{
    bool priv = kind == P11_KIND_PRIVATE, pubk = kind == P11_KIND_PUBLIC;
    bool cert = kind == P11_KIND_CERT, key = !cert;
    bool rsa = k->type == OPGP_TOK_KEY_RSA;
    switch (a->type) {
    case CKA_CLASS:
        return p11_attr_ulong(a, priv ? CKO_PRIVATE_KEY : pubk ? CKO_PUBLIC_KEY : CKO_CERTIFICATE);
    case CKA_TOKEN: return p11_attr_bool(a, true);
    case CKA_PRIVATE: return p11_attr_bool(a, priv); /* private keys show after login */
    case CKA_MODIFIABLE: return p11_attr_bool(a, false);
    case CKA_COPYABLE: return p11_attr_bool(a, false);
    case CKA_DESTROYABLE: return p11_attr_bool(a, cert);
    case CKA_LABEL: {
        unsigned role = k->role <= OPGP_TOK_ROLE_AUT ? k->role : 0;
        const char *l = cert ? cert_labels[role] : key_labels[role];
        return p11_attr_put(a, l, strlen(l));
    }
    case CKA_ID: {
        uint8_t id = (uint8_t)k->role;
        return p11_attr_put(a, &id, 1);
    }
    case CKA_SUBJECT: return cert_field(s, container, a, key);
    default: break;
    }
    if (cert) {
        switch (a->type) {
        case CKA_CERTIFICATE_TYPE: return p11_attr_ulong(a, CKC_X_509);
        case CKA_CERTIFICATE_CATEGORY: return p11_attr_ulong(a, 1); /* token user */
        case CKA_TRUSTED: return p11_attr_bool(a, false);
        case CKA_VALUE:
        case CKA_ISSUER:
        case CKA_SERIAL_NUMBER: return cert_field(s, container, a, false);
        case CKA_START_DATE:
        case CKA_END_DATE:
        case CKA_URL:
        case CKA_HASH_OF_SUBJECT_PUBLIC_KEY:
        case CKA_HASH_OF_ISSUER_PUBLIC_KEY: return p11_attr_put(a, NULL, 0);
        case CKA_JAVA_MIDP_SECURITY_DOMAIN: return p11_attr_ulong(a, 0);
        default: break;
        }
    }
    if (key) {
        switch (a->type) {
        case CKA_KEY_TYPE: return p11_attr_ulong(a, key_type(k));
        case CKA_START_DATE:
        case CKA_END_DATE: return p11_attr_put(a, NULL, 0);
        case CKA_DERIVE: return p11_attr_bool(a, priv && k->can_derive);
        case CKA_LOCAL: return p11_attr_bool(a, false);
        case CKA_KEY_GEN_MECHANISM: return p11_attr_ulong(a, CK_UNAVAILABLE_INFORMATION);
        case CKA_MODULUS_BITS:
            if (rsa)
                return p11_attr_ulong(a, k->bits);
            break;
        case CKA_MODULUS:
        case CKA_PUBLIC_EXPONENT:
            if (rsa)
                return public_part(s, container, k, a);
            break;
        case CKA_EC_PARAMS:
            if (!rsa)
                return p11_attr_put(a, k->ec_params, k->ec_params_len);
            break;
        case CKA_EC_POINT:
            if (!rsa && pubk)
                return public_part(s, container, k, a);
            break;
        default: break;
        }
    }
    if (priv) {
        switch (a->type) {
        case CKA_SENSITIVE:
        case CKA_ALWAYS_SENSITIVE:
        case CKA_NEVER_EXTRACTABLE: return p11_attr_bool(a, true);
        case CKA_EXTRACTABLE:
        case CKA_SIGN_RECOVER:
        case CKA_UNWRAP:
        case CKA_WRAP_WITH_TRUSTED: return p11_attr_bool(a, false);
        case CKA_DECRYPT: return p11_attr_bool(a, k->can_decrypt);
        case CKA_SIGN: return p11_attr_bool(a, k->can_sign);
        case CKA_ALWAYS_AUTHENTICATE: return p11_attr_bool(a, always_auth(s, k));
        case CKA_PRIVATE_EXPONENT:
        case CKA_PRIME_1:
        case CKA_PRIME_2:
        case CKA_EXPONENT_1:
        case CKA_EXPONENT_2:
        case CKA_COEFFICIENT:
        case CKA_VALUE:
            a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            return CKR_ATTRIBUTE_SENSITIVE;
        default: break;
        }
    }
    if (pubk) {
        switch (a->type) {
        case CKA_ENCRYPT: return p11_attr_bool(a, k->can_decrypt);
        case CKA_VERIFY: return p11_attr_bool(a, k->can_sign);
        case CKA_VERIFY_RECOVER:
        case CKA_WRAP:
        case CKA_TRUSTED: return p11_attr_bool(a, false);
        default: break;
        }
    }
    a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
    return CKR_ATTRIBUTE_TYPE_INVALID;
}

CK_RV p11_session_object_attribute(const p11_session_object *o, CK_ATTRIBUTE *a)
{
    static const char label[] = "Derived key";
    switch (a->type) {
    case CKA_CLASS: return p11_attr_ulong(a, CKO_SECRET_KEY);
    case CKA_KEY_TYPE: return p11_attr_ulong(a, CKK_GENERIC_SECRET);
    case CKA_TOKEN:
    case CKA_PRIVATE:
    case CKA_SENSITIVE:
    case CKA_ALWAYS_SENSITIVE:
    case CKA_NEVER_EXTRACTABLE:
    case CKA_MODIFIABLE:
    case CKA_LOCAL:
    case CKA_SIGN:
    case CKA_VERIFY:
    case CKA_ENCRYPT:
    case CKA_DECRYPT:
    case CKA_WRAP:
    case CKA_UNWRAP:
    case CKA_DERIVE: return p11_attr_bool(a, false);
    case CKA_EXTRACTABLE:
    case CKA_DESTROYABLE: return p11_attr_bool(a, true);
    case CKA_LABEL: return p11_attr_put(a, label, sizeof label - 1);
    case CKA_ID: return p11_attr_put(a, NULL, 0);
    case CKA_VALUE: return p11_attr_put(a, o->value, o->len);
    case CKA_VALUE_LEN: return p11_attr_ulong(a, o->len);
    default:
        a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return CKR_ATTRIBUTE_TYPE_INVALID;
    }
}
