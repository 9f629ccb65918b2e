/* The card's life cycle and APDU dispatch: parsing (short/extended, chaining), GET RESPONSE, faults. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "sim_internal.h"

static const uint8_t AID_PREFIX[6] = {0xD2, 0x76, 0x00, 0x01, 0x24, 0x01};

void sim_wipe(void *p, size_t n)
{
    if (p && n)
        OPENSSL_cleanse(p, n);
}

static void drop_pending(opgp_sim *s)
{
    free(s->pending);
    s->pending = NULL;
    s->pending_len = s->pending_off = 0;
}

static void drop_chain(opgp_sim *s)
{
    if (s->chain)
        sim_wipe(s->chain, s->chain_len);
    free(s->chain);
    s->chain = NULL;
    s->chain_len = 0;
    s->chaining = false;
}

void sim_clear_volatile(opgp_sim *s)
{
    s->selected = false;
    s->pw1_sig = s->pw1_other = s->pw3_ok = false;
    s->cert_sel_fresh = false;
    s->cert_sel = 0;
    drop_pending(s);
    drop_chain(s);
}

static void free_keys(opgp_sim *s)
{
    for (int i = 0; i < 3; i++) {
        EVP_PKEY_free(s->keys[i].pkey);
        memset(&s->keys[i], 0, sizeof s->keys[i]);
    }
}

/* Factory state: what ACTIVATE FILE after TERMINATE DF leaves, and what opgp_sim_new starts from. */
void sim_factory_reset(opgp_sim *s)
{
    free_keys(s);
    static const char *defaults[3] = {"rsa2048", "rsa2048", "rsa2048"};
    for (int i = 0; i < 3; i++) {
        s->keys[i].attr_len = sim_alg_attr(sim_alg_by_name(defaults[i]), i, s->keys[i].attr,
                                           sizeof s->keys[i].attr);
        s->keys[i].uif[0] = 0x00;
        s->keys[i].uif[1] = 0x20;
    }
    sim_init_dos(s);
    s->terminated = false;
    s->pw1_multi = s->opt.pin_per_signature ? 0x00 : 0x01;
    memset(s->sig_count, 0, sizeof s->sig_count);
    sim_set_pin(s, SIM_PW1, OPGP_SIM_PW1);
    sim_set_pin(s, SIM_PW3, OPGP_SIM_PW3);
    sim_wipe(s->pw[SIM_RC], sizeof s->pw[SIM_RC]);
    s->pw_len[SIM_RC] = 0;
    s->tries[SIM_PW1] = 3;
    s->tries[SIM_RC] = 0;
    s->tries[SIM_PW3] = 3;
    sim_clear_volatile(s);
}

void sim_changed(opgp_sim *s)
{
    if (s->state_path)
        (void)sim_state_save(s, s->state_path);
}

opgp_sim *opgp_sim_new(const opgp_sim_options *opt)
{
    opgp_sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (opt)
        s->opt = *opt;
    s->opt.state_file = NULL;
    s->rbuf = malloc(OPGP_MAX_RESPONSE);
    if (!s->rbuf) {
        free(s);
        return NULL;
    }
    if (opt && opt->state_file) {
        s->state_path = strdup(opt->state_file);
        if (!s->state_path) {
            opgp_sim_free(s);
            return NULL;
        }
        s->opt.state_file = s->state_path;
    }
    s->serial = s->opt.serial;
    while (s->serial == 0) {
        uint8_t r[4];
        if (RAND_bytes(r, 4) != 1) {
            opgp_sim_free(s);
            return NULL;
        }
        s->serial = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
    }
    sim_factory_reset(s);
    if (s->state_path) {
        int r = sim_state_load(s, s->state_path);
        if (r < 0) {
            opgp_sim_free(s);
            return NULL;
        }
        if (r == 0) /* no file yet: start it */
            sim_changed(s);
    }
    s->inserted = s->powered = true;
    return s;
}

