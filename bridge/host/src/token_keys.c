/* Containers of a token: key metadata (the minidriver's vendor algorithm property: no APDU),
 * public keys and certificates, read lazily and kept until the token closes. */
#include <stdlib.h>
#include <string.h>

#include "opgp/minidriver_vendor.h"
#include "token_internal.h"

typedef struct curve {
    uint8_t oid[10];            /* OID content as the OpenPGP card's algorithm attributes hold it */
    uint8_t oid_len;
    unsigned bits;
    opgp_tok_keytype type;
    uint8_t der[12];            /* CKA_EC_PARAMS: the curve's DER OID */
    uint8_t der_len;
} curve;

static const curve curves[] = {
    { { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 }, 8, 256, OPGP_TOK_KEY_EC,
      { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 }, 10 },
    { { 0x2B, 0x81, 0x04, 0x00, 0x22 }, 5, 384, OPGP_TOK_KEY_EC,
      { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22 }, 7 },
    { { 0x2B, 0x81, 0x04, 0x00, 0x23 }, 5, 521, OPGP_TOK_KEY_EC,
      { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23 }, 7 },
    { { 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 }, 9, 256, OPGP_TOK_KEY_EC,
      { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 }, 11 },
    { { 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B }, 9, 384, OPGP_TOK_KEY_EC,
      { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B }, 11 },
    { { 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D }, 9, 512, OPGP_TOK_KEY_EC,
      { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D }, 11 },
    { { 0x2B, 0x81, 0x04, 0x00, 0x0A }, 5, 256, OPGP_TOK_KEY_EC, /* secp256k1 */
      { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A }, 7 },
    /* Ed25519 and X25519 as OpenPGP names them; PKCS#11 gets RFC 8410's OIDs. */
    { { 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01 }, 9, 255, OPGP_TOK_KEY_ED25519,
      { 0x06, 0x03, 0x2B, 0x65, 0x70 }, 5 },
    { { 0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01 }, 10, 255,
      OPGP_TOK_KEY_X25519, { 0x06, 0x03, 0x2B, 0x65, 0x6E }, 5 },
};

static DWORD container_prop(opgp_token *t, unsigned index, LPCWSTR name, void *buf, DWORD cap,
                            DWORD *len)
{
    PCARD_DATA cd = tok_cd(t);
    if (cd->pfnCardGetContainerProperty == NULL)
        return SCARD_E_UNSUPPORTED_FEATURE;
    DWORD got = 0;
    DWORD rv = cd->pfnCardGetContainerProperty(cd, (BYTE)index, name, buf, cap, &got, 0);
    *len = got;
    return rv;
}

/* The OpenPGP algorithm attributes (C1..C3 value) into key metadata. */
static bool parse_attr(const uint8_t *a, size_t len, opgp_tok_key *k)
{
    if (len < 1)
        return false;
    if (a[0] == 0x01) {
        if (len < 3)
            return false;
        k->type = OPGP_TOK_KEY_RSA;
        k->bits = (unsigned)a[1] << 8 | a[2];
        return k->bits >= 512;
    }
    if (a[0] != 0x12 && a[0] != 0x13 && a[0] != 0x16)
        return false;
    size_t oid_len = len - 1;
    if (oid_len > 0 && a[len - 1] == 0xFF) /* import format: public key included */
        oid_len--;
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
        const curve *c = &curves[i];
        if (c->oid_len == oid_len && memcmp(c->oid, a + 1, oid_len) == 0) {
            k->type = c->type;
            k->bits = c->bits;
            memcpy(k->ec_params, c->der, c->der_len);
            k->ec_params_len = c->der_len;
            return true;
        }
    }
    return false;
}

/* The CryptoAPI key spec the minidriver uses for the container, from the cmapfile (cached by
 * the host); 0 when absent there (keys cardmod cannot express). */
