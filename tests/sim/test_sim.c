/* Unit tests of the simulator, in-process: PINs, signatures and decryption checked with OpenSSL,
 * GET RESPONSE and chaining, factory reset, state file, faults, KDF-DO. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "opgp_sim.h"

static uint8_t R[OPGP_MAX_RESPONSE];
static size_t RL;

static uint16_t sw(void)
{
    assert_true(RL >= 2);
    return (uint16_t)(R[RL - 2] << 8 | R[RL - 1]);
}

/* Send one APDU; ext forces extended length encoding. le < 0: no Le. Returns the SW. */
static uint16_t cmd(opgp_sim *s, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const void *data,
                    size_t lc, long le, int ext)
{
    uint8_t c[70000];
    size_t n = 0;
    c[n++] = cla;
    c[n++] = ins;
    c[n++] = p1;
    c[n++] = p2;
    if (ext) {
        if (lc) {
            c[n++] = 0;
            c[n++] = (uint8_t)(lc >> 8);
            c[n++] = (uint8_t)lc;
            memcpy(c + n, data, lc);
            n += lc;
        }
        if (le >= 0) {
            if (!lc)
                c[n++] = 0;
            c[n++] = (uint8_t)(le >> 8);
            c[n++] = (uint8_t)le;
        }
    } else {
        if (lc) {
            assert_true(lc <= 255);
            c[n++] = (uint8_t)lc;
            memcpy(c + n, data, lc);
            n += lc;
        }
        if (le >= 0)
            c[n++] = (uint8_t)le;
    }
    RL = opgp_sim_process(s, c, n, R, sizeof R);
    return sw();
}

static uint16_t hexcmd(opgp_sim *s, const char *hex)
{
    uint8_t c[512];
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        c[n++] = (uint8_t)v;
    }
    RL = opgp_sim_process(s, c, n, R, sizeof R);
    return sw();
}

static void select_app(opgp_sim *s)
{
    assert_int_equal(hexcmd(s, "00A4040006D2760001240100"), 0x9000);
}

static uint16_t verify(opgp_sim *s, uint8_t ref, const char *pin)
{
    return cmd(s, 0, 0x20, 0, ref, pin, strlen(pin), -1, 0);
}

static opgp_sim *card(const char *alg, const opgp_sim_options *o)
{
    opgp_sim *s = opgp_sim_new(o);
    assert_non_null(s);
    if (alg)
        assert_int_equal(opgp_sim_provision(s, alg), 0);
    select_app(s);
    return s;
}

/* Read a whole response through GET RESPONSE, the way a host does on 61xx. */
static size_t collect(opgp_sim *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (;;) {
        uint16_t w = sw();
        assert_true(n + RL - 2 <= cap);
        memcpy(out + n, R, RL - 2);
        n += RL - 2;
        if ((w & 0xFF00) != 0x6100)
            break;
        cmd(s, 0, 0xC0, 0, 0, NULL, 0, w & 0xFF, 0);
    }
    assert_int_equal(sw(), 0x9000);
    return n;
}

static void test_atr_and_aid(void **state)
{
    (void)state;
    opgp_sim_options o = {.serial = 0x12345678};
    opgp_sim *s = card(NULL, &o);
    uint8_t atr[40];
    size_t n = opgp_sim_atr(s, atr, sizeof atr);
    assert_int_equal(n, 21);
    static const uint8_t want[21] = {0x3B, 0xDA, 0x18, 0xFF, 0x81, 0xB1, 0xFE, 0x75, 0x1F, 0x03, 0x00,
                                     0x31, 0xC5, 0x73, 0xC0, 0x01, 0x40, 0x00, 0x90, 0x00, 0x0C};
    assert_memory_equal(atr, want, 21);
    assert_int_equal(hexcmd(s, "00CA004F00"), 0x9000);
    static const uint8_t aid[16] = {0xD2, 0x76, 0x00, 0x01, 0x24, 0x01, 0x03, 0x04,
                                    0xFF, 0xFF, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00};
    assert_int_equal(RL, 18);
    assert_memory_equal(R, aid, 16);
    /* a different card is a different serial */
    opgp_sim *t = opgp_sim_new(NULL);
    assert_int_not_equal(opgp_sim_serial(t), opgp_sim_serial(s));
    opgp_sim_free(t);
    /* no_extended: chaining announced instead; TCK still makes the XOR of T0..TCK zero */
    opgp_sim_options ne = {.no_extended = true};
    t = opgp_sim_new(&ne);
    n = opgp_sim_atr(t, atr, sizeof atr);
    uint8_t x = 0;
    for (size_t i = 1; i < n; i++)
        x ^= atr[i];
    assert_int_equal(x, 0);
    assert_int_equal(atr[16], 0x80);
    opgp_sim_free(t);
    opgp_sim_free(s);
}

