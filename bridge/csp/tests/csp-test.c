/* csp-test.exe: opgpcsp.dll driven the way Windows applications drive a CSP, through advapi32
 * (and crypt32 for the certificate path), under Wine against a card on a private pcscd.
 * The provider must be registered first (csp_test.sh does it with reg add).
 *
 *   csp-test info READER                          provider parameters, containers, algorithms
 *   csp-test nopin CONTAINER SPEC                 signing without a PIN: silent and not
 *   csp-test errors CONTAINER SPEC DLL            documented errors for bad calls
 *   csp-test sign CONTAINER SPEC PINPARAM PIN IN OUT [pin-once]  SHA-256 signature (CryptoAPI
 *                                                 order); pin-once: a second one must fail
 *   csp-test decrypt CONTAINER PIN IN OUT         CryptDecrypt of IN (CryptoAPI order)
 *   csp-test cert CONTAINER SPEC OUT              KP_CERTIFICATE (DER)
 *   csp-test cms CONTAINER SPEC PIN IN OUT        MY store cert -> CryptSignMessage (DER CMS)
 *   csp-test nocard                               no PC/SC service: the documented errors
 * SPEC: sig (AT_SIGNATURE) or kx (AT_KEYEXCHANGE); PINPARAM: sig or kx. Exit 0 on success. */
#include <windows.h>
#include <wincrypt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win_test_util.h"

#define PROVIDER "opgp OpenPGP CSP"

/* A call that must fail with error. */
static void expect_error(BOOL r, DWORD error, const char *what)
{
    DWORD got = r ? 0 : GetLastError();
    printf("%s: %s (0x%08lX)\n", !r && got == error ? "ok" : "FAIL", what, (unsigned long)got);
    if (r || got != error)
        wt_failures++;
}

static DWORD spec_of(const char *s)
{
    return strcmp(s, "sig") == 0 ? AT_SIGNATURE : AT_KEYEXCHANGE;
}

static BOOL acquire(HCRYPTPROV *h, const char *container, DWORD flags)
{
    return CryptAcquireContextA(h, container, PROVIDER, PROV_RSA_FULL, flags);
}

