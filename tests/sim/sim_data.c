/* Data objects: GET DATA, PUT DATA and the small BER-TLV helpers they use. */
#include <string.h>

#include <openssl/rand.h>

#include "sim_internal.h"

bool sim_kdf_derive(const uint8_t salt[8], uint32_t count, const char *pin, uint8_t out[32]);

static const struct {
    uint16_t tag;
    size_t max;
} DO_TABLE[SIM_NUM_DOS] = {
    {0x005B, 39},  {0x5F2D, 8},   {0x5F35, 1},   {0x5F50, 255}, {0x005E, 255},
    {0x0101, 255}, {0x0102, 255}, {0x0103, 255}, {0x0104, 255}, {0x00F9, 255},
};

sim_do *sim_find_do(opgp_sim *s, uint16_t tag)
{
    for (int i = 0; i < SIM_NUM_DOS; i++)
        if (s->dos[i].tag == tag)
            return &s->dos[i];
    return NULL;
}

/* The KDF-DO of a card made with opt.kdf: ITERSALTED_S2K, SHA-256, random salts, and the hashes of
 * the default PINs (87/88), so hosts can tell the card what it holds. */
static void init_kdf_do(opgp_sim *s, sim_do *d)
{
    uint8_t salts[3][8];
    uint8_t h1[32], h3[32];
    const uint32_t it = SIM_KDF_ITERATIONS;
    if (RAND_bytes(&salts[0][0], sizeof salts) != 1 ||
        !sim_kdf_derive(salts[0], it, OPGP_SIM_PW1, h1) ||
        !sim_kdf_derive(salts[2], it, OPGP_SIM_PW3, h3))
        return;
    uint8_t *p = d->data;
    size_t n = 0;
    const uint8_t head[] = {0x81, 0x01, 0x03, 0x82, 0x01, 0x08, 0x83, 0x04,
                            (uint8_t)(it >> 24), (uint8_t)(it >> 16), (uint8_t)(it >> 8),
                            (uint8_t)it};
    memcpy(p, head, sizeof head);
    n = sizeof head;
    for (int i = 0; i < 3; i++) {
        p[n++] = (uint8_t)(0x84 + i);
        p[n++] = 8;
        memcpy(p + n, salts[i], 8);
        n += 8;
    }
    p[n++] = 0x87;
    p[n++] = 32;
    memcpy(p + n, h1, 32);
    n += 32;
    p[n++] = 0x88;
    p[n++] = 32;
    memcpy(p + n, h3, 32);
    n += 32;
    d->len = n;
    (void)s;
}

void sim_init_dos(opgp_sim *s)
{
    for (int i = 0; i < SIM_NUM_DOS; i++) {
        memset(&s->dos[i], 0, sizeof s->dos[i]);
        s->dos[i].tag = DO_TABLE[i].tag;
        s->dos[i].max = DO_TABLE[i].max;
    }
    if (s->opt.kdf)
        init_kdf_do(s, sim_find_do(s, 0x00F9));
}

size_t sim_put_len(uint8_t *out, size_t cap, size_t pos, size_t len)
{
    if (pos == SIZE_MAX)
        return SIZE_MAX;
    size_t need = len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
    if (pos + need > cap)
        return SIZE_MAX;
    if (len < 0x80) {
        out[pos] = (uint8_t)len;
    } else if (len < 0x100) {
        out[pos] = 0x81;
        out[pos + 1] = (uint8_t)len;
    } else {
        out[pos] = 0x82;
        out[pos + 1] = (uint8_t)(len >> 8);
        out[pos + 2] = (uint8_t)len;
    }
    return pos + need;
}

/* Append tag, length, value at pos; SIZE_MAX propagates an overflow. */
size_t sim_put_tlv(uint8_t *out, size_t cap, size_t pos, uint16_t tag, const uint8_t *v, size_t len)
{
    if (pos == SIZE_MAX || pos + 2 > cap)
        return SIZE_MAX;
    if (tag > 0xFF)
        out[pos++] = (uint8_t)(tag >> 8);
    out[pos++] = (uint8_t)tag;
    pos = sim_put_len(out, cap, pos, len);
    if (pos == SIZE_MAX || pos + len > cap)
        return SIZE_MAX;
    if (len)
        memcpy(out + pos, v, len);
    return pos + len;
}

