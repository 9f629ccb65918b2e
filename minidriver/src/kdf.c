/* CNG-compatible KDFs over the ECDH secret, with the host's hash and HMAC. */
#include <string.h>

#include "hmac.h"
#include "kdf.h"

#define KDF_USE_SECRET_AS_HMAC_KEY 0x1 /* BCryptDeriveKey's flag, passed through dwFlags */

typedef struct kdf_params {
    opgp_hash_alg hash;
    bool hash_given;
    md_chunk prepend, append, hmac_key, label, seed, alg_id, party_u, party_v, supp_pub,
        supp_priv;
    DWORD tls_protocol;
} kdf_params;

static bool hash_of_name(const WCHAR *name, size_t max_chars, opgp_hash_alg *out)
{
    /* The name must end within its buffer. */
    size_t n = 0;
    while (n < max_chars && name[n] != 0)
        n++;
    if (n == max_chars)
        return false;
    if (md_wcs_eq(name, BCRYPT_SHA1_ALGORITHM)) *out = OPGP_HASH_SHA1;
    else if (md_wcs_eq(name, BCRYPT_SHA256_ALGORITHM)) *out = OPGP_HASH_SHA256;
    else if (md_wcs_eq(name, BCRYPT_SHA384_ALGORITHM)) *out = OPGP_HASH_SHA384;
    else if (md_wcs_eq(name, BCRYPT_SHA512_ALGORITHM)) *out = OPGP_HASH_SHA512;
    else return false;
    return true;
}

static DWORD parse(const BCryptBufferDesc *desc, kdf_params *p)
{
    memset(p, 0, sizeof *p);
    p->tls_protocol = TLS1_PROTOCOL_VERSION;
    if (desc == NULL)
        return SCARD_S_SUCCESS;
    if (desc->ulVersion != BCRYPTBUFFER_VERSION || desc->cBuffers > 64 ||
        (desc->cBuffers > 0 && desc->pBuffers == NULL))
        return SCARD_E_INVALID_PARAMETER;
    for (ULONG i = 0; i < desc->cBuffers; i++) {
        const BCryptBuffer *b = &desc->pBuffers[i];
        if (b->cbBuffer > 0 && b->pvBuffer == NULL)
            return SCARD_E_INVALID_PARAMETER;
        md_chunk c = { b->pvBuffer, b->cbBuffer };
        switch (b->BufferType) {
        case KDF_HASH_ALGORITHM:
            if (b->cbBuffer < sizeof(WCHAR) ||
                !hash_of_name(b->pvBuffer, b->cbBuffer / sizeof(WCHAR), &p->hash))
                return NTE_BAD_ALGID;
            p->hash_given = true;
            break;
        case KDF_SECRET_PREPEND: p->prepend = c; break;
        case KDF_SECRET_APPEND: p->append = c; break;
        case KDF_HMAC_KEY: p->hmac_key = c; break;
        case KDF_TLS_PRF_LABEL: p->label = c; break;
        case KDF_TLS_PRF_SEED: p->seed = c; break;
        case KDF_ALGORITHMID: p->alg_id = c; break;
        case KDF_PARTYUINFO: p->party_u = c; break;
        case KDF_PARTYVINFO: p->party_v = c; break;
        case KDF_SUPPPUBINFO: p->supp_pub = c; break;
        case KDF_SUPPPRIVINFO: p->supp_priv = c; break;
        case KDF_TLS_PRF_PROTOCOL:
            if (b->cbBuffer != sizeof(DWORD))
                return SCARD_E_INVALID_PARAMETER;
            memcpy(&p->tls_protocol, b->pvBuffer, sizeof(DWORD));
            break;
        default:
            return SCARD_E_INVALID_PARAMETER;
        }
    }
    return SCARD_S_SUCCESS;
}

