/* Decoding of the application related data 6E and its companions, against the recorded
 * responses of a real OpenPGP 3.4 card (CanoKey, manufacturer F1D0, serial 00000000), and
 * against malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "card_test_util.h"
#include "hex.h"
#include "opgp/appdata.h"
#include "opgp/tlv.h"

/* GET DATA 6E with extended Le 2000 (OpenSC), as recorded: the whole DO in one response. */
static const uint8_t get_6e_ext[] = {0x00, 0xCA, 0x00, 0x6E, 0x00, 0x20, 0x00};
static const uint8_t get_c4[] = {0x00, 0xCA, 0x00, 0xC4, 0x00};
static const uint8_t get_fa[] = {0x00, 0xCA, 0x00, 0xFA, 0x00, 0x20, 0x00};
static const uint8_t get_65[] = {0x00, 0xCA, 0x00, 0x65, 0x00};

static size_t recorded_6e(const char *file, uint8_t *buf, size_t cap)
{
    return ctu_recorded(file, get_6e_ext, sizeof get_6e_ext, buf, cap);
}

static void hex_eq(const uint8_t *got, size_t len, const char *want_hex)
{
    uint8_t want[128];
    long n = opgp_hex_decode(want_hex, strlen(want_hex), want, sizeof want);
    assert_int_equal(n, (long)len);
    assert_memory_equal(got, want, len);
}

/* What every recorded 6E shares: the same card. */
static void check_common(const opgp_appdata *ad)
{
    assert_int_equal(ad->aid.version_major, 3);
    assert_int_equal(ad->aid.version_minor, 4);
    assert_int_equal(ad->aid.manufacturer, 0xF1D0);
    assert_string_equal(opgp_manufacturer_name(ad->aid.manufacturer), "CanoKeys");
    hex_eq(ad->aid.serial, 4, "00000000");
    assert_int_equal(ad->aid.serial_number, 0);
    hex_eq(ad->aid.raw, 16, "D276000124010304F1D0000000000000");

    /* 5F52 00 31C5 73C00140 059000: extended Lc/Le yes, command chaining no */
    assert_int_equal(ad->historical.len, 10);
    assert_true(ad->historical.has_caps);
    assert_true(ad->historical.extended_length);
    assert_false(ad->historical.chaining);
    assert_true(ad->historical.has_status);
    assert_int_equal(ad->historical.life_cycle, 0x05);

    /* 7F66 0202053C 0202053C */
    assert_true(ad->has_ext_len_info);
    assert_int_equal(ad->ext_max_cmd, 0x053C);
    assert_int_equal(ad->ext_max_resp, 0x053C);
    /* 7F74 8101 20: button */
    assert_true(ad->has_features);
    assert_int_equal(ad->features, 0x20);

    /* C0 74 00 053C 0480 00FF 00 00 */
    assert_true(ad->ext_caps.present);
    assert_int_equal(ad->ext_caps.flags, 0x74);
    assert_true(ad->ext_caps.flags & OPGP_EXTCAP_GET_CHALLENGE);
    assert_true(ad->ext_caps.flags & OPGP_EXTCAP_KEY_IMPORT);
    assert_true(ad->ext_caps.flags & OPGP_EXTCAP_PW_STATUS_CHANGEABLE);
    assert_true(ad->ext_caps.flags & OPGP_EXTCAP_ALGO_ATTR_CHANGEABLE);
    assert_false(ad->ext_caps.flags & OPGP_EXTCAP_KDF);
    assert_false(ad->ext_caps.flags & OPGP_EXTCAP_SM);
    assert_int_equal(ad->ext_caps.max_challenge, 0x053C);
    assert_int_equal(ad->ext_caps.max_cert, 0x0480);
    assert_int_equal(ad->ext_caps.max_special_do, 0x00FF);
    assert_false(ad->ext_caps.pin_block2);
    assert_false(ad->ext_caps.mse_key_swap);

    /* C4 00 40 40 40 03 00 03 */
    assert_true(ad->pw.present);
    assert_false(ad->pw.pw1_multi_sign);
    assert_int_equal(ad->pw.max_len_pw1, 0x40);
    assert_int_equal(ad->pw.max_len_rc, 0x40);
    assert_int_equal(ad->pw.max_len_pw3, 0x40);
    assert_int_equal(ad->pw.tries_pw1, 3);
    assert_int_equal(ad->pw.tries_rc, 0);
    assert_int_equal(ad->pw.tries_pw3, 3);

    /* DE 0101 0201 0301: three generated keys; D6-D8 0020: UIF off */
    assert_true(ad->has_key_info);
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
        assert_int_equal(ad->key_status[s], OPGP_KEYSTATUS_GENERATED);
        assert_true(opgp_appdata_key_present(ad, (opgp_key_slot)s));
        assert_true(ad->has_uif[s]);
        assert_int_equal(ad->uif[s], OPGP_UIF_OFF);
        uint8_t zero[20] = {0};
        assert_memory_equal(ad->ca_fpr[s], zero, 20);
    }
    assert_false(ad->kdf.present);
}

