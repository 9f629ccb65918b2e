/* BER-TLV (ISO 7816-4 / X.690 subset used by OpenPGP cards): bounded parsing and building.
 * The parser never reads outside [buf, buf+len): every length is checked against what is left
 * before it is used. Tags are up to 3 bytes (0x7F2149-style), lengths up to 0x82 (65535). */
#ifndef OPGP_TLV_H
#define OPGP_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/status.h"

/* Nesting deeper than this is rejected (no real OpenPGP DO nests beyond 4). */
#define OPGP_TLV_MAX_DEPTH 8

typedef struct opgp_tlv {
    uint32_t tag;          /* tag bytes as a big-endian number: 0x5F52, 0x7F49, 0x6E */
    bool constructed;      /* bit 6 of the first tag byte */
    const uint8_t *value;  /* points into the parsed buffer */
    size_t len;            /* value length */
    const uint8_t *raw;    /* the whole TLV, tag and length included */
    size_t raw_len;
} opgp_tlv;

/* Parse the TLV at the start of buf. On success *consumed is raw_len.
 * Returns OPGP_E_BAD_TLV for a truncated tag, a length that runs past buf, an indefinite or
 * over-long length form. Leading 00 / FF padding bytes are NOT skipped here (see iterator). */
opgp_status opgp_tlv_parse(const uint8_t *buf, size_t len, opgp_tlv *out);

/* Iterate the TLVs of a sequence (the value of a constructed TLV, or a whole response).
 * Padding bytes 00 and FF between TLVs are skipped as ISO 7816-4 allows. */
typedef struct opgp_tlv_iter {
    const uint8_t *p;
    size_t left;
} opgp_tlv_iter;

void opgp_tlv_iter_init(opgp_tlv_iter *it, const uint8_t *buf, size_t len);
/* OPGP_OK and *out filled; OPGP_E_NOT_FOUND at the end; OPGP_E_BAD_TLV when malformed. */
opgp_status opgp_tlv_next(opgp_tlv_iter *it, opgp_tlv *out);

/* Find tag among the TLVs of buf (one level). OPGP_E_NOT_FOUND when absent. */
opgp_status opgp_tlv_find(const uint8_t *buf, size_t len, uint32_t tag, opgp_tlv *out);

/* Find tag anywhere below buf, depth first through constructed TLVs (bounded by
 * OPGP_TLV_MAX_DEPTH). Use for 6E, whose children sit inside 73 on v2+ cards. */
opgp_status opgp_tlv_find_deep(const uint8_t *buf, size_t len, uint32_t tag, opgp_tlv *out);

/* A bounded output buffer. Writes past cap set overflow and write nothing more, so a builder
 * can run to the end and check once. */
typedef struct opgp_buf {
    uint8_t *data;
    size_t cap;
    size_t len;
    bool overflow;
} opgp_buf;

void opgp_buf_init(opgp_buf *b, uint8_t *data, size_t cap);
void opgp_buf_put(opgp_buf *b, const void *src, size_t n);
void opgp_buf_put_u8(opgp_buf *b, uint8_t v);
/* OPGP_OK, or OPGP_E_BUFFER_TOO_SMALL if anything overflowed. */
opgp_status opgp_buf_status(const opgp_buf *b);

/* Append a tag and a length header (DER minimal length form). */
void opgp_tlv_put_header(opgp_buf *b, uint32_t tag, size_t len);
/* Append a complete TLV. */
void opgp_tlv_put(opgp_buf *b, uint32_t tag, const void *value, size_t len);
/* Bytes a header for (tag, len) takes. */
size_t opgp_tlv_header_size(uint32_t tag, size_t len);

#endif
