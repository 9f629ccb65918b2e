/* The minidriver's pure parts: structure layout, container map, names, cardcf, key blobs
 * (checked against OpenSSL's view of the same keys) and PIN_INFO from the PW status bytes. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "md.h"
#include "md_test_env.h"

static void make_appdata(opgp_appdata *ad, uint32_t serial)
{
    memset(ad, 0, sizeof *ad);
    static const uint8_t aid[16] = { 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01, 0x03, 0x04,
                                     0xFF, 0xFF, 0, 0, 0, 0, 0, 0 };
    memcpy(ad->aid.raw, aid, 16);
    ad->aid.raw[10] = (uint8_t)(serial >> 24);
    ad->aid.raw[11] = (uint8_t)(serial >> 16);
    ad->aid.raw[12] = (uint8_t)(serial >> 8);
    ad->aid.raw[13] = (uint8_t)serial;
    ad->aid.serial_number = serial;
    ad->has_key_info = true;
}

static void put_key(opgp_appdata *ad, opgp_key_slot s, opgp_algo_attr a)
{
    ad->attr[s] = a;
    ad->key_status[s] = OPGP_KEYSTATUS_GENERATED;
    memset(ad->fpr[s], 0x11 * (s + 1), 20);
    ad->gen_time[s] = 1700000000u + s;
}

static opgp_algo_attr ecc(opgp_algo_id algo, opgp_curve c)
{
    opgp_algo_attr a;
    assert_int_equal(opgp_algo_attr_ecc(algo, c, &a), OPGP_OK);
    return a;
}

static void test_layout(void **state)
{
    (void)state;
    /* Microsoft's layout on this ABI (LP64 natively matches x64 Windows for these). */
    assert_int_equal(sizeof(CONTAINER_MAP_RECORD), 86);
    assert_int_equal(sizeof(PIN_INFO), 36);
    assert_int_equal(sizeof(CARD_KEY_SIZES), 20);
    assert_int_equal(offsetof(CARD_KEY_SIZES, dwDefaultBitlen), 8);
    assert_int_equal(offsetof(CONTAINER_MAP_RECORD, bFlags), 80);
    assert_int_equal(offsetof(CONTAINER_MAP_RECORD, wSigKeySizeBits), 82);
    if (sizeof(void *) == 8) {
        assert_int_equal(sizeof(CARD_DATA), 504);
        assert_int_equal(sizeof(CARD_SIGNING_INFO), 72);
        assert_int_equal(offsetof(CARD_DATA, pfnCardDeleteContext), 120);
        assert_int_equal(offsetof(CARD_DATA, pfnCspGetDHAgreement), 344);
        assert_int_equal(offsetof(CARD_DATA, pfnCspUnpadData), 416);
        assert_int_equal(offsetof(CARD_DATA, pfnCardCreateContainerEx), 496);
    }
    assert_int_equal(CARD_PADDING_PKCS1, 2);
    assert_int_equal(CARD_PADDING_NONE, 1);
    assert_int_equal(CARD_PADDING_OAEP, 8);
    assert_rv(SCARD_E_UNSUPPORTED_FEATURE, 0x80100022u);
}

static void test_cmap_rsa(void **state)
{
    (void)state;
    opgp_appdata ad;
    make_appdata(&ad, 0x01020304);
    put_key(&ad, OPGP_KEY_SIG, opgp_algo_attr_rsa(2048));
    put_key(&ad, OPGP_KEY_DEC, opgp_algo_attr_rsa(3072));
    put_key(&ad, OPGP_KEY_AUT, opgp_algo_attr_rsa(4096));
    uint8_t file[MD_CMAPFILE_SIZE];
    assert_int_equal(md_cmapfile_build(&ad, file), OPGP_OK);
    CONTAINER_MAP_RECORD r[3];
    memcpy(r, file, sizeof r);
    /* 0 = AUT: default, key exchange (logon); 1 = SIG: signature; 2 = DEC: key exchange */
    assert_int_equal(r[0].bFlags, CONTAINER_MAP_VALID_CONTAINER | CONTAINER_MAP_DEFAULT_CONTAINER);
    assert_int_equal(r[0].wKeyExchangeKeySizeBits, 4096);
    assert_int_equal(r[0].wSigKeySizeBits, 0);
    assert_int_equal(r[1].bFlags, CONTAINER_MAP_VALID_CONTAINER);
    assert_int_equal(r[1].wSigKeySizeBits, 2048);
    assert_int_equal(r[1].wKeyExchangeKeySizeBits, 0);
    assert_int_equal(r[2].bFlags, CONTAINER_MAP_VALID_CONTAINER);
    assert_int_equal(r[2].wKeyExchangeKeySizeBits, 3072);
    for (int i = 0; i < 3; i++) {
        WCHAR g[40];
        assert_int_equal(md_container_guid(ad.aid.raw, (BYTE)i, g), OPGP_OK);
        assert_memory_equal(r[i].wszGuid, g, sizeof g);
    }
    assert_int_equal(md_container_keyspec(&ad, 0), AT_KEYEXCHANGE);
    assert_int_equal(md_container_keyspec(&ad, 1), AT_SIGNATURE);
    assert_int_equal(md_container_keyspec(&ad, 2), AT_KEYEXCHANGE);
    assert_int_equal(md_container_keyspec(&ad, 3), 0);
}

