/* Public key blobs as the Base CSP and KSP read them: CryptoAPI PUBLICKEYBLOB for RSA,
 * BCRYPT_ECCKEY_BLOB for the NIST curves. All integers little-endian in the headers. */
#include <string.h>

#include "md.h"

void md_reverse(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

opgp_status md_rsa_pubkey_blob(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                               ALG_ID alg, uint8_t *out, size_t *out_len)
{
    if (n == NULL || e == NULL || out_len == NULL)
        return OPGP_E_INVALID_ARG;
    while (n_len > 0 && n[0] == 0) { n++; n_len--; }
    while (e_len > 0 && e[0] == 0) { e++; e_len--; }
    /* RSAPUBKEY holds the exponent in 32 bits. */
    if (n_len == 0 || n_len > OPGP_MAX_RSA_BYTES || e_len == 0 || e_len > 4)
        return OPGP_E_INVALID_ARG;
    size_t need = 8 + 12 + n_len;
    if (out == NULL) {
        *out_len = need;
        return OPGP_OK;
    }
    if (*out_len < need) {
        *out_len = need;
        return OPGP_E_BUFFER_TOO_SMALL;
    }
    uint32_t exp = 0;
    for (size_t i = 0; i < e_len; i++)
        exp = (exp << 8) | e[i];
    out[0] = PUBLICKEYBLOB;
    out[1] = CUR_BLOB_VERSION;
    out[2] = 0;
    out[3] = 0;
    put_le32(out + 4, alg);
    put_le32(out + 8, BCRYPT_RSAPUBLIC_MAGIC);
    put_le32(out + 12, (uint32_t)(n_len * 8));
    put_le32(out + 16, exp);
    memcpy(out + 20, n, n_len);
    md_reverse(out + 20, n_len);
    *out_len = need;
    return OPGP_OK;
}

opgp_status md_ecc_pubkey_blob(ULONG magic, const uint8_t *point, size_t point_len,
                               uint8_t *out, size_t *out_len)
{
    if (point == NULL || out_len == NULL || magic == 0)
        return OPGP_E_INVALID_ARG;
    if (point_len < 3 || point[0] != 0x04 || (point_len - 1) % 2 != 0)
        return OPGP_E_INVALID_ARG;
    size_t coord = (point_len - 1) / 2;
    size_t need = 8 + 2 * coord;
    if (out == NULL) {
        *out_len = need;
        return OPGP_OK;
    }
    if (*out_len < need) {
        *out_len = need;
        return OPGP_E_BUFFER_TOO_SMALL;
    }
    put_le32(out, magic);
    put_le32(out + 4, (uint32_t)coord);
    memcpy(out + 8, point + 1, 2 * coord); /* X and Y stay big-endian */
    *out_len = need;
    return OPGP_OK;
}

ULONG md_ecc_magic(opgp_curve c, bool ecdh)
{
    switch (c) {
    case OPGP_CURVE_P256:
        return ecdh ? BCRYPT_ECDH_PUBLIC_P256_MAGIC : BCRYPT_ECDSA_PUBLIC_P256_MAGIC;
    case OPGP_CURVE_P384:
        return ecdh ? BCRYPT_ECDH_PUBLIC_P384_MAGIC : BCRYPT_ECDSA_PUBLIC_P384_MAGIC;
    case OPGP_CURVE_P521:
        return ecdh ? BCRYPT_ECDH_PUBLIC_P521_MAGIC : BCRYPT_ECDSA_PUBLIC_P521_MAGIC;
    default:
        return 0;
    }
}
