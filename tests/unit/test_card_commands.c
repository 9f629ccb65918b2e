/* The exact APDUs the card API sends, against a scripted card (mock transport) opened with a
 * real recorded 6E (patched where a test needs another card): signatures, decipherment (ECDH
 * wrapper, RSA-4096 by command chaining over short APDUs), PIN commands with and without KDF,
 * key generation and import with fingerprints, certificates, YubiKey detection, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "card_test_util.h"
#include "hex.h"
#include "mock_transport.h"
#include "opgp/card.h"

static const uint8_t get_6e_ext[] = {0x00, 0xCA, 0x00, 0x6E, 0x00, 0x20, 0x00};

/* ---- helpers ---- */

static char *hex_of(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 1);
    assert_non_null(s);
    return opgp_hex_encode(b, n, s, 2 * n + 1);
}

/* Concatenate hex pieces (NULL-terminated list) into a static buffer rotation. */
static const char *cat(const char *first, ...)
{
    static char bufs[4][8192];
    static int next;
    char *out = bufs[next++ % 4];
    out[0] = '\0';
    va_list ap;
    va_start(ap, first);
    for (const char *p = first; p; p = va_arg(ap, const char *)) {
        assert_true(strlen(out) + strlen(p) < sizeof bufs[0]);
        strcat(out, p);
    }
    va_end(ap);
    return out;
}

static const char *repeat(const char *byte_hex, size_t n)
{
    static char bufs[4][2100];
    static int next;
    char *out = bufs[next++ % 4];
    assert_true(2 * n < sizeof bufs[0]);
    for (size_t i = 0; i < n; i++)
        memcpy(out + 2 * i, byte_hex, 2);
    out[2 * n] = '\0';
    return out;
}

static size_t recorded_6e(const char *alg, uint8_t *buf, size_t cap)
{
    char f[64];
    snprintf(f, sizeof f, "%s-get-data.txt", alg);
    return ctu_recorded(f, get_6e_ext, sizeof get_6e_ext, buf, cap);
}

/* Replace the first occurrence of from_hex by to_hex (same length). */
static void patch(uint8_t *buf, size_t n, const char *from_hex, const char *to_hex)
{
    uint8_t from[64], to[64];
    long fl = opgp_hex_decode(from_hex, strlen(from_hex), from, sizeof from);
    long tl = opgp_hex_decode(to_hex, strlen(to_hex), to, sizeof to);
    assert_true(fl > 0 && fl == tl);
    for (size_t i = 0; i + (size_t)fl <= n; i++) {
        if (memcmp(buf + i, from, (size_t)fl) == 0) {
            memcpy(buf + i, to, (size_t)fl);
            return;
        }
    }
    fail_msg("patch: %s not found", from_hex);
}

/* Script SELECT and GET DATA 6E with short Le, answered in 256-byte pieces like the card. */
static void script_open(mock_transport *m, const uint8_t *ad, size_t n)
{
    mock_expect(m, "00A4040006D2760001240100", "9000");
    if (n <= 256) {
        char *h = hex_of(ad, n);
        mock_expect(m, "00CA006E00", cat(h, "9000", NULL));
        free(h);
        return;
    }
    char *first = hex_of(ad, 256), *rest = hex_of(ad + 256, n - 256);
    char sw[32], gr[32];
    assert_true(n - 256 < 256);
    snprintf(sw, sizeof sw, "61%02X", (unsigned)(n - 256));
    snprintf(gr, sizeof gr, "00C00000%02X", (unsigned)(n - 256));
    mock_expect(m, "00CA006E00", cat(first, sw, NULL));
    mock_expect(m, gr, cat(rest, "9000", NULL));
    free(first);
    free(rest);
}

typedef struct fixture {
    mock_transport *m;
    opgp_card *card;
    uint8_t ad[1024];
    size_t ad_len;
} fixture;

static void fx_load(fixture *f, const char *alg)
{
    memset(f, 0, sizeof *f);
    f->m = mock_transport_new();
    f->ad_len = recorded_6e(alg, f->ad, sizeof f->ad);
}

static void fx_open(fixture *f)
{
    opgp_error err;
    assert_int_equal(opgp_card_open(mock_transport_base(f->m), &f->card, &err), OPGP_OK);
}

static void fx_start(fixture *f, const char *alg)
{
    fx_load(f, alg);
    script_open(f->m, f->ad, f->ad_len);
    fx_open(f);
}

static void fx_done(fixture *f)
{
    assert_int_equal(mock_pending(f->m), 0); /* every scripted command was sent */
    opgp_card_close(f->card);
    mock_transport_free(f->m);
}

/* The recorded command with this 4-byte header in file, and its response. */
static void recorded_cmd(const char *file, const char *header_hex, uint8_t *cmd, size_t *cmd_len,
                         uint8_t *resp, size_t *resp_len)
{
    uint8_t hdr[4];
    assert_int_equal(opgp_hex_decode(header_hex, 8, hdr, 4), 4);
    size_t len;
    char *text = ctu_read_text(file, &len);
    opgp_transcript *t = opgp_transcript_parse(text, len, false);
    free(text);
    for (size_t i = 0; i < opgp_transcript_count(t); i++) {
        const opgp_transcript_entry *e = opgp_transcript_entry_at(t, i);
        if (e->cmd_len > 4 && memcmp(e->cmd, hdr, 4) == 0) {
            memcpy(cmd, e->cmd, e->cmd_len);
            *cmd_len = e->cmd_len;
            memcpy(resp, e->resp, e->resp_len);
            *resp_len = e->resp_len;
            opgp_transcript_free(t);
            return;
        }
    }
    fail_msg("%s: no command %s", file, header_hex);
}