static void test_cmap_ecc_and_gaps(void **state)
{
    (void)state;
    opgp_appdata ad;
    make_appdata(&ad, 7);
    put_key(&ad, OPGP_KEY_SIG, ecc(OPGP_ALGO_ECDSA, OPGP_CURVE_P384));
    put_key(&ad, OPGP_KEY_DEC, ecc(OPGP_ALGO_ECDH, OPGP_CURVE_P521));
    put_key(&ad, OPGP_KEY_AUT, ecc(OPGP_ALGO_EDDSA, OPGP_CURVE_ED25519));
    uint8_t file[MD_CMAPFILE_SIZE];
    assert_int_equal(md_cmapfile_build(&ad, file), OPGP_OK);
    CONTAINER_MAP_RECORD r[3];
    memcpy(r, file, sizeof r);
    /* Ed25519 cannot be expressed: container 0 invalid, the default moves to container 1. */
    assert_int_equal(r[0].bFlags, 0);
    assert_int_equal(r[0].wszGuid[0], 0);
    assert_int_equal(r[1].bFlags, CONTAINER_MAP_VALID_CONTAINER | CONTAINER_MAP_DEFAULT_CONTAINER);
    assert_int_equal(r[1].wSigKeySizeBits, 384);
    assert_int_equal(r[2].wKeyExchangeKeySizeBits, 521);
    assert_int_equal(md_container_keyspec(&ad, 1), AT_ECDSA_P384);
    assert_int_equal(md_container_keyspec(&ad, 2), AT_ECDHE_P521);
    /* brainpool: no cardmod key spec either */
    put_key(&ad, OPGP_KEY_SIG, ecc(OPGP_ALGO_ECDSA, OPGP_CURVE_BRAINPOOL_P256R1));
    assert_int_equal(md_container_keyspec(&ad, 1), 0);

    opgp_appdata empty;
    make_appdata(&empty, 7);
    assert_int_equal(md_cmapfile_build(&empty, file), OPGP_OK);
    for (size_t i = 0; i < sizeof file; i++)
        assert_int_equal(file[i], 0);
}

static void test_guid(void **state)
{
    (void)state;
    opgp_appdata a, b;
    make_appdata(&a, 0x01020304);
    make_appdata(&b, 0x01020305);
    WCHAR g0[40], g0again[40], g1[40], other[40];
    assert_int_equal(md_container_guid(a.aid.raw, 0, g0), OPGP_OK);
    assert_int_equal(md_container_guid(a.aid.raw, 0, g0again), OPGP_OK);
    assert_int_equal(md_container_guid(a.aid.raw, 1, g1), OPGP_OK);
    assert_int_equal(md_container_guid(b.aid.raw, 0, other), OPGP_OK);
    assert_memory_equal(g0, g0again, sizeof g0);
    assert_memory_not_equal(g0, g1, sizeof g0);
    assert_memory_not_equal(g0, other, sizeof g0);
    size_t n = 0;
    while (g0[n] != 0)
        n++;
    assert_int_equal(n, 38);
    assert_int_equal(g0[0], '{');
    assert_int_equal(g0[37], '}');
    assert_int_equal(g0[9], '-');
    assert_int_equal(g0[15], '5'); /* version nibble */
    assert_int_equal(md_container_guid(a.aid.raw, 3, g0), OPGP_E_INVALID_ARG);
}

