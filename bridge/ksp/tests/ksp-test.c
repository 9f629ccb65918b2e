/* ksp-test.exe: opgpksp.dll driven through its function table, the way ncrypt.dll drives a KSP
 * (Wine 8.0's ncrypt does not load third-party KSPs: FIELD-NOTES), under Wine against a card on
 * a private pcscd. Only system DLLs are imported; the KSP is LoadLibrary'd.
 *
 *   ksp-test DLL info READER                       provider and key properties, enumeration
 *   ksp-test DLL errors KEY                        documented errors for bad calls (run before
 *                                                  any PIN is given: it checks the no-PIN cases)
 *   ksp-test DLL export KEY OUT                    the public key blob (RSA / ECC)
 *   ksp-test DLL sign KEY PIN HASH IN OUT          HASH (SHA1, SHA256, SHA384, SHA512) of IN by
 *                                                  BCrypt, signed; OUT: the signature as CNG
 *                                                  gives it (RSA big-endian, ECDSA r||s)
 *   ksp-test DLL decrypt KEY PIN IN OUT            RSA PKCS#1 v1.5
 *   ksp-test DLL ecdh KEY PIN PEER RAW HASHED      PEER: 04||X||Y; RAW: BCRYPT_KDF_RAW_SECRET
 *                                                  (little-endian), HASHED: BCRYPT_KDF_HASH SHA256
 *   ksp-test DLL nocard                            no PC/SC service: the documented errors
 * Exit 0 when every check passed. */
#include <windows.h>
#include <bcrypt.h>
#include <ncrypt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ksp_provider.h"
#include "win_test_util.h"

#define PROVIDER L"opgp OpenPGP Key Storage Provider"
#define PIN_TRIES L"opgp PIN Tries"

static NCRYPT_KEY_STORAGE_FUNCTION_TABLE *f;

static void expect(SECURITY_STATUS got, SECURITY_STATUS want, const char *what)
{
    bool ok = got == want;
    printf("%s: %s (0x%08lX", ok ? "ok" : "FAIL", what, (unsigned long)got);
    if (!ok)
        printf(", want 0x%08lX", (unsigned long)want);
    printf(")\n");
    if (!ok)
        wt_failures++;
}

static void widen(const char *s, wchar_t *out, size_t max)
{
    MultiByteToWideChar(CP_UTF8, 0, s, -1, out, (int)max);
}

static int load(const char *dll)
{
    HMODULE m = LoadLibraryA(dll);
    if (m == NULL) {
        fprintf(stderr, "LoadLibrary(%s): error %lu\n", dll, (unsigned long)GetLastError());
        return 1;
    }
    GetKeyStorageInterfaceFn get =
        (GetKeyStorageInterfaceFn)(void (*)(void))GetProcAddress(m, "GetKeyStorageInterface");
    if (get == NULL) {
        fprintf(stderr, "%s exports no GetKeyStorageInterface\n", dll);
        return 1;
    }
    expect(get(PROVIDER, NULL, 0), NTE_INVALID_PARAMETER, "GetKeyStorageInterface(NULL table)");
    NCRYPT_KEY_STORAGE_FUNCTION_TABLE *t = NULL;
    expect(get(PROVIDER, &t, 1), NTE_BAD_FLAGS, "GetKeyStorageInterface(flags 1)");
    SECURITY_STATUS st = get(PROVIDER, &f, 0);
    if (st != ERROR_SUCCESS || f == NULL) {
        fprintf(stderr, "GetKeyStorageInterface: 0x%08lX\n", (unsigned long)st);
        return 1;
    }
    wt_check(f->Version.MajorVersion == 1 && f->Version.MinorVersion == 0, "table version 1.0");
    return 0;
}

static NCRYPT_PROV_HANDLE open_provider(DWORD flags)
{
    NCRYPT_PROV_HANDLE p = 0;
    SECURITY_STATUS st = f->OpenProvider(&p, PROVIDER, flags);
    if (st != ERROR_SUCCESS) {
        fprintf(stderr, "OpenProvider: 0x%08lX\n", (unsigned long)st);
        exit(1);
    }
    return p;
}

static SECURITY_STATUS open_key(NCRYPT_PROV_HANDLE p, const char *name, NCRYPT_KEY_HANDLE *k,
                                DWORD flags)
{
    wchar_t w[300];
    widen(name, w, 300);
    return f->OpenKey(p, k, w, 0, flags);
}

static int tries(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k)
{
    DWORD v = 0, len = 0;
    if (f->GetKeyProperty(p, k, PIN_TRIES, (PBYTE)&v, sizeof v, &len, 0) != ERROR_SUCCESS)
        return -1;
    return (int)v;
}

/* Sets the PIN, or reports which key and how many tries are left. */
static int set_pin(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, const char *key, const char *pin)
{
    wchar_t w[64];
    widen(pin, w, 64);
    SECURITY_STATUS st = f->SetKeyProperty(p, k, NCRYPT_PIN_PROPERTY, (PBYTE)w,
                                           (DWORD)((wcslen(w) + 1) * sizeof(wchar_t)), 0);
    SecureZeroMemory(w, sizeof w);
    if (st != ERROR_SUCCESS) {
        fprintf(stderr, "user PIN (PW1) for key %s rejected: 0x%08lX, %d tries left\n", key,
                (unsigned long)st, tries(p, k));
        return 1;
    }
    return 0;
}

