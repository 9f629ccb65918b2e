/* Private key operations of a token, through the minidriver's CardSignData, CardRSADecrypt,
 * CardConstructDHAgreement / CardDeriveKey (the raw-secret KDF), CardCreateContainerEx, and
 * opgp's vendor key specs and random property for what cardmod cannot express. */
#include <stdlib.h>
#include <string.h>

#include "opgp/minidriver_vendor.h"
#include "token_internal.h"

static void reverse(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t x = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = x;
    }
}

static opgp_tok_rv key_for(opgp_token *t, unsigned index, tok_container **c)
{
    opgp_tok_rv r = tok_container_load(t, index, c);
    if (r == OPGP_TOK_OK && (*c)->keyspec == 0 && (*c)->vendor_spec == 0 && !(*c)->raw_dh)
        r = OPGP_TOK_UNSUPPORTED; /* the minidriver offers no operation on this key */
    return r;
}

static size_t signature_size(const opgp_tok_key *k)
{
    size_t coord = (k->bits + 7) / 8;
    return k->type == OPGP_TOK_KEY_RSA ? coord : 2 * coord;
}

opgp_tok_rv opgp_token_sign_size(opgp_token *t, unsigned index, size_t *len)
{
    if (len == NULL)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    tok_container *c;
    r = tok_container_load(t, index, &c);
    if (r == OPGP_TOK_OK)
        *len = c->key.can_sign ? signature_size(&c->key) : 0;
    if (r == OPGP_TOK_OK && !c->key.can_sign)
        r = OPGP_TOK_UNSUPPORTED;
    tok_leave(t);
    return r;
}

/* The signature key's PIN state (PW1 as 81): when the minidriver has not verified it and the
 * USER login left its PIN (token_pin.c: it stays kept for the login), verify it now with that
 * PIN; a rejection is reported as a wrong PIN and the PIN wiped. After a pinpad login the
 * reader asks for it instead, once. Without either the card decides (and refuses). */
static opgp_tok_rv sign_pin_ready(opgp_token *t, const tok_container *c)
{
    bool kept = tok_pin_kept(t, OPGP_TOK_PIN_SIGN);
    if (c->key.pin != OPGP_TOK_PIN_SIGN || (!kept && !t->user_pinpad))
        return OPGP_TOK_OK;
    PCARD_DATA cd = tok_cd(t);
    PIN_SET state = 0;
    DWORD len = 0;
    DWORD rv = cd->pfnCardGetProperty(cd, CP_CARD_AUTHENTICATED_STATE, (PBYTE)&state,
                                      sizeof state, &len, 0);
    if (rv == SCARD_S_SUCCESS && IS_PIN_SET(state, OPGP_TOK_PIN_SIGN))
        return OPGP_TOK_OK;
    if (rv == SCARD_S_SUCCESS && !IS_PIN_SET(state, OPGP_TOK_PIN_USER)) {
        tok_forget_pin(t); /* the user was logged out meanwhile: the PIN is no longer ours */
        return OPGP_TOK_NOT_LOGGED_IN;
    }
    if (kept)
        return tok_verify_kept(t, OPGP_TOK_PIN_SIGN);
    /* After a pinpad login the reader asks for the PIN once more (no PIN data). */
    DWORD attempts = (DWORD)-1;
    rv = cd->pfnCardAuthenticateEx(cd, (PIN_ID)OPGP_TOK_PIN_SIGN, 0, NULL, 0, NULL, NULL,
                                   &attempts);
    tok_forget_pin(t);
    return tok_map(t, rv);
}