static void test_cardcf(void **state)
{
    (void)state;
    opgp_appdata ad;
    make_appdata(&ad, 1);
    put_key(&ad, OPGP_KEY_SIG, opgp_algo_attr_rsa(2048));
    uint8_t a[6], b[6], c[6];
    assert_int_equal(md_cardcf_build(&ad, 0, a), OPGP_OK);
    assert_int_equal(md_cardcf_build(&ad, 0, b), OPGP_OK);
    assert_memory_equal(a, b, 6);
    ad.fpr[OPGP_KEY_SIG][19] ^= 1; /* a new key */
    assert_int_equal(md_cardcf_build(&ad, 0, c), OPGP_OK);
    assert_memory_not_equal(a, c, 6);
    ad.fpr[OPGP_KEY_SIG][19] ^= 1;
    ad.gen_time[OPGP_KEY_DEC] = 5;
    assert_int_equal(md_cardcf_build(&ad, 0, c), OPGP_OK);
    assert_memory_not_equal(a, c, 6);
    ad.gen_time[OPGP_KEY_DEC] = 0;
    /* A write in the process (same keys, new certificate): the files counter moves by one per
     * write, as the CSP would count it; containers stay. */
    assert_int_equal(md_cardcf_build(&ad, 1, c), OPGP_OK);
    assert_memory_equal(c, a, 4);
    assert_int_equal((uint16_t)(c[4] | c[5] << 8), (uint16_t)((a[4] | a[5] << 8) + 1));
    assert_int_equal(md_cardcf_build(&ad, 0x10000, c), OPGP_OK);
    assert_memory_equal(c, a, 6); /* 16 bits on the card file; the generation is wider */
    uint8_t id[16];
    md_cardid_build(&ad, id);
    assert_memory_equal(id, ad.aid.raw, 16);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_rsa_blob(void **state)
{
    (void)state;
    EVP_PKEY *k = EVP_RSA_gen(2048);
    assert_non_null(k);
    BIGNUM *n = NULL, *e = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e), 1);
    uint8_t nb[256], eb[8];
    int nlen = BN_bn2bin(n, nb), elen = BN_bn2bin(e, eb);
    uint8_t blob[300];
    size_t blen = 0;
    assert_int_equal(md_rsa_pubkey_blob(nb, (size_t)nlen, eb, (size_t)elen, CALG_RSA_KEYX, NULL,
                                        &blen), OPGP_OK);
    assert_int_equal(blen, 20 + 256);
    size_t small = 10;
    assert_int_equal(md_rsa_pubkey_blob(nb, (size_t)nlen, eb, (size_t)elen, CALG_RSA_KEYX, blob,
                                        &small), OPGP_E_BUFFER_TOO_SMALL);
    assert_int_equal(md_rsa_pubkey_blob(nb, (size_t)nlen, eb, (size_t)elen, CALG_RSA_KEYX, blob,
                                        &blen), OPGP_OK);
    assert_int_equal(blob[0], PUBLICKEYBLOB);
    assert_int_equal(blob[1], CUR_BLOB_VERSION);
    assert_int_equal(le32(blob + 4), CALG_RSA_KEYX);
    assert_int_equal(le32(blob + 8), 0x31415352u);
    assert_int_equal(le32(blob + 12), 2048);
    assert_int_equal(le32(blob + 16), BN_get_word(e));
    /* The modulus decoded little-endian is OpenSSL's n. */
    BIGNUM *back = BN_lebin2bn(blob + 20, 256, NULL);
    assert_int_equal(BN_cmp(back, n), 0);
    BN_free(back);
    BN_free(n);
    BN_free(e);
    EVP_PKEY_free(k);
}

