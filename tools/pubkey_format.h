/* Public keys read from the card in the formats other programs read: DER SubjectPublicKeyInfo
 * (RFC 5280, 8410; PEM "PUBLIC KEY", what openssl pkey -pubin takes) and the OpenSSH
 * authorized_keys line (RFC 4253, 5656, 8709). */
#ifndef OPGP_TOOL_PUBKEY_FORMAT_H
#define OPGP_TOOL_PUBKEY_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "opgp/card.h"

#define PUBKEY_MAX_DER 1200

/* DER SubjectPublicKeyInfo. OPGP_E_NOT_SUPPORTED for an algorithm without a known OID. */
opgp_status pubkey_to_spki(const opgp_public_key *pk, uint8_t *der, size_t *len);

/* "ssh-rsa AAAA... comment" (NUL-terminated, no newline). OPGP_E_NOT_SUPPORTED for curves
 * OpenSSH does not know (brainpool, secp256k1, X25519). */
opgp_status pubkey_to_ssh(const opgp_public_key *pk, const char *comment, char *line,
                          size_t cap);

#endif