static bool wprop(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, LPCWSTR name, wchar_t *out,
                  DWORD max)
{
    DWORD len = 0;
    SECURITY_STATUS st = k ? f->GetKeyProperty(p, k, name, (PBYTE)out, max, &len, 0)
                           : f->GetProviderProperty(p, name, (PBYTE)out, max, &len, 0);
    return st == ERROR_SUCCESS && len >= sizeof(wchar_t) && out[len / sizeof(wchar_t) - 1] == 0;
}

static DWORD dprop(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, LPCWSTR name)
{
    DWORD v = 0xFFFFFFFF, len = 0;
    SECURITY_STATUS st = k ? f->GetKeyProperty(p, k, name, (PBYTE)&v, sizeof v, &len, 0)
                           : f->GetProviderProperty(p, name, (PBYTE)&v, sizeof v, &len, 0);
    return st == ERROR_SUCCESS && len == sizeof v ? v : 0xFFFFFFFF;
}

/* SignHash's padding for key k: PKCS#1 v1.5 with hash for an RSA key (true), none for ECDSA. */
static bool sign_padding(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, LPCWSTR hash,
                         BCRYPT_PKCS1_PADDING_INFO *pad, void **pi, DWORD *flags)
{
    wchar_t grp[32] = L"";
    wprop(p, k, NCRYPT_ALGORITHM_GROUP_PROPERTY, grp, sizeof grp);
    bool rsa = wcscmp(grp, NCRYPT_RSA_ALGORITHM_GROUP) == 0;
    pad->pszAlgId = hash;
    *pi = rsa ? pad : NULL;
    *flags = rsa ? NCRYPT_PAD_PKCS1_FLAG : 0;
    return rsa;
}

static int cmd_info(const char *reader)
{
    NCRYPT_PROV_HANDLE p = open_provider(0);
    wchar_t s[256];
    wt_check(wprop(p, 0, NCRYPT_NAME_PROPERTY, s, sizeof s) && wcscmp(s, PROVIDER) == 0,
             "provider NCRYPT_NAME_PROPERTY");
    wt_check(dprop(p, 0, NCRYPT_IMPL_TYPE_PROPERTY) ==
                 (NCRYPT_IMPL_HARDWARE_FLAG | NCRYPT_IMPL_REMOVABLE_FLAG),
             "provider NCRYPT_IMPL_TYPE_PROPERTY: hardware, removable");
    wt_check(dprop(p, 0, NCRYPT_VERSION_PROPERTY) != 0xFFFFFFFF,
             "provider NCRYPT_VERSION_PROPERTY");
    expect(f->IsAlgSupported(p, NCRYPT_RSA_ALGORITHM, 0), ERROR_SUCCESS, "IsAlgSupported RSA");
    expect(f->IsAlgSupported(p, NCRYPT_ECDH_P256_ALGORITHM, 0), ERROR_SUCCESS,
           "IsAlgSupported ECDH_P256");
    expect(f->IsAlgSupported(p, L"DSA", 0), NTE_NOT_SUPPORTED, "IsAlgSupported DSA");
    DWORD count = 0;
    NCryptAlgorithmName *algs = NULL;
    expect(f->EnumAlgorithms(p, NCRYPT_SIGNATURE_OPERATION, &count, &algs, 0), ERROR_SUCCESS,
           "EnumAlgorithms(signature)");
    bool rsa = false, ecdh = false;
    for (DWORD i = 0; i < count; i++) {
        rsa |= wcscmp(algs[i].pszName, NCRYPT_RSA_ALGORITHM) == 0;
        ecdh |= wcscmp(algs[i].pszName, NCRYPT_ECDH_P256_ALGORITHM) == 0;
        wt_check(algs[i].dwAlgOperations == NCRYPT_SIGNATURE_OPERATION, "signature class only");
    }
    wt_check(rsa && !ecdh && count >= 4, "signature algorithms: RSA, ECDSA, no ECDH");
    f->FreeBuffer(algs);

    /* All keys, then the reader's keys: the same names. */
    wchar_t scope[300];
    char scope8[300];
    snprintf(scope8, sizeof scope8, "\\\\.\\%s\\", reader);
    widen(scope8, scope, 300);
    int n_all = 0, n_scoped = 0;
    for (int pass = 0; pass < 2; pass++) {
        void *state = NULL;
        NCryptKeyName *kn = NULL;
        SECURITY_STATUS st;
        while ((st = f->EnumKeys(p, pass ? scope : NULL, &kn, &state, 0)) == ERROR_SUCCESS) {
            if (pass == 0) {
                printf("Key: %ls %ls %lu\n", kn->pszName, kn->pszAlgid,
                       (unsigned long)kn->dwLegacyKeySpec);
                n_all++;
            } else {
                n_scoped++;
            }
            f->FreeBuffer(kn);
        }
        expect(st, NTE_NO_MORE_ITEMS, pass ? "EnumKeys(scope) ends" : "EnumKeys ends");
        f->FreeBuffer(state);
    }
    wt_check(n_all == 3 && n_scoped == 3, "three keys, all in the reader's scope");

    static const char *const roles[] = { "aut", "sig", "dec" };
    for (int i = 0; i < 3; i++) {
        char name[300];
        snprintf(name, sizeof name, "\\\\.\\%s\\%s", reader, roles[i]);
        NCRYPT_KEY_HANDLE k = 0;
        SECURITY_STATUS st = open_key(p, name, &k, 0);
        expect(st, ERROR_SUCCESS, name);
        if (st != ERROR_SUCCESS)
            continue;
        wchar_t un[128], alg[64], grp[32], rd[256], curve[64] = L"-";
        BYTE guid[32];
        DWORD glen = 0;
        wt_check(wprop(p, k, NCRYPT_UNIQUE_NAME_PROPERTY, un, sizeof un), "NCRYPT_UNIQUE_NAME");
        wt_check(wprop(p, k, NCRYPT_ALGORITHM_PROPERTY, alg, sizeof alg), "NCRYPT_ALGORITHM");
        wt_check(wprop(p, k, NCRYPT_ALGORITHM_GROUP_PROPERTY, grp, sizeof grp),
                 "NCRYPT_ALGORITHM_GROUP");
        wt_check(wprop(p, k, NCRYPT_READER_PROPERTY, rd, sizeof rd), "NCRYPT_READER_PROPERTY");
        wprop(p, k, NCRYPT_ECC_CURVE_NAME_PROPERTY, curve, sizeof curve);
        expect(f->GetKeyProperty(p, k, NCRYPT_SMARTCARD_GUID_PROPERTY, guid, sizeof guid, &glen,
                                 0),
               ERROR_SUCCESS, "NCRYPT_SMARTCARD_GUID_PROPERTY");
        wt_check(glen == 16, "card GUID: 16 bytes");
        wt_check(dprop(p, k, NCRYPT_IMPL_TYPE_PROPERTY) ==
                     (NCRYPT_IMPL_HARDWARE_FLAG | NCRYPT_IMPL_REMOVABLE_FLAG),
                 "key NCRYPT_IMPL_TYPE_PROPERTY");
        DWORD cert_len = 0;
        SECURITY_STATUS cs = f->GetKeyProperty(p, k, NCRYPT_CERTIFICATE_PROPERTY, NULL, 0,
                                               &cert_len, 0);
        printf("Role: %s\nName: %ls\nAlgorithm: %ls\nGroup: %ls\nLength: %lu\nUsage: 0x%lx\n"
               "Curve: %ls\nReader: %ls\nTries: %d\nCertificate: %lu\n",
               roles[i], un, alg, grp, (unsigned long)dprop(p, k, NCRYPT_LENGTH_PROPERTY),
               (unsigned long)dprop(p, k, NCRYPT_KEY_USAGE_PROPERTY), curve, rd, tries(p, k),
               cs == ERROR_SUCCESS ? (unsigned long)cert_len : 0ul);
        f->FreeKey(p, k);
    }
    f->FreeProvider(p);
    return wt_failures != 0;
}