/* ---- signatures ---- */

static void test_sign_rsa_sha256(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    uint8_t digest[32];
    for (int i = 0; i < 32; i++)
        digest[i] = (uint8_t)i;
    char *dh = hex_of(digest, 32);
    /* 51 bytes of DigestInfo; Le 0000 (extended: the card announced it) */
    mock_expect(f.m, cat("002A9E9A000033", "3031300D060960864801650304020105000420", dh, "0000",
                         NULL),
                cat(repeat("5A", 256), "9000", NULL));
    uint8_t sig[512];
    size_t sig_len = sizeof sig;
    opgp_error err;
    assert_int_equal(opgp_card_sign(f.card, OPGP_KEY_SIG, OPGP_HASH_SHA256, digest, 32, sig,
                                    &sig_len, &err),
                     OPGP_OK);
    assert_int_equal(sig_len, 256);
    assert_int_equal(sig[255], 0x5A);

    /* the same through INTERNAL AUTHENTICATE, refused: PW1 (82) not verified */
    mock_expect(f.m, cat("0088000000", "0033", "3031300D060960864801650304020105000420", dh,
                         "0000", NULL),
                "6982");
    sig_len = sizeof sig;
    assert_int_equal(opgp_card_sign(f.card, OPGP_KEY_AUT, OPGP_HASH_SHA256, digest, 32, sig,
                                    &sig_len, &err),
                     OPGP_E_SECURITY_STATUS);
    assert_int_equal(err.sw, 0x6982);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW1);
    assert_int_equal(sig_len, 0);

    /* a digest of the wrong length, the decryption slot: refused before any APDU */
    size_t calls = mock_calls(f.m);
    sig_len = sizeof sig;
    assert_int_equal(opgp_card_sign(f.card, OPGP_KEY_SIG, OPGP_HASH_SHA256, digest, 20, sig,
                                    &sig_len, &err),
                     OPGP_E_INVALID_ARG);
    assert_int_equal(opgp_card_sign(f.card, OPGP_KEY_DEC, OPGP_HASH_SHA256, digest, 32, sig,
                                    &sig_len, &err),
                     OPGP_E_INVALID_ARG);
    assert_int_equal(mock_calls(f.m), calls);
    free(dh);
    fx_done(&f);
}

/* TLS 1.0/1.1 client authentication: 36 bytes MD5||SHA-1, sent as they are. */
static void test_sign_raw_tls(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    uint8_t in[36];
    memset(in, 0xA1, sizeof in);
    mock_expect(f.m, cat("0088000000", "0024", repeat("A1", 36), "0000", NULL),
                cat(repeat("33", 256), "9000", NULL));
    uint8_t sig[256];
    size_t sig_len = sizeof sig;
    opgp_error err;
    assert_int_equal(opgp_card_sign_raw(f.card, OPGP_KEY_AUT, in, sizeof in, sig, &sig_len, &err),
                     OPGP_OK);
    assert_int_equal(sig_len, 256);
    fx_done(&f);
}

static void test_sign_ecdsa_and_eddsa(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "p256");
    uint8_t digest[48];
    memset(digest, 0xC3, sizeof digest);
    /* ECDSA: the digest itself, whole (SHA-384 on P-256: the card truncates) */
    mock_expect(f.m, cat("0088000000", "0030", repeat("C3", 48), "0000", NULL),
                cat(repeat("11", 64), "9000", NULL));
    uint8_t sig[128];
    size_t sig_len = sizeof sig;
    opgp_error err;
    assert_int_equal(opgp_card_sign(f.card, OPGP_KEY_AUT, OPGP_HASH_SHA384, digest, 48, sig,
                                    &sig_len, &err),
                     OPGP_OK);
    assert_int_equal(sig_len, 64);
    fx_done(&f);

    fx_start(&f, "cv25519");
    size_t calls = mock_calls(f.m);
    sig_len = sizeof sig;
    /* EdDSA signs messages: a digest is refused without a word to the card */
    assert_int_equal(opgp_card_sign(f.card, OPGP_KEY_SIG, OPGP_HASH_SHA256, digest, 32, sig,
                                    &sig_len, &err),
                     OPGP_E_INVALID_ARG);
    assert_int_equal(mock_calls(f.m), calls);
    mock_expect(f.m, "002A9E9A000006" "68656C6C6F0A" "0000", cat(repeat("22", 64), "9000", NULL));
    sig_len = sizeof sig;
    assert_int_equal(opgp_card_sign_raw(f.card, OPGP_KEY_SIG, (const uint8_t *)"hello\n", 6, sig,
                                        &sig_len, &err),
                     OPGP_OK);
    assert_int_equal(sig_len, 64);
    fx_done(&f);
}

/* ---- decipherment ---- */

/* OpenSC's recorded ECDH: our command data (the A6/7F49/86 wrapper) equals its data byte for
 * byte; the shared secret comes back as recorded. */
