/* Certificate details with crypt32: CertCreateCertificateContext parses, CertNameToStrW
 * formats the names (as UTF-16, converted to UTF-8). */
#include <windows.h>
#include <wincrypt.h>

#include <stdio.h>
#include <string.h>

#include "x509_info.h"

static void name_string(const CERT_NAME_BLOB *name, char *buf, size_t cap)
{
    WCHAR wide[512];
    buf[0] = '\0';
    DWORD flags = CERT_X500_NAME_STR | CERT_NAME_STR_REVERSE_FLAG | CERT_NAME_STR_COMMA_FLAG |
                  CERT_NAME_STR_NO_QUOTING_FLAG;
    CERT_NAME_BLOB copy = *name;
    DWORD n = CertNameToStrW(X509_ASN_ENCODING, &copy, flags, wide,
                             (DWORD)(sizeof wide / sizeof wide[0]));
    if (n <= 1)
        return;
    int m = WideCharToMultiByte(CP_UTF8, 0, wide, -1, buf, (int)cap, NULL, NULL);
    if (m <= 0)
        buf[0] = '\0';
    buf[cap - 1] = '\0';
    /* CERT_NAME_STR_COMMA_FLAG separates with ", ": drop the space to match the OpenSSL form. */
    char *r = buf, *w = buf;
    while (*r) {
        *w++ = *r;
        if (*r == ',' && r[1] == ' ')
            r++;
        r++;
    }
    *w = '\0';
}

static void time_string(const FILETIME *ft, char *buf, size_t cap)
{
    SYSTEMTIME st;
    buf[0] = '\0';
    if (FileTimeToSystemTime(ft, &st))
        snprintf(buf, cap, "%04u-%02u-%02u %02u:%02u:%02u", st.wYear, st.wMonth, st.wDay,
                 st.wHour, st.wMinute, st.wSecond);
}

bool x509_info_parse(const uint8_t *der, size_t len, x509_info *out)
{
    memset(out, 0, sizeof *out);
    if (!der || len == 0 || len > 65535)
        return false;
    PCCERT_CONTEXT c = CertCreateCertificateContext(X509_ASN_ENCODING | PKCS_7_ASN_ENCODING,
                                                    der, (DWORD)len);
    if (!c)
        return false;
    name_string(&c->pCertInfo->Subject, out->subject, sizeof out->subject);
    name_string(&c->pCertInfo->Issuer, out->issuer, sizeof out->issuer);
    time_string(&c->pCertInfo->NotBefore, out->not_before, sizeof out->not_before);
    time_string(&c->pCertInfo->NotAfter, out->not_after, sizeof out->not_after);
    CertFreeCertificateContext(c);
    return true;
}
