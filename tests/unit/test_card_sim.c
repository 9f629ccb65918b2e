/* The card API end to end against the in-process simulator (tests/sim): signatures and
 * decipherment checked with the public key, key generation and import whose fingerprints the
 * card then holds, certificates, PIN handling in both wrong-PIN dialects and with a KDF-DO,
 * factory reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "opgp/card.h"
#include "opgp/crypto.h"
#include "opgp_sim.h"

typedef struct simcard {
    opgp_sim *sim;
    opgp_transport *t;
    opgp_card *card;
} simcard;

static void sc_open(simcard *c, const opgp_sim_options *opt, const char *alg)
{
    c->sim = opgp_sim_new(opt);
    assert_non_null(c->sim);
    if (alg)
        assert_int_equal(opgp_sim_provision(c->sim, alg), 0);
    c->t = opgp_sim_transport_new(c->sim);
    assert_non_null(c->t);
    opgp_error err;
    opgp_status st = opgp_card_open(c->t, &c->card, &err);
    if (st != OPGP_OK)
        fail_msg("open: %s sw %04X", opgp_status_str(st), err.sw);
}

static void sc_close(simcard *c)
{
    opgp_card_close(c->card);
    opgp_transport_close(c->t);
    opgp_sim_free(c->sim);
}

static void verify_ok(opgp_card *card, int ref, const char *pin)
{
    opgp_error err;
    opgp_status st = opgp_card_verify(card, ref, (const uint8_t *)pin, strlen(pin), &err);
    if (st != OPGP_OK)
        fail_msg("verify %X: %s sw %04X", ref, opgp_status_str(st), err.sw);
}

/* Verify sig over digest (already hashed with md) with the simulator's public key. */
static int check_sig(EVP_PKEY *pk, const EVP_MD *md, const uint8_t *digest, size_t dlen,
                     const uint8_t *sig, size_t sig_len, bool ecdsa_raw)
{
    uint8_t der[160];
    const uint8_t *s = sig;
    size_t slen = sig_len;
    if (ecdsa_raw) {
        /* r||s to DER */
        size_t half = sig_len / 2;
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig, (int)half, NULL), *ss = BN_bin2bn(sig + half, (int)half, NULL);
        ECDSA_SIG_set0(es, r, ss);
        uint8_t *p = der;
        int n = i2d_ECDSA_SIG(es, &p);
        ECDSA_SIG_free(es);
        assert_true(n > 0);
        s = der;
        slen = (size_t)n;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
    if (EVP_PKEY_base_id(pk) == EVP_PKEY_RSA)
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
    EVP_PKEY_CTX_set_signature_md(ctx, md);
    int ok = EVP_PKEY_verify(ctx, s, slen, digest, dlen);
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static void test_rsa_sign_decrypt(void **state)
{
    (void)state;
    simcard c;
    sc_open(&c, NULL, "rsa2048");
    opgp_error err;
    uint8_t digest[32], sig[512];
    size_t dl = sizeof digest, sl = sizeof sig;
    assert_int_equal(opgp_hash(OPGP_HASH_SHA256, "msg", 3, digest, &dl), OPGP_OK);
    /* no PIN: refused, and the error names the PIN */
    assert_int_equal(opgp_card_sign(c.card, OPGP_KEY_SIG, OPGP_HASH_SHA256, digest, dl, sig, &sl,
                                    &err),
                     OPGP_E_SECURITY_STATUS);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW1_SIGN);
    verify_ok(c.card, OPGP_PIN_PW1_SIGN, OPGP_SIM_PW1);
    sl = sizeof sig;
    assert_int_equal(opgp_card_sign(c.card, OPGP_KEY_SIG, OPGP_HASH_SHA256, digest, dl, sig, &sl,
                                    &err),
                     OPGP_OK);
    assert_int_equal(sl, 256);
    EVP_PKEY *pk = opgp_sim_public_key(c.sim, OPGP_SIM_SIG);
    assert_int_equal(check_sig(pk, EVP_sha256(), digest, dl, sig, sl, false), 1);
    EVP_PKEY_free(pk);

    /* decrypt what the public key encrypted */
    verify_ok(c.card, OPGP_PIN_PW1, OPGP_SIM_PW1);
    pk = opgp_sim_public_key(c.sim, OPGP_SIM_DEC);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
    uint8_t ct[256];
    size_t ctl = sizeof ct;
    assert_int_equal(EVP_PKEY_encrypt(ctx, ct, &ctl, (const uint8_t *)"secret", 6), 1);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    uint8_t pt[256];
    size_t ptl = sizeof pt;
    assert_int_equal(opgp_card_decipher(c.card, ct, ctl, pt, &ptl, &err), OPGP_OK);
    assert_int_equal(ptl, 6);
    assert_memory_equal(pt, "secret", 6);

    /* the card holds the fingerprints of its keys: recompute from public key and time */
    const opgp_appdata *ad = opgp_card_appdata(c.card);
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
        opgp_public_key pub;
        uint8_t fpr[20];
        assert_int_equal(opgp_card_read_public_key(c.card, (opgp_key_slot)s, &pub, &err), OPGP_OK);
        assert_int_equal(opgp_fingerprint_v4(&pub, ad->gen_time[s], fpr), OPGP_OK);
        assert_memory_equal(fpr, ad->fpr[s], 20);
    }
    /* certificates: each slot its own */
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
        uint8_t cert[4096];
        size_t cl = sizeof cert, want_len = 0;
        assert_int_equal(opgp_card_read_cert(c.card, (opgp_key_slot)s, cert, &cl, &err), OPGP_OK);
        const uint8_t *want = opgp_sim_certificate(c.sim, s, &want_len);
        assert_non_null(want);
        assert_int_equal(cl, want_len);
        assert_memory_equal(cert, want, cl);
    }
    sc_close(&c);
}

