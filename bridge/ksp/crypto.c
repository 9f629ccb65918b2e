/* Private key operations: SignHash (RSA PKCS#1 v1.5, ECDSA r||s), Decrypt (RSA PKCS#1 v1.5),
 * SecretAgreement (ECDH on the card) and DeriveKey (raw secret, hash KDF by BCrypt). */
#include <stdlib.h>
#include <string.h>

#include "ksp.h"
#include "ksp_table.h"

static void report(const ksp_key *k, const char *what, opgp_tok_rv r)
{
    if (r == OPGP_TOK_OK)
        return;
    ksp_key *kk = (ksp_key *)k;
    ksp_log("opgpksp: %s with key %s failed: token error %d (user PIN, PW1: %d tries left)",
            what, k->name, (int)r, ksp_key_tries(kk));
}

/* The card key behind a private-key call, or NULL with *st set. */
static ksp_key *card_key(NCRYPT_PROV_HANDLE hp, NCRYPT_KEY_HANDLE hk, SECURITY_STATUS *st)
{
    ksp_prov *p;
    ksp_key *k;
    *st = ksp_key_lookup(hp, hk, &p, &k);
    if (*st != ERROR_SUCCESS)
        return NULL;
    if (k->card == NULL) {
        *st = NTE_NOT_SUPPORTED; /* an imported public key has no private half here */
        return NULL;
    }
    return k;
}

