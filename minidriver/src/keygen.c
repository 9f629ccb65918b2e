/* CardCreateContainer(Ex): generate a key on the card, or import one, into the slot of the
 * container index (0 AUT, 1 SIG, 2 DEC). The card wants the admin PIN (PW3) for both; the
 * fingerprint and generation time are written by the core. Keys cardmod has no key spec for
 * (brainpool, secp256k1, Ed25519, X25519) are generated under opgp's vendor key specs, with
 * the curve named by a DER OID in pbKeyData (VENDOR.md). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "md.h"
#include "opgp/minidriver_vendor.h"

/* The curve a DER OID (06, short length, content) names: OpenPGP's OIDs, and RFC 8410's for
 * Ed25519 and X25519 (what PKCS#11 and X.509 call them). The length byte bounds the read. */
static opgp_curve curve_of_der_oid(const uint8_t *der)
{
    static const uint8_t rfc8410_ed25519[] = { 0x2B, 0x65, 0x70 };
    static const uint8_t rfc8410_x25519[] = { 0x2B, 0x65, 0x6E };
    if (der[0] != 0x06 || der[1] == 0 || der[1] > OPGP_MAX_OID)
        return OPGP_CURVE_UNKNOWN;
    size_t n = der[1];
    const uint8_t *oid = der + 2;
    if (n == sizeof rfc8410_ed25519 && memcmp(oid, rfc8410_ed25519, n) == 0)
        return OPGP_CURVE_ED25519;
    if (n == sizeof rfc8410_x25519 && memcmp(oid, rfc8410_x25519, n) == 0)
        return OPGP_CURVE_X25519;
    const opgp_curve_info *ci = opgp_curve_by_oid(oid, n);
    return ci != NULL ? ci->curve : OPGP_CURVE_UNKNOWN;
}

/* Algorithm attributes for a key spec and size in a slot; false when the slot cannot hold it.
 * curve_oid: pbKeyData of a key generation (a DER OID for the vendor key specs, else unused). */
static bool attr_for(opgp_key_slot slot, DWORD spec, DWORD bits, const uint8_t *curve_oid,
                     opgp_algo_attr *out)
{
    opgp_curve curve = OPGP_CURVE_UNKNOWN;
    opgp_algo_id algo = OPGP_ALGO_NONE;
    switch (spec) {
    case AT_KEYEXCHANGE:
    case AT_SIGNATURE:
        if (slot == OPGP_KEY_DEC && spec != AT_KEYEXCHANGE)
            return false;
        if (bits == 0)
            bits = 2048;
        if (bits < 1024 || bits > 4096 || bits % 8 != 0)
            return false;
        *out = opgp_algo_attr_rsa((uint16_t)bits);
        return true;
    case AT_ECDSA_P256: algo = OPGP_ALGO_ECDSA; curve = OPGP_CURVE_P256; break;
    case AT_ECDSA_P384: algo = OPGP_ALGO_ECDSA; curve = OPGP_CURVE_P384; break;
    case AT_ECDSA_P521: algo = OPGP_ALGO_ECDSA; curve = OPGP_CURVE_P521; break;
    case AT_ECDHE_P256: algo = OPGP_ALGO_ECDH; curve = OPGP_CURVE_P256; break;
    case AT_ECDHE_P384: algo = OPGP_ALGO_ECDH; curve = OPGP_CURVE_P384; break;
    case AT_ECDHE_P521: algo = OPGP_ALGO_ECDH; curve = OPGP_CURVE_P521; break;
    case AT_OPGP_ECDSA:
    case AT_OPGP_ECDH:
        if (curve_oid == NULL)
            return false;
        algo = spec == AT_OPGP_ECDSA ? OPGP_ALGO_ECDSA : OPGP_ALGO_ECDH;
        curve = curve_of_der_oid(curve_oid);
        break;
    case AT_OPGP_EDDSA:
        algo = OPGP_ALGO_EDDSA;
        curve = curve_oid == NULL ? OPGP_CURVE_ED25519 : curve_of_der_oid(curve_oid);
        break;
    default: return false;
    }
    if (curve == OPGP_CURVE_UNKNOWN)
        return false;
    if ((algo == OPGP_ALGO_ECDH) != (slot == OPGP_KEY_DEC))
        return false;
    const opgp_curve_info *ci = opgp_curve_by_id(curve);
    if (ci == NULL || (bits != 0 && bits != ci->bits))
        return false;
    /* The core refuses the pairs that cannot be: ECDSA on Ed25519/X25519, EdDSA elsewhere. */
    return opgp_algo_attr_ecc(algo, curve, out) == OPGP_OK;
}

