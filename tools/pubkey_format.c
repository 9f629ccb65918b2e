/* SubjectPublicKeyInfo and OpenSSH encodings of card public keys. */
#include <stdio.h>
#include <string.h>

#include "opgp/tlv.h"
#include "pem.h"
#include "pubkey_format.h"

static const uint8_t oid_rsa[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
static const uint8_t oid_ec[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
static const uint8_t oid_ed25519[] = {0x2B, 0x65, 0x70};
static const uint8_t oid_x25519[] = {0x2B, 0x65, 0x6E};

/* An unsigned big-endian integer without its leading zeros. */
static void strip(const uint8_t **p, size_t *n)
{
    while (*n > 1 && (*p)[0] == 0) {
        (*p)++;
        (*n)--;
    }
}

/* DER INTEGER of an unsigned big-endian number. */
static void put_der_uint(opgp_buf *b, const uint8_t *v, size_t n)
{
    strip(&v, &n);
    bool pad = n > 0 && (v[0] & 0x80);
    opgp_tlv_put_header(b, 0x02, n + pad);
    if (pad)
        opgp_buf_put_u8(b, 0);
    opgp_buf_put(b, v, n);
}

static opgp_status algorithm_id(const opgp_public_key *pk, opgp_buf *b)
{
    uint8_t tmp[64];
    opgp_buf in;
    opgp_buf_init(&in, tmp, sizeof tmp);
    switch (pk->attr.algo) {
    case OPGP_ALGO_RSA:
        opgp_tlv_put(&in, 0x06, oid_rsa, sizeof oid_rsa);
        opgp_tlv_put(&in, 0x05, NULL, 0);
        break;
    case OPGP_ALGO_ECDSA:
    case OPGP_ALGO_ECDH:
    case OPGP_ALGO_EDDSA:
        if (pk->attr.curve == OPGP_CURVE_ED25519) {
            opgp_tlv_put(&in, 0x06, oid_ed25519, sizeof oid_ed25519);
        } else if (pk->attr.curve == OPGP_CURVE_X25519) {
            opgp_tlv_put(&in, 0x06, oid_x25519, sizeof oid_x25519);
        } else if (pk->attr.algo != OPGP_ALGO_EDDSA && pk->attr.oid_len > 0) {
            opgp_tlv_put(&in, 0x06, oid_ec, sizeof oid_ec);
            opgp_tlv_put(&in, 0x06, pk->attr.oid, pk->attr.oid_len);
        } else {
            return OPGP_E_NOT_SUPPORTED;
        }
        break;
    default:
        return OPGP_E_NOT_SUPPORTED;
    }
    if (opgp_buf_status(&in) != OPGP_OK)
        return OPGP_E_INTERNAL;
    opgp_tlv_put(b, 0x30, in.data, in.len);
    return OPGP_OK;
}

opgp_status pubkey_to_spki(const opgp_public_key *pk, uint8_t *der, size_t *len)
{
    uint8_t alg[80], key[PUBKEY_MAX_DER], body[PUBKEY_MAX_DER];
    opgp_buf a, k, s, out;
    opgp_buf_init(&a, alg, sizeof alg);
    opgp_status st = algorithm_id(pk, &a);
    if (st != OPGP_OK)
        return st;

    /* The BIT STRING's content: 00 (no unused bits) then the key. */
    opgp_buf_init(&k, key, sizeof key);
    opgp_buf_put_u8(&k, 0x00);
    if (pk->attr.algo == OPGP_ALGO_RSA) {
        if (pk->n_len == 0 || pk->e_len == 0)
            return OPGP_E_BAD_RESPONSE;
        uint8_t seq[PUBKEY_MAX_DER];
        opgp_buf q;
        opgp_buf_init(&q, seq, sizeof seq);
        put_der_uint(&q, pk->n, pk->n_len);
        put_der_uint(&q, pk->e, pk->e_len);
        if (opgp_buf_status(&q) != OPGP_OK)
            return OPGP_E_BUFFER_TOO_SMALL;
        opgp_tlv_put(&k, 0x30, q.data, q.len);
    } else {
        if (pk->point_len == 0)
            return OPGP_E_BAD_RESPONSE;
        opgp_buf_put(&k, pk->point, pk->point_len);
    }

    opgp_buf_init(&s, body, sizeof body);
    opgp_buf_put(&s, a.data, a.len);
    opgp_tlv_put(&s, 0x03, k.data, k.len);
    if (opgp_buf_status(&k) != OPGP_OK || opgp_buf_status(&s) != OPGP_OK)
        return OPGP_E_BUFFER_TOO_SMALL;
    opgp_buf_init(&out, der, *len);
    opgp_tlv_put(&out, 0x30, s.data, s.len);
    if (opgp_buf_status(&out) != OPGP_OK)
        return OPGP_E_BUFFER_TOO_SMALL;
    *len = out.len;
    return OPGP_OK;
}

/* SSH wire format (RFC 4251): uint32 length + bytes; mpint with a leading 00 when the top bit
 * is set. */
static void ssh_string(opgp_buf *b, const void *v, size_t n)
{
    uint8_t l[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    opgp_buf_put(b, l, 4);
    opgp_buf_put(b, v, n);
}

static void ssh_mpint(opgp_buf *b, const uint8_t *v, size_t n)
{
    strip(&v, &n);
    if (n == 1 && v[0] == 0) {
        ssh_string(b, NULL, 0);
        return;
    }
    bool pad = v[0] & 0x80;
    size_t total = n + pad;
    uint8_t l[4] = {(uint8_t)(total >> 24), (uint8_t)(total >> 16), (uint8_t)(total >> 8),
                    (uint8_t)total};
    opgp_buf_put(b, l, 4);
    if (pad)
        opgp_buf_put_u8(b, 0);
    opgp_buf_put(b, v, n);
}

opgp_status pubkey_to_ssh(const opgp_public_key *pk, const char *comment, char *line, size_t cap)
{
    uint8_t blob[PUBKEY_MAX_DER];
    opgp_buf b;
    opgp_buf_init(&b, blob, sizeof blob);
    const char *type;
    if (pk->attr.algo == OPGP_ALGO_RSA) {
        type = "ssh-rsa";
        ssh_string(&b, type, strlen(type));
        ssh_mpint(&b, pk->e, pk->e_len);
        ssh_mpint(&b, pk->n, pk->n_len);
    } else if (pk->attr.algo == OPGP_ALGO_EDDSA && pk->attr.curve == OPGP_CURVE_ED25519) {
        type = "ssh-ed25519";
        if (pk->point_len != 32)
            return OPGP_E_BAD_RESPONSE;
        ssh_string(&b, type, strlen(type));
        ssh_string(&b, pk->point, pk->point_len);
    } else if (pk->attr.algo == OPGP_ALGO_ECDSA || pk->attr.algo == OPGP_ALGO_ECDH) {
        const char *curve;
        switch (pk->attr.curve) {
        case OPGP_CURVE_P256: type = "ecdsa-sha2-nistp256"; curve = "nistp256"; break;
        case OPGP_CURVE_P384: type = "ecdsa-sha2-nistp384"; curve = "nistp384"; break;
        case OPGP_CURVE_P521: type = "ecdsa-sha2-nistp521"; curve = "nistp521"; break;
        default: return OPGP_E_NOT_SUPPORTED;
        }
        ssh_string(&b, type, strlen(type));
        ssh_string(&b, curve, strlen(curve));
        ssh_string(&b, pk->point, pk->point_len);
    } else {
        return OPGP_E_NOT_SUPPORTED;
    }
    if (opgp_buf_status(&b) != OPGP_OK)
        return OPGP_E_BUFFER_TOO_SMALL;
    size_t prefix = strlen(type) + 1;
    if (cap < prefix + 1)
        return OPGP_E_BUFFER_TOO_SMALL;
    memcpy(line, type, prefix - 1);
    line[prefix - 1] = ' ';
    if (!base64_encode(b.data, b.len, line + prefix, cap - prefix))
        return OPGP_E_BUFFER_TOO_SMALL;
    if (comment && *comment) {
        size_t used = strlen(line);
        if (used + 1 + strlen(comment) + 1 > cap)
            return OPGP_E_BUFFER_TOO_SMALL;
        line[used] = ' ';
        strcpy(line + used + 1, comment);
    }
    return OPGP_OK;
}
