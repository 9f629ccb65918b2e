/* Strict PKCS#11 API behaviour of opgp-pkcs11, loaded with dlopen as applications load it, on
 * the card tests/with-card provides (user PIN 123456). Usage: p11_api_test MODULE [--pps]
 * (--pps: the card asks for the PIN for every signature). Also walks the DER parser over every
 * truncation and many mutations of the card's certificate. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "p11.h"
#include "p11_test_module.h"

static CK_FUNCTION_LIST_PTR f;
static CK_FUNCTION_LIST_3_0 *f3;

static CK_RV dummy_mutex(CK_VOID_PTR_PTR m) { (void)m; return CKR_OK; }
static CK_RV dummy_mutex1(CK_VOID_PTR m) { (void)m; return CKR_OK; }

static void not_initialized(void)
{
    CK_INFO info;
    CK_SLOT_ID slot = 0;
    CK_ULONG n = 0;
    CK_SESSION_HANDLE h = 0;
    CK_BYTE buf[16];
    CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
    CK_ATTRIBUTE a = { CKA_CLASS, buf, sizeof buf };
    RV(f->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_GetSlotInfo(0, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_GetTokenInfo(0, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_GetMechanismList(0, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_CloseSession(1), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_CloseAllSessions(0), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_Login(1, CKU_USER, buf, 6), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_Logout(1), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_FindObjectsInit(1, NULL, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_GetAttributeValue(1, 1, &a, 1), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_SignInit(1, &mech, 1), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_Sign(1, buf, 1, buf, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_DecryptInit(1, &mech, 1), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_DeriveKey(1, &mech, 1, NULL, 0, &h), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_GenerateRandom(1, buf, 8), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_EncryptInit(1, &mech, 1), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_DigestInit(1, &mech), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f3->C_SessionCancel(1, CKF_SIGN), CKR_CRYPTOKI_NOT_INITIALIZED);
    RV(f3->C_SignMessageBegin(1, NULL, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static void initialize_args(void)
{
    CK_C_INITIALIZE_ARGS a;
    memset(&a, 0, sizeof a);
    a.pReserved = &a;
    RV(f->C_Initialize(&a), CKR_ARGUMENTS_BAD);
    memset(&a, 0, sizeof a);
    a.CreateMutex = dummy_mutex;
    RV(f->C_Initialize(&a), CKR_ARGUMENTS_BAD);
    a.DestroyMutex = dummy_mutex1;
    a.LockMutex = dummy_mutex1;
    a.UnlockMutex = dummy_mutex1;
    RV(f->C_Initialize(&a), CKR_CANT_LOCK);
    a.flags = CKF_OS_LOCKING_OK;
    RV(f->C_Initialize(&a), CKR_OK);
    RV(f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    RV(f->C_Finalize(&a), CKR_ARGUMENTS_BAD);
}

static CK_OBJECT_HANDLE find_one(CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, CK_BYTE id)
{
    return p11t_find(f, h, cls, id);
}

static CK_BBOOL bool_attr(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
    CK_BBOOL v = 2;
    CK_ATTRIBUTE a = { type, &v, sizeof v };
    RV(f->C_GetAttributeValue(h, o, &a, 1), CKR_OK);
    return v;
}

static void der_walk(const CK_BYTE *cert, size_t len)
{
    p11_der a, b, c;
    CHECK(p11_cert_fields(cert, len, &a, &b, &c));
    CHECK(a.p >= cert && a.p + a.len <= cert + len && c.p + c.len <= cert + len);
    for (size_t i = 0; i < len; i++)
        CHECK(!p11_cert_fields(cert, i, &a, &b, &c)); /* every truncation is refused */
    CK_BYTE *m = malloc(len);
    srand(7);
    for (int round = 0; round < 20000 && m != NULL; round++) {
        memcpy(m, cert, len);
        for (int k = 0; k < 1 + round % 4; k++)
            m[(size_t)rand() % len] = (CK_BYTE)rand();
        size_t cut = (size_t)rand() % (len + 1);
        if (p11_cert_fields(m, cut, &a, &b, &c))
            CHECK(a.p + a.len <= m + cut && b.p + b.len <= m + cut && c.p + c.len <= m + cut);
    }
    free(m);
}