static void test_decipher_ecdh_p256(void **state)
{
    (void)state;
    uint8_t rec[512], resp[512];
    size_t rec_len, resp_len;
    recorded_cmd("p256-opensc-p11-ecdh.txt", "002A8086", rec, &rec_len, resp, &resp_len);
    assert_int_equal(rec[4], 0x48); /* short Lc: 72 bytes of data */
    const uint8_t *data = rec + 5;
    assert_int_equal(data[0], 0xA6);
    const uint8_t *point = data + 7; /* A6 46 7F49 43 86 41 */
    assert_int_equal(point[-1], 0x41);

    fixture f;
    fx_start(&f, "p256");
    char *dh = hex_of(data, 0x48), *rh = hex_of(resp, resp_len);
    mock_expect(f.m, cat("002A8086000048", dh, "0000", NULL), rh);
    uint8_t out[128];
    size_t out_len = sizeof out;
    opgp_error err;
    assert_int_equal(opgp_card_decipher(f.card, point, 65, out, &out_len, &err), OPGP_OK);
    assert_int_equal(out_len, resp_len - 2);
    assert_memory_equal(out, resp, out_len);
    free(dh);
    free(rh);
    fx_done(&f);
}

static void test_decipher_x25519_prefix(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "cv25519");
    uint8_t in[33];
    in[0] = 0x40; /* OpenPGP's native-point prefix, not sent to the card */
    memset(in + 1, 0x7E, 32);
    mock_expect(f.m, cat("002A8086000027", "A6257F49228620", repeat("7E", 32), "0000", NULL),
                cat(repeat("99", 32), "9000", NULL));
    uint8_t out[64];
    size_t out_len = sizeof out;
    opgp_error err;
    assert_int_equal(opgp_card_decipher(f.card, in, sizeof in, out, &out_len, &err), OPGP_OK);
    assert_int_equal(out_len, 32);
    fx_done(&f);
}

/* OpenSC's recorded RSA decryption: same data field (00 || cryptogram), same plaintext. */
static void test_decipher_rsa2048_recorded(void **state)
{
    (void)state;
    uint8_t rec[600], resp[600];
    size_t rec_len, resp_len;
    recorded_cmd("rsa2048-opensc-p11-decrypt.txt", "002A8086", rec, &rec_len, resp, &resp_len);
    assert_int_equal(rec[4], 0x00); /* extended Lc 0101 */
    assert_int_equal(rec[5] << 8 | rec[6], 0x101);
    const uint8_t *data = rec + 7;
    assert_int_equal(data[0], 0x00);

    fixture f;
    fx_start(&f, "rsa2048");
    char *dh = hex_of(data, 0x101), *rh = hex_of(resp, resp_len);
    mock_expect(f.m, cat("002A8086000101", dh, "0000", NULL), rh);
    uint8_t out[512];
    size_t out_len = sizeof out;
    opgp_error err;
    assert_int_equal(opgp_card_decipher(f.card, data + 1, 256, out, &out_len, &err), OPGP_OK);
    assert_int_equal(out_len, 7);
    assert_memory_equal(out, "secret\n", 7);
    free(dh);
    free(rh);
    fx_done(&f);
}

/* RSA 4096 on a card with short APDUs and command chaining: 513 bytes in three pieces. */
static void test_decipher_rsa4096_chained(void **state)
{
    (void)state;
    fixture f;
    fx_load(&f, "rsa2048");
    patch(f.ad, f.ad_len, "73C00140", "73C00180");           /* chaining, no extended length */
    patch(f.ad, f.ad_len, "C206010800002002", "C206011000002002"); /* DEC: RSA 4096 */
    script_open(f.m, f.ad, f.ad_len);
    fx_open(&f);
    opgp_apdu_link *l = opgp_card_link(f.card);
    assert_false(l->extended);
    assert_true(l->chaining);
    assert_int_equal(opgp_card_appdata(f.card)->attr[OPGP_KEY_DEC].rsa_bits, 4096);

    uint8_t in[512];
    for (int i = 0; i < 512; i++)
        in[i] = (uint8_t)(i * 7 + 1);
    uint8_t data[513];
    data[0] = 0x00;
    memcpy(data + 1, in, 512);
    char *p1 = hex_of(data, 255), *p2 = hex_of(data + 255, 255), *p3 = hex_of(data + 510, 3);
    mock_expect(f.m, cat("102A8086FF", p1, NULL), "9000");
    mock_expect(f.m, cat("102A8086FF", p2, NULL), "9000");
    mock_expect(f.m, cat("002A808603", p3, "00", NULL), "0102039000");
    uint8_t out[512];
    size_t out_len = sizeof out;
    opgp_error err;
    assert_int_equal(opgp_card_decipher(f.card, in, sizeof in, out, &out_len, &err), OPGP_OK);
    assert_int_equal(out_len, 3);
    free(p1);
    free(p2);
    free(p3);
    fx_done(&f);
}

/* ---- PINs ---- */

