/* ECDH through opgp-pkcs11 for the client tests, where pkcs11-tool cannot (X25519):
 *   p11_ecdh_tool MODULE PIN PEER OUT
 * logs in, takes the private key with CKA_ID 02 (decryption), derives with CKM_ECDH1_DERIVE
 * (CKD_NULL) and PEER's public value as the file holds it (04||X||Y, or X25519's 32 bytes),
 * and writes the secret's CKA_VALUE to OUT. Exit 0 on success. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "p11.h"

static int fail(const char *what, CK_RV rv)
{
    fprintf(stderr, "p11_ecdh_tool: %s: 0x%lx\n", what, (unsigned long)rv);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s MODULE PIN PEER OUT\n", argv[0]);
        return 2;
    }
    CK_BYTE peer[200];
    FILE *in = fopen(argv[3], "rb");
    size_t plen = in != NULL ? fread(peer, 1, sizeof peer, in) : 0;
    if (in != NULL)
        fclose(in);
    if (plen == 0 || plen == sizeof peer)
        return fail("peer file", 0);
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList gfl = lib ? (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList") : NULL;
    CK_FUNCTION_LIST_PTR f = NULL;
    if (gfl == NULL || gfl(&f) != CKR_OK)
        return fail("module", 0);
    CK_RV rv = f->C_Initialize(NULL);
    CK_SLOT_ID slot;
    CK_ULONG n = 1;
    if (rv == CKR_OK)
        rv = f->C_GetSlotList(CK_TRUE, &slot, &n);
    if (rv != CKR_OK || n == 0)
        return fail("slot", rv);
    CK_SESSION_HANDLE h;
    rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h);
    if (rv == CKR_OK)
        rv = f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)argv[2], (CK_ULONG)strlen(argv[2]));
    if (rv != CKR_OK)
        return fail("login", rv);
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_BYTE id = 2;
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, &id, 1 } };
    CK_OBJECT_HANDLE key;
    n = 0;
    rv = f->C_FindObjectsInit(h, t, 2);
    if (rv == CKR_OK)
        rv = f->C_FindObjects(h, &key, 1, &n);
    f->C_FindObjectsFinal(h);
    if (rv != CKR_OK || n != 1)
        return fail("find key", rv);
    CK_ECDH1_DERIVE_PARAMS prm = { CKD_NULL, 0, NULL, (CK_ULONG)plen, peer };
    CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &prm, sizeof prm };
    CK_OBJECT_CLASS sc = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE st[] = { { CKA_CLASS, &sc, sizeof sc }, { CKA_KEY_TYPE, &kt, sizeof kt },
                          { CKA_EXTRACTABLE, &yes, sizeof yes } };
    CK_OBJECT_HANDLE secret;
    rv = f->C_DeriveKey(h, &mech, key, st, 3, &secret);
    if (rv != CKR_OK)
        return fail("C_DeriveKey", rv);
    CK_BYTE z[128];
    CK_ATTRIBUTE va = { CKA_VALUE, z, sizeof z };
    rv = f->C_GetAttributeValue(h, secret, &va, 1);
    if (rv != CKR_OK)
        return fail("CKA_VALUE", rv);
    FILE *out = fopen(argv[4], "wb");
    if (out == NULL || fwrite(z, 1, va.ulValueLen, out) != va.ulValueLen)
        return fail("output", 0);
    fclose(out);
    f->C_Logout(h);
    f->C_Finalize(NULL);
    return 0;
}
