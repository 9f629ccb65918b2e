/* DER for PKCS#10 requests. Lengths are computed by building inner parts first into their own
 * bounded buffers (opgp_buf stops at its capacity and says so). */
#include <string.h>

#include "opgp/tlv.h"
#include "csr.h"

static const struct {
    const char *key;
    uint8_t oid[9];
    size_t oid_len;
    uint8_t string_tag; /* UTF8String 0C, PrintableString 13, IA5String 16 */
} name_attrs[] = {
    {"CN", {0x55, 0x04, 0x03}, 3, 0x0C},
    {"O", {0x55, 0x04, 0x0A}, 3, 0x0C},
    {"OU", {0x55, 0x04, 0x0B}, 3, 0x0C},
    {"C", {0x55, 0x04, 0x06}, 3, 0x13},
    {"L", {0x55, 0x04, 0x07}, 3, 0x0C},
    {"ST", {0x55, 0x04, 0x08}, 3, 0x0C},
    {"emailAddress", {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01}, 9, 0x16},
};

opgp_status csr_encode_name(const char *subject, uint8_t *out, size_t *len)
{
    if (!subject || subject[0] != '/')
        return OPGP_E_INVALID_ARG;
    uint8_t rdns[1024];
    opgp_buf seq;
    opgp_buf_init(&seq, rdns, sizeof rdns);
    const char *p = subject + 1;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t part = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', part);
        if (!eq || eq == p || (size_t)(eq - p) + 1 >= part)
            return OPGP_E_INVALID_ARG;
        size_t key_len = (size_t)(eq - p), value_len = part - key_len - 1;
        size_t a;
        for (a = 0; a < sizeof name_attrs / sizeof name_attrs[0]; a++)
            if (strlen(name_attrs[a].key) == key_len && memcmp(name_attrs[a].key, p, key_len) == 0)
                break;
        if (a == sizeof name_attrs / sizeof name_attrs[0] || value_len > 256)
            return OPGP_E_INVALID_ARG;
        if (name_attrs[a].string_tag == 0x13 && value_len != 2)
            return OPGP_E_INVALID_ARG; /* a country is two letters */
        /* SET { SEQUENCE { OID, string } } */
        uint8_t atv[300], set[310];
        opgp_buf b1, b2;
        opgp_buf_init(&b1, atv, sizeof atv);
        opgp_tlv_put(&b1, 0x06, name_attrs[a].oid, name_attrs[a].oid_len);
        opgp_tlv_put(&b1, name_attrs[a].string_tag, eq + 1, value_len);
        opgp_buf_init(&b2, set, sizeof set);
        opgp_tlv_put(&b2, 0x30, b1.data, b1.len);
        if (opgp_buf_status(&b1) || opgp_buf_status(&b2))
            return OPGP_E_INVALID_ARG;
        opgp_tlv_put(&seq, 0x31, b2.data, b2.len);
        p = end ? end + 1 : p + part;
    }
    if (seq.len == 0 || opgp_buf_status(&seq) != OPGP_OK)
        return OPGP_E_INVALID_ARG;
    opgp_buf o;
    opgp_buf_init(&o, out, *len);
    opgp_tlv_put(&o, 0x30, seq.data, seq.len);
    if (opgp_buf_status(&o) != OPGP_OK)
        return OPGP_E_BUFFER_TOO_SMALL;
    *len = o.len;
    return OPGP_OK;
}