void opgp_sim_free(opgp_sim *s)
{
    if (!s)
        return;
    sim_clear_volatile(s);
    free_keys(s);
    sim_wipe(s->pw, sizeof s->pw);
    if (s->rbuf) {
        sim_wipe(s->rbuf, OPGP_MAX_RESPONSE);
        free(s->rbuf);
    }
    free(s->state_path);
    free(s);
}

void opgp_sim_power(opgp_sim *s, bool on)
{
    if (!s)
        return;
    if (on) {
        s->inserted = true;
        s->powered = true;
    } else {
        s->powered = false;
    }
    sim_clear_volatile(s);
    s->stats.resets++;
}

void opgp_sim_reset(opgp_sim *s)
{
    if (!s)
        return;
    sim_clear_volatile(s);
    s->stats.resets++;
}

bool opgp_sim_present(const opgp_sim *s)
{
    return s && s->inserted && s->powered;
}

bool opgp_sim_inserted(const opgp_sim *s)
{
    return s && s->inserted;
}

size_t opgp_sim_atr(const opgp_sim *s, uint8_t *atr, size_t cap)
{
    static const uint8_t base[] = {0x3B, 0xDA, 0x18, 0xFF, 0x81, 0xB1, 0xFE, 0x75, 0x1F, 0x03,
                                   0x00, 0x31, 0xC5, 0x73, 0xC0, 0x01, 0x40, 0x00, 0x90, 0x00};
    if (!s || !atr || cap < sizeof base + 1)
        return 0;
    memcpy(atr, base, sizeof base);
    if (s->opt.no_extended)
        atr[16] = 0x80; /* command chaining instead of extended Lc/Le */
    uint8_t tck = 0;
    for (size_t i = 1; i < sizeof base; i++) /* TCK covers T0 .. last historical byte */
        tck ^= atr[i];
    atr[sizeof base] = tck;
    return sizeof base + 1;
}

void opgp_sim_aid(const opgp_sim *s, uint8_t aid[16])
{
    memcpy(aid, AID_PREFIX, 6);
    aid[6] = 0x03;
    aid[7] = 0x04;
    aid[8] = OPGP_SIM_MANUFACTURER >> 8;
    aid[9] = OPGP_SIM_MANUFACTURER & 0xFF;
    aid[10] = (uint8_t)(s->serial >> 24);
    aid[11] = (uint8_t)(s->serial >> 16);
    aid[12] = (uint8_t)(s->serial >> 8);
    aid[13] = (uint8_t)s->serial;
    aid[14] = aid[15] = 0;
}

uint32_t opgp_sim_serial(const opgp_sim *s)
{
    return s ? s->serial : 0;
}

void opgp_sim_get_stats(const opgp_sim *s, opgp_sim_stats *st)
{
    if (s && st)
        *st = s->stats;
}

void opgp_sim_reset_stats(opgp_sim *s)
{
    if (s)
        memset(&s->stats, 0, sizeof s->stats);
}

void opgp_sim_fault(opgp_sim *s, const opgp_sim_fault_spec *f)
{
    if (!s)
        return;
    memset(&s->fault, 0, sizeof s->fault);
    if (f)
        s->fault = *f;
    s->fault_seen = 0;
    s->endless_61 = false;
}

/* ISO 7816-4 command parsing: cases 1, 2S, 3S, 4S, 2E, 3E, 4E. */
static bool parse_apdu(const uint8_t *c, size_t n, sim_apdu *a)
{
    memset(a, 0, sizeof *a);
    if (n < 4)
        return false;
    a->cla = c[0];
    a->ins = c[1];
    a->p1 = c[2];
    a->p2 = c[3];
    if (n == 4)
        return true;
    if (n == 5) {
        a->has_le = true;
        a->le = c[4] ? c[4] : 256;
        return true;
    }
    if (c[4] != 0) {
        size_t lc = c[4];
        if (n == 5 + lc) {
            a->data = c + 5;
            a->lc = lc;
            return true;
        }
        if (n == 6 + lc) {
            a->data = c + 5;
            a->lc = lc;
            a->has_le = true;
            a->le = c[5 + lc] ? c[5 + lc] : 256;
            return true;
        }
        return false;
    }
    /* extended */
    a->extended = true;
    if (n == 7) {
        a->has_le = true;
        a->le = ((size_t)c[5] << 8 | c[6]);
        if (!a->le)
            a->le = 65536;
        return true;
    }
    size_t lc = (size_t)c[5] << 8 | c[6];
    if (lc == 0)
        return false;
    if (n == 7 + lc) {
        a->data = c + 7;
        a->lc = lc;
        return true;
    }
    if (n == 9 + lc) {
        a->data = c + 7;
        a->lc = lc;
        a->has_le = true;
        a->le = (size_t)c[7 + lc] << 8 | c[8 + lc];
        if (!a->le)
            a->le = 65536;
        return true;
    }
    return false;
}

