/* p11-sign-loop: the benchmark's PKCS#11 client. Loads a module, opens the first slot with a token
 * and either
 *   sign N   logs in once and signs N times with the private key of CKA_ID --id (default 03);
 *   certs    reads every certificate's CKA_VALUE (C_FindObjects CKO_CERTIFICATE) without login.
 *
 *   p11-sign-loop --module SO [--pin PIN] [--id HEX] [--mech sha256-rsa|ecdsa-sha256|ecdsa]
 *                 sign N | certs
 * Prints one line of what it did ("signatures N bytes B" / "certificates N bytes B"); exit 0 on
 * success, 1 on a PKCS#11 error (with the function and CK_RV on stderr), 2 on usage. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR F;

static int failed(const char *what, CK_RV rv)
{
    fprintf(stderr, "p11-sign-loop: %s: CK_RV 0x%08lX\n", what, (unsigned long)rv);
    return 1;
}

static int parse_hex(const char *s, CK_BYTE *out, size_t cap, size_t *len)
{
    size_t n = strlen(s);
    if (n == 0 || n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (CK_BYTE)v;
    }
    *len = n / 2;
    return 0;
}

static int first_token_slot(CK_SLOT_ID *slot)
{
    CK_ULONG n = 0;
    CK_RV rv = F->C_GetSlotList(CK_TRUE, NULL, &n);
    if (rv != CKR_OK)
        return failed("C_GetSlotList", rv);
    if (n == 0) {
        fprintf(stderr, "p11-sign-loop: no token\n");
        return 1;
    }
    CK_SLOT_ID *ids = calloc(n, sizeof *ids);
    if (!ids)
        return 1;
    rv = F->C_GetSlotList(CK_TRUE, ids, &n);
    *slot = ids[0];
    free(ids);
    return rv == CKR_OK ? 0 : failed("C_GetSlotList", rv);
}

static int read_certs(CK_SESSION_HANDLE s)
{
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}};
    CK_RV rv = F->C_FindObjectsInit(s, tmpl, 1);
    if (rv != CKR_OK)
        return failed("C_FindObjectsInit", rv);
    CK_OBJECT_HANDLE h[16];
    CK_ULONG n = 0;
    rv = F->C_FindObjects(s, h, 16, &n);
    F->C_FindObjectsFinal(s);
    if (rv != CKR_OK)
        return failed("C_FindObjects", rv);
    unsigned long total = 0;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_ATTRIBUTE a = {CKA_VALUE, NULL, 0};
        rv = F->C_GetAttributeValue(s, h[i], &a, 1);
        if (rv != CKR_OK)
            return failed("C_GetAttributeValue (length)", rv);
        a.pValue = malloc(a.ulValueLen ? a.ulValueLen : 1);
        if (!a.pValue)
            return 1;
        rv = F->C_GetAttributeValue(s, h[i], &a, 1);
        free(a.pValue);
        if (rv != CKR_OK)
            return failed("C_GetAttributeValue", rv);
        total += a.ulValueLen;
    }
    printf("certificates %lu bytes %lu\n", (unsigned long)n, total);
    return n > 0 ? 0 : 1;
}

static int sign_loop(CK_SESSION_HANDLE s, const char *pin, const CK_BYTE *id, size_t id_len,
                     CK_MECHANISM_TYPE mech, long count)
{
    CK_RV rv = F->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
        return failed("C_Login", rv);
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, (void *)id, id_len}};
    CK_OBJECT_HANDLE key;
    CK_ULONG n = 0;
    rv = F->C_FindObjectsInit(s, tmpl, 2);
    if (rv == CKR_OK)
        rv = F->C_FindObjects(s, &key, 1, &n);
    F->C_FindObjectsFinal(s);
    if (rv != CKR_OK || n != 1) {
        fprintf(stderr, "p11-sign-loop: no private key with that id\n");
        return 1;
    }
    /* ECDSA without hashing takes a digest-sized input; the others hash this message. */
    CK_BYTE msg[32];
    unsigned long bytes = 0;
    for (long i = 0; i < count; i++) {
        memset(msg, (int)(i & 0xFF), sizeof msg);
        CK_MECHANISM m = {mech, NULL, 0};
        CK_BYTE sig[1024];
        CK_ULONG sig_len = sizeof sig;
        rv = F->C_SignInit(s, &m, key);
        if (rv != CKR_OK)
            return failed("C_SignInit", rv);
        rv = F->C_Sign(s, msg, sizeof msg, sig, &sig_len);
        if (rv != CKR_OK)
            return failed("C_Sign", rv);
        bytes += sig_len;
    }
    printf("signatures %ld bytes %lu\n", count, bytes);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: p11-sign-loop --module SO [--pin PIN] [--id HEX] "
                    "[--mech sha256-rsa|ecdsa-sha256|ecdsa] sign N | certs\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *module = NULL, *pin = "123456", *mode = NULL;
    CK_BYTE id[32] = {0x03};
    size_t id_len = 1;
    CK_MECHANISM_TYPE mech = CKM_SHA256_RSA_PKCS;
    long count = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc)
            return usage();
        if (strcmp(argv[i], "--module") == 0)
            module = argv[i + 1];
        else if (strcmp(argv[i], "--pin") == 0)
            pin = argv[i + 1];
        else if (strcmp(argv[i], "--id") == 0) {
            if (parse_hex(argv[i + 1], id, sizeof id, &id_len) != 0)
                return usage();
        } else if (strcmp(argv[i], "--mech") == 0) {
            if (strcmp(argv[i + 1], "sha256-rsa") == 0)
                mech = CKM_SHA256_RSA_PKCS;
            else if (strcmp(argv[i + 1], "ecdsa-sha256") == 0)
                mech = CKM_ECDSA_SHA256;
            else if (strcmp(argv[i + 1], "ecdsa") == 0)
                mech = CKM_ECDSA;
            else
                return usage();
        } else
            return usage();
    }
    if (!module || i >= argc)
        return usage();
    mode = argv[i];
    if (strcmp(mode, "sign") == 0) {
        if (i + 1 >= argc || (count = strtol(argv[i + 1], NULL, 10)) < 1)
            return usage();
    } else if (strcmp(mode, "certs") != 0)
        return usage();

    void *so = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    if (!so) {
        fprintf(stderr, "p11-sign-loop: %s\n", dlerror());
        return 1;
    }
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(so, "C_GetFunctionList");
    if (!get || get(&F) != CKR_OK)
        return failed("C_GetFunctionList", CKR_GENERAL_ERROR);
    CK_RV rv = F->C_Initialize(NULL);
    if (rv != CKR_OK)
        return failed("C_Initialize", rv);
    CK_SLOT_ID slot;
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    int rc = first_token_slot(&slot);
    if (rc == 0) {
        rv = F->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
        if (rv != CKR_OK)
            rc = failed("C_OpenSession", rv);
    }
    if (rc == 0)
        rc = strcmp(mode, "certs") == 0 ? read_certs(s) : sign_loop(s, pin, id, id_len, mech, count);
    if (s != CK_INVALID_HANDLE)
        F->C_CloseSession(s);
    F->C_Finalize(NULL);
    /* the module stays loaded: some register atexit handlers */
    return rc;
}