static void test_pin_retry_and_block(void **state)
{
    (void)state;
    opgp_sim *s = card("p256", NULL);
    assert_int_equal(cmd(s, 0, 0x20, 0, 0x81, NULL, 0, -1, 0), 0x63C3);
    assert_int_equal(verify(s, 0x81, "654321"), 0x63C2);
    assert_int_equal(verify(s, 0x82, "000000"), 0x63C1);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000); /* right PIN restores the counter */
    assert_int_equal(cmd(s, 0, 0x20, 0, 0x81, NULL, 0, -1, 0), 0x9000);
    assert_int_equal(hexcmd(s, "00CA00C400"), 0x9000);
    assert_int_equal(R[4], 3);
    assert_int_equal(verify(s, 0x81, "111111"), 0x63C2);
    assert_int_equal(verify(s, 0x81, "111111"), 0x63C1);
    assert_int_equal(verify(s, 0x81, "111111"), 0x6983);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x6983); /* blocked: even the right PIN */
    assert_int_equal(cmd(s, 0, 0x20, 0, 0x82, NULL, 0, -1, 0), 0x6983);
    assert_int_equal(hexcmd(s, "00CA00C400"), 0x9000);
    assert_int_equal(R[4], 0);
    /* unblock with the resetting code */
    const char rc_new[] = OPGP_SIM_RC "246810";
    assert_int_equal(cmd(s, 0, 0x2C, 0x00, 0x81, rc_new, strlen(rc_new), -1, 0), 0x9000);
    assert_int_equal(verify(s, 0x81, "246810"), 0x9000);
    /* block again, unblock by the admin */
    for (int i = 0; i < 3; i++)
        verify(s, 0x81, "999999");
    assert_int_equal(cmd(s, 0, 0x2C, 0x02, 0x81, "123456", 6, -1, 0), 0x6982);
    assert_int_equal(verify(s, 0x83, OPGP_SIM_PW3), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2C, 0x02, 0x81, "123456", 6, -1, 0), 0x9000);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000);
    /* change PW1 */
    const char chg[] = OPGP_SIM_PW1 "abcdefg";
    assert_int_equal(cmd(s, 0, 0x24, 0, 0x81, chg, strlen(chg), -1, 0), 0x9000);
    assert_int_equal(verify(s, 0x82, OPGP_SIM_PW1), 0x63C2);
    assert_int_equal(verify(s, 0x82, "abcdefg"), 0x9000);
    opgp_sim_stats st;
    opgp_sim_get_stats(s, &st);
    assert_int_equal(st.verifies, 17); /* VERIFY with a PIN, RESET RETRY COUNTER with RC, CHANGE */
    assert_int_equal(st.verifies_failed, 10);
    opgp_sim_free(s);

    opgp_sim_options o = {.wrong_pin_6982 = true};
    s = card("p256", &o);
    assert_int_equal(verify(s, 0x81, "654321"), 0x6982);
    assert_int_equal(cmd(s, 0, 0x20, 0, 0x81, NULL, 0, -1, 0), 0x63C2);
    opgp_sim_free(s);
}

static const uint8_t SHA256_PREFIX[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                          0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

static void sha256(const void *m, size_t n, uint8_t out[32])
{
    unsigned l;
    assert_int_equal(EVP_Digest(m, n, out, &l, EVP_sha256(), NULL), 1);
}

static int verify_rsa(EVP_PKEY *pub, const uint8_t *msg, size_t n, const uint8_t *sig, size_t sl)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int r = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
            EVP_DigestVerify(md, sig, sl, msg, n) == 1;
    EVP_MD_CTX_free(md);
    return r;
}

static int verify_ecdsa_raw(EVP_PKEY *pub, const uint8_t *msg, size_t n, const uint8_t *rs, size_t l)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(rs, (int)l / 2, NULL), BN_bin2bn(rs + l / 2, (int)l / 2, NULL));
    unsigned char *der = NULL;
    int dl = i2d_ECDSA_SIG(sig, &der);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int r = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
            EVP_DigestVerify(md, der, (size_t)dl, msg, n) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return r;
}

static void test_rsa_sign_and_single_signature_flag(void **state)
{
    (void)state;
    opgp_sim_options o = {.pin_per_signature = true};
    opgp_sim *s = card("rsa2048", &o);
    const char msg[] = "message to sign";
    uint8_t di[51];
    memcpy(di, SHA256_PREFIX, 19);
    sha256(msg, strlen(msg), di + 19);
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, di, 51, 0, 0), 0x6982);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, di, 51, 0, 1), 0x9000);
    assert_int_equal(RL, 258);
    EVP_PKEY *pub = opgp_sim_public_key(s, OPGP_SIM_SIG);
    assert_true(verify_rsa(pub, (const uint8_t *)msg, strlen(msg), R, 256));
    /* PW1 was good for one signature only */
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, di, 51, 0, 1), 0x6982);
    assert_int_equal(hexcmd(s, "00CA007A00"), 0x9000);
    static const uint8_t one[5] = {0x93, 0x03, 0x00, 0x00, 0x01};
    assert_int_equal(R[0], 0x7A);
    assert_int_equal(R[1], 5);
    assert_memory_equal(R + 2, one, 5);
    /* with C4 byte 1 = 01 the PIN stays valid */
    assert_int_equal(verify(s, 0x83, OPGP_SIM_PW3), 0x9000);
    uint8_t c4 = 0x01;
    assert_int_equal(cmd(s, 0, 0xDA, 0x00, 0xC4, &c4, 1, -1, 0), 0x9000);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, di, 51, 0, 1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, di, 51, 0, 1), 0x9000);
    assert_true(verify_rsa(pub, (const uint8_t *)msg, strlen(msg), R, 256));
    /* short Le: 256 bytes of signature fit exactly */
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, di, 51, 0, 0), 0x9000);
    assert_int_equal(RL, 258);
    /* INTERNAL AUTHENTICATE needs PW1 82 */
    assert_int_equal(cmd(s, 0, 0x88, 0, 0, di, 51, 0, 0), 0x6982);
    assert_int_equal(verify(s, 0x82, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x88, 0, 0, di, 51, 0, 0), 0x9000);
    EVP_PKEY *aut = opgp_sim_public_key(s, OPGP_SIM_AUT);
    assert_true(verify_rsa(aut, (const uint8_t *)msg, strlen(msg), R, 256));
    assert_false(verify_rsa(pub, (const uint8_t *)msg, strlen(msg), R, 256));
    EVP_PKEY_free(aut);
    EVP_PKEY_free(pub);
    opgp_sim_free(s);
}