static void test_pin_answers(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    opgp_error err;
    /* 63Cx: the count is in the answer, no query needed */
    mock_expect(f.m, "0020008108" "3132333435363738", "63C1");
    assert_int_equal(opgp_card_verify(f.card, OPGP_PIN_PW1_SIGN, (const uint8_t *)"12345678", 8,
                                      &err),
                     OPGP_E_WRONG_PIN);
    assert_int_equal(err.tries_left, 1);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW1_SIGN);
    /* 6983: blocked */
    mock_expect(f.m, "0020008308" "3837363534333231", "6983");
    assert_int_equal(opgp_card_verify(f.card, OPGP_PIN_PW3, (const uint8_t *)"87654321", 8, &err),
                     OPGP_E_PIN_BLOCKED);
    assert_int_equal(err.tries_left, 0);
    /* 6982 then the query says blocked now */
    mock_expect(f.m, "0020008206" "313131313131", "6982");
    mock_expect(f.m, "00200082", "6983");
    assert_int_equal(opgp_card_verify(f.card, OPGP_PIN_PW1, (const uint8_t *)"111111", 6, &err),
                     OPGP_E_PIN_BLOCKED);
    assert_int_equal(err.tries_left, 0);
    /* status queries */
    bool verified = true;
    int tries = 0;
    mock_expect(f.m, "00200083", "63C3");
    assert_int_equal(opgp_card_pin_status(f.card, OPGP_PIN_PW3, &verified, &tries, &err), OPGP_OK);
    assert_false(verified);
    assert_int_equal(tries, 3);
    mock_expect(f.m, "0020FF82", "9000");
    assert_int_equal(opgp_card_logout(f.card, OPGP_PIN_PW1, &err), OPGP_OK);
    /* a PIN longer than C4 allows (64) is refused without a try */
    uint8_t longpin[65];
    memset(longpin, '1', sizeof longpin);
    size_t calls = mock_calls(f.m);
    assert_int_equal(opgp_card_verify(f.card, OPGP_PIN_PW1, longpin, sizeof longpin, &err),
                     OPGP_E_INVALID_ARG);
    assert_int_equal(opgp_card_verify(f.card, 0x84, longpin, 6, &err), OPGP_E_INVALID_ARG);
    assert_int_equal(mock_calls(f.m), calls);
    fx_done(&f);
}

static void test_pin_management(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    opgp_error err;
    const uint8_t *old = (const uint8_t *)"123456", *nw = (const uint8_t *)"654321";
    /* PW1 is changed through 81, whichever VERIFY reference the caller names */
    mock_expect(f.m, "002400810C" "313233343536" "363534333231", "9000");
    assert_int_equal(opgp_card_change_pin(f.card, OPGP_PIN_PW1, old, 6, nw, 6, &err), OPGP_OK);
    /* wrong old admin PIN answered 6982: the counter comes from an empty VERIFY 83 */
    mock_expect(f.m, "0024008310" "3132333435363738" "3837363534333231", "6982");
    mock_expect(f.m, "00200083", "63C2");
    assert_int_equal(opgp_card_change_pin(f.card, OPGP_PIN_PW3, (const uint8_t *)"12345678", 8,
                                          (const uint8_t *)"87654321", 8, &err),
                     OPGP_E_WRONG_PIN);
    assert_int_equal(err.tries_left, 2);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW3);
    /* RESET RETRY COUNTER with the Reset Code: RC || new PIN */
    mock_expect(f.m, "002C00810E" "3837363534333231" "363534333231", "9000");
    assert_int_equal(opgp_card_unblock_pin(f.card, (const uint8_t *)"87654321", 8, nw, 6, &err),
                     OPGP_OK);
    /* a wrong Reset Code: its counter is in C4 */
    mock_expect(f.m, "002C00810E" "3131313131313131" "363534333231", "6982");
    mock_expect(f.m, "00CA00C400", "004040400302039000");
    assert_int_equal(opgp_card_unblock_pin(f.card, (const uint8_t *)"11111111", 8, nw, 6, &err),
                     OPGP_E_WRONG_PIN);
    assert_int_equal(err.pin_ref, OPGP_PIN_RC);
    assert_int_equal(err.tries_left, 2);
    /* after PW3: P1 02, new PIN only */
    mock_expect(f.m, "002C028106" "363534333231", "9000");
    assert_int_equal(opgp_card_reset_pin_admin(f.card, nw, 6, &err), OPGP_OK);
    /* Reset Code set and removed */
    mock_expect(f.m, "00DA00D308" "3837363534333231", "9000");
    assert_int_equal(opgp_card_set_reset_code(f.card, (const uint8_t *)"87654321", 8, &err),
                     OPGP_OK);
    mock_expect(f.m, "00DA00D3", "9000");
    assert_int_equal(opgp_card_set_reset_code(f.card, NULL, 0, &err), OPGP_OK);
    fx_done(&f);
}

/* Iterated salted S2K written out plainly with OpenSSL, to check kdf.c independently. */
static void s2k_reference(const EVP_MD *md, const uint8_t *salt, size_t salt_len,
                          const char *pin, uint32_t count, uint8_t *out)
{
    size_t pl = strlen(pin), unit = salt_len + pl;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    assert_non_null(c);
    assert_int_equal(EVP_DigestInit_ex(c, md, NULL), 1);
    size_t left = count < unit ? unit : count;
    while (left > 0) {
        size_t n = left < salt_len ? left : salt_len;
        EVP_DigestUpdate(c, salt, n);
        left -= n;
        n = left < pl ? left : pl;
        EVP_DigestUpdate(c, pin, n);
        left -= n;
    }
    unsigned int ol = 0;
    EVP_DigestFinal_ex(c, out, &ol);
    EVP_MD_CTX_free(c);
}