static int cmd_info(const char *reader)
{
    char fq[300];
    snprintf(fq, sizeof fq, "\\\\.\\%s\\", reader);
    HCRYPTPROV h;
    if (!acquire(&h, fq, CRYPT_VERIFYCONTEXT | CRYPT_SILENT))
        return wt_die("CryptAcquireContext(verify)");
    char name[300];
    DWORD len = sizeof name, dw, dlen = sizeof dw;
    wt_check(CryptGetProvParam(h, PP_NAME, (BYTE *)name, &len, 0) && strcmp(name, PROVIDER) == 0,
             "PP_NAME");
    printf("Name: %s\n", name);
    wt_check(CryptGetProvParam(h, PP_VERSION, (BYTE *)&dw, &dlen, 0), "PP_VERSION");
    printf("Version: 0x%04lx\n", (unsigned long)dw);
    dlen = sizeof dw;
    wt_check(CryptGetProvParam(h, PP_PROVTYPE, (BYTE *)&dw, &dlen, 0) && dw == PROV_RSA_FULL,
             "PP_PROVTYPE");
    dlen = sizeof dw;
    wt_check(CryptGetProvParam(h, PP_IMPTYPE, (BYTE *)&dw, &dlen, 0) &&
                 dw == (CRYPT_IMPL_MIXED | CRYPT_IMPL_REMOVABLE), "PP_IMPTYPE");
    len = sizeof name;
    expect_error(CryptGetProvParam(h, PP_CONTAINER, (BYTE *)name, &len, 0), NTE_BAD_KEYSET,
                 "PP_CONTAINER of a verify context");

    DWORD max = 0;
    wt_check(CryptGetProvParam(h, PP_ENUMCONTAINERS, NULL, &max, CRYPT_FIRST) && max > 0,
             "PP_ENUMCONTAINERS size");
    int n = 0;
    for (DWORD fl = CRYPT_FIRST;; fl = CRYPT_NEXT) {
        len = sizeof name;
        if (!CryptGetProvParam(h, PP_ENUMCONTAINERS, (BYTE *)name, &len, fl)) {
            wt_check(GetLastError() == ERROR_NO_MORE_ITEMS, "PP_ENUMCONTAINERS ends");
            break;
        }
        printf("Container: %s\n", name);
        n++;
    }
    len = sizeof name;
    wt_check(CryptGetProvParam(h, PP_ENUMCONTAINERS, (BYTE *)name, &len, CRYPT_FIRST | 0x10) &&
                 strncmp(name, fq, strlen(fq)) == 0, "PP_ENUMCONTAINERS CRYPT_FQCN");
    printf("FQCN: %s\n", name);
    printf("Containers: %d\n", n);

    int algs = 0;
    PROV_ENUMALGS_EX ex;
    for (DWORD fl = CRYPT_FIRST;; fl = CRYPT_NEXT) {
        len = sizeof ex;
        if (!CryptGetProvParam(h, PP_ENUMALGS_EX, (BYTE *)&ex, &len, fl))
            break;
        printf("Alg: 0x%04x %s %lu-%lu\n", ex.aiAlgid, ex.szName, (unsigned long)ex.dwMinLen,
               (unsigned long)ex.dwMaxLen);
        algs++;
    }
    PROV_ENUMALGS e;
    len = sizeof e;
    wt_check(CryptGetProvParam(h, PP_ENUMALGS, (BYTE *)&e, &len, CRYPT_FIRST) &&
                 e.aiAlgid == CALG_RSA_SIGN, "PP_ENUMALGS");
    wt_check(algs >= 7, "PP_ENUMALGS_EX lists the algorithms");

    /* Hashing in a verify context: SHA-256("abc") (FIPS 180-2 example). */
    static const BYTE abc_sha256[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
        0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
        0xf2, 0x00, 0x15, 0xad };
    HCRYPTHASH hh;
    BYTE v[64];
    len = sizeof v;
    wt_check(CryptCreateHash(h, CALG_SHA_256, 0, 0, &hh) &&
                 CryptHashData(hh, (BYTE *)"abc", 3, 0) &&
                 CryptGetHashParam(hh, HP_HASHVAL, v, &len, 0) && len == 32 &&
                 memcmp(v, abc_sha256, 32) == 0, "SHA-256 through the CSP");
    expect_error(CryptHashData(hh, (BYTE *)"x", 1, 0), NTE_BAD_HASH_STATE,
                 "CryptHashData after HP_HASHVAL");
    CryptDestroyHash(hh);
    BYTE r1[32], r2[32];
    wt_check(CryptGenRandom(h, sizeof r1, r1) && CryptGenRandom(h, sizeof r2, r2) &&
                 memcmp(r1, r2, sizeof r1) != 0, "CryptGenRandom (card)");
    wt_check(CryptReleaseContext(h, 0), "CryptReleaseContext");
    return wt_failures != 0;
}

static int cmd_nopin(const char *container, DWORD spec)
{
    static const DWORD flags[2] = { CRYPT_SILENT, 0 };
    static const DWORD want[2] = { NTE_SILENT_CONTEXT, SCARD_W_CARD_NOT_AUTHENTICATED };
    for (int i = 0; i < 2; i++) {
        HCRYPTPROV h;
        HCRYPTHASH hh;
        if (!acquire(&h, container, flags[i]))
            return wt_die("CryptAcquireContext");
        if (!CryptCreateHash(h, CALG_SHA_256, 0, 0, &hh) || !CryptHashData(hh, (BYTE *)"m", 1, 0))
            return wt_die("hash");
        BYTE sig[1024];
        DWORD len = sizeof sig;
        expect_error(CryptSignHash(hh, spec, NULL, 0, sig, &len), want[i],
                     i == 0 ? "no PIN, CRYPT_SILENT" : "no PIN, not silent");
        CryptDestroyHash(hh);
        CryptReleaseContext(h, 0);
    }
    return wt_failures != 0;
}

typedef BOOL(WINAPI *get_prov_param_fn)(HCRYPTPROV, DWORD, BYTE *, DWORD *, DWORD);
typedef BOOL(WINAPI *acquire_fn)(HCRYPTPROV *, LPCSTR, DWORD, void *);
typedef BOOL(WINAPI *release_fn)(HCRYPTPROV, DWORD);
typedef BOOL(WINAPI *create_hash_fn)(HCRYPTPROV, ALG_ID, HCRYPTKEY, DWORD, HCRYPTHASH *);
typedef BOOL(WINAPI *destroy_hash_fn)(HCRYPTPROV, HCRYPTHASH);
typedef BOOL(WINAPI *get_key_param_fn)(HCRYPTPROV, HCRYPTKEY, DWORD, BYTE *, DWORD *, DWORD);