static size_t put_sw(uint8_t *resp, size_t pos, uint16_t sw)
{
    resp[pos] = (uint8_t)(sw >> 8);
    resp[pos + 1] = (uint8_t)sw;
    return pos + 2;
}

/* Deliver up to `max` bytes of data, keeping the rest for GET RESPONSE (61xx). */
static size_t deliver(opgp_sim *s, const uint8_t *data, size_t len, size_t max, uint8_t *resp,
                      size_t cap)
{
    if (max > cap - 2)
        max = cap - 2;
    size_t now = len < max ? len : max;
    memcpy(resp, data, now);
    if (now == len)
        return put_sw(resp, now, SW_OK);
    size_t rest = len - now;
    uint8_t *keep = malloc(rest);
    if (!keep)
        return put_sw(resp, 0, SW_MEMORY);
    memcpy(keep, data + now, rest);
    drop_pending(s);
    s->pending = keep;
    s->pending_len = rest;
    s->pending_off = 0;
    return put_sw(resp, now, (uint16_t)(0x6100 | (rest > 255 ? 0 : rest)));
}

static size_t get_response(opgp_sim *s, const sim_apdu *a, uint8_t *resp, size_t cap)
{
    if (s->endless_61) {
        size_t n = cap - 2 < 255 ? cap - 2 : 255;
        memset(resp, 0xA5, n);
        return put_sw(resp, n, 0x61FF);
    }
    if (!s->pending) /* nothing (more) to deliver: an empty answer, as the recorded card gives */
        return put_sw(resp, 0, SW_OK);
    size_t le = a->has_le ? a->le : 256;
    size_t left = s->pending_len - s->pending_off;
    size_t n = left < le ? left : le;
    if (n > cap - 2)
        n = cap - 2;
    memcpy(resp, s->pending + s->pending_off, n);
    s->pending_off += n;
    left -= n;
    if (!left) {
        drop_pending(s);
        return put_sw(resp, n, SW_OK);
    }
    return put_sw(resp, n, (uint16_t)(0x6100 | (left > 255 ? 0 : left)));
}

static bool aid_matches(opgp_sim *s, const uint8_t *d, size_t n)
{
    uint8_t aid[16];
    opgp_sim_aid(s, aid);
    return n >= 6 && n <= 16 && memcmp(d, aid, n) == 0;
}

static uint16_t cmd_select(opgp_sim *s, const sim_apdu *a)
{
    if (a->p1 != 0x04)
        return SW_WRONG_P1P2;
    if (!aid_matches(s, a->data, a->lc)) {
        s->selected = false;
        return SW_FILE_NOT_FOUND;
    }
    s->selected = true;
    return s->terminated ? SW_TERMINATED : SW_OK;
}

/* SELECT DATA for 7F21: 60 04 5C 02 7F 21, or YubiKey 5.2-5.4.3's form with a leading length byte. */
static uint16_t cmd_select_data(opgp_sim *s, const sim_apdu *a)
{
    static const uint8_t want[] = {0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21};
    const uint8_t *d = a->data;
    size_t n = a->lc;
    if (n == sizeof want + 1 && d[0] == sizeof want) {
        d++;
        n--;
    }
    if (a->p2 != 0x04 || n != sizeof want || memcmp(d, want, n) != 0)
        return SW_WRONG_DATA;
    if (a->p1 > 2)
        return SW_NOT_FOUND;
    s->cert_sel = a->p1;
    s->cert_sel_fresh = true;
    return SW_OK;
}