static void test_verify_with_kdf(void **state)
{
    (void)state;
    fixture f;
    fx_load(&f, "rsa2048");
    patch(f.ad, f.ad_len, "C00A7400", "C00A7500"); /* announces KDF */
    script_open(f.m, f.ad, f.ad_len);
    const char *f9 = "F92A810103820108830400010000"
                     "84080102030405060708" "85081112131415161718" "86082122232425262728";
    mock_expect(f.m, "00CA00F9000000", cat(f9, "9000", NULL));
    fx_open(&f);
    const opgp_kdf *kdf = &opgp_card_appdata(f.card)->kdf;
    assert_true(kdf->present);
    assert_int_equal(kdf->iterations, 0x10000);

    uint8_t want[32];
    const uint8_t salt1[] = {1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t salt3[] = {0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28};
    s2k_reference(EVP_sha256(), salt1, 8, "123456", 0x10000, want);
    char *wh = hex_of(want, 32);
    mock_expect(f.m, cat("0020008220", wh, NULL), "9000");
    opgp_error err;
    assert_int_equal(opgp_card_verify(f.card, OPGP_PIN_PW1, (const uint8_t *)"123456", 6, &err),
                     OPGP_OK);
    free(wh);
    s2k_reference(EVP_sha256(), salt3, 8, "12345678", 0x10000, want);
    wh = hex_of(want, 32);
    mock_expect(f.m, cat("0020008320", wh, NULL), "9000");
    assert_int_equal(opgp_card_verify(f.card, OPGP_PIN_PW3, (const uint8_t *)"12345678", 8, &err),
                     OPGP_OK);
    free(wh);

    /* SHA-512, count smaller than salt || PIN: hashed once */
    opgp_kdf k = *kdf;
    k.hash = OPGP_KDF_HASH_SHA512;
    k.iterations = 3;
    uint8_t got[64], ref[64];
    size_t got_len = sizeof got;
    assert_int_equal(opgp_kdf_derive(&k, OPGP_KDF_PIN_RC, (const uint8_t *)"87654321", 8, got,
                                     &got_len),
                     OPGP_OK);
    const uint8_t salt_rc[] = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};
    s2k_reference(EVP_sha512(), salt_rc, 8, "87654321", 3, ref);
    assert_int_equal(got_len, 64);
    assert_memory_equal(got, ref, 64);
    fx_done(&f);
}

/* ---- keys ---- */

/* Generation writes the fingerprint and time the card does not make itself. With the recorded
 * key and time the fingerprint must be the one the card holds. */
static void test_generate_p256(void **state)
{
    (void)state;
    uint8_t rec[64], resp[256];
    size_t rec_len, resp_len;
    recorded_cmd("p256-read-pubkeys.txt", "00478100", rec, &rec_len, resp, &resp_len);
    fixture f;
    fx_start(&f, "p256");
    const opgp_appdata *ad = opgp_card_appdata(f.card);
    uint32_t created = ad->gen_time[OPGP_KEY_SIG];
    char *fh = hex_of(ad->fpr[OPGP_KEY_SIG], 20), *rh = hex_of(resp, resp_len);
    mock_expect(f.m, "00478000000002B6000000", rh);
    mock_expect(f.m, cat("00DA00C714", fh, NULL), "9000");
    mock_expect(f.m, "00DA00CE046B05DC59", "9000");
    opgp_public_key pk;
    opgp_error err;
    assert_int_equal(opgp_card_generate_key(f.card, OPGP_KEY_SIG, created, &pk, &err), OPGP_OK);
    assert_int_equal(pk.point_len, 65);
    assert_int_equal(opgp_card_appdata(f.card)->key_status[OPGP_KEY_SIG],
                     OPGP_KEYSTATUS_GENERATED);
    free(fh);
    free(rh);

    /* not allowed without PW3 */
    mock_expect(f.m, "00478000000002B8000000", "6982");
    assert_int_equal(opgp_card_generate_key(f.card, OPGP_KEY_DEC, created, NULL, &err),
                     OPGP_E_SECURITY_STATUS);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW3);
    fx_done(&f);
}

static void test_set_algo_attr(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    opgp_algo_attr a = opgp_algo_attr_rsa(3072);
    mock_expect(f.m, "00DA00C106010C00002000", "9000");
    opgp_error err;
    assert_int_equal(opgp_card_set_algo_attr(f.card, OPGP_KEY_SIG, &a, &err), OPGP_OK);
    assert_int_equal(opgp_card_appdata(f.card)->attr[OPGP_KEY_SIG].rsa_bits, 3072);
    assert_false(opgp_appdata_key_present(opgp_card_appdata(f.card), OPGP_KEY_SIG));
    assert_int_equal(opgp_algo_attr_ecc(OPGP_ALGO_ECDH, OPGP_CURVE_X25519, &a), OPGP_OK);
    mock_expect(f.m, "00DA00C20B122B060104019755010501", "9000");
    assert_int_equal(opgp_card_set_algo_attr(f.card, OPGP_KEY_DEC, &a, &err), OPGP_OK);
    fx_done(&f);
}

/* ECC import: 4D { B6 00, 7F48 { 92 20 }, 5F48 { scalar } }; the card's attributes already
 * match (P-256 ECDSA), so they are not written. The public key from the card's recording gives
 * the fingerprint the card holds. */
