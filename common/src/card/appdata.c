/* Decoding of the application related data 6E and the DOs that travel with it. Every value is
 * length-checked before use; a required DO that is missing or malformed fails the decode. */
#include <string.h>

#include "opgp/appdata.h"
#include "opgp/tlv.h"

static const uint8_t openpgp_rid_pix[6] = {0xD2, 0x76, 0x00, 0x01, 0x24, 0x01};

/* The value of tag when buf is that TLV, else buf itself (some cards leave out the outer
 * template, e.g. FA on the recorded CanoKey). */
static opgp_status unwrap(const uint8_t *buf, size_t len, uint32_t tag, const uint8_t **v,
                          size_t *vlen)
{
    opgp_tlv t;
    if (len > 0 && opgp_tlv_parse(buf, len, &t) == OPGP_OK && t.tag == tag) {
        *v = t.value;
        *vlen = t.len;
        return OPGP_OK;
    }
    *v = buf;
    *vlen = len;
    return OPGP_OK;
}

opgp_status opgp_aid_decode(const uint8_t *v, size_t len, opgp_aid *out)
{
    if (!out || (len && !v))
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (len != OPGP_AID_LEN || memcmp(v, openpgp_rid_pix, sizeof openpgp_rid_pix) != 0)
        return OPGP_E_BAD_RESPONSE;
    memcpy(out->raw, v, OPGP_AID_LEN);
    out->version_major = v[6];
    out->version_minor = v[7];
    out->manufacturer = (uint16_t)((v[8] << 8) | v[9]);
    memcpy(out->serial, v + 10, 4);
    out->serial_number = ((uint32_t)v[10] << 24) | ((uint32_t)v[11] << 16) |
                         ((uint32_t)v[12] << 8) | v[13];
    return OPGP_OK;
}

/* Compact-TLV objects (ISO 7816-4 8.1.1): one byte tag<<4 | length, then the value. */
static void compact_tlv(opgp_historical *h, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t tag = p[i] >> 4, l = p[i] & 0x0F;
        if (l > n - i - 1)
            return; /* truncated: keep what was understood */
        const uint8_t *val = p + i + 1;
        if (tag == 0x7 && l >= 1) {
            h->has_caps = true;
            memcpy(h->caps, val, l < 3 ? l : 3);
        } else if (tag == 0x8 && l >= 1) {
            h->has_status = true;
            h->life_cycle = val[0];
        }
        i += 1u + l;
    }
}

opgp_status opgp_historical_decode(const uint8_t *v, size_t len, opgp_historical *out)
{
    if (!out || (len && !v))
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (len == 0 || len > sizeof out->raw)
        return OPGP_E_BAD_RESPONSE;
    memcpy(out->raw, v, len);
    out->len = len;
    if (v[0] == 0x00) {
        /* Category 00: compact-TLV objects, then a 3-byte status indicator. */
        if (len >= 4) {
            compact_tlv(out, v + 1, len - 4);
            out->has_status = true;
            out->life_cycle = v[len - 3];
        }
    } else if (v[0] == 0x80) {
        compact_tlv(out, v + 1, len - 1);
    }
    if (out->has_caps) {
        out->chaining = (out->caps[2] & 0x80) != 0;
        out->extended_length = (out->caps[2] & 0x40) != 0;
    }
    return OPGP_OK;
}

opgp_status opgp_pw_status_decode(const uint8_t *v, size_t len, opgp_pw_status *out)
{
    if (!out || (len && !v))
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    const uint8_t *p;
    size_t n;
    unwrap(v, len, 0xC4, &p, &n);
    if (n < 7)
        return OPGP_E_BAD_RESPONSE;
    out->present = true;
    out->pw1_multi_sign = p[0] != 0x00;
    out->max_len_pw1 = p[1] & 0x7F;
    out->pw1_pin_block2 = (p[1] & 0x80) != 0;
    out->max_len_rc = p[2];
    out->max_len_pw3 = p[3] & 0x7F;
    out->pw3_pin_block2 = (p[3] & 0x80) != 0;
    out->tries_pw1 = p[4];
    out->tries_rc = p[5];
    out->tries_pw3 = p[6];
    return OPGP_OK;
}

static opgp_status copy_bytes(const opgp_tlv *t, uint8_t *dst, size_t cap, size_t *dst_len)
{
    if (t->len > cap)
        return OPGP_E_BAD_RESPONSE;
    memcpy(dst, t->value, t->len);
    *dst_len = t->len;
    return OPGP_OK;
}