static void test_ecdsa_p256_sign(void **state)
{
    (void)state;
    opgp_sim *s = card("p256", NULL);
    const char msg[] = "ecdsa message";
    uint8_t h[32];
    sha256(msg, strlen(msg), h);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, h, 32, 0, 0), 0x9000);
    assert_int_equal(RL, 66); /* r||s, 32 bytes each */
    EVP_PKEY *pub = opgp_sim_public_key(s, OPGP_SIM_SIG);
    assert_true(verify_ecdsa_raw(pub, (const uint8_t *)msg, strlen(msg), R, 64));
    R[10] ^= 1;
    assert_false(verify_ecdsa_raw(pub, (const uint8_t *)msg, strlen(msg), R, 64));
    EVP_PKEY_free(pub);
    /* the public key read from the card (7F49/86) is the exported one */
    assert_int_equal(hexcmd(s, "00478100000002A4000000"), 0x9000);
    EVP_PKEY *aut = opgp_sim_public_key(s, OPGP_SIM_AUT);
    uint8_t pt[80];
    size_t pl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(aut, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &pl), 1);
    assert_int_equal(pl, 65);
    assert_int_equal(R[0], 0x7F);
    assert_int_equal(R[1], 0x49);
    assert_int_equal(R[3], 0x86);
    assert_int_equal(R[4], 65);
    assert_memory_equal(R + 5, pt, 65);
    EVP_PKEY_free(aut);
    opgp_sim_free(s);
}

static void test_ecdh_p256(void **state)
{
    (void)state;
    opgp_sim *s = card("p256", NULL);
    EVP_PKEY *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t pt[65];
    size_t pl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &pl), 1);
    uint8_t in[80] = {0xA6, 0x46, 0x7F, 0x49, 0x43, 0x86, 0x41};
    memcpy(in + 7, pt, 65);
    assert_int_equal(cmd(s, 0, 0x2A, 0x80, 0x86, in, 72, 0, 0), 0x6982);
    assert_int_equal(verify(s, 0x82, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2A, 0x80, 0x86, in, 72, 0, 0), 0x9000);
    assert_int_equal(RL, 34);
    EVP_PKEY *dec = opgp_sim_public_key(s, OPGP_SIM_DEC);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(eph, NULL);
    uint8_t z[32];
    size_t zl = sizeof z;
    assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(ctx, dec), 1);
    assert_int_equal(EVP_PKEY_derive(ctx, z, &zl), 1);
    assert_int_equal(zl, 32);
    assert_memory_equal(R, z, 32);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(dec);
    EVP_PKEY_free(eph);
    opgp_sim_free(s);
}

static void rsa_encrypt(EVP_PKEY *pub, const uint8_t *m, size_t n, uint8_t *out, size_t *ol)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
    assert_int_equal(EVP_PKEY_encrypt(ctx, out, ol, m, n), 1);
    EVP_PKEY_CTX_free(ctx);
}

static void test_rsa_decrypt_extended_and_chained(void **state)
{
    (void)state;
    opgp_sim *s = card("rsa2048", NULL);
    EVP_PKEY *pub = opgp_sim_public_key(s, OPGP_SIM_DEC);
    const uint8_t secret[24] = "0123456789abcdefghijklm";
    uint8_t in[300] = {0x00};
    size_t cl = sizeof in - 1;
    rsa_encrypt(pub, secret, sizeof secret, in + 1, &cl);
    assert_int_equal(cl, 256);
    assert_int_equal(verify(s, 0x82, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2A, 0x80, 0x86, in, 257, 0, 1), 0x9000);
    assert_int_equal(RL, sizeof secret + 2);
    assert_memory_equal(R, secret, sizeof secret);
    /* the same through command chaining: 200 + 57 bytes */
    assert_int_equal(cmd(s, 0x10, 0x2A, 0x80, 0x86, in, 200, -1, 0), 0x9000);
    assert_int_equal(RL, 2);
    assert_int_equal(cmd(s, 0x00, 0x2A, 0x80, 0x86, in + 200, 57, 0, 0), 0x9000);
    assert_memory_equal(R, secret, sizeof secret);
    /* a chain interrupted by another command is refused */
    assert_int_equal(cmd(s, 0x10, 0x2A, 0x80, 0x86, in, 200, -1, 0), 0x9000);
    assert_int_equal(hexcmd(s, "00CA004F00"), 0x6883);
    EVP_PKEY_free(pub);
    opgp_sim_free(s);

    /* a no_extended card refuses extended APDUs */
    opgp_sim_options o = {.no_extended = true};
    s = card("rsa2048", &o);
    assert_int_equal(hexcmd(s, "00CA006E000000"), 0x6700);
    opgp_sim_free(s);
}

