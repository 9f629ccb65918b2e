/* BER-TLV parser and builder: well-formed data, every kind of malformed data, nesting limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "opgp/tlv.h"

static void parse_short_tag_and_length(void **state)
{
    (void)state;
    const uint8_t b[] = {0x4F, 0x02, 0xD2, 0x76, 0xEE};
    opgp_tlv t;
    assert_int_equal(opgp_tlv_parse(b, sizeof b, &t), OPGP_OK);
    assert_int_equal(t.tag, 0x4F);
    assert_false(t.constructed);
    assert_int_equal(t.len, 2);
    assert_ptr_equal(t.value, b + 2);
    assert_ptr_equal(t.raw, b);
    assert_int_equal(t.raw_len, 4);
}

static void parse_two_and_three_byte_tags(void **state)
{
    (void)state;
    const uint8_t two[] = {0x5F, 0x52, 0x01, 0x00};
    const uint8_t three[] = {0x7F, 0xA1, 0x21, 0x00};
    opgp_tlv t;
    assert_int_equal(opgp_tlv_parse(two, sizeof two, &t), OPGP_OK);
    assert_int_equal(t.tag, 0x5F52);
    assert_int_equal(t.len, 1);
    assert_int_equal(opgp_tlv_parse(three, sizeof three, &t), OPGP_OK);
    assert_int_equal(t.tag, 0x7FA121);
    assert_true(t.constructed);
    assert_int_equal(t.len, 0);
}

static void parse_long_lengths(void **state)
{
    (void)state;
    uint8_t b[4 + 300];
    memset(b, 0xAB, sizeof b);
    b[0] = 0x81;
    b[1] = 0x81;
    b[2] = 0x80;
    opgp_tlv t;
    assert_int_equal(opgp_tlv_parse(b, 3 + 0x80, &t), OPGP_OK);
    assert_int_equal(t.len, 0x80);
    assert_int_equal(t.raw_len, 3 + 0x80);

    b[1] = 0x82;
    b[2] = 0x01;
    b[3] = 0x2C; /* 300 */
    assert_int_equal(opgp_tlv_parse(b, 4 + 300, &t), OPGP_OK);
    assert_int_equal(t.len, 300);
    assert_ptr_equal(t.value, b + 4);
    /* one byte short of the announced value */
    assert_int_equal(opgp_tlv_parse(b, 4 + 299, &t), OPGP_E_BAD_TLV);
}

static void reject_malformed(void **state)
{
    (void)state;
    static const struct {
        uint8_t bytes[8];
        size_t len;
    } bad[] = {
        {{0}, 0},                               /* nothing */
        {{0x5F}, 1},                            /* tag announces more bytes, none follow */
        {{0x7F, 0xA1}, 2},                      /* second tag byte says more, none follow */
        {{0x7F, 0x81, 0x82, 0x01, 0x00}, 5},    /* tag of 4 bytes */
        {{0x4F}, 1},                            /* no length */
        {{0x4F, 0x80, 0x00, 0x00}, 4},          /* indefinite length */
        {{0x4F, 0x83, 0x00, 0x00, 0x01, 0xAA}, 6}, /* 3-byte length form */
        {{0x4F, 0x84, 0x00, 0x00, 0x00, 0x01, 0xAA}, 7},
        {{0x4F, 0xFF, 0x00}, 3},                /* reserved length byte */
        {{0x4F, 0x81}, 2},                      /* truncated 0x81 length */
        {{0x4F, 0x82, 0x00}, 3},                /* truncated 0x82 length */
        {{0x4F, 0x03, 0x01, 0x02}, 4},          /* value past the end */
        {{0x4F, 0x82, 0xFF, 0xFF, 0x00}, 5},    /* huge length, little data */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        opgp_tlv t;
        assert_int_equal(opgp_tlv_parse(bad[i].bytes, bad[i].len, &t), OPGP_E_BAD_TLV);
    }
    opgp_tlv t;
    assert_int_equal(opgp_tlv_parse(NULL, 0, &t), OPGP_E_INVALID_ARG);
}

static void parse_never_reads_past_the_buffer(void **state)
{
    (void)state;
    /* Every prefix of a valid 3-level structure fails cleanly or parses within bounds. */
    const uint8_t b[] = {0x6E, 0x0B, 0x73, 0x09, 0x7F, 0x74, 0x03, 0x81, 0x01, 0x20,
                         0xC4, 0x01, 0x07};
    for (size_t n = 0; n <= sizeof b; n++) {
        opgp_tlv t;
        opgp_status st = opgp_tlv_parse(b, n, &t);
        if (st == OPGP_OK)
            assert_true(t.raw_len <= n);
        else
            assert_int_equal(st, OPGP_E_BAD_TLV);
        st = opgp_tlv_find_deep(b, n, 0x81, &t);
        if (n == sizeof b) {
            assert_int_equal(st, OPGP_OK);
            assert_int_equal(t.value[0], 0x20);
        } else {
            assert_int_not_equal(st, OPGP_OK);
        }
    }
}

