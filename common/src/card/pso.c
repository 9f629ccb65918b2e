/* Private key operations: PSO:COMPUTE DIGITAL SIGNATURE, INTERNAL AUTHENTICATE, PSO:DECIPHER.
 * What the card expects as input depends on the slot's algorithm (spec 3.4.1 7.2.10-7.2.13):
 * RSA a DigestInfo, ECDSA the hash, EdDSA the message, ECDH the peer's public key. */
#include <string.h>

#include "card_internal.h"
#include "opgp/crypto.h"
#include "opgp/digestinfo.h"
#include "opgp/tlv.h"

const opgp_digestinfo *card_digestinfo_for(opgp_hash_alg hash)
{
    switch (hash) {
    case OPGP_HASH_SHA1: return opgp_digestinfo_get(OPGP_DIGEST_SHA1);
    case OPGP_HASH_SHA224: return opgp_digestinfo_get(OPGP_DIGEST_SHA224);
    case OPGP_HASH_SHA256: return opgp_digestinfo_get(OPGP_DIGEST_SHA256);
    case OPGP_HASH_SHA384: return opgp_digestinfo_get(OPGP_DIGEST_SHA384);
    case OPGP_HASH_SHA512: return opgp_digestinfo_get(OPGP_DIGEST_SHA512);
    default: return NULL;
    }
}

opgp_status opgp_card_sign_raw(opgp_card *card, opgp_key_slot slot, const uint8_t *in,
                               size_t in_len, uint8_t *sig, size_t *sig_len, opgp_error *err)
{
    card_err_init(err);
    if (!card || !in || in_len == 0 || !sig || !sig_len ||
        (slot != OPGP_KEY_SIG && slot != OPGP_KEY_AUT))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    opgp_apdu cmd = {.cla = 0x00, .data = in, .data_len = in_len, .le = OPGP_LE_MAX};
    int pin_ref;
    if (slot == OPGP_KEY_SIG) {
        cmd.ins = INS_PSO;
        cmd.p1 = 0x9E;
        cmd.p2 = 0x9A;
        pin_ref = OPGP_PIN_PW1_SIGN;
    } else {
        cmd.ins = INS_INTERNAL_AUTH;
        pin_ref = OPGP_PIN_PW1;
    }
    size_t cap = *sig_len;
    opgp_status st = card_cmd(card, &cmd, sig, sig_len, err, 0);
    if (st == OPGP_E_SECURITY_STATUS && err)
        err->pin_ref = pin_ref; /* the PIN that must be verified first */
    if (st != OPGP_OK) {
        opgp_wipe(sig, cap);
        *sig_len = 0;
    }
    return st;
}

opgp_status opgp_card_sign(opgp_card *card, opgp_key_slot slot, opgp_hash_alg hash,
                           const uint8_t *digest, size_t digest_len, uint8_t *sig,
                           size_t *sig_len, opgp_error *err)
{
    card_err_init(err);
    if (!card || !digest || (slot != OPGP_KEY_SIG && slot != OPGP_KEY_AUT) ||
        digest_len != opgp_hash_size(hash) || digest_len == 0)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    const opgp_algo_attr *a = &card->appdata.attr[slot];
    switch (a->algo) {
    case OPGP_ALGO_RSA: {
        const opgp_digestinfo *di = card_digestinfo_for(hash);
        if (!di || di->hash_len != digest_len)
            return card_err_set(err, OPGP_E_NOT_SUPPORTED);
        uint8_t in[32 + OPGP_HASH_MAX_SIZE];
        if (di->prefix_len + digest_len > sizeof in)
            return card_err_set(err, OPGP_E_INTERNAL);
        memcpy(in, di->prefix, di->prefix_len);
        memcpy(in + di->prefix_len, digest, digest_len);
        return opgp_card_sign_raw(card, slot, in, di->prefix_len + digest_len, sig, sig_len,
                                  err);
    }
    case OPGP_ALGO_ECDSA:
        /* The whole digest: ECDSA itself uses the leftmost bits when it is longer than the
         * curve order, and the card applies that rule. */
        return opgp_card_sign_raw(card, slot, digest, digest_len, sig, sig_len, err);
    case OPGP_ALGO_EDDSA:
        /* EdDSA signs the message, not a digest of it. */
        return card_err_set(err, OPGP_E_INVALID_ARG);
    default:
        return card_err_set(err, OPGP_E_NOT_SUPPORTED);
    }
}

opgp_status opgp_card_decipher(opgp_card *card, const uint8_t *in, size_t in_len, uint8_t *out,
                               size_t *out_len, opgp_error *err)
{
    card_err_init(err);
    if (!card || !in || in_len == 0 || !out || !out_len)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    const opgp_algo_attr *a = &card->appdata.attr[OPGP_KEY_DEC];
    uint8_t data[1 + OPGP_MAX_RSA_BYTES + 16];
    opgp_buf b;
    opgp_buf_init(&b, data, sizeof data);
    if (a->algo == OPGP_ALGO_RSA) {
        size_t mod_len = opgp_algo_attr_key_bytes(a);
        if (mod_len > OPGP_MAX_RSA_BYTES)
            return card_err_set(err, OPGP_E_NOT_SUPPORTED);
        if (in_len > OPGP_MAX_RSA_BYTES || (mod_len && in_len > mod_len))
            return card_err_set(err, OPGP_E_INVALID_ARG);
        opgp_buf_put_u8(&b, 0x00); /* padding indicator: PKCS#1 */
        /* A cryptogram is an integer below the modulus: callers that dropped its leading
         * zero bytes get them back, cards want the modulus length. */
        for (size_t i = in_len; i < mod_len; i++)
            opgp_buf_put_u8(&b, 0x00);
        opgp_buf_put(&b, in, in_len);
    } else if (a->algo == OPGP_ALGO_ECDH) {
        /* OpenPGP's native X25519 encoding has a 0x40 prefix; the card wants the 32 bytes. */
        if (a->curve == OPGP_CURVE_X25519 && in_len == 33 && in[0] == 0x40) {
            in++;
            in_len--;
        }
        if (in_len > OPGP_MAX_EC_POINT)
            return card_err_set(err, OPGP_E_INVALID_ARG);
        size_t l86 = opgp_tlv_header_size(0x86, in_len) + in_len;
        size_t l7f49 = opgp_tlv_header_size(0x7F49, l86) + l86;
        opgp_tlv_put_header(&b, 0xA6, l7f49);
        opgp_tlv_put_header(&b, 0x7F49, l86);
        opgp_tlv_put(&b, 0x86, in, in_len);
    } else {
        return card_err_set(err, OPGP_E_NOT_SUPPORTED);
    }
    if (opgp_buf_status(&b) != OPGP_OK)
        return card_err_set(err, OPGP_E_INTERNAL);
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_PSO, .p1 = 0x80, .p2 = 0x86, .data = data,
                     .data_len = b.len, .le = OPGP_LE_MAX, .sensitive_response = true};
    size_t cap = *out_len;
    opgp_status st = card_cmd(card, &cmd, out, out_len, err, 0);
    if (st == OPGP_E_SECURITY_STATUS && err)
        err->pin_ref = OPGP_PIN_PW1;
    if (st != OPGP_OK) {
        opgp_wipe(out, cap);
        *out_len = 0;
    }
    return st;
}