static DWORD kdf_hash(const kdf_params *p, const uint8_t *z, size_t z_len, uint8_t *out,
                      size_t *out_len)
{
    opgp_hash_ctx *h = opgp_hash_new(p->hash_given ? p->hash : OPGP_HASH_SHA1);
    if (h == NULL)
        return NTE_BAD_ALGID;
    opgp_status s = opgp_hash_update(h, p->prepend.p, p->prepend.len);
    if (s == OPGP_OK) s = opgp_hash_update(h, z, z_len);
    if (s == OPGP_OK) s = opgp_hash_update(h, p->append.p, p->append.len);
    if (s == OPGP_OK) s = opgp_hash_final(h, out, out_len);
    opgp_hash_free(h);
    return s == OPGP_OK ? SCARD_S_SUCCESS : SCARD_F_INTERNAL_ERROR;
}

static DWORD kdf_hmac(const kdf_params *p, DWORD flags, const uint8_t *z, size_t z_len,
                      uint8_t *out, size_t *out_len)
{
    const uint8_t *key = z;
    size_t key_len = z_len;
    if (!(flags & KDF_USE_SECRET_AS_HMAC_KEY) && p->hmac_key.len > 0) {
        key = p->hmac_key.p;
        key_len = p->hmac_key.len;
    }
    md_chunk parts[3] = { p->prepend, { z, z_len }, p->append };
    opgp_status s = md_hmac(p->hash_given ? p->hash : OPGP_HASH_SHA1, key, key_len, parts, 3,
                            out, out_len);
    return s == OPGP_OK ? SCARD_S_SUCCESS : md_status_to_scard(s);
}

/* TLS 1.2 PRF (RFC 5246, 5): P_hash(secret, label || seed), 48 bytes (a master secret). */
static DWORD kdf_tls_prf(const kdf_params *p, const uint8_t *z, size_t z_len, uint8_t *out,
                         size_t *out_len)
{
    if (p->tls_protocol != TLS1_2_PROTOCOL_VERSION)
        return SCARD_E_UNSUPPORTED_FEATURE; /* TLS 1.0/1.1 need MD5, which the core lacks */
    if (p->label.len == 0 || p->seed.len == 0)
        return SCARD_E_INVALID_PARAMETER;
    opgp_hash_alg alg = p->hash_given ? p->hash : OPGP_HASH_SHA256;
    const size_t want = 48;
    uint8_t a[OPGP_HASH_MAX_SIZE], block[OPGP_HASH_MAX_SIZE];
    size_t alen = sizeof a;
    md_chunk first[2] = { p->label, p->seed };
    if (md_hmac(alg, z, z_len, first, 2, a, &alen) != OPGP_OK) /* A(1) */
        return SCARD_F_INTERNAL_ERROR;
    size_t done = 0;
    while (done < want) {
        size_t blen = sizeof block;
        md_chunk more[3] = { { a, alen }, p->label, p->seed };
        if (md_hmac(alg, z, z_len, more, 3, block, &blen) != OPGP_OK)
            return SCARD_F_INTERNAL_ERROR;
        size_t take = want - done < blen ? want - done : blen;
        memcpy(out + done, block, take);
        done += take;
        md_chunk next[1] = { { a, alen } };
        size_t nlen = sizeof a;
        uint8_t na[OPGP_HASH_MAX_SIZE];
        if (md_hmac(alg, z, z_len, next, 1, na, &nlen) != OPGP_OK)
            return SCARD_F_INTERNAL_ERROR;
        memcpy(a, na, nlen);
        alen = nlen;
    }
    opgp_wipe(block, sizeof block);
    opgp_wipe(a, sizeof a);
    *out_len = want;
    return SCARD_S_SUCCESS;
}

