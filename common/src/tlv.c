/* BER-TLV as OpenPGP cards use it. Length forms stop at 0x82 (two length bytes, 65535): that
 * is what the OpenPGP card specification uses for every DO, and a 0x83/0x84 form from a card
 * could only announce more than any single APDU response can carry. Anything else is
 * OPGP_E_BAD_TLV rather than a guess. */
#include <string.h>

#include "opgp/tlv.h"

#define MAX_TAG_BYTES 3

static opgp_status parse_tag(const uint8_t *p, size_t left, uint32_t *tag, size_t *used)
{
    if (left == 0)
        return OPGP_E_BAD_TLV;
    uint32_t t = p[0];
    size_t n = 1;
    if ((p[0] & 0x1F) == 0x1F) {
        /* Subsequent bytes carry bit 8 set while more follow. */
        for (;;) {
            if (n >= left || n >= MAX_TAG_BYTES)
                return OPGP_E_BAD_TLV;
            t = (t << 8) | p[n];
            if (!(p[n++] & 0x80))
                break;
        }
    }
    *tag = t;
    *used = n;
    return OPGP_OK;
}

static opgp_status parse_length(const uint8_t *p, size_t left, size_t *len, size_t *used)
{
    if (left == 0)
        return OPGP_E_BAD_TLV;
    if (p[0] < 0x80) {
        *len = p[0];
        *used = 1;
        return OPGP_OK;
    }
    if (p[0] == 0x81 && left >= 2) {
        *len = p[1];
        *used = 2;
        return OPGP_OK;
    }
    if (p[0] == 0x82 && left >= 3) {
        *len = ((size_t)p[1] << 8) | p[2];
        *used = 3;
        return OPGP_OK;
    }
    return OPGP_E_BAD_TLV; /* 0x80 indefinite, 0x83 and longer forms, or truncated */
}

opgp_status opgp_tlv_parse(const uint8_t *buf, size_t len, opgp_tlv *out)
{
    if (!buf || !out)
        return OPGP_E_INVALID_ARG;
    uint32_t tag;
    size_t tag_len, len_len, value_len;
    opgp_status st = parse_tag(buf, len, &tag, &tag_len);
    if (st != OPGP_OK)
        return st;
    st = parse_length(buf + tag_len, len - tag_len, &value_len, &len_len);
    if (st != OPGP_OK)
        return st;
    size_t header = tag_len + len_len;
    if (value_len > len - header)
        return OPGP_E_BAD_TLV;
    out->tag = tag;
    out->constructed = (buf[0] & 0x20) != 0;
    out->value = buf + header;
    out->len = value_len;
    out->raw = buf;
    out->raw_len = header + value_len;
    return OPGP_OK;
}

void opgp_tlv_iter_init(opgp_tlv_iter *it, const uint8_t *buf, size_t len)
{
    if (!it)
        return;
    it->p = buf;
    it->left = buf ? len : 0;
}

opgp_status opgp_tlv_next(opgp_tlv_iter *it, opgp_tlv *out)
{
    if (!it || !out)
        return OPGP_E_INVALID_ARG;
    while (it->left > 0 && (it->p[0] == 0x00 || it->p[0] == 0xFF)) {
        it->p++;
        it->left--;
    }
    if (it->left == 0)
        return OPGP_E_NOT_FOUND;
    opgp_status st = opgp_tlv_parse(it->p, it->left, out);
    if (st != OPGP_OK) {
        it->left = 0; /* a malformed sequence stays malformed: do not resync on garbage */
        return st;
    }
    it->p += out->raw_len;
    it->left -= out->raw_len;
    return OPGP_OK;
}

opgp_status opgp_tlv_find(const uint8_t *buf, size_t len, uint32_t tag, opgp_tlv *out)
{
    if (!buf || !out)
        return OPGP_E_INVALID_ARG;
    opgp_tlv_iter it;
    opgp_tlv t;
    opgp_status st;
    opgp_tlv_iter_init(&it, buf, len);
    while ((st = opgp_tlv_next(&it, &t)) == OPGP_OK) {
        if (t.tag == tag) {
            *out = t;
            return OPGP_OK;
        }
    }
    return st;
}

static opgp_status find_deep(const uint8_t *buf, size_t len, uint32_t tag, opgp_tlv *out,
                             unsigned depth)
{
    opgp_tlv_iter it;
    opgp_tlv t;
    opgp_status st;
    opgp_tlv_iter_init(&it, buf, len);
    while ((st = opgp_tlv_next(&it, &t)) == OPGP_OK) {
        if (t.tag == tag) {
            *out = t;
            return OPGP_OK;
        }
        if (t.constructed) {
            if (depth + 1 > OPGP_TLV_MAX_DEPTH)
                return OPGP_E_BAD_TLV;
            st = find_deep(t.value, t.len, tag, out, depth + 1);
            if (st != OPGP_E_NOT_FOUND)
                return st;
        }
    }
    return st;
}

opgp_status opgp_tlv_find_deep(const uint8_t *buf, size_t len, uint32_t tag, opgp_tlv *out)
{
    if (!buf || !out)
        return OPGP_E_INVALID_ARG;
    return find_deep(buf, len, tag, out, 0);
}

void opgp_buf_init(opgp_buf *b, uint8_t *data, size_t cap)
{
    if (!b)
        return;
    b->data = data;
    b->cap = data ? cap : 0;
    b->len = 0;
    b->overflow = false;
}

void opgp_buf_put(opgp_buf *b, const void *src, size_t n)
{
    if (!b || b->overflow || n == 0)
        return;
    if (!src || n > b->cap - b->len) {
        b->overflow = true;
        return;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

void opgp_buf_put_u8(opgp_buf *b, uint8_t v)
{
    opgp_buf_put(b, &v, 1);
}

opgp_status opgp_buf_status(const opgp_buf *b)
{
    if (!b)
        return OPGP_E_INVALID_ARG;
    return b->overflow ? OPGP_E_BUFFER_TOO_SMALL : OPGP_OK;
}

static size_t tag_size(uint32_t tag)
{
    if (tag > 0xFFFF)
        return 3;
    if (tag > 0xFF)
        return 2;
    return 1;
}

static size_t length_size(size_t len)
{
    if (len < 0x80)
        return 1;
    if (len <= 0xFF)
        return 2;
    return 3;
}

size_t opgp_tlv_header_size(uint32_t tag, size_t len)
{
    return tag_size(tag) + length_size(len);
}

void opgp_tlv_put_header(opgp_buf *b, uint32_t tag, size_t len)
{
    if (!b)
        return;
    /* The parser accepts nothing longer than a 0x82 length or a 3-byte tag, so neither does the
     * builder: such a header is reported as an overflow rather than written wrongly. */
    if (len > 0xFFFF || tag > 0xFFFFFF) {
        b->overflow = true;
        return;
    }
    uint8_t h[6];
    size_t n = 0;
    for (size_t i = tag_size(tag); i > 0; i--)
        h[n++] = (uint8_t)(tag >> (8 * (i - 1)));
    if (len >= 0x80) {
        if (len <= 0xFF) {
            h[n++] = 0x81;
        } else {
            h[n++] = 0x82;
            h[n++] = (uint8_t)(len >> 8);
        }
    }
    h[n++] = (uint8_t)len;
    opgp_buf_put(b, h, n);
}

void opgp_tlv_put(opgp_buf *b, uint32_t tag, const void *value, size_t len)
{
    opgp_tlv_put_header(b, tag, len);
    if (len > 0)
        opgp_buf_put(b, value, len);
}
