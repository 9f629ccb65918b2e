/* p11-stress: THREADS threads of one process, each with its own session on the first token,
 * sign N times each with the authentication key (CKA_ID 03, SHA256-RSA or ECDSA-SHA256); every
 * signature is verified with $OPGP_TEST_PUBKEYS/aut.pem, so an answer meant for another caller
 * fails the run.
 *
 *   p11-stress MODULE THREADS N [--tolerate]
 * --tolerate (a card removed on purpose meanwhile): an error that says the card went away or
 * came back (DEVICE_REMOVED, DEVICE_ERROR, TOKEN_NOT_PRESENT, TOKEN_NOT_RECOGNIZED,
 * SESSION_HANDLE_INVALID, SESSION_CLOSED, USER_NOT_LOGGED_IN, stale key handles) is counted, the thread opens a new session, logs in again
 * and goes on until it has N verified signatures (60 s at most). Any other error, or a signature
 * that does not verify, fails. Exit 0 on success; one summary line on stdout.
 * Env: OPGP_STRESS_READER picks the token in the reader of that name (default: the first token),
 * OPGP_STRESS_PIN its user PIN (123456), OPGP_STRESS_PUBKEYS the directory with its aut.pem
 * ($OPGP_TEST_PUBKEYS). */
#include <dlfcn.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR F;
static EVP_PKEY *pub;
static long per_thread;
static bool tolerate;
static pthread_mutex_t login_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *want_reader, *user_pin = "123456";

/* The token to use: the first, or the one in the reader named by OPGP_STRESS_READER. */
static bool pick_slot(const CK_SLOT_ID *ids, CK_ULONG n, CK_SLOT_ID *out)
{
    for (CK_ULONG i = 0; i < n; i++) {
        CK_SLOT_INFO si;
        if (want_reader && (F->C_GetSlotInfo(ids[i], &si) != CKR_OK ||
                            strncmp((const char *)si.slotDescription, want_reader,
                                    strlen(want_reader)) != 0))
            continue;
        *out = ids[i];
        return true;
    }
    return false;
}

typedef struct worker {
    pthread_t th;
    unsigned seed;
    long good, tolerated;
    CK_RV fatal;
} worker;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static bool verify(const CK_BYTE *msg, size_t len, const CK_BYTE *sig, size_t sig_len)
{
    bool ok = false;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (EVP_PKEY_base_id(pub) == EVP_PKEY_RSA) {
        ok = c && EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, pub) == 1 &&
             EVP_DigestVerify(c, sig, sig_len, msg, len) == 1;
    } else if (sig_len % 2 == 0) {
        size_t h = sig_len / 2;
        ECDSA_SIG *es = ECDSA_SIG_new();
        unsigned char *der = NULL;
        int dl = -1;
        if (es && ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)h, NULL), BN_bin2bn(sig + h, (int)h, NULL)))
            dl = i2d_ECDSA_SIG(es, &der);
        ok = dl > 0 && c && EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, pub) == 1 &&
             EVP_DigestVerify(c, der, (size_t)dl, msg, len) == 1;
        OPENSSL_free(der);
        ECDSA_SIG_free(es);
    }
    EVP_MD_CTX_free(c);
    return ok;
}

static bool card_went_away(CK_RV rv)
{
    return rv == CKR_DEVICE_REMOVED || rv == CKR_DEVICE_ERROR || rv == CKR_TOKEN_NOT_PRESENT ||
           rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
           rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_KEY_HANDLE_INVALID ||
           rv == CKR_OBJECT_HANDLE_INVALID ||
           /* a token opened while the card was leaving: the module marks the slot, and its
            * next slot list refresh clears the mark */
           rv == CKR_TOKEN_NOT_RECOGNIZED;
}

/* A session on the first token, logged in (the login is the application's, shared by its
 * sessions: one thread at a time does it), and the key. */
static CK_RV open_session(CK_SESSION_HANDLE *s, CK_OBJECT_HANDLE *key)
{
    CK_SLOT_ID ids[8];
    CK_ULONG n = 0;
    CK_RV rv = F->C_GetSlotList(CK_TRUE, NULL, &n);
    n = 8;
    if (rv == CKR_OK)
        rv = F->C_GetSlotList(CK_TRUE, ids, &n);
    CK_SLOT_ID slot = 0;
    if (rv == CKR_OK && !pick_slot(ids, n, &slot))
        rv = CKR_TOKEN_NOT_PRESENT;
    if (rv == CKR_OK)
        rv = F->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, s);
    if (rv != CKR_OK)
        return rv;
    pthread_mutex_lock(&login_lock);
    rv = F->C_Login(*s, CKU_USER, (CK_UTF8CHAR_PTR)user_pin, (CK_ULONG)strlen(user_pin));
    pthread_mutex_unlock(&login_lock);
    if (rv == CKR_USER_ALREADY_LOGGED_IN)
        rv = CKR_OK;
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_BYTE id = 3;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, &id, 1}};
    if (rv == CKR_OK)
        rv = F->C_FindObjectsInit(*s, t, 2);
    if (rv == CKR_OK) {
        rv = F->C_FindObjects(*s, key, 1, &n);
        F->C_FindObjectsFinal(*s);
        if (rv == CKR_OK && n != 1)
            rv = CKR_KEY_HANDLE_INVALID;
    }
    if (rv != CKR_OK) {
        F->C_CloseSession(*s);
        *s = CK_INVALID_HANDLE;
    }
    return rv;
}