static void test_get_response_chains(void **state)
{
    (void)state;
    opgp_sim *s = card("rsa2048", NULL);
    uint8_t ext[2000], shrt[2000];
    /* 6E with extended Le arrives at once */
    assert_int_equal(cmd(s, 0, 0xCA, 0x00, 0x6E, NULL, 0, 0, 1), 0x9000);
    size_t el = RL - 2;
    memcpy(ext, R, el);
    assert_true(el > 256);
    assert_int_equal(ext[0], 0x6E);
    /* with short Le 00: 256 bytes, 61xx, the rest by GET RESPONSE */
    cmd(s, 0, 0xCA, 0x00, 0x6E, NULL, 0, 0, 0);
    assert_int_equal(sw() & 0xFF00, 0x6100);
    assert_int_equal(RL, 258);
    size_t sl = collect(s, shrt, sizeof shrt);
    assert_int_equal(sl, el);
    assert_memory_equal(shrt, ext, el);
    /* the RSA public key with short Le (as in rsa2048-read-pubkeys-short-apdus) */
    cmd(s, 0, 0x47, 0x81, 0x00, "\xB6\x00", 2, 0, 0);
    assert_int_equal(sw(), 0x610E);
    sl = collect(s, shrt, sizeof shrt);
    assert_int_equal(sl, 270);
    assert_int_equal(cmd(s, 0, 0x47, 0x81, 0x00, "\xB6\x00", 2, 0, 1), 0x9000);
    assert_memory_equal(R, shrt, 270);
    /* GET RESPONSE with a smaller Le delivers in pieces */
    cmd(s, 0, 0x47, 0x81, 0x00, "\xB6\x00", 2, 0, 0);
    assert_int_equal(cmd(s, 0, 0xC0, 0, 0, NULL, 0, 5, 0), 0x6109);
    assert_memory_equal(R, shrt + 256, 5);
    assert_int_equal(cmd(s, 0, 0xC0, 0, 0, NULL, 0, 0, 0), 0x9000);
    assert_int_equal(RL, 11);
    assert_int_equal(cmd(s, 0, 0xC0, 0, 0, NULL, 0, 0, 0), 0x9000); /* nothing left */
    assert_int_equal(RL, 2);
    opgp_sim_free(s);

    /* T=0 style: even extended Le gets 61xx, and a case 4 command gets no data at first */
    opgp_sim_options o = {.t0 = true};
    s = card("rsa2048", &o);
    cmd(s, 0, 0xCA, 0x00, 0x6E, NULL, 0, 0, 1);
    assert_int_equal(sw() & 0xFF00, 0x6100);
    sl = collect(s, shrt, sizeof shrt);
    assert_int_equal(sl, el);
    cmd(s, 0, 0x47, 0x81, 0x00, "\xB6\x00", 2, 0, 1);
    assert_int_equal(RL, 2);
    assert_int_equal(sw() & 0xFF00, 0x6100);
    assert_int_equal(collect(s, shrt, sizeof shrt), 270);
    opgp_sim_free(s);
}

static void test_select_data_certificates(void **state)
{
    (void)state;
    opgp_sim *s = card("p256", NULL);
    size_t len[3];
    const uint8_t *c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = opgp_sim_certificate(s, i, &len[i]);
        assert_non_null(c[i]);
    }
    static const uint8_t sel[6] = {0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21};
    /* occurrence 2 is the signature certificate, for the next command only */
    assert_int_equal(cmd(s, 0, 0xA5, 0x02, 0x04, sel, 6, -1, 0), 0x9000);
    assert_int_equal(cmd(s, 0, 0xCA, 0x7F, 0x21, NULL, 0, 0, 1), 0x9000);
    assert_int_equal(RL - 2, len[OPGP_SIM_SIG]);
    assert_memory_equal(R, c[OPGP_SIM_SIG], len[OPGP_SIM_SIG]);
    assert_int_equal(cmd(s, 0, 0xCA, 0x7F, 0x21, NULL, 0, 0, 1), 0x9000);
    assert_memory_equal(R, c[OPGP_SIM_AUT], len[OPGP_SIM_AUT]);
    /* YubiKey 5.2-5.4.3 form: an extra length byte before the tag list */
    static const uint8_t yk[7] = {0x06, 0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21};
    assert_int_equal(cmd(s, 0, 0xA5, 0x01, 0x04, yk, 7, -1, 0), 0x9000);
    assert_int_equal(cmd(s, 0, 0xCA, 0x7F, 0x21, NULL, 0, 0, 1), 0x9000);
    assert_memory_equal(R, c[OPGP_SIM_DEC], len[OPGP_SIM_DEC]);
    /* the certificate is a real one for the slot's key */
    const unsigned char *p = c[OPGP_SIM_DEC];
    X509 *x = d2i_X509(NULL, &p, (long)len[OPGP_SIM_DEC]);
    assert_non_null(x);
    EVP_PKEY *pub = opgp_sim_public_key(s, OPGP_SIM_DEC);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), pub), 1);
    EVP_PKEY_free(pub);
    X509_free(x);
    opgp_sim_free(s);
}

static void test_factory_reset(void **state)
{
    (void)state;
    opgp_sim *s = card("p256", NULL);
    assert_int_equal(hexcmd(s, "00E60000"), 0x6982); /* needs PW3 */
    assert_int_equal(verify(s, 0x81, "000000"), 0x63C2);
    assert_int_equal(verify(s, 0x83, OPGP_SIM_PW3), 0x9000);
    assert_int_equal(hexcmd(s, "00E60000"), 0x9000);
    assert_int_equal(hexcmd(s, "00CA004F00"), 0x6285);
    assert_int_equal(hexcmd(s, "00A4040006D2760001240100"), 0x6285);
    assert_int_equal(hexcmd(s, "00440000"), 0x9000);
    select_app(s);
    assert_int_equal(hexcmd(s, "00CA00C400"), 0x9000);
    static const uint8_t fresh[7] = {0x01, 64, 64, 64, 3, 0, 3};
    assert_memory_equal(R, fresh, 7);
    assert_int_equal(hexcmd(s, "00478100000002B6000000"), 0x6A88);
    assert_null(opgp_sim_public_key(s, OPGP_SIM_SIG));
    uint8_t f[20];
    assert_false(opgp_sim_fingerprint(s, OPGP_SIM_AUT, f));
    assert_int_equal(hexcmd(s, "00CA005E00"), 0x9000);
    assert_int_equal(RL, 2);
    /* default PINs again; generate a key with PW3 */
    assert_int_equal(verify(s, 0x83, OPGP_SIM_PW3), 0x9000);
    assert_int_equal(cmd(s, 0, 0x47, 0x80, 0x00, "\xB6\x00", 2, 0, 1), 0x9000);
    assert_int_equal(R[0], 0x7F);
    EVP_PKEY *pub = opgp_sim_public_key(s, OPGP_SIM_SIG);
    assert_non_null(pub);
    assert_int_equal(EVP_PKEY_get_bits(pub), 2048);
    EVP_PKEY_free(pub);
    opgp_sim_free(s);
}