opgp_status csr_signer_for(const opgp_algo_attr *attr, csr_signer *out)
{
    static const uint8_t rsa_sha256[] = {0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                                         0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00};
    static const uint8_t ecdsa_sha256[] = {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D,
                                           0x04, 0x03, 0x02};
    static const uint8_t ecdsa_sha384[] = {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D,
                                           0x04, 0x03, 0x03};
    static const uint8_t ecdsa_sha512[] = {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D,
                                           0x04, 0x03, 0x04};
    static const uint8_t ed25519[] = {0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70};
    const uint8_t *id;
    size_t id_len;
    memset(out, 0, sizeof *out);
    switch (attr->algo) {
    case OPGP_ALGO_RSA:
        out->hash = OPGP_HASH_SHA256;
        id = rsa_sha256;
        id_len = sizeof rsa_sha256;
        break;
    case OPGP_ALGO_ECDSA: {
        /* The hash as long as the curve, as the ECDSA suites of TLS and CMS pair them. */
        size_t bytes = opgp_algo_attr_key_bytes(attr);
        if (bytes == 0)
            return OPGP_E_NOT_SUPPORTED;
        if (bytes <= 32) {
            out->hash = OPGP_HASH_SHA256; id = ecdsa_sha256; id_len = sizeof ecdsa_sha256;
        } else if (bytes <= 48) {
            out->hash = OPGP_HASH_SHA384; id = ecdsa_sha384; id_len = sizeof ecdsa_sha384;
        } else {
            out->hash = OPGP_HASH_SHA512; id = ecdsa_sha512; id_len = sizeof ecdsa_sha512;
        }
        break;
    }
    case OPGP_ALGO_EDDSA:
        if (attr->curve != OPGP_CURVE_ED25519)
            return OPGP_E_NOT_SUPPORTED;
        out->eddsa = true;
        id = ed25519;
        id_len = sizeof ed25519;
        break;
    default:
        return OPGP_E_NOT_SUPPORTED;
    }
    memcpy(out->alg_id, id, id_len);
    out->alg_id_len = id_len;
    return OPGP_OK;
}

opgp_status csr_build_info(const uint8_t *name, size_t name_len, const uint8_t *spki,
                           size_t spki_len, uint8_t *out, size_t *len)
{
    static const uint8_t version0[] = {0x02, 0x01, 0x00};
    static const uint8_t no_attributes[] = {0xA0, 0x00};
    uint8_t body[CSR_MAX];
    opgp_buf b, o;
    opgp_buf_init(&b, body, sizeof body);
    opgp_buf_put(&b, version0, sizeof version0);
    opgp_buf_put(&b, name, name_len);
    opgp_buf_put(&b, spki, spki_len);
    opgp_buf_put(&b, no_attributes, sizeof no_attributes);
    opgp_buf_init(&o, out, *len);
    opgp_tlv_put(&o, 0x30, b.data, b.len);
    if (opgp_buf_status(&b) || opgp_buf_status(&o))
        return OPGP_E_BUFFER_TOO_SMALL;
    *len = o.len;
    return OPGP_OK;
}

/* INTEGER of an unsigned big-endian half of an ECDSA signature. */
static void put_uint(opgp_buf *b, const uint8_t *v, size_t n)
{
    while (n > 1 && v[0] == 0) {
        v++;
        n--;
    }
    bool pad = v[0] & 0x80;
    opgp_tlv_put_header(b, 0x02, n + pad);
    if (pad)
        opgp_buf_put_u8(b, 0);
    opgp_buf_put(b, v, n);
}

opgp_status csr_assemble(const uint8_t *info, size_t info_len, const csr_signer *signer,
                         const opgp_algo_attr *attr, const uint8_t *sig, size_t sig_len,
                         uint8_t *out, size_t *len)
{
    uint8_t bits[CSR_MAX], body[CSR_MAX];
    opgp_buf s, b, o;
    opgp_buf_init(&s, bits, sizeof bits);
    opgp_buf_put_u8(&s, 0x00); /* BIT STRING: no unused bits */
    if (attr->algo == OPGP_ALGO_ECDSA) {
        if (sig_len == 0 || sig_len % 2)
            return OPGP_E_BAD_RESPONSE;
        uint8_t rs[300];
        opgp_buf q;
        opgp_buf_init(&q, rs, sizeof rs);
        put_uint(&q, sig, sig_len / 2);
        put_uint(&q, sig + sig_len / 2, sig_len / 2);
        if (opgp_buf_status(&q))
            return OPGP_E_BAD_RESPONSE;
        opgp_tlv_put(&s, 0x30, q.data, q.len);
    } else {
        opgp_buf_put(&s, sig, sig_len);
    }
    opgp_buf_init(&b, body, sizeof body);
    opgp_buf_put(&b, info, info_len);
    opgp_buf_put(&b, signer->alg_id, signer->alg_id_len);
    opgp_tlv_put(&b, 0x03, s.data, s.len);
    opgp_buf_init(&o, out, *len);
    opgp_tlv_put(&o, 0x30, b.data, b.len);
    if (opgp_buf_status(&s) || opgp_buf_status(&b) || opgp_buf_status(&o))
        return OPGP_E_BUFFER_TOO_SMALL;
    *len = o.len;
    return OPGP_OK;
}
