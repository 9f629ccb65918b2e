/* Windows: the checks of verify.h with CNG (BCrypt), and crypt32 for DER public keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>
#include <bcrypt.h>
#include <wincrypt.h>

#include "opgp/crypto.h"
#include "verify.h"

#define NT_OK(s) ((NTSTATUS)(s) >= 0)

struct v_key {
    bool rsa;
    DWORD bits;          /* modulus or curve bits */
    DWORD cb;            /* modulus bytes, or bytes of one ECC coordinate */
    DWORD exponent;      /* RSA */
    BYTE data[1024];     /* RSA: modulus big-endian; ECC: X || Y big-endian */
};

static DWORD le32(const BYTE *p)
{
    return (DWORD)p[0] | (DWORD)p[1] << 8 | (DWORD)p[2] << 16 | (DWORD)p[3] << 24;
}

static DWORD curve_bits(DWORD magic)
{
    switch (magic) {
    case BCRYPT_ECDSA_PUBLIC_P256_MAGIC: case BCRYPT_ECDH_PUBLIC_P256_MAGIC: return 256;
    case BCRYPT_ECDSA_PUBLIC_P384_MAGIC: case BCRYPT_ECDH_PUBLIC_P384_MAGIC: return 384;
    case BCRYPT_ECDSA_PUBLIC_P521_MAGIC: case BCRYPT_ECDH_PUBLIC_P521_MAGIC: return 521;
    default: return 0;
    }
}

v_key *v_key_from_blob(const BYTE *blob, DWORD len)
{
    if (blob == NULL || len < 8)
        return NULL;
    v_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NULL;
    if (blob[0] == PUBLICKEYBLOB) {
        /* BLOBHEADER (8), RSAPUBKEY (magic, bitlen, pubexp), modulus little-endian */
        DWORD bits = len >= 20 ? le32(blob + 12) : 0;
        if (len < 20 || le32(blob + 8) != BCRYPT_RSAPUBLIC_MAGIC || bits == 0 || bits % 8 != 0 ||
            bits / 8 > sizeof k->data || len != 20 + bits / 8) {
            free(k);
            return NULL;
        }
        k->rsa = true;
        k->bits = bits;
        k->cb = bits / 8;
        k->exponent = le32(blob + 16);
        for (DWORD i = 0; i < k->cb; i++)
            k->data[i] = blob[20 + k->cb - 1 - i];
        return k;
    }
    DWORD cb = le32(blob + 4);
    k->bits = curve_bits(le32(blob));
    if (k->bits == 0 || cb != (k->bits + 7) / 8 || len != 8 + 2 * cb) {
        free(k);
        return NULL;
    }
    k->cb = cb;
    memcpy(k->data, blob + 8, 2 * cb);
    return k;
}

v_key *v_key_from_spki(const BYTE *der, size_t len)
{
    CERT_PUBLIC_KEY_INFO *info = NULL;
    DWORD size = 0;
    if (!CryptDecodeObjectEx(X509_ASN_ENCODING, X509_PUBLIC_KEY_INFO, der, (DWORD)len,
                             CRYPT_DECODE_ALLOC_FLAG, NULL, &info, &size))
        return NULL;
    v_key *k = NULL;
    const BYTE *pub = info->PublicKey.pbData;
    DWORD pub_len = info->PublicKey.cbData;
    if (strcmp(info->Algorithm.pszObjId, szOID_RSA_RSA) == 0) {
        BYTE *capi = NULL;
        DWORD capi_len = 0;
        if (CryptDecodeObjectEx(X509_ASN_ENCODING, RSA_CSP_PUBLICKEYBLOB, pub, pub_len,
                                CRYPT_DECODE_ALLOC_FLAG, NULL, &capi, &capi_len)) {
            k = v_key_from_blob(capi, capi_len);
            LocalFree(capi);
        }
    } else if (pub_len >= 3 && pub[0] == 0x04) {
        DWORD cb = (pub_len - 1) / 2;
        DWORD magic = cb == 32 ? BCRYPT_ECDSA_PUBLIC_P256_MAGIC
                    : cb == 48 ? BCRYPT_ECDSA_PUBLIC_P384_MAGIC
                    : cb == 66 ? BCRYPT_ECDSA_PUBLIC_P521_MAGIC : 0;
        BYTE blob[8 + 2 * 66];
        if (magic != 0) {
            memcpy(blob, &magic, 4);
            memcpy(blob + 4, &cb, 4);
            memcpy(blob + 8, pub + 1, 2 * cb);
            k = v_key_from_blob(blob, 8 + 2 * cb);
        }
    }
    LocalFree(info);
    return k;
}

void v_key_free(v_key *k)
{
    free(k);
}

bool v_key_same(const v_key *a, const v_key *b)
{
    return a != NULL && b != NULL && a->rsa == b->rsa && a->bits == b->bits && a->cb == b->cb &&
           a->exponent == b->exponent &&
           memcmp(a->data, b->data, a->rsa ? a->cb : 2 * a->cb) == 0;
}

