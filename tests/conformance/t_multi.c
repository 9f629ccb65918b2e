/* Multi-instance and multithreaded areas, card resets, and the host cache's rules. */
#include <stdio.h>
#include <string.h>

#include "card_access.h"
#include "cases.h"
#include "harness.h"

static void two_contexts(void)
{
    hctx *a, *b;
    REQUIRE_RV(h_open(&a), SCARD_S_SUCCESS);
    if (!CHECK_RV(h_open(&b), SCARD_S_SUCCESS)) {
        h_close(a);
        return;
    }
    CHECK(memcmp(opgp_host_context_cardid(a->c), opgp_host_context_cardid(b->c), 16) == 0);
    CHECK(opgp_host_context_cache(a->c) == opgp_host_context_cache(b->c));
    CHECK_RV(h_auth(a, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    CHECK_RV(h_auth(b, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    for (int i = 0; i < 3; i++) {
        CHECK(h_sign_and_verify(a, MDC_CNTR_AUT, "context a"));
        CHECK(h_sign_and_verify(b, MDC_CNTR_AUT, "context b"));
    }
    /* A logs off: the card forgets the PIN for everyone; B must report it, not fail silently
     * or hand back garbage, and must recover by authenticating again. */
    CHECK_RV(a->cd->pfnCardDeauthenticateEx(a->cd, PIN_SET_ALL_ROLES, 0), SCARD_S_SUCCESS);
    BYTE hash[64];
    DWORD hlen = sizeof hash;
    CHECK(v_hash(H.alg->hash, "b after a logged off", 20, hash, &hlen));
    BYTE *sig = NULL;
    DWORD sig_len = 0;
    DWORD rv = h_sign_hash(b, MDC_CNTR_AUT, H.alg->hash, hash, hlen, true, &sig, &sig_len);
    t_note("B signs after A's logoff: 0x%08lX", (unsigned long)rv);
    if (rv == SCARD_S_SUCCESS)
        CHECK(h_verify(b, MDC_CNTR_AUT, H.alg->hash, hash, hlen, sig, sig_len));
    else
        CHECK_RV(rv, SCARD_W_SECURITY_VIOLATION);
    opgp_host_free(sig);
    CHECK_RV(h_auth(b, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    CHECK(h_sign_and_verify(b, MDC_CNTR_AUT, "b again"));
    b->cd->pfnCardDeauthenticateEx(b->cd, PIN_SET_ALL_ROLES, 0);
    h_close(b);
    h_close(a);
}

#define THREADS 4
#define ROUNDS 4

typedef struct job {
    hctx *h;          /* shared context (lock taken per call), or NULL: open one */
    BYTE hash[64];
    DWORD hash_len;
    BYTE *sig[ROUNDS];
    DWORD sig_len[ROUNDS];
    DWORD rv[ROUNDS];
    DWORD open_rv, auth_rv;
    hctx *own;
} job;

static void shared_worker(void *p)
{
    job *j = p;
    for (int r = 0; r < ROUNDS; r++) {
        mdc_mutex_lock(j->h->lock);
        j->rv[r] = h_sign_hash(j->h, MDC_CNTR_AUT, H.alg->hash, j->hash, j->hash_len, true,
                               &j->sig[r], &j->sig_len[r]);
        mdc_mutex_unlock(j->h->lock);
    }
}

static void own_worker(void *p)
{
    job *j = p;
    j->open_rv = h_open(&j->own);
    if (j->open_rv != SCARD_S_SUCCESS)
        return;
    j->auth_rv = h_auth(j->own, ROLE_USER, MDC_PIN_USER, NULL);
    for (int r = 0; r < ROUNDS; r++)
        j->rv[r] = h_sign_hash(j->own, MDC_CNTR_AUT, H.alg->hash, j->hash, j->hash_len, true,
                               &j->sig[r], &j->sig_len[r]);
}

static void check_jobs(job *jobs, v_key *k)
{
    bool verifiable = v_supported(k);
    if (!verifiable)
        t_skip("the host's crypto cannot use this key: signatures not verified");
    for (int t = 0; t < THREADS; t++) {
        for (int r = 0; r < ROUNDS; r++) {
            if (CHECK_RV(jobs[t].rv[r], SCARD_S_SUCCESS) && verifiable)
                CHECK(v_verify(k, H.alg->hash, jobs[t].hash, jobs[t].hash_len, jobs[t].sig[r],
                               jobs[t].sig_len[r]));
            opgp_host_free(jobs[t].sig[r]);
        }
    }
}

static void prepare(job *jobs, hctx *shared)
{
    memset(jobs, 0, THREADS * sizeof *jobs);
    for (int t = 0; t < THREADS; t++) {
        char msg[32];
        snprintf(msg, sizeof msg, "thread %d", t);
        jobs[t].h = shared;
        jobs[t].hash_len = sizeof jobs[t].hash;
        CHECK(v_hash(H.alg->hash, msg, strlen(msg), jobs[t].hash, &jobs[t].hash_len));
    }
}

static void threads_one_context(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    v_key *k = h_container_key(h, MDC_CNTR_AUT);
    CHECK(k != NULL);
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    job jobs[THREADS];
    prepare(jobs, h);
    mdc_thread *th[THREADS];
    for (int t = 0; t < THREADS; t++)
        th[t] = mdc_thread_start(shared_worker, &jobs[t]);
    for (int t = 0; t < THREADS; t++) {
        CHECK(th[t] != NULL);
        mdc_thread_join(th[t]);
    }
    if (k != NULL)
        check_jobs(jobs, k);
    v_key_free(k);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static void threads_own_contexts(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    v_key *k = h_container_key(h, MDC_CNTR_AUT);
    CHECK(k != NULL);
    job jobs[THREADS];
    prepare(jobs, NULL);
    mdc_thread *th[THREADS];
    for (int t = 0; t < THREADS; t++)
        th[t] = mdc_thread_start(own_worker, &jobs[t]);
    for (int t = 0; t < THREADS; t++) {
        CHECK(th[t] != NULL);
        mdc_thread_join(th[t]);
        CHECK_RV(jobs[t].open_rv, SCARD_S_SUCCESS);
        CHECK_RV(jobs[t].auth_rv, SCARD_S_SUCCESS);
    }
    if (k != NULL)
        check_jobs(jobs, k);
    for (int t = 0; t < THREADS; t++)
        h_close(jobs[t].own);
    v_key_free(k);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static bool reset_card(hctx *h)
{
    if (H.sim)
        return ca_sim_reset();
    return opgp_host_reader_reset(&h->reader) == 0;
}

static void card_reset(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    unsigned long sent0 = 0, failed0 = 0, sent = 0, failed = 0;
    bool counted = ca_verifies(&sent0, &failed0);

    /* A rejected PIN, then a reset: nothing may send that PIN again. */
    DWORD left = 0;
    CHECK_RV(h_auth(h, ROLE_USER, "000000", &left), SCARD_W_WRONG_CHV);
    REQUIRE(reset_card(h));
    BYTE hash[64];
    DWORD hlen = sizeof hash;
    CHECK(v_hash(H.alg->hash, "after reset", 11, hash, &hlen));
    BYTE *sig = NULL;
    DWORD sig_len = 0;
    DWORD rv = h_sign_hash(h, MDC_CNTR_AUT, H.alg->hash, hash, hlen, true, &sig, &sig_len);
    t_note("sign right after reset: 0x%08lX", (unsigned long)rv);
    CHECK_RV_ONE_OF(rv, SCARD_W_SECURITY_VIOLATION, SCARD_W_RESET_CARD);
    opgp_host_free(sig);
    sig = NULL;
    rv = h_sign_hash(h, MDC_CNTR_AUT, H.alg->hash, hash, hlen, true, &sig, &sig_len);
    CHECK_RV(rv, SCARD_W_SECURITY_VIOLATION);
    opgp_host_free(sig);
    if (counted && CHECK(ca_verifies(&sent, &failed))) {
        CHECK(sent - sent0 == 1);
        CHECK(failed - failed0 == 1);
    }

    /* Verified, then reset: the PIN is gone and must not be replayed silently. */
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, &left), SCARD_S_SUCCESS);
    CHECK(h_sign_and_verify(h, MDC_CNTR_AUT, "before reset"));
    REQUIRE(reset_card(h));
    sig = NULL;
    rv = h_sign_hash(h, MDC_CNTR_AUT, H.alg->hash, hash, hlen, true, &sig, &sig_len);
    t_note("sign after reset of a verified card: 0x%08lX", (unsigned long)rv);
    CHECK_RV_ONE_OF(rv, SCARD_W_SECURITY_VIOLATION, SCARD_W_RESET_CARD);
    opgp_host_free(sig);
    if (counted && CHECK(ca_verifies(&sent, &failed)))
        CHECK(sent - sent0 == 2);
    /* Files still read, the PIN works again, the context is whole. */
    BYTE *cf = NULL;
    DWORD cf_len = 0;
    CHECK_RV(h->cd->pfnCardReadFile(h->cd, NULL, szCACHE_FILE, 0, &cf, &cf_len), SCARD_S_SUCCESS);
    opgp_host_free(cf);
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, &left), SCARD_S_SUCCESS);
    CHECK(h_sign_and_verify(h, MDC_CNTR_AUT, "after reset"));
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

/* A reset in the middle of an operation: right before the signature command, after the PIN
 * was verified. The minidriver must report it and must not verify the PIN again on its own. */
static void reset_mid_operation(void)
{
    if (!H.sim) {
        t_skip("needs the in-process simulator's fault injection");
        return;
    }
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    unsigned long sent0 = 0, failed0 = 0, sent = 0, failed = 0;
    CHECK(ca_verifies(&sent0, &failed0));
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    BYTE hash[64];
    DWORD hlen = sizeof hash;
    CHECK(v_hash(H.alg->hash, "mid-operation", 13, hash, &hlen));
    REQUIRE(ca_sim_reset_after(0));
    BYTE *sig = NULL;
    DWORD sig_len = 0;
    DWORD rv = h_sign_hash(h, MDC_CNTR_AUT, H.alg->hash, hash, hlen, true, &sig, &sig_len);
    t_note("sign with a reset before its command: 0x%08lX", (unsigned long)rv);
    CHECK_RV_ONE_OF(rv, SCARD_W_RESET_CARD, SCARD_W_SECURITY_VIOLATION);
    opgp_host_free(sig);
    CHECK(ca_verifies(&sent, &failed));
    CHECK(sent - sent0 == 1); /* only the caller's own VERIFY */
    /* The caller authenticates again; all is well. */
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    CHECK(h_sign_and_verify(h, MDC_CNTR_AUT, "after mid-operation reset"));
    /* A reset in the middle of a VERIFY: reported, and the PIN is not retried. */
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    CHECK(ca_verifies(&sent0, &failed0));
    REQUIRE(ca_sim_reset_after(0));
    rv = h_auth(h, ROLE_USER, MDC_PIN_USER, NULL);
    t_note("VERIFY with a reset before it: 0x%08lX", (unsigned long)rv);
    CHECK(ca_verifies(&sent, &failed));
    if (rv == SCARD_S_SUCCESS)
        CHECK(sent - sent0 == 1); /* reselected and sent once */
    else
        CHECK(sent == sent0);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

typedef struct cache_job {
    opgp_host_cache *cache;
    int id;
    unsigned errors;
} cache_job;

static void cache_worker(void *p)
{
    cache_job *j = p;
    WCHAR tag[] = OPGP_WSTR("file:mscp/x0");
    tag[11] = (WCHAR)('0' + j->id);
    for (int i = 0; i < 2000; i++) {
        BYTE v[8];
        memset(v, j->id + i, sizeof v);
        if (opgp_host_cache_put(j->cache, OPGP_HOST_CACHE_FILES, tag, v, sizeof v) !=
            SCARD_S_SUCCESS)
            j->errors++;
        BYTE *out = NULL;
        DWORD len = 0;
        DWORD rv = opgp_host_cache_get(j->cache, tag, NULL, &out, &len);
        /* Another thread's freshness check may have dropped it: absent is fine, wrong is not. */
        if (rv == SCARD_S_SUCCESS && (len != sizeof v || out[0] != v[0]))
            j->errors++;
        opgp_host_free(out);
        CARD_CACHE_FILE_FORMAT cf = { 0, 0, 0, (WORD)(i / 100) };
        (void)opgp_host_cache_check(j->cache, &cf);
        opgp_host_cache *again = opgp_host_cache_acquire((const BYTE *)"thread-cache-id!");
        opgp_host_cache_release(again);
    }
}

/* The cache under contention: entries never mix, the registry survives acquire/release races. */
static void host_cache_threads(void)
{
    opgp_host_cache *c = opgp_host_cache_acquire((const BYTE *)"thread-cache-id!");
    REQUIRE(c != NULL);
    cache_job jobs[THREADS];
    mdc_thread *th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (cache_job){ c, t, 0 };
        th[t] = mdc_thread_start(cache_worker, &jobs[t]);
    }
    for (int t = 0; t < THREADS; t++) {
        CHECK(th[t] != NULL);
        mdc_thread_join(th[t]);
        CHECK(jobs[t].errors == 0);
    }
    opgp_host_cache_release(c);
    opgp_host_cache_purge();
}

/* The freshness rule and sharing of bridge/host's cache, on a card id of its own. */
static void host_cache_rules(void)
{
    BYTE id[16];
    memset(id, 0x5A, sizeof id);
    opgp_host_cache *a = opgp_host_cache_acquire(id);
    opgp_host_cache *b = opgp_host_cache_acquire(id);
    REQUIRE(a != NULL && a == b);
    WCHAR f[] = OPGP_WSTR("file:mscp/ksc01"), c[] = OPGP_WSTR("file:mscp/cmapfile"),
          m[] = OPGP_WSTR("opgp/md-item");
    BYTE v[3] = { 1, 2, 3 };
    CARD_CACHE_FILE_FORMAT cf = { 0, 1, 10, 20 };
    CHECK(opgp_host_cache_check(a, &cf) == 0);
    CHECK_RV(opgp_host_cache_put(a, OPGP_HOST_CACHE_FILES, f, v, 3), SCARD_S_SUCCESS);
    CHECK_RV(opgp_host_cache_put(a, OPGP_HOST_CACHE_CONTAINERS, c, v, 3), SCARD_S_SUCCESS);
    CHECK_RV(opgp_host_cache_put(a, OPGP_HOST_CACHE_MINIDRIVER, m, v, 3), SCARD_S_SUCCESS);
    BYTE *out = NULL;
    DWORD len = 0;
    CHECK_RV(opgp_host_cache_get(b, f, NULL, &out, &len), SCARD_S_SUCCESS);
    CHECK(len == 3 && memcmp(out, v, 3) == 0);
    opgp_host_free(out);
    /* PIN counter moved: nothing cached depends on it. */
    cf.bPinsFreshness++;
    CHECK(opgp_host_cache_check(b, &cf) == 0);
    CHECK_RV(opgp_host_cache_get(a, c, NULL, &out, &len), SCARD_S_SUCCESS);
    opgp_host_free(out);
    /* Containers moved: cmapfile and minidriver items go, files stay. */
    cf.wContainersFreshness++;
    CHECK(opgp_host_cache_check(a, &cf) ==
          (OPGP_HOST_CACHE_CONTAINERS | OPGP_HOST_CACHE_MINIDRIVER));
    CHECK_RV(opgp_host_cache_get(a, c, NULL, &out, &len), SCARD_W_CACHE_ITEM_NOT_FOUND);
    CHECK_RV(opgp_host_cache_get(a, m, NULL, &out, &len), SCARD_W_CACHE_ITEM_NOT_FOUND);
    CHECK_RV(opgp_host_cache_get(a, f, NULL, &out, &len), SCARD_S_SUCCESS);
    opgp_host_free(out);
    /* Files moved: the file goes. */
    cf.wFilesFreshness++;
    CHECK(opgp_host_cache_check(b, &cf) & OPGP_HOST_CACHE_FILES);
    CHECK_RV(opgp_host_cache_get(a, f, NULL, &out, &len), SCARD_W_CACHE_ITEM_NOT_FOUND);
    /* Limits and deletion. */
    static BYTE big[OPGP_HOST_CACHE_MAX_ITEM + 1];
    CHECK_RV(opgp_host_cache_put(a, OPGP_HOST_CACHE_FILES, f, big, sizeof big),
             SCARD_W_CACHE_ITEM_TOO_BIG);
    CHECK_RV(opgp_host_cache_put(a, OPGP_HOST_CACHE_FILES, f, v, 3), SCARD_S_SUCCESS);
    CHECK_RV(opgp_host_cache_delete(a, f), SCARD_S_SUCCESS);
    CHECK_RV(opgp_host_cache_delete(a, f), SCARD_W_CACHE_ITEM_NOT_FOUND);
    /* Another card never sees these entries. */
    BYTE other_id[16];
    memset(other_id, 0xA5, sizeof other_id);
    opgp_host_cache *o = opgp_host_cache_acquire(other_id);
    CHECK(o != NULL && o != a);
    CHECK_RV(opgp_host_cache_put(a, OPGP_HOST_CACHE_FILES, f, v, 3), SCARD_S_SUCCESS);
    CHECK_RV(opgp_host_cache_get(o, f, NULL, &out, &len), SCARD_W_CACHE_ITEM_NOT_FOUND);
    opgp_host_cache_release(o);
    opgp_host_cache_release(b);
    opgp_host_cache_release(a);
    /* Idle caches stay warm until purged. */
    opgp_host_cache *again = opgp_host_cache_acquire(id);
    CHECK_RV(opgp_host_cache_get(again, f, NULL, &out, &len), SCARD_S_SUCCESS);
    opgp_host_free(out);
    opgp_host_cache_release(again);
    unsigned before = opgp_host_cache_count();
    opgp_host_cache_purge();
    CHECK(opgp_host_cache_count() < before);
}

/* The PKCS#1 callbacks handed to raw-RSA minidrivers. */
static void host_padding(void)
{
    BYTE hash[32];
    for (int i = 0; i < 32; i++)
        hash[i] = (BYTE)i;
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si.aiHashAlg = CALG_SHA_256;
    si.pbData = hash;
    si.cbData = 32;
    DWORD n = 0;
    PBYTE em = NULL;
    REQUIRE_RV(opgp_host_pad_data(&si, 256, &n, &em), SCARD_S_SUCCESS);
    CHECK(n == 256 && em[0] == 0 && em[1] == 1 && em[2] == 0xFF);
    CHECK(em[256 - 32 - 19 - 1] == 0 && memcmp(em + 256 - 32, hash, 32) == 0);
    CHECK(em[256 - 32 - 19] == 0x30); /* the SHA-256 DigestInfo */
    opgp_host_free(em);
    CHECK_RV(opgp_host_pad_data(&si, 40, &n, &em), NTE_BAD_LEN);
    si.cbData = 20;
    CHECK_RV(opgp_host_pad_data(&si, 256, &n, &em), NTE_BAD_LEN);

    /* Unpad: little-endian block 00 02 PS 00 M. */
    BYTE block[64], be[64];
    be[0] = 0;
    be[1] = 2;
    for (int i = 2; i < 50; i++)
        be[i] = (BYTE)(0x11 + i);
    be[50] = 0;
    for (int i = 51; i < 64; i++)
        be[i] = (BYTE)i;
    for (int i = 0; i < 64; i++)
        block[i] = be[63 - i];
    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    di.dwPaddingType = CARD_PADDING_PKCS1;
    di.pbData = block;
    di.cbData = 64;
    BYTE msg[64];
    CHECK_RV(opgp_host_unpad_data(&di, sizeof msg, &n, msg), SCARD_S_SUCCESS);
    CHECK(n == 13 && memcmp(msg, be + 51, 13) == 0);
    CHECK_RV(opgp_host_unpad_data(&di, 12, &n, msg), ERROR_INSUFFICIENT_BUFFER);
    CHECK(n == 13);
    block[62] = 1; /* block type 1: not an encryption block */
    CHECK_RV(opgp_host_unpad_data(&di, sizeof msg, &n, msg), NTE_BAD_DATA);
    block[62] = 2;
    block[63 - 5] = 0; /* separator inside the first 8 padding bytes */
    CHECK_RV(opgp_host_unpad_data(&di, sizeof msg, &n, msg), NTE_BAD_DATA);
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_ONE;
    CHECK_RV(opgp_host_unpad_data(&di, sizeof msg, &n, msg), ERROR_REVISION_MISMATCH);
}

const t_case mdc_multi_cases[] = {
    { "host.cache_rules", host_cache_rules, NULL },
    { "host.padding", host_padding, NULL },
    { "host.cache_threads", host_cache_threads, NULL },
    { "multi.two_contexts", two_contexts, NULL },
    { "multi.threads_one_context", threads_one_context, NULL },
    { "multi.threads_own_contexts", threads_own_contexts, NULL },
    { "multi.card_reset", card_reset, NULL },
    { "multi.reset_mid_operation", reset_mid_operation, NULL },
};
const size_t mdc_multi_count = sizeof mdc_multi_cases / sizeof mdc_multi_cases[0];
