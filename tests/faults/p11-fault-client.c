/* p11-fault-client: drives opgp-pkcs11 through a script of steps while the simulated card behind
 * pcscd misbehaves on command (tests/sim/vpcd.c --control), and checks what the caller gets.
 *
 *   p11-fault-client MODULE STEP...
 *     login PIN      C_Login(CKU_USER)              logout      C_Logout
 *     sign           C_SignInit + C_Sign with the authentication key (CKA_ID 03), the signature
 *                    verified with $OPGP_TEST_PUBKEYS/aut.pem (a wrong one fails the run)
 *     list           C_FindObjects over every object (no login needed)
 *     ctl LINE       write LINE to $OPGP_SIM_CONTROL and wait (5 s at most) until the card took it
 *     reopen         close the sessions, wait (10 s at most) for a token, open a session
 *     gone           wait (10 s at most) until no slot has a token
 *     recover PIN    what an application does after an error: close the session, open one on
 *                    the first token, log in; again every 100 ms until that works (10 s at most)
 *     sleep MS
 *     =RV[|RV...]    the previous step's result must be one of these (OK, DEVICE_REMOVED,
 *                    DEVICE_ERROR, TOKEN_NOT_PRESENT, USER_NOT_LOGGED_IN, SESSION_HANDLE_INVALID,
 *                    FUNCTION_FAILED, PIN_INCORRECT, USER_ALREADY_LOGGED_IN, SESSION_CLOSED)
 *     <MS            the previous step took less than MS milliseconds
 * Every step's result and duration is printed. Exit 0 when every check held, 1 otherwise. A run
 * longer than 90 s is killed by SIGALRM (a hang is a failure, not a stuck test). */
#include <dlfcn.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR F;
static CK_SESSION_HANDLE sess = CK_INVALID_HANDLE;
static int failures;

static const struct { const char *name; CK_RV rv; } NAMES[] = {
    {"OK", CKR_OK},
    {"DEVICE_REMOVED", CKR_DEVICE_REMOVED},
    {"DEVICE_ERROR", CKR_DEVICE_ERROR},
    {"TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT},
    {"USER_NOT_LOGGED_IN", CKR_USER_NOT_LOGGED_IN},
    {"SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID},
    {"SESSION_CLOSED", CKR_SESSION_CLOSED},
    {"FUNCTION_FAILED", CKR_FUNCTION_FAILED},
    {"PIN_INCORRECT", CKR_PIN_INCORRECT},
    {"USER_ALREADY_LOGGED_IN", CKR_USER_ALREADY_LOGGED_IN},
    {"DEVICE_MEMORY", CKR_DEVICE_MEMORY},
    {"GENERAL_ERROR", CKR_GENERAL_ERROR},
    {"SIGNATURE_INVALID", CKR_SIGNATURE_INVALID},
    {"KEY_HANDLE_INVALID", CKR_KEY_HANDLE_INVALID},
    {"TOKEN_NOT_RECOGNIZED", CKR_TOKEN_NOT_RECOGNIZED},
};

static const char *rv_name(CK_RV rv)
{
    static char buf[32];
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (NAMES[i].rv == rv)
            return NAMES[i].name;
    snprintf(buf, sizeof buf, "0x%08lX", (unsigned long)rv);
    return buf;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static CK_RV token_slot(CK_SLOT_ID *slot, CK_ULONG *count)
{
    CK_SLOT_ID ids[8];
    CK_ULONG n = 0;
    /* the size query first, as applications do: it is where a module refreshes its list */
    CK_RV rv = F->C_GetSlotList(CK_TRUE, NULL, &n);
    n = 8;
    if (rv == CKR_OK)
        rv = F->C_GetSlotList(CK_TRUE, ids, &n);
    *count = rv == CKR_OK ? n : 0;
    if (rv == CKR_OK && n > 0)
        *slot = ids[0];
    return rv;
}

static CK_RV reopen(void)
{
    CK_SLOT_ID slot = 0;
    CK_ULONG n = 0;
    if (sess != CK_INVALID_HANDLE)
        F->C_CloseSession(sess);
    sess = CK_INVALID_HANDLE;
    for (int i = 0; i < 200; i++) {
        CK_RV rv = token_slot(&slot, &n);
        if (rv != CKR_OK)
            return rv;
        if (n > 0) {
            rv = F->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &sess);
            if (rv == CKR_OK)
                return rv;
        }
        sleep_ms(50);
    }
    return CKR_TOKEN_NOT_PRESENT;
}

static CK_RV gone(void)
{
    CK_SLOT_ID slot;
    CK_ULONG n = 1;
    for (int i = 0; i < 200 && n > 0; i++) {
        CK_RV rv = token_slot(&slot, &n);
        if (rv != CKR_OK)
            return rv;
        if (n > 0)
            sleep_ms(50);
    }
    return n == 0 ? CKR_OK : CKR_GENERAL_ERROR;
}

static CK_RV recover(const char *pin)
{
    CK_RV rv = CKR_GENERAL_ERROR;
    for (int i = 0; i < 100; i++) {
        if (sess != CK_INVALID_HANDLE)
            F->C_CloseSession(sess);
        sess = CK_INVALID_HANDLE;
        CK_SLOT_ID slot = 0;
        CK_ULONG n = 0;
        rv = token_slot(&slot, &n);
        if (rv == CKR_OK && n == 0)
            rv = CKR_TOKEN_NOT_PRESENT;
        if (rv == CKR_OK)
            rv = F->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &sess);
        if (rv == CKR_OK)
            rv = F->C_Login(sess, CKU_USER, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));
        if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
            return CKR_OK;
        sleep_ms(100);
    }
    return rv;
}