/* A unique name (template ending in XXXXXX) where no state file exists yet. */
static void fresh_state_path(char *path)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
}

static void test_state_file_round_trip(void **state)
{
    (void)state;
    char path[] = "/tmp/opgp-sim-test-XXXXXX";
    fresh_state_path(path);
    opgp_sim_options o = {.state_file = path};
    opgp_sim *s = card("p256", &o);
    uint32_t serial = opgp_sim_serial(s);
    uint8_t f1[20], f2[20];
    assert_true(opgp_sim_fingerprint(s, OPGP_SIM_SIG, f1));
    assert_int_equal(verify(s, 0x81, "000000"), 0x63C2);
    const char chg[] = OPGP_SIM_PW3 "newadmin";
    assert_int_equal(cmd(s, 0, 0x24, 0, 0x83, chg, strlen(chg), -1, 0), 0x9000);
    EVP_PKEY *pub = opgp_sim_public_key(s, OPGP_SIM_SIG);
    opgp_sim_free(s);

    s = card(NULL, &o);
    assert_int_equal(opgp_sim_serial(s), serial);
    assert_true(opgp_sim_fingerprint(s, OPGP_SIM_SIG, f2));
    assert_memory_equal(f1, f2, 20);
    assert_int_equal(cmd(s, 0, 0x20, 0, 0x81, NULL, 0, -1, 0), 0x63C2); /* counter persisted */
    assert_int_equal(verify(s, 0x83, "newadmin"), 0x9000);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000);
    const char msg[] = "persisted key";
    uint8_t h[32];
    sha256(msg, strlen(msg), h);
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, h, 32, 0, 0), 0x9000);
    assert_true(verify_ecdsa_raw(pub, (const uint8_t *)msg, strlen(msg), R, 64));
    assert_int_equal(hexcmd(s, "00CA005E00"), 0x9000);
    assert_memory_equal(R, "opgp-test", 9);
    EVP_PKEY_free(pub);
    opgp_sim_free(s);
    unlink(path);
}

static void test_transport_and_faults(void **state)
{
    (void)state;
    opgp_sim *s = card("p256", NULL);
    opgp_transport *t = opgp_sim_transport_new(s);
    uint8_t resp[300], atr[OPGP_MAX_ATR];
    size_t rl = sizeof resp, al = sizeof atr;
    const uint8_t get_aid[5] = {0x00, 0xCA, 0x00, 0x4F, 0x00};
    assert_int_equal(opgp_transport_get_atr(t, atr, &al), OPGP_OK);
    assert_int_equal(al, 21);
    assert_int_equal(opgp_transport_transmit(t, get_aid, 5, resp, &rl), OPGP_OK);
    assert_int_equal(rl, 18);

    opgp_sim_fault_spec f = {.kind = OPGP_SIM_FAULT_SW, .after = 1, .count = 1, .sw = 0x6F00};
    opgp_sim_fault(s, &f);
    rl = sizeof resp;
    assert_int_equal(opgp_transport_transmit(t, get_aid, 5, resp, &rl), OPGP_OK);
    assert_int_equal(rl, 18);
    rl = sizeof resp;
    assert_int_equal(opgp_transport_transmit(t, get_aid, 5, resp, &rl), OPGP_OK);
    assert_int_equal(rl, 2);
    assert_int_equal(resp[0], 0x6F);
    rl = sizeof resp;
    assert_int_equal(opgp_transport_transmit(t, get_aid, 5, resp, &rl), OPGP_OK);
    assert_int_equal(rl, 18);

    f = (opgp_sim_fault_spec){.kind = OPGP_SIM_FAULT_TRUNCATE, .count = 1, .bytes = 3};
    opgp_sim_fault(s, &f);
    rl = sizeof resp;
    assert_int_equal(opgp_transport_transmit(t, get_aid, 5, resp, &rl), OPGP_OK);
    assert_int_equal(rl, 15);

    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000);
    f = (opgp_sim_fault_spec){.kind = OPGP_SIM_FAULT_RESET, .count = 1};
    opgp_sim_fault(s, &f);
    rl = sizeof resp;
    assert_int_equal(opgp_transport_transmit(t, get_aid, 5, resp, &rl), OPGP_E_CARD_RESET);
    select_app(s);
    assert_int_equal(cmd(s, 0, 0x20, 0, 0x81, NULL, 0, -1, 0), 0x63C3); /* reset forgot the PIN */

    f = (opgp_sim_fault_spec){.kind = OPGP_SIM_FAULT_ENDLESS_61XX, .count = 0};
    opgp_sim_fault(s, &f);
    cmd(s, 0, 0xCA, 0x00, 0x6E, NULL, 0, 0, 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(cmd(s, 0, 0xC0, 0, 0, NULL, 0, 0, 0), 0x61FF);

    f = (opgp_sim_fault_spec){.kind = OPGP_SIM_FAULT_REMOVE, .after = 0};
    opgp_sim_fault(s, &f);
    rl = sizeof resp;
    assert_int_equal(opgp_transport_transmit(t, get_aid, 5, resp, &rl), OPGP_E_NO_CARD);
    al = sizeof atr;
    assert_int_equal(opgp_transport_get_atr(t, atr, &al), OPGP_E_NO_CARD);
    opgp_sim_fault(s, NULL);
    opgp_sim_power(s, true);
    select_app(s);
    rl = sizeof resp;
    assert_int_equal(opgp_transport_transmit(t, get_aid, 5, resp, &rl), OPGP_OK);
    assert_int_equal(rl, 18);
    opgp_transport_close(t);
    opgp_sim_free(s);
}