/* The public blob of the key's family; NULL on failure. */
static BYTE *export_blob(NCRYPT_PROV_HANDLE p, NCRYPT_KEY_HANDLE k, DWORD *len)
{
    wchar_t grp[32];
    if (!wprop(p, k, NCRYPT_ALGORITHM_GROUP_PROPERTY, grp, sizeof grp))
        return NULL;
    LPCWSTR type = wcscmp(grp, NCRYPT_RSA_ALGORITHM_GROUP) == 0 ? BCRYPT_RSAPUBLIC_BLOB
                                                                 : BCRYPT_ECCPUBLIC_BLOB;
    DWORD need = 0;
    if (f->ExportKey(p, k, 0, type, NULL, NULL, 0, &need, 0) != ERROR_SUCCESS)
        return NULL;
    BYTE *b = malloc(need);
    if (b == NULL || f->ExportKey(p, k, 0, type, NULL, b, need, len, 0) != ERROR_SUCCESS) {
        free(b);
        return NULL;
    }
    return b;
}

static int cmd_export(const char *key, const char *out)
{
    NCRYPT_PROV_HANDLE p = open_provider(NCRYPT_SILENT_FLAG);
    NCRYPT_KEY_HANDLE k = 0;
    SECURITY_STATUS st = open_key(p, key, &k, 0);
    if (st != ERROR_SUCCESS) {
        fprintf(stderr, "OpenKey %s: 0x%08lX\n", key, (unsigned long)st);
        return 1;
    }
    DWORD len = 0;
    BYTE *b = export_blob(p, k, &len);
    wt_check(b != NULL, "ExportKey (public blob)");
    if (b == NULL || wt_write_file(out, b, len) != 0)
        return 1;
    free(b);
    f->FreeKey(p, k);
    f->FreeProvider(p);
    return wt_failures != 0;
}

static bool hash_data(LPCWSTR alg, const BYTE *in, DWORD len, BYTE *out, DWORD *out_len)
{
    BCRYPT_ALG_HANDLE a = NULL;
    BCRYPT_HASH_HANDLE h = NULL;
    DWORD hl = 0, got = 0;
    bool ok = BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&a, alg, NULL, 0)) &&
              BCRYPT_SUCCESS(BCryptGetProperty(a, BCRYPT_HASH_LENGTH, (PUCHAR)&hl, sizeof hl,
                                               &got, 0)) &&
              BCRYPT_SUCCESS(BCryptCreateHash(a, &h, NULL, 0, NULL, 0, 0)) &&
              BCRYPT_SUCCESS(BCryptHashData(h, (PUCHAR)in, len, 0)) &&
              BCRYPT_SUCCESS(BCryptFinishHash(h, out, hl, 0));
    *out_len = hl;
    if (h != NULL)
        BCryptDestroyHash(h);
    if (a != NULL)
        BCryptCloseAlgorithmProvider(a, 0);
    return ok;
}