/* Handles advapi32 would catch itself: the CSP's own checks, through its exports. */
static void direct_handle_checks(const char *dll)
{
    HMODULE m = LoadLibraryA(dll);
    if (m == NULL) {
        wt_check(0, "LoadLibrary(opgpcsp.dll)");
        return;
    }
    get_prov_param_fn gpp = (get_prov_param_fn)(void (*)(void))GetProcAddress(m, "CPGetProvParam");
    acquire_fn acq = (acquire_fn)(void (*)(void))GetProcAddress(m, "CPAcquireContext");
    release_fn rel = (release_fn)(void (*)(void))GetProcAddress(m, "CPReleaseContext");
    create_hash_fn ch = (create_hash_fn)(void (*)(void))GetProcAddress(m, "CPCreateHash");
    destroy_hash_fn dh = (destroy_hash_fn)(void (*)(void))GetProcAddress(m, "CPDestroyHash");
    get_key_param_fn gkp = (get_key_param_fn)(void (*)(void))GetProcAddress(m, "CPGetKeyParam");
    BYTE buf[64];
    DWORD len = sizeof buf;
    expect_error(gpp((HCRYPTPROV)0x1234, PP_NAME, buf, &len, 0), NTE_BAD_UID,
                 "CPGetProvParam on a made-up context");
    HCRYPTPROV p = 0;
    HCRYPTHASH hh = 0;
    if (!acq(&p, NULL, CRYPT_VERIFYCONTEXT | CRYPT_SILENT, NULL) ||
        !ch(p, CALG_SHA1, 0, 0, &hh)) {
        wt_check(0, "CPAcquireContext + CPCreateHash");
        return;
    }
    len = sizeof buf;
    expect_error(gkp(p, (HCRYPTKEY)hh, KP_ALGID, buf, &len, 0), NTE_BAD_KEY,
                 "CPGetKeyParam with a hash handle");
    wt_check(dh(p, hh), "CPDestroyHash");
    expect_error(dh(p, hh), NTE_BAD_HASH, "CPDestroyHash twice");
    wt_check(rel(p, 0), "CPReleaseContext");
    expect_error(rel(p, 0), NTE_BAD_UID, "CPReleaseContext twice");
    FreeLibrary(m);
}