static void test_ecc_sign_ecdh(void **state)
{
    (void)state;
    simcard c;
    sc_open(&c, NULL, "p384");
    opgp_error err;
    verify_ok(c.card, OPGP_PIN_PW1, OPGP_SIM_PW1);
    uint8_t digest[48], sig[256];
    size_t dl = sizeof digest, sl = sizeof sig;
    assert_int_equal(opgp_hash(OPGP_HASH_SHA384, "msg", 3, digest, &dl), OPGP_OK);
    assert_int_equal(opgp_card_sign(c.card, OPGP_KEY_AUT, OPGP_HASH_SHA384, digest, dl, sig, &sl,
                                    &err),
                     OPGP_OK);
    assert_int_equal(sl, 96);
    EVP_PKEY *pk = opgp_sim_public_key(c.sim, OPGP_SIM_AUT);
    assert_int_equal(check_sig(pk, EVP_sha384(), digest, dl, sig, sl, true), 1);
    EVP_PKEY_free(pk);

    /* ECDH with an ephemeral key: the card's secret equals ours */
    EVP_PKEY *dec = opgp_sim_public_key(c.sim, OPGP_SIM_DEC);
    EVP_PKEY *eph = EVP_EC_gen("P-384");
    assert_non_null(eph);
    uint8_t point[133];
    size_t pl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_PUB_KEY, point,
                                                     sizeof point, &pl),
                     1);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(eph, NULL);
    assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(ctx, dec), 1);
    uint8_t want[64];
    size_t wl = sizeof want;
    assert_int_equal(EVP_PKEY_derive(ctx, want, &wl), 1);
    EVP_PKEY_CTX_free(ctx);
    uint8_t got[133];
    size_t gl = sizeof got;
    assert_int_equal(opgp_card_decipher(c.card, point, pl, got, &gl, &err), OPGP_OK);
    assert_int_equal(gl, wl);
    assert_memory_equal(got, want, wl);
    EVP_PKEY_free(eph);
    EVP_PKEY_free(dec);
    sc_close(&c);
}