opgp_status opgp_kdf_decode(const uint8_t *v, size_t len, opgp_kdf *out)
{
    if (!out || (len && !v))
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    const uint8_t *p;
    size_t n;
    unwrap(v, len, 0xF9, &p, &n);
    if (n == 0)
        return OPGP_OK; /* no KDF-DO: PINs go as typed */
    opgp_tlv_iter it;
    opgp_tlv t;
    opgp_status st;
    bool have_algo = false;
    opgp_tlv_iter_init(&it, p, n);
    while ((st = opgp_tlv_next(&it, &t)) == OPGP_OK) {
        switch (t.tag) {
        case 0x81:
            if (t.len != 1)
                return OPGP_E_BAD_RESPONSE;
            out->algo = t.value[0];
            have_algo = true;
            break;
        case 0x82:
            if (t.len != 1)
                return OPGP_E_BAD_RESPONSE;
            out->hash = t.value[0];
            break;
        case 0x83:
            if (t.len != 4)
                return OPGP_E_BAD_RESPONSE;
            out->iterations = ((uint32_t)t.value[0] << 24) | ((uint32_t)t.value[1] << 16) |
                              ((uint32_t)t.value[2] << 8) | t.value[3];
            break;
        case 0x84: st = copy_bytes(&t, out->salt_pw1, OPGP_KDF_MAX_SALT, &out->salt_pw1_len); break;
        case 0x85: st = copy_bytes(&t, out->salt_rc, OPGP_KDF_MAX_SALT, &out->salt_rc_len); break;
        case 0x86: st = copy_bytes(&t, out->salt_pw3, OPGP_KDF_MAX_SALT, &out->salt_pw3_len); break;
        case 0x87:
            st = copy_bytes(&t, out->initial_pw1, OPGP_KDF_MAX_HASH, &out->initial_pw1_len);
            break;
        case 0x88:
            st = copy_bytes(&t, out->initial_pw3, OPGP_KDF_MAX_HASH, &out->initial_pw3_len);
            break;
        default: break;
        }
        if (st != OPGP_OK)
            return st;
    }
    if (st != OPGP_E_NOT_FOUND)
        return st;
    if (!have_algo)
        return OPGP_E_BAD_RESPONSE;
    out->present = true;
    if (out->algo == OPGP_KDF_ITERSALTED_S2K &&
        ((out->hash != OPGP_KDF_HASH_SHA256 && out->hash != OPGP_KDF_HASH_SHA512) ||
         out->salt_pw1_len == 0 || out->iterations == 0))
        return OPGP_E_BAD_RESPONSE;
    return OPGP_OK;
}

opgp_status opgp_cardholder_decode(const uint8_t *buf, size_t len, opgp_cardholder *out)
{
    if (!out || (len && !buf))
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    const uint8_t *p;
    size_t n;
    unwrap(buf, len, 0x65, &p, &n);
    opgp_tlv_iter it;
    opgp_tlv t;
    opgp_status st;
    opgp_tlv_iter_init(&it, p, n);
    while ((st = opgp_tlv_next(&it, &t)) == OPGP_OK) {
        if (t.tag == 0x5B) {
            size_t l = t.len < sizeof out->name - 1 ? t.len : sizeof out->name - 1;
            memcpy(out->name, t.value, l);
        } else if (t.tag == 0x5F2D) {
            size_t l = t.len < sizeof out->language - 1 ? t.len : sizeof out->language - 1;
            memcpy(out->language, t.value, l);
        } else if (t.tag == 0x5F35 && t.len >= 1) {
            out->sex = t.value[0];
        }
    }
    return st == OPGP_E_NOT_FOUND ? OPGP_OK : st;
}

opgp_status opgp_algo_info_decode(const uint8_t *buf, size_t len, opgp_algo_info *out)
{
    if (!out || (len && !buf))
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    const uint8_t *p;
    size_t n;
    unwrap(buf, len, 0xFA, &p, &n);
    opgp_tlv_iter it;
    opgp_tlv t;
    opgp_status st;
    opgp_tlv_iter_init(&it, p, n);
    while ((st = opgp_tlv_next(&it, &t)) == OPGP_OK) {
        if (t.tag < 0xC1 || t.tag > 0xC3)
            continue; /* vendor slots (attestation DA) are not ours */
        if (out->count == OPGP_MAX_ALGO_INFO)
            break;
        opgp_algo_attr a;
        if (opgp_algo_attr_decode(t.value, t.len, &a) != OPGP_OK)
            continue; /* an algorithm we cannot use is not an error in the list */
        out->entry[out->count].slot = (opgp_key_slot)(t.tag - 0xC1);
        out->entry[out->count].attr = a;
        out->count++;
    }
    return st == OPGP_E_NOT_FOUND ? OPGP_OK : st;
}

