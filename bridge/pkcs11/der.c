/* A bounded DER walker: just enough of X.509 for a certificate object's CKA_ISSUER,
 * CKA_SERIAL_NUMBER and CKA_SUBJECT. Every length is checked against what remains; nothing
 * is read past the buffer (fuzzed by tests/fuzz-style inputs in the API test). */
#include "p11.h"

/* One TLV at p (len bytes left): its tag, the whole TLV and the content. Definite lengths up to
 * four length bytes; single-byte tags only (all X.509 needs). */
static bool tlv(const uint8_t *p, size_t len, uint8_t *tag, p11_der *whole, p11_der *content)
{
    if (len < 2 || (p[0] & 0x1F) == 0x1F)
        return false;
    size_t hdr = 2, n = p[1];
    if (n & 0x80) {
        size_t k = n & 0x7F;
        if (k == 0 || k > 4 || len < 2 + k)
            return false;
        n = 0;
        for (size_t i = 0; i < k; i++)
            n = n << 8 | p[2 + i];
        hdr += k;
    }
    if (n > len - hdr)
        return false;
    *tag = p[0];
    whole->p = p;
    whole->len = hdr + n;
    content->p = p + hdr;
    content->len = n;
    return true;
}

bool p11_cert_fields(const uint8_t *cert, size_t len, p11_der *issuer, p11_der *serial,
                     p11_der *subject)
{
    uint8_t tag;
    p11_der whole, c, tbs;
    if (cert == NULL || !tlv(cert, len, &tag, &whole, &c) || tag != 0x30)
        return false;
    if (!tlv(c.p, c.len, &tag, &whole, &tbs) || tag != 0x30)
        return false;
    const uint8_t *p = tbs.p;
    size_t left = tbs.len;
    p11_der items[6];
    uint8_t tags[6];
    size_t n = 0;
    while (n < 6 && left > 0) {
        p11_der w, in;
        if (!tlv(p, left, &tags[n], &w, &in))
            return false;
        items[n++] = w;
        p += w.len;
        left -= w.len;
    }
    size_t i = n > 0 && tags[0] == 0xA0 ? 1 : 0; /* [0] version */
    if (n < i + 5)
        return false;
    if (tags[i] != 0x02 || tags[i + 1] != 0x30 || tags[i + 2] != 0x30 || tags[i + 3] != 0x30 ||
        tags[i + 4] != 0x30)
        return false;
    *serial = items[i];
    *issuer = items[i + 2];
    *subject = items[i + 4];
    return true;
}