static int cmd_errors(const char *container, DWORD spec, const char *dll)
{
    HCRYPTPROV h;
    char bad[300];
    const char *sep = strrchr(container, '\\');
    snprintf(bad, sizeof bad, "%.*s\\no-such-container", (int)(sep - container), container);
    expect_error(acquire(&h, bad, CRYPT_SILENT), NTE_BAD_KEYSET, "unknown container");
    expect_error(acquire(&h, "\\\\.\\No Such Reader\\", CRYPT_SILENT), SCARD_E_UNKNOWN_READER,
                 "unknown reader");
    expect_error(acquire(&h, container, CRYPT_NEWKEYSET), NTE_NOT_SUPPORTED, "CRYPT_NEWKEYSET");
    expect_error(acquire(&h, container, CRYPT_VERIFYCONTEXT), NTE_BAD_KEYSET_PARAM,
                 "CRYPT_VERIFYCONTEXT with a container");
    if (!acquire(&h, container, CRYPT_SILENT))
        return wt_die("CryptAcquireContext");

    char name[8];
    DWORD len = sizeof name;
    expect_error(CryptGetProvParam(h, PP_NAME, (BYTE *)name, &len, 0), ERROR_MORE_DATA,
                 "PP_NAME in 8 bytes");
    wt_check(len == sizeof PROVIDER, "ERROR_MORE_DATA gives the size");
    len = sizeof name;
    expect_error(CryptGetProvParam(h, 9999, (BYTE *)name, &len, 0), NTE_BAD_TYPE,
                 "unknown provider parameter");
    len = sizeof name;
    expect_error(CryptGetProvParam(h, PP_NAME, (BYTE *)name, &len, 0x4000), NTE_BAD_FLAGS,
                 "PP_NAME with flags");
    expect_error(CryptSetProvParam(h, 9999, (const BYTE *)"x", 0), NTE_BAD_TYPE,
                 "unknown CryptSetProvParam");

    HCRYPTKEY k;
    DWORD other = spec == AT_SIGNATURE ? AT_KEYEXCHANGE : AT_SIGNATURE;
    expect_error(CryptGetUserKey(h, other, &k), NTE_NO_KEY, "the container's other key spec");
    expect_error(CryptGetUserKey(h, 7, &k), NTE_BAD_KEY, "key spec 7");
    if (!CryptGetUserKey(h, spec, &k))
        return wt_die("CryptGetUserKey");
    BYTE blob[8];
    len = sizeof blob;
    expect_error(CryptExportKey(k, 0, PUBLICKEYBLOB, 0, blob, &len), ERROR_MORE_DATA,
                 "PUBLICKEYBLOB in 8 bytes");
    wt_check(len == sizeof(BLOBHEADER) + sizeof(RSAPUBKEY) + 256, "PUBLICKEYBLOB size (RSA-2048)");
    len = sizeof blob;
    expect_error(CryptExportKey(k, 0, PRIVATEKEYBLOB, 0, blob, &len), NTE_BAD_TYPE,
                 "PRIVATEKEYBLOB");
    DWORD dw, dlen = sizeof dw;
    expect_error(CryptGetKeyParam(k, 9999, (BYTE *)&dw, &dlen, 0), NTE_BAD_TYPE,
                 "unknown key parameter");
    expect_error(CryptSetKeyParam(k, KP_PERMISSIONS, (const BYTE *)&dw, 0), NTE_NOT_SUPPORTED,
                 "CryptSetKeyParam");
    BYTE data[256];
    len = sizeof data;
    memset(data, 1, sizeof data);
    if (spec == AT_SIGNATURE)
        expect_error(CryptDecrypt(k, 0, TRUE, 0, data, &len), NTE_BAD_KEY,
                     "CryptDecrypt with a signature key");
    len = 100;
    expect_error(CryptDecrypt(k, 0, TRUE, CRYPT_OAEP, data, &len), NTE_NOT_SUPPORTED,
                 "CryptDecrypt with OAEP");
    len = 16;
    expect_error(CryptEncrypt(k, 0, TRUE, 0, data, &len, sizeof data), NTE_NOT_SUPPORTED,
                 "CryptEncrypt");
    HCRYPTKEY gk;
    expect_error(CryptGenKey(h, CALG_RC4, 0, &gk), NTE_NOT_SUPPORTED, "CryptGenKey");

    HCRYPTHASH hh;
    expect_error(CryptCreateHash(h, CALG_RC4, 0, 0, &hh), NTE_BAD_ALGID, "CALG_RC4 hash");
    if (!CryptCreateHash(h, CALG_SHA_256, 0, 0, &hh) || !CryptHashData(hh, (BYTE *)"m", 1, 0))
        return wt_die("hash");
    BYTE sig[16];
    len = sizeof sig;
    expect_error(CryptSignHash(hh, spec, NULL, 0, sig, &len), ERROR_MORE_DATA,
                 "signature in 16 bytes");
    wt_check(len == 256, "ERROR_MORE_DATA gives the signature size");
    len = sizeof sig;
    expect_error(CryptSignHash(hh, spec, NULL, 0x100, sig, &len), NTE_BAD_FLAGS,
                 "CryptSignHash flags");
    expect_error(CryptSignHash(hh, other, NULL, 0, sig, &len), NTE_NO_KEY,
                 "CryptSignHash with the other key spec");
    expect_error(CryptSetProvParam(h, PP_KEYEXCHANGE_PIN, (const BYTE *)"000000", 0),
                 SCARD_W_WRONG_CHV, "wrong PIN");
    wt_check(CryptSetProvParam(h, PP_CLIENT_HWND, (const BYTE *)&h, 0), "PP_CLIENT_HWND accepted");
    CryptDestroyHash(hh);
    CryptDestroyKey(k);
    CryptReleaseContext(h, 0);
    direct_handle_checks(dll);
    return wt_failures != 0;
}

static HCRYPTPROV open_with_pin(const char *container, DWORD pin_param, const char *pin)
{
    HCRYPTPROV h;
    if (!acquire(&h, container, CRYPT_SILENT))
        return 0;
    char name[300];
    DWORD len = sizeof name;
    if (CryptGetProvParam(h, PP_CONTAINER, (BYTE *)name, &len, 0))
        printf("Container: %s\n", name);
    if (!CryptSetProvParam(h, pin_param, (const BYTE *)pin, 0)) {
        DWORD e = GetLastError();
        CryptReleaseContext(h, 0);
        SetLastError(e);
        return 0;
    }
    return h;
}