static void test_kdf_do(void **state)
{
    (void)state;
    opgp_sim_options o = {.kdf = true};
    opgp_sim *s = card("p256", &o);
    assert_int_equal(hexcmd(s, "00CA00F900"), 0x9000);
    assert_true(RL > 100);
    uint8_t kdf[200];
    memcpy(kdf, R, RL - 2);
    assert_int_equal(kdf[0], 0x81);
    assert_int_equal(kdf[2], 0x03);
    const uint8_t *salt = kdf + 14;   /* 84 08 salt-PW1 */
    assert_int_equal(kdf[12], 0x84);
    uint32_t count = (uint32_t)kdf[8] << 24 | (uint32_t)kdf[9] << 16 | (uint32_t)kdf[10] << 8 | kdf[11];
    /* the clear PIN is wrong now: the card expects the S2K hash */
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x63C2);
    uint8_t buf[8 + 6], h[32];
    memcpy(buf, salt, 8);
    memcpy(buf + 8, OPGP_SIM_PW1, 6);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (uint32_t done = 0; done < count;) {
        uint32_t n = count - done < 14 ? count - done : 14;
        EVP_DigestUpdate(md, buf, n);
        done += n;
    }
    unsigned hl;
    EVP_DigestFinal_ex(md, h, &hl);
    EVP_MD_CTX_free(md);
    assert_int_equal(cmd(s, 0, 0x20, 0, 0x81, h, 32, -1, 0), 0x9000);
    assert_memory_equal(kdf + 44, h, 32); /* 87: the initial PW1 hash is published */
    assert_int_equal(hexcmd(s, "00CA00C000"), 0x9000);
    assert_int_equal(R[0] & 0x01, 0x01);
    opgp_sim_free(s);
}

/* An RSA key made by OpenSSL, imported with 4D (e, p, q), signs verifiably. */
static void test_rsa_key_import(void **state)
{
    (void)state;
    opgp_sim *s = card(NULL, NULL);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    BIGNUM *e = NULL, *p = NULL, *q = NULL;
    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e);
    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR1, &p);
    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR2, &q);
    uint8_t d[600];
    size_t n = 0;
    int el = BN_num_bytes(e), pl = BN_num_bytes(p), ql = BN_num_bytes(q);
    assert_int_equal(pl, 128);
    const uint8_t head[] = {0x4D, 0x82, 0, 0, 0xB6, 0x00, 0x7F, 0x48, 0x08, 0x91, (uint8_t)el,
                            0x92, 0x81, (uint8_t)pl, 0x93, 0x81, (uint8_t)ql, 0x5F, 0x48, 0x82,
                            (uint8_t)((el + pl + ql) >> 8), (uint8_t)(el + pl + ql)};
    memcpy(d, head, sizeof head);
    n = sizeof head;
    n += (size_t)BN_bn2bin(e, d + n);
    n += (size_t)BN_bn2bin(p, d + n);
    n += (size_t)BN_bn2bin(q, d + n);
    d[2] = (uint8_t)((n - 4) >> 8);
    d[3] = (uint8_t)(n - 4);
    assert_int_equal(cmd(s, 0, 0xDB, 0x3F, 0xFF, d, n, -1, 1), 0x6982);
    assert_int_equal(verify(s, 0x83, OPGP_SIM_PW3), 0x9000);
    assert_int_equal(cmd(s, 0, 0xDB, 0x3F, 0xFF, d, n, -1, 1), 0x9000);
    EVP_PKEY *pub = opgp_sim_public_key(s, OPGP_SIM_SIG);
    assert_int_equal(EVP_PKEY_eq(pub, k), 1);
    const char msg[] = "imported";
    uint8_t di[51];
    memcpy(di, SHA256_PREFIX, 19);
    sha256(msg, strlen(msg), di + 19);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, di, 51, 0, 1), 0x9000);
    assert_true(verify_rsa(k, (const uint8_t *)msg, strlen(msg), R, 256));
    BN_free(e);
    BN_free(p);
    BN_free(q);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(k);
    opgp_sim_free(s);
}

static void test_cv25519(void **state)
{
    (void)state;
    opgp_sim *s = card("cv25519", NULL);
    const char msg[] = "eddsa message";
    assert_int_equal(verify(s, 0x82, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x88, 0, 0, msg, strlen(msg), 0, 0), 0x9000);
    assert_int_equal(RL, 66);
    EVP_PKEY *aut = opgp_sim_public_key(s, OPGP_SIM_AUT);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, NULL, NULL, aut), 1);
    assert_int_equal(EVP_DigestVerify(md, R, 64, (const uint8_t *)msg, strlen(msg)), 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(aut);
    /* X25519 ECDH against OpenSSL */
    EVP_PKEY *eph = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    uint8_t in[40] = {0xA6, 0x25, 0x7F, 0x49, 0x22, 0x86, 0x20};
    size_t pl = 32;
    EVP_PKEY_get_raw_public_key(eph, in + 7, &pl);
    assert_int_equal(cmd(s, 0, 0x2A, 0x80, 0x86, in, 39, 0, 0), 0x9000);
    EVP_PKEY *dec = opgp_sim_public_key(s, OPGP_SIM_DEC);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(eph, NULL);
    uint8_t z[32];
    size_t zl = 32;
    EVP_PKEY_derive_init(ctx);
    EVP_PKEY_derive_set_peer(ctx, dec);
    assert_int_equal(EVP_PKEY_derive(ctx, z, &zl), 1);
    assert_int_equal(RL, 34);
    assert_memory_equal(R, z, 32);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(dec);
    EVP_PKEY_free(eph);
    opgp_sim_free(s);
}