static void iterate_skips_padding(void **state)
{
    (void)state;
    const uint8_t b[] = {0x00, 0xFF, 0xC1, 0x01, 0x01, 0x00, 0x00,
                         0xC2, 0x00, 0xFF, 0xC3, 0x01, 0x03, 0xFF};
    opgp_tlv_iter it;
    opgp_tlv t;
    opgp_tlv_iter_init(&it, b, sizeof b);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_OK);
    assert_int_equal(t.tag, 0xC1);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_OK);
    assert_int_equal(t.tag, 0xC2);
    assert_int_equal(t.len, 0);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_OK);
    assert_int_equal(t.tag, 0xC3);
    assert_int_equal(t.value[0], 0x03);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_E_NOT_FOUND);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_E_NOT_FOUND);

    /* Only padding, and nothing at all: end straight away. */
    opgp_tlv_iter_init(&it, b, 2);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_E_NOT_FOUND);
    opgp_tlv_iter_init(&it, NULL, 5);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_E_NOT_FOUND);
}

static void iterate_stops_on_garbage(void **state)
{
    (void)state;
    const uint8_t b[] = {0xC1, 0x01, 0x01, 0xC2, 0x05, 0x01};
    opgp_tlv_iter it;
    opgp_tlv t;
    opgp_tlv_iter_init(&it, b, sizeof b);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_OK);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_E_BAD_TLV);
    assert_int_equal(opgp_tlv_next(&it, &t), OPGP_E_NOT_FOUND);
    assert_int_equal(opgp_tlv_find(b, sizeof b, 0xC3, &t), OPGP_E_BAD_TLV);
    assert_int_equal(opgp_tlv_find(b, sizeof b, 0xC1, &t), OPGP_OK);
}

static void find_one_level_and_deep(void **state)
{
    (void)state;
    /* 6E { 4F, 73 { C0, 7F74 { 81 }, 00 padding }, 5F52 } */
    const uint8_t b[] = {0x6E, 0x15, 0x4F, 0x01, 0xAA, 0x73, 0x0A, 0xC0, 0x01, 0x11, 0x7F,
                         0x74, 0x03, 0x81, 0x01, 0x20, 0x00, 0x5F, 0x52, 0x03, 0xC5, 0x01,
                         0x99};
    opgp_tlv top, t;
    assert_int_equal(opgp_tlv_find(b, sizeof b, 0x6E, &top), OPGP_OK);
    assert_int_equal(opgp_tlv_find(top.value, top.len, 0x5F52, &t), OPGP_OK);
    assert_int_equal(t.len, 3);
    assert_int_equal(opgp_tlv_find(top.value, top.len, 0xC0, &t), OPGP_E_NOT_FOUND);
    assert_int_equal(opgp_tlv_find_deep(b, sizeof b, 0xC0, &t), OPGP_OK);
    assert_int_equal(t.value[0], 0x11);
    assert_int_equal(opgp_tlv_find_deep(b, sizeof b, 0x81, &t), OPGP_OK);
    assert_int_equal(t.value[0], 0x20);
    assert_int_equal(opgp_tlv_find_deep(b, sizeof b, 0x7F74, &t), OPGP_OK);
    assert_true(t.constructed);
    /* primitive values are not searched: the C5 01 99 inside 5F52 is data, not a DO */
    assert_int_equal(opgp_tlv_find_deep(b, sizeof b, 0xC5, &t), OPGP_E_NOT_FOUND);
    /* the padding byte inside 73 is skipped */
    assert_int_equal(opgp_tlv_find(b + 7, 10, 0x7F74, &t), OPGP_OK);
}

/* n nested constructed 'E1' TLVs around a C7 01 42. */
static size_t nest(uint8_t *out, unsigned n)
{
    size_t len = 3 + 2 * (size_t)n;
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = 0xE1;
        out[2 * i + 1] = (uint8_t)(len - 2 * (i + 1));
    }
    out[2 * n] = 0xC7;
    out[2 * n + 1] = 0x01;
    out[2 * n + 2] = 0x42;
    return len;
}

