/* PINs: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, retry counters, KDF-DO hashing. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sim_internal.h"

static const size_t MIN_LEN[3] = {6, 8, 8};

/* OpenPGP iterated and salted S2K with SHA-256 (RFC 4880 3.7.1.3), as the KDF-DO describes. */
static bool kdf_hash(const uint8_t salt[8], uint32_t count, const uint8_t *pin, size_t pin_len,
                     uint8_t out[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md)
        return false;
    bool ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    size_t unit = 8 + pin_len;
    size_t total = count < unit ? unit : count;
    while (ok && total > 0) {
        size_t n = total < 8 ? total : 8;
        ok = EVP_DigestUpdate(md, salt, n) == 1;
        total -= n;
        if (ok && total > 0) {
            n = total < pin_len ? total : pin_len;
            ok = EVP_DigestUpdate(md, pin, n) == 1;
            total -= n;
        }
    }
    unsigned len = 0;
    ok = ok && EVP_DigestFinal_ex(md, out, &len) == 1 && len == 32;
    EVP_MD_CTX_free(md);
    return ok;
}

/* The salt for a PIN from the KDF-DO (84/85/86), NULL when the card has no KDF-DO in use. */
static const uint8_t *kdf_salt(opgp_sim *s, int which, uint32_t *count)
{
    sim_do *d = sim_find_do(s, 0x00F9);
    if (!d || d->len == 0)
        return NULL;
    const uint8_t *salt = NULL;
    bool iter = false;
    size_t pos = 0;
    unsigned tag;
    const uint8_t *v;
    size_t vl;
    *count = 0;
    while (pos < d->len && sim_get_tlv(d->data, d->len, &pos, &tag, &v, &vl)) {
        if (tag == 0x81 && vl == 1)
            iter = v[0] == 0x03;
        else if (tag == 0x83 && vl == 4)
            *count = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
        else if (tag == (unsigned)(0x84 + which) && vl == 8)
            salt = v;
    }
    return iter ? salt : NULL;
}

void sim_set_pin(opgp_sim *s, int which, const char *pin)
{
    uint32_t count;
    const uint8_t *salt = kdf_salt(s, which, &count);
    sim_wipe(s->pw[which], SIM_MAX_PIN);
    if (salt && kdf_hash(salt, count, (const uint8_t *)pin, strlen(pin), s->pw[which])) {
        s->pw_len[which] = 32;
    } else {
        s->pw_len[which] = strlen(pin);
        memcpy(s->pw[which], pin, s->pw_len[which]);
    }
    s->tries[which] = 3;
}

/* Exposed for the KDF-DO set-up (sim_data.c): derive pin with the given parameters. */
bool sim_kdf_derive(const uint8_t salt[8], uint32_t count, const char *pin, uint8_t out[32]);
bool sim_kdf_derive(const uint8_t salt[8], uint32_t count, const char *pin, uint8_t out[32])
{
    return kdf_hash(salt, count, (const uint8_t *)pin, strlen(pin), out);
}

static bool pin_equal(const opgp_sim *s, int which, const uint8_t *p, size_t n)
{
    return s->pw_len[which] > 0 && n == s->pw_len[which] &&
           CRYPTO_memcmp(p, s->pw[which], n) == 0;
}

static uint16_t wrong(opgp_sim *s, int which)
{
    if (s->tries[which] > 0)
        s->tries[which]--;
    sim_changed(s);
    if (s->tries[which] == 0)
        return SW_BLOCKED;
    return s->opt.wrong_pin_6982 ? SW_SECURITY : (uint16_t)(0x63C0 | s->tries[which]);
}

static bool *verified_flag(opgp_sim *s, uint8_t ref)
{
    switch (ref) {
    case 0x81: return &s->pw1_sig;
    case 0x82: return &s->pw1_other;
    case 0x83: return &s->pw3_ok;
    default: return NULL;
    }
}

