/* libFuzzer target: BER-TLV parsing of arbitrary bytes, and build-then-parse round trips.
 * Properties: a parsed TLV lies inside its buffer and its value right after its header;
 * iteration always ends; what the builder writes parses back to the same tags and values. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_transport.h"
#include "opgp/tlv.h"

static void check_inside(const uint8_t *buf, size_t len, const opgp_tlv *t)
{
    FUZZ_ASSERT(t->raw >= buf && t->raw_len <= len && t->raw - buf <= (ptrdiff_t)(len - t->raw_len),
                "TLV inside its buffer");
    FUZZ_ASSERT(t->value >= t->raw && t->value + t->len == t->raw + t->raw_len,
                "value ends where the TLV ends");
    FUZZ_ASSERT(t->raw_len - t->len >= 2 && t->raw_len - t->len <= 6, "header of 2..6 bytes");
}

static void parse_arbitrary(const uint8_t *data, size_t size)
{
    opgp_tlv t;
    if (opgp_tlv_parse(data, size, &t) == OPGP_OK) {
        check_inside(data, size, &t);
        /* The header rebuilt in minimal form parses to the same tag and length. */
        uint8_t h[8];
        opgp_buf b;
        opgp_buf_init(&b, h, sizeof h);
        opgp_tlv_put_header(&b, t.tag, t.len);
        FUZZ_ASSERT(opgp_buf_status(&b) == OPGP_OK, "rebuilt header fits");
        FUZZ_ASSERT(b.len == opgp_tlv_header_size(t.tag, t.len), "header size as announced");
    }

    /* Iterate: each step consumes at least 2 bytes, so size/2 + 1 steps end it. */
    opgp_tlv_iter it;
    opgp_tlv_iter_init(&it, data, size);
    size_t steps = 0;
    opgp_status st;
    while ((st = opgp_tlv_next(&it, &t)) == OPGP_OK) {
        check_inside(data, size, &t);
        FUZZ_ASSERT(++steps <= size / 2 + 1, "iteration terminates");
    }
    FUZZ_ASSERT(st == OPGP_E_NOT_FOUND || st == OPGP_E_BAD_TLV, "iteration ends cleanly");

    /* Search for tags named by the input itself, and a few the core looks up. */
    static const uint32_t tags[] = {0x4F, 0x73, 0xC5, 0x93, 0x7F49, 0x7F21, 0x5F52, 0x7F6600};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0] + 1; i++) {
        uint32_t tag = i < sizeof tags / sizeof tags[0] ? tags[i]
                       : size >= 2                       ? ((uint32_t)data[0] << 8) | data[1]
                                                         : 0x6E;
        if (opgp_tlv_find(data, size, tag, &t) == OPGP_OK) {
            check_inside(data, size, &t);
            FUZZ_ASSERT(t.tag == tag, "find returns the tag asked for");
        }
        if (opgp_tlv_find_deep(data, size, tag, &t) == OPGP_OK) {
            check_inside(data, size, &t);
            FUZZ_ASSERT(t.tag == tag, "find_deep returns the tag asked for");
        }
    }
}

/* A tag the parser accepts and the iterator does not take for padding, made from input
 * bytes: 1 byte (low bits not 1F, not 00), or 2-3 bytes with the ISO 7816-4 continuation
 * bits (first byte not FF). */
static uint32_t make_tag(const uint8_t **p, size_t *left)
{
    uint8_t b[4] = {0, 0, 0, 0};
    size_t used = *left < 4 ? *left : 4;
    if (used)
        memcpy(b, *p, used);
    *p += used;
    *left -= used;
    uint8_t first = (uint8_t)(b[1] | 0x1F);
    if (first == 0xFF)
        first = 0x5F;
    switch (b[0] % 3) {
    case 0: {
        uint8_t t = (b[1] & 0x1F) == 0x1F ? (uint8_t)(b[1] & 0xFE) : b[1];
        return t ? t : 0x01;
    }
    case 1:
        return ((uint32_t)first << 8) | (b[2] & 0x7F);
    default:
        return ((uint32_t)first << 16) | ((uint32_t)(b[2] | 0x80) << 8) | (b[3] & 0x7F);
    }
}

/* Build a template of children taken from the input, then parse it back. */
static void round_trip(const uint8_t *data, size_t size)
{
    enum { MAX_CHILDREN = 16 };
    struct {
        uint32_t tag;
        const uint8_t *v;
        size_t len;
    } kids[MAX_CHILDREN];
    size_t nkids = 0, content = 0;
    const uint8_t *p = data;
    size_t left = size;
    while (left > 0 && nkids < MAX_CHILDREN) {
        uint32_t tag = make_tag(&p, &left);
        size_t len = 0;
        if (left >= 2) {
            len = ((size_t)p[0] << 8 | p[1]) % 400; /* crosses the 0x80 and 0x100 forms */
            p += 2;
            left -= 2;
        }
        if (len > left)
            len = left;
        kids[nkids].tag = tag;
        kids[nkids].v = p;
        kids[nkids].len = len;
        content += opgp_tlv_header_size(tag, len) + len;
        nkids++;
        p += len;
        left -= len;
    }

    size_t cap = content + 8;
    uint8_t *out = malloc(cap);
    if (!out)
        return;
    opgp_buf b;
    opgp_buf_init(&b, out, cap);
    opgp_tlv_put_header(&b, 0x7F49, content);
    for (size_t i = 0; i < nkids; i++)
        opgp_tlv_put(&b, kids[i].tag, kids[i].v, kids[i].len);
    FUZZ_ASSERT(opgp_buf_status(&b) == OPGP_OK, "builder fits the computed size");
    FUZZ_ASSERT(b.len == opgp_tlv_header_size(0x7F49, content) + content, "built size");

    opgp_tlv top, t;
    FUZZ_ASSERT(opgp_tlv_parse(out, b.len, &top) == OPGP_OK, "built template parses");
    FUZZ_ASSERT(top.tag == 0x7F49 && top.constructed && top.len == content && top.raw_len == b.len,
                "template tag and length");
    opgp_tlv_iter it;
    opgp_tlv_iter_init(&it, top.value, top.len);
    size_t i = 0;
    opgp_status st;
    while ((st = opgp_tlv_next(&it, &t)) == OPGP_OK) {
        FUZZ_ASSERT(i < nkids, "no more TLVs than were built");
        FUZZ_ASSERT(t.tag == kids[i].tag && t.len == kids[i].len &&
                        (t.len == 0 || memcmp(t.value, kids[i].v, t.len) == 0),
                    "child parses back as built");
        i++;
    }
    FUZZ_ASSERT(st == OPGP_E_NOT_FOUND && i == nkids, "built template iterates to its end");
    free(out);

    /* Too small a buffer is an overflow, never a partial write past the end. */
    uint8_t small[4];
    opgp_buf_init(&b, small, sizeof small);
    opgp_tlv_put(&b, 0x5F52, data, size);
    FUZZ_ASSERT(b.len <= sizeof small, "bounded buffer");
    if (size + 3 > sizeof small)
        FUZZ_ASSERT(opgp_buf_status(&b) == OPGP_E_BUFFER_TOO_SMALL, "overflow reported");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_arbitrary(data, size);
    round_trip(data, size);
    return 0;
}
