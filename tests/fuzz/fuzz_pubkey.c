/* libFuzzer target: opgp_public_key_decode of a 7F49 template for every kind of algorithm
 * attributes a slot can have (RSA, each algorithm on each curve, an unknown curve), and the
 * v4 fingerprint of what decodes. Input: one byte choosing the attributes, then the template. */
#include <stdint.h>
#include <string.h>

#include "fuzz_transport.h"
#include "opgp/card.h"

static const struct {
    opgp_algo_id algo;
    opgp_curve curve;
} ecc_kinds[] = {
    {OPGP_ALGO_ECDSA, OPGP_CURVE_P256},           {OPGP_ALGO_ECDH, OPGP_CURVE_P256},
    {OPGP_ALGO_ECDSA, OPGP_CURVE_P384},           {OPGP_ALGO_ECDH, OPGP_CURVE_P384},
    {OPGP_ALGO_ECDSA, OPGP_CURVE_P521},           {OPGP_ALGO_ECDH, OPGP_CURVE_P521},
    {OPGP_ALGO_ECDSA, OPGP_CURVE_BRAINPOOL_P256R1}, {OPGP_ALGO_ECDH, OPGP_CURVE_BRAINPOOL_P256R1},
    {OPGP_ALGO_ECDSA, OPGP_CURVE_BRAINPOOL_P384R1}, {OPGP_ALGO_ECDH, OPGP_CURVE_BRAINPOOL_P384R1},
    {OPGP_ALGO_ECDSA, OPGP_CURVE_BRAINPOOL_P512R1}, {OPGP_ALGO_ECDH, OPGP_CURVE_BRAINPOOL_P512R1},
    {OPGP_ALGO_ECDSA, OPGP_CURVE_SECP256K1},      {OPGP_ALGO_ECDH, OPGP_CURVE_SECP256K1},
    {OPGP_ALGO_EDDSA, OPGP_CURVE_ED25519},        {OPGP_ALGO_ECDH, OPGP_CURVE_X25519},
};
#define N_ECC (sizeof ecc_kinds / sizeof ecc_kinds[0])
static const uint16_t rsa_bits[] = {1024, 2048, 3072, 4096};
#define N_RSA (sizeof rsa_bits / sizeof rsa_bits[0])

/* Kinds: RSA sizes, then the ECC table, then an ECDSA key on a curve with no name here. */
static void attr_for(uint8_t sel, opgp_algo_attr *a)
{
    unsigned k = sel % (N_RSA + N_ECC + 1);
    if (k < N_RSA) {
        *a = opgp_algo_attr_rsa(rsa_bits[k]);
        return;
    }
    k -= N_RSA;
    if (k < N_ECC) {
        FUZZ_ASSERT(opgp_algo_attr_ecc(ecc_kinds[k].algo, ecc_kinds[k].curve, a) == OPGP_OK,
                    "table attributes valid");
        return;
    }
    static const uint8_t odd_oid[] = {0x2B, 0x81, 0x04, 0x00, 0x99};
    memset(a, 0, sizeof *a);
    a->algo = OPGP_ALGO_ECDSA;
    a->curve = OPGP_CURVE_UNKNOWN;
    memcpy(a->oid, odd_oid, sizeof odd_oid);
    a->oid_len = sizeof odd_oid;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    opgp_algo_attr attr;
    attr_for(data[0], &attr);
    opgp_public_key pk;
    if (opgp_public_key_decode(data + 1, size - 1, &attr, &pk) != OPGP_OK)
        return 0;
    FUZZ_ASSERT(opgp_algo_attr_equal(&pk.attr, &attr), "attributes kept");
    if (attr.algo == OPGP_ALGO_RSA) {
        FUZZ_ASSERT(pk.n_len >= 1 && pk.n_len <= sizeof pk.n, "modulus fits");
        FUZZ_ASSERT(pk.e_len >= 1 && pk.e_len <= sizeof pk.e, "exponent fits");
        FUZZ_ASSERT(pk.n_len == 1 || pk.n[0] != 0, "modulus without leading zeros");
        FUZZ_ASSERT(pk.point_len == 0, "no point for RSA");
    } else {
        FUZZ_ASSERT(pk.point_len >= 1 && pk.point_len <= sizeof pk.point, "point fits");
        FUZZ_ASSERT(pk.n_len == 0 && pk.e_len == 0, "no RSA numbers for ECC");
    }
    uint8_t fpr[20], again[20];
    uint32_t created = size >= 5 ? ((uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
                                    (uint32_t)data[3] << 8 | data[4])
                                 : 0;
    if (opgp_fingerprint_v4(&pk, created, fpr) == OPGP_OK) {
        FUZZ_ASSERT(opgp_fingerprint_v4(&pk, created, again) == OPGP_OK &&
                        memcmp(fpr, again, 20) == 0,
                    "fingerprint deterministic");
    }
    return 0;
}
