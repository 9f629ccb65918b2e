/* opgp-tool's pure pieces: JSON escaping and structure, the text layout, hex/time formatting,
 * Base64/PEM, cardholder names, public key encodings (checked against OpenSSL's own DER), and
 * the Windows build's private key file parser (key_der.c, against OpenSSL's encodings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "card_info.h"
#include "key_der.h"
#include "output.h"
#include "pem.h"
#include "pubkey_format.h"

/* Run fn writing to a memory stream; return the text (caller frees). */
static char *capture(void (*fn)(FILE *f, void *arg), void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f, arg);
    fclose(f);
    return buf;
}

static void json_string_of(FILE *f, void *arg)
{
    out_json_string(f, (const char *)arg);
}

static void check_json_string(const char *in, const char *want)
{
    char *got = capture(json_string_of, (void *)in);
    assert_string_equal(got, want);
    free(got);
}

static void test_json_escapes(void **state)
{
    (void)state;
    check_json_string("plain", "\"plain\"");
    check_json_string("a\"b\\c", "\"a\\\"b\\\\c\"");
    check_json_string("l1\nl2\r\t", "\"l1\\nl2\\r\\t\"");
    check_json_string("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
    check_json_string("", "\"\"");
}

static void test_json_utf8_and_latin1(void **state)
{
    (void)state;
    /* Valid UTF-8 passes unchanged. */
    check_json_string("M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x94\x91", "\"M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x94\x91\"");
    /* ISO 8859-1 "Müller" (FC) becomes UTF-8 C3 BC. */
    check_json_string("M\xfcller", "\"M\xc3\xbcller\"");
    /* Overlong NUL, a lone continuation byte, a surrogate, a truncated sequence: all taken as
     * Latin-1 byte by byte, so the output is always valid UTF-8. */
    check_json_string("\xc0\x80", "\"\xc3\x80\xc2\x80\"");
    check_json_string("\x80", "\"\xc2\x80\"");
    check_json_string("\xed\xa0\x80", "\"\xc3\xad\xc2\xa0\xc2\x80\"");
    check_json_string("\xe2\x82", "\"\xc3\xa2\xc2\x82\"");
}

static void json_document(FILE *f, void *arg)
{
    (void)arg;
    out o;
    out_init(&o, f, true);
    out_str(&o, "name", "Name", "x\"y");
    out_str(&o, "none", "None", NULL);
    out_int(&o, "n", "N", -5);
    out_bool(&o, "b", "B", true, "yes", "no");
    out_begin_array(&o, "keys", NULL);
    out_begin_object(&o, NULL, "Key");
    out_str(&o, "slot", "Slot", "sig");
    out_end_object(&o);
    out_begin_object(&o, NULL, "Key");
    out_null(&o, "cert", "Cert", "[none]");
    out_end_object(&o);
    out_end_array(&o);
    out_begin_object(&o, "empty", NULL);
    out_end_object(&o);
    out_finish(&o);
}

static void test_json_structure(void **state)
{
    (void)state;
    char *got = capture(json_document, NULL);
    assert_string_equal(got, "{\"name\":\"x\\\"y\",\"none\":null,\"n\":-5,\"b\":true,"
                             "\"keys\":[{\"slot\":\"sig\"},{\"cert\":null}],\"empty\":{}}\n");
    free(got);
}

static void text_document(FILE *f, void *arg)
{
    (void)arg;
    out o;
    out_init(&o, f, false);
    out_str(&o, "reader", "Reader", "r\x1b[31m");
    out_begin_array(&o, "keys", NULL);
    out_begin_object(&o, NULL, "Signature key");
    out_str(&o, "slot", "Slot", "sig");
    out_null(&o, "cert", "Certificate", "[none]");
    out_end_object(&o);
    out_end_array(&o);
    out_bool(&o, "b", "Extended length", false, "yes", "no");
    out_finish(&o);
}

static void test_text_layout(void **state)
{
    (void)state;
    char *got = capture(text_document, NULL);
    /* Labels dotted to one column, headings indent, escape sequences defused. */
    assert_string_equal(got, "Reader .............: r?[31m\n"
                             "Signature key:\n"
                             "  Slot .............: sig\n"
                             "  Certificate ......: [none]\n"
                             "Extended length ....: no\n");
    free(got);
}

static void test_hex_and_time(void **state)
{
    (void)state;
    uint8_t fpr[20];
    for (int i = 0; i < 20; i++)
        fpr[i] = (uint8_t)(0x11 * (i % 16));
    char buf[64];
    assert_string_equal(out_format_hex(fpr, 20, true, buf, sizeof buf),
                        "0011 2233 4455 6677 8899  AABB CCDD EEFF 0011 2233");
    assert_string_equal(out_format_hex(fpr, 4, false, buf, sizeof buf), "00112233");
    /* Truncation keeps whole bytes and the terminator. */
    assert_string_equal(out_format_hex(fpr, 20, false, buf, 6), "0011");
    assert_string_equal(out_format_time(0, buf, sizeof buf), "1970-01-01 00:00:00");
    assert_string_equal(out_format_time(951782400, buf, sizeof buf), "2000-02-29 00:00:00");
    assert_string_equal(out_format_time(1795607070, buf, sizeof buf), "2026-11-25 11:44:30");
    assert_string_equal(out_format_time(4102444799ULL, buf, sizeof buf), "2099-12-31 23:59:59");
}

static void test_base64_pem(void **state)
{
    (void)state;
    char b64[16];
    assert_true(base64_encode((const uint8_t *)"foob", 4, b64, sizeof b64));
    assert_string_equal(b64, "Zm9vYg==");
    assert_true(base64_encode((const uint8_t *)"fooba", 5, b64, sizeof b64));
    assert_string_equal(b64, "Zm9vYmE=");
    assert_false(base64_encode((const uint8_t *)"foobar", 6, b64, 8)); /* needs 9 */

    uint8_t der[200];
    for (size_t i = 0; i < sizeof der; i++)
        der[i] = (uint8_t)(i * 7 + 3);
    char *pem = NULL;
    size_t pem_len = 0;
    FILE *f = open_memstream(&pem, &pem_len);
    pem_write(f, "CERTIFICATE", der, sizeof der);
    fclose(f);
    assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE-----\n"));
    size_t n = pem_len;
    bool malformed = true;
    assert_true(pem_decode_in_place((uint8_t *)pem, &n, "CERTIFICATE", &malformed));
    assert_false(malformed);
    assert_int_equal(n, sizeof der);
    assert_memory_equal(pem, der, sizeof der);
    free(pem);

    /* DER is left alone; broken PEM is reported. */
    n = sizeof der;
    assert_false(pem_decode_in_place(der, &n, "CERTIFICATE", &malformed));
    assert_false(malformed);
    char bad[] = "-----BEGIN CERTIFICATE-----\nZm9v!\n-----END CERTIFICATE-----\n";
    n = strlen(bad);
    assert_false(pem_decode_in_place((uint8_t *)bad, &n, "CERTIFICATE", &malformed));
    assert_true(malformed);
    char open_only[] = "-----BEGIN CERTIFICATE-----\nZm9v\n";
    n = strlen(open_only);
    assert_false(pem_decode_in_place((uint8_t *)open_only, &n, "CERTIFICATE", &malformed));
    assert_true(malformed);
}

static void test_display_name(void **state)
{
    (void)state;
    char buf[64];
    card_info_display_name("Test<<Card", buf, sizeof buf);
    assert_string_equal(buf, "Card Test");
    card_info_display_name("Lovelace<<Ada<King", buf, sizeof buf);
    assert_string_equal(buf, "Ada King Lovelace");
    card_info_display_name("Mononym", buf, sizeof buf);
    assert_string_equal(buf, "Mononym");
    card_info_display_name("<<Given", buf, sizeof buf);
    assert_string_equal(buf, "Given");
}

/* Our SubjectPublicKeyInfo of a key equals OpenSSL's encoding of the same key. */
static void check_spki(EVP_PKEY *key, const opgp_public_key *pk)
{
    uint8_t *want = NULL;
    int want_len = i2d_PUBKEY(key, &want);
    assert_true(want_len > 0);
    uint8_t got[PUBKEY_MAX_DER];
    size_t got_len = sizeof got;
    assert_int_equal(pubkey_to_spki(pk, got, &got_len), OPGP_OK);
    assert_int_equal(got_len, (size_t)want_len);
    assert_memory_equal(got, want, got_len);
    OPENSSL_free(want);
}

static void test_spki_rsa(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_RSA_gen(2048);
    assert_non_null(key);
    opgp_public_key pk;
    memset(&pk, 0, sizeof pk);
    pk.attr = opgp_algo_attr_rsa(2048);
    BIGNUM *n = NULL, *e = NULL;
    assert_true(EVP_PKEY_get_bn_param(key, "n", &n));
    assert_true(EVP_PKEY_get_bn_param(key, "e", &e));
    pk.n_len = (size_t)BN_bn2bin(n, pk.n);
    /* The card sends e as 3 or 4 bytes, maybe with a leading zero: it must not show. */
    pk.e_len = 4;
    assert_int_equal(BN_bn2binpad(e, pk.e, 4), 4);
    check_spki(key, &pk);

    char line[1024];
    assert_int_equal(pubkey_to_ssh(&pk, "c", line, sizeof line), OPGP_OK);
    assert_true(strncmp(line, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB", 32) == 0);
    assert_string_equal(line + strlen(line) - 2, " c");
    assert_int_equal(pubkey_to_ssh(&pk, "c", line, 40), OPGP_E_BUFFER_TOO_SMALL);
    BN_free(n);
    BN_free(e);
    EVP_PKEY_free(key);
}

static void test_spki_ec(void **state)
{
    (void)state;
    static const struct { const char *ossl; opgp_algo_id algo; opgp_curve curve; } cases[] = {
        {"P-256", OPGP_ALGO_ECDSA, OPGP_CURVE_P256},
        {"P-384", OPGP_ALGO_ECDH, OPGP_CURVE_P384},
        {"brainpoolP256r1", OPGP_ALGO_ECDSA, OPGP_CURVE_BRAINPOOL_P256R1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        EVP_PKEY *key = EVP_EC_gen(cases[i].ossl);
        assert_non_null(key);
        opgp_public_key pk;
        memset(&pk, 0, sizeof pk);
        assert_int_equal(opgp_algo_attr_ecc(cases[i].algo, cases[i].curve, &pk.attr), OPGP_OK);
        size_t len = 0;
        assert_true(EVP_PKEY_get_octet_string_param(key, "encoded-pub-key", pk.point,
                                                    sizeof pk.point, &len));
        pk.point_len = len;
        check_spki(key, &pk);
        EVP_PKEY_free(key);
    }
    static const struct { const char *ossl; opgp_algo_id algo; opgp_curve curve; } raw[] = {
        {"ED25519", OPGP_ALGO_EDDSA, OPGP_CURVE_ED25519},
        {"X25519", OPGP_ALGO_ECDH, OPGP_CURVE_X25519},
    };
    for (size_t i = 0; i < 2; i++) {
        EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, raw[i].ossl);
        assert_non_null(key);
        opgp_public_key pk;
        memset(&pk, 0, sizeof pk);
        assert_int_equal(opgp_algo_attr_ecc(raw[i].algo, raw[i].curve, &pk.attr), OPGP_OK);
        pk.point_len = sizeof pk.point;
        assert_true(EVP_PKEY_get_raw_public_key(key, pk.point, &pk.point_len));
        check_spki(key, &pk);
        char line[256];
        assert_int_equal(pubkey_to_ssh(&pk, NULL, line, sizeof line),
                         i == 0 ? OPGP_OK : OPGP_E_NOT_SUPPORTED);
        if (i == 0)
            assert_true(strncmp(line, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", 37) == 0);
        EVP_PKEY_free(key);
    }
}

/* ---- key_der: the Windows build's key file parser, checked against OpenSSL's encodings ---- */

static unsigned char *der_pkcs8(EVP_PKEY *key, size_t *len)
{
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
    assert_non_null(p8);
    unsigned char *der = NULL;
    int n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    assert_true(n > 0);
    *len = (size_t)n;
    return der;
}

static unsigned char *der_traditional(EVP_PKEY *key, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(key, &der); /* PKCS#1 RSAPrivateKey / SEC 1 ECPrivateKey */
    assert_true(n > 0);
    *len = (size_t)n;
    return der;
}

static void assert_int_is(const key_der_int *got, EVP_PKEY *key, const char *param)
{
    BIGNUM *bn = NULL;
    assert_true(EVP_PKEY_get_bn_param(key, param, &bn));
    unsigned char want[1024];
    int n = BN_bn2bin(bn, want);
    BN_free(bn);
    assert_int_equal(got->len, (size_t)n);
    assert_memory_equal(got->v, want, (size_t)n);
}

/* key in one of the two encodings a key file holds (form 0: PKCS#8, 1: traditional), parsed
 * into d as a key of kind; the DER (OPENSSL_free) and its length in *len. */
static unsigned char *parsed_der(EVP_PKEY *key, int form, key_der_kind kind, key_der *d,
                                 size_t *len)
{
    unsigned char *der = form ? der_traditional(key, len) : der_pkcs8(key, len);
    assert_int_equal(key_der_parse(der, *len, d), OPGP_OK);
    assert_int_equal(d->kind, kind);
    return der;
}

/* Every truncation of a valid encoding is refused (and read nowhere past its end). */
static void assert_truncations_refused(const unsigned char *der, size_t len)
{
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, der, cut);
        key_der d;
        assert_int_not_equal(key_der_parse(copy, cut, &d), OPGP_OK);
        free(copy);
    }
}

static void test_key_der_rsa(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_RSA_gen(2048);
    assert_non_null(key);
    for (int form = 0; form < 2; form++) {
        size_t len;
        key_der d;
        unsigned char *der = parsed_der(key, form, KEY_DER_RSA, &d, &len);
        assert_int_is(&d.n, key, OSSL_PKEY_PARAM_RSA_N);
        assert_int_is(&d.e, key, OSSL_PKEY_PARAM_RSA_E);
        assert_int_is(&d.p, key, OSSL_PKEY_PARAM_RSA_FACTOR1);
        assert_int_is(&d.q, key, OSSL_PKEY_PARAM_RSA_FACTOR2);
        assert_int_is(&d.dp, key, OSSL_PKEY_PARAM_RSA_EXPONENT1);
        assert_int_is(&d.dq, key, OSSL_PKEY_PARAM_RSA_EXPONENT2);
        assert_int_is(&d.u, key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
        if (form == 0)
            assert_truncations_refused(der, len);
        OPENSSL_free(der);
    }
    EVP_PKEY_free(key);
}

static void test_key_der_ec(void **state)
{
    (void)state;
    static const char *curves[] = {"P-256", "brainpoolP384r1", "P-521"};
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
        EVP_PKEY *key = EVP_EC_gen(curves[i]);
        assert_non_null(key);
        unsigned char pub[200];
        size_t pub_len = 0;
        assert_true(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub,
                                                    sizeof pub, &pub_len));
        char group[64];
        assert_true(EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                                   sizeof group, NULL));
        ASN1_OBJECT *obj = OBJ_nid2obj(OBJ_txt2nid(group));
        assert_non_null(obj);
        for (int form = 0; form < 2; form++) {
            size_t len;
            key_der d;
            unsigned char *der = parsed_der(key, form, KEY_DER_EC, &d, &len);
            assert_int_equal(d.curve_oid_len, (size_t)OBJ_length(obj));
            assert_memory_equal(d.curve_oid, OBJ_get0_data(obj), d.curve_oid_len);
            assert_int_equal(d.pub_len, pub_len);
            assert_memory_equal(d.pub, pub, pub_len);
            key_der_int scalar = {d.scalar, d.scalar_len};
            while (scalar.len > 1 && scalar.v[0] == 0) { /* a fixed-width OCTET STRING */
                scalar.v++;
                scalar.len--;
            }
            assert_int_is(&scalar, key, OSSL_PKEY_PARAM_PRIV_KEY);
            if (i == 0)
                assert_truncations_refused(der, len);
            OPENSSL_free(der);
        }
        EVP_PKEY_free(key);
    }
}

static void test_key_der_25519_and_refusals(void **state)
{
    (void)state;
    static const struct { const char *name; key_der_kind kind; } raw[] = {
        {"ED25519", KEY_DER_ED25519}, {"X25519", KEY_DER_X25519}};
    for (size_t i = 0; i < 2; i++) {
        EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, raw[i].name);
        assert_non_null(key);
        unsigned char priv[32];
        size_t priv_len = sizeof priv;
        assert_true(EVP_PKEY_get_raw_private_key(key, priv, &priv_len));
        size_t len;
        key_der d;
        unsigned char *der = parsed_der(key, 0, raw[i].kind, &d, &len);
        assert_int_equal(d.scalar_len, 32);
        assert_memory_equal(d.scalar, priv, 32);
        assert_int_equal(d.pub_len, 0); /* OpenSSL writes PKCS#8 v1: no public key */
        OPENSSL_free(der);
        EVP_PKEY_free(key);
    }
    /* A DSA key is well-formed PKCS#8 of a kind cards do not hold. */
    EVP_PKEY *dsa = EVP_PKEY_Q_keygen(NULL, NULL, "DSA", (size_t)2048);
    if (dsa) { /* DSA key generation may be disabled in the OpenSSL build */
        size_t len;
        unsigned char *der = der_pkcs8(dsa, &len);
        key_der d;
        assert_int_equal(key_der_parse(der, len, &d), OPGP_E_NOT_SUPPORTED);
        OPENSSL_free(der);
        EVP_PKEY_free(dsa);
    }
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    key_der d;
    assert_int_not_equal(key_der_parse(junk, sizeof junk, &d), OPGP_OK);
    assert_int_not_equal(key_der_parse(NULL, 0, &d), OPGP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_escapes),   cmocka_unit_test(test_json_utf8_and_latin1),
        cmocka_unit_test(test_json_structure), cmocka_unit_test(test_text_layout),
        cmocka_unit_test(test_hex_and_time),   cmocka_unit_test(test_base64_pem),
        cmocka_unit_test(test_display_name),   cmocka_unit_test(test_spki_rsa),
        cmocka_unit_test(test_spki_ec),       cmocka_unit_test(test_key_der_rsa),
        cmocka_unit_test(test_key_der_ec),
        cmocka_unit_test(test_key_der_25519_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