static void test_rsa2048_6e(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = recorded_6e("rsa2048-get-data.txt", buf, sizeof buf);
    assert_int_equal(n, 259);
    opgp_appdata ad;
    assert_int_equal(opgp_appdata_decode(buf, n, &ad), OPGP_OK);
    check_common(&ad);
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
        assert_int_equal(ad.attr[s].algo, OPGP_ALGO_RSA);
        assert_int_equal(ad.attr[s].rsa_bits, 2048);
        assert_int_equal(ad.attr[s].rsa_e_bits, 32);
        assert_int_equal(ad.attr[s].rsa_import_format, 0x02);
        assert_int_equal(ad.gen_time[s], 0x6B05DC23);
        assert_int_equal(opgp_algo_attr_key_bytes(&ad.attr[s]), 256);
    }
    hex_eq(ad.fpr[OPGP_KEY_SIG], 20, "7BD1961C5DE3C32B5D8B1F76C3859E76AB2E723D");
    hex_eq(ad.fpr[OPGP_KEY_DEC], 20, "E926397F31968A47F04A110A1E53D22817B2446B");
    hex_eq(ad.fpr[OPGP_KEY_AUT], 20, "F6CD379DDDE96B046CFA68EAE20529E000C8BA38");
    char d[64];
    assert_string_equal(opgp_algo_attr_describe(&ad.attr[0], d, sizeof d), "RSA 2048");
}

static void test_p256_6e(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = recorded_6e("p256-get-data.txt", buf, sizeof buf);
    opgp_appdata ad;
    assert_int_equal(opgp_appdata_decode(buf, n, &ad), OPGP_OK);
    check_common(&ad);
    assert_int_equal(ad.attr[OPGP_KEY_SIG].algo, OPGP_ALGO_ECDSA);
    assert_int_equal(ad.attr[OPGP_KEY_DEC].algo, OPGP_ALGO_ECDH);
    assert_int_equal(ad.attr[OPGP_KEY_AUT].algo, OPGP_ALGO_ECDSA);
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
        assert_int_equal(ad.attr[s].curve, OPGP_CURVE_P256);
        hex_eq(ad.attr[s].oid, ad.attr[s].oid_len, "2A8648CE3D030107");
        assert_false(ad.attr[s].ecc_import_pubkey);
        assert_int_equal(opgp_algo_attr_key_bytes(&ad.attr[s]), 32);
        assert_int_equal(ad.gen_time[s], 0x6B05DC59);
    }
    hex_eq(ad.fpr[OPGP_KEY_SIG], 20, "179B212EC025DA187E065CF5700FD1F828EE230A");
    char d[64];
    assert_string_equal(opgp_algo_attr_describe(&ad.attr[1], d, sizeof d), "ECDH NIST P-256");
}

static void test_cv25519_6e(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = recorded_6e("cv25519-get-data.txt", buf, sizeof buf);
    opgp_appdata ad;
    assert_int_equal(opgp_appdata_decode(buf, n, &ad), OPGP_OK);
    check_common(&ad);
    assert_int_equal(ad.attr[OPGP_KEY_SIG].algo, OPGP_ALGO_EDDSA);
    assert_int_equal(ad.attr[OPGP_KEY_SIG].curve, OPGP_CURVE_ED25519);
    assert_int_equal(ad.attr[OPGP_KEY_AUT].algo, OPGP_ALGO_EDDSA);
    assert_int_equal(ad.attr[OPGP_KEY_AUT].curve, OPGP_CURVE_ED25519);
    assert_int_equal(ad.attr[OPGP_KEY_DEC].algo, OPGP_ALGO_ECDH);
    assert_int_equal(ad.attr[OPGP_KEY_DEC].curve, OPGP_CURVE_X25519);
    hex_eq(ad.attr[OPGP_KEY_DEC].oid, ad.attr[OPGP_KEY_DEC].oid_len, "2B060104019755010501");
    hex_eq(ad.fpr[OPGP_KEY_AUT], 20, "4EE5F42B2AD91B93336ADA7D8236EA7852FE3CD5");
    char d[64];
    assert_string_equal(opgp_algo_attr_describe(&ad.attr[0], d, sizeof d), "EdDSA Ed25519");
}

