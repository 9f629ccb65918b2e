/* The container view of an OpenPGP card: which container holds which slot, with which key
 * spec and size, under which name; the cmapfile, cardcf and cardid built from 6E alone. */
#include <string.h>

#include "md.h"
#include "opgp/crypto.h"

static const opgp_key_slot container_slots[MD_CONTAINERS] = {
    OPGP_KEY_AUT, OPGP_KEY_SIG, OPGP_KEY_DEC,
};

opgp_key_slot md_container_slot(BYTE index)
{
    return index < MD_CONTAINERS ? container_slots[index] : OPGP_KEY_AUT;
}

static DWORD ecdsa_spec(opgp_curve c)
{
    switch (c) {
    case OPGP_CURVE_P256: return AT_ECDSA_P256;
    case OPGP_CURVE_P384: return AT_ECDSA_P384;
    case OPGP_CURVE_P521: return AT_ECDSA_P521;
    default: return 0;
    }
}

static DWORD ecdh_spec(opgp_curve c)
{
    switch (c) {
    case OPGP_CURVE_P256: return AT_ECDHE_P256;
    case OPGP_CURVE_P384: return AT_ECDHE_P384;
    case OPGP_CURVE_P521: return AT_ECDHE_P521;
    default: return 0;
    }
}

DWORD md_container_keyspec(const opgp_appdata *ad, BYTE index)
{
    if (ad == NULL || index >= MD_CONTAINERS)
        return 0;
    opgp_key_slot slot = container_slots[index];
    if (!opgp_appdata_key_present(ad, slot))
        return 0;
    const opgp_algo_attr *a = &ad->attr[slot];
    switch (slot) {
    case OPGP_KEY_AUT:
        /* Windows logon with an RSA key wants it in the key exchange position. */
        if (a->algo == OPGP_ALGO_RSA)
            return AT_KEYEXCHANGE;
        return a->algo == OPGP_ALGO_ECDSA ? ecdsa_spec(a->curve) : 0;
    case OPGP_KEY_SIG:
        if (a->algo == OPGP_ALGO_RSA)
            return AT_SIGNATURE;
        return a->algo == OPGP_ALGO_ECDSA ? ecdsa_spec(a->curve) : 0;
    case OPGP_KEY_DEC:
        if (a->algo == OPGP_ALGO_RSA)
            return AT_KEYEXCHANGE;
        return a->algo == OPGP_ALGO_ECDH ? ecdh_spec(a->curve) : 0;
    }
    return 0;
}

WORD md_key_bits(const opgp_algo_attr *a)
{
    if (a == NULL)
        return 0;
    if (a->algo == OPGP_ALGO_RSA)
        return a->rsa_bits;
    const opgp_curve_info *ci = opgp_curve_by_id(a->curve);
    return ci != NULL ? ci->bits : 0;
}

opgp_status md_container_guid(const uint8_t aid[OPGP_AID_LEN], BYTE index,
                              WCHAR out[MAX_CONTAINER_NAME_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    if (aid == NULL || out == NULL || index >= MD_CONTAINERS)
        return OPGP_E_INVALID_ARG;
    /* A name-based GUID: SHA-256 over a label, the AID (manufacturer + serial) and the slot,
     * so it is the same on every host and differs between cards and slots. */
    uint8_t in[5 + OPGP_AID_LEN + 1];
    memcpy(in, "opgp:", 5);
    memcpy(in + 5, aid, OPGP_AID_LEN);
    in[5 + OPGP_AID_LEN] = (uint8_t)container_slots[index];
    uint8_t h[32];
    size_t hlen = sizeof h;
    opgp_status st = opgp_hash(OPGP_HASH_SHA256, in, sizeof in, h, &hlen);
    if (st != OPGP_OK)
        return st;
    h[6] = (uint8_t)((h[6] & 0x0F) | 0x50); /* RFC 4122 name-based layout (version 5 bits) */
    h[8] = (uint8_t)((h[8] & 0x3F) | 0x80);
    size_t o = 0;
    out[o++] = '{';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = (WCHAR)hex[h[i] >> 4];
        out[o++] = (WCHAR)hex[h[i] & 0x0F];
    }
    out[o++] = '}';
    while (o <= MAX_CONTAINER_NAME_LEN)
        out[o++] = 0;
    return OPGP_OK;
}