static CK_RV find_key(CK_OBJECT_HANDLE *key, CK_KEY_TYPE *type)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_BYTE id = 3;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, &id, 1}};
    CK_ULONG n = 0;
    CK_RV rv = F->C_FindObjectsInit(sess, t, 2);
    if (rv != CKR_OK)
        return rv;
    rv = F->C_FindObjects(sess, key, 1, &n);
    F->C_FindObjectsFinal(sess);
    if (rv == CKR_OK && n != 1)
        rv = CKR_KEY_HANDLE_INVALID;
    CK_ATTRIBUTE a = {CKA_KEY_TYPE, type, sizeof *type};
    if (rv == CKR_OK)
        rv = F->C_GetAttributeValue(sess, *key, &a, 1);
    return rv;
}

/* The card's signature checked with the exported public key: a fault must never turn into a
 * signature that does not verify. */
static int verify(const CK_BYTE *msg, size_t len, const CK_BYTE *sig, size_t sig_len, bool ec)
{
    char path[512];
    snprintf(path, sizeof path, "%s/aut.pem", getenv("OPGP_TEST_PUBKEYS") ? getenv("OPGP_TEST_PUBKEYS") : ".");
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    EVP_PKEY *pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (!pk)
        return -1;
    int ok = -1;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!ec) {
        if (c && EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, pk) == 1 &&
            EVP_DigestVerify(c, sig, sig_len, msg, len) == 1)
            ok = 0;
    } else if (sig_len % 2 == 0) {
        /* r||s to DER for OpenSSL */
        size_t h = sig_len / 2;
        ECDSA_SIG *es = ECDSA_SIG_new();
        unsigned char *der = NULL;
        int dl = -1;
        if (es && ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)h, NULL), BN_bin2bn(sig + h, (int)h, NULL)))
            dl = i2d_ECDSA_SIG(es, &der);
        if (dl > 0 && c && EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, pk) == 1 &&
            EVP_DigestVerify(c, der, (size_t)dl, msg, len) == 1)
            ok = 0;
        OPENSSL_free(der);
        ECDSA_SIG_free(es);
    }
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(pk);
    return ok;
}

static CK_RV sign(void)
{
    CK_OBJECT_HANDLE key;
    CK_KEY_TYPE type;
    CK_RV rv = find_key(&key, &type);
    if (rv != CKR_OK)
        return rv;
    bool ec = type == CKK_EC;
    CK_MECHANISM m = {ec ? CKM_ECDSA_SHA256 : CKM_SHA256_RSA_PKCS, NULL, 0};
    CK_BYTE msg[48], sig[1024];
    CK_ULONG sig_len = sizeof sig;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (CK_BYTE)rand();
    rv = F->C_SignInit(sess, &m, key);
    if (rv != CKR_OK)
        return rv;
    rv = F->C_Sign(sess, msg, sizeof msg, sig, &sig_len);
    if (rv == CKR_OK && verify(msg, sizeof msg, sig, sig_len, ec) != 0) {
        fprintf(stderr, "p11-fault-client: the signature does not verify\n");
        return CKR_SIGNATURE_INVALID;
    }
    return rv;
}