static int cmd_sign(const char *key, const char *pin, const char *hash, const char *in,
                    const char *out)
{
    wchar_t alg[16];
    widen(hash, alg, 16);
    DWORD mlen = 0, hlen = 0;
    BYTE *msg = wt_read_file(in, &mlen), digest[64];
    if (msg == NULL || !hash_data(alg, msg, mlen, digest, &hlen)) {
        fprintf(stderr, "cannot hash %s with %s\n", in, hash);
        return 1;
    }
    NCRYPT_PROV_HANDLE p = open_provider(0);
    NCRYPT_KEY_HANDLE k = 0;
    SECURITY_STATUS st = open_key(p, key, &k, NCRYPT_SILENT_FLAG);
    if (st != ERROR_SUCCESS) {
        fprintf(stderr, "OpenKey %s: 0x%08lX\n", key, (unsigned long)st);
        return 1;
    }
    if (set_pin(p, k, key, pin) != 0)
        return 1;
    BCRYPT_PKCS1_PADDING_INFO pad;
    void *pi;
    DWORD flags;
    bool rsa = sign_padding(p, k, alg, &pad, &pi, &flags);
    DWORD need = 0, len = 0;
    expect(f->SignHash(p, k, pi, digest, hlen, NULL, 0, &need, flags), ERROR_SUCCESS,
           "SignHash size query");
    BYTE sig[1024];
    wt_check(need > 0 && need <= sizeof sig, "signature size");
    expect(f->SignHash(p, k, pi, digest, hlen, sig, need - 1, &len, flags), NTE_BUFFER_TOO_SMALL,
           "SignHash into a short buffer");
    wt_check(len == need, "short buffer: the size needed");
    st = f->SignHash(p, k, pi, digest, hlen, sig, sizeof sig, &len, flags);
    if (st != ERROR_SUCCESS) {
        fprintf(stderr, "SignHash with key %s: 0x%08lX (user PIN, PW1: %d tries left)\n", key,
                (unsigned long)st, tries(p, k));
        return 1;
    }
    wt_check(len == need, "signature of the announced size");
    /* A second signature on the same PIN: a card that wants the PIN for every signature gets
     * it again from the KSP (NCRYPT_PIN_PROPERTY is given once per key handle). */
    BYTE sig2[1024];
    DWORD len2 = 0;
    expect(f->SignHash(p, k, pi, digest, hlen, sig2, sizeof sig2, &len2, flags), ERROR_SUCCESS,
           "a second SignHash with the same key handle");
    wt_check(len2 == need && (!rsa || memcmp(sig, sig2, len) == 0),
             "second signature: same size (RSA: same bytes)");
    printf("Signature: %lu bytes\n", (unsigned long)len);
    if (wt_write_file(out, sig, len) != 0)
        return 1;
    f->FreeKey(p, k);
    f->FreeProvider(p);
    free(msg);
    return wt_failures != 0;
}

static int cmd_decrypt(const char *key, const char *pin, const char *in, const char *out)
{
    DWORD clen = 0;
    BYTE *ct = wt_read_file(in, &clen);
    if (ct == NULL)
        return 1;
    NCRYPT_PROV_HANDLE p = open_provider(0);
    NCRYPT_KEY_HANDLE k = 0;
    if (open_key(p, key, &k, 0) != ERROR_SUCCESS || set_pin(p, k, key, pin) != 0)
        return 1;
    BYTE plain[1024];
    DWORD len = 0, bound = 0;
    expect(f->Decrypt(p, k, ct, clen, NULL, plain, sizeof plain, &len, NCRYPT_PAD_OAEP_FLAG),
           NTE_NOT_SUPPORTED, "Decrypt with OAEP");
    expect(f->Decrypt(p, k, ct, clen, NULL, plain, sizeof plain, &len, 0),
           NTE_INVALID_PARAMETER, "Decrypt without a padding flag");
    expect(f->Decrypt(p, k, ct, clen, NULL, plain, sizeof plain, &len,
                      NCRYPT_PAD_PKCS1_FLAG | 0x10000),
           NTE_BAD_FLAGS, "Decrypt flags 0x10000");
    expect(f->Decrypt(p, k, ct, clen - 1, NULL, plain, sizeof plain, &len, NCRYPT_PAD_PKCS1_FLAG),
           NTE_BAD_DATA, "Decrypt of a cryptogram one byte short");
    expect(f->Decrypt(p, k, ct, clen, NULL, NULL, 0, &bound, NCRYPT_PAD_PKCS1_FLAG),
           ERROR_SUCCESS, "Decrypt size query");
    wt_check(bound == clen, "size bound: the modulus size");
    expect(f->Decrypt(p, k, ct, clen, NULL, plain, 4, &len, NCRYPT_PAD_PKCS1_FLAG),
           NTE_BUFFER_TOO_SMALL, "Decrypt into a 4-byte buffer");
    SECURITY_STATUS st = f->Decrypt(p, k, ct, clen, NULL, plain, sizeof plain, &len,
                                    NCRYPT_PAD_PKCS1_FLAG);
    if (st != ERROR_SUCCESS) {
        fprintf(stderr, "Decrypt with key %s: 0x%08lX (user PIN, PW1: %d tries left)\n", key,
                (unsigned long)st, tries(p, k));
        return 1;
    }
    printf("Plaintext: %lu bytes\n", (unsigned long)len);
    if (wt_write_file(out, plain, len) != 0)
        return 1;
    SecureZeroMemory(plain, sizeof plain);
    f->FreeKey(p, k);
    f->FreeProvider(p);
    return wt_failures != 0;
}