static void test_generate_and_fingerprint(void **state)
{
    (void)state;
    simcard c;
    sc_open(&c, NULL, NULL); /* factory card */
    opgp_error err;
    assert_false(opgp_appdata_key_present(opgp_card_appdata(c.card), OPGP_KEY_AUT));
    verify_ok(c.card, OPGP_PIN_PW3, OPGP_SIM_PW3);
    opgp_algo_attr a;
    assert_int_equal(opgp_algo_attr_ecc(OPGP_ALGO_EDDSA, OPGP_CURVE_ED25519, &a), OPGP_OK);
    assert_int_equal(opgp_card_set_algo_attr(c.card, OPGP_KEY_AUT, &a, &err), OPGP_OK);
    opgp_public_key pk;
    assert_int_equal(opgp_card_generate_key(c.card, OPGP_KEY_AUT, 1700000000u, &pk, &err),
                     OPGP_OK);
    assert_int_equal(pk.point_len, 32);
    uint8_t held[20];
    assert_true(opgp_sim_fingerprint(c.sim, OPGP_SIM_AUT, held));
    assert_memory_equal(held, opgp_card_appdata(c.card)->fpr[OPGP_KEY_AUT], 20);
    /* what we cached is what the card now reports */
    assert_int_equal(opgp_card_refresh_appdata(c.card, &err), OPGP_OK);
    assert_memory_equal(held, opgp_card_appdata(c.card)->fpr[OPGP_KEY_AUT], 20);
    assert_int_equal(opgp_card_appdata(c.card)->gen_time[OPGP_KEY_AUT], 1700000000u);
    assert_true(opgp_appdata_key_present(opgp_card_appdata(c.card), OPGP_KEY_AUT));

    /* EdDSA signs the message itself */
    verify_ok(c.card, OPGP_PIN_PW1, OPGP_SIM_PW1);
    uint8_t sig[64];
    size_t sl = sizeof sig;
    assert_int_equal(opgp_card_sign_raw(c.card, OPGP_KEY_AUT, (const uint8_t *)"hello", 5, sig,
                                        &sl, &err),
                     OPGP_OK);
    EVP_PKEY *epk = opgp_sim_public_key(c.sim, OPGP_SIM_AUT);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(m, NULL, NULL, NULL, epk), 1);
    assert_int_equal(EVP_DigestVerify(m, sig, sl, (const uint8_t *)"hello", 5), 1);
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(epk);

    /* certificate write, read back, delete */
    const uint8_t cert[] = {0x30, 0x03, 0x02, 0x01, 0x07};
    assert_int_equal(opgp_card_write_cert(c.card, OPGP_KEY_DEC, cert, sizeof cert, &err),
                     OPGP_OK);
    uint8_t back[64];
    size_t bl = sizeof back;
    assert_int_equal(opgp_card_read_cert(c.card, OPGP_KEY_DEC, back, &bl, &err), OPGP_OK);
    assert_int_equal(bl, sizeof cert);
    bl = sizeof back;
    assert_int_equal(opgp_card_read_cert(c.card, OPGP_KEY_SIG, back, &bl, &err), OPGP_OK);
    assert_int_equal(bl, 0);
    assert_int_equal(opgp_card_write_cert(c.card, OPGP_KEY_DEC, NULL, 0, &err), OPGP_OK);
    bl = sizeof back;
    assert_int_equal(opgp_card_read_cert(c.card, OPGP_KEY_DEC, back, &bl, &err), OPGP_OK);
    assert_int_equal(bl, 0);
    sc_close(&c);
}

static void test_import_p256(void **state)
{
    (void)state;
    simcard c;
    sc_open(&c, NULL, NULL);
    opgp_error err;
    verify_ok(c.card, OPGP_PIN_PW3, OPGP_SIM_PW3);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    BIGNUM *d = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
    uint8_t scalar[32], point[65];
    assert_int_equal(BN_bn2binpad(d, scalar, 32), 32);
    size_t pl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point,
                                                     sizeof point, &pl),
                     1);
    opgp_private_key k;
    memset(&k, 0, sizeof k);
    assert_int_equal(opgp_algo_attr_ecc(OPGP_ALGO_ECDSA, OPGP_CURVE_P256, &k.attr), OPGP_OK);
    k.scalar = scalar;
    k.scalar_len = 32;
    k.pub = point;
    k.pub_len = pl;
    assert_int_equal(opgp_card_import_key(c.card, OPGP_KEY_SIG, &k, 1600000000u, &err), OPGP_OK);
    opgp_wipe(scalar, sizeof scalar);
    uint8_t held[20];
    assert_true(opgp_sim_fingerprint(c.sim, OPGP_SIM_SIG, held));
    assert_memory_equal(held, opgp_card_appdata(c.card)->fpr[OPGP_KEY_SIG], 20);
    /* the card's public key is the one imported */
    opgp_public_key pub;
    assert_int_equal(opgp_card_read_public_key(c.card, OPGP_KEY_SIG, &pub, &err), OPGP_OK);
    assert_int_equal(pub.point_len, pl);
    assert_memory_equal(pub.point, point, pl);
    BN_clear_free(d);
    EVP_PKEY_free(key);
    sc_close(&c);
}