bool sim_get_tlv(const uint8_t *buf, size_t len, size_t *pos, unsigned *tag, const uint8_t **val,
                 size_t *vlen)
{
    size_t p = *pos;
    if (p >= len)
        return false;
    unsigned t = buf[p++];
    if ((t & 0x1F) == 0x1F) {
        if (p >= len)
            return false;
        t = t << 8 | buf[p++];
        if (t & 0x80) {
            if (p >= len)
                return false;
            t = t << 8 | buf[p++];
        }
    }
    if (p >= len)
        return false;
    size_t l = buf[p++];
    if (l == 0x81 || l == 0x82) {
        size_t nb = l - 0x80;
        if (p + nb > len)
            return false;
        l = 0;
        for (size_t i = 0; i < nb; i++)
            l = l << 8 | buf[p++];
    } else if (l > 0x80) {
        return false;
    }
    if (l > len - p)
        return false;
    *tag = t;
    *val = buf + p;
    *vlen = l;
    *pos = p + l;
    return true;
}

static void historical(const opgp_sim *s, uint8_t h[10])
{
    const uint8_t base[10] = {0x00, 0x31, 0xC5, 0x73, 0xC0, 0x01, 0x40, 0x05, 0x90, 0x00};
    memcpy(h, base, 10);
    if (s->opt.no_extended)
        h[6] = 0x80;
}

static size_t ext_caps(const opgp_sim *s, uint8_t c[10])
{
    c[0] = 0x7C | (sim_find_do((opgp_sim *)s, 0x00F9)->len ? 0x01 : 0x00);
    c[1] = 0x00;
    c[2] = SIM_MAX_CHALLENGE >> 8;
    c[3] = SIM_MAX_CHALLENGE & 0xFF;
    c[4] = SIM_MAX_CERT >> 8;
    c[5] = SIM_MAX_CERT & 0xFF;
    c[6] = 0x00;
    c[7] = 0xFF;
    c[8] = 0x00;
    c[9] = 0x00;
    return 10;
}

static void pw_status(const opgp_sim *s, uint8_t c[7])
{
    c[0] = s->pw1_multi;
    c[1] = c[2] = c[3] = SIM_MAX_PIN;
    c[4] = s->tries[SIM_PW1];
    c[5] = s->tries[SIM_RC];
    c[6] = s->tries[SIM_PW3];
}

static size_t discretionary(const opgp_sim *s, uint8_t *o, size_t cap)
{
    uint8_t tmp[64];
    size_t p = 0;
    p = sim_put_tlv(o, cap, p, 0xC0, tmp, ext_caps(s, tmp));
    for (int i = 0; i < 3; i++)
        p = sim_put_tlv(o, cap, p, (uint16_t)(0xC1 + i), s->keys[i].attr, s->keys[i].attr_len);
    pw_status(s, tmp);
    p = sim_put_tlv(o, cap, p, 0xC4, tmp, 7);
    uint8_t f[60];
    for (int i = 0; i < 3; i++)
        memcpy(f + 20 * i, s->keys[i].fpr, 20);
    p = sim_put_tlv(o, cap, p, 0xC5, f, 60);
    for (int i = 0; i < 3; i++)
        memcpy(f + 20 * i, s->keys[i].ca_fpr, 20);
    p = sim_put_tlv(o, cap, p, 0xC6, f, 60);
    for (int i = 0; i < 3; i++)
        memcpy(f + 4 * i, s->keys[i].time, 4);
    p = sim_put_tlv(o, cap, p, 0xCD, f, 12);
    for (int i = 0; i < 3; i++) {
        tmp[2 * i] = (uint8_t)(i + 1);
        tmp[2 * i + 1] = s->keys[i].status;
    }
    p = sim_put_tlv(o, cap, p, 0xDE, tmp, 6);
    for (int i = 0; i < 3; i++)
        p = sim_put_tlv(o, cap, p, (uint16_t)(0xD6 + i), s->keys[i].uif, 2);
    return p;
}

static size_t app_related(const opgp_sim *s, uint8_t *o, size_t cap)
{
    uint8_t inner[600], disc[400], tmp[16];
    size_t p = 0;
    opgp_sim_aid(s, tmp);
    p = sim_put_tlv(inner, sizeof inner, p, 0x4F, tmp, 16);
    historical(s, tmp);
    p = sim_put_tlv(inner, sizeof inner, p, 0x5F52, tmp, 10);
    if (!s->opt.no_extended) {
        const uint8_t el[8] = {0x02, 0x02, SIM_EXT_MAX >> 8, SIM_EXT_MAX & 0xFF,
                               0x02, 0x02, SIM_EXT_MAX >> 8, SIM_EXT_MAX & 0xFF};
        p = sim_put_tlv(inner, sizeof inner, p, 0x7F66, el, 8);
    }
    const uint8_t gf[3] = {0x81, 0x01, 0x20};
    p = sim_put_tlv(inner, sizeof inner, p, 0x7F74, gf, 3);
    size_t dl = discretionary(s, disc, sizeof disc);
    if (dl == SIZE_MAX)
        return SIZE_MAX;
    p = sim_put_tlv(inner, sizeof inner, p, 0x73, disc, dl);
    if (p == SIZE_MAX)
        return SIZE_MAX;
    return sim_put_tlv(o, cap, 0, 0x6E, inner, p);
}

