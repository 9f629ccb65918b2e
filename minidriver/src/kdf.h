/* The CNG key derivation functions CardDeriveKey offers, over an ECDH shared secret Z
 * as the card returns it (big-endian X coordinate; X25519: RFC 7748's little-endian bytes):
 * HASH, HMAC, TLS_PRF (TLS 1.2), SP800_56A_CONCAT and RAW_SECRET ("TRUNCATE"). */
#ifndef OPGPMD_KDF_H
#define OPGPMD_KDF_H

#include "md.h"

#define MD_KDF_MAX_OUT 1024

/* Derive into out (capacity MD_KDF_MAX_OUT); z_le: z is little-endian already (X25519);
 * key_len the length wanted where the KDF allows a choice (0: the natural size). Returns a
 * Windows error code. */
DWORD md_kdf_derive(LPCWSTR kdf, const BCryptBufferDesc *params, DWORD flags,
                    const uint8_t *z, size_t z_len, bool z_le, size_t key_len, uint8_t *out,
                    size_t *out_len);

#endif