static int cmd_sign(const char *container, DWORD spec, const char *pin_param, const char *pin,
                    const char *in, const char *out, bool pin_once)
{
    HCRYPTPROV h = open_with_pin(container, spec_of(pin_param) == AT_SIGNATURE ?
                                 PP_SIGNATURE_PIN : PP_KEYEXCHANGE_PIN, pin);
    if (h == 0)
        return wt_die("acquire + PIN");
    HCRYPTKEY k;
    if (!CryptGetUserKey(h, spec, &k))
        return wt_die("CryptGetUserKey");
    DWORD alg, bits, dlen = sizeof alg;
    wt_check(CryptGetKeyParam(k, KP_ALGID, (BYTE *)&alg, &dlen, 0) &&
                 alg == (spec == AT_SIGNATURE ? CALG_RSA_SIGN : CALG_RSA_KEYX), "KP_ALGID");
    dlen = sizeof bits;
    wt_check(CryptGetKeyParam(k, KP_KEYLEN, (BYTE *)&bits, &dlen, 0), "KP_KEYLEN");
    printf("Key: %lu bits\n", (unsigned long)bits);
    BYTE blob[2048];
    DWORD blen = sizeof blob;
    if (CryptExportKey(k, 0, PUBLICKEYBLOB, 0, blob, &blen)) {
        const RSAPUBKEY *rp = (const RSAPUBKEY *)(blob + sizeof(BLOBHEADER));
        const BYTE *mod = blob + sizeof(BLOBHEADER) + sizeof(RSAPUBKEY);
        printf("Exponent: %lu\nModulus: ", (unsigned long)rp->pubexp);
        for (DWORD i = rp->bitlen / 8; i > 0; i--)
            printf("%02X", mod[i - 1]);
        printf("\n");
    } else {
        wt_check(0, "PUBLICKEYBLOB");
    }
    DWORD mlen;
    BYTE *msg = wt_read_file(in, &mlen);
    HCRYPTHASH hh;
    if (msg == NULL || !CryptCreateHash(h, CALG_SHA_256, 0, 0, &hh) ||
        !CryptHashData(hh, msg, mlen, 0))
        return wt_die("hash");
    DWORD slen = 0;
    if (!CryptSignHash(hh, spec, NULL, 0, NULL, &slen))
        return wt_die("CryptSignHash(size)");
    BYTE sig[1024];
    if (slen > sizeof sig || !CryptSignHash(hh, spec, NULL, 0, sig, &slen))
        return wt_die("CryptSignHash");
    printf("Signature: %lu bytes\n", (unsigned long)slen);
    if (wt_write_file(out, sig, slen) != 0)
        return wt_die("write");
    /* The host-side check of the same signature, then of a damaged one. */
    HCRYPTHASH hv;
    CryptCreateHash(h, CALG_SHA_256, 0, 0, &hv);
    CryptHashData(hv, msg, mlen, 0);
    wt_check(CryptVerifySignatureA(hv, sig, slen, k, NULL, 0), "CryptVerifySignature");
    CryptDestroyHash(hv);
    sig[slen / 2] ^= 1;
    CryptCreateHash(h, CALG_SHA_256, 0, 0, &hv);
    CryptHashData(hv, msg, mlen, 0);
    expect_error(CryptVerifySignatureA(hv, sig, slen, k, NULL, 0), NTE_BAD_SIGNATURE,
                 "CryptVerifySignature of a damaged signature");
    CryptDestroyHash(hv);
    if (pin_once) {
        /* The card wants the PIN for every signature: the next one must not be satisfied
         * from anything kept, and the silent context says the PIN dialog would be needed. */
        CryptCreateHash(h, CALG_SHA_256, 0, 0, &hv);
        CryptHashData(hv, msg, mlen, 0);
        slen = sizeof sig;
        expect_error(CryptSignHash(hv, spec, NULL, 0, sig, &slen), NTE_SILENT_CONTEXT,
                     "a second signature with a per-signature PIN");
        CryptDestroyHash(hv);
    }
    CryptDestroyHash(hh);
    CryptDestroyKey(k);
    CryptReleaseContext(h, 0);
    free(msg);
    return wt_failures != 0;
}