static size_t cardholder(opgp_sim *s, uint8_t *o, size_t cap)
{
    uint8_t inner[64];
    size_t p = 0;
    static const uint16_t tags[3] = {0x5B, 0x5F2D, 0x5F35};
    for (int i = 0; i < 3; i++) {
        sim_do *d = sim_find_do(s, tags[i]);
        p = sim_put_tlv(inner, sizeof inner, p, tags[i], d->data, d->len);
    }
    if (p == SIZE_MAX)
        return SIZE_MAX;
    return sim_put_tlv(o, cap, 0, 0x65, inner, p);
}

static uint16_t out_bytes(opgp_sim *s, const uint8_t *v, size_t n)
{
    memcpy(s->rbuf, v, n);
    s->rlen = n;
    return SW_OK;
}

static uint16_t out_len(opgp_sim *s, size_t n)
{
    if (n == SIZE_MAX)
        return SW_MEMORY;
    s->rlen = n;
    return SW_OK;
}

/* Which slot's certificate a 7F21 occurrence names: 0 AUT, 1 DEC, 2 SIG. */
static int cert_slot(int occ)
{
    return 2 - occ;
}

uint16_t sim_cmd_get_data(opgp_sim *s, const sim_apdu *a, int cert_occ)
{
    uint16_t tag = (uint16_t)(a->p1 << 8 | a->p2);
    uint8_t tmp[64];
    const size_t cap = OPGP_MAX_RESPONSE - 2;
    switch (tag) {
    case 0x004F:
        opgp_sim_aid(s, tmp);
        return out_bytes(s, tmp, 16);
    case 0x5F52:
        historical(s, tmp);
        return out_bytes(s, tmp, 10);
    case 0x006E:
        return out_len(s, app_related(s, s->rbuf, cap));
    case 0x0073:
        return out_len(s, discretionary(s, s->rbuf, cap));
    case 0x0065:
        return out_len(s, cardholder(s, s->rbuf, cap));
    case 0x007A: {
        uint8_t inner[5];
        sim_put_tlv(inner, sizeof inner, 0, 0x93, s->sig_count, 3);
        return out_len(s, sim_put_tlv(s->rbuf, cap, 0, 0x7A, inner, 5));
    }
    case 0x7F74: {
        const uint8_t gf[3] = {0x81, 0x01, 0x20};
        return out_bytes(s, gf, 3);
    }
    case 0x7F66:
        if (s->opt.no_extended)
            return SW_NOT_FOUND;
        {
            const uint8_t el[8] = {0x02, 0x02, SIM_EXT_MAX >> 8, SIM_EXT_MAX & 0xFF,
                                   0x02, 0x02, SIM_EXT_MAX >> 8, SIM_EXT_MAX & 0xFF};
            return out_bytes(s, el, 8);
        }
    case 0x00C0:
        return out_bytes(s, tmp, ext_caps(s, tmp));
    case 0x00C1: case 0x00C2: case 0x00C3:
        return out_bytes(s, s->keys[tag - 0xC1].attr, s->keys[tag - 0xC1].attr_len);
    case 0x00C4:
        pw_status(s, tmp);
        return out_bytes(s, tmp, 7);
    case 0x00FA:
        return out_len(s, sim_algorithm_info(s->rbuf, cap));
    case 0x7F21: {
        const sim_key *k = &s->keys[cert_slot(cert_occ)];
        return out_bytes(s, k->cert, k->cert_len);
    }
    case 0x00D6: case 0x00D7: case 0x00D8:
        return out_bytes(s, s->keys[tag - 0xD6].uif, 2);
    default:
        break;
    }
    sim_do *d = sim_find_do(s, tag);
    if (!d)
        return SW_NOT_FOUND;
    /* an empty KDF-DO or private DO does not exist (as on the recorded card) */
    if ((tag == 0x00F9 || (tag >= 0x0101 && tag <= 0x0104)) && d->len == 0)
        return SW_NOT_FOUND;
    if ((tag == 0x0103 && !s->pw1_other) || (tag == 0x0104 && !s->pw3_ok))
        return SW_SECURITY;
    return out_bytes(s, d->data, d->len);
}