static uint16_t cmd_terminate(opgp_sim *s)
{
    if (!s->pw3_ok && s->tries[SIM_PW3] != 0)
        return SW_SECURITY;
    s->terminated = true;
    sim_clear_volatile(s);
    s->selected = true; /* still selected: the next commands learn of the termination (6285) */
    sim_changed(s);
    return SW_OK;
}

static uint16_t cmd_activate(opgp_sim *s)
{
    if (!s->terminated)
        return SW_OK;
    sim_factory_reset(s);
    sim_changed(s);
    return SW_OK;
}

static uint16_t dispatch(opgp_sim *s, const sim_apdu *a, int cert_occ)
{
    s->rlen = 0;
    if ((a->cla & ~0x10) != 0x00)
        return SW_CLA_NOT_SUPPORTED;
    if (a->ins == 0xA4)
        return cmd_select(s, a);
    if (!s->selected)
        return SW_CONDITIONS;
    if (s->terminated)
        return a->ins == 0x44 ? cmd_activate(s) : SW_TERMINATED;
    switch (a->ins) {
    case 0xCA: return sim_cmd_get_data(s, a, cert_occ);
    case 0xDA: return sim_cmd_put_data(s, a, cert_occ);
    case 0xDB: return sim_cmd_import(s, a);
    case 0x20: return sim_cmd_verify(s, a);
    case 0x24: return sim_cmd_change_pin(s, a);
    case 0x2C: return sim_cmd_reset_retry(s, a);
    case 0x2A: return sim_cmd_pso(s, a);
    case 0x88: return sim_cmd_internal_auth(s, a);
    case 0x47: return sim_cmd_generate(s, a);
    case 0x84: return sim_cmd_get_challenge(s, a);
    case 0xA5: return cmd_select_data(s, a);
    case 0xE6: return cmd_terminate(s);
    case 0x44: return cmd_activate(s);
    default: return SW_INS_NOT_SUPPORTED;
    }
}

/* Apply the fault armed for this APDU. Returns true when the APDU is consumed (*out set). */
static bool fault_before(opgp_sim *s, bool *active, size_t *out, uint8_t *resp)
{
    *active = false;
    if (s->fault.kind == OPGP_SIM_FAULT_NONE)
        return false;
    unsigned long n = s->fault_seen++;
    if (n < s->fault.after)
        return false;
    if (s->fault.count && n >= s->fault.after + s->fault.count) {
        s->endless_61 = false;
        return false;
    }
    *active = true;
    switch (s->fault.kind) {
    case OPGP_SIM_FAULT_REMOVE:
        s->inserted = false;
        sim_clear_volatile(s);
        *out = 0;
        return true;
    case OPGP_SIM_FAULT_MUTE:
        *out = 0;
        return true;
    case OPGP_SIM_FAULT_RESET:
        sim_clear_volatile(s);
        s->reset_seen = true;
        s->stats.resets++;
        *out = 0;
        return true;
    case OPGP_SIM_FAULT_SW:
        *out = put_sw(resp, 0, s->fault.sw);
        return true;
    case OPGP_SIM_FAULT_ENDLESS_61XX:
        s->endless_61 = true;
        return false;
    default:
        return false;
    }
}

static size_t fault_after(opgp_sim *s, uint8_t *resp, size_t n, size_t cap)
{
    if (s->fault.kind == OPGP_SIM_FAULT_TRUNCATE)
        return n > s->fault.bytes ? n - s->fault.bytes : 0;
    if (s->fault.kind == OPGP_SIM_FAULT_PAD && n >= 2) {
        size_t add = s->fault.bytes;
        if (n + add > cap)
            add = cap - n;
        uint8_t sw1 = resp[n - 2], sw2 = resp[n - 1];
        memset(resp + n - 2, 0xA5, add);
        resp[n - 2 + add] = sw1;
        resp[n - 1 + add] = sw2;
        return n + add;
    }
    return n;
}