opgp_tok_rv opgp_token_sign(opgp_token *t, unsigned index, const uint8_t *in, size_t in_len,
                            uint8_t *sig, size_t *sig_len)
{
    if (in == NULL || in_len == 0 || in_len > 1024 || sig == NULL || sig_len == NULL)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    tok_container *c;
    r = key_for(t, index, &c);
    if (r == OPGP_TOK_OK && !c->key.can_sign)
        r = OPGP_TOK_UNSUPPORTED;
    if (r == OPGP_TOK_OK && *sig_len < signature_size(&c->key)) {
        *sig_len = signature_size(&c->key);
        r = OPGP_TOK_BUFFER_TOO_SMALL;
    }
    /* One card transaction from the signature PIN's VERIFY (lazy or again) to the signature:
     * another process's logout cannot come between them. */
    bool held = false;
    if (r == OPGP_TOK_OK) {
        r = tok_map(t, opgp_host_begin(t->ctx));
        held = r == OPGP_TOK_OK;
    }
    if (r == OPGP_TOK_OK)
        r = sign_pin_ready(t, c);
    if (r != OPGP_TOK_OK) {
        if (held)
            opgp_host_end(t->ctx);
        tok_leave(t);
        return r;
    }
    bool rsa = c->key.type == OPGP_TOK_KEY_RSA;
    BCRYPT_PKCS1_PADDING_INFO pad = { NULL }; /* no algorithm: the caller built the DigestInfo */
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si.bContainerIndex = (BYTE)index;
    si.dwKeySpec = c->keyspec != 0 ? c->keyspec : c->vendor_spec;
    si.pbData = (PBYTE)in;
    si.cbData = (DWORD)in_len;
    if (rsa) {
        si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
        si.dwPaddingType = CARD_PADDING_PKCS1;
        si.pPaddingInfo = &pad;
    } else if (si.dwKeySpec == AT_OPGP_EDDSA) {
        si.dwSigningFlags = OPGP_SIGN_MESSAGE; /* EdDSA signs the message itself */
    }
    PCARD_DATA cd = tok_cd(t);
    DWORD rv = cd->pfnCardSignData(cd, &si);
    bool again = rv != SCARD_S_SUCCESS && tok_reauth(t, c->key.pin, rv, &r);
    if (again) {
        opgp_host_free(si.pbSignedData);
        si.pbSignedData = NULL;
        si.cbSignedData = 0;
        rv = cd->pfnCardSignData(cd, &si);
    }
    if (rv == SCARD_S_SUCCESS || again)
        r = tok_map(t, rv);
    if (r == OPGP_TOK_OK) {
        if (si.pbSignedData == NULL || si.cbSignedData > *sig_len) {
            r = OPGP_TOK_DEVICE_ERROR;
        } else {
            memcpy(sig, si.pbSignedData, si.cbSignedData);
            if (rsa)
                reverse(sig, si.cbSignedData); /* CryptoAPI order back to big-endian */
            *sig_len = si.cbSignedData;
        }
    }
    opgp_host_free(si.pbSignedData);
    opgp_host_end(t->ctx);
    tok_leave(t);
    return r;
}

/* The minidriver answers in place (buf): the cryptogram is set up again for every attempt. */
static DWORD rsa_decrypt(PCARD_DATA cd, unsigned index, const uint8_t *in, size_t in_len,
                         uint8_t *buf, CARD_RSA_DECRYPT_INFO *di)
{
    memcpy(buf, in, in_len);
    reverse(buf, in_len);
    memset(di, 0, sizeof *di);
    di->dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    di->bContainerIndex = (BYTE)index;
    di->dwKeySpec = AT_KEYEXCHANGE;
    di->pbData = buf;
    di->cbData = (DWORD)in_len;
    di->dwPaddingType = CARD_PADDING_PKCS1;
    return cd->pfnCardRSADecrypt(cd, di);
}

opgp_tok_rv opgp_token_decrypt(opgp_token *t, unsigned index, const uint8_t *in, size_t in_len,
                               uint8_t *out, size_t *out_len)
{
    if (in == NULL || in_len == 0 || in_len > 1024 || out_len == NULL)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    tok_container *c;
    r = key_for(t, index, &c);
    if (r == OPGP_TOK_OK && !c->key.can_decrypt)
        r = OPGP_TOK_UNSUPPORTED;
    if (r == OPGP_TOK_OK && in_len != (c->key.bits + 7) / 8)
        r = OPGP_TOK_BAD_INPUT;
    if (r == OPGP_TOK_OK)
        r = tok_map(t, opgp_host_begin(t->ctx)); /* held across a VERIFY again (tok_reauth) */
    if (r != OPGP_TOK_OK) {
        tok_leave(t);
        return r;
    }
    uint8_t buf[1024];
    CARD_RSA_DECRYPT_INFO di;
    PCARD_DATA cd = tok_cd(t);
    DWORD rv = rsa_decrypt(cd, index, in, in_len, buf, &di);
    bool again = rv != SCARD_S_SUCCESS && tok_reauth(t, c->key.pin, rv, &r);
    if (again)
        rv = rsa_decrypt(cd, index, in, in_len, buf, &di);
    if (rv == SCARD_S_SUCCESS || again)
        r = tok_map(t, rv);
    if (r == OPGP_TOK_OK) {
        reverse(buf, di.cbData);
        if (out == NULL) {
            *out_len = di.cbData;
        } else if (*out_len < di.cbData) {
            *out_len = di.cbData;
            r = OPGP_TOK_BUFFER_TOO_SMALL;
        } else {
            memcpy(out, buf, di.cbData);
            *out_len = di.cbData;
        }
    }
    opgp_tok_wipe(buf, sizeof buf);
    opgp_host_end(t->ctx);
    tok_leave(t);
    return r;
}

