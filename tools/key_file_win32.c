/* key_file.h on Windows: unencrypted PEM or DER private keys (PKCS#8, PKCS#1 RSA, SEC 1 EC),
 * parsed by key_der.c. Encrypted files and PKCS#12 need a password-based decryption this build
 * does not have yet: they are refused with a sentence, before any PIN is asked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "key_der.h"
#include "key_file.h"
#include "opgp/crypto.h"
#include "pem.h"

#define FILE_MAX (256 * 1024)

static key_file_result failed(char *why, size_t cap, const char *fmt, const char *arg)
{
    snprintf(why, cap, fmt, arg);
    return KEY_FILE_FAILED;
}

static bool contains(const uint8_t *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(buf + i, s, n) == 0)
            return true;
    return false;
}

/* Copy v (len bytes) into the secret buffer at *used; the copy's address, or NULL. */
static const uint8_t *keep(key_file *kf, size_t cap, const uint8_t *v, size_t len)
{
    if (!v || len == 0 || kf->secret_len + len > cap)
        return NULL;
    uint8_t *dst = kf->secret + kf->secret_len;
    memcpy(dst, v, len);
    kf->secret_len += len;
    return dst;
}

#define SECRET_CAP 4096u

static key_file_result take_rsa(const key_der *d, key_file *kf, char *why, size_t cap)
{
    size_t bits = d->n.len * 8;
    if (bits != 2048 && bits != 3072 && bits != 4096) {
        char b[16];
        snprintf(b, sizeof b, "%u", (unsigned)bits);
        return failed(why, cap, "an RSA key of %s bits: OpenPGP cards take 2048, 3072 or 4096",
                      b);
    }
    opgp_private_key *k = &kf->key;
    k->attr = opgp_algo_attr_rsa((uint16_t)bits);
    snprintf(kf->description, sizeof kf->description, "RSA %u", (unsigned)bits);
    const key_der_int *parts[] = {&d->e, &d->n, &d->p, &d->q, &d->u, &d->dp, &d->dq};
    const uint8_t **dst[] = {&k->e, &k->n, &k->p, &k->q, &k->u, &k->dp, &k->dq};
    size_t *dst_len[] = {&k->e_len, &k->n_len, &k->p_len, &k->q_len, &k->u_len, &k->dp_len,
                         &k->dq_len};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        *dst[i] = keep(kf, SECRET_CAP, parts[i]->v, parts[i]->len);
        *dst_len[i] = parts[i]->len;
        if (!*dst[i])
            return failed(why, cap, "%s", "the RSA key is too large");
    }
    return KEY_FILE_OK;
}

static key_file_result take_ecc(const key_der *d, opgp_key_slot slot, key_file *kf, char *why,
                                size_t cap)
{
    opgp_private_key *k = &kf->key;
    opgp_status st;
    if (d->kind == KEY_DER_EC) {
        const opgp_curve_info *c = opgp_curve_by_oid(d->curve_oid, d->curve_oid_len);
        if (!c)
            return failed(why, cap, "%s", "an EC key on a curve OpenPGP cards do not know");
        st = opgp_algo_attr_ecc(slot == OPGP_KEY_DEC ? OPGP_ALGO_ECDH : OPGP_ALGO_ECDSA,
                                c->curve, &k->attr);
        if (st == OPGP_OK && (d->pub_len == 0 || d->pub[0] != 0x04))
            return failed(why, cap, "%s", "the EC key file lacks the uncompressed public key, "
                                          "which the Windows build cannot compute");
    } else {
        bool ed = d->kind == KEY_DER_ED25519;
        const char *refusal = key_file_25519_refusal(ed, slot);
        if (refusal)
            return failed(why, cap, "%s", refusal);
        if (d->pub_len != 32)
            return failed(why, cap, "%s", "the 25519 key file lacks its public key, which the "
                                          "Windows build cannot compute: import it with the "
                                          "Linux build");
        st = opgp_algo_attr_ecc(ed ? OPGP_ALGO_EDDSA : OPGP_ALGO_ECDH,
                                ed ? OPGP_CURVE_ED25519 : OPGP_CURVE_X25519, &k->attr);
    }
    if (st != OPGP_OK)
        return failed(why, cap, "%s", "a key this slot cannot hold");
    opgp_algo_attr_describe(&k->attr, kf->description, sizeof kf->description);
    k->scalar = keep(kf, SECRET_CAP, d->scalar, d->scalar_len);
    k->scalar_len = d->scalar_len;
    k->pub = keep(kf, SECRET_CAP, d->pub, d->pub_len);
    k->pub_len = d->pub_len;
    if (!k->scalar || !k->pub)
        return failed(why, cap, "%s", "the EC key is too large");
    if (d->kind == KEY_DER_X25519) {
        /* OpenPGP sends the X25519 secret big-endian: the reverse of RFC 7748's bytes. */
        uint8_t *s = kf->secret + (k->scalar - kf->secret);
        for (size_t i = 0; i < 16; i++) {
            uint8_t t = s[i];
            s[i] = s[31 - i];
            s[31 - i] = t;
        }
    }
    return KEY_FILE_OK;
}

key_file_result key_file_load(const char *path, opgp_key_slot slot, const char *passphrase,
                              key_file *out, char *why, size_t why_cap)
{
    (void)passphrase; /* nothing this build reads is encrypted */
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return failed(why, why_cap, "cannot read %s", path);
    uint8_t *data = malloc(FILE_MAX + 1);
    size_t len = data ? fread(data, 1, FILE_MAX + 1, f) : 0;
    fclose(f);
    key_file_result r = KEY_FILE_OK;
    if (!data || len == 0 || len > FILE_MAX)
        r = failed(why, why_cap, "cannot read %s (empty, or too large for a key)", path);
    else if (contains(data, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
             contains(data, len, "Proc-Type: 4,ENCRYPTED"))
        r = failed(why, why_cap, "%s is encrypted: the Windows build reads unencrypted key "
                                 "files only (yet); import it with the Linux build", path);
    if (r == KEY_FILE_OK) {
        static const char *labels[] = {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"};
        bool malformed = false, pem = false;
        for (size_t i = 0; !pem && !malformed && i < sizeof labels / sizeof labels[0]; i++)
            pem = pem_decode_in_place(data, &len, labels[i], &malformed);
        if (malformed)
            r = failed(why, why_cap, "%s: malformed PEM", path);
        else if (!pem && contains(data, len, "-----BEGIN "))
            r = failed(why, why_cap, "%s holds no private key", path);
    }
    key_der d;
    if (r == KEY_FILE_OK) {
        opgp_status st = key_der_parse(data, len, &d);
        if (st != OPGP_OK)
            r = failed(why, why_cap, "%s is not an unencrypted private key in PEM or DER (the "
                                     "Windows build does not read PKCS#12 yet: import it with "
                                     "the Linux build)", path);
    }
    if (r == KEY_FILE_OK) {
        out->secret = calloc(1, SECRET_CAP);
        if (!out->secret)
            r = failed(why, why_cap, "%s", "out of memory");
        else if (d.kind == KEY_DER_RSA)
            r = take_rsa(&d, out, why, why_cap);
        else
            r = take_ecc(&d, slot, out, why, why_cap);
    }
    if (data) {
        opgp_wipe(data, FILE_MAX + 1);
        free(data);
    }
    if (r != KEY_FILE_OK)
        key_file_free(out);
    return r;
}

void key_file_free(key_file *kf)
{
    if (kf->secret) {
        opgp_wipe(kf->secret, SECRET_CAP);
        free(kf->secret);
    }
    free(kf->cert);
    memset(kf, 0, sizeof *kf);
}
