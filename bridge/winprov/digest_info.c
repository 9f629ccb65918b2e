/* DER DigestInfo prefixes (RFC 8017, section 9.2 note 1), by CNG hash algorithm name. */
#include <wchar.h>

#include "winprov.h"

#include <bcrypt.h>

static const uint8_t di_md5[] = { 0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86,
                                  0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10 };
static const uint8_t di_sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02,
                                   0x1a, 0x05, 0x00, 0x04, 0x14 };
static const uint8_t di_sha256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
static const uint8_t di_sha384[] = { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 };
static const uint8_t di_sha512[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 };

const uint8_t *winprov_digest_info(const wchar_t *alg, size_t *prefix_len, size_t *hash_len)
{
    static const struct {
        const wchar_t *name;
        const uint8_t *prefix;
        size_t prefix_len, hash_len;
    } table[] = {
        { BCRYPT_MD5_ALGORITHM, di_md5, sizeof di_md5, 16 },
        { BCRYPT_SHA1_ALGORITHM, di_sha1, sizeof di_sha1, 20 },
        { BCRYPT_SHA256_ALGORITHM, di_sha256, sizeof di_sha256, 32 },
        { BCRYPT_SHA384_ALGORITHM, di_sha384, sizeof di_sha384, 48 },
        { BCRYPT_SHA512_ALGORITHM, di_sha512, sizeof di_sha512, 64 },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (wcscmp(alg, table[i].name) == 0) {
            *prefix_len = table[i].prefix_len;
            if (hash_len != NULL)
                *hash_len = table[i].hash_len;
            return table[i].prefix;
        }
    }
    return NULL;
}