static void *work(void *arg)
{
    worker *w = arg;
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE key = 0;
    CK_MECHANISM m = {EVP_PKEY_base_id(pub) == EVP_PKEY_RSA ? CKM_SHA256_RSA_PKCS
                                                            : CKM_ECDSA_SHA256, NULL, 0};
    time_t deadline = time(NULL) + 120;
    while (w->good < per_thread && time(NULL) < deadline) {
        CK_RV rv = CKR_OK;
        if (s == CK_INVALID_HANDLE)
            rv = open_session(&s, &key);
        CK_BYTE msg[40], sig[1024];
        CK_ULONG sig_len = sizeof sig;
        for (size_t i = 0; i < sizeof msg; i++)
            msg[i] = (CK_BYTE)rand_r(&w->seed);
        if (rv == CKR_OK)
            rv = F->C_SignInit(s, &m, key);
        if (rv == CKR_OK)
            rv = F->C_Sign(s, msg, sizeof msg, sig, &sig_len);
        if (rv == CKR_OK) {
            if (!verify(msg, sizeof msg, sig, sig_len)) {
                w->fatal = CKR_SIGNATURE_INVALID;
                break;
            }
            w->good++;
            continue;
        }
        if (!tolerate || !card_went_away(rv)) {
            w->fatal = rv;
            break;
        }
        w->tolerated++;
        if (s != CK_INVALID_HANDLE)
            F->C_CloseSession(s);
        s = CK_INVALID_HANDLE;
        sleep_ms(50);
    }
    if (s != CK_INVALID_HANDLE)
        F->C_CloseSession(s);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: p11-stress MODULE THREADS N [--tolerate]\n");
        return 2;
    }
    long threads = atol(argv[2]);
    per_thread = atol(argv[3]);
    tolerate = argc > 4 && strcmp(argv[4], "--tolerate") == 0;
    if (threads < 1 || threads > 64 || per_thread < 1)
        return 2;
    want_reader = getenv("OPGP_STRESS_READER");
    if (getenv("OPGP_STRESS_PIN"))
        user_pin = getenv("OPGP_STRESS_PIN");
    const char *dir = getenv("OPGP_STRESS_PUBKEYS") ? getenv("OPGP_STRESS_PUBKEYS")
                                                    : getenv("OPGP_TEST_PUBKEYS");
    char path[512];
    snprintf(path, sizeof path, "%s/aut.pem", dir ? dir : ".");
    FILE *f = fopen(path, "r");
    pub = f ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (!pub) {
        fprintf(stderr, "p11-stress: no public key %s\n", path);
        return 1;
    }
    void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList get = so ? (CK_C_GetFunctionList)dlsym(so, "C_GetFunctionList") : NULL;
    CK_C_INITIALIZE_ARGS ia = {.flags = CKF_OS_LOCKING_OK};
    if (!get || get(&F) != CKR_OK || F->C_Initialize(&ia) != CKR_OK) {
        fprintf(stderr, "p11-stress: cannot load %s\n", argv[1]);
        return 1;
    }
    worker *w = calloc((size_t)threads, sizeof *w);
    if (!w)
        return 1;
    for (long i = 0; i < threads; i++) {
        w[i].seed = (unsigned)(getpid() * 131 + i);
        pthread_create(&w[i].th, NULL, work, &w[i]);
    }
    long good = 0, tol = 0;
    int rc = 0;
    for (long i = 0; i < threads; i++) {
        pthread_join(w[i].th, NULL);
        good += w[i].good;
        tol += w[i].tolerated;
        if (w[i].fatal != CKR_OK || w[i].good != per_thread) {
            fprintf(stderr, "p11-stress[%d]: thread %ld: %ld/%ld signatures, error CK_RV 0x%08lX\n",
                    (int)getpid(), i, w[i].good, per_thread, (unsigned long)w[i].fatal);
            rc = 1;
        }
    }
    F->C_Finalize(NULL);
    printf("p11-stress[%d]: %ld threads, %ld verified signatures, %ld tolerated errors\n",
           (int)getpid(), threads, good, tol);
    free(w);
    EVP_PKEY_free(pub);
    return rc;
}
