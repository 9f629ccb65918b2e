/* Algorithm names, curves and DigestInfo prefixes. */
#include <string.h>

#include "ksp.h"

static const uint8_t oid_p256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const uint8_t oid_p384[] = { 0x2B, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t oid_p521[] = { 0x2B, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t oid_bp256[] = { 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 };
static const uint8_t oid_bp384[] = { 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B };
static const uint8_t oid_bp512[] = { 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D };

/* Brainpool has no curve-specific algorithm names or blob magics in CNG: keys on those curves
 * are "ECDSA" / "ECDH" with NCRYPT_ECC_CURVE_NAME_PROPERTY, their public blobs carry the generic
 * magic, as Windows (10 and later) does for named-curve keys. */
static const ksp_curve curves[] = {
    { oid_p256, sizeof oid_p256, BCRYPT_ECC_CURVE_NISTP256, NCRYPT_ECDSA_P256_ALGORITHM,
      NCRYPT_ECDH_P256_ALGORITHM, BCRYPT_ECDSA_PUBLIC_P256_MAGIC, BCRYPT_ECDH_PUBLIC_P256_MAGIC,
      32 },
    { oid_p384, sizeof oid_p384, BCRYPT_ECC_CURVE_NISTP384, NCRYPT_ECDSA_P384_ALGORITHM,
      NCRYPT_ECDH_P384_ALGORITHM, BCRYPT_ECDSA_PUBLIC_P384_MAGIC, BCRYPT_ECDH_PUBLIC_P384_MAGIC,
      48 },
    { oid_p521, sizeof oid_p521, BCRYPT_ECC_CURVE_NISTP521, NCRYPT_ECDSA_P521_ALGORITHM,
      NCRYPT_ECDH_P521_ALGORITHM, BCRYPT_ECDSA_PUBLIC_P521_MAGIC, BCRYPT_ECDH_PUBLIC_P521_MAGIC,
      66 },
    { oid_bp256, sizeof oid_bp256, BCRYPT_ECC_CURVE_BRAINPOOLP256R1, NULL, NULL,
      BCRYPT_ECDSA_PUBLIC_GENERIC_MAGIC, BCRYPT_ECDH_PUBLIC_GENERIC_MAGIC, 32 },
    { oid_bp384, sizeof oid_bp384, BCRYPT_ECC_CURVE_BRAINPOOLP384R1, NULL, NULL,
      BCRYPT_ECDSA_PUBLIC_GENERIC_MAGIC, BCRYPT_ECDH_PUBLIC_GENERIC_MAGIC, 48 },
    { oid_bp512, sizeof oid_bp512, BCRYPT_ECC_CURVE_BRAINPOOLP512R1, NULL, NULL,
      BCRYPT_ECDSA_PUBLIC_GENERIC_MAGIC, BCRYPT_ECDH_PUBLIC_GENERIC_MAGIC, 64 },
};
#define CURVE_COUNT (sizeof curves / sizeof curves[0])

const ksp_curve *ksp_curve_of(const opgp_tok_key *k)
{
    if (k->type != OPGP_TOK_KEY_EC)
        return NULL;
    const uint8_t *oid = k->ec_params;
    size_t len = k->ec_params_len;
    /* The token gives the DER OID; accept its body alone too. */
    if (len >= 2 && oid[0] == 0x06 && oid[1] == len - 2) {
        oid += 2;
        len -= 2;
    }
    for (size_t i = 0; i < CURVE_COUNT; i++)
        if (curves[i].oid_len == len && memcmp(curves[i].oid, oid, len) == 0)
            return &curves[i];
    return NULL;
}

const ksp_curve *ksp_curve_by_bytes_magic(DWORD magic, unsigned bytes)
{
    for (size_t i = 0; i < CURVE_COUNT; i++) {
        const ksp_curve *c = &curves[i];
        if (c->bytes == bytes && (c->ecdsa_magic == magic || c->ecdh_magic == magic))
            return c;
    }
    return NULL;
}

/* OpenPGP: the decryption key of an EC card is an ECDH key, the others ECDSA. */
static bool is_ecdh(const opgp_tok_key *k)
{
    return k->can_derive && !k->can_sign;
}

const wchar_t *ksp_key_algorithm(const opgp_tok_key *k)
{
    if (k->type == OPGP_TOK_KEY_RSA)
        return NCRYPT_RSA_ALGORITHM;
    const ksp_curve *c = ksp_curve_of(k);
    if (c == NULL)
        return NULL;
    if (is_ecdh(k))
        return c->ecdh_alg != NULL ? c->ecdh_alg : BCRYPT_ECDH_ALGORITHM;
    return c->ecdsa_alg != NULL ? c->ecdsa_alg : BCRYPT_ECDSA_ALGORITHM;
}

const wchar_t *ksp_key_group(const opgp_tok_key *k)
{
    if (k->type == OPGP_TOK_KEY_RSA)
        return NCRYPT_RSA_ALGORITHM_GROUP;
    if (ksp_curve_of(k) == NULL)
        return NULL;
    return is_ecdh(k) ? NCRYPT_ECDH_ALGORITHM_GROUP : NCRYPT_ECDSA_ALGORITHM_GROUP;
}

const uint8_t *ksp_digest_info(const wchar_t *alg, size_t *prefix_len, size_t *hash_len)
{
    /* CNG callers of a KSP sign with the SHA family; MD5 is for the CSP's CryptoAPI callers. */
    if (wcscmp(alg, BCRYPT_MD5_ALGORITHM) == 0)
        return NULL;
    return winprov_digest_info(alg, prefix_len, hash_len);
}
