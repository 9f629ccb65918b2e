/* The private key operations through the token, and what CryptoAPI builds around them:
 * CPSignHash, CPVerifySignature (on the host, CNG), CPDecrypt, CPGenRandom.
 * CryptoAPI's RSA byte strings (signatures, cryptograms) are little-endian; the card's are
 * big-endian. */
#include <stdlib.h>
#include <string.h>

#include "csp.h"

#include <bcrypt.h>

#define MAX_RSA_BYTES 1024 /* RSA-8192 */

/* What the card pads and signs: DigestInfo(hash) or, without an OID, the bare value. */
static DWORD signature_input(csp_hash *h, DWORD flags, uint8_t *out, size_t *len)
{
    if (!csp_hash_finish(h))
        return h->state == NULL ? (DWORD)NTE_BAD_HASH_STATE : (DWORD)NTE_FAIL;
    size_t plen = 0;
    const uint8_t *prefix = NULL;
    if (!(flags & CRYPT_NOHASHOID) && h->alg != CALG_SSL3_SHAMD5) {
        prefix = csp_digest_info_prefix(h->alg, &plen);
        if (prefix == NULL)
            return (DWORD)NTE_BAD_ALGID;
    }
    if (plen != 0)
        memcpy(out, prefix, plen);
    memcpy(out + plen, h->value, h->len);
    *len = plen + h->len;
    return 0;
}