static void test_import_p256(void **state)
{
    (void)state;
    uint8_t rec[64], resp[256];
    size_t rec_len, resp_len;
    recorded_cmd("p256-read-pubkeys.txt", "00478100", rec, &rec_len, resp, &resp_len);
    assert_int_equal(resp[0], 0x7F);
    const uint8_t *point = resp + 5; /* 7F49 43 86 41 */
    fixture f;
    fx_start(&f, "p256");
    const opgp_appdata *ad = opgp_card_appdata(f.card);
    uint8_t scalar[32];
    memset(scalar, 0x5C, sizeof scalar);
    opgp_private_key k;
    memset(&k, 0, sizeof k);
    assert_int_equal(opgp_algo_attr_ecc(OPGP_ALGO_ECDSA, OPGP_CURVE_P256, &k.attr), OPGP_OK);
    k.scalar = scalar;
    k.scalar_len = 32;
    k.pub = point;
    k.pub_len = 65;
    char *fh = hex_of(ad->fpr[OPGP_KEY_SIG], 20);
    mock_expect(f.m, cat("00DB3FFF2C", "4D2A", "B600", "7F48029220", "5F4820", repeat("5C", 32),
                         NULL),
                "9000");
    mock_expect(f.m, cat("00DA00C714", fh, NULL), "9000");
    mock_expect(f.m, "00DA00CE046B05DC59", "9000");
    opgp_error err;
    assert_int_equal(opgp_card_import_key(f.card, OPGP_KEY_SIG, &k, ad->gen_time[0], &err),
                     OPGP_OK);
    assert_int_equal(opgp_card_appdata(f.card)->key_status[OPGP_KEY_SIG], OPGP_KEYSTATUS_IMPORTED);
    free(fh);
    fx_done(&f);
}

/* RSA import in the card's CRT format (02): e padded to its 32 bits, p q u dp dq 128 bytes each;
 * an RSA 3072 key into a 2048 slot first changes the attributes (keeping no stale format). */
static void test_import_rsa_crt(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    uint8_t e[3] = {1, 0, 1}, p[128], q[128], u[128], dp[128], dq[128], n[256];
    memset(p, 0xA1, sizeof p);
    memset(q, 0xB2, sizeof q);
    memset(u, 0xC3, sizeof u);
    memset(dp, 0xD4, sizeof dp);
    memset(dq, 0xE5, sizeof dq);
    memset(n, 0xF6, sizeof n);
    opgp_private_key k = {.attr = opgp_algo_attr_rsa(2048), .e = e, .e_len = 3, .p = p,
                          .p_len = 128, .q = q, .q_len = 128, .n = n, .n_len = 256, .u = u,
                          .u_len = 128, .dp = dp, .dp_len = 128, .dq = dq, .dq_len = 128};
    /* 4D 82029F { B800, 7F48 11 {91 04, 92 8180, ..., 96 8180}, 5F48 820284 {...} } */
    const char *cmd = cat("00DB3FFF0002A3", "4D82029F", "B800", "7F4811", "9104", "928180",
                          "938180", "948180", "958180", "968180", "5F48820284", "00010001",
                          repeat("A1", 128), repeat("B2", 128), NULL);
    char full[4096];
    snprintf(full, sizeof full, "%s%s%s%s", cmd, repeat("C3", 128), repeat("D4", 128),
             repeat("E5", 128));
    mock_expect(f.m, full, "9000");
    opgp_public_key pk;
    memset(&pk, 0, sizeof pk);
    pk.attr = opgp_card_appdata(f.card)->attr[OPGP_KEY_DEC];
    memcpy(pk.n, n, 256);
    pk.n_len = 256;
    memcpy(pk.e, e, 3);
    pk.e_len = 3;
    uint8_t fpr[20];
    assert_int_equal(opgp_fingerprint_v4(&pk, 1000, fpr), OPGP_OK);
    char *fh = hex_of(fpr, 20);
    mock_expect(f.m, cat("00DA00C814", fh, NULL), "9000");
    mock_expect(f.m, "00DA00CF04000003E8", "9000");
    opgp_error err;
    assert_int_equal(opgp_card_import_key(f.card, OPGP_KEY_DEC, &k, 1000, &err), OPGP_OK);
    free(fh);

    /* missing CRT parts for a CRT card: refused before anything is sent */
    size_t calls = mock_calls(f.m);
    k.u = NULL;
    assert_int_equal(opgp_card_import_key(f.card, OPGP_KEY_DEC, &k, 1000, &err),
                     OPGP_E_INVALID_ARG);
    assert_int_equal(mock_calls(f.m), calls);
    fx_done(&f);
}

/* ---- certificates ---- */