static SECURITY_STATUS import_peer(NCRYPT_PROV_HANDLE p, const BYTE *point, DWORD len,
                                   DWORD magic, NCRYPT_KEY_HANDLE *out)
{
    BYTE blob[8 + 132];
    BCRYPT_ECCKEY_BLOB h = { magic, (len - 1) / 2 };
    if (len < 3 || len > 1 + 132 || point[0] != 0x04)
        return NTE_BAD_DATA;
    memcpy(blob, &h, sizeof h);
    memcpy(blob + sizeof h, point + 1, len - 1);
    return f->ImportKey(p, 0, BCRYPT_ECCPUBLIC_BLOB, NULL, out, blob, sizeof h + len - 1, 0);
}

static int cmd_ecdh(const char *key, const char *pin, const char *peer_file, const char *raw_out,
                    const char *hash_out)
{
    DWORD plen = 0;
    BYTE *point = wt_read_file(peer_file, &plen);
    if (point == NULL)
        return 1;
    NCRYPT_PROV_HANDLE p = open_provider(0);
    NCRYPT_KEY_HANDLE k = 0, peer = 0, peer_generic = 0;
    if (open_key(p, key, &k, 0) != ERROR_SUCCESS || set_pin(p, k, key, pin) != 0)
        return 1;
    /* The peer blob's magic: ECDH_P<n> as the card key's own export says, or generic. */
    DWORD blen = 0;
    BYTE *own = export_blob(p, k, &blen);
    if (own == NULL)
        return 1;
    BCRYPT_ECCKEY_BLOB oh;
    memcpy(&oh, own, sizeof oh);
    free(own);
    printf("Magic: 0x%08lX\n", (unsigned long)oh.dwMagic);
    expect(import_peer(p, point, plen, oh.dwMagic, &peer), ERROR_SUCCESS, "ImportKey (peer)");
    expect(import_peer(p, point, plen, BCRYPT_ECDH_PUBLIC_GENERIC_MAGIC, &peer_generic),
           ERROR_SUCCESS, "ImportKey (peer, generic magic)");
    NCRYPT_SECRET_HANDLE s = 0, s2 = 0;
    /* A peer on another curve (ImportKey takes the point as given; the agreement refuses). */
    BYTE other[1 + 96] = { 0x04 };
    DWORD other_len = oh.cbKey == 48 ? 65 : 97;
    DWORD other_magic = oh.cbKey == 48 ? BCRYPT_ECDH_PUBLIC_P256_MAGIC
                                       : BCRYPT_ECDH_PUBLIC_P384_MAGIC;
    NCRYPT_KEY_HANDLE wrong = 0;
    memset(other + 1, 0x5A, other_len - 1);
    expect(import_peer(p, other, other_len, other_magic, &wrong), ERROR_SUCCESS,
           "ImportKey (a peer on another curve)");
    expect(f->SecretAgreement(p, k, wrong, &s, 0), NTE_INVALID_PARAMETER,
           "SecretAgreement with a peer on another curve");
    expect(f->SecretAgreement(p, k, peer, &s, 0x20000), NTE_BAD_FLAGS,
           "SecretAgreement flags 0x20000");
    expect(f->SecretAgreement(p, peer, k, &s, 0), NTE_NOT_SUPPORTED,
           "SecretAgreement with an imported public key as the private one");
    f->FreeKey(p, wrong);
    SECURITY_STATUS st = f->SecretAgreement(p, k, peer, &s, 0);
    if (st != ERROR_SUCCESS) {
        fprintf(stderr, "SecretAgreement with key %s: 0x%08lX (user PIN, PW1: %d tries left)\n",
                key, (unsigned long)st, tries(p, k));
        return 1;
    }
    expect(f->SecretAgreement(p, k, peer_generic, &s2, 0), ERROR_SUCCESS,
           "SecretAgreement (generic peer blob)");
    BYTE raw[132], raw2[132], hashed[32];
    DWORD rlen = 0, rlen2 = 0, hlen = 0, need = 0;
    expect(f->DeriveKey(p, s, BCRYPT_KDF_RAW_SECRET, NULL, NULL, 0, &need, 0), ERROR_SUCCESS,
           "DeriveKey raw: size");
    wt_check(need == (plen - 1) / 2, "raw secret: the field size");
    expect(f->DeriveKey(p, s, BCRYPT_KDF_RAW_SECRET, NULL, raw, need - 1, &rlen, 0),
           NTE_BUFFER_TOO_SMALL, "DeriveKey raw into a short buffer");
    expect(f->DeriveKey(p, s, BCRYPT_KDF_RAW_SECRET, NULL, raw, sizeof raw, &rlen, 0),
           ERROR_SUCCESS, "DeriveKey BCRYPT_KDF_RAW_SECRET");
    expect(f->DeriveKey(p, s2, BCRYPT_KDF_RAW_SECRET, NULL, raw2, sizeof raw2, &rlen2, 0),
           ERROR_SUCCESS, "DeriveKey raw (generic peer blob)");
    wt_check(rlen == rlen2 && memcmp(raw, raw2, rlen) == 0, "both peer blobs: the same secret");
    BCryptBuffer param = { (ULONG)sizeof BCRYPT_SHA256_ALGORITHM, KDF_HASH_ALGORITHM,
                           (PVOID)BCRYPT_SHA256_ALGORITHM };
    NCryptBufferDesc params = { NCRYPTBUFFER_VERSION, 1, &param };
    expect(f->DeriveKey(p, s, BCRYPT_KDF_HASH, &params, hashed, sizeof hashed, &hlen, 0),
           ERROR_SUCCESS, "DeriveKey BCRYPT_KDF_HASH SHA256");
    wt_check(hlen == 32, "SHA-256 KDF: 32 bytes");
    BYTE hashed_pa[32];
    DWORD pa_len = 0;
    BCryptBuffer pa[3] = {
        { (ULONG)sizeof BCRYPT_SHA256_ALGORITHM, KDF_HASH_ALGORITHM,
          (PVOID)BCRYPT_SHA256_ALGORITHM },
        { 3, KDF_SECRET_PREPEND, (PVOID) "pre" },
        { 4, KDF_SECRET_APPEND, (PVOID) "post" },
    };
    NCryptBufferDesc pa_params = { NCRYPTBUFFER_VERSION, 3, pa };
    expect(f->DeriveKey(p, s, BCRYPT_KDF_HASH, &pa_params, hashed_pa, sizeof hashed_pa, &pa_len,
                        0),
           ERROR_SUCCESS, "DeriveKey BCRYPT_KDF_HASH SHA256 with prepend and append");
    expect(f->DeriveKey(p, s, BCRYPT_KDF_HASH, &params, hashed, 16, &hlen, 0),
           NTE_BUFFER_TOO_SMALL, "DeriveKey hash KDF into 16 bytes");
    expect(f->DeriveKey(p, s, BCRYPT_KDF_RAW_SECRET, NULL, raw2, sizeof raw2, &rlen2, 0x100),
           NTE_BAD_FLAGS, "DeriveKey flags 0x100");
    expect(f->DeriveKey(p, s, L"SP800_108_CTR_HMAC", NULL, hashed, sizeof hashed, &hlen, 0),
           NTE_NOT_SUPPORTED, "DeriveKey with an unsupported KDF");
    char pa_out[MAX_PATH];
    snprintf(pa_out, sizeof pa_out, "%s.pre-post", hash_out);
    if (wt_write_file(raw_out, raw, rlen) != 0 || wt_write_file(hash_out, hashed, 32) != 0 ||
           wt_write_file(pa_out, hashed_pa, 32) != 0)
           return 1;
    expect(f->FreeSecret(p, s), ERROR_SUCCESS, "FreeSecret");
    expect(f->FreeSecret(p, s), NTE_INVALID_HANDLE, "FreeSecret twice");
    expect(f->DeriveKey(p, s, BCRYPT_KDF_RAW_SECRET, NULL, raw, sizeof raw, &rlen, 0),
           NTE_INVALID_HANDLE, "DeriveKey on a freed secret");
    f->FreeSecret(p, s2);
    f->FreeKey(p, peer);
    f->FreeKey(p, peer_generic);
    f->FreeKey(p, k);
    f->FreeProvider(p);
    return wt_failures != 0;
}

