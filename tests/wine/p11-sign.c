/* p11-sign.exe: a signature through opgp-pkcs11.dll as a Windows PKCS#11 application makes one
 * (Firefox, OpenVPN, ssh-agent ports), under Wine with nothing of ours linked in.
 *
 *   p11-sign [--dll PATH] [--key aut|sig] [--pin PIN | --pin-stdin] --in FILE --out FILE
 *
 * C_GetFunctionList, C_Initialize, the first slot with a token, C_Login(CKU_USER), the private
 * key by CKA_ID (the module's ids: 3 authentication, 1 signature, see bridge/pkcs11), then
 * CKM_SHA256_RSA_PKCS or CKM_ECDSA_SHA256 over the file (the module hashes). ECDSA's r||s is
 * written as DER so that OpenSSL verifies it; RSA is written as is. A key marked
 * CKA_ALWAYS_AUTHENTICATE gets its C_Login(CKU_CONTEXT_SPECIFIC) after C_SignInit. Exit 0 on
 * success; every failure names the call and its CKR_ code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include "pkcs11_v3.h"
#include "sign_common.h"

#define MAX_INPUT (16u << 20)

static int failed(const char *call, CK_RV rv)
{
    fprintf(stderr, "p11-sign: %s failed: CKR 0x%08lX\n", call, (unsigned long)rv);
    return 1;
}

/* A fixed-width PKCS#11 string (blank padded) for printing. */
static void print_padded(const char *label, const CK_UTF8CHAR *s, size_t n)
{
    while (n > 0 && s[n - 1] == ' ')
        n--;
    printf("%s%.*s\n", label, (int)n, (const char *)s);
}

struct options {
    sign_options common;
    CK_BYTE key_id;
};

static BOOL key_option(const char *name, const char *v, void *arg)
{
    struct options *o = arg;
    if (strcmp(name, "--key") != 0)
        return FALSE;
    if (strcmp(v, "aut") == 0)
        o->key_id = 3;
    else if (strcmp(v, "sig") == 0)
        o->key_id = 1;
    else
        return FALSE;
    return TRUE;
}

static int parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->common.dll = "opgp-pkcs11.dll";
    o->key_id = 3;
    return sign_parse(argc, argv, &o->common,
                      "usage: p11-sign [--dll PATH] [--key aut|sig] [--pin PIN | --pin-stdin] "
                      "--in FILE --out FILE\n",
                      key_option, o);
}

static BYTE *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "p11-sign: cannot open %s\n", path);
        return NULL;
    }
    BYTE *buf = malloc(MAX_INPUT);
    size_t n = buf != NULL ? fread(buf, 1, MAX_INPUT, f) : 0;
    BOOL ok = buf != NULL && !ferror(f) && n < MAX_INPUT;
    fclose(f);
    if (!ok) {
        fprintf(stderr, "p11-sign: cannot read %s (or larger than %u bytes)\n", path, MAX_INPUT);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int first_token_slot(CK_FUNCTION_LIST_PTR p11, CK_SLOT_ID *slot)
{
    CK_SLOT_ID slots[16];
    CK_ULONG n = sizeof slots / sizeof slots[0];
    CK_RV rv = p11->C_GetSlotList(CK_TRUE, slots, &n);
    if (rv != CKR_OK)
        return failed("C_GetSlotList", rv);
    if (n == 0) {
        fprintf(stderr, "p11-sign: no slot with a token\n");
        return 1;
    }
    *slot = slots[0];
    CK_SLOT_INFO si;
    CK_TOKEN_INFO ti;
    rv = p11->C_GetSlotInfo(*slot, &si);
    if (rv != CKR_OK)
        return failed("C_GetSlotInfo", rv);
    rv = p11->C_GetTokenInfo(*slot, &ti);
    if (rv != CKR_OK)
        return failed("C_GetTokenInfo", rv);
    print_padded("Slot: ", si.slotDescription, sizeof si.slotDescription);
    print_padded("Token: ", ti.label, sizeof ti.label);
    print_padded("Serial: ", ti.serialNumber, sizeof ti.serialNumber);
    return 0;
}

static int find_key(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_BYTE id,
                    CK_OBJECT_HANDLE *key)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[] = {
        { CKA_CLASS, &cls, sizeof cls },
        { CKA_ID, &id, 1 },
    };
    CK_RV rv = p11->C_FindObjectsInit(s, tmpl, 2);
    if (rv != CKR_OK)
        return failed("C_FindObjectsInit", rv);
    CK_ULONG n = 0;
    rv = p11->C_FindObjects(s, key, 1, &n);
    CK_RV rv2 = p11->C_FindObjectsFinal(s);
    if (rv != CKR_OK)
        return failed("C_FindObjects", rv);
    if (rv2 != CKR_OK)
        return failed("C_FindObjectsFinal", rv2);
    if (n == 0) {
        fprintf(stderr, "p11-sign: no private key with CKA_ID %02X\n", id);
        return 1;
    }
    return 0;
}