SECURITY_STATUS WINAPI ksp_SignHash(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                    VOID *pPaddingInfo, PBYTE pbHashValue, DWORD cbHashValue,
                                    PBYTE pbSignature, DWORD cbSignature, DWORD *pcbResult,
                                    DWORD dwFlags)
{
    SECURITY_STATUS st;
    ksp_key *k = card_key(hProvider, hKey, &st);
    if (k == NULL)
        return st;
    if (pbHashValue == NULL || cbHashValue == 0 || pcbResult == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)(NCRYPT_SILENT_FLAG | NCRYPT_PAD_PKCS1_FLAG | NCRYPT_PAD_PSS_FLAG))
        return NTE_BAD_FLAGS;
    if (!k->info.can_sign)
        return NTE_NOT_SUPPORTED;
    DWORD flags = dwFlags | k->flags;

    uint8_t in[19 + 64];
    size_t in_len = 0;
    if (k->info.type == OPGP_TOK_KEY_RSA) {
        /* The card pads with PKCS#1 v1.5 itself: PSS and no padding are beyond it. */
        if (dwFlags & NCRYPT_PAD_PSS_FLAG)
            return NTE_NOT_SUPPORTED;
        if (!(dwFlags & NCRYPT_PAD_PKCS1_FLAG) || pPaddingInfo == NULL)
            return NTE_INVALID_PARAMETER;
        const BCRYPT_PKCS1_PADDING_INFO *pad = pPaddingInfo;
        if (pad->pszAlgId == NULL) {
            /* No hash named: the value is signed as given (TLS 1.1's MD5||SHA-1). */
            if (cbHashValue > sizeof in)
                return NTE_INVALID_PARAMETER;
            memcpy(in, pbHashValue, cbHashValue);
            in_len = cbHashValue;
        } else {
            size_t prefix_len, hash_len;
            const uint8_t *prefix = ksp_digest_info(pad->pszAlgId, &prefix_len, &hash_len);
            if (prefix == NULL)
                return NTE_NOT_SUPPORTED;
            if (cbHashValue != hash_len)
                return NTE_INVALID_PARAMETER;
            memcpy(in, prefix, prefix_len);
            memcpy(in + prefix_len, pbHashValue, hash_len);
            in_len = prefix_len + hash_len;
        }
    } else {
        if (dwFlags & (NCRYPT_PAD_PKCS1_FLAG | NCRYPT_PAD_PSS_FLAG))
            return NTE_INVALID_PARAMETER; /* no padding for ECDSA */
        if (cbHashValue > 64)
            return NTE_INVALID_PARAMETER;
        memcpy(in, pbHashValue, cbHashValue);
        in_len = cbHashValue;
    }

    size_t size = 0;
    opgp_tok_rv r = opgp_token_sign_size(k->card->token, k->container, &size);
    if (r != OPGP_TOK_OK)
        return ksp_tok_status(r, flags);
    *pcbResult = (DWORD)size;
    if (pbSignature == NULL)
        return ERROR_SUCCESS;
    if (cbSignature < size)
        return NTE_BUFFER_TOO_SMALL;
    /* The per-signature login and its signature, with no other thread's signature between. */
    AcquireSRWLockExclusive(&k->lock);
    st = ksp_key_sign_login(k, flags);
    size_t sig_len = cbSignature;
    if (st == ERROR_SUCCESS)
        r = opgp_token_sign(k->card->token, k->container, in, in_len, pbSignature, &sig_len);
    ReleaseSRWLockExclusive(&k->lock);
    if (st != ERROR_SUCCESS)
        return st;
    report(k, "signature", r);
    if (r != OPGP_TOK_OK)
        return ksp_tok_status(r, flags);
    *pcbResult = (DWORD)sig_len;
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI ksp_Decrypt(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                   PBYTE pbInput, DWORD cbInput, VOID *pPaddingInfo,
                                   PBYTE pbOutput, DWORD cbOutput, DWORD *pcbResult,
                                   DWORD dwFlags)
{
    (void)pPaddingInfo; /* PKCS#1 v1.5 takes none */
    SECURITY_STATUS st;
    ksp_key *k = card_key(hProvider, hKey, &st);
    if (k == NULL)
        return st;
    if (pbInput == NULL || pcbResult == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)(NCRYPT_SILENT_FLAG | NCRYPT_PAD_PKCS1_FLAG | NCRYPT_PAD_OAEP_FLAG |
                           NCRYPT_NO_PADDING_FLAG))
        return NTE_BAD_FLAGS;
    if (k->info.type != OPGP_TOK_KEY_RSA || !k->info.can_decrypt)
        return NTE_NOT_SUPPORTED;
    if (dwFlags & (NCRYPT_PAD_OAEP_FLAG | NCRYPT_NO_PADDING_FLAG))
        return NTE_NOT_SUPPORTED; /* the card removes PKCS#1 v1.5 padding, nothing else */
    if (!(dwFlags & NCRYPT_PAD_PKCS1_FLAG))
        return NTE_INVALID_PARAMETER;
    DWORD flags = dwFlags | k->flags;
    size_t mod_len = (k->info.bits + 7) / 8;
    if (cbInput != mod_len)
        return NTE_BAD_DATA;
    if (pbOutput == NULL) {
        *pcbResult = (DWORD)mod_len; /* the bound; the message is shorter */
        return ERROR_SUCCESS;
    }
    uint8_t *plain = malloc(mod_len);
    if (plain == NULL)
        return NTE_NO_MEMORY;
    size_t len = mod_len;
    opgp_tok_rv r = opgp_token_decrypt(k->card->token, k->container, pbInput, cbInput, plain,
                                       &len);
    report(k, "decryption", r);
    if (r == OPGP_TOK_OK) {
        *pcbResult = (DWORD)len;
        if (cbOutput < len)
            st = NTE_BUFFER_TOO_SMALL;
        else
            memcpy(pbOutput, plain, len);
    } else {
        st = ksp_tok_status(r, flags);
    }
    opgp_tok_wipe(plain, mod_len);
    free(plain);
    return st;
}

/* ---- ECDH ---------------------------------------------------------------------------------- */