static void test_ecc_blob(void **state)
{
    (void)state;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    uint8_t pt[65];
    size_t ptlen = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt,
                                                     &ptlen), 1);
    assert_int_equal(ptlen, 65);
    BIGNUM *x = NULL, *y = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y), 1);
    uint8_t blob[80];
    size_t blen = sizeof blob;
    assert_int_equal(md_ecc_pubkey_blob(md_ecc_magic(OPGP_CURVE_P256, false), pt, ptlen, blob,
                                        &blen), OPGP_OK);
    assert_int_equal(blen, 8 + 64);
    assert_int_equal(le32(blob), 0x31534345u); /* ECS1 */
    assert_int_equal(le32(blob + 4), 32);
    uint8_t xb[32], yb[32];
    BN_bn2binpad(x, xb, 32);
    BN_bn2binpad(y, yb, 32);
    assert_memory_equal(blob + 8, xb, 32);
    assert_memory_equal(blob + 40, yb, 32);
    assert_int_equal(md_ecc_magic(OPGP_CURVE_P384, true), 0x334B4345u);
    assert_int_equal(md_ecc_magic(OPGP_CURVE_P521, false), 0x35534345u);
    assert_int_equal(md_ecc_magic(OPGP_CURVE_BRAINPOOL_P256R1, false), 0);
    pt[0] = 0x02; /* compressed points are not accepted */
    assert_int_equal(md_ecc_pubkey_blob(0x31534345u, pt, 33, blob, &blen), OPGP_E_INVALID_ARG);
    BN_free(x);
    BN_free(y);
    EVP_PKEY_free(k);
}

static void test_pin_info(void **state)
{
    (void)state;
    opgp_pw_status pw;
    uint8_t c4_multi[7] = { 0x01, 0x7F, 0x7F, 0x7F, 3, 0, 3 };
    uint8_t c4_single[7] = { 0x00, 0x7F, 0x7F, 0x7F, 3, 0, 3 };
    PIN_INFO pi;

    assert_int_equal(opgp_pw_status_decode(c4_multi, 7, &pw), OPGP_OK);
    assert_rv(md_pin_info(MD_PIN_SIGN, &pw, &pi), SCARD_S_SUCCESS);
    assert_int_equal(pi.dwVersion, PIN_INFO_CURRENT_VERSION);
    assert_int_equal(pi.PinPurpose, DigitalSignaturePin);
    assert_int_equal(pi.PinCachePolicy.PinCachePolicyType, PinCacheNormal);

    assert_int_equal(opgp_pw_status_decode(c4_single, 7, &pw), OPGP_OK);
    assert_rv(md_pin_info(MD_PIN_SIGN, &pw, &pi), SCARD_S_SUCCESS);
    assert_int_equal(pi.PinCachePolicy.PinCachePolicyType, PinCacheAlwaysPrompt);
    assert_true(IS_PIN_SET(pi.dwUnblockPermission, MD_PIN_RESET_CODE));
    assert_true(IS_PIN_SET(pi.dwUnblockPermission, ROLE_ADMIN));

    assert_rv(md_pin_info(ROLE_USER, &pw, &pi), SCARD_S_SUCCESS);
    assert_int_equal(pi.PinPurpose, PrimaryCardPin);
    assert_int_equal(pi.PinType, AlphaNumericPinType);
    assert_int_equal(pi.PinCachePolicy.PinCachePolicyType, PinCacheNormal);
    assert_int_equal(pi.dwChangePermission, CREATE_PIN_SET(ROLE_USER));

    assert_rv(md_pin_info(ROLE_ADMIN, &pw, &pi), SCARD_S_SUCCESS);
    assert_int_equal(pi.PinPurpose, AdministratorPin);
    assert_int_equal(pi.dwUnblockPermission, PIN_SET_NONE);

    assert_rv(md_pin_info(MD_PIN_RESET_CODE, &pw, &pi), SCARD_S_SUCCESS);
    assert_int_equal(pi.PinPurpose, UnblockOnlyPin);
    assert_int_equal(pi.dwChangePermission, CREATE_PIN_SET(ROLE_ADMIN));

    assert_rv(md_pin_info(ROLE_EVERYONE, &pw, &pi), SCARD_E_INVALID_PARAMETER);
    assert_rv(md_pin_info(7, &pw, &pi), SCARD_E_INVALID_PARAMETER);
    assert_int_equal(md_container_pin(0), ROLE_USER);
    assert_int_equal(md_container_pin(1), MD_PIN_SIGN);
    assert_int_equal(md_container_pin(2), ROLE_USER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_cmap_rsa),
        cmocka_unit_test(test_cmap_ecc_and_gaps),
        cmocka_unit_test(test_guid),
        cmocka_unit_test(test_cardcf),
        cmocka_unit_test(test_rsa_blob),
        cmocka_unit_test(test_ecc_blob),
        cmocka_unit_test(test_pin_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