static CK_RV list(void)
{
    CK_OBJECT_HANDLE h[32];
    CK_ULONG n = 0;
    CK_RV rv = F->C_FindObjectsInit(sess, NULL, 0);
    if (rv != CKR_OK)
        return rv;
    rv = F->C_FindObjects(sess, h, 32, &n);
    F->C_FindObjectsFinal(sess);
    if (rv == CKR_OK && n == 0)
        rv = CKR_GENERAL_ERROR;
    return rv;
}

/* Atomically (write + rename) hand a line to the running simulator, then wait until it took it
 * (it removes the file). */
static CK_RV control(const char *line)
{
    const char *path = getenv("OPGP_SIM_CONTROL");
    if (!path)
        return CKR_GENERAL_ERROR;
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return CKR_GENERAL_ERROR;
    fprintf(f, "%s\n", line);
    fclose(f);
    if (rename(tmp, path) != 0)
        return CKR_GENERAL_ERROR;
    for (int i = 0; i < 500; i++) {
        if (access(path, F_OK) != 0)
            return CKR_OK;
        sleep_ms(10);
    }
    fprintf(stderr, "p11-fault-client: the card did not take \"%s\" within 5 s\n", line);
    return CKR_GENERAL_ERROR;
}

static bool rv_in(CK_RV rv, const char *list)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, "|"); tok; tok = strtok(NULL, "|"))
        if (strcmp(tok, rv_name(rv)) == 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: p11-fault-client MODULE STEP...\n");
        return 2;
    }
    alarm(90);
    srand((unsigned)time(NULL));
    void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList get = so ? (CK_C_GetFunctionList)dlsym(so, "C_GetFunctionList") : NULL;
    if (!get || get(&F) != CKR_OK || F->C_Initialize(NULL) != CKR_OK) {
        fprintf(stderr, "p11-fault-client: cannot load %s\n", argv[1]);
        return 1;
    }
    CK_RV last = reopen();
    double took = 0;
    printf("open: %s\n", rv_name(last));
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '=') {
            if (!rv_in(last, a + 1)) {
                printf("  FAIL: got %s, want %s\n", rv_name(last), a + 1);
                failures++;
            }
            continue;
        }
        if (a[0] == '<') {
            if (took >= atof(a + 1)) {
                printf("  FAIL: took %.0f ms, want < %s\n", took, a + 1);
                failures++;
            }
            continue;
        }
        double t0 = now_ms();
        if (strcmp(a, "login") == 0 && i + 1 < argc) {
            const char *pin = argv[++i];
            last = F->C_Login(sess, CKU_USER, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));
        } else if (strcmp(a, "logout") == 0) {
            last = F->C_Logout(sess);
        } else if (strcmp(a, "sign") == 0) {
            last = sign();
        } else if (strcmp(a, "list") == 0) {
            last = list();
        } else if (strcmp(a, "ctl") == 0 && i + 1 < argc) {
            last = control(argv[++i]);
            a = argv[i];
        } else if (strcmp(a, "recover") == 0 && i + 1 < argc) {
            last = recover(argv[++i]);
        } else if (strcmp(a, "reopen") == 0) {
            last = reopen();
        } else if (strcmp(a, "gone") == 0) {
            last = gone();
        } else if (strcmp(a, "sleep") == 0 && i + 1 < argc) {
            sleep_ms(atol(argv[++i]));
            last = CKR_OK;
        } else {
            fprintf(stderr, "p11-fault-client: unknown step %s\n", a);
            return 2;
        }
        took = now_ms() - t0;
        printf("%s: %s (%.0f ms)\n", a, rv_name(last), took);
        fflush(stdout);
    }
    if (sess != CK_INVALID_HANDLE)
        F->C_CloseSession(sess);
    F->C_Finalize(NULL);
    printf("%s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}