static void cmap_lookup(opgp_token *t, tok_container *c, unsigned index)
{
    BYTE *map = NULL;
    DWORD len = 0;
    if (opgp_host_read_file(t->ctx, szBASE_CSP_DIR, szCONTAINER_MAP_FILE, &map, &len) !=
        SCARD_S_SUCCESS)
        return;
    if ((size_t)(index + 1) * sizeof(CONTAINER_MAP_RECORD) <= len) {
        CONTAINER_MAP_RECORD rec;
        memcpy(&rec, map + index * sizeof rec, sizeof rec);
        if (rec.bFlags & CONTAINER_MAP_VALID_CONTAINER) {
            c->sig_cert = rec.wSigKeySizeBits != 0;
            if (c->key.type == OPGP_TOK_KEY_RSA)
                c->keyspec = c->sig_cert ? AT_SIGNATURE : AT_KEYEXCHANGE;
        }
    }
    opgp_host_free(map);
    if (c->key.type == OPGP_TOK_KEY_EC) {
        DWORD base = c->key.can_derive ? AT_ECDHE_P256 : AT_ECDSA_P256;
        if (c->key.bits == 256 && c->key.ec_params_len == 10)
            c->keyspec = base;
        else if (c->key.bits == 384 && c->key.ec_params_len == 7)
            c->keyspec = base + 1;
        else if (c->key.bits == 521)
            c->keyspec = base + 2;
        c->sig_cert = !c->key.can_derive;
    }
    if (c->keyspec != 0)
        return;
    /* Keys cardmod cannot express: opgp's vendor key specs (minidriver_vendor.h). */
    if (c->key.can_sign && c->key.type == OPGP_TOK_KEY_EC)
        c->vendor_spec = AT_OPGP_ECDSA;
    else if (c->key.can_sign && c->key.type == OPGP_TOK_KEY_ED25519)
        c->vendor_spec = AT_OPGP_EDDSA;
    c->raw_dh = c->key.can_derive;
}

/* Which OpenPGP key the container holds: the minidriver says (no fixed layout here). */
static opgp_tok_rv load_role(opgp_token *t, tok_container *c, unsigned index)
{
    if (c->role != 0)
        return OPGP_TOK_OK;
    BYTE role = 0;
    DWORD len = 0;
    DWORD rv = container_prop(t, index, CCP_OPGP_KEY_ROLE, &role, 1, &len);
    if (rv == (DWORD)SCARD_E_INVALID_PARAMETER)
        return OPGP_TOK_UNSUPPORTED; /* not opgp's minidriver */
    if (rv != SCARD_S_SUCCESS)
        return tok_map(t, rv);
    if (len != 1 || role < OPGP_TOK_ROLE_SIG || role > OPGP_TOK_ROLE_AUT)
        return OPGP_TOK_DEVICE_ERROR;
    c->role = role;
    return OPGP_TOK_OK;
}

opgp_tok_rv opgp_token_role(opgp_token *t, unsigned index, unsigned *role)
{
    if (role == NULL)
        return OPGP_TOK_BAD_INPUT;
    if (index >= OPGP_TOK_CONTAINERS)
        return OPGP_TOK_NO_KEY;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    r = load_role(t, &t->c[index], index);
    if (r == OPGP_TOK_OK)
        *role = t->c[index].role;
    tok_leave(t);
    return r;
}

opgp_tok_rv tok_container_load(opgp_token *t, unsigned index, tok_container **out)
{
    if (index >= OPGP_TOK_CONTAINERS)
        return OPGP_TOK_NO_KEY;
    tok_container *c = &t->c[index];
    if (c->known) {
        *out = c;
        return c->key.type == OPGP_TOK_KEY_NONE ? OPGP_TOK_NO_KEY : OPGP_TOK_OK;
    }
    unsigned role = c->role;
    memset(c, 0, sizeof *c);
    c->role = role;
    opgp_tok_rv r = load_role(t, c, index);
    if (r != OPGP_TOK_OK)
        return r;
    c->key.index = index;
    c->key.role = c->role;
    uint8_t buf[64];
    DWORD len = 0;
    /* A fingerprint is there exactly when the slot holds a key. */
    DWORD rv = container_prop(t, index, CCP_OPGP_FINGERPRINT, buf, sizeof buf, &len);
    if (rv == SCARD_S_SUCCESS)
        rv = container_prop(t, index, CCP_OPGP_ALGORITHM, buf, sizeof buf, &len);
    if (rv == (DWORD)SCARD_E_NO_KEY_CONTAINER || rv == (DWORD)SCARD_E_INVALID_PARAMETER) {
        c->known = true;
        return OPGP_TOK_NO_KEY;
    }
    if (rv != SCARD_S_SUCCESS)
        return tok_map(t, rv);
    if (!parse_attr(buf, len, &c->key)) {
        c->known = true;
        c->key.type = OPGP_TOK_KEY_NONE;
        return OPGP_TOK_NO_KEY;
    }
    /* Each key does what its slot's card command does: PSO:DECIPHER for the decryption key
     * (RSA decryption or ECDH), signatures for the other two. */
    bool dec_slot = c->role == OPGP_TOK_ROLE_DEC;
    switch (c->key.type) {
    case OPGP_TOK_KEY_RSA:
        c->key.can_sign = !dec_slot;
        c->key.can_decrypt = dec_slot;
        break;
    case OPGP_TOK_KEY_EC:
        c->key.can_sign = !dec_slot;
        c->key.can_derive = dec_slot;
        break;
    case OPGP_TOK_KEY_ED25519: c->key.can_sign = !dec_slot; break;
    case OPGP_TOK_KEY_X25519: c->key.can_derive = dec_slot; break;
    default: break;
    }
    PIN_ID pin = 0;
    if (container_prop(t, index, CCP_PIN_IDENTIFIER, &pin, sizeof pin, &len) ==
            SCARD_S_SUCCESS && len == sizeof pin && pin >= 1 && pin <= 4)
        c->key.pin = (opgp_tok_pin)pin;
    else
        c->key.pin = c->role == OPGP_TOK_ROLE_SIG ? OPGP_TOK_PIN_SIGN : OPGP_TOK_PIN_USER;
    cmap_lookup(t, c, index);
    c->known = true;
    *out = c;
    return OPGP_TOK_OK;
}

