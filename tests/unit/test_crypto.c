/* Host crypto (OpenSSL natively): known-answer hashes, incremental = one-shot, random, wipe,
 * and the DigestInfo prefixes checked against OpenSSL's own OIDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "hex.h"
#include "opgp/crypto.h"
#include "opgp/digestinfo.h"
#include "opgp/tlv.h"

static const struct {
    opgp_hash_alg alg;
    const char *abc;
} kat[] = {
    {OPGP_HASH_SHA1, "A9993E364706816ABA3E25717850C26C9CD0D89D"},
    {OPGP_HASH_SHA224, "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7"},
    {OPGP_HASH_SHA256, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"},
    {OPGP_HASH_SHA384, "CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED"
                       "8086072BA1E7CC2358BAECA134C825A7"},
    {OPGP_HASH_SHA512, "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A"
                       "2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F"},
};

static void known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint8_t out[OPGP_HASH_MAX_SIZE];
        size_t len = sizeof out;
        char hex[2 * OPGP_HASH_MAX_SIZE + 1];
        assert_int_equal(opgp_hash(kat[i].alg, "abc", 3, out, &len), OPGP_OK);
        assert_int_equal(len, opgp_hash_size(kat[i].alg));
        assert_string_equal(opgp_hex_encode(out, len, hex, sizeof hex), kat[i].abc);
    }
}

static void incremental_matches_one_shot(void **state)
{
    (void)state;
    uint8_t msg[1000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint8_t a[OPGP_HASH_MAX_SIZE], b[OPGP_HASH_MAX_SIZE];
        size_t alen = sizeof a, blen = sizeof b;
        assert_int_equal(opgp_hash(kat[i].alg, msg, sizeof msg, a, &alen), OPGP_OK);
        opgp_hash_ctx *ctx = opgp_hash_new(kat[i].alg);
        assert_non_null(ctx);
        for (size_t off = 0, step = 1; off < sizeof msg; off += step, step = step * 2 + 1) {
            size_t n = sizeof msg - off < step ? sizeof msg - off : step;
            assert_int_equal(opgp_hash_update(ctx, msg + off, n), OPGP_OK);
        }
        assert_int_equal(opgp_hash_update(ctx, NULL, 0), OPGP_OK);
        assert_int_equal(opgp_hash_final(ctx, b, &blen), OPGP_OK);
        opgp_hash_free(ctx);
        assert_int_equal(alen, blen);
        assert_memory_equal(a, b, alen);
    }
}

static void hash_argument_errors(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t len = 19;
    assert_int_equal(opgp_hash(OPGP_HASH_SHA1, "abc", 3, out, &len), OPGP_E_BUFFER_TOO_SMALL);
    len = sizeof out;
    assert_int_equal(opgp_hash((opgp_hash_alg)99, "abc", 3, out, &len), OPGP_E_INVALID_ARG);
    assert_int_equal(opgp_hash(OPGP_HASH_SHA1, NULL, 3, out, &len), OPGP_E_INVALID_ARG);
    assert_null(opgp_hash_new((opgp_hash_alg)99));
    assert_int_equal(opgp_hash_size((opgp_hash_alg)99), 0);
    opgp_hash_ctx *ctx = opgp_hash_new(OPGP_HASH_SHA512);
    len = 63;
    assert_int_equal(opgp_hash_final(ctx, out, &len), OPGP_E_BUFFER_TOO_SMALL);
    opgp_hash_free(ctx);
    opgp_hash_free(NULL);
}

static void random_and_wipe(void **state)
{
    (void)state;
    uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
    assert_int_equal(opgp_random(a, sizeof a), OPGP_OK);
    assert_int_equal(opgp_random(b, sizeof b), OPGP_OK);
    assert_memory_not_equal(a, zero, sizeof a);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_equal(opgp_random(NULL, 0), OPGP_OK);
    assert_int_equal(opgp_random(NULL, 1), OPGP_E_INVALID_ARG);
    opgp_wipe(a, sizeof a);
    assert_memory_equal(a, zero, sizeof a);
    opgp_wipe(NULL, 5);
}

static void digestinfo_prefixes_are_der_of_the_right_oid(void **state)
{
    (void)state;
    static const struct {
        opgp_digest d;
        int nid;
        opgp_hash_alg alg; /* -1: MD5, not offered by opgp_hash */
    } expect[] = {
        {OPGP_DIGEST_MD5, NID_md5, (opgp_hash_alg)-1},
        {OPGP_DIGEST_SHA1, NID_sha1, OPGP_HASH_SHA1},
        {OPGP_DIGEST_SHA224, NID_sha224, OPGP_HASH_SHA224},
        {OPGP_DIGEST_SHA256, NID_sha256, OPGP_HASH_SHA256},
        {OPGP_DIGEST_SHA384, NID_sha384, OPGP_HASH_SHA384},
        {OPGP_DIGEST_SHA512, NID_sha512, OPGP_HASH_SHA512},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        const opgp_digestinfo *di = opgp_digestinfo_get(expect[i].d);
        assert_non_null(di);
        if ((int)expect[i].alg >= 0)
            assert_int_equal(di->hash_len, opgp_hash_size(expect[i].alg));
        uint8_t full[19 + 64];
        memcpy(full, di->prefix, di->prefix_len);
        memset(full + di->prefix_len, 0x42, di->hash_len);
        size_t n = di->prefix_len + di->hash_len;
        /* SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING hash } covering exactly n bytes */
        opgp_tlv seq, alg, oid, null, octets;
        assert_int_equal(opgp_tlv_parse(full, n, &seq), OPGP_OK);
        assert_int_equal(seq.tag, 0x30);
        assert_int_equal(seq.raw_len, n);
        opgp_tlv_iter it;
        opgp_tlv_iter_init(&it, seq.value, seq.len);
        assert_int_equal(opgp_tlv_next(&it, &alg), OPGP_OK);
        assert_int_equal(alg.tag, 0x30);
        assert_int_equal(opgp_tlv_next(&it, &octets), OPGP_OK);
        assert_int_equal(opgp_tlv_next(&it, &null), OPGP_E_NOT_FOUND);
        assert_int_equal(octets.tag, 0x04);
        assert_int_equal(octets.len, di->hash_len);
        opgp_tlv_iter_init(&it, alg.value, alg.len);
        assert_int_equal(opgp_tlv_next(&it, &oid), OPGP_OK);
        assert_int_equal(opgp_tlv_next(&it, &null), OPGP_OK);
        assert_int_equal(null.tag, 0x05);
        assert_int_equal(null.len, 0);
        const unsigned char *p = oid.raw;
        ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &p, (long)oid.raw_len);
        assert_non_null(obj);
        assert_int_equal(OBJ_obj2nid(obj), expect[i].nid);
        ASN1_OBJECT_free(obj);

        assert_int_equal(opgp_digestinfo_match(full, n), expect[i].d);
        assert_int_equal(opgp_digestinfo_match(full, n - 1), OPGP_DIGEST_COUNT);
    }
    assert_null(opgp_digestinfo_get(OPGP_DIGEST_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_answers),
        cmocka_unit_test(incremental_matches_one_shot),
        cmocka_unit_test(hash_argument_errors),
        cmocka_unit_test(random_and_wipe),
        cmocka_unit_test(digestinfo_prefixes_are_der_of_the_right_oid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