/* The PW status read on its own (C4) says the same as inside 6E. */
static void test_c4_alone(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = ctu_recorded("rsa2048-get-data.txt", get_c4, sizeof get_c4, buf, sizeof buf);
    opgp_pw_status pw;
    assert_int_equal(opgp_pw_status_decode(buf, n, &pw), OPGP_OK);
    assert_int_equal(pw.tries_pw1, 3);
    assert_int_equal(pw.tries_rc, 0);
    assert_int_equal(pw.tries_pw3, 3);
    assert_int_equal(opgp_pw_status_decode(buf, 6, &pw), OPGP_E_BAD_RESPONSE);
}

/* FA as the CanoKey sends it: the entries without the FA template around them. */
static void test_algo_info(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = ctu_recorded("rsa2048-get-data.txt", get_fa, sizeof get_fa, buf, sizeof buf);
    opgp_algo_info info;
    assert_int_equal(opgp_algo_info_decode(buf, n, &info), OPGP_OK);
    /* 9 entries per slot: RSA 2048/3072/4096, P-256, secp256k1, P-384, P-521, Ed25519 or
     * X25519, and SM2 (OID 2A811CCF5501822D), kept as an unknown curve */
    assert_int_equal(info.count, 27);
    int ed_sig = 0, x_dec = 0, rsa4096 = 0, unknown = 0;
    for (size_t i = 0; i < info.count; i++) {
        const opgp_algo_attr *a = &info.entry[i].attr;
        if (info.entry[i].slot == OPGP_KEY_SIG && a->curve == OPGP_CURVE_ED25519)
            ed_sig++;
        if (info.entry[i].slot == OPGP_KEY_DEC && a->curve == OPGP_CURVE_X25519)
            x_dec++;
        if (a->algo == OPGP_ALGO_RSA && a->rsa_bits == 4096)
            rsa4096++;
        if (a->algo != OPGP_ALGO_RSA && a->curve == OPGP_CURVE_UNKNOWN)
            unknown++;
    }
    assert_int_equal(ed_sig, 1);
    assert_int_equal(x_dec, 1);
    assert_int_equal(rsa4096, 3);
    assert_int_equal(unknown, 3);

    /* Wrapped in FA, the same list. */
    uint8_t wrapped[1100];
    opgp_buf b;
    opgp_buf_init(&b, wrapped, sizeof wrapped);
    opgp_tlv_put(&b, 0xFA, buf, n);
    opgp_algo_info info2;
    assert_int_equal(opgp_algo_info_decode(wrapped, b.len, &info2), OPGP_OK);
    assert_int_equal(info2.count, info.count);
}

static void test_cardholder(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = ctu_recorded("rsa2048-get-data.txt", get_65, sizeof get_65, buf, sizeof buf);
    opgp_cardholder ch;
    assert_int_equal(opgp_cardholder_decode(buf, n, &ch), OPGP_OK);
    assert_string_equal(ch.name, "");
    assert_string_equal(ch.language, "");
    assert_int_equal(ch.sex, '9');
    /* a name longer than the field is cut, never overflowing */
    uint8_t big[80];
    big[0] = 0x65;
    big[1] = 62;
    big[2] = 0x5B;
    big[3] = 60;
    memset(big + 4, 'A', 60);
    assert_int_equal(opgp_cardholder_decode(big, 64, &ch), OPGP_OK);
    assert_int_equal(strlen(ch.name), sizeof ch.name - 1);
}