/* NIST SP 800-56A concatenation KDF: H(counter || Z || OtherInfo) blocks. */
static DWORD kdf_concat(const kdf_params *p, const uint8_t *z, size_t z_len, size_t key_len,
                        uint8_t *out, size_t *out_len)
{
    opgp_hash_alg alg = p->hash_given ? p->hash : OPGP_HASH_SHA256;
    size_t hlen = opgp_hash_size(alg);
    size_t want = key_len ? key_len : hlen;
    if (hlen == 0 || want > MD_KDF_MAX_OUT)
        return SCARD_E_INVALID_PARAMETER;
    size_t done = 0;
    for (uint32_t counter = 1; done < want; counter++) {
        uint8_t c[4] = { (uint8_t)(counter >> 24), (uint8_t)(counter >> 16),
                         (uint8_t)(counter >> 8), (uint8_t)counter };
        opgp_hash_ctx *h = opgp_hash_new(alg);
        if (h == NULL)
            return NTE_BAD_ALGID;
        const md_chunk parts[] = { { c, 4 }, { z, z_len }, p->alg_id, p->party_u, p->party_v,
                                   p->supp_pub, p->supp_priv };
        opgp_status s = OPGP_OK;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0] && s == OPGP_OK; i++)
            s = opgp_hash_update(h, parts[i].p, parts[i].len);
        uint8_t block[OPGP_HASH_MAX_SIZE];
        size_t blen = sizeof block;
        if (s == OPGP_OK)
            s = opgp_hash_final(h, block, &blen);
        opgp_hash_free(h);
        if (s != OPGP_OK)
            return SCARD_F_INTERNAL_ERROR;
        size_t take = want - done < blen ? want - done : blen;
        memcpy(out + done, block, take);
        done += take;
        opgp_wipe(block, sizeof block);
    }
    *out_len = want;
    return SCARD_S_SUCCESS;
}

/* BCRYPT_KDF_RAW_SECRET: the secret itself, little-endian as BCryptDeriveKey returns it (the
 * card's big-endian X coordinate reversed; X25519's output is little-endian already). It
 * takes no parameters. A shorter key length keeps the leading bytes, as a short buffer does
 * with BCryptDeriveKey. */
static DWORD kdf_raw(const BCryptBufferDesc *desc, DWORD flags, const uint8_t *z, size_t z_len,
                     bool z_le, size_t key_len, uint8_t *out, size_t *out_len)
{
    if (flags != 0 || (desc != NULL && desc->cBuffers != 0) || z_len > MD_KDF_MAX_OUT)
        return SCARD_E_INVALID_PARAMETER;
    for (size_t i = 0; i < z_len; i++)
        out[i] = z_le ? z[i] : z[z_len - 1 - i];
    *out_len = key_len > 0 && key_len < z_len ? key_len : z_len;
    return SCARD_S_SUCCESS;
}

DWORD md_kdf_derive(LPCWSTR kdf, const BCryptBufferDesc *params, DWORD flags,
                    const uint8_t *z, size_t z_len, bool z_le, size_t key_len, uint8_t *out,
                    size_t *out_len)
{
    if (kdf == NULL || z == NULL || out == NULL || out_len == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (md_wcs_eq(kdf, BCRYPT_KDF_RAW_SECRET))
        return kdf_raw(params, flags, z, z_len, z_le, key_len, out, out_len);
    if (flags & ~(DWORD)KDF_USE_SECRET_AS_HMAC_KEY)
        return SCARD_E_INVALID_PARAMETER;
    kdf_params p;
    DWORD rv = parse(params, &p);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    *out_len = MD_KDF_MAX_OUT;
    if (md_wcs_eq(kdf, BCRYPT_KDF_HASH))
        return kdf_hash(&p, z, z_len, out, out_len);
    if (md_wcs_eq(kdf, BCRYPT_KDF_HMAC))
        return kdf_hmac(&p, flags, z, z_len, out, out_len);
    if (md_wcs_eq(kdf, BCRYPT_KDF_TLS_PRF))
        return kdf_tls_prf(&p, z, z_len, out, out_len);
    if (md_wcs_eq(kdf, BCRYPT_KDF_SP80056A_CONCAT))
        return kdf_concat(&p, z, z_len, key_len, out, out_len);
    return SCARD_E_INVALID_PARAMETER;
}