static bool vendor_spec(DWORD spec)
{
    return spec == AT_OPGP_ECDSA || spec == AT_OPGP_EDDSA || spec == AT_OPGP_ECDH;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Big-endian copy of a little-endian CryptoAPI integer. */
static void be_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    memcpy(dst, src, n);
    md_reverse(dst, n);
}

/* A CryptoAPI RSA PRIVATEKEYBLOB: BLOBHEADER, RSAPUBKEY ("RSA2"), then n, p, q, dp, dq, u, d
 * little-endian. The blob carries no total length: the header's bit length bounds everything,
 * and it is checked against what the caller asked for. */
static DWORD import_rsa(md_state *st, opgp_key_slot slot, const opgp_algo_attr *attr,
                        const uint8_t *blob)
{
    if (blob[0] != PRIVATEKEYBLOB || blob[1] != CUR_BLOB_VERSION ||
        le32(blob + 8) != BCRYPT_RSAPRIVATE_MAGIC)
        return SCARD_E_INVALID_PARAMETER;
    uint32_t bits = le32(blob + 12);
    if (bits != attr->rsa_bits || bits % 16 != 0)
        return SCARD_E_INVALID_PARAMETER;
    size_t k = bits / 8, h = k / 2;
    uint32_t e32 = le32(blob + 16);
    uint8_t *buf = malloc(k + 5 * h);
    if (buf == NULL)
        return SCARD_E_NO_MEMORY;
    const uint8_t *src = blob + 20;
    uint8_t *n = buf, *p = n + k, *q = p + h, *dp = q + h, *dq = dp + h, *u = dq + h;
    be_copy(n, src, k);
    be_copy(p, src + k, h);
    be_copy(q, src + k + h, h);
    be_copy(dp, src + k + 2 * h, h);
    be_copy(dq, src + k + 3 * h, h);
    be_copy(u, src + k + 4 * h, h); /* CryptoAPI's coefficient is q^-1 mod p, as OpenPGP's */
    uint8_t e[4] = { (uint8_t)(e32 >> 24), (uint8_t)(e32 >> 16), (uint8_t)(e32 >> 8),
                     (uint8_t)e32 };
    opgp_private_key key;
    memset(&key, 0, sizeof key);
    key.attr = *attr;
    key.e = e; key.e_len = 4;
    key.n = n; key.n_len = k;
    key.p = p; key.p_len = h;
    key.q = q; key.q_len = h;
    key.dp = dp; key.dp_len = h;
    key.dq = dq; key.dq_len = h;
    key.u = u; key.u_len = h;
    opgp_status s = opgp_card_import_key(st->card, slot, &key, (uint32_t)time(NULL), NULL);
    opgp_wipe(buf, k + 5 * h);
    free(buf);
    return md_card_error(st, s);
}

