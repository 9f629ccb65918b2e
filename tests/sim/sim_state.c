/* The state file: persistent card state as "name hex" lines, written atomically (temp + rename).
 * It holds private keys and PINs in the clear: test cards only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "sim_internal.h"

static void put(FILE *f, const char *name, const uint8_t *v, size_t n)
{
    fprintf(f, "%s ", name);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", v[i]);
    fputc('\n', f);
}

int sim_state_save(const opgp_sim *s, const char *path)
{
    char tmp[4096], name[32];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    chmod(tmp, 0600);
    fprintf(f, "opgp-sim-state 1\n");
    const uint8_t ser[4] = {(uint8_t)(s->serial >> 24), (uint8_t)(s->serial >> 16),
                            (uint8_t)(s->serial >> 8), (uint8_t)s->serial};
    put(f, "serial", ser, 4);
    const uint8_t flags[2] = {s->terminated, s->pw1_multi};
    put(f, "flags", flags, 2);
    put(f, "tries", s->tries, 3);
    put(f, "sigcount", s->sig_count, 3);
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "pw%d", i);
        put(f, name, s->pw[i], s->pw_len[i]);
    }
    for (int i = 0; i < 3; i++) {
        const sim_key *k = &s->keys[i];
        snprintf(name, sizeof name, "attr%d", i);
        put(f, name, k->attr, k->attr_len);
        snprintf(name, sizeof name, "fpr%d", i);
        put(f, name, k->fpr, 20);
        snprintf(name, sizeof name, "cafpr%d", i);
        put(f, name, k->ca_fpr, 20);
        snprintf(name, sizeof name, "time%d", i);
        put(f, name, k->time, 4);
        const uint8_t st[3] = {k->status, k->uif[0], k->uif[1]};
        snprintf(name, sizeof name, "status%d", i);
        put(f, name, st, 3);
        snprintf(name, sizeof name, "cert%d", i);
        put(f, name, k->cert, k->cert_len);
        if (k->pkey) {
            unsigned char *der = NULL;
            int n = i2d_PrivateKey(k->pkey, &der);
            if (n > 0) {
                snprintf(name, sizeof name, "key%d", i);
                put(f, name, der, (size_t)n);
                OPENSSL_clear_free(der, (size_t)n);
            }
        }
    }
    for (int i = 0; i < SIM_NUM_DOS; i++) {
        snprintf(name, sizeof name, "do%04x", s->dos[i].tag);
        put(f, name, s->dos[i].data, s->dos[i].len);
    }
    int ok = !ferror(f);
    if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

static int unhex(const char *h, uint8_t *out, size_t cap, size_t *n)
{
    size_t l = strlen(h);
    while (l && (h[l - 1] == '\n' || h[l - 1] == '\r'))
        l--;
    if (l % 2 || l / 2 > cap)
        return -1;
    for (size_t i = 0; i < l / 2; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    *n = l / 2;
    return 0;
}

static int apply(opgp_sim *s, const char *name, const uint8_t *v, size_t n)
{
    int i = -1;
    unsigned tag;
    if (strcmp(name, "serial") == 0 && n == 4) {
        s->serial = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
    } else if (strcmp(name, "flags") == 0 && n == 2) {
        s->terminated = v[0] != 0;
        s->pw1_multi = v[1];
    } else if (strcmp(name, "tries") == 0 && n == 3) {
        memcpy(s->tries, v, 3);
    } else if (strcmp(name, "sigcount") == 0 && n == 3) {
        memcpy(s->sig_count, v, 3);
    } else if (sscanf(name, "pw%d", &i) == 1 && i >= 0 && i < 3 && n <= SIM_MAX_PIN) {
        memcpy(s->pw[i], v, n);
        s->pw_len[i] = n;
    } else if (sscanf(name, "attr%d", &i) == 1 && i >= 0 && i < 3 && n <= sizeof s->keys[i].attr) {
        memcpy(s->keys[i].attr, v, n);
        s->keys[i].attr_len = n;
    } else if (sscanf(name, "cafpr%d", &i) == 1 && i >= 0 && i < 3 && n == 20) {
        memcpy(s->keys[i].ca_fpr, v, 20);
    } else if (sscanf(name, "fpr%d", &i) == 1 && i >= 0 && i < 3 && n == 20) {
        memcpy(s->keys[i].fpr, v, 20);
    } else if (sscanf(name, "time%d", &i) == 1 && i >= 0 && i < 3 && n == 4) {
        memcpy(s->keys[i].time, v, 4);
    } else if (sscanf(name, "status%d", &i) == 1 && i >= 0 && i < 3 && n == 3) {
        s->keys[i].status = v[0];
        s->keys[i].uif[0] = v[1];
        s->keys[i].uif[1] = v[2];
    } else if (sscanf(name, "cert%d", &i) == 1 && i >= 0 && i < 3 && n <= SIM_MAX_CERT) {
        memcpy(s->keys[i].cert, v, n);
        s->keys[i].cert_len = n;
    } else if (sscanf(name, "key%d", &i) == 1 && i >= 0 && i < 3) {
        const unsigned char *p = v;
        EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)n);
        if (!k)
            return -1;
        EVP_PKEY_free(s->keys[i].pkey);
        s->keys[i].pkey = k;
    } else if (sscanf(name, "do%x", &tag) == 1) {
        sim_do *d = sim_find_do(s, (uint16_t)tag);
        if (!d || n > d->max)
            return -1;
        memcpy(d->data, v, n);
        d->len = n;
    } else {
        return -1;
    }
    return 0;
}

int sim_state_load(opgp_sim *s, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char *line = NULL;
    size_t cap = 0;
    int r = 1;
    uint8_t *buf = malloc(16384);
    if (!buf || getline(&line, &cap, f) < 0 || strcmp(line, "opgp-sim-state 1\n") != 0)
        r = -1;
    while (r == 1 && getline(&line, &cap, f) >= 0) {
        char *sp = strchr(line, ' ');
        size_t n;
        if (!sp) {
            r = -1;
            break;
        }
        *sp = '\0';
        if (unhex(sp + 1, buf, 16384, &n) != 0 || apply(s, line, buf, n) != 0)
            r = -1;
    }
    if (line) {
        OPENSSL_cleanse(line, cap);
        free(line);
    }
    if (buf) {
        OPENSSL_cleanse(buf, 16384);
        free(buf);
    }
    fclose(f);
    return r;
}
