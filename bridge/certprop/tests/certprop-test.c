/* certprop-test.exe: what an application sees in the user's MY store after
 * `opgp-tool cert propagate`, under Wine (crypt32, advapi32 and our CSP through the registry).
 *
 *   certprop-test show                     every certificate in CurrentUser\MY, one line each:
 *       Cert: <SHA-1> mark=<opgp-certprop mark|-> prov=<name|-> type=<n> spec=<n>
 *             container=<name|-> name=<friendly name|-> subject=<CN>
 *   certprop-test add-user FILE            add a DER certificate as a user would (no
 *                                          properties); prints its SHA-1
 *   certprop-test delete SHA1              delete a certificate (the test's own cleanup)
 *   certprop-test sign SHA1 PIN IN OUT     the certificate's key through
 *                                          CryptAcquireCertificatePrivateKey, PIN by the
 *                                          provider's PIN parameter, CryptSignMessage of IN
 *                                          (attached, SHA-256, the certificate included) to
 *                                          OUT (DER CMS)
 * Exit 0 on success, 1 on a failed call (with its error), 2 on usage. */
#include <windows.h>
#include <wincrypt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win_test_util.h"

#define MARK_PROP_ID CERT_DESCRIPTION_PROP_ID /* CERTPROP_MARK_PROP_ID (bridge/certprop) */
#define ENC (X509_ASN_ENCODING | PKCS_7_ASN_ENCODING)

static HCERTSTORE open_my(void)
{
    return CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY");
}

static void print_wide(const WCHAR *w)
{
    char buf[512];
    if (w == NULL || WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, sizeof buf, NULL, NULL) == 0)
        printf("-");
    else
        printf("%s", buf);
}

static bool parse_sha1(const char *hex, BYTE out[20])
{
    if (strlen(hex) != 40)
        return false;
    for (int i = 0; i < 20; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (BYTE)v;
    }
    return true;
}

static PCCERT_CONTEXT find(HCERTSTORE my, const char *hex)
{
    BYTE h[20];
    CRYPT_HASH_BLOB blob = { sizeof h, h };
    if (!parse_sha1(hex, h)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    return CertFindCertificateInStore(my, ENC, 0, CERT_FIND_SHA1_HASH, &blob, NULL);
}

static void show_one(PCCERT_CONTEXT c)
{
    BYTE buf[2048];
    DWORD len = sizeof buf;
    printf("Cert: ");
    if (CertGetCertificateContextProperty(c, CERT_SHA1_HASH_PROP_ID, buf, &len))
        wt_print_hex(buf, len);
    len = sizeof buf - sizeof(WCHAR);
    if (CertGetCertificateContextProperty(c, MARK_PROP_ID, buf, &len)) {
        buf[len] = buf[len + 1] = 0;
        printf(" mark=");
        print_wide((const WCHAR *)buf);
    } else {
        printf(" mark=-");
    }
    len = sizeof buf;
    if (CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, buf, &len)) {
        const CRYPT_KEY_PROV_INFO *k = (const CRYPT_KEY_PROV_INFO *)buf;
        printf(" prov=");
        print_wide(k->pwszProvName);
        printf(" type=%lu spec=%lu container=", (unsigned long)k->dwProvType,
               (unsigned long)k->dwKeySpec);
        print_wide(k->pwszContainerName);
    } else {
        printf(" prov=- type=- spec=- container=-");
    }
    len = sizeof buf;
    printf(" name=");
    if (CertGetCertificateContextProperty(c, CERT_FRIENDLY_NAME_PROP_ID, buf, &len))
        print_wide((const WCHAR *)buf);
    else
        printf("-");
    char cn[256];
    if (CertGetNameStringA(c, CERT_NAME_ATTR_TYPE, 0, (void *)szOID_COMMON_NAME, cn, sizeof cn) > 1)
        printf(" subject=%s", cn);
    printf("\n");
}

static int cmd_show(void)
{
    HCERTSTORE my = open_my();
    if (my == NULL)
        return wt_die("CertOpenStore(MY)");
    int n = 0;
    PCCERT_CONTEXT c = NULL;
    while ((c = CertEnumCertificatesInStore(my, c)) != NULL) {
        show_one(c);
        n++;
    }
    printf("Certificates: %d\n", n);
    CertCloseStore(my, 0);
    return 0;
}