/* Writing the KDF-DO re-keys the PINs: to the initial hashes it carries, or to the clear defaults. */
static void kdf_do_written(opgp_sim *s, sim_do *d)
{
    const uint8_t *h1 = NULL, *h3 = NULL;
    size_t pos = 0, vl;
    unsigned tag;
    const uint8_t *v;
    bool iter = false;
    while (pos < d->len && sim_get_tlv(d->data, d->len, &pos, &tag, &v, &vl)) {
        if (tag == 0x81 && vl == 1)
            iter = v[0] == 0x03;
        if (tag == 0x87 && vl == 32)
            h1 = v;
        if (tag == 0x88 && vl == 32)
            h3 = v;
    }
    if (!iter)
        d->len = 0;
    sim_set_pin(s, SIM_PW1, OPGP_SIM_PW1);
    sim_set_pin(s, SIM_PW3, OPGP_SIM_PW3);
    if (h1)
        memcpy(s->pw[SIM_PW1], h1, 32), s->pw_len[SIM_PW1] = 32;
    if (h3)
        memcpy(s->pw[SIM_PW3], h3, 32), s->pw_len[SIM_PW3] = 32;
    sim_wipe(s->pw[SIM_RC], SIM_MAX_PIN);
    s->pw_len[SIM_RC] = 0;
    s->tries[SIM_RC] = 0;
}

static void delete_key(sim_key *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
    memset(k->fpr, 0, 20);
    memset(k->time, 0, 4);
    k->status = 0;
}

uint16_t sim_cmd_put_data(opgp_sim *s, const sim_apdu *a, int cert_occ)
{
    uint16_t tag = (uint16_t)(a->p1 << 8 | a->p2);
    bool user_do = tag == 0x0101 || tag == 0x0103;
    if (user_do ? !s->pw1_other : !s->pw3_ok)
        return SW_SECURITY;
    const uint8_t *d = a->data;
    size_t n = a->lc;
    switch (tag) {
    case 0x00C1: case 0x00C2: case 0x00C3: {
        sim_key *k = &s->keys[tag - 0xC1];
        if (!sim_alg_from_attr(d, n) || n > sizeof k->attr)
            return SW_WRONG_DATA;
        if (n != k->attr_len || memcmp(d, k->attr, n) != 0)
            delete_key(k);
        memcpy(k->attr, d, n);
        k->attr_len = n;
        break;
    }
    case 0x00C4:
        if (n < 1 || d[0] > 1)
            return SW_WRONG_DATA;
        s->pw1_multi = d[0];
        break;
    case 0x00C7: case 0x00C8: case 0x00C9:
        if (n != 20)
            return SW_WRONG_LENGTH;
        memcpy(s->keys[tag - 0xC7].fpr, d, 20);
        break;
    case 0x00CA: case 0x00CB: case 0x00CC:
        if (n != 20)
            return SW_WRONG_LENGTH;
        memcpy(s->keys[tag - 0xCA].ca_fpr, d, 20);
        break;
    case 0x00CE: case 0x00CF: case 0x00D0:
        if (n != 4)
            return SW_WRONG_LENGTH;
        memcpy(s->keys[tag - 0xCE].time, d, 4);
        break;
    case 0x00D6: case 0x00D7: case 0x00D8:
        if (n < 1 || n > 2)
            return SW_WRONG_LENGTH;
        s->keys[tag - 0xD6].uif[0] = d[0];
        break;
    case 0x00D3:
        if (n == 0) {
            sim_wipe(s->pw[SIM_RC], SIM_MAX_PIN);
            s->pw_len[SIM_RC] = 0;
            s->tries[SIM_RC] = 0;
            break;
        }
        if (n > SIM_MAX_PIN || n < 8)
            return SW_WRONG_DATA;
        sim_wipe(s->pw[SIM_RC], SIM_MAX_PIN);
        memcpy(s->pw[SIM_RC], d, n);
        s->pw_len[SIM_RC] = n;
        s->tries[SIM_RC] = 3;
        break;
    case 0x7F21: {
        sim_key *k = &s->keys[cert_slot(cert_occ)];
        if (n > sizeof k->cert)
            return SW_WRONG_LENGTH;
        /* An empty PUT DATA deletes: d is NULL then, which memcpy must not get even for 0. */
        if (n)
            memcpy(k->cert, d, n);
        k->cert_len = n;
        break;
    }
    default: {
        sim_do *o = sim_find_do(s, tag);
        if (!o)
            return SW_NOT_FOUND;
        if (n > o->max)
            return SW_WRONG_LENGTH;
        if (n) /* d is NULL for an empty (deleting) PUT DATA */
            memcpy(o->data, d, n);
        o->len = n;
        if (tag == 0x00F9)
            kdf_do_written(s, o);
        break;
    }
    }
    sim_changed(s);
    return SW_OK;
}