static int sign(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, const struct options *o,
                const char *pin)
{
    CK_OBJECT_HANDLE key;
    if (find_key(p11, s, o->key_id, &key) != 0)
        return 1;
    char label[128];
    CK_KEY_TYPE type = 0;
    CK_BBOOL always = CK_FALSE;
    CK_ATTRIBUTE attrs[] = {
        { CKA_KEY_TYPE, &type, sizeof type },
        { CKA_LABEL, label, sizeof label - 1 },
        { CKA_ALWAYS_AUTHENTICATE, &always, sizeof always },
    };
    CK_RV rv = p11->C_GetAttributeValue(s, key, attrs, 3);
    if (rv != CKR_OK)
        return failed("C_GetAttributeValue", rv);
    label[attrs[1].ulValueLen] = 0;
    BOOL rsa = type == CKK_RSA;
    if (!rsa && type != CKK_EC) {
        fprintf(stderr, "p11-sign: key type 0x%lX is neither RSA nor EC\n", (unsigned long)type);
        return 1;
    }
    printf("Key: \"%s\" (CKA_ID %02X), %s%s\n", label, o->key_id, rsa ? "RSA" : "EC",
           always ? ", CKA_ALWAYS_AUTHENTICATE" : "");

    size_t in_len;
    BYTE *in = read_file(o->common.in, &in_len);
    if (in == NULL)
        return 1;
    CK_MECHANISM mech = { rsa ? CKM_SHA256_RSA_PKCS : CKM_ECDSA_SHA256, NULL, 0 };
    BYTE sig[1024], out[1024];
    CK_ULONG sig_len = sizeof sig;
    int err = 0;
    rv = p11->C_SignInit(s, &mech, key);
    if (rv != CKR_OK)
        err = failed("C_SignInit", rv);
    if (!err && always) {
        rv = p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)pin, strlen(pin));
        if (rv != CKR_OK)
            err = failed("C_Login(CKU_CONTEXT_SPECIFIC)", rv);
    }
    if (!err) {
        rv = p11->C_Sign(s, in, (CK_ULONG)in_len, sig, &sig_len);
        if (rv != CKR_OK)
            err = failed("C_Sign", rv);
    }
    free(in);
    if (err)
        return err;
    if (!rsa && (sig_len % 2 || sig_len > 2 * 66))
        return failed("C_Sign (ECDSA signature length)", CKR_GENERAL_ERROR);
    size_t out_len = rsa ? sig_len : ecdsa_der(sig, sig_len, out);
    printf("Signature: %s, %lu bytes from the module\n",
           rsa ? "CKM_SHA256_RSA_PKCS" : "CKM_ECDSA_SHA256", (unsigned long)sig_len);
    if (write_file("p11-sign", o->common.out, rsa ? sig : out, out_len) != 0)
        return 1;
    printf("Wrote %s (%lu bytes)\n", o->common.out, (unsigned long)out_len);
    return 0;
}

int main(int argc, char **argv)
{
    /* Unbuffered: a run that prints nothing at all is one Wine never started (tests/wine/tests/
     * common.inc, wine_to), and a crash still shows what came before it. */
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
    struct options o;
    int err = parse(argc, argv, &o);
    if (err)
        return err;
    HMODULE lib = LoadLibraryExA(o.common.dll, NULL,
                                 strpbrk(o.common.dll, "\\/") ? LOAD_WITH_ALTERED_SEARCH_PATH : 0);
    if (lib == NULL) {
        fprintf(stderr, "p11-sign: cannot load %s: error %lu\n", o.common.dll,
                (unsigned long)GetLastError());
        return 1;
    }
    CK_C_GetFunctionList get =
        (CK_C_GetFunctionList)(void (*)(void))GetProcAddress(lib, "C_GetFunctionList");
    if (get == NULL) {
        fprintf(stderr, "p11-sign: GetProcAddress(C_GetFunctionList) failed: error %lu\n",
                (unsigned long)GetLastError());
        FreeLibrary(lib);
        return 1;
    }
    CK_FUNCTION_LIST_PTR p11 = NULL;
    CK_RV rv = get(&p11);
    if (rv != CKR_OK || p11 == NULL) {
        FreeLibrary(lib);
        return failed("C_GetFunctionList", rv);
    }
    CK_C_INITIALIZE_ARGS init = { .flags = CKF_OS_LOCKING_OK };
    rv = p11->C_Initialize(&init);
    if (rv != CKR_OK) {
        FreeLibrary(lib);
        return failed("C_Initialize", rv);
    }
    CK_INFO info;
    if (p11->C_GetInfo(&info) == CKR_OK)
        print_padded("Module: ", info.libraryDescription, sizeof info.libraryDescription);

    CK_SLOT_ID slot = 0;
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    char pin[128] = "";
    err = first_token_slot(p11, &slot);
    if (!err) {
        rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
        if (rv != CKR_OK)
            err = failed("C_OpenSession", rv);
    }
    if (!err)
        err = sign_read_pin("p11-sign", &o.common, pin, sizeof pin);
    if (!err) {
        rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
        if (rv != CKR_OK)
            err = failed("C_Login(CKU_USER)", rv);
    }
    if (!err) {
        err = sign(p11, s, &o, pin);
        rv = p11->C_Logout(s);
        if (rv != CKR_OK && !err)
            err = failed("C_Logout", rv);
    }
    wipe(pin, sizeof pin);
    if (s != CK_INVALID_HANDLE)
        p11->C_CloseSession(s);
    rv = p11->C_Finalize(NULL);
    if (rv != CKR_OK && !err)
        err = failed("C_Finalize", rv);
    FreeLibrary(lib);
    return err;
}