static int cmd_add_user(const char *path)
{
    DWORD len;
    BYTE *der = wt_read_file(path, &len);
    if (der == NULL)
        return wt_die("read");
    HCERTSTORE my = open_my();
    PCCERT_CONTEXT c = NULL;
    if (my == NULL ||
        !CertAddEncodedCertificateToStore(my, X509_ASN_ENCODING, der, len,
                                          CERT_STORE_ADD_REPLACE_EXISTING, &c))
        return wt_die("CertAddEncodedCertificateToStore(MY)");
    BYTE h[20];
    DWORD hl = sizeof h;
    if (!CertGetCertificateContextProperty(c, CERT_SHA1_HASH_PROP_ID, h, &hl))
        return wt_die("CERT_SHA1_HASH_PROP_ID");
    printf("Added: ");
    wt_print_hex(h, hl);
    printf("\n");
    CertFreeCertificateContext(c);
    CertCloseStore(my, 0);
    free(der);
    return 0;
}

static int cmd_delete(const char *sha1)
{
    /* The registry store: Wine 8's system store forgets deletions (certprop_store_win32.c). */
    HCERTSTORE my = CertOpenStore(CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0,
                                  CERT_SYSTEM_STORE_CURRENT_USER, L"MY");
    if (my == NULL)
        return wt_die("CertOpenStore(MY)");
    PCCERT_CONTEXT c = find(my, sha1);
    if (c == NULL)
        return wt_die("CertFindCertificateInStore");
    if (!CertDeleteCertificateFromStore(c))
        return wt_die("CertDeleteCertificateFromStore");
    CertCloseStore(my, 0);
    return 0;
}

static int cmd_sign(const char *sha1, const char *pin, const char *in, const char *out)
{
    HCERTSTORE my = open_my();
    if (my == NULL)
        return wt_die("CertOpenStore(MY)");
    PCCERT_CONTEXT cert = find(my, sha1);
    if (cert == NULL)
        return wt_die("CertFindCertificateInStore");
    HCRYPTPROV kp;
    DWORD spec;
    BOOL free_kp;
    if (!CryptAcquireCertificatePrivateKey(cert, CRYPT_ACQUIRE_CACHE_FLAG |
                                           CRYPT_ACQUIRE_SILENT_FLAG, NULL, &kp, &spec, &free_kp))
        return wt_die("CryptAcquireCertificatePrivateKey");
    char prov[128], container[128];
    DWORD len = sizeof prov;
    if (!CryptGetProvParam(kp, PP_NAME, (BYTE *)prov, &len, 0))
        return wt_die("PP_NAME");
    len = sizeof container;
    if (!CryptGetProvParam(kp, PP_CONTAINER, (BYTE *)container, &len, 0))
        return wt_die("PP_CONTAINER");
    printf("Key: %s / %s / %s\n", prov, container,
           spec == AT_SIGNATURE ? "AT_SIGNATURE" : spec == AT_KEYEXCHANGE ? "AT_KEYEXCHANGE" : "?");
    if (!CryptSetProvParam(kp, spec == AT_SIGNATURE ? PP_SIGNATURE_PIN : PP_KEYEXCHANGE_PIN,
                           (const BYTE *)pin, 0))
        return wt_die("the PIN (CryptSetProvParam)");

    int rc = wt_sign_message(cert, in, out);
    CertFreeCertificateContext(cert);
    CertCloseStore(my, 0);
    return rc;
}

int main(int argc, char **argv)
{
    /* Unbuffered: a run that prints nothing at all is one Wine never started (tests/wine/tests/
     * common.inc, wine_to), and a crash still shows what came before it. */
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
    const char *c = argc > 1 ? argv[1] : "";
    if (strcmp(c, "show") == 0 && argc == 2)
        return cmd_show();
    if (strcmp(c, "add-user") == 0 && argc == 3)
        return cmd_add_user(argv[2]);
    if (strcmp(c, "delete") == 0 && argc == 3)
        return cmd_delete(argv[2]);
    if (strcmp(c, "sign") == 0 && argc == 6)
        return cmd_sign(argv[2], argv[3], argv[4], argv[5]);
    fprintf(stderr, "usage: see the comment at the top of certprop-test.c\n");
    return 2;
}
