/* What status shows about a certificate in a key slot: subject, issuer, validity. Parsed by the
 * platform's own X.509 code (x509_info_openssl.c / x509_info_win32.c), never by hand. */
#ifndef OPGP_TOOL_X509_INFO_H
#define OPGP_TOOL_X509_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct x509_info {
    char subject[512];    /* RFC 4514 style, most specific first: "CN=Alice,O=Example" */
    char issuer[512];
    char not_before[80];  /* "YYYY-MM-DD HH:MM:SS" UTC */
    char not_after[80];
} x509_info;

/* False when der is not one well-formed X.509 certificate. */
bool x509_info_parse(const uint8_t *der, size_t len, x509_info *out);

#endif