BOOL WINAPI CPSignHash(HCRYPTPROV hProv, HCRYPTHASH hHash, DWORD dwKeySpec, LPCWSTR szDescription,
                       DWORD dwFlags, LPBYTE pbSignature, LPDWORD pcbSigLen)
{
    (void)szDescription; /* obsolete: never shown or signed */
    csp_prov *p;
    csp_hash *h = csp_hash_lookup(hProv, hHash, &p);
    if (h == NULL)
        return FALSE;
    if (pcbSigLen == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    if (dwFlags & ~(DWORD)CRYPT_NOHASHOID)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    if (dwKeySpec != AT_SIGNATURE && dwKeySpec != AT_KEYEXCHANGE)
        return csp_fail((DWORD)NTE_BAD_ALGID);
    opgp_tok_key key;
    if (p->container < 0 ||
        csp_container_keyspec(p->token, (unsigned)p->container, &key) != dwKeySpec)
        return csp_fail((DWORD)NTE_NO_KEY);
    if (!key.can_sign)
        return csp_fail((DWORD)NTE_BAD_KEY); /* the decryption key cannot sign */
    size_t size = 0;
    opgp_tok_rv r = opgp_token_sign_size(p->token, (unsigned)p->container, &size);
    if (r != OPGP_TOK_OK)
        return csp_tok_fail(p, r);
    if (pbSignature == NULL || *pcbSigLen < size) {
        *pcbSigLen = (DWORD)size;
        return pbSignature == NULL ? TRUE : csp_fail(ERROR_MORE_DATA);
    }
    uint8_t in[19 + 64];
    size_t in_len = 0;
    DWORD e = signature_input(h, dwFlags, in, &in_len);
    if (e != 0)
        return csp_fail(e);
    size_t sig_len = *pcbSigLen;
    r = opgp_token_sign(p->token, (unsigned)p->container, in, in_len, pbSignature, &sig_len);
    if (r != OPGP_TOK_OK)
        return csp_tok_fail(p, r);
    csp_reverse(pbSignature, sig_len);
    *pcbSigLen = (DWORD)sig_len;
    return TRUE;
}

/* Verification needs only the public key: CNG checks it on the host. */
static DWORD verify_rsa(const uint8_t *mod, size_t mod_len, const uint8_t *exp, size_t exp_len,
                        ALG_ID alg, bool with_oid, const uint8_t *hash, DWORD hash_len,
                        const uint8_t *sig_be, DWORD sig_len)
{
    size_t blob_len = sizeof(BCRYPT_RSAKEY_BLOB) + exp_len + mod_len;
    uint8_t *blob = calloc(1, blob_len);
    if (blob == NULL)
        return (DWORD)NTE_NO_MEMORY;
    BCRYPT_RSAKEY_BLOB *hdr = (BCRYPT_RSAKEY_BLOB *)blob;
    hdr->Magic = BCRYPT_RSAPUBLIC_MAGIC;
    hdr->BitLength = (ULONG)(mod_len * 8);
    hdr->cbPublicExp = (ULONG)exp_len;
    hdr->cbModulus = (ULONG)mod_len;
    memcpy(blob + sizeof *hdr, exp, exp_len);
    memcpy(blob + sizeof *hdr + exp_len, mod, mod_len);
    BCRYPT_ALG_HANDLE a = NULL;
    BCRYPT_KEY_HANDLE k = NULL;
    DWORD e = (DWORD)NTE_FAIL;
    LPCWSTR id = NULL;
    if (with_oid) {
        switch (alg) {
        case CALG_MD5: id = BCRYPT_MD5_ALGORITHM; break;
        case CALG_SHA1: id = BCRYPT_SHA1_ALGORITHM; break;
        case CALG_SHA_256: id = BCRYPT_SHA256_ALGORITHM; break;
        case CALG_SHA_384: id = BCRYPT_SHA384_ALGORITHM; break;
        case CALG_SHA_512: id = BCRYPT_SHA512_ALGORITHM; break;
        default: break;
        }
    }
    BCRYPT_PKCS1_PADDING_INFO pad = { id };
    if (BCryptOpenAlgorithmProvider(&a, BCRYPT_RSA_ALGORITHM, NULL, 0) == 0 &&
        BCryptImportKeyPair(a, NULL, BCRYPT_RSAPUBLIC_BLOB, &k, blob, (ULONG)blob_len, 0) == 0) {
        NTSTATUS st = BCryptVerifySignature(k, &pad, (PUCHAR)hash, hash_len, (PUCHAR)sig_be,
                                            sig_len, BCRYPT_PAD_PKCS1);
        e = st == 0 ? 0 : (DWORD)NTE_BAD_SIGNATURE;
    }
    if (k != NULL)
        BCryptDestroyKey(k);
    if (a != NULL)
        BCryptCloseAlgorithmProvider(a, 0);
    free(blob);
    return e;
}

BOOL WINAPI CPVerifySignature(HCRYPTPROV hProv, HCRYPTHASH hHash, CONST BYTE *pbSignature,
                              DWORD cbSigLen, HCRYPTKEY hPubKey, LPCWSTR szDescription,
                              DWORD dwFlags)
{
    (void)szDescription;
    csp_prov *p;
    csp_hash *h = csp_hash_lookup(hProv, hHash, &p);
    if (h == NULL)
        return FALSE;
    csp_key *k = csp_key_get(p, hPubKey);
    if (k == NULL)
        return csp_fail((DWORD)NTE_BAD_KEY);
    if (dwFlags & ~(DWORD)CRYPT_NOHASHOID)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    if (pbSignature == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    uint8_t mod[OPGP_TOK_MAX_PUB], exp[16];
    size_t mod_len = sizeof mod, exp_len = sizeof exp;
    opgp_tok_rv r = opgp_token_public_key(p->token, k->container, mod, &mod_len, exp, &exp_len);
    if (r != OPGP_TOK_OK)
        return csp_tok_fail(p, r);
    if (cbSigLen != mod_len)
        return csp_fail((DWORD)NTE_BAD_SIGNATURE);
    if (!csp_hash_finish(h))
        return csp_fail(h->state == NULL ? (DWORD)NTE_BAD_HASH_STATE : (DWORD)NTE_FAIL);
    uint8_t sig[MAX_RSA_BYTES];
    memcpy(sig, pbSignature, cbSigLen);
    csp_reverse(sig, cbSigLen);
    bool with_oid = !(dwFlags & CRYPT_NOHASHOID) && h->alg != CALG_SSL3_SHAMD5;
    DWORD e = verify_rsa(mod, mod_len, exp, exp_len, h->alg, with_oid, h->value, h->len, sig,
                         cbSigLen);
    return e == 0 ? TRUE : csp_fail(e);
}

BOOL WINAPI CPDecrypt(HCRYPTPROV hProv, HCRYPTKEY hKey, HCRYPTHASH hHash, BOOL fFinal,
                      DWORD dwFlags, LPBYTE pbData, LPDWORD pcbDataLen)
{
    csp_prov *p;
    csp_key *k = csp_key_lookup(hProv, hKey, &p);
    if (k == NULL)
        return FALSE;
    if (hHash != 0)
        return csp_fail((DWORD)NTE_NOT_SUPPORTED); /* hash-while-decrypt: session keys only */
    if (dwFlags & (CRYPT_OAEP | CRYPT_DECRYPT_RSA_NO_PADDING_CHECK))
        return csp_fail((DWORD)NTE_NOT_SUPPORTED); /* the card pads PKCS#1 v1.5 only */
    if (dwFlags != 0)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    if (!fFinal)
        return csp_fail((DWORD)NTE_BAD_DATA); /* one RSA block is always the last */
    if (pbData == NULL || pcbDataLen == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    if (!k->info.can_decrypt)
        return csp_fail((DWORD)NTE_BAD_KEY);
    DWORD bytes = (k->info.bits + 7) / 8;
    if (*pcbDataLen != bytes || bytes > MAX_RSA_BYTES)
        return csp_fail((DWORD)NTE_BAD_LEN);
    uint8_t in[MAX_RSA_BYTES], out[MAX_RSA_BYTES];
    memcpy(in, pbData, bytes);
    csp_reverse(in, bytes);
    size_t out_len = sizeof out;
    opgp_tok_rv r = opgp_token_decrypt(p->token, k->container, in, bytes, out, &out_len);
    if (r == OPGP_TOK_OK && out_len <= bytes) {
        memcpy(pbData, out, out_len);
        *pcbDataLen = (DWORD)out_len;
    }
    opgp_tok_wipe(out, sizeof out);
    if (r != OPGP_TOK_OK)
        return csp_tok_fail(p, r);
    return TRUE;
}

BOOL WINAPI CPGenRandom(HCRYPTPROV hProv, DWORD cbLen, LPBYTE pbBuffer)
{
    csp_prov *p = csp_prov_get(hProv);
    if (p == NULL)
        return csp_fail((DWORD)NTE_BAD_UID);
    if (pbBuffer == NULL && cbLen != 0)
        return csp_fail(ERROR_INVALID_PARAMETER);
    if (p->token != NULL) {
        /* GET CHALLENGE in short pieces: cards cap the length. */
        for (DWORD done = 0; done < cbLen;) {
            size_t n = cbLen - done > 64 ? 64 : cbLen - done;
            opgp_tok_rv r = opgp_token_random(p->token, pbBuffer + done, n);
            if (r != OPGP_TOK_OK)
                return csp_tok_fail(p, r);
            done += (DWORD)n;
        }
        return TRUE;
    }
    /* A verify context without a card: the system's generator. */
    if (BCryptGenRandom(NULL, pbBuffer, cbLen, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
        return csp_fail((DWORD)NTE_FAIL);
    return TRUE;
}
