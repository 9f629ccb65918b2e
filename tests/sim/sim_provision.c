/* Personalisation (keys, certificates, cardholder data) and the test-side views of the card. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sim_internal.h"

static void set_do(opgp_sim *s, uint16_t tag, const char *v)
{
    sim_do *d = sim_find_do(s, tag);
    size_t n = strlen(v);
    if (d && n <= d->max) {
        memcpy(d->data, v, n);
        d->len = n;
    }
}

int opgp_sim_provision(opgp_sim *s, const char *alg)
{
    if (!s || !alg)
        return -1;
    const sim_alg *per_slot[3];
    if (strcmp(alg, "cv25519") == 0) {
        per_slot[0] = per_slot[2] = sim_alg_by_name("ed25519");
        per_slot[1] = sim_alg_by_name("x25519");
    } else {
        const sim_alg *a = sim_alg_by_name(alg);
        if (!a || a->kind == SIM_KIND_ED25519 || a->kind == SIM_KIND_X25519)
            return -1;
        per_slot[0] = per_slot[1] = per_slot[2] = a;
    }
    /* one creation time for the three keys, so an OpenPGP key and its subkeys can be rebuilt */
    uint32_t now = (uint32_t)time(NULL);
    const uint8_t created[4] = {(uint8_t)(now >> 24), (uint8_t)(now >> 16), (uint8_t)(now >> 8),
                                (uint8_t)now};
    for (int slot = 0; slot < 3; slot++) {
        sim_key *k = &s->keys[slot];
        k->attr_len = sim_alg_attr(per_slot[slot], slot, k->attr, sizeof k->attr);
        EVP_PKEY *pk = sim_keygen(per_slot[slot]);
        if (!pk)
            return -1;
        sim_install_key(s, slot, pk, 0x01, created);
        memset(k->ca_fpr, 0, 20);
    }
    if (sim_make_certificates(s) != 0)
        return -1;
    set_do(s, 0x5B, "Test<<Card");
    set_do(s, 0x5F2D, "en");
    set_do(s, 0x5F35, "9");
    set_do(s, 0x5F50, "https://example.invalid/opgp-test.asc");
    set_do(s, 0x5E, "opgp-test");
    sim_set_pin(s, SIM_PW1, OPGP_SIM_PW1);
    sim_set_pin(s, SIM_PW3, OPGP_SIM_PW3);
    sim_set_pin(s, SIM_RC, OPGP_SIM_RC);
    s->pw1_multi = s->opt.pin_per_signature ? 0x00 : 0x01;
    sim_changed(s);
    return 0;
}

EVP_PKEY *opgp_sim_public_key(opgp_sim *s, int slot)
{
    if (!s || slot < 0 || slot > 2 || !s->keys[slot].pkey)
        return NULL;
    /* a public-only copy, so tests cannot sign with the card's private key by mistake */
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(s->keys[slot].pkey, &der);
    if (n <= 0)
        return NULL;
    const unsigned char *p = der;
    EVP_PKEY *pub = d2i_PUBKEY(NULL, &p, n);
    OPENSSL_free(der);
    return pub;
}

bool opgp_sim_fingerprint(const opgp_sim *s, int slot, uint8_t fpr[20])
{
    static const uint8_t zero[20];
    if (!s || slot < 0 || slot > 2 || memcmp(s->keys[slot].fpr, zero, 20) == 0)
        return false;
    memcpy(fpr, s->keys[slot].fpr, 20);
    return true;
}

const uint8_t *opgp_sim_certificate(const opgp_sim *s, int slot, size_t *len)
{
    if (len)
        *len = 0;
    if (!s || slot < 0 || slot > 2 || !s->keys[slot].cert_len)
        return NULL;
    if (len)
        *len = s->keys[slot].cert_len;
    return s->keys[slot].cert;
}

static int write_text(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static void hex(char *out, const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02X", v[i]);
}

int opgp_sim_export(opgp_sim *s, const char *dir)
{
    static const char *const NAMES[3] = {"sig", "dec", "aut"};
    if (!s || !dir)
        return -1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -1;
    char path[4096], text[80];
    for (int slot = 0; slot < 3; slot++) {
        EVP_PKEY *pub = opgp_sim_public_key(s, slot);
        if (pub) {
            snprintf(path, sizeof path, "%s/%s.pem", dir, NAMES[slot]);
            FILE *f = fopen(path, "w");
            int ok = f && PEM_write_PUBKEY(f, pub) == 1;
            if (f && fclose(f) != 0)
                ok = 0;
            EVP_PKEY_free(pub);
            if (!ok)
                return -1;
        }
        size_t cl;
        const uint8_t *c = opgp_sim_certificate(s, slot, &cl);
        if (c) {
            const unsigned char *p = c;
            X509 *x = d2i_X509(NULL, &p, (long)cl);
            snprintf(path, sizeof path, "%s/%s.crt", dir, NAMES[slot]);
            FILE *f = x ? fopen(path, "w") : NULL;
            int ok = f && PEM_write_X509(f, x) == 1;
            if (f && fclose(f) != 0)
                ok = 0;
            X509_free(x);
            if (!ok)
                return -1;
        }
        uint8_t fpr[20];
        if (opgp_sim_fingerprint(s, slot, fpr)) {
            hex(text, fpr, 20);
            strcat(text, "\n");
            snprintf(path, sizeof path, "%s.fpr", NAMES[slot]);
            if (write_text(dir, path, text) != 0)
                return -1;
        }
    }
    snprintf(text, sizeof text, "%08X\n", (unsigned)s->serial);
    if (write_text(dir, "serial", text) != 0)
        return -1;
    uint8_t aid[16];
    opgp_sim_aid(s, aid);
    hex(text, aid, 16);
    strcat(text, "\n");
    return write_text(dir, "aid", text);
}
