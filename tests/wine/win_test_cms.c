/* The CMS signature csp-test and certprop-test make, as an application would (links crypt32). */
#include "win_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wt_sign_message(PCCERT_CONTEXT cert, const char *in, const char *out)
{
    DWORD mlen;
    BYTE *msg = wt_read_file(in, &mlen);
    if (msg == NULL)
        return wt_die("read");
    CRYPT_SIGN_MESSAGE_PARA para;
    memset(&para, 0, sizeof para);
    para.cbSize = sizeof para;
    para.dwMsgEncodingType = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING;
    para.pSigningCert = cert;
    para.HashAlgorithm.pszObjId = (LPSTR)szOID_NIST_sha256;
    para.cMsgCert = 1;
    para.rgpMsgCert = &cert;
    const BYTE *parts[1] = { msg };
    DWORD part_len[1] = { mlen };
    /* One call with room to spare: crypt32 signs for a size query too, and a card that wants
     * the PIN for every signature would need it again. */
    DWORD slen = mlen + 65536;
    BYTE *p7 = malloc(slen);
    if (p7 == NULL || !CryptSignMessage(&para, FALSE, 1, parts, part_len, p7, &slen))
        return wt_die("CryptSignMessage");
    printf("CMS: %lu bytes\n", (unsigned long)slen);
    int rc = wt_write_file(out, p7, slen);
    free(p7);
    free(msg);
    return rc;
}