static void test_algo_attr_roundtrip(void **state)
{
    (void)state;
    opgp_algo_attr a, d;
    uint8_t v[32];
    size_t len = sizeof v;
    a = opgp_algo_attr_rsa(3072);
    assert_int_equal(opgp_algo_attr_encode(&a, v, &len), OPGP_OK);
    hex_eq(v, len, "010C00002000");
    assert_int_equal(opgp_algo_attr_decode(v, len, &d), OPGP_OK);
    assert_true(opgp_algo_attr_equal(&a, &d));

    assert_int_equal(opgp_algo_attr_ecc(OPGP_ALGO_ECDSA, OPGP_CURVE_P384, &a), OPGP_OK);
    a.ecc_import_pubkey = true;
    len = sizeof v;
    assert_int_equal(opgp_algo_attr_encode(&a, v, &len), OPGP_OK);
    hex_eq(v, len, "132B81040022FF");
    assert_int_equal(opgp_algo_attr_decode(v, len, &d), OPGP_OK);
    assert_int_equal(d.curve, OPGP_CURVE_P384);
    assert_true(d.ecc_import_pubkey);

    assert_int_equal(opgp_algo_attr_ecc(OPGP_ALGO_ECDSA, OPGP_CURVE_ED25519, &a),
                     OPGP_E_INVALID_ARG);
    assert_int_equal(opgp_algo_attr_ecc(OPGP_ALGO_EDDSA, OPGP_CURVE_X25519, &a),
                     OPGP_E_INVALID_ARG);
    const uint8_t bp512[] = {0x13, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D};
    assert_int_equal(opgp_algo_attr_decode(bp512, sizeof bp512, &d), OPGP_OK);
    assert_int_equal(d.curve, OPGP_CURVE_BRAINPOOL_P512R1);
    assert_int_equal(opgp_algo_attr_key_bytes(&d), 64);
    const uint8_t k1[] = {0x13, 0x2B, 0x81, 0x04, 0x00, 0x0A};
    assert_int_equal(opgp_algo_attr_decode(k1, sizeof k1, &d), OPGP_OK);
    assert_int_equal(d.curve, OPGP_CURVE_SECP256K1);
    /* truncated RSA, empty ECC OID, unknown algorithm */
    const uint8_t bad1[] = {0x01, 0x08, 0x00};
    const uint8_t bad2[] = {0x13, 0xFF};
    const uint8_t bad3[] = {0x42, 0x01};
    assert_int_equal(opgp_algo_attr_decode(bad1, sizeof bad1, &d), OPGP_E_BAD_RESPONSE);
    assert_int_equal(opgp_algo_attr_decode(bad2, sizeof bad2, &d), OPGP_E_BAD_RESPONSE);
    assert_int_equal(opgp_algo_attr_decode(bad3, sizeof bad3, &d), OPGP_E_NOT_SUPPORTED);
}

static void test_manufacturers(void **state)
{
    (void)state;
    assert_string_equal(opgp_manufacturer_name(0x0006), "Yubico");
    assert_string_equal(opgp_manufacturer_name(0xF517), "FSIJ");
    assert_string_equal(opgp_manufacturer_name(0x0000), "test card");
    assert_string_equal(opgp_manufacturer_name(0xFFFF), "test card");
    assert_string_equal(opgp_manufacturer_name(0xFF12), "unmanaged serial number range");
    assert_string_equal(opgp_manufacturer_name(0x7777), "unknown manufacturer");
}

static void test_slot_constants(void **state)
{
    (void)state;
    assert_int_equal(opgp_key_slot_crt(OPGP_KEY_SIG), 0xB6);
    assert_int_equal(opgp_key_slot_crt(OPGP_KEY_DEC), 0xB8);
    assert_int_equal(opgp_key_slot_crt(OPGP_KEY_AUT), 0xA4);
    assert_int_equal(opgp_key_slot_cert_occurrence(OPGP_KEY_AUT), 0);
    assert_int_equal(opgp_key_slot_cert_occurrence(OPGP_KEY_DEC), 1);
    assert_int_equal(opgp_key_slot_cert_occurrence(OPGP_KEY_SIG), 2);
    assert_int_equal(opgp_key_slot_uif_tag(OPGP_KEY_DEC), 0xD7);
    assert_int_equal(opgp_key_slot_time_tag(OPGP_KEY_AUT), 0xD0);
    assert_int_equal(opgp_key_slot_crt((opgp_key_slot)7), 0);
}

static void test_kdf_do(void **state)
{
    (void)state;
    /* F9 { 81 03, 82 08, 83 00020000, 84 salt8, 85 salt8, 86 salt8 } */
    const char *hex = "F92A810103820108830400020000"
                      "84080102030405060708" "85081112131415161718" "86082122232425262728";
    uint8_t buf[64];
    long n = opgp_hex_decode(hex, strlen(hex), buf, sizeof buf);
    assert_true(n > 0);
    opgp_kdf k;
    assert_int_equal(opgp_kdf_decode(buf, (size_t)n, &k), OPGP_OK);
    assert_true(k.present);
    assert_int_equal(k.algo, OPGP_KDF_ITERSALTED_S2K);
    assert_int_equal(k.hash, OPGP_KDF_HASH_SHA256);
    assert_int_equal(k.iterations, 0x20000);
    assert_int_equal(k.salt_rc_len, 8);
    assert_int_equal(k.salt_pw3[7], 0x28);
    /* a salt longer than the field, a 3-byte count */
    buf[15] = 0x20;
    assert_int_not_equal(opgp_kdf_decode(buf, (size_t)n, &k), OPGP_OK);
    const uint8_t bad_count[] = {0xF9, 0x08, 0x81, 0x01, 0x03, 0x83, 0x03, 0x00, 0x01, 0x00};
    assert_int_equal(opgp_kdf_decode(bad_count, sizeof bad_count, &k), OPGP_E_BAD_RESPONSE);
    const uint8_t none[] = {0xF9, 0x03, 0x81, 0x01, 0x00};
    assert_int_equal(opgp_kdf_decode(none, sizeof none, &k), OPGP_OK);
    assert_true(k.present);
    assert_int_equal(k.algo, OPGP_KDF_NONE);
}

