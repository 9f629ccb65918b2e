/* Private key operations of a token, through the minidriver's CardSignData, CardRSADecrypt,
 * CardConstructDHAgreement / CardDeriveKey, CardCreateContainerEx and CardGetChallenge. */
#include <stdlib.h>
#include <string.h>

#include "token_internal.h"

/* CNG's KDF that hands out the raw secret (little-endian, as BCryptDeriveKey gives it). */
#ifndef BCRYPT_KDF_RAW_SECRET
#define BCRYPT_KDF_RAW_SECRET OPGP_WSTR("TRUNCATE")
#endif

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
    if (r == OPGP_TOK_OK && (*c)->keyspec == 0)
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
    if (r != OPGP_TOK_OK) {
        tok_leave(t);
        return r;
    }
    bool rsa = c->key.type == OPGP_TOK_KEY_RSA;
    BCRYPT_PKCS1_PADDING_INFO pad = { NULL }; /* no algorithm: the caller built the DigestInfo */
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si.bContainerIndex = (BYTE)index;
    si.dwKeySpec = c->keyspec;
    si.pbData = (PBYTE)in;
    si.cbData = (DWORD)in_len;
    if (rsa) {
        si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
        si.dwPaddingType = CARD_PADDING_PKCS1;
        si.pPaddingInfo = &pad;
    }
    PCARD_DATA cd = tok_cd(t);
    DWORD rv = cd->pfnCardSignData(cd, &si);
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
    tok_leave(t);
    return r;
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
    if (r != OPGP_TOK_OK) {
        tok_leave(t);
        return r;
    }
    uint8_t buf[1024];
    memcpy(buf, in, in_len);
    reverse(buf, in_len);
    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    di.bContainerIndex = (BYTE)index;
    di.dwKeySpec = AT_KEYEXCHANGE;
    di.pbData = buf;
    di.cbData = (DWORD)in_len;
    di.dwPaddingType = CARD_PADDING_PKCS1;
    PCARD_DATA cd = tok_cd(t);
    r = tok_map(t, cd->pfnCardRSADecrypt(cd, &di));
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
    size_t coord = r == OPGP_TOK_OK ? (c->key.bits + 7) / 8 : 0;
    if (r == OPGP_TOK_OK && (peer_len != 1 + 2 * coord || peer[0] != 0x04))
        r = OPGP_TOK_BAD_INPUT;
    if (r == OPGP_TOK_OK && *out_len < coord) {
        *out_len = coord;
        r = OPGP_TOK_BUFFER_TOO_SMALL;
    }
    if (r != OPGP_TOK_OK) {
        tok_leave(t);
        return r;
    }
    uint8_t blob[8 + 2 * 66];
    put_le32(blob, ecdh_magic(c->key.bits));
    put_le32(blob + 4, (ULONG)coord);
    memcpy(blob + 8, peer + 1, 2 * coord);
    CARD_DH_AGREEMENT_INFO ai;
    memset(&ai, 0, sizeof ai);
    ai.dwVersion = CARD_DH_AGREEMENT_INFO_VERSION;
    ai.bContainerIndex = (BYTE)index;
    ai.dwPublicKey = (DWORD)(8 + 2 * coord);
    ai.pbPublicKey = blob;
    PCARD_DATA cd = tok_cd(t);
    r = tok_map(t, cd->pfnCardConstructDHAgreement(cd, &ai));
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
            reverse(out, coord); /* CNG's raw secret is little-endian */
            *out_len = coord;
        }
        if (dk.pbDerivedKey != NULL) {
            opgp_tok_wipe(dk.pbDerivedKey, dk.cbDerivedKey);
            opgp_host_free(dk.pbDerivedKey);
        }
        (void)cd->pfnCardDestroyDHAgreement(cd, ai.bSecretAgreementIndex, 0);
    }
    tok_leave(t);
    return r;
}

opgp_tok_rv opgp_token_generate(opgp_token *t, unsigned index, opgp_tok_keytype type,
                                unsigned bits, const uint8_t *ec_params, size_t ec_params_len)
{
    if (index >= OPGP_TOK_CONTAINERS)
        return OPGP_TOK_NO_KEY;
    DWORD spec = 0;
    if (type == OPGP_TOK_KEY_RSA) {
        spec = index == 2 ? AT_KEYEXCHANGE : AT_SIGNATURE;
    } else if (type == OPGP_TOK_KEY_EC && ec_params != NULL) {
        static const uint8_t p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
        static const uint8_t p384[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22 };
        static const uint8_t p521[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23 };
        DWORD base = index == 2 ? AT_ECDHE_P256 : AT_ECDSA_P256;
        if (ec_params_len == sizeof p256 && memcmp(ec_params, p256, sizeof p256) == 0)
            spec = base, bits = 256;
        else if (ec_params_len == sizeof p384 && memcmp(ec_params, p384, sizeof p384) == 0)
            spec = base + 1, bits = 384;
        else if (ec_params_len == sizeof p521 && memcmp(ec_params, p521, sizeof p521) == 0)
            spec = base + 2, bits = 521;
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
                                                  spec, bits, NULL, ROLE_USER)
                   : cd->pfnCardCreateContainer(cd, (BYTE)index, CARD_CREATE_CONTAINER_KEY_GEN,
                                                spec, bits, NULL);
    r = tok_map(t, rv);
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
        PBYTE ch = NULL;
        DWORD n = 0;
        r = tok_map(t, cd->pfnCardGetChallenge(cd, &ch, &n));
        if (r == OPGP_TOK_OK && (ch == NULL || n == 0))
            r = OPGP_TOK_DEVICE_ERROR;
        if (r == OPGP_TOK_OK) {
            size_t take = len - done < n ? len - done : n;
            memcpy(out + done, ch, take);
            done += take;
        }
        opgp_host_free(ch);
    }
    tok_leave(t);
    return r;
}
