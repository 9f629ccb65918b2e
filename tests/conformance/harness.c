#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_access.h"
#include "harness.h"

mdc_config H;

static const mdc_alg ALGS[] = {
    { "rsa2048", true, 2048, CALG_SHA_256, 0, 0 },
    { "rsa3072", true, 3072, CALG_SHA_256, 0, 0 },
    { "rsa4096", true, 4096, CALG_SHA_256, 0, 0 },
    { "p256", false, 256, CALG_SHA_256, AT_ECDSA_P256, AT_ECDHE_P256 },
    { "p384", false, 384, CALG_SHA_384, AT_ECDSA_P384, AT_ECDHE_P384 },
    { "p521", false, 521, CALG_SHA_512, AT_ECDSA_P521, AT_ECDHE_P521 },
};

const mdc_alg *mdc_alg_find(const char *name)
{
    for (size_t i = 0; i < sizeof ALGS / sizeof ALGS[0]; i++) {
        if (strcmp(ALGS[i].name, name) == 0)
            return &ALGS[i];
    }
    return NULL;
}

bool h_wcs_eq(const WCHAR *a, const WCHAR *b)
{
    while (*a != 0 && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

bool h_apdus(unsigned long *n) { return ca_apdus(n); }

unsigned long h_apdu_mark(void)
{
    unsigned long n = 0;
    (void)ca_apdus(&n);
    return n;
}

void h_apdu_note(const char *what, unsigned long mark)
{
    unsigned long n = 0;
    if (ca_apdus(&n))
        t_note("APDUs %s (%s): %lu", what, H.alg->name, n - mark);
}

static uintptr_t next_sim_handle = 0x1000;

static DWORD sim_txn_begin(void *arg, SCARDHANDLE card)
{
    (void)arg;
    return ca_sim_begin((uintptr_t)card);
}

static void sim_txn_end(void *arg, SCARDHANDLE card)
{
    (void)arg;
    ca_sim_end((uintptr_t)card);
}

bool h_card_params(opgp_host_card_params *p, opgp_host_reader *reader, BYTE atr[36])
{
    memset(p, 0, sizeof *p);
    memset(reader, 0, sizeof *reader);
    if (H.sim) {
        size_t n = ca_sim_atr(atr, 36);
        if (n == 0)
            return false;
        p->hSCardCtx = (SCARDCONTEXT)1;
        p->hScard = (SCARDHANDLE)(next_sim_handle++);
        p->txn.begin = sim_txn_begin;
        p->txn.end = sim_txn_end;
        p->atr = atr;
        p->atr_len = (DWORD)n;
        return true;
    }
    if (opgp_host_reader_connect(H.reader, reader) != 0)
        return false;
    ca_pcsc_register(reader->ctx, reader->card);
    memcpy(atr, reader->atr, reader->atr_len);
    p->hSCardCtx = (SCARDCONTEXT)reader->ctx;
    p->hScard = (SCARDHANDLE)reader->card;
    p->atr = atr;
    p->atr_len = (DWORD)reader->atr_len;
    return true;
}

void h_card_params_done(opgp_host_reader *reader)
{
    if (reader->ctx != 0)
        opgp_host_reader_disconnect(reader);
}

/* The Base CSP's transaction around an operation, preceded under --new-handle-per-call by
 * what a redirected session does between calls: connect anew, hand the minidriver the new
 * handle, drop the old one without resetting the card (with the simulator: a new handle
 * number, on which the minidriver gets a new transport). The host reads CARD_DATA.hScard after
 * this for the transaction's end, so begin and end pair on the same handle. */
static DWORD rehandle_begin(void *arg, SCARDHANDLE card)
{
    hctx *h = arg;
    if (h->cd != NULL) {
        uintptr_t fresh = 0;
        mdc_mutex_lock(H.handles_lock);
        if (H.sim)
            fresh = next_sim_handle++;
        H.handles_replaced++;
        mdc_mutex_unlock(H.handles_lock);
        if (!H.sim) {
            long prv = ca_pcsc_connect(h->reader.ctx, h->reader.name, &fresh);
            if (prv != 0) {
                printf("    new handle: SCardConnect 0x%08lX\n", (unsigned long)prv);
                return (DWORD)prv;
            }
            uintptr_t old = h->reader.card;
            h->reader.card = fresh;
            (void)ca_pcsc_disconnect_leave(old);
        }
        h->cd->hScard = (SCARDHANDLE)fresh;
        card = h->cd->hScard;
    }
    if (H.sim)
        return ca_sim_begin((uintptr_t)card);
    return (DWORD)opgp_host_reader_begin((uintptr_t)card);
}

static void rehandle_end(void *arg, SCARDHANDLE card)
{
    (void)arg;
    if (H.sim)
        ca_sim_end((uintptr_t)card);
    else
        (void)opgp_host_reader_end((uintptr_t)card);
}

DWORD h_open(hctx **out)
{
    return h_open_version(out, 0);
}

DWORD h_open_version(hctx **out, DWORD version)
{
    *out = NULL;
    hctx *h = calloc(1, sizeof *h);
    if (h == NULL)
        return SCARD_E_NO_MEMORY;
    opgp_host_card_params p;
    BYTE atr[36];
    if (!h_card_params(&p, &h->reader, atr)) {
        free(h);
        return SCARD_E_NO_SMARTCARD;
    }
    h->has_reader = !H.sim;
    p.version = version;
    if (H.new_handle_per_call) {
        p.txn.begin = rehandle_begin;
        p.txn.end = rehandle_end;
        p.txn.arg = h;
    }
    DWORD rv = opgp_host_context_open(&H.module, &p, &h->c);
    if (rv != SCARD_S_SUCCESS) {
        h_card_params_done(&h->reader);
        free(h);
        return rv;
    }
    h->cd = opgp_host_card_data(h->c);
    h->lock = mdc_mutex_new();
    *out = h;
    return SCARD_S_SUCCESS;
}

void h_close(hctx *h)
{
    if (h == NULL)
        return;
    opgp_host_context_close(h->c);
    if (h->has_reader)
        h_card_params_done(&h->reader);
    mdc_mutex_free(h->lock);
    free(h);
}

DWORD h_auth(hctx *h, PIN_ID id, const char *pin, DWORD *remaining)
{
    DWORD left = 0xFFFFFFFFu;
    DWORD rv = opgp_host_begin(h->c);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    rv = h->cd->pfnCardAuthenticateEx(h->cd, id, 0, (PBYTE)pin, (DWORD)strlen(pin), NULL, NULL,
                                      &left);
    opgp_host_end(h->c);
    if (remaining != NULL)
        *remaining = left;
    return rv;
}

static DWORD spec_of_blob(const BYTE *blob, DWORD len, bool sig)
{
    if (blob == NULL || len < 8)
        return 0;
    if (blob[0] == PUBLICKEYBLOB)
        return sig ? AT_SIGNATURE : AT_KEYEXCHANGE;
    DWORD magic = (DWORD)blob[0] | (DWORD)blob[1] << 8 | (DWORD)blob[2] << 16 |
                  (DWORD)blob[3] << 24;
    switch (magic) {
    case BCRYPT_ECDSA_PUBLIC_P256_MAGIC: return AT_ECDSA_P256;
    case BCRYPT_ECDSA_PUBLIC_P384_MAGIC: return AT_ECDSA_P384;
    case BCRYPT_ECDSA_PUBLIC_P521_MAGIC: return AT_ECDSA_P521;
    case BCRYPT_ECDH_PUBLIC_P256_MAGIC: return AT_ECDHE_P256;
    case BCRYPT_ECDH_PUBLIC_P384_MAGIC: return AT_ECDHE_P384;
    case BCRYPT_ECDH_PUBLIC_P521_MAGIC: return AT_ECDHE_P521;
    default: return 0;
    }
}

static void info_free(CONTAINER_INFO *ci)
{
    opgp_host_free(ci->pbSigPublicKey);
    opgp_host_free(ci->pbKeyExPublicKey);
    memset(ci, 0, sizeof *ci);
}

DWORD h_container_spec(hctx *h, BYTE index, bool *is_sig)
{
    CONTAINER_INFO ci;
    if (opgp_host_container_info(h->c, index, &ci) != SCARD_S_SUCCESS)
        return 0;
    DWORD spec;
    if (ci.pbSigPublicKey != NULL) {
        spec = spec_of_blob(ci.pbSigPublicKey, ci.cbSigPublicKey, true);
        if (is_sig)
            *is_sig = true;
    } else {
        spec = spec_of_blob(ci.pbKeyExPublicKey, ci.cbKeyExPublicKey, false);
        if (is_sig)
            *is_sig = false;
    }
    info_free(&ci);
    return spec;
}

v_key *h_container_key(hctx *h, BYTE index)
{
    CONTAINER_INFO ci;
    if (opgp_host_container_info(h->c, index, &ci) != SCARD_S_SUCCESS)
        return NULL;
    v_key *k = ci.pbSigPublicKey != NULL ? v_key_from_blob(ci.pbSigPublicKey, ci.cbSigPublicKey)
                                         : v_key_from_blob(ci.pbKeyExPublicKey,
                                                           ci.cbKeyExPublicKey);
    info_free(&ci);
    return k;
}

static const WCHAR *hash_name(ALG_ID alg)
{
    switch (alg) {
    case CALG_SHA1: return OPGP_WSTR("SHA1");
    case CALG_SHA_256: return OPGP_WSTR("SHA256");
    case CALG_SHA_384: return OPGP_WSTR("SHA384");
    case CALG_SHA_512: return OPGP_WSTR("SHA512");
    default: return NULL;
    }
}

DWORD h_sign_hash(hctx *h, BYTE index, ALG_ID alg, const BYTE *hash, DWORD hash_len,
                  bool ksp_style, BYTE **sig, DWORD *sig_len)
{
    *sig = NULL;
    *sig_len = 0;
    DWORD spec = h_container_spec(h, index, NULL);
    if (spec == 0)
        return SCARD_E_NO_KEY_CONTAINER;
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    BCRYPT_PKCS1_PADDING_INFO pi = { hash_name(alg) };
    si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si.bContainerIndex = index;
    si.dwKeySpec = spec;
    si.pbData = (PBYTE)hash;
    si.cbData = hash_len;
    if (spec == AT_SIGNATURE || spec == AT_KEYEXCHANGE) {
        if (ksp_style) {
            si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
            si.dwPaddingType = CARD_PADDING_PKCS1;
            si.pPaddingInfo = &pi;
        } else {
            si.aiHashAlg = alg;
        }
    } else if (!ksp_style) {
        si.aiHashAlg = alg; /* the CSP path names the hash; the KSP leaves it 0 for ECDSA */
    }
    DWORD rv = opgp_host_begin(h->c);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    rv = h->cd->pfnCardSignData(h->cd, &si);
    opgp_host_end(h->c);
    if (rv == SCARD_S_SUCCESS) {
        *sig = si.pbSignedData;
        *sig_len = si.cbSignedData;
    }
    return rv;
}

static int sim_slot_of(BYTE index)
{
    switch (index) {
    case MDC_CNTR_AUT: return 2;
    case MDC_CNTR_SIG: return 0;
    case MDC_CNTR_DEC: return 1;
    default: return -1;
    }
}

bool h_verify(hctx *h, BYTE index, ALG_ID alg, const BYTE *hash, DWORD hash_len,
              const BYTE *sig, DWORD sig_len)
{
    v_key *k = h_container_key(h, index);
    if (!CHECK(k != NULL))
        return false;
    if (!v_supported(k)) {
        t_skip("the host's crypto cannot use this key: signature not verified");
        v_key_free(k);
        return true;
    }
    bool ok = CHECK(v_verify(k, alg, hash, hash_len, sig, sig_len));
    BYTE der[4096];
    size_t der_len = sizeof der;
    if (ok && !H.enrolled && ca_sim_public_key(sim_slot_of(index), der, &der_len)) {
        v_key *sk = v_key_from_spki(der, der_len);
        ok = CHECK(sk != NULL) && CHECK(v_key_same(k, sk)) &&
             CHECK(v_verify(sk, alg, hash, hash_len, sig, sig_len));
        v_key_free(sk);
    }
    v_key_free(k);
    return ok;
}

bool h_sign_and_verify(hctx *h, BYTE index, const char *msg)
{
    BYTE hash[64];
    DWORD hlen = sizeof hash;
    if (!CHECK(v_hash(H.alg->hash, msg, strlen(msg), hash, &hlen)))
        return false;
    BYTE *sig = NULL;
    DWORD sig_len = 0;
    DWORD rv = h_sign_hash(h, index, H.alg->hash, hash, hlen, true, &sig, &sig_len);
    bool ok = CHECK_RV(rv, SCARD_S_SUCCESS) && h_verify(h, index, H.alg->hash, hash, hlen, sig,
                                                        sig_len);
    opgp_host_free(sig);
    return ok;
}