/* The public key of a GENERATE answer (7F49 { 86 point }): 65 bytes of an uncompressed point on a
 * 256-bit curve, equal to the key the simulator holds in slot. */
static void assert_generated_point(opgp_sim *s, int slot, uint8_t pt[65])
{
    assert_int_equal(RL, 2 + 5 + 65);
    assert_int_equal(R[0], 0x7F);
    assert_int_equal(R[1], 0x49);
    assert_int_equal(R[2], 67);
    assert_int_equal(R[3], 0x86);
    assert_int_equal(R[4], 65);
    assert_int_equal(R[5], 0x04);
    memcpy(pt, R + 5, 65);
    EVP_PKEY *pub = opgp_sim_public_key(s, slot);
    uint8_t want[80];
    size_t wl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(pub, OSSL_PKEY_PARAM_PUB_KEY, want, sizeof want, &wl), 1);
    assert_int_equal(wl, 65);
    assert_memory_equal(pt, want, 65);
    char group[32];
    size_t gl = 0;
    assert_int_equal(EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &gl), 1);
    assert_string_equal(group, "secp256k1");
    EVP_PKEY_free(pub);
}

/* secp256k1 (OID 1.3.132.0.10) on a factory card: the attributes are taken with PUT DATA
 * C1/C2/C3 (ECDSA, ECDH, ECDSA) and listed in FA; GENERATE makes keys on the curve; PSO:CDS and
 * INTERNAL AUTHENTICATE sign (r||s, verified by OpenSSL), PSO:DECIPHER with A6/7F49/86 gives
 * OpenSSL's ECDH secret; a point of another curve is refused; the keys survive the state file. */
