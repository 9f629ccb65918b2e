/* Self-signed X.509 certificates for the provisioned keys (the card stores them in 7F21). */
#include <string.h>
#include <time.h>

#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sim_internal.h"

static const char *const SLOT_NAME[3] = {"signature", "decryption", "authentication"};

/* Keys that cannot sign (X25519) get a certificate issued by the signature key. */
static X509 *make_cert(opgp_sim *s, int slot, EVP_PKEY *issuer_key, const char *issuer_cn)
{
    EVP_PKEY *k = s->keys[slot].pkey;
    X509 *x = X509_new();
    X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();
    char cn[96];
    snprintf(cn, sizeof cn, "opgp-sim %08X %s", (unsigned)s->serial, SLOT_NAME[slot]);
    uint8_t serial[8];
    BIGNUM *bn = NULL;
    ASN1_INTEGER *ai = NULL;
    bool ok = x && subj && iss && RAND_bytes(serial, sizeof serial) == 1;
    serial[0] &= 0x7F;
    ok = ok && (bn = BN_bin2bn(serial, sizeof serial, NULL)) != NULL &&
         (ai = BN_to_ASN1_INTEGER(bn, NULL)) != NULL && X509_set_serialNumber(x, ai) == 1 &&
         X509_set_version(x, X509_VERSION_3) == 1 &&
         X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) == 1 &&
         X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_UTF8, (const unsigned char *)"opgp test", -1, -1, 0) == 1 &&
         X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_UTF8,
                                    (const unsigned char *)(issuer_cn ? issuer_cn : cn), -1, -1, 0) == 1 &&
         X509_NAME_add_entry_by_txt(iss, "O", MBSTRING_UTF8, (const unsigned char *)"opgp test", -1, -1, 0) == 1 &&
         X509_set_subject_name(x, subj) == 1 && X509_set_issuer_name(x, iss) == 1 &&
         X509_gmtime_adj(X509_getm_notBefore(x), -86400) != NULL &&
         X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 86400) != NULL &&
         X509_set_pubkey(x, k) == 1;
    if (ok) {
        int kind = sim_key_kind(k);
        const char *ku = slot == OPGP_SIM_DEC
                             ? (kind == SIM_KIND_RSA ? "critical,keyEncipherment,dataEncipherment"
                                                     : "critical,keyAgreement")
                         : slot == OPGP_SIM_SIG ? "critical,digitalSignature,nonRepudiation"
                                                : "critical,digitalSignature";
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, ku);
        ok = e && X509_add_ext(x, e, -1) == 1;
        X509_EXTENSION_free(e);
        if (ok && slot == OPGP_SIM_AUT) {
            e = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, "clientAuth");
            ok = e && X509_add_ext(x, e, -1) == 1;
            X509_EXTENSION_free(e);
        }
    }
    const EVP_MD *md = sim_key_kind(issuer_key) == SIM_KIND_ED25519 ? NULL : EVP_sha256();
    ok = ok && X509_sign(x, issuer_key, md) > 0;
    ASN1_INTEGER_free(ai);
    BN_free(bn);
    X509_NAME_free(subj);
    X509_NAME_free(iss);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

int sim_make_certificates(opgp_sim *s)
{
    char sig_cn[96];
    snprintf(sig_cn, sizeof sig_cn, "opgp-sim %08X %s", (unsigned)s->serial, SLOT_NAME[0]);
    for (int slot = 0; slot < 3; slot++) {
        EVP_PKEY *k = s->keys[slot].pkey;
        if (!k)
            continue;
        bool can_sign = sim_key_kind(k) != SIM_KIND_X25519;
        X509 *x = make_cert(s, slot, can_sign ? k : s->keys[OPGP_SIM_SIG].pkey,
                            can_sign ? NULL : sig_cn);
        if (!x)
            return -1;
        int n = i2d_X509(x, NULL);
        unsigned char *p = s->keys[slot].cert;
        if (n <= 0 || (size_t)n > sizeof s->keys[slot].cert || i2d_X509(x, &p) != n) {
            X509_free(x);
            return -1;
        }
        s->keys[slot].cert_len = (size_t)n;
        X509_free(x);
    }
    return 0;
}
