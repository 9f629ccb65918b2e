/* The DigestInfo prefix (bridge/host's table) by CNG hash algorithm name. */
#include <wchar.h>

#include "winprov.h"

#include <bcrypt.h>

const uint8_t *winprov_digest_info(const wchar_t *alg, size_t *prefix_len, size_t *hash_len)
{
    static const struct {
        const wchar_t *name;
        opgp_tok_digest digest;
    } table[] = {
        { BCRYPT_MD5_ALGORITHM, OPGP_TOK_DIGEST_MD5 },
        { BCRYPT_SHA1_ALGORITHM, OPGP_TOK_DIGEST_SHA1 },
        { BCRYPT_SHA256_ALGORITHM, OPGP_TOK_DIGEST_SHA256 },
        { BCRYPT_SHA384_ALGORITHM, OPGP_TOK_DIGEST_SHA384 },
        { BCRYPT_SHA512_ALGORITHM, OPGP_TOK_DIGEST_SHA512 },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (wcscmp(alg, table[i].name) == 0)
            return opgp_token_digest_info(table[i].digest, prefix_len, hash_len);
    return NULL;
}