static void wrong_pin_dialect(bool six_nine_eight_two)
{
    opgp_sim_options opt = {.wrong_pin_6982 = six_nine_eight_two};
    simcard c;
    sc_open(&c, &opt, "rsa2048");
    opgp_error err;
    opgp_sim_stats st0, st1;
    opgp_sim_get_stats(c.sim, &st0);
    assert_int_equal(opgp_card_verify(c.card, OPGP_PIN_PW1, (const uint8_t *)"000000", 6, &err),
                     OPGP_E_WRONG_PIN);
    assert_int_equal(err.tries_left, 2);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW1);
    opgp_sim_get_stats(c.sim, &st1);
    assert_int_equal(st1.verifies - st0.verifies, 1); /* the PIN went to the card once */
    /* Reset Code set by admin, then used to unblock */
    verify_ok(c.card, OPGP_PIN_PW3, OPGP_SIM_PW3);
    assert_int_equal(opgp_card_change_pin(c.card, OPGP_PIN_PW1, (const uint8_t *)OPGP_SIM_PW1, 6,
                                          (const uint8_t *)"222222", 6, &err),
                     OPGP_OK);
    verify_ok(c.card, OPGP_PIN_PW1, "222222");
    assert_int_equal(opgp_card_unblock_pin(c.card, (const uint8_t *)OPGP_SIM_RC, 8,
                                           (const uint8_t *)"333333", 6, &err),
                     OPGP_OK);
    verify_ok(c.card, OPGP_PIN_PW1, "333333");
    assert_int_equal(opgp_card_unblock_pin(c.card, (const uint8_t *)"00000000", 8,
                                           (const uint8_t *)"444444", 6, &err),
                     OPGP_E_WRONG_PIN);
    assert_int_equal(err.pin_ref, OPGP_PIN_RC);
    assert_int_equal(err.tries_left, 2);
    assert_int_equal(opgp_card_refresh_status(c.card, &err), OPGP_OK);
    assert_int_equal(opgp_card_appdata(c.card)->pw.tries_rc, 2);
    sc_close(&c);
}

static void test_wrong_pin_63cx(void **state)
{
    (void)state;
    wrong_pin_dialect(false);
}

static void test_wrong_pin_6982(void **state)
{
    (void)state;
    wrong_pin_dialect(true);
}

static void test_kdf_card(void **state)
{
    (void)state;
    opgp_sim_options opt = {.kdf = true};
    simcard c;
    sc_open(&c, &opt, "p256");
    assert_true(opgp_card_appdata(c.card)->kdf.present);
    assert_int_equal(opgp_card_appdata(c.card)->kdf.algo, OPGP_KDF_ITERSALTED_S2K);
    verify_ok(c.card, OPGP_PIN_PW1, OPGP_SIM_PW1);
    verify_ok(c.card, OPGP_PIN_PW3, OPGP_SIM_PW3);
    opgp_error err;
    assert_int_equal(opgp_card_verify(c.card, OPGP_PIN_PW1, (const uint8_t *)"654321", 6, &err),
                     OPGP_E_WRONG_PIN);
    sc_close(&c);
}

static void test_reset_and_factory_reset(void **state)
{
    (void)state;
    simcard c;
    sc_open(&c, NULL, "rsa2048");
    opgp_error err;
    verify_ok(c.card, OPGP_PIN_PW1, OPGP_SIM_PW1);
    opgp_sim_reset(c.sim);
    assert_int_equal(opgp_card_reselect(c.card, &err), OPGP_OK);
    bool verified = true;
    int tries = -1;
    assert_int_equal(opgp_card_pin_status(c.card, OPGP_PIN_PW1, &verified, &tries, &err), OPGP_OK);
    assert_false(verified);
    assert_int_equal(tries, 3);

    uint8_t rnd[32];
    assert_int_equal(opgp_card_get_challenge(c.card, rnd, sizeof rnd, &err), OPGP_OK);

    verify_ok(c.card, OPGP_PIN_PW3, OPGP_SIM_PW3);
    assert_int_equal(opgp_card_set_name(c.card, "Doe<<Jane", &err), OPGP_OK);
    opgp_cardholder ch;
    assert_int_equal(opgp_card_get_cardholder(c.card, &ch, &err), OPGP_OK);
    assert_string_equal(ch.name, "Doe<<Jane");
    assert_int_equal(opgp_card_factory_reset(c.card, &err), OPGP_OK);
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++)
        assert_false(opgp_appdata_key_present(opgp_card_appdata(c.card), (opgp_key_slot)s));
    assert_int_equal(opgp_card_get_cardholder(c.card, &ch, &err), OPGP_OK);
    assert_string_equal(ch.name, "");
    sc_close(&c);
}

/* The simulator's transport without get_atr, as a transcript replay is: nothing known before
 * 6E. */
typedef struct no_atr {
    opgp_transport base;
    opgp_transport *inner;
} no_atr;

static opgp_status na_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                               uint8_t *resp, size_t *resp_len)
{
    return opgp_transport_transmit(((no_atr *)t)->inner, cmd, cmd_len, resp, resp_len);
}