bool v_hash(ALG_ID alg, const void *data, size_t len, BYTE *out, DWORD *out_len)
{
    opgp_hash_alg h;
    switch (alg) {
    case CALG_SHA1: h = OPGP_HASH_SHA1; break;
    case CALG_SHA_256: h = OPGP_HASH_SHA256; break;
    case CALG_SHA_384: h = OPGP_HASH_SHA384; break;
    case CALG_SHA_512: h = OPGP_HASH_SHA512; break;
    default: return false;
    }
    size_t n = *out_len;
    if (opgp_hash(h, data, len, out, &n) != OPGP_OK)
        return false;
    *out_len = (DWORD)n;
    return true;
}

/* A CNG key for k: RSA public, or ECC public with an ECDSA or ECDH magic. */
static bool import(const v_key *k, bool ecdh, BCRYPT_ALG_HANDLE *alg, BCRYPT_KEY_HANDLE *key)
{
    BYTE blob[sizeof(BCRYPT_RSAKEY_BLOB) + 4 + 1024];
    DWORD blob_len;
    LPCWSTR alg_name;
    LPCWSTR blob_type;
    if (k->rsa) {
        BCRYPT_RSAKEY_BLOB h = { BCRYPT_RSAPUBLIC_MAGIC, k->bits, 4, k->cb, 0, 0 };
        memcpy(blob, &h, sizeof h);
        BYTE e[4] = { (BYTE)(k->exponent >> 24), (BYTE)(k->exponent >> 16),
                      (BYTE)(k->exponent >> 8), (BYTE)k->exponent };
        memcpy(blob + sizeof h, e, 4);
        memcpy(blob + sizeof h + 4, k->data, k->cb);
        blob_len = sizeof h + 4 + k->cb;
        alg_name = BCRYPT_RSA_ALGORITHM;
        blob_type = BCRYPT_RSAPUBLIC_BLOB;
    } else {
        DWORD magic;
        if (k->bits == 256) {
            magic = ecdh ? BCRYPT_ECDH_PUBLIC_P256_MAGIC : BCRYPT_ECDSA_PUBLIC_P256_MAGIC;
            alg_name = ecdh ? BCRYPT_ECDH_P256_ALGORITHM : BCRYPT_ECDSA_P256_ALGORITHM;
        } else if (k->bits == 384) {
            magic = ecdh ? BCRYPT_ECDH_PUBLIC_P384_MAGIC : BCRYPT_ECDSA_PUBLIC_P384_MAGIC;
            alg_name = ecdh ? BCRYPT_ECDH_P384_ALGORITHM : BCRYPT_ECDSA_P384_ALGORITHM;
        } else {
            magic = ecdh ? BCRYPT_ECDH_PUBLIC_P521_MAGIC : BCRYPT_ECDSA_PUBLIC_P521_MAGIC;
            alg_name = ecdh ? BCRYPT_ECDH_P521_ALGORITHM : BCRYPT_ECDSA_P521_ALGORITHM;
        }
        BCRYPT_ECCKEY_BLOB h = { magic, k->cb };
        memcpy(blob, &h, sizeof h);
        memcpy(blob + sizeof h, k->data, 2 * k->cb);
        blob_len = sizeof h + 2 * k->cb;
        blob_type = BCRYPT_ECCPUBLIC_BLOB;
    }
    *alg = NULL;
    *key = NULL;
    if (!NT_OK(BCryptOpenAlgorithmProvider(alg, alg_name, NULL, 0)))
        return false;
    if (!NT_OK(BCryptImportKeyPair(*alg, NULL, blob_type, key, blob, blob_len, 0))) {
        BCryptCloseAlgorithmProvider(*alg, 0);
        *alg = NULL;
        return false;
    }
    return true;
}

static void release(BCRYPT_ALG_HANDLE alg, BCRYPT_KEY_HANDLE key)
{
    if (key != NULL)
        BCryptDestroyKey(key);
    if (alg != NULL)
        BCryptCloseAlgorithmProvider(alg, 0);
}

bool v_supported(const v_key *k)
{
    BCRYPT_ALG_HANDLE a;
    BCRYPT_KEY_HANDLE key;
    if (k == NULL || !import(k, false, &a, &key))
        return false;
    release(a, key);
    return true;
}

static LPCWSTR hash_name(ALG_ID alg)
{
    switch (alg) {
    case CALG_SHA1: return BCRYPT_SHA1_ALGORITHM;
    case CALG_SHA_256: return BCRYPT_SHA256_ALGORITHM;
    case CALG_SHA_384: return BCRYPT_SHA384_ALGORITHM;
    case CALG_SHA_512: return BCRYPT_SHA512_ALGORITHM;
    default: return NULL;
    }
}