/* Bad calls on a live card, before any PIN was given in this card session. */
static int cmd_errors(const char *key)
{
    NCRYPT_PROV_HANDLE p = open_provider(0), bogus = (NCRYPT_PROV_HANDLE)0x1234;
    NCRYPT_KEY_HANDLE k = 0, k2 = 0;
    BYTE buf[1024], digest[32] = { 1, 2, 3 };
    DWORD len = 0;
    wchar_t w[16];

    NCRYPT_PROV_HANDLE unused = 0;
    expect(f->OpenProvider(&unused, PROVIDER, 0x1000), NTE_BAD_FLAGS, "OpenProvider flags 0x1000");
    wt_check(unused == 0, "no handle after a failed OpenProvider");
    expect(f->OpenProvider(NULL, PROVIDER, 0), NTE_INVALID_PARAMETER, "OpenProvider(NULL)");
    expect(f->FreeProvider(bogus), NTE_INVALID_HANDLE, "FreeProvider(bogus)");
    expect(f->GetProviderProperty(bogus, NCRYPT_NAME_PROPERTY, buf, sizeof buf, &len, 0),
           NTE_INVALID_HANDLE, "GetProviderProperty(bogus provider)");
    expect(f->GetProviderProperty(p, NCRYPT_NAME_PROPERTY, buf, 4, &len, 0),
           NTE_BUFFER_TOO_SMALL, "provider name into 4 bytes");
    wt_check(len == sizeof PROVIDER, "short buffer: the size needed");
    expect(f->GetProviderProperty(p, NCRYPT_NAME_PROPERTY, buf, sizeof buf, &len, 0x8000),
           NTE_BAD_FLAGS, "GetProviderProperty flags 0x8000");
    expect(f->GetProviderProperty(p, L"No Such Property", buf, sizeof buf, &len, 0),
           NTE_NOT_SUPPORTED, "unknown provider property");
    expect(open_key(p, "opgp-0000000000000000-sig", &k, 0), NTE_BAD_KEYSET, "unknown key name");
    expect(open_key(p, "\\\\.\\No Such Reader\\sig", &k, 0), SCARD_E_UNKNOWN_READER,
           "unknown reader");
    expect(open_key(p, key, &k, 0x4000), NTE_BAD_FLAGS, "OpenKey flags 0x4000");
    expect(f->OpenKey(p, &k, NULL, 0, 0), NTE_INVALID_PARAMETER, "OpenKey(NULL name)");
    expect(f->CreatePersistedKey(p, &k, NCRYPT_RSA_ALGORITHM, L"new", 0, 0), NTE_NOT_SUPPORTED,
           "CreatePersistedKey");
    expect(open_key(p, key, &k, 0), ERROR_SUCCESS, key);
    expect(open_key(bogus, key, &k2, 0), NTE_INVALID_HANDLE, "OpenKey(bogus provider)");
    NCRYPT_PROV_HANDLE p2 = open_provider(NCRYPT_SILENT_FLAG);
    expect(f->GetKeyProperty(p2, k, NCRYPT_ALGORITHM_PROPERTY, buf, sizeof buf, &len, 0),
           NTE_INVALID_HANDLE, "a key through another provider");
    expect(f->GetKeyProperty(p, (NCRYPT_KEY_HANDLE)p, NCRYPT_ALGORITHM_PROPERTY, buf,
                             sizeof buf, &len, 0),
           NTE_INVALID_HANDLE, "a provider handle as a key");
    expect(f->GetKeyProperty(p, k, NCRYPT_ALGORITHM_PROPERTY, buf, 2, &len, 0),
           NTE_BUFFER_TOO_SMALL, "algorithm into 2 bytes");
    expect(f->GetKeyProperty(p, k, L"No Such Property", buf, sizeof buf, &len, 0),
           NTE_NOT_SUPPORTED, "unknown key property");
    expect(f->GetKeyProperty(p, k, NCRYPT_LENGTH_PROPERTY, buf, sizeof buf, &len, 0x100),
           NTE_BAD_FLAGS, "GetKeyProperty flags 0x100");
    expect(f->SetKeyProperty(p, k, NCRYPT_LENGTH_PROPERTY, buf, 4, 0), NTE_NOT_SUPPORTED,
           "SetKeyProperty NCRYPT_LENGTH_PROPERTY");
    expect(f->ExportKey(p, k, 0, BCRYPT_RSAPRIVATE_BLOB, NULL, buf, sizeof buf, &len, 0),
           NTE_PERM, "ExportKey private blob");
    expect(f->ExportKey(p, k, 0, L"NoSuchBlob", NULL, buf, sizeof buf, &len, 0),
           NTE_NOT_SUPPORTED, "ExportKey unknown blob type");
    expect(f->ExportKey(p, k, 0, BCRYPT_PUBLIC_KEY_BLOB, NULL, buf, 8, &len, 0),
           NTE_BUFFER_TOO_SMALL, "ExportKey into 8 bytes");
    expect(f->ExportKey(p, k, 0, BCRYPT_PUBLIC_KEY_BLOB, NULL, buf, sizeof buf, &len, 0x10),
           NTE_BAD_FLAGS, "ExportKey flags 0x10");
    expect(f->Encrypt(p, k, digest, 16, NULL, buf, sizeof buf, &len, 0), NTE_NOT_SUPPORTED,
           "Encrypt");
    expect(f->DeleteKey(p, k, 0), NTE_NOT_SUPPORTED, "DeleteKey");
    expect(f->ImportKey(p, 0, BCRYPT_RSAPRIVATE_BLOB, NULL, &k2, buf, 64, 0), NTE_NOT_SUPPORTED,
           "ImportKey RSA private blob");

    BCRYPT_PKCS1_PADDING_INFO pad;
    void *pi;
    DWORD sflags;
    bool rsa = sign_padding(p, k, BCRYPT_SHA256_ALGORITHM, &pad, &pi, &sflags);
    expect(f->SignHash(p, k, pi, digest, 32, buf, sizeof buf, &len, sflags | 0x100000),
           NTE_BAD_FLAGS, "SignHash flags 0x100000");
    expect(f->SignHash(p, k, pi, NULL, 32, buf, sizeof buf, &len, sflags), NTE_INVALID_PARAMETER,
           "SignHash(NULL hash)");
    if (rsa) {
        expect(f->SignHash(p, k, &pad, digest, 20, buf, sizeof buf, &len, sflags),
               NTE_INVALID_PARAMETER, "SHA256 PKCS#1 with a 20-byte hash");
        BCRYPT_PKCS1_PADDING_INFO md4 = { L"MD4" };
        expect(f->SignHash(p, k, &md4, digest, 16, buf, sizeof buf, &len, sflags),
               NTE_NOT_SUPPORTED, "PKCS#1 with MD4");
        expect(f->SignHash(p, k, &pad, digest, 32, buf, sizeof buf, &len, NCRYPT_PAD_PSS_FLAG),
               NTE_NOT_SUPPORTED, "PSS");
    } else {
        expect(f->SignHash(p, k, &pad, digest, 32, buf, sizeof buf, &len, NCRYPT_PAD_PKCS1_FLAG),
               NTE_INVALID_PARAMETER, "ECDSA with PKCS#1 padding");
    }
    /* No PIN given: a silent key is told UI would be needed, another that a PIN is. */
    expect(f->SignHash(p, k, pi, digest, 32, buf, sizeof buf, &len, sflags | NCRYPT_SILENT_FLAG),
           NTE_SILENT_CONTEXT, "SignHash without a PIN, silent");
    expect(f->SignHash(p, k, pi, digest, 32, buf, sizeof buf, &len, sflags),
           SCARD_W_CARD_NOT_AUTHENTICATED, "SignHash without a PIN");

    /* A wrong PIN: rejected, one try spent, named; the right one restores the counter. */
    int before = tries(p, k);
    widen("000000", w, 16);
    expect(f->SetKeyProperty(p, k, NCRYPT_PIN_PROPERTY, (PBYTE)w, 14, 0x4000), NTE_BAD_FLAGS,
           "NCRYPT_PIN_PROPERTY flags 0x4000");
    expect(f->SetKeyProperty(p, k, NCRYPT_PIN_PROPERTY, (PBYTE)w, 14, 0), SCARD_W_WRONG_CHV,
           "wrong user PIN");
    int after = tries(p, k);
    printf("PIN tries: %d before, %d after a wrong PIN\n", before, after);
    wt_check(before > 1 && after == before - 1, "a wrong PIN costs one try, and says so");
    expect(f->SetKeyProperty(p, k, NCRYPT_PIN_PROPERTY, (PBYTE)w, 3, 0), NTE_INVALID_PARAMETER,
           "PIN of an odd byte length");

    expect(f->FreeKey(p, k), ERROR_SUCCESS, "FreeKey");
    expect(f->FreeKey(p, k), NTE_INVALID_HANDLE, "FreeKey twice");
    expect(f->GetKeyProperty(p, k, NCRYPT_LENGTH_PROPERTY, buf, sizeof buf, &len, 0),
           NTE_INVALID_HANDLE, "a freed key");
    void *state = (void *)buf;
    NCryptKeyName *kn = NULL;
    memset(buf, 0, 16);
    expect(f->EnumKeys(p, NULL, &kn, &state, 0), NTE_INVALID_PARAMETER,
           "EnumKeys with a made-up state");
    state = NULL;
    expect(f->EnumKeys(p, L"\\\\.\\No Such Reader\\", &kn, &state, 0), SCARD_E_UNKNOWN_READER,
           "EnumKeys in an unknown reader");
    expect(f->FreeProvider(p2), ERROR_SUCCESS, "FreeProvider (silent)");
    expect(f->FreeProvider(p), ERROR_SUCCESS, "FreeProvider");
    expect(f->FreeProvider(p), NTE_INVALID_HANDLE, "FreeProvider twice");
    return wt_failures != 0;
}