static void test_certs(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    opgp_error err;
    uint8_t buf[64];
    size_t len = sizeof buf;
    mock_expect(f.m, "00A5020406" "60045C027F21", "9000");
    mock_expect(f.m, "00CA7F21000000", "30030201059000");
    assert_int_equal(opgp_card_read_cert(f.card, OPGP_KEY_SIG, buf, &len, &err), OPGP_OK);
    assert_int_equal(len, 5);
    /* an empty slot */
    len = sizeof buf;
    mock_expect(f.m, "00A5010406" "60045C027F21", "9000");
    mock_expect(f.m, "00CA7F21000000", "6A88");
    assert_int_equal(opgp_card_read_cert(f.card, OPGP_KEY_DEC, buf, &len, &err), OPGP_OK);
    assert_int_equal(len, 0);
    /* write and delete */
    mock_expect(f.m, "00A5000406" "60045C027F21", "9000");
    mock_expect(f.m, "00DA7F2105" "3003020105", "9000");
    assert_int_equal(opgp_card_write_cert(f.card, OPGP_KEY_AUT, (const uint8_t *)"\x30\x03\x02\x01\x05",
                                          5, &err),
                     OPGP_OK);
    mock_expect(f.m, "00A5000406" "60045C027F21", "9000");
    mock_expect(f.m, "00DA7F21", "6982");
    assert_int_equal(opgp_card_write_cert(f.card, OPGP_KEY_AUT, NULL, 0, &err),
                     OPGP_E_SECURITY_STATUS);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW3);
    /* bigger than the card's max certificate length (0x480) */
    uint8_t big[0x481];
    memset(big, 0, sizeof big);
    assert_int_equal(opgp_card_write_cert(f.card, OPGP_KEY_AUT, big, sizeof big, &err),
                     OPGP_E_INVALID_ARG);
    fx_done(&f);
}

/* YubiKey: firmware from GET VERSION; 5.2.0-5.4.3 get SELECT DATA with the extra length byte. */
static void yubikey(const char *version_hex, bool quirk)
{
    fixture f;
    fx_load(&f, "rsa2048");
    patch(f.ad, f.ad_len, "4F10D276000124010304F1D0", "4F10D2760001240103040006");
    script_open(f.m, f.ad, f.ad_len);
    mock_expect(f.m, "00F1000000", cat(version_hex, "9000", NULL));
    fx_open(&f);
    assert_string_equal(opgp_manufacturer_name(opgp_card_appdata(f.card)->aid.manufacturer),
                        "Yubico");
    uint8_t fw[3];
    assert_true(opgp_card_firmware_version(f.card, fw));
    assert_int_equal(opgp_card_select_data_quirk(f.card), quirk);
    if (quirk)
        mock_expect(f.m, "00A5020407" "0660045C027F21", "9000");
    else
        mock_expect(f.m, "00A5020406" "60045C027F21", "9000");
    mock_expect(f.m, "00CA7F21000000", "9000");
    uint8_t buf[16];
    size_t len = sizeof buf;
    opgp_error err;
    assert_int_equal(opgp_card_read_cert(f.card, OPGP_KEY_SIG, buf, &len, &err), OPGP_OK);
    assert_int_equal(len, 0);
    fx_done(&f);
}

static void test_yubikey_select_data(void **state)
{
    (void)state;
    yubikey("050204", true);
    yubikey("050403", true);
    yubikey("050404", false);
    yubikey("050102", false);
}

/* ---- data objects, admin, failures ---- */

static void test_data_objects(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    opgp_error err;
    mock_expect(f.m, "00DA005B0A" "546573743C3C43617264", "9000");
    assert_int_equal(opgp_card_set_name(f.card, "Test<<Card", &err), OPGP_OK);
    mock_expect(f.m, "00DA5F2D02" "656E", "9000");
    assert_int_equal(opgp_card_set_language(f.card, "en", &err), OPGP_OK);
    mock_expect(f.m, "00DA5F3501" "32", "9000");
    assert_int_equal(opgp_card_set_sex(f.card, '2', &err), OPGP_OK);
    assert_int_equal(opgp_card_set_sex(f.card, 'x', &err), OPGP_E_INVALID_ARG);
    mock_expect(f.m, "00DA5F5005" "683A2F2F78", "9000");
    assert_int_equal(opgp_card_set_url(f.card, "h://x", &err), OPGP_OK);
    mock_expect(f.m, "00DA005E02" "6162", "9000");
    assert_int_equal(opgp_card_set_login(f.card, "ab", &err), OPGP_OK);
    mock_expect(f.m, "00DA00D802" "0120", "9000");
    assert_int_equal(opgp_card_set_uif(f.card, OPGP_KEY_AUT, OPGP_UIF_ON, &err), OPGP_OK);
    assert_int_equal(opgp_card_appdata(f.card)->uif[OPGP_KEY_AUT], OPGP_UIF_ON);
    mock_expect(f.m, "00DA00C401" "01", "9000");
    assert_int_equal(opgp_card_set_pw1_validity(f.card, true, &err), OPGP_OK);
    assert_true(opgp_card_appdata(f.card)->pw.pw1_multi_sign);
    uint8_t ca[20];
    memset(ca, 0xCA, sizeof ca);
    mock_expect(f.m, cat("00DA00CB14", repeat("CA", 20), NULL), "9000");
    assert_int_equal(opgp_card_set_ca_fingerprint(f.card, OPGP_KEY_DEC, ca, &err), OPGP_OK);
    mock_expect(f.m, "00DA010303" "010203", "9000");
    assert_int_equal(opgp_card_set_private_do(f.card, 3, (const uint8_t *)"\x01\x02\x03", 3, &err),
                     OPGP_OK);
    mock_expect(f.m, "00CA0103000000", "6A88");
    uint8_t buf[16];
    size_t len = sizeof buf;
    assert_int_equal(opgp_card_get_private_do(f.card, 3, buf, &len, &err), OPGP_E_NOT_FOUND);
    assert_int_equal(err.sw, 0x6A88);
    assert_int_equal(opgp_card_get_private_do(f.card, 5, buf, &len, &err), OPGP_E_INVALID_ARG);
    fx_done(&f);
}