bool v_verify(const v_key *k, ALG_ID alg, const BYTE *hash, DWORD hash_len, const BYTE *sig,
              DWORD sig_len)
{
    BCRYPT_ALG_HANDLE a;
    BCRYPT_KEY_HANDLE key;
    if (!import(k, false, &a, &key))
        return false;
    NTSTATUS st;
    if (k->rsa) {
        BYTE be[1024];
        if (sig_len > sizeof be || hash_name(alg) == NULL) {
            release(a, key);
            return false;
        }
        for (DWORD i = 0; i < sig_len; i++)
            be[i] = sig[sig_len - 1 - i];
        BCRYPT_PKCS1_PADDING_INFO pi = { hash_name(alg) };
        st = BCryptVerifySignature(key, &pi, (PUCHAR)hash, hash_len, be, sig_len,
                                   BCRYPT_PAD_PKCS1);
    } else {
        /* ECDSA uses the leftmost bits of a longer digest (FIPS 186-4, 6.4); CNG on Windows
         * truncates itself, Wine's does not, so do it here. Byte truncation is exact for every
         * cardmod curve (P-521 never sees a digest longer than 66 bytes). */
        DWORD n = hash_len > k->cb ? k->cb : hash_len;
        st = BCryptVerifySignature(key, NULL, (PUCHAR)hash, n, (PUCHAR)sig, sig_len, 0);
    }
    release(a, key);
    return NT_OK(st);
}

bool v_rsa_encrypt(const v_key *k, const BYTE *msg, DWORD msg_len, BYTE *out, DWORD *out_len)
{
    BCRYPT_ALG_HANDLE a;
    BCRYPT_KEY_HANDLE key;
    if (!k->rsa || !import(k, false, &a, &key))
        return false;
    ULONG n = 0;
    NTSTATUS st = BCryptEncrypt(key, (PUCHAR)msg, msg_len, NULL, NULL, 0, out, *out_len, &n,
                                BCRYPT_PAD_PKCS1);
    release(a, key);
    if (!NT_OK(st))
        return false;
    for (ULONG i = 0; i < n / 2; i++) {
        BYTE t = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = t;
    }
    *out_len = n;
    return true;
}

struct v_secret {
    BCRYPT_ALG_HANDLE alg;
    BCRYPT_KEY_HANDLE card, eph;
    BCRYPT_SECRET_HANDLE secret;
};

void v_secret_free(v_secret *s)
{
    if (s == NULL)
        return;
    if (s->secret != NULL)
        BCryptDestroySecret(s->secret);
    if (s->eph != NULL)
        BCryptDestroyKey(s->eph);
    release(s->alg, s->card);
    free(s);
}

v_secret *v_ecdh(const v_key *k, BYTE *peer, DWORD *peer_len)
{
    if (k->rsa)
        return NULL;
    v_secret *s = calloc(1, sizeof *s);
    if (s == NULL || !import(k, true, &s->alg, &s->card)) {
        free(s);
        return NULL;
    }
    ULONG n = 0;
    NTSTATUS st = BCryptGenerateKeyPair(s->alg, &s->eph, k->bits, 0);
    if (NT_OK(st))
        st = BCryptFinalizeKeyPair(s->eph, 0);
    if (NT_OK(st))
        st = BCryptExportKey(s->eph, NULL, BCRYPT_ECCPUBLIC_BLOB, peer, *peer_len, &n, 0);
    if (NT_OK(st))
        st = BCryptSecretAgreement(s->eph, s->card, &s->secret, 0);
    if (!NT_OK(st)) {
        fprintf(stderr, "verify_bcrypt: ECDH key agreement failed: NTSTATUS 0x%08lX\n",
                (unsigned long)st);
        v_secret_free(s);
        return NULL;
    }
    *peer_len = n;
    return s;
}

bool v_kdf_hash(const v_secret *s, ALG_ID alg, const BYTE *prepend, DWORD prepend_len,
                const BYTE *append, DWORD append_len, BYTE *out, DWORD *out_len)
{
    LPCWSTR name = hash_name(alg);
    if (name == NULL)
        return false;
    BCryptBuffer b[3];
    ULONG nb = 0;
    b[nb++] = (BCryptBuffer){ (ULONG)((wcslen(name) + 1) * sizeof(WCHAR)), KDF_HASH_ALGORITHM,
                              (PVOID)name };
    if (prepend_len > 0)
        b[nb++] = (BCryptBuffer){ prepend_len, KDF_SECRET_PREPEND, (PVOID)prepend };
    if (append_len > 0)
        b[nb++] = (BCryptBuffer){ append_len, KDF_SECRET_APPEND, (PVOID)append };
    BCryptBufferDesc desc = { BCRYPTBUFFER_VERSION, nb, b };
    ULONG n = 0;
    NTSTATUS st = BCryptDeriveKey(s->secret, BCRYPT_KDF_HASH, &desc, out, *out_len, &n, 0);
    if (!NT_OK(st)) {
        fprintf(stderr, "verify_bcrypt: BCRYPT_KDF_HASH failed: NTSTATUS 0x%08lX\n",
                (unsigned long)st);
        return false;
    }
    *out_len = n;
    return true;
}