static void deep_nesting_is_bounded(void **state)
{
    (void)state;
    uint8_t b[64];
    opgp_tlv t;
    size_t len = nest(b, OPGP_TLV_MAX_DEPTH);
    assert_int_equal(opgp_tlv_find_deep(b, len, 0xC7, &t), OPGP_OK);
    assert_int_equal(t.value[0], 0x42);
    len = nest(b, OPGP_TLV_MAX_DEPTH + 1);
    assert_int_equal(opgp_tlv_find_deep(b, len, 0xC7, &t), OPGP_E_BAD_TLV);
    /* a tag above the limit is still found */
    assert_int_equal(opgp_tlv_find_deep(b, len, 0xE1, &t), OPGP_OK);
    assert_int_equal(t.raw, b);
}

static void find_deep_reports_malformed_children(void **state)
{
    (void)state;
    const uint8_t b[] = {0x73, 0x03, 0xC0, 0x05, 0x00, 0xC5, 0x00};
    opgp_tlv t;
    assert_int_equal(opgp_tlv_find_deep(b, sizeof b, 0xC5, &t), OPGP_E_BAD_TLV);
}

static void build_headers(void **state)
{
    (void)state;
    uint8_t out[600];
    opgp_buf b;
    opgp_buf_init(&b, out, sizeof out);
    uint8_t v[300];
    memset(v, 0x5A, sizeof v);
    opgp_tlv_put(&b, 0x4F, v, 2);
    opgp_tlv_put(&b, 0x5F52, v, 0x80);
    opgp_tlv_put(&b, 0x7FA121, v, 300);
    opgp_tlv_put_header(&b, 0x6E, 0);
    assert_int_equal(opgp_buf_status(&b), OPGP_OK);
    assert_int_equal(b.len, (2 + 2) + (2 + 2 + 0x80) + (3 + 3 + 300) + 2);
    const uint8_t h1[] = {0x4F, 0x02};
    const uint8_t h2[] = {0x5F, 0x52, 0x81, 0x80};
    const uint8_t h3[] = {0x7F, 0xA1, 0x21, 0x82, 0x01, 0x2C};
    assert_memory_equal(out, h1, 2);
    assert_memory_equal(out + 4, h2, 4);
    assert_memory_equal(out + 4 + 4 + 0x80, h3, 6);
    assert_int_equal(opgp_tlv_header_size(0x4F, 2), 2);
    assert_int_equal(opgp_tlv_header_size(0x5F52, 0x80), 4);
    assert_int_equal(opgp_tlv_header_size(0x7FA121, 300), 6);

    /* What the builder wrote, the parser reads back. */
    opgp_tlv t;
    assert_int_equal(opgp_tlv_find(out, b.len, 0x7FA121, &t), OPGP_OK);
    assert_int_equal(t.len, 300);
    assert_memory_equal(t.value, v, 300);
}

static void builder_overflow_is_sticky(void **state)
{
    (void)state;
    uint8_t out[8];
    memset(out, 0xEE, sizeof out);
    opgp_buf b;
    opgp_buf_init(&b, out, 5);
    opgp_tlv_put(&b, 0xC1, "\x01\x02", 2);
    assert_int_equal(opgp_buf_status(&b), OPGP_OK);
    opgp_tlv_put(&b, 0xC2, "\x03\x04", 2); /* needs 4, 1 left */
    assert_int_equal(opgp_buf_status(&b), OPGP_E_BUFFER_TOO_SMALL);
    opgp_buf_put_u8(&b, 0x99); /* would fit, but the builder already failed */
    assert_true(b.overflow);
    assert_int_equal(b.len, 4);
    assert_int_equal(out[4], 0xEE); /* nothing written past what fit, nothing past cap */
    assert_int_equal(out[5], 0xEE);

    opgp_buf_init(&b, out, sizeof out);
    opgp_tlv_put_header(&b, 0xC1, 70000); /* beyond the 0x82 form */
    assert_int_equal(opgp_buf_status(&b), OPGP_E_BUFFER_TOO_SMALL);
    opgp_buf_init(&b, out, sizeof out);
    opgp_tlv_put_header(&b, 0x7F7F7F7F, 1); /* a 4-byte tag */
    assert_int_equal(opgp_buf_status(&b), OPGP_E_BUFFER_TOO_SMALL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_short_tag_and_length),
        cmocka_unit_test(parse_two_and_three_byte_tags),
        cmocka_unit_test(parse_long_lengths),
        cmocka_unit_test(reject_malformed),
        cmocka_unit_test(parse_never_reads_past_the_buffer),
        cmocka_unit_test(iterate_skips_padding),
        cmocka_unit_test(iterate_stops_on_garbage),
        cmocka_unit_test(find_one_level_and_deep),
        cmocka_unit_test(deep_nesting_is_bounded),
        cmocka_unit_test(find_deep_reports_malformed_children),
        cmocka_unit_test(build_headers),
        cmocka_unit_test(builder_overflow_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