opgp_tok_rv opgp_token_key(opgp_token *t, unsigned index, opgp_tok_key *out)
{
    if (out == NULL)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    tok_container *c;
    r = tok_container_load(t, index, &c);
    if (r == OPGP_TOK_OK)
        *out = c->key;
    tok_leave(t);
    return r;
}

opgp_tok_rv opgp_token_public_key(opgp_token *t, unsigned index, uint8_t *pub, size_t *pub_len,
                                  uint8_t *exp, size_t *exp_len)
{
    if (pub_len == NULL || exp_len == NULL)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    tok_container *c;
    r = tok_container_load(t, index, &c);
    if (r == OPGP_TOK_OK && !c->pub_known) {
        DWORD len = 0;
        DWORD rv = container_prop(t, index, CCP_OPGP_PUBLIC_KEY, c->pub, sizeof c->pub, &len);
        if (rv == SCARD_S_SUCCESS) {
            c->pub_len = len;
            c->exp_len = 0;
            if (c->key.type == OPGP_TOK_KEY_RSA) {
                rv = container_prop(t, index, CCP_OPGP_PUBLIC_EXPONENT, c->exp, sizeof c->exp,
                                    &len);
                c->exp_len = len;
            }
        }
        if (rv == SCARD_S_SUCCESS)
            c->pub_known = true;
        else
            r = tok_map(t, rv);
    }
    if (r == OPGP_TOK_OK) {
        if ((pub != NULL && *pub_len < c->pub_len) || (exp != NULL && *exp_len < c->exp_len))
            r = OPGP_TOK_BUFFER_TOO_SMALL;
        else {
            if (pub != NULL)
                memcpy(pub, c->pub, c->pub_len);
            if (exp != NULL)
                memcpy(exp, c->exp, c->exp_len);
        }
        *pub_len = c->pub_len;
        *exp_len = c->exp_len;
    }
    tok_leave(t);
    return r;
}

/* The certificate of a container Windows cannot see, through opgp's vendor property. */
static opgp_tok_rv vendor_cert(opgp_token *t, tok_container *c, unsigned index)
{
    DWORD need = 0;
    DWORD rv = container_prop(t, index, CCP_OPGP_CERTIFICATE, NULL, 0, &need);
    if (rv == (DWORD)SCARD_E_FILE_NOT_FOUND || rv == (DWORD)SCARD_E_INVALID_PARAMETER) {
        c->cert_known = true; /* none (or a minidriver without the property) */
        return OPGP_TOK_OK;
    }
    if (rv != (DWORD)ERROR_INSUFFICIENT_BUFFER && rv != SCARD_S_SUCCESS)
        return tok_map(t, rv);
    if (need == 0 || need > OPGP_HOST_CACHE_MAX_ITEM)
        return OPGP_TOK_DEVICE_ERROR;
    uint8_t *der = malloc(need);
    if (der == NULL)
        return OPGP_TOK_NO_MEMORY;
    DWORD got = 0;
    rv = container_prop(t, index, CCP_OPGP_CERTIFICATE, der, need, &got);
    if (rv != SCARD_S_SUCCESS || got != need) {
        free(der);
        return rv != SCARD_S_SUCCESS ? tok_map(t, rv) : OPGP_TOK_DEVICE_ERROR;
    }
    c->cert = der;
    c->cert_len = got;
    c->cert_known = true;
    return OPGP_TOK_OK;
}