opgp_status md_cmapfile_build(const opgp_appdata *ad, uint8_t out[MD_CMAPFILE_SIZE])
{
    if (ad == NULL || out == NULL)
        return OPGP_E_INVALID_ARG;
    CONTAINER_MAP_RECORD rec[MD_CONTAINERS];
    memset(rec, 0, sizeof rec);
    int default_index = -1;
    for (BYTE i = 0; i < MD_CONTAINERS; i++) {
        DWORD spec = md_container_keyspec(ad, i);
        if (spec == 0)
            continue; /* an invalid record: empty name, no flags */
        opgp_status st = md_container_guid(ad->aid.raw, i, rec[i].wszGuid);
        if (st != OPGP_OK)
            return st;
        rec[i].bFlags = CONTAINER_MAP_VALID_CONTAINER;
        WORD bits = md_key_bits(&ad->attr[container_slots[i]]);
        if (spec == AT_SIGNATURE || (spec >= AT_ECDSA_P256 && spec <= AT_ECDSA_P521))
            rec[i].wSigKeySizeBits = bits;
        else
            rec[i].wKeyExchangeKeySizeBits = bits;
        if (default_index < 0)
            default_index = i; /* container 0 (AUT) when present, else the first valid one */
    }
    if (default_index >= 0)
        rec[default_index].bFlags |= CONTAINER_MAP_DEFAULT_CONTAINER;
    memcpy(out, rec, sizeof rec);
    return OPGP_OK;
}

static uint16_t fold16(const uint8_t *h)
{
    return (uint16_t)((h[0] << 8) | h[1]);
}

opgp_status md_cardcf_build(const opgp_appdata *ad, uint32_t write_generation, uint8_t out[6])
{
    if (ad == NULL || out == NULL)
        return OPGP_E_INVALID_ARG;
    /* Everything opgp changes when it changes a key: attributes, fingerprints, generation
     * times, key status. Hashed, so any change gives another counter value (2^-16 chance of
     * a collision, which only costs a stale cache entry until the next change). */
    opgp_hash_ctx *hc = opgp_hash_new(OPGP_HASH_SHA256);
    if (hc == NULL)
        return OPGP_E_NO_MEMORY;
    opgp_status st = OPGP_OK;
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT && st == OPGP_OK; s++) {
        uint8_t attr[64];
        size_t alen = sizeof attr;
        if (ad->attr[s].algo == OPGP_ALGO_NONE ||
            opgp_algo_attr_encode(&ad->attr[s], attr, &alen) != OPGP_OK)
            alen = 0;
        uint8_t t[5] = { (uint8_t)(ad->gen_time[s] >> 24), (uint8_t)(ad->gen_time[s] >> 16),
                         (uint8_t)(ad->gen_time[s] >> 8), (uint8_t)ad->gen_time[s],
                         ad->key_status[s] };
        st = opgp_hash_update(hc, attr, alen);
        if (st == OPGP_OK)
            st = opgp_hash_update(hc, ad->fpr[s], 20);
        if (st == OPGP_OK)
            st = opgp_hash_update(hc, t, sizeof t);
    }
    uint8_t h[32];
    size_t hlen = sizeof h;
    if (st == OPGP_OK)
        st = opgp_hash_final(hc, h, &hlen);
    opgp_hash_free(hc);
    if (st != OPGP_OK)
        return st;
    uint16_t containers = fold16(h);
    /* A certificate write leaves 6E as it was: the write generation moves the files counter
     * (by one per write, so the CSP's own increment after a write lands on the same value). */
    uint16_t files = (uint16_t)(fold16(h + 2) + write_generation);
    out[0] = 0;          /* bVersion */
    out[1] = 0;          /* bPinsFreshness: PINs are not cached by content here */
    out[2] = (uint8_t)containers;
    out[3] = (uint8_t)(containers >> 8);
    out[4] = (uint8_t)files;
    out[5] = (uint8_t)(files >> 8);
    return OPGP_OK;
}

void md_cardid_build(const opgp_appdata *ad, uint8_t out[16])
{
    memcpy(out, ad->aid.raw, 16);
}