SECURITY_STATUS WINAPI ksp_SecretAgreement(NCRYPT_PROV_HANDLE hProvider,
                                           NCRYPT_KEY_HANDLE hPrivKey, NCRYPT_KEY_HANDLE hPubKey,
                                           NCRYPT_SECRET_HANDLE *phAgreedSecret, DWORD dwFlags)
{
    SECURITY_STATUS st;
    ksp_key *k = card_key(hProvider, hPrivKey, &st);
    if (k == NULL)
        return st;
    ksp_prov *p = ksp_prov_get(hProvider);
    ksp_key *peer = ksp_key_get(p, hPubKey);
    if (peer == NULL)
        return NTE_INVALID_HANDLE;
    if (phAgreedSecret == NULL)
        return NTE_INVALID_PARAMETER;
    *phAgreedSecret = 0;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    const ksp_curve *c = ksp_curve_of(&k->info);
    if (c == NULL || !k->info.can_derive)
        return NTE_NOT_SUPPORTED;

    uint8_t point[OPGP_TOK_MAX_PUB];
    size_t point_len = sizeof point, exp_len = 0;
    if (peer->card != NULL) {
        if (ksp_curve_of(&peer->info) != c)
            return NTE_INVALID_PARAMETER;
        opgp_tok_rv r = opgp_token_public_key(peer->card->token, peer->container, point,
                                              &point_len, NULL, &exp_len);
        if (r != OPGP_TOK_OK)
            return ksp_tok_status(r, dwFlags | k->flags);
    } else {
        bool same = peer->curve == c || (peer->generic_magic && peer->curve->bytes == c->bytes);
        if (!same)
            return NTE_INVALID_PARAMETER; /* the peer's key is on another curve */
        memcpy(point, peer->point, peer->point_len);
        point_len = peer->point_len;
    }
    ksp_secret *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NTE_NO_MEMORY;
    s->z_len = sizeof s->z;
    opgp_tok_rv r = opgp_token_derive(k->card->token, k->container, point, point_len, s->z,
                                      &s->z_len);
    report(k, "ECDH", r);
    if (r != OPGP_TOK_OK) {
        ksp_secret_free(s);
        return ksp_tok_status(r, dwFlags | k->flags);
    }
    winprov_handle_add(&s->obj, KSP_KIND_SECRET, p);
    *phAgreedSecret = (NCRYPT_SECRET_HANDLE)s;
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI ksp_FreeSecret(NCRYPT_PROV_HANDLE hProvider,
                                      NCRYPT_SECRET_HANDLE hSharedSecret)
{
    ksp_prov *p = ksp_prov_get(hProvider);
    ksp_secret *s = p != NULL ? ksp_secret_get(p, hSharedSecret) : NULL;
    if (s == NULL)
        return NTE_INVALID_HANDLE;
    winprov_handle_remove(&s->obj);
    ksp_secret_free(s);
    return ERROR_SUCCESS;
}

typedef struct kdf_params {
    const wchar_t *hash;        /* BCRYPT_SHA1_ALGORITHM unless named */
    const uint8_t *prepend, *append;
    ULONG prepend_len, append_len;
} kdf_params;

static SECURITY_STATUS read_params(const NCryptBufferDesc *list, kdf_params *out)
{
    out->hash = BCRYPT_SHA1_ALGORITHM;
    out->prepend = out->append = NULL;
    out->prepend_len = out->append_len = 0;
    if (list == NULL)
        return ERROR_SUCCESS;
    if (list->cBuffers != 0 && list->pBuffers == NULL)
        return NTE_INVALID_PARAMETER;
    for (ULONG i = 0; i < list->cBuffers; i++) {
        const NCryptBuffer *b = &list->pBuffers[i];
        if (b->cbBuffer != 0 && b->pvBuffer == NULL)
            return NTE_INVALID_PARAMETER;
        switch (b->BufferType) {
        case KDF_HASH_ALGORITHM: {
            const wchar_t *name = b->pvBuffer;
            size_t chars = b->cbBuffer / sizeof(wchar_t);
            /* A string whose terminator lies inside the buffer. */
            if (chars == 0 || wcsnlen(name, chars) == chars)
                return NTE_INVALID_PARAMETER;
            out->hash = name;
            break;
        }
        case KDF_SECRET_PREPEND:
            out->prepend = b->pvBuffer;
            out->prepend_len = b->cbBuffer;
            break;
        case KDF_SECRET_APPEND:
            out->append = b->pvBuffer;
            out->append_len = b->cbBuffer;
            break;
        default:
            return NTE_NOT_SUPPORTED;
        }
    }
    return ERROR_SUCCESS;
}

/* hash(prepend || z || append) by BCrypt. */
static SECURITY_STATUS kdf_hash(const ksp_secret *s, const kdf_params *kp, PBYTE out,
                                DWORD cb, DWORD *pcb)
{
    BCRYPT_ALG_HANDLE alg = NULL;
    BCRYPT_HASH_HANDLE h = NULL;
    DWORD hash_len = 0, got = 0;
    uint8_t digest[64];
    SECURITY_STATUS st = NTE_NOT_SUPPORTED;
    if (!BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&alg, kp->hash, NULL, 0)))
        return NTE_NOT_SUPPORTED;
    if (!BCRYPT_SUCCESS(BCryptGetProperty(alg, BCRYPT_HASH_LENGTH, (PUCHAR)&hash_len,
                                          sizeof hash_len, &got, 0)) ||
        hash_len == 0 || hash_len > sizeof digest)
        goto done;
    *pcb = hash_len;
    st = ERROR_SUCCESS;
    if (out == NULL)
        goto done;
    if (cb < hash_len) {
        st = NTE_BUFFER_TOO_SMALL;
        goto done;
    }
    st = NTE_FAIL;
    if (!BCRYPT_SUCCESS(BCryptCreateHash(alg, &h, NULL, 0, NULL, 0, 0)) ||
        (kp->prepend_len &&
         !BCRYPT_SUCCESS(BCryptHashData(h, (PUCHAR)kp->prepend, kp->prepend_len, 0))) ||
        !BCRYPT_SUCCESS(BCryptHashData(h, (PUCHAR)s->z, (ULONG)s->z_len, 0)) ||
        (kp->append_len &&
         !BCRYPT_SUCCESS(BCryptHashData(h, (PUCHAR)kp->append, kp->append_len, 0))) ||
        !BCRYPT_SUCCESS(BCryptFinishHash(h, digest, hash_len, 0)))
        goto done;
    memcpy(out, digest, hash_len);
    st = ERROR_SUCCESS;
