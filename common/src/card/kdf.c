/* KDF-DO PIN derivation: the iterated and salted S2K of RFC 4880 3.7.1.3 with the card's hash,
 * salt and count. The count is the number of bytes fed to the hash (at least salt || PIN once). */
#include <string.h>

#include "opgp/card.h"
#include "opgp/crypto.h"

#define UNIT_MAX (OPGP_KDF_MAX_SALT + 256)
#define BLOCK 4096
/* The largest count RFC 4880's one-byte S2K coding can express (and what GnuPG writes at
 * most). The KDF-DO holds four bytes: a card announcing up to 4 GiB would make every PIN
 * operation hash for many seconds (found by tests/fuzz/fuzz_card_session). */
#define MAX_ITERATIONS 65011712u

static void pick_salt(const opgp_kdf *kdf, opgp_kdf_pin which, const uint8_t **salt,
                      size_t *len)
{
    /* A card without an RC or PW3 salt uses the PW1 salt for them. */
    *salt = kdf->salt_pw1;
    *len = kdf->salt_pw1_len;
    if (which == OPGP_KDF_PIN_RC && kdf->salt_rc_len) {
        *salt = kdf->salt_rc;
        *len = kdf->salt_rc_len;
    } else if (which == OPGP_KDF_PIN_PW3 && kdf->salt_pw3_len) {
        *salt = kdf->salt_pw3;
        *len = kdf->salt_pw3_len;
    }
}

opgp_status opgp_kdf_derive(const opgp_kdf *kdf, opgp_kdf_pin which, const uint8_t *pin,
                            size_t pin_len, uint8_t *out, size_t *out_len)
{
    if (!pin || !out || !out_len || pin_len == 0)
        return OPGP_E_INVALID_ARG;
    if (!kdf || !kdf->present || kdf->algo == OPGP_KDF_NONE) {
        if (*out_len < pin_len)
            return OPGP_E_BUFFER_TOO_SMALL;
        memcpy(out, pin, pin_len);
        *out_len = pin_len;
        return OPGP_OK;
    }
    if (kdf->algo != OPGP_KDF_ITERSALTED_S2K || kdf->iterations > MAX_ITERATIONS)
        return OPGP_E_NOT_SUPPORTED;
    opgp_hash_alg alg;
    if (kdf->hash == OPGP_KDF_HASH_SHA256)
        alg = OPGP_HASH_SHA256;
    else if (kdf->hash == OPGP_KDF_HASH_SHA512)
        alg = OPGP_HASH_SHA512;
    else
        return OPGP_E_NOT_SUPPORTED;
    if (*out_len < opgp_hash_size(alg))
        return OPGP_E_BUFFER_TOO_SMALL;
    const uint8_t *salt;
    size_t salt_len;
    pick_salt(kdf, which, &salt, &salt_len);
    if (pin_len > 256)
        return OPGP_E_INVALID_ARG;

    /* A block of repeated salt || PIN units keeps the hash calls few for large counts. */
    static const size_t block_cap = BLOCK;
    uint8_t block[BLOCK];
    size_t unit = salt_len + pin_len;
    size_t units = block_cap / unit;
    for (size_t i = 0; i < units; i++) {
        memcpy(block + i * unit, salt, salt_len);
        memcpy(block + i * unit + salt_len, pin, pin_len);
    }
    size_t block_len = units * unit;
    uint64_t remaining = kdf->iterations < unit ? unit : kdf->iterations;

    opgp_status st = OPGP_E_CRYPTO;
    opgp_hash_ctx *ctx = opgp_hash_new(alg);
    if (!ctx)
        goto out;
    while (remaining >= block_len) {
        if (opgp_hash_update(ctx, block, block_len) != OPGP_OK)
            goto out;
        remaining -= block_len;
    }
    if (remaining && opgp_hash_update(ctx, block, (size_t)remaining) != OPGP_OK)
        goto out;
    st = opgp_hash_final(ctx, out, out_len);
out:
    opgp_hash_free(ctx);
    opgp_wipe(block, sizeof block);
    return st;
}