static opgp_status decode_ext_caps(const opgp_tlv *t, opgp_ext_caps *c)
{
    const uint8_t *v = t->value;
    memset(c, 0, sizeof *c);
    if (t->len < 1)
        return OPGP_E_BAD_RESPONSE;
    c->present = true;
    c->flags = v[0];
    /* 2.x and 3.x: 10 bytes; 1.x cards stop earlier. Take what is there. */
    if (t->len >= 2)
        c->sm_algo = v[1];
    if (t->len >= 4)
        c->max_challenge = (uint16_t)((v[2] << 8) | v[3]);
    if (t->len >= 6)
        c->max_cert = (uint16_t)((v[4] << 8) | v[5]);
    if (t->len >= 8)
        c->max_special_do = (uint16_t)((v[6] << 8) | v[7]);
    if (t->len >= 9)
        c->pin_block2 = v[8] == 0x01;
    if (t->len >= 10)
        c->mse_key_swap = v[9] == 0x01;
    return OPGP_OK;
}

/* 7F66: two INTEGERs (tag 02): max command length, max response length. */
static void decode_ext_len(const opgp_tlv *t, opgp_appdata *ad)
{
    opgp_tlv_iter it;
    opgp_tlv i;
    int k = 0;
    opgp_tlv_iter_init(&it, t->value, t->len);
    while (k < 2 && opgp_tlv_next(&it, &i) == OPGP_OK) {
        if (i.tag != 0x02 || i.len < 1 || i.len > 2)
            return;
        uint16_t v = (uint16_t)(i.len == 2 ? (i.value[0] << 8) | i.value[1] : i.value[0]);
        if (k++ == 0)
            ad->ext_max_cmd = v;
        else
            ad->ext_max_resp = v;
    }
    ad->has_ext_len_info = k == 2;
}

/* A DO of 6E: at the top level or inside the discretionary data 73, one level each, so that
 * tags inside other templates (FA entries, 7F74's 81) are never mistaken for ours. */
static opgp_status find(const uint8_t *p, size_t n, uint32_t tag, opgp_tlv *t, bool required)
{
    opgp_status st = opgp_tlv_find(p, n, tag, t);
    if (st == OPGP_E_NOT_FOUND) {
        opgp_tlv dd;
        st = opgp_tlv_find(p, n, 0x73, &dd);
        if (st == OPGP_OK)
            st = opgp_tlv_find(dd.value, dd.len, tag, t);
    }
    if (st == OPGP_E_NOT_FOUND && required)
        return OPGP_E_BAD_RESPONSE;
    return st;
}