/* Handle a whole (possibly de-chained) command and format its response. */
static size_t execute(opgp_sim *s, const sim_apdu *a, uint8_t *resp, size_t cap)
{
    int cert_occ = s->cert_sel_fresh ? s->cert_sel : 0;
    s->cert_sel_fresh = false;
    uint16_t sw = dispatch(s, a, cert_occ);
    if (sw != SW_OK || s->rlen == 0) {
        sim_wipe(s->rbuf, s->rlen);
        s->rlen = 0;
        return put_sw(resp, 0, sw);
    }
    size_t max;
    bool ext_le = a->extended && !s->opt.no_extended;
    if (s->opt.t0) {
        /* T=0: a case 4 command gets its data only through GET RESPONSE */
        max = (a->lc > 0) ? 0 : (a->has_le ? (a->le > 256 ? 256 : a->le) : 256);
    } else if (ext_le) {
        max = a->has_le ? a->le : 65536;
    } else {
        max = a->has_le ? a->le : 256;
    }
    size_t n = deliver(s, s->rbuf, s->rlen, max, resp, cap);
    sim_wipe(s->rbuf, s->rlen);
    s->rlen = 0;
    return n;
}

static size_t process_chained(opgp_sim *s, const sim_apdu *a, uint8_t *resp, size_t cap)
{
    bool more = (a->cla & 0x10) != 0;
    if (!more && !s->chaining)
        return execute(s, a, resp, cap);
    if (s->chaining && (a->ins != s->chain_ins || a->p1 != s->chain_p1 || a->p2 != s->chain_p2)) {
        drop_chain(s);
        return put_sw(resp, 0, SW_LAST_CHAIN_EXPECTED);
    }
    if (s->chain_len + a->lc > SIM_MAX_CMD_DATA) {
        drop_chain(s);
        return put_sw(resp, 0, SW_WRONG_LENGTH);
    }
    uint8_t *grown = realloc(s->chain, s->chain_len + a->lc + 1);
    if (!grown) {
        drop_chain(s);
        return put_sw(resp, 0, SW_MEMORY);
    }
    s->chain = grown;
    if (a->lc)
        memcpy(s->chain + s->chain_len, a->data, a->lc);
    s->chain_len += a->lc;
    s->chaining = true;
    s->chain_ins = a->ins;
    s->chain_p1 = a->p1;
    s->chain_p2 = a->p2;
    if (more)
        return put_sw(resp, 0, SW_OK);
    sim_apdu whole = *a;
    whole.cla &= (uint8_t)~0x10;
    whole.data = s->chain;
    whole.lc = s->chain_len;
    uint8_t *buf = s->chain;
    size_t buflen = s->chain_len;
    s->chain = NULL;
    s->chain_len = 0;
    s->chaining = false;
    size_t n = execute(s, &whole, resp, cap);
    sim_wipe(buf, buflen);
    free(buf);
    return n;
}

size_t opgp_sim_process(opgp_sim *s, const uint8_t *cmd, size_t len, uint8_t *resp, size_t cap)
{
    if (!s || !resp || cap < 2 || !opgp_sim_present(s))
        return 0;
    s->stats.apdus++;
    s->stats.bytes_in += len;
    bool faulty;
    size_t n = 0;
    if (fault_before(s, &faulty, &n, resp)) {
        s->stats.bytes_out += n;
        return n;
    }
    sim_apdu a;
    if (!cmd || !parse_apdu(cmd, len, &a)) {
        n = put_sw(resp, 0, SW_WRONG_LENGTH);
    } else if (a.extended && s->opt.no_extended) {
        n = put_sw(resp, 0, SW_WRONG_LENGTH);
    } else if (a.ins == 0xC0 && (a.cla & ~0x10) == 0) {
        s->stats.get_responses++;
        n = get_response(s, &a, resp, cap);
    } else {
        drop_pending(s);
        n = process_chained(s, &a, resp, cap);
    }
    if (faulty)
        n = fault_after(s, resp, n, cap);
    s->stats.bytes_out += n;
    return n;
}