static opgp_status na_begin(opgp_transport *t) { return opgp_transport_begin(((no_atr *)t)->inner); }
static opgp_status na_end(opgp_transport *t) { return opgp_transport_end(((no_atr *)t)->inner); }
static void na_close(opgp_transport *t) { (void)t; }

static const struct opgp_transport_ops no_atr_ops = {
    .transmit = na_transmit, .begin = na_begin, .end = na_end, .close = na_close,
};

/* APDUs of opening the simulated card, with or without its ATR. */
static void open_stats(bool atr, opgp_sim_stats *st)
{
    opgp_sim *sim = opgp_sim_new(NULL);
    assert_non_null(sim);
    assert_int_equal(opgp_sim_provision(sim, "rsa2048"), 0);
    opgp_transport *t = opgp_sim_transport_new(sim);
    assert_non_null(t);
    no_atr wrapped = {.base = {.ops = &no_atr_ops}, .inner = t};
    opgp_card *card;
    opgp_error err;
    assert_int_equal(opgp_card_open(atr ? t : &wrapped.base, &card, &err), OPGP_OK);
    opgp_sim_get_stats(sim, st);
    assert_true(opgp_card_appdata(card)->has_ext_len_info);
    opgp_card_close(card);
    opgp_transport_close(t);
    opgp_sim_free(sim);
}

/* Opening reads 6E (longer than 256 bytes here) in one response when the ATR's card
 * capabilities announce extended Lc/Le; without an ATR, short Le and a GET RESPONSE for 6E's
 * rest, as before. */
static void test_open_reads_6e_with_atr_le(void **state)
{
    (void)state;
    opgp_sim_stats ext, shrt;
    open_stats(true, &ext);
    open_stats(false, &shrt);
    assert_int_equal(ext.get_responses, 0);
    assert_int_equal(shrt.get_responses, 1);
    assert_int_equal(ext.apdus + 1, shrt.apdus);
}

static unsigned long sim_apdus(opgp_sim *sim)
{
    opgp_sim_stats st;
    opgp_sim_get_stats(sim, &st);
    return st.apdus;
}

/* opgp_card_open_selected: one GET DATA 6E when our application is still selected; after a reset
 * (nothing selected) the refused 6E is followed by SELECT and 6E, and the card works; so it is
 * when another application refuses the GET DATA. */
static void test_open_selected_proves_selection(void **state)
{
    (void)state;
    simcard c;
    sc_open(&c, NULL, "rsa2048");
    opgp_card *again = NULL;
    unsigned long before = sim_apdus(c.sim);
    assert_int_equal(opgp_card_open_selected(c.t, &again, NULL), OPGP_OK);
    assert_int_equal(sim_apdus(c.sim) - before, 1);
    assert_memory_equal(opgp_card_appdata(again)->aid.raw, opgp_card_appdata(c.card)->aid.raw,
                        OPGP_AID_LEN);
    opgp_card_close(again);

    opgp_sim_power(c.sim, false);
    opgp_sim_power(c.sim, true);
    before = sim_apdus(c.sim);
    opgp_status st = opgp_card_open_selected(c.t, &again, NULL);
    if (st == OPGP_E_CARD_RESET)
        st = opgp_card_open_selected(c.t, &again, NULL);
    assert_int_equal(st, OPGP_OK);
    assert_true(sim_apdus(c.sim) - before <= 3);
    verify_ok(again, 0x82, "123456");
    opgp_card_close(again);

    /* Another application answers the GET DATA with 6D00: SELECT follows. */
    opgp_sim_fault_spec f = {.kind = OPGP_SIM_FAULT_SW, .after = 0, .count = 1, .sw = 0x6D00};
    opgp_sim_fault(c.sim, &f);
    before = sim_apdus(c.sim);
    assert_int_equal(opgp_card_open_selected(c.t, &again, NULL), OPGP_OK);
    assert_int_equal(sim_apdus(c.sim) - before, 3);
    opgp_card_close(again);
    sc_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_sign_decrypt),
        cmocka_unit_test(test_ecc_sign_ecdh),
        cmocka_unit_test(test_generate_and_fingerprint),
        cmocka_unit_test(test_import_p256),
        cmocka_unit_test(test_wrong_pin_63cx),
        cmocka_unit_test(test_wrong_pin_6982),
        cmocka_unit_test(test_kdf_card),
        cmocka_unit_test(test_reset_and_factory_reset),
        cmocka_unit_test(test_open_reads_6e_with_atr_le),
        cmocka_unit_test(test_open_selected_proves_selection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