static void with_token(bool pps)
{
    CK_ULONG n = 0;
    RV(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    CHECK(n >= 1);
    CK_SLOT_ID slots[8];
    CK_ULONG small = 0;
    RV(f->C_GetSlotList(CK_TRUE, slots, &small), CKR_BUFFER_TOO_SMALL);
    CHECK(small == n);
    n = 8;
    RV(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    CK_SLOT_ID slot = slots[0];
    CK_SLOT_INFO si;
    RV(f->C_GetSlotInfo(9999, &si), CKR_SLOT_ID_INVALID);
    RV(f->C_GetSlotInfo(slot, NULL), CKR_ARGUMENTS_BAD);
    RV(f->C_GetSlotInfo(slot, &si), CKR_OK);
    CHECK(si.flags & CKF_TOKEN_PRESENT);
    CK_TOKEN_INFO ti;
    RV(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    CHECK(memcmp(ti.label, "Card Test ", 10) == 0); /* the cardholder name "Test<<Card" */
    CHECK(!(ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED)));
    CK_SLOT_ID ev;
    RV(f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ev, NULL), CKR_NO_EVENT);

    CK_SESSION_HANDLE h;
    RV(f->C_OpenSession(slot, 0, NULL, NULL, &h), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    RV(f->C_CloseSession(h + 1000), CKR_SESSION_HANDLE_INVALID);
    CK_SESSION_INFO sinfo;
    RV(f->C_GetSessionInfo(h, &sinfo), CKR_OK);
    CHECK(sinfo.state == CKS_RO_PUBLIC_SESSION);

    /* Objects and attributes. */
    CK_OBJECT_HANDLE o[16];
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
    RV(f->C_FindObjects(h, o, 16, &n), CKR_OPERATION_NOT_INITIALIZED);
    RV(f->C_FindObjectsInit(h, &t, 1), CKR_OK);
    RV(f->C_FindObjectsInit(h, &t, 1), CKR_OPERATION_ACTIVE);
    RV(f->C_FindObjects(h, o, 16, &n), CKR_OK);
    CHECK(n == 0); /* private keys are private objects: none before login */
    RV(f->C_FindObjectsFinal(h), CKR_OK);
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"123", 3), CKR_PIN_LEN_RANGE);
    RV(f->C_Login(h, 77, (CK_UTF8CHAR_PTR)"123456", 6), CKR_USER_TYPE_INVALID);
    RV(f->C_Login(h, CKU_SO, (CK_UTF8CHAR_PTR)"12345678", 8), CKR_SESSION_READ_ONLY_EXISTS);
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"654321", 6), CKR_PIN_INCORRECT);
    RV(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    CHECK(ti.flags & CKF_USER_PIN_COUNT_LOW);
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), CKR_OK);
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), CKR_USER_ALREADY_LOGGED_IN);
    RV(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    CHECK(!(ti.flags & CKF_USER_PIN_COUNT_LOW));
    RV(f->C_GetSessionInfo(h, &sinfo), CKR_OK);
    CHECK(sinfo.state == CKS_RO_USER_FUNCTIONS);
    RV(f->C_FindObjectsInit(h, &t, 1), CKR_OK);
    RV(f->C_FindObjects(h, o, 16, &n), CKR_OK);
    CHECK(n == 3);
    RV(f->C_FindObjectsFinal(h), CKR_OK);
    CK_OBJECT_HANDLE sig = find_one(h, CKO_PRIVATE_KEY, 1);
    CK_OBJECT_HANDLE aut = find_one(h, CKO_PRIVATE_KEY, 3);
    CK_OBJECT_HANDLE cert = find_one(h, CKO_CERTIFICATE, 3);
    CK_OBJECT_HANDLE pub = find_one(h, CKO_PUBLIC_KEY, 3);
    char label[64];
    CK_BYTE big[4096];
    CK_ATTRIBUTE la = { CKA_LABEL, NULL, 0 };
    RV(f->C_GetAttributeValue(h, aut, &la, 1), CKR_OK);
    CHECK(la.ulValueLen == strlen("Authentication key"));
    la.pValue = label;
    la.ulValueLen = 3;
    RV(f->C_GetAttributeValue(h, aut, &la, 1), CKR_BUFFER_TOO_SMALL);
    CHECK(la.ulValueLen == CK_UNAVAILABLE_INFORMATION);
    CK_KEY_TYPE kt = 99;
    CK_ATTRIBUTE mix[3] = { { CKA_PRIVATE_EXPONENT, big, sizeof big }, { 0x7777, big, sizeof big },
                            { CKA_KEY_TYPE, &kt, sizeof kt } };
    CK_RV mrv = f->C_GetAttributeValue(h, aut, mix, 3);
    CHECK(mrv == CKR_ATTRIBUTE_SENSITIVE || mrv == CKR_ATTRIBUTE_TYPE_INVALID);
    CHECK(mix[0].ulValueLen == CK_UNAVAILABLE_INFORMATION);
    CHECK(mix[1].ulValueLen == CK_UNAVAILABLE_INFORMATION);
    CHECK(mix[2].ulValueLen == sizeof kt && kt != 99); /* the valid one is still answered */
    RV(f->C_GetAttributeValue(h, 0xdead, &la, 1), CKR_OBJECT_HANDLE_INVALID);
    CHECK(bool_attr(h, aut, CKA_ALWAYS_AUTHENTICATE) == CK_FALSE);
    CHECK(bool_attr(h, sig, CKA_ALWAYS_AUTHENTICATE) == (pps ? CK_TRUE : CK_FALSE));
    CHECK(bool_attr(h, pub, CKA_TOKEN) == CK_TRUE);
    CHECK(bool_attr(h, pub, CKA_PRIVATE) == CK_FALSE && bool_attr(h, aut, CKA_PRIVATE) == CK_TRUE);
    CK_ATTRIBUTE cv = { CKA_VALUE, big, sizeof big };
    RV(f->C_GetAttributeValue(h, cert, &cv, 1), CKR_OK);
    if (cv.ulValueLen != CK_UNAVAILABLE_INFORMATION)
        der_walk(big, cv.ulValueLen);

    /* Signing: login rules, size query, short buffer, state after errors. */
    CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_KEY_TYPE aut_type = 0;
    CK_ATTRIBUTE kta = { CKA_KEY_TYPE, &aut_type, sizeof aut_type };
    RV(f->C_GetAttributeValue(h, aut, &kta, 1), CKR_OK);
    if (aut_type == CKK_EC)
        mech.mechanism = CKM_ECDSA_SHA256;
    /* Logged out, the key refuses to sign. */
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_SignInit(h, &mech, aut), CKR_USER_NOT_LOGGED_IN);
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), CKR_OK);
    RV(f->C_SignInit(h, &mech, 0xbad), CKR_KEY_HANDLE_INVALID);
    RV(f->C_SignInit(h, &mech, pub), CKR_KEY_TYPE_INCONSISTENT);
    CK_MECHANISM pss = { CKM_RSA_PKCS_PSS, NULL, 0 };
    RV(f->C_SignInit(h, &pss, aut), CKR_MECHANISM_INVALID);
    RV(f->C_SignInit(h, &mech, aut), CKR_OK);
    RV(f->C_SignInit(h, &mech, aut), CKR_OPERATION_ACTIVE);
    CK_BYTE data[100] = { 1, 2, 3 };
    CK_BYTE sigbuf[1024];
    CK_ULONG slen = 0;
    RV(f->C_Sign(h, data, sizeof data, NULL, &slen), CKR_OK);
    CHECK(slen == 256 || slen == 64);
    CK_ULONG want = slen;
    slen = 10;
    RV(f->C_Sign(h, data, sizeof data, sigbuf, &slen), CKR_BUFFER_TOO_SMALL);
    CHECK(slen == want);
    slen = sizeof sigbuf;
    RV(f->C_Sign(h, data, sizeof data, sigbuf, &slen), CKR_OK);
    CHECK(slen == want);
    RV(f->C_Sign(h, data, sizeof data, sigbuf, &slen), CKR_OPERATION_NOT_INITIALIZED);
    RV(f->C_SignInit(h, &mech, aut), CKR_OK);
    RV(f->C_Sign(h, data, sizeof data, sigbuf, NULL), CKR_ARGUMENTS_BAD);
    RV(f->C_SignInit(h, &mech, aut), CKR_OK); /* the error ended the operation */
    RV(f3->C_SessionCancel(h, CKF_SIGN), CKR_OK);
    RV(f->C_SignUpdate(h, data, 1), CKR_OPERATION_NOT_INITIALIZED);

    /* The signature key: per-signature PIN when the card asks for it. */
    RV(f->C_SignInit(h, &mech, sig), CKR_OK);
    slen = sizeof sigbuf;
    RV(f->C_Sign(h, data, sizeof data, sigbuf, &slen), pps ? CKR_USER_NOT_LOGGED_IN : CKR_OK);
    if (pps) {
        RV(f->C_SignInit(h, &mech, sig), CKR_OK);
        RV(f->C_Login(h, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)"123456", 6), CKR_OK);
        slen = sizeof sigbuf;
        RV(f->C_Sign(h, data, sizeof data, sigbuf, &slen), CKR_OK);
        RV(f->C_SignInit(h, &mech, sig), CKR_OK);
        slen = sizeof sigbuf;
        RV(f->C_Sign(h, data, sizeof data, sigbuf, &slen), CKR_USER_NOT_LOGGED_IN);
    }
    RV(f->C_Login(h, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)"123456", 6),
       CKR_OPERATION_NOT_INITIALIZED);

    /* Random bytes from the card's GET CHALLENGE: two draws differ. */
    CK_BYTE rnd[300], rnd2[300];
    RV(f->C_GenerateRandom(h, rnd, sizeof rnd), CKR_OK);
    RV(f->C_GenerateRandom(h, rnd2, sizeof rnd2), CKR_OK);
    CHECK(memcmp(rnd, rnd2, sizeof rnd) != 0);
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_Logout(h), CKR_USER_NOT_LOGGED_IN);
    RV(f->C_CloseSession(h), CKR_OK);
    RV(f->C_CloseSession(h), CKR_SESSION_HANDLE_INVALID);

    /* Fork: the child starts uninitialised and may initialise for itself. */
    pid_t pid = fork();
    if (pid == 0) {
        CK_ULONG cn = 0;
        int bad = f->C_GetSlotList(CK_FALSE, NULL, &cn) != CKR_CRYPTOKI_NOT_INITIALIZED;
        bad |= f->C_Initialize(NULL) != CKR_OK;
        bad |= f->C_GetSlotList(CK_TRUE, NULL, &cn) != CKR_OK || cn < 1;
        bad |= f->C_Finalize(NULL) != CKR_OK;
        _exit(bad);
    }
    int status = 1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODULE [--pps]\n", argv[0]);
        return 2;
    }
    bool pps = argc > 2 && strcmp(argv[2], "--pps") == 0;
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    CK_C_GetFunctionList gfl = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
    CK_RV (*gi)(CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS) =
        (CK_RV (*)(CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS))dlsym(
            lib, "C_GetInterface");
    CHECK(dlsym(lib, "p11_enter") == NULL); /* only C_* is exported */
    if (gfl == NULL || gi == NULL) {
        fprintf(stderr, "missing entry points\n");
        return 1;
    }
    RV(gfl(NULL), CKR_ARGUMENTS_BAD);
    RV(gfl(&f), CKR_OK);
    CHECK(f->version.major == 2 && f->version.minor == 40);
    CK_VERSION v3 = { 3, 0 };
    CK_INTERFACE_PTR itf = NULL;
    RV(gi((CK_UTF8CHAR_PTR) "PKCS 11", &v3, &itf, 0), CKR_OK);
    CHECK(itf != NULL && (itf->flags & CKF_INTERFACE_FORK_SAFE));
    f3 = itf->pFunctionList;
    CHECK(f3->version.major == 3 && f3->C_GetInterface != NULL && f3->C_Sign == f->C_Sign);
    CK_VERSION v9 = { 9, 9 };
    RV(gi((CK_UTF8CHAR_PTR) "PKCS 11", &v9, &itf, 0), CKR_ARGUMENTS_BAD);

    not_initialized();
    initialize_args();
    CK_INFO info;
    RV(f3->C_GetInfo(&info), CKR_OK);
    CHECK(info.cryptokiVersion.major == 3);
    RV(f->C_GetInfo(&info), CKR_OK);
    CHECK(info.cryptokiVersion.major == 2 && info.cryptokiVersion.minor == 40);
    with_token(pps);
    RV(f->C_Finalize(NULL), CKR_OK);
    not_initialized();
    if (getenv("P11_TEST_KEEP_MODULE") == NULL) /* LeakSanitizer needs its symbols */
        dlclose(lib);
    return p11t_report("PASS");
}
