/* DER DigestInfo prefixes for RSASSA-PKCS1-v1_5 (RFC 8017, section 9.2, note 1): the card signs
 * prefix || hash, so the host prepends the prefix when it is handed a bare hash. */
#ifndef OPGP_DIGESTINFO_H
#define OPGP_DIGESTINFO_H

#include <stddef.h>
#include <stdint.h>

typedef enum opgp_digest {
    OPGP_DIGEST_MD5,
    OPGP_DIGEST_SHA1,
    OPGP_DIGEST_SHA224,
    OPGP_DIGEST_SHA256,
    OPGP_DIGEST_SHA384,
    OPGP_DIGEST_SHA512,
    OPGP_DIGEST_COUNT
} opgp_digest;

typedef struct opgp_digestinfo {
    const uint8_t *prefix;  /* DER up to and including the OCTET STRING header */
    size_t prefix_len;
    size_t hash_len;        /* the hash that follows the prefix */
} opgp_digestinfo;

/* NULL for an unknown digest. */
const opgp_digestinfo *opgp_digestinfo_get(opgp_digest d);

/* The digest whose hash length is hash_len and whose prefix starts data (data = prefix || hash
 * of exactly that length); OPGP_DIGEST_COUNT when data is not a DigestInfo. */
opgp_digest opgp_digestinfo_match(const uint8_t *data, size_t len);

#endif