/* A BCRYPT_ECCKEY_BLOB private key: magic, cbKey, X, Y, d (big-endian). */
static DWORD import_ecc(md_state *st, opgp_key_slot slot, const opgp_algo_attr *attr,
                        const uint8_t *blob)
{
    size_t coord = opgp_algo_attr_key_bytes(attr);
    ULONG pub_magic = md_ecc_magic(attr->curve, attr->algo == OPGP_ALGO_ECDH);
    /* Each private magic is its public magic plus 1 in the first byte ("ECS1" -> "ECS2"). */
    if (le32(blob) != pub_magic + 1 || le32(blob + 4) != coord || coord == 0)
        return SCARD_E_INVALID_PARAMETER;
    uint8_t pub[OPGP_MAX_EC_POINT];
    pub[0] = 0x04;
    memcpy(pub + 1, blob + 8, 2 * coord);
    opgp_private_key key;
    memset(&key, 0, sizeof key);
    key.attr = *attr;
    key.scalar = blob + 8 + 2 * coord;
    key.scalar_len = coord;
    key.pub = pub;
    key.pub_len = 1 + 2 * coord;
    opgp_status s = opgp_card_import_key(st->card, slot, &key, (uint32_t)time(NULL), NULL);
    return md_card_error(st, s);
}

DWORD WINAPI CardCreateContainerEx(PCARD_DATA pCardData, BYTE bContainerIndex, DWORD dwFlags,
                                   DWORD dwKeySpec, DWORD dwKeySize, PBYTE pbKeyData,
                                   PIN_ID PinId)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (dwFlags != CARD_CREATE_CONTAINER_KEY_GEN && dwFlags != CARD_CREATE_CONTAINER_KEY_IMPORT)
        return SCARD_E_INVALID_PARAMETER;
    if (dwFlags == CARD_CREATE_CONTAINER_KEY_IMPORT && pbKeyData == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (bContainerIndex >= MD_CONTAINERS)
        return SCARD_E_NO_KEY_CONTAINER;
    if (PinId != ROLE_USER && PinId != md_container_pin(bContainerIndex))
        return SCARD_E_INVALID_PARAMETER; /* the card fixes which PIN guards each key */
    opgp_key_slot slot = md_container_slot(bContainerIndex);
    bool gen = dwFlags == CARD_CREATE_CONTAINER_KEY_GEN;
    /* The vendor key specs name a curve for generation; imports stay with cardmod's blobs. */
    if (!gen && vendor_spec(dwKeySpec))
        return SCARD_E_INVALID_PARAMETER;
    opgp_algo_attr attr;
    if (!attr_for(slot, dwKeySpec, dwKeySize, gen ? pbKeyData : NULL, &attr))
        return SCARD_E_INVALID_PARAMETER;
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    opgp_status s = OPGP_OK;
    if (gen) {
        if (!opgp_algo_attr_equal(&ad->attr[slot], &attr))
            s = opgp_card_set_algo_attr(st->card, slot, &attr, NULL);
        if (s == OPGP_OK)
            s = opgp_card_generate_key(st->card, slot, (uint32_t)time(NULL), NULL, NULL);
        rv = md_card_error(st, s);
    } else if (attr.algo == OPGP_ALGO_RSA) {
        if (!(ad->ext_caps.flags & OPGP_EXTCAP_KEY_IMPORT))
            return SCARD_E_UNSUPPORTED_FEATURE;
        rv = import_rsa(st, slot, &attr, pbKeyData);
    } else {
        if (!(ad->ext_caps.flags & OPGP_EXTCAP_KEY_IMPORT))
            return SCARD_E_UNSUPPORTED_FEATURE;
        rv = import_ecc(st, slot, &attr, pbKeyData);
    }
    /* The key state changed (or may have): cmapfile and cardcf follow 6E, here and, through
     * the write generation, in every other context of the process. */
    (void)opgp_card_refresh_appdata(st->card, NULL);
    if (rv != (DWORD)SCARD_W_SECURITY_VIOLATION) /* refused before anything was written */
        md_generation_wrote(st);
    free(st->cert[slot].data);
    memset(&st->cert[slot], 0, sizeof st->cert[slot]);
    return rv;
}

DWORD WINAPI CardCreateContainer(PCARD_DATA pCardData, BYTE bContainerIndex, DWORD dwFlags,
                                 DWORD dwKeySpec, DWORD dwKeySize, PBYTE pbKeyData)
{
    return CardCreateContainerEx(pCardData, bContainerIndex, dwFlags, dwKeySpec, dwKeySize,
                                 pbKeyData, md_container_pin(bContainerIndex));
}