uint16_t sim_cmd_verify(opgp_sim *s, const sim_apdu *a)
{
    bool *flag = verified_flag(s, a->p2);
    if (!flag || (a->p1 != 0x00 && a->p1 != 0xFF))
        return SW_WRONG_P1P2;
    if (a->p1 == 0xFF) { /* 3.4: reset the access status */
        if (a->lc)
            return SW_WRONG_LENGTH;
        *flag = false;
        return SW_OK;
    }
    int which = a->p2 == 0x83 ? SIM_PW3 : SIM_PW1;
    if (a->lc == 0) {
        if (*flag)
            return SW_OK;
        if (s->tries[which] == 0)
            return SW_BLOCKED;
        return (uint16_t)(0x63C0 | s->tries[which]);
    }
    s->stats.verifies++;
    if (s->tries[which] == 0) {
        s->stats.verifies_failed++;
        return SW_BLOCKED;
    }
    if (!pin_equal(s, which, a->data, a->lc)) {
        s->stats.verifies_failed++;
        *flag = false;
        return wrong(s, which);
    }
    if (s->tries[which] != 3) {
        s->tries[which] = 3;
        sim_changed(s);
    }
    *flag = true;
    return SW_OK;
}

static bool new_pin_ok(const opgp_sim *s, int which, size_t n)
{
    if (n > SIM_MAX_PIN)
        return false;
    if (sim_find_do((opgp_sim *)s, 0x00F9)->len)
        return n == 32;
    return n >= MIN_LEN[which];
}

static void store_pin(opgp_sim *s, int which, const uint8_t *p, size_t n)
{
    sim_wipe(s->pw[which], SIM_MAX_PIN);
    memcpy(s->pw[which], p, n);
    s->pw_len[which] = n;
    s->tries[which] = 3;
    sim_changed(s);
}

uint16_t sim_cmd_change_pin(opgp_sim *s, const sim_apdu *a)
{
    if (a->p1 != 0x00 || (a->p2 != 0x81 && a->p2 != 0x83))
        return SW_WRONG_P1P2;
    int which = a->p2 == 0x83 ? SIM_PW3 : SIM_PW1;
    size_t old = s->pw_len[which];
    if (s->tries[which] == 0)
        return SW_BLOCKED;
    s->stats.verifies++;
    if (a->lc <= old || !pin_equal(s, which, a->data, old)) {
        s->stats.verifies_failed++;
        return wrong(s, which);
    }
    if (!new_pin_ok(s, which, a->lc - old))
        return SW_WRONG_DATA;
    store_pin(s, which, a->data + old, a->lc - old);
    return SW_OK;
}

uint16_t sim_cmd_reset_retry(opgp_sim *s, const sim_apdu *a)
{
    if (a->p2 != 0x81)
        return SW_WRONG_P1P2;
    if (a->p1 == 0x02) {
        if (!s->pw3_ok)
            return SW_SECURITY;
        if (!new_pin_ok(s, SIM_PW1, a->lc))
            return SW_WRONG_DATA;
        store_pin(s, SIM_PW1, a->data, a->lc);
        return SW_OK;
    }
    if (a->p1 != 0x00)
        return SW_WRONG_P1P2;
    size_t rc = s->pw_len[SIM_RC];
    if (rc == 0)
        return SW_SECURITY; /* no resetting code set */
    if (s->tries[SIM_RC] == 0)
        return SW_BLOCKED;
    s->stats.verifies++;
    if (a->lc <= rc || !pin_equal(s, SIM_RC, a->data, rc)) {
        s->stats.verifies_failed++;
        return wrong(s, SIM_RC);
    }
    if (!new_pin_ok(s, SIM_PW1, a->lc - rc))
        return SW_WRONG_DATA;
    s->tries[SIM_RC] = 3;
    store_pin(s, SIM_PW1, a->data + rc, a->lc - rc);
    return SW_OK;
}