/* Every truncation of a real 6E is refused cleanly (ASan/UBSan builds check the reads). */
static void test_truncated_6e(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = recorded_6e("cv25519-get-data.txt", buf, sizeof buf);
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, buf, cut);
        opgp_appdata ad;
        opgp_status st = opgp_appdata_decode(copy, cut, &ad);
        if (st == OPGP_OK)
            fail_msg("truncated to %zu bytes, decoded anyway", cut);
        assert_true(st == OPGP_E_BAD_TLV || st == OPGP_E_BAD_RESPONSE);
        free(copy);
    }
}

static size_t find_bytes(const uint8_t *buf, size_t n, const char *hex)
{
    uint8_t pat[16];
    long pl = opgp_hex_decode(hex, strlen(hex), pat, sizeof pat);
    for (size_t i = 0; pl > 0 && i + (size_t)pl <= n; i++)
        if (memcmp(buf + i, pat, (size_t)pl) == 0)
            return i;
    fail_msg("pattern %s not found", hex);
    return 0;
}

/* Inner lengths that lie: each gives an error, never a crash or a half-decoded card. */
static void test_bad_lengths_6e(void **state)
{
    (void)state;
    uint8_t orig[1024], buf[1024];
    size_t n = recorded_6e("rsa2048-get-data.txt", orig, sizeof orig);
    opgp_appdata ad;

    /* C4 says 7, make it 5 and move the bytes: a PW status too short */
    memcpy(buf, orig, n);
    size_t c4 = find_bytes(buf, n, "C407004040400300");
    buf[c4 + 1] = 0x05;
    assert_int_not_equal(opgp_appdata_decode(buf, n, &ad), OPGP_OK);

    /* the 73 template claims more than 6E holds */
    memcpy(buf, orig, n);
    size_t t73 = find_bytes(buf, n, "738200CB");
    buf[t73 + 3] = 0xFF;
    assert_int_equal(opgp_appdata_decode(buf, n, &ad), OPGP_E_BAD_TLV);

    /* the AID is 15 bytes */
    memcpy(buf, orig, n);
    size_t aid = find_bytes(buf, n, "4F10D276");
    buf[aid + 1] = 0x0F;
    assert_int_not_equal(opgp_appdata_decode(buf, n, &ad), OPGP_OK);

    /* not 6E at all */
    memcpy(buf, orig, n);
    buf[0] = 0x6F;
    assert_int_equal(opgp_appdata_decode(buf, n, &ad), OPGP_E_BAD_RESPONSE);

    /* C5 with 40 bytes instead of 60 */
    memcpy(buf, orig, n);
    size_t c5 = find_bytes(buf, n, "C53C7BD1");
    buf[c5 + 1] = 0x28;
    assert_int_not_equal(opgp_appdata_decode(buf, n, &ad), OPGP_OK);

    /* Every single byte changed to every value: whatever the result, no out-of-bounds read. */
    for (size_t i = 0; i < n; i++) {
        for (unsigned v = 0; v < 256; v += 17) {
            memcpy(buf, orig, n);
            buf[i] = (uint8_t)v;
            (void)opgp_appdata_decode(buf, n, &ad);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa2048_6e),
        cmocka_unit_test(test_p256_6e),
        cmocka_unit_test(test_cv25519_6e),
        cmocka_unit_test(test_c4_alone),
        cmocka_unit_test(test_algo_info),
        cmocka_unit_test(test_cardholder),
        cmocka_unit_test(test_algo_attr_roundtrip),
        cmocka_unit_test(test_manufacturers),
        cmocka_unit_test(test_slot_constants),
        cmocka_unit_test(test_kdf_do),
        cmocka_unit_test(test_truncated_6e),
        cmocka_unit_test(test_bad_lengths_6e),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