static int cmd_nocard(void)
{
    NCRYPT_PROV_HANDLE p = open_provider(0);
    NCRYPT_KEY_HANDLE k = 0;
    void *state = NULL;
    NCryptKeyName *kn = NULL;
    expect(open_key(p, "opgp-0000000000000000-sig", &k, 0), SCARD_E_NO_SERVICE,
           "OpenKey without a PC/SC service");
    expect(f->EnumKeys(p, NULL, &kn, &state, 0), SCARD_E_NO_SERVICE,
           "EnumKeys without a PC/SC service");
    expect(f->IsAlgSupported(p, NCRYPT_ECDSA_P384_ALGORITHM, 0), ERROR_SUCCESS,
           "IsAlgSupported needs no card");
    expect(f->FreeProvider(p), ERROR_SUCCESS, "FreeProvider");
    return wt_failures != 0;
}

int main(int argc, char **argv)
{
    /* Unbuffered: a run that prints nothing at all is one Wine never started (tests/wine/tests/
     * common.inc, wine_to), and a crash still shows what came before it. */
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
    if (argc < 3) {
        fprintf(stderr, "usage: ksp-test DLL info|errors|export|sign|decrypt|ecdh|nocard ...\n");
        return 2;
    }
    if (load(argv[1]) != 0)
        return 1;
    const char *cmd = argv[2];
    int rc = 2;
    if (strcmp(cmd, "info") == 0 && argc == 4)
        rc = cmd_info(argv[3]);
    else if (strcmp(cmd, "errors") == 0 && argc == 4)
        rc = cmd_errors(argv[3]);
    else if (strcmp(cmd, "export") == 0 && argc == 5)
        rc = cmd_export(argv[3], argv[4]);
    else if (strcmp(cmd, "sign") == 0 && argc == 8)
        rc = cmd_sign(argv[3], argv[4], argv[5], argv[6], argv[7]);
    else if (strcmp(cmd, "decrypt") == 0 && argc == 7)
        rc = cmd_decrypt(argv[3], argv[4], argv[5], argv[6]);
    else if (strcmp(cmd, "ecdh") == 0 && argc == 8)
        rc = cmd_ecdh(argv[3], argv[4], argv[5], argv[6], argv[7]);
    else if (strcmp(cmd, "nocard") == 0)
        rc = cmd_nocard();
    else
        fprintf(stderr, "ksp-test: bad command line\n");
    return rc != 0 ? rc : wt_failures != 0;
}