static ULONG ecdh_magic(unsigned bits)
{
    switch (bits) {
    case 256: return BCRYPT_ECDH_PUBLIC_P256_MAGIC;
    case 384: return BCRYPT_ECDH_PUBLIC_P384_MAGIC;
    case 521: return BCRYPT_ECDH_PUBLIC_P521_MAGIC;
    default: return 0;
    }
}

static void put_le32(uint8_t *p, ULONG v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

opgp_tok_rv opgp_token_derive(opgp_token *t, unsigned index, const uint8_t *peer,
                              size_t peer_len, uint8_t *out, size_t *out_len)
{
    if (peer == NULL || out == NULL || out_len == NULL)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    tok_container *c;
    r = key_for(t, index, &c);
    if (r == OPGP_TOK_OK && !c->key.can_derive)
        r = OPGP_TOK_UNSUPPORTED;
    bool x25519 = r == OPGP_TOK_OK && c->key.type == OPGP_TOK_KEY_X25519;
    size_t coord = r == OPGP_TOK_OK ? (c->key.bits + 7) / 8 : 0;
    if (r == OPGP_TOK_OK && (x25519 ? peer_len != 32
                                    : peer_len != 1 + 2 * coord || peer[0] != 0x04))
        r = OPGP_TOK_BAD_INPUT;
    if (r == OPGP_TOK_OK && *out_len < coord) {
        *out_len = coord;
        r = OPGP_TOK_BUFFER_TOO_SMALL;
    }
    if (r == OPGP_TOK_OK)
        r = tok_map(t, opgp_host_begin(t->ctx)); /* held across a VERIFY again (tok_reauth) */
    if (r != OPGP_TOK_OK) {
        tok_leave(t);
        return r;
    }
    /* NIST curves as cardmod has them (a BCRYPT_ECCKEY_BLOB), any other curve in the card's
     * own form with opgp's vendor flag. */
    uint8_t blob[8 + 2 * 66];
    CARD_DH_AGREEMENT_INFO ai;
    memset(&ai, 0, sizeof ai);
    ai.dwVersion = CARD_DH_AGREEMENT_INFO_VERSION;
    ai.bContainerIndex = (BYTE)index;
    if (c->raw_dh) {
        ai.dwFlags = OPGP_DH_RAW_PUBLIC_KEY;
        ai.dwPublicKey = (DWORD)peer_len;
        ai.pbPublicKey = (PBYTE)peer;
    } else {
        put_le32(blob, ecdh_magic(c->key.bits));
        put_le32(blob + 4, (ULONG)coord);
        memcpy(blob + 8, peer + 1, 2 * coord);
        ai.dwPublicKey = (DWORD)(8 + 2 * coord);
        ai.pbPublicKey = blob;
    }
    PCARD_DATA cd = tok_cd(t);
    DWORD arv = cd->pfnCardConstructDHAgreement(cd, &ai);
    bool again = arv != SCARD_S_SUCCESS && tok_reauth(t, c->key.pin, arv, &r);
    if (again)
        arv = cd->pfnCardConstructDHAgreement(cd, &ai);
    if (arv == SCARD_S_SUCCESS || again)
        r = tok_map(t, arv);
    if (r == OPGP_TOK_OK) {
        CARD_DERIVE_KEY dk;
        memset(&dk, 0, sizeof dk);
        dk.dwVersion = CARD_DERIVE_KEY_VERSION;
        dk.pwszKDF = BCRYPT_KDF_RAW_SECRET;
        dk.bSecretAgreementIndex = ai.bSecretAgreementIndex;
        DWORD rv = cd->pfnCardDeriveKey(cd, &dk);
        r = rv == (DWORD)SCARD_E_INVALID_PARAMETER ? OPGP_TOK_UNSUPPORTED : tok_map(t, rv);
        if (r == OPGP_TOK_OK && (dk.pbDerivedKey == NULL || dk.cbDerivedKey != coord))
            r = OPGP_TOK_DEVICE_ERROR;
        if (r == OPGP_TOK_OK) {
            memcpy(out, dk.pbDerivedKey, coord);
            /* CNG's raw secret is little-endian: X back to big-endian; X25519's bytes are
             * little-endian by definition and stay as they are. */
            if (!x25519)
                reverse(out, coord);
            *out_len = coord;
        }
        if (dk.pbDerivedKey != NULL) {
            opgp_tok_wipe(dk.pbDerivedKey, dk.cbDerivedKey);
            opgp_host_free(dk.pbDerivedKey);
        }
        (void)cd->pfnCardDestroyDHAgreement(cd, ai.bSecretAgreementIndex, 0);
    }
    opgp_host_end(t->ctx);
    tok_leave(t);
    return r;
}

opgp_tok_rv opgp_token_generate(opgp_token *t, unsigned index, opgp_tok_keytype type,
                                unsigned bits, const uint8_t *ec_params, size_t ec_params_len)
{
    if (index >= OPGP_TOK_CONTAINERS)
        return OPGP_TOK_NO_KEY;
    unsigned role = 0;
    opgp_tok_rv rr = opgp_token_role(t, index, &role);
    if (rr != OPGP_TOK_OK)
        return rr;
    bool dec = role == OPGP_TOK_ROLE_DEC;
    DWORD spec = 0;
    /* pbKeyData of the vendor key specs: the curve's DER OID (minidriver/VENDOR.md). */
    const uint8_t *curve_oid = NULL;
    static const uint8_t x25519[] = { 0x06, 0x03, 0x2B, 0x65, 0x6E };
    if (type == OPGP_TOK_KEY_RSA) {
        spec = dec ? AT_KEYEXCHANGE : AT_SIGNATURE;
    } else if (type == OPGP_TOK_KEY_EC && ec_params != NULL && ec_params_len >= 2 &&
               ec_params[0] == 0x06 && ec_params_len == 2u + ec_params[1]) {
        /* NIST curves under cardmod's own key specs, so that any minidriver can do them. */
        static const uint8_t p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
        static const uint8_t p384[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22 };
        static const uint8_t p521[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23 };
        DWORD base = dec ? AT_ECDHE_P256 : AT_ECDSA_P256;
        if (ec_params_len == sizeof p256 && memcmp(ec_params, p256, sizeof p256) == 0)
            spec = base, bits = 256;
        else if (ec_params_len == sizeof p384 && memcmp(ec_params, p384, sizeof p384) == 0)
            spec = base + 1, bits = 384;
        else if (ec_params_len == sizeof p521 && memcmp(ec_params, p521, sizeof p521) == 0)
            spec = base + 2, bits = 521;
        else /* brainpool, secp256k1: the minidriver knows which curves the card has */
            spec = dec ? AT_OPGP_ECDH : AT_OPGP_ECDSA, bits = 0, curve_oid = ec_params;
    } else if (type == OPGP_TOK_KEY_ED25519 && !dec) {
        spec = AT_OPGP_EDDSA, bits = 0;
    } else if (type == OPGP_TOK_KEY_X25519 && dec) {
        spec = AT_OPGP_ECDH, bits = 0, curve_oid = x25519;
    }
    if (spec == 0)
        return OPGP_TOK_UNSUPPORTED;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    PCARD_DATA cd = tok_cd(t);
    /* PinId names the PIN that will guard the key (the card fixes it: PW1); generating needs
     * the admin PIN verified already. */
    DWORD rv = cd->pfnCardCreateContainerEx != NULL
                   ? cd->pfnCardCreateContainerEx(cd, (BYTE)index, CARD_CREATE_CONTAINER_KEY_GEN,
                                                  spec, bits, (PBYTE)curve_oid, ROLE_USER)
                   : cd->pfnCardCreateContainer(cd, (BYTE)index, CARD_CREATE_CONTAINER_KEY_GEN,
                                                spec, bits, (PBYTE)curve_oid);
    /* A key spec or curve the minidriver refuses is one this card cannot generate. */
    r = rv == (DWORD)SCARD_E_INVALID_PARAMETER ? OPGP_TOK_UNSUPPORTED : tok_map(t, rv);
    /* The keys and what follows from them (cmapfile, public keys) changed on the card. */
    opgp_host_invalidate(t->ctx, OPGP_HOST_CACHE_CONTAINERS | OPGP_HOST_CACHE_FILES);
    (void)opgp_host_refresh(t->ctx, NULL);
    free(t->c[index].cert);
    memset(&t->c[index], 0, sizeof t->c[index]);
    tok_leave(t);
    return r;
}

opgp_tok_rv opgp_token_random(opgp_token *t, uint8_t *out, size_t len)
{
    if (out == NULL && len != 0)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    PCARD_DATA cd = tok_cd(t);
    size_t done = 0;
    while (r == OPGP_TOK_OK && done < len) {
        DWORD n = len - done < OPGP_MAX_RANDOM ? (DWORD)(len - done) : OPGP_MAX_RANDOM;
        DWORD got = 0;
        DWORD rv = cd->pfnCardGetProperty(cd, CP_OPGP_RANDOM, out + done, n, &got, 0);
        r = rv == (DWORD)SCARD_E_INVALID_PARAMETER ? OPGP_TOK_UNSUPPORTED : tok_map(t, rv);
        if (r == OPGP_TOK_OK && got != n)
            r = OPGP_TOK_DEVICE_ERROR;
        done += n;
    }
    tok_leave(t);
    return r;
}
