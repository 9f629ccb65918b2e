/* The DigestInfo prefixes for consumers that hash on the host and sign with RSA PKCS#1 v1.5
 * (PKCS#11's CKM_SHA*_RSA_PKCS, the CSP's and KSP's hashes): common's one table, so that no
 * consumer keeps a copy and none reaches into common/ itself. */
#include "opgp/digestinfo.h"
#include "opgp/host_token.h"

const uint8_t *opgp_token_digest_info(opgp_tok_digest d, size_t *prefix_len, size_t *hash_len)
{
    static const opgp_digest of[] = {
        [OPGP_TOK_DIGEST_MD5] = OPGP_DIGEST_MD5,       [OPGP_TOK_DIGEST_SHA1] = OPGP_DIGEST_SHA1,
        [OPGP_TOK_DIGEST_SHA224] = OPGP_DIGEST_SHA224, [OPGP_TOK_DIGEST_SHA256] = OPGP_DIGEST_SHA256,
        [OPGP_TOK_DIGEST_SHA384] = OPGP_DIGEST_SHA384, [OPGP_TOK_DIGEST_SHA512] = OPGP_DIGEST_SHA512,
    };
    if ((unsigned)d >= sizeof of / sizeof of[0] || prefix_len == NULL)
        return NULL;
    const opgp_digestinfo *info = opgp_digestinfo_get(of[d]);
    if (info == NULL)
        return NULL;
    *prefix_len = info->prefix_len;
    if (hash_len != NULL)
        *hash_len = info->hash_len;
    return info->prefix;
}