done:
    opgp_tok_wipe(digest, sizeof digest);
    if (h != NULL)
        BCryptDestroyHash(h);
    BCryptCloseAlgorithmProvider(alg, 0);
    return st;
}

SECURITY_STATUS WINAPI ksp_DeriveKey(NCRYPT_PROV_HANDLE hProvider,
                                     NCRYPT_SECRET_HANDLE hSharedSecret, LPCWSTR pwszKDF,
                                     NCryptBufferDesc *pParameterList, PBYTE pbDerivedKey,
                                     DWORD cbDerivedKey, DWORD *pcbResult, ULONG dwFlags)
{
    ksp_prov *p = ksp_prov_get(hProvider);
    ksp_secret *s = p != NULL ? ksp_secret_get(p, hSharedSecret) : NULL;
    if (s == NULL)
        return NTE_INVALID_HANDLE;
    if (pwszKDF == NULL || pcbResult == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(ULONG)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (wcscmp(pwszKDF, BCRYPT_KDF_RAW_SECRET) == 0) {
        if (pParameterList != NULL && pParameterList->cBuffers != 0)
            return NTE_INVALID_PARAMETER;
        /* CNG hands the raw secret out little-endian. */
        *pcbResult = (DWORD)s->z_len;
        if (pbDerivedKey == NULL)
            return ERROR_SUCCESS;
        if (cbDerivedKey < s->z_len)
            return NTE_BUFFER_TOO_SMALL;
        for (size_t i = 0; i < s->z_len; i++)
            pbDerivedKey[i] = s->z[s->z_len - 1 - i];
        return ERROR_SUCCESS;
    }
    if (wcscmp(pwszKDF, BCRYPT_KDF_HASH) == 0) {
        kdf_params kp;
        SECURITY_STATUS st = read_params(pParameterList, &kp);
        if (st != ERROR_SUCCESS)
            return st;
        return kdf_hash(s, &kp, pbDerivedKey, cbDerivedKey, pcbResult);
    }
    return NTE_NOT_SUPPORTED;
}
