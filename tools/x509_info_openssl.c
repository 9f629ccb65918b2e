/* Certificate details with OpenSSL. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "x509_info.h"

static void name_string(const X509_NAME *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return;
    /* RFC 2253 escaping but UTF-8 kept as is (not \XX escaped). */
    unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
    if (X509_NAME_print_ex(b, name, 0, flags) >= 0) {
        int n = BIO_read(b, buf, (int)cap - 1);
        buf[n > 0 ? n : 0] = '\0';
    }
    BIO_free(b);
}

static void time_string(const ASN1_TIME *t, char *buf, size_t cap)
{
    struct tm tm;
    buf[0] = '\0';
    if (t && ASN1_TIME_to_tm(t, &tm) == 1)
        snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

bool x509_info_parse(const uint8_t *der, size_t len, x509_info *out)
{
    memset(out, 0, sizeof *out);
    if (!der || len == 0 || len > 65535)
        return false;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x)
        return false;
    /* Trailing bytes after the certificate: not one certificate. */
    bool ok = p == der + len;
    if (ok) {
        name_string(X509_get_subject_name(x), out->subject, sizeof out->subject);
        name_string(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
        time_string(X509_get0_notBefore(x), out->not_before, sizeof out->not_before);
        time_string(X509_get0_notAfter(x), out->not_after, sizeof out->not_after);
    }
    X509_free(x);
    return ok;
}