static void cert_file(const tok_container *c, unsigned index, char name[8])
{
    name[0] = 'k';
    name[1] = c->sig_cert ? 's' : 'x';
    name[2] = 'c';
    name[3] = '0';
    name[4] = (char)('0' + index);
    name[5] = 0;
}

opgp_tok_rv opgp_token_cert(opgp_token *t, unsigned index, uint8_t **der, size_t *len)
{
    if (der == NULL || len == NULL)
        return OPGP_TOK_BAD_INPUT;
    *der = NULL;
    *len = 0;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    tok_container *c;
    r = tok_container_load(t, index, &c);
    if (r == OPGP_TOK_OK && !c->cert_known) {
        if (c->keyspec == 0) {
            r = vendor_cert(t, c, index); /* no certificate file for this key: the property */
        } else {
            char name[8];
            cert_file(c, index, name);
            BYTE *data = NULL;
            DWORD dlen = 0;
            DWORD rv = opgp_host_read_file(t->ctx, szBASE_CSP_DIR, name, &data, &dlen);
            if (rv == SCARD_S_SUCCESS && dlen > 0) {
                c->cert = malloc(dlen);
                if (c->cert == NULL)
                    r = OPGP_TOK_NO_MEMORY;
                else {
                    memcpy(c->cert, data, dlen);
                    c->cert_len = dlen;
                    c->cert_known = true;
                }
            } else if (rv == SCARD_S_SUCCESS || rv == (DWORD)SCARD_E_FILE_NOT_FOUND) {
                c->cert_known = true;
            } else {
                r = tok_map(t, rv);
            }
            opgp_host_free(data);
        }
    }
    if (r == OPGP_TOK_OK) {
        if (c->cert == NULL)
            r = OPGP_TOK_NO_KEY;
        else if ((*der = malloc(c->cert_len)) == NULL)
            r = OPGP_TOK_NO_MEMORY;
        else {
            memcpy(*der, c->cert, c->cert_len);
            *len = c->cert_len;
        }
    }
    tok_leave(t);
    return r;
}

opgp_tok_rv opgp_token_cert_write(opgp_token *t, unsigned index, const uint8_t *der,
                                  size_t len)
{
    if (der != NULL && (len == 0 || len > OPGP_HOST_CACHE_MAX_ITEM))
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    tok_container *c;
    r = tok_container_load(t, index, &c);
    if (r == OPGP_TOK_OK && c->keyspec == 0) {
        /* No certificate file for this key: opgp's vendor property writes the slot. */
        PCARD_DATA cd = tok_cd(t);
        DWORD rv = cd->pfnCardSetContainerProperty == NULL
                       ? (DWORD)SCARD_E_UNSUPPORTED_FEATURE
                       : cd->pfnCardSetContainerProperty(cd, (BYTE)index, CCP_OPGP_CERTIFICATE,
                                                         (PBYTE)der, der ? (DWORD)len : 0, 0);
        r = tok_map(t, rv);
        free(c->cert);
        c->cert = NULL;
        c->cert_len = 0;
        c->cert_known = false;
        tok_leave(t);
        return r;
    }
    if (r == OPGP_TOK_OK) {
        char name[8];
        cert_file(c, index, name);
        DWORD rv;
        if (der != NULL) {
            rv = opgp_host_write_file(t->ctx, szBASE_CSP_DIR, name, der, (DWORD)len);
        } else {
            PCARD_DATA cd = tok_cd(t);
            rv = cd->pfnCardDeleteFile(cd, (LPSTR)szBASE_CSP_DIR, name, 0);
            opgp_host_invalidate(t->ctx, OPGP_HOST_CACHE_FILES);
        }
        r = tok_map(t, rv);
        free(c->cert);
        c->cert = NULL;
        c->cert_len = 0;
        c->cert_known = false;
    }
    tok_leave(t);
    return r;
}