static int cmd_decrypt(const char *container, const char *pin, const char *in, const char *out)
{
    HCRYPTPROV h = open_with_pin(container, PP_KEYEXCHANGE_PIN, pin);
    if (h == 0)
        return wt_die("acquire + PIN");
    HCRYPTKEY k;
    if (!CryptGetUserKey(h, AT_KEYEXCHANGE, &k))
        return wt_die("CryptGetUserKey(AT_KEYEXCHANGE)");
    DWORD len;
    BYTE *data = wt_read_file(in, &len);
    if (data == NULL)
        return wt_die("read");
    DWORD short_len = len - 1;
    expect_error(CryptDecrypt(k, 0, TRUE, 0, data, &short_len), NTE_BAD_LEN,
                 "a cryptogram one byte short");
    if (!CryptDecrypt(k, 0, TRUE, 0, data, &len))
        return wt_die("CryptDecrypt");
    printf("Plaintext: %lu bytes\n", (unsigned long)len);
    if (wt_write_file(out, data, len) != 0)
        return wt_die("write");
    CryptDestroyKey(k);
    CryptReleaseContext(h, 0);
    free(data);
    return wt_failures != 0;
}

static int cmd_cert(const char *container, DWORD spec, const char *out)
{
    HCRYPTPROV h;
    HCRYPTKEY k;
    if (!acquire(&h, container, CRYPT_SILENT) || !CryptGetUserKey(h, spec, &k))
        return wt_die("acquire + CryptGetUserKey");
    DWORD len = 0;
    if (!CryptGetKeyParam(k, KP_CERTIFICATE, NULL, &len, 0))
        return wt_die("KP_CERTIFICATE (size)");
    BYTE small[4];
    DWORD slen = sizeof small;
    expect_error(CryptGetKeyParam(k, KP_CERTIFICATE, small, &slen, 0), ERROR_MORE_DATA,
                 "KP_CERTIFICATE in 4 bytes");
    wt_check(slen == len, "ERROR_MORE_DATA gives the certificate size");
    BYTE *der = malloc(len);
    if (der == NULL || !CryptGetKeyParam(k, KP_CERTIFICATE, der, &len, 0))
        return wt_die("KP_CERTIFICATE");
    printf("Certificate: %lu bytes\n", (unsigned long)len);
    if (wt_write_file(out, der, len) != 0)
        return wt_die("write");
    free(der);
    CryptDestroyKey(k);
    CryptReleaseContext(h, 0);
    return wt_failures != 0;
}

/* What a mail client does: the card's certificate in the MY store, pointing at the CSP's
 * container (CERT_KEY_PROV_INFO_PROP_ID); crypt32 finds the key from the certificate. */
static int cmd_cms(const char *container, DWORD spec, const char *pin, const char *in,
                   const char *out)
{
    HCRYPTPROV h;
    HCRYPTKEY k;
    if (!acquire(&h, container, CRYPT_SILENT) || !CryptGetUserKey(h, spec, &k))
        return wt_die("acquire + CryptGetUserKey");
    DWORD clen = 0;
    BYTE *der = NULL;
    if (!CryptGetKeyParam(k, KP_CERTIFICATE, NULL, &clen, 0) || (der = malloc(clen)) == NULL ||
        !CryptGetKeyParam(k, KP_CERTIFICATE, der, &clen, 0))
        return wt_die("KP_CERTIFICATE");
    CryptDestroyKey(k);
    CryptReleaseContext(h, 0);

    HCERTSTORE my = CertOpenSystemStoreA(0, "MY");
    PCCERT_CONTEXT cert = NULL;
    if (my == NULL || !CertAddEncodedCertificateToStore(my, X509_ASN_ENCODING, der, clen,
                                                        CERT_STORE_ADD_REPLACE_EXISTING, &cert))
        return wt_die("CertAddEncodedCertificateToStore(MY)");
    WCHAR wcontainer[300], wprov[64];
    MultiByteToWideChar(CP_ACP, 0, container, -1, wcontainer, 300);
    MultiByteToWideChar(CP_ACP, 0, PROVIDER, -1, wprov, 64);
    CRYPT_KEY_PROV_INFO kpi;
    memset(&kpi, 0, sizeof kpi);
    kpi.pwszContainerName = wcontainer;
    kpi.pwszProvName = wprov;
    kpi.dwProvType = PROV_RSA_FULL;
    kpi.dwKeySpec = spec;
    if (!CertSetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, 0, &kpi))
        return wt_die("CERT_KEY_PROV_INFO_PROP_ID");
    CertFreeCertificateContext(cert);
    cert = NULL;

    /* Found again by the store, as an application would. */
    CRYPT_HASH_BLOB sha1;
    BYTE thumb[20];
    sha1.cbData = sizeof thumb;
    sha1.pbData = thumb;
    if (!CryptHashCertificate(0, CALG_SHA1, 0, der, clen, thumb, &sha1.cbData))
        return wt_die("CryptHashCertificate");
    cert = CertFindCertificateInStore(my, X509_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH, &sha1, NULL);
    if (cert == NULL)
        return wt_die("CertFindCertificateInStore");
    HCRYPTPROV kp;
    DWORD kspec;
    BOOL free_kp;
    if (!CryptAcquireCertificatePrivateKey(cert, CRYPT_ACQUIRE_CACHE_FLAG | CRYPT_ACQUIRE_SILENT_FLAG,
                                           NULL, &kp, &kspec, &free_kp))
        return wt_die("CryptAcquireCertificatePrivateKey");
    wt_check(kspec == spec, "CryptAcquireCertificatePrivateKey key spec");
    if (!CryptSetProvParam(kp, spec == AT_SIGNATURE ? PP_SIGNATURE_PIN : PP_KEYEXCHANGE_PIN,
                           (const BYTE *)pin, 0))
        return wt_die("PIN");

    int rc = wt_sign_message(cert, in, out);
    CertDeleteCertificateFromStore(CertDuplicateCertificateContext(cert));
    CertFreeCertificateContext(cert);
    CertCloseStore(my, 0);
    free(der);
    return rc != 0 || wt_failures != 0;
}