opgp_status opgp_appdata_decode(const uint8_t *buf, size_t len, opgp_appdata *out)
{
    if (!out || (len && !buf))
        return OPGP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (len == 0)
        return OPGP_E_BAD_RESPONSE;
    opgp_tlv top;
    opgp_status st = opgp_tlv_parse(buf, len, &top);
    if (st != OPGP_OK)
        return st;
    if (top.tag != 0x6E)
        return OPGP_E_BAD_RESPONSE;
    const uint8_t *p = top.value;
    size_t n = top.len;
    opgp_tlv t;

    if ((st = find(p, n, 0x4F, &t, true)) != OPGP_OK ||
        (st = opgp_aid_decode(t.value, t.len, &out->aid)) != OPGP_OK)
        return st;

    st = find(p, n, 0x5F52, &t, false);
    if (st == OPGP_OK)
        opgp_historical_decode(t.value, t.len, &out->historical); /* informative only */
    else if (st != OPGP_E_NOT_FOUND)
        return st;

    st = find(p, n, 0x7F66, &t, false);
    if (st == OPGP_OK)
        decode_ext_len(&t, out);
    else if (st != OPGP_E_NOT_FOUND)
        return st;

    st = find(p, n, 0x7F74, &t, false);
    if (st == OPGP_OK) {
        opgp_tlv f;
        if (opgp_tlv_find(t.value, t.len, 0x81, &f) == OPGP_OK && f.len >= 1) {
            out->has_features = true;
            out->features = f.value[0];
        }
    } else if (st != OPGP_E_NOT_FOUND) {
        return st;
    }

    if ((st = find(p, n, 0xC0, &t, true)) != OPGP_OK ||
        (st = decode_ext_caps(&t, &out->ext_caps)) != OPGP_OK)
        return st;
    /* 2.x cards carried the maximum command/response data lengths in C0 bytes 7-10, where
     * 3.x has the special DO length, PIN block 2 and MSE bytes, and 7F66 the lengths. */
    if (out->aid.version_major < 3 && !out->has_ext_len_info && t.len >= 10) {
        out->has_ext_len_info = true;
        out->ext_max_cmd = (uint16_t)((t.value[6] << 8) | t.value[7]);
        out->ext_max_resp = (uint16_t)((t.value[8] << 8) | t.value[9]);
        out->ext_caps.max_special_do = 0;
        out->ext_caps.pin_block2 = false;
        out->ext_caps.mse_key_swap = false;
    }

    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
        if ((st = find(p, n, 0xC1u + (unsigned)s, &t, true)) != OPGP_OK)
            return st;
        st = opgp_algo_attr_decode(t.value, t.len, &out->attr[s]);
        /* An algorithm this code does not know is kept as NONE rather than failing the card. */
        if (st == OPGP_E_NOT_SUPPORTED)
            memset(&out->attr[s], 0, sizeof out->attr[s]);
        else if (st != OPGP_OK)
            return st;
    }

    if ((st = find(p, n, 0xC4, &t, true)) != OPGP_OK ||
        (st = opgp_pw_status_decode(t.value, t.len, &out->pw)) != OPGP_OK)
        return st;

    /* Fingerprints and times: YubiKeys append a fourth (attestation) entry, so accept more. */
    if ((st = find(p, n, 0xC5, &t, false)) == OPGP_OK) {
        if (t.len < 60)
            return OPGP_E_BAD_RESPONSE;
        memcpy(out->fpr, t.value, 60);
    } else if (st != OPGP_E_NOT_FOUND) {
        return st;
    }
    if ((st = find(p, n, 0xC6, &t, false)) == OPGP_OK) {
        if (t.len < 60)
            return OPGP_E_BAD_RESPONSE;
        memcpy(out->ca_fpr, t.value, 60);
    } else if (st != OPGP_E_NOT_FOUND) {
        return st;
    }
    if ((st = find(p, n, 0xCD, &t, false)) == OPGP_OK) {
        if (t.len < 12)
            return OPGP_E_BAD_RESPONSE;
        for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
            const uint8_t *q = t.value + 4 * s;
            out->gen_time[s] = ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) |
                               ((uint32_t)q[2] << 8) | q[3];
        }
    } else if (st != OPGP_E_NOT_FOUND) {
        return st;
    }

    if ((st = find(p, n, 0xDE, &t, false)) == OPGP_OK) {
        if (t.len % 2 != 0)
            return OPGP_E_BAD_RESPONSE;
        out->has_key_info = true;
        for (size_t i = 0; i + 1 < t.len; i += 2)
            if (t.value[i] >= 1 && t.value[i] <= 3)
                out->key_status[t.value[i] - 1] = t.value[i + 1];
    } else if (st != OPGP_E_NOT_FOUND) {
        return st;
    }

    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
        st = find(p, n, 0xD6u + (unsigned)s, &t, false);
        if (st == OPGP_OK && t.len >= 1) {
            out->has_uif[s] = true;
            out->uif[s] = t.value[0];
        } else if (st != OPGP_OK && st != OPGP_E_NOT_FOUND) {
            return st;
        }
    }

    if ((st = find(p, n, 0xF9, &t, false)) == OPGP_OK) {
        if ((st = opgp_kdf_decode(t.value, t.len, &out->kdf)) != OPGP_OK)
            return st;
    } else if (st != OPGP_E_NOT_FOUND) {
        return st;
    }
    return OPGP_OK;
}

bool opgp_appdata_key_present(const opgp_appdata *ad, opgp_key_slot s)
{
    if (!ad || (unsigned)s >= OPGP_KEY_SLOT_COUNT)
        return false;
    if (ad->has_key_info)
        return ad->key_status[s] != OPGP_KEYSTATUS_NONE;
    for (int i = 0; i < 20; i++)
        if (ad->fpr[s][i])
            return true;
    return false;
}