static void test_challenge_and_reset(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    opgp_error err;
    uint8_t rnd[8];
    mock_expect(f.m, "0084000008", "01020304050607089000");
    assert_int_equal(opgp_card_get_challenge(f.card, rnd, 8, &err), OPGP_OK);
    assert_int_equal(rnd[7], 8);
    mock_expect(f.m, "0084000008", "0102039000");
    assert_int_equal(opgp_card_get_challenge(f.card, rnd, 8, &err), OPGP_E_BAD_RESPONSE);
    uint8_t big[0x053D];
    assert_int_equal(opgp_card_get_challenge(f.card, big, sizeof big, &err), OPGP_E_INVALID_ARG);

    mock_expect(f.m, "00E60000", "9000");
    mock_expect(f.m, "00440000", "9000");
    script_open(f.m, f.ad, f.ad_len);
    assert_int_equal(opgp_card_factory_reset(f.card, &err), OPGP_OK);
    mock_expect(f.m, "00E60000", "6985");
    assert_int_equal(opgp_card_factory_reset(f.card, &err), OPGP_E_CONDITIONS);
    assert_int_equal(err.pin_ref, OPGP_PIN_PW3);
    fx_done(&f);
}

/* After a reset the state is gone: reselect selects again (also when the transport reports the
 * reset on that very SELECT) and reads 6E anew; a short cryptogram is padded to the modulus. */
static void test_reselect_and_padding(void **state)
{
    (void)state;
    fixture f;
    fx_start(&f, "rsa2048");
    opgp_error err;
    mock_expect_error(f.m, "00A4040006D2760001240100", OPGP_E_CARD_RESET);
    script_open(f.m, f.ad, f.ad_len);
    assert_int_equal(opgp_card_reselect(f.card, &err), OPGP_OK);
    assert_true(opgp_card_link(f.card)->extended);

    uint8_t in[255];
    memset(in, 0x42, sizeof in);
    mock_expect(f.m, cat("002A8086000101", "0000", repeat("42", 255), "0000", NULL),
                "61626364659000");
    uint8_t out[300];
    size_t out_len = sizeof out;
    assert_int_equal(opgp_card_decipher(f.card, in, sizeof in, out, &out_len, &err), OPGP_OK);
    assert_int_equal(out_len, 5);
    /* too long for the modulus: refused */
    uint8_t big[257];
    memset(big, 1, sizeof big);
    out_len = sizeof out;
    assert_int_equal(opgp_card_decipher(f.card, big, sizeof big, out, &out_len, &err),
                     OPGP_E_INVALID_ARG);
    fx_done(&f);
}

static void test_open_failures(void **state)
{
    (void)state;
    opgp_card *card = (opgp_card *)1;
    opgp_error err;
    mock_transport *m = mock_transport_new();
    mock_expect(m, "00A4040006D2760001240100", "6A82");
    assert_int_equal(opgp_card_open(mock_transport_base(m), &card, &err), OPGP_E_NOT_OPENPGP);
    assert_null(card);
    assert_int_equal(err.sw, 0x6A82);
    mock_expect(m, "00A4040006D2760001240100", "6285");
    assert_int_equal(opgp_card_open(mock_transport_base(m), &card, &err), OPGP_E_TERMINATED);
    /* a 6E whose inner length runs past its end */
    mock_expect(m, "00A4040006D2760001240100", "9000");
    mock_expect(m, "00CA006E00", "6E0A4F10D2760001240103049000");
    assert_int_equal(opgp_card_open(mock_transport_base(m), &card, &err), OPGP_E_BAD_TLV);
    /* a 6E without the PW status bytes */
    mock_expect(m, "00A4040006D2760001240100", "9000");
    mock_expect(m, "00CA006E00", "6E124F10D276000124010304F1D00000000000009000");
    assert_int_equal(opgp_card_open(mock_transport_base(m), &card, &err), OPGP_E_BAD_RESPONSE);
    /* the card goes away */
    mock_expect_error(m, "00A4040006D2760001240100", OPGP_E_NO_CARD);
    assert_int_equal(opgp_card_open(mock_transport_base(m), &card, &err), OPGP_E_NO_CARD);
    assert_int_equal(opgp_card_open(NULL, &card, &err), OPGP_E_INVALID_ARG);
    assert_int_equal(mock_pending(m), 0);
    mock_transport_free(m);
    opgp_card_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_rsa_sha256),
        cmocka_unit_test(test_sign_raw_tls),
        cmocka_unit_test(test_sign_ecdsa_and_eddsa),
        cmocka_unit_test(test_decipher_ecdh_p256),
        cmocka_unit_test(test_decipher_x25519_prefix),
        cmocka_unit_test(test_decipher_rsa2048_recorded),
        cmocka_unit_test(test_decipher_rsa4096_chained),
        cmocka_unit_test(test_pin_answers),
        cmocka_unit_test(test_pin_management),
        cmocka_unit_test(test_verify_with_kdf),
        cmocka_unit_test(test_generate_p256),
        cmocka_unit_test(test_set_algo_attr),
        cmocka_unit_test(test_import_p256),
        cmocka_unit_test(test_import_rsa_crt),
        cmocka_unit_test(test_certs),
        cmocka_unit_test(test_yubikey_select_data),
        cmocka_unit_test(test_data_objects),
        cmocka_unit_test(test_challenge_and_reset),
        cmocka_unit_test(test_reselect_and_padding),
        cmocka_unit_test(test_open_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