static int cmd_nocard(void)
{
    HCRYPTPROV h;
    BOOL r = acquire(&h, NULL, CRYPT_SILENT);
    DWORD e = r ? 0 : GetLastError();
    printf("Default container without PC/SC: 0x%08lX\n", (unsigned long)e);
    wt_check(!r && e == (DWORD)SCARD_E_NO_SERVICE, "default container: SCARD_E_NO_SERVICE");
    if (r)
        CryptReleaseContext(h, 0);
    expect_error(acquire(&h, "\\\\.\\opgp-sim 00 00\\", CRYPT_SILENT), SCARD_E_NO_SERVICE,
                 "a named reader without PC/SC");
    /* A verify context still hashes and draws random numbers without a card. */
    wt_check(acquire(&h, NULL, CRYPT_VERIFYCONTEXT | CRYPT_SILENT),
             "verify context without a card");
    BYTE r1[16];
    wt_check(CryptGenRandom(h, sizeof r1, r1), "CryptGenRandom without a card");
    HCRYPTKEY k;
    expect_error(CryptGetUserKey(h, AT_SIGNATURE, &k), NTE_BAD_KEYSET,
                 "CryptGetUserKey in a verify context");
    CryptReleaseContext(h, 0);
    return wt_failures != 0;
}

int main(int argc, char **argv)
{
    /* Unbuffered: a run that prints nothing at all is one Wine never started (tests/wine/tests/
     * common.inc, wine_to), and a crash still shows what came before it. */
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
    const char *c = argc > 1 ? argv[1] : "";
    if (strcmp(c, "info") == 0 && argc == 3)
        return cmd_info(argv[2]);
    if (strcmp(c, "nopin") == 0 && argc == 4)
        return cmd_nopin(argv[2], spec_of(argv[3]));
    if (strcmp(c, "errors") == 0 && argc == 5)
        return cmd_errors(argv[2], spec_of(argv[3]), argv[4]);
    if (strcmp(c, "sign") == 0 && (argc == 8 || (argc == 9 && strcmp(argv[8], "pin-once") == 0)))
        return cmd_sign(argv[2], spec_of(argv[3]), argv[4], argv[5], argv[6], argv[7], argc == 9);
    if (strcmp(c, "decrypt") == 0 && argc == 6)
        return cmd_decrypt(argv[2], argv[3], argv[4], argv[5]);
    if (strcmp(c, "cert") == 0 && argc == 5)
        return cmd_cert(argv[2], spec_of(argv[3]), argv[4]);
    if (strcmp(c, "cms") == 0 && argc == 7)
        return cmd_cms(argv[2], spec_of(argv[3]), argv[4], argv[5], argv[6]);
    if (strcmp(c, "nocard") == 0 && argc == 2)
        return cmd_nocard();
    fprintf(stderr, "usage: see the comment at the top of csp-test.c\n");
    return 2;
}