static void test_secp256k1_generate_and_use(void **state)
{
    (void)state;
    char path[] = "/tmp/opgp-sim-k1-XXXXXX";
    fresh_state_path(path);
    opgp_sim_options o = {.state_file = path};
    opgp_sim *s = card(NULL, &o);
    static const uint8_t ecdsa[6] = {0x13, 0x2B, 0x81, 0x04, 0x00, 0x0A};
    static const uint8_t ecdh_attr[6] = {0x12, 0x2B, 0x81, 0x04, 0x00, 0x0A};
    assert_int_equal(cmd(s, 0, 0xDA, 0x00, 0xC1, ecdsa, 6, -1, 0), 0x6982); /* needs PW3 */
    assert_int_equal(verify(s, 0x83, OPGP_SIM_PW3), 0x9000);
    assert_int_equal(cmd(s, 0, 0xDA, 0x00, 0xC1, ecdsa, 6, -1, 0), 0x9000);
    assert_int_equal(cmd(s, 0, 0xDA, 0x00, 0xC2, ecdh_attr, 6, -1, 0), 0x9000);
    assert_int_equal(cmd(s, 0, 0xDA, 0x00, 0xC3, ecdsa, 6, -1, 0), 0x9000);
    /* a truncated OID is not an algorithm */
    assert_int_equal(cmd(s, 0, 0xDA, 0x00, 0xC3, ecdsa, 5, -1, 0), 0x6A80);
    assert_int_equal(hexcmd(s, "00CA00C300"), 0x9000);
    assert_int_equal(RL, 8);
    assert_memory_equal(R, ecdsa, 6);
    assert_int_equal(hexcmd(s, "00CA00C200"), 0x9000);
    assert_memory_equal(R, ecdh_attr, 6);
    /* FA announces the curve for each slot */
    uint8_t fa[2048];
    assert_int_equal(cmd(s, 0, 0xCA, 0x00, 0xFA, NULL, 0, 0, 1), 0x9000);
    size_t fl = RL - 2;
    memcpy(fa, R, fl);
    int found = 0;
    for (size_t i = 0; i + 8 <= fl; i++)
        if (fa[i + 1] == 6 && (fa[i] == 0xC1 || fa[i] == 0xC2 || fa[i] == 0xC3) &&
            memcmp(fa + i + 3, ecdsa + 1, 5) == 0)
            found |= 1 << (fa[i] - 0xC1);
    assert_int_equal(found, 7);

    uint8_t sig_pt[65], dec_pt[65], aut_pt[65];
    assert_int_equal(cmd(s, 0, 0x47, 0x80, 0x00, "\xB6\x00", 2, 0, 1), 0x9000);
    assert_generated_point(s, OPGP_SIM_SIG, sig_pt);
    assert_int_equal(cmd(s, 0, 0x47, 0x80, 0x00, "\xB8\x00", 2, 0, 1), 0x9000);
    assert_generated_point(s, OPGP_SIM_DEC, dec_pt);
    assert_int_equal(cmd(s, 0, 0x47, 0x80, 0x00, "\xA4\x00", 2, 0, 1), 0x9000);
    assert_generated_point(s, OPGP_SIM_AUT, aut_pt);
    assert_memory_not_equal(sig_pt, aut_pt, 65);
    /* reading the public key back gives the same point */
    assert_int_equal(cmd(s, 0, 0x47, 0x81, 0x00, "\xB6\x00", 2, 0, 1), 0x9000);
    assert_memory_equal(R + 5, sig_pt, 65);

    const char msg[] = "secp256k1 message";
    uint8_t h[32];
    sha256(msg, strlen(msg), h);
    EVP_PKEY *sig = opgp_sim_public_key(s, OPGP_SIM_SIG);
    EVP_PKEY *aut = opgp_sim_public_key(s, OPGP_SIM_AUT);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, h, 32, 0, 0), 0x9000);
    assert_int_equal(RL, 66);
    assert_true(verify_ecdsa_raw(sig, (const uint8_t *)msg, strlen(msg), R, 64));
    assert_false(verify_ecdsa_raw(aut, (const uint8_t *)msg, strlen(msg), R, 64));
    assert_int_equal(verify(s, 0x82, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x88, 0x00, 0x00, h, 32, 0, 0), 0x9000);
    assert_int_equal(RL, 66);
    assert_true(verify_ecdsa_raw(aut, (const uint8_t *)msg, strlen(msg), R, 64));

    /* ECDH with an ephemeral secp256k1 key */
    EVP_PKEY *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    assert_non_null(eph);
    uint8_t pt[65];
    size_t pl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &pl), 1);
    uint8_t in[72] = {0xA6, 0x46, 0x7F, 0x49, 0x43, 0x86, 0x41};
    memcpy(in + 7, pt, 65);
    assert_int_equal(cmd(s, 0, 0x2A, 0x80, 0x86, in, 72, 0, 0), 0x9000);
    assert_int_equal(RL, 34);
    EVP_PKEY *dec = opgp_sim_public_key(s, OPGP_SIM_DEC);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(eph, NULL);
    uint8_t z[32];
    size_t zl = sizeof z;
    assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(ctx, dec), 1);
    assert_int_equal(EVP_PKEY_derive(ctx, z, &zl), 1);
    assert_int_equal(zl, 32);
    assert_memory_equal(R, z, 32);
    EVP_PKEY_CTX_free(ctx);
    /* a P-256 point is not on secp256k1 */
    EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_int_equal(EVP_PKEY_get_octet_string_param(p256, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &pl), 1);
    memcpy(in + 7, pt, 65);
    assert_int_equal(cmd(s, 0, 0x2A, 0x80, 0x86, in, 72, 0, 0), 0x6A80);
    EVP_PKEY_free(p256);
    opgp_sim_free(s);

    /* from the state file: same keys, still signing */
    s = card(NULL, &o);
    assert_int_equal(hexcmd(s, "00CA00C100"), 0x9000);
    assert_memory_equal(R, ecdsa, 6);
    assert_int_equal(verify(s, 0x81, OPGP_SIM_PW1), 0x9000);
    assert_int_equal(cmd(s, 0, 0x2A, 0x9E, 0x9A, h, 32, 0, 0), 0x9000);
    assert_true(verify_ecdsa_raw(sig, (const uint8_t *)msg, strlen(msg), R, 64));
    EVP_PKEY_free(dec);
    EVP_PKEY_free(eph);
    EVP_PKEY_free(aut);
    EVP_PKEY_free(sig);
    opgp_sim_free(s);
    unlink(path);
}

/* Every algorithm provisions and signs (SIG slot) verifiably through the card's own attributes. */
static void test_all_algorithms_provision(void **state)
{
    (void)state;
    static const char *const algs[] = {"rsa3072", "p384", "p521", "bp256", "bp384", "bp512",
                                       "secp256k1"};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        opgp_sim *s = card(algs[i], NULL);
        EVP_PKEY *pub = opgp_sim_public_key(s, OPGP_SIM_AUT);
        assert_non_null(pub);
        assert_int_equal(hexcmd(s, "00478100000002A4000000"), 0x9000);
        assert_int_equal(verify(s, 0x82, OPGP_SIM_PW1), 0x9000);
        const char msg[] = "all algorithms";
        uint8_t h[32], in[51];
        sha256(msg, strlen(msg), h);
        size_t inl = 32;
        memcpy(in, h, 32);
        if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
            memcpy(in, SHA256_PREFIX, 19);
            memcpy(in + 19, h, 32);
            inl = 51;
        }
        assert_int_equal(cmd(s, 0, 0x88, 0, 0, in, inl, 0, 1), 0x9000);
        if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA)
            assert_true(verify_rsa(pub, (const uint8_t *)msg, strlen(msg), R, RL - 2));
        else
            assert_true(verify_ecdsa_raw(pub, (const uint8_t *)msg, strlen(msg), R, RL - 2));
        EVP_PKEY_free(pub);
        opgp_sim_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atr_and_aid),
        cmocka_unit_test(test_pin_retry_and_block),
        cmocka_unit_test(test_rsa_sign_and_single_signature_flag),
        cmocka_unit_test(test_ecdsa_p256_sign),
        cmocka_unit_test(test_ecdh_p256),
        cmocka_unit_test(test_rsa_decrypt_extended_and_chained),
        cmocka_unit_test(test_get_response_chains),
        cmocka_unit_test(test_select_data_certificates),
        cmocka_unit_test(test_factory_reset),
        cmocka_unit_test(test_state_file_round_trip),
        cmocka_unit_test(test_transport_and_faults),
        cmocka_unit_test(test_kdf_do),
        cmocka_unit_test(test_rsa_key_import),
        cmocka_unit_test(test_cv25519),
        cmocka_unit_test(test_all_algorithms_provision),
        cmocka_unit_test(test_secp256k1_generate_and_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
