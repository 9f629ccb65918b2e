/* The PKCS#11 test programs' shared steps (p11_test_module.h). */
#include "p11_test_module.h"

#include <dlfcn.h>

int p11t_failures;

CK_FUNCTION_LIST_PTR p11t_load(const char *path, void **lib)
{
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib != NULL)
        *lib = handle;
    if (handle == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return NULL;
    }
    CK_C_GetFunctionList gfl = (CK_C_GetFunctionList)dlsym(handle, "C_GetFunctionList");
    CK_FUNCTION_LIST_PTR f = NULL;
    if (gfl == NULL || gfl(&f) != CKR_OK || f == NULL) {
        fprintf(stderr, "%s: no function list from C_GetFunctionList\n", path);
        return NULL;
    }
    return f;
}

CK_SLOT_ID p11t_start(CK_FUNCTION_LIST_PTR f)
{
    RV(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID slot = 0;
    CK_ULONG n = 1;
    RV(f->C_GetSlotList(CK_TRUE, &slot, &n), CKR_OK);
    CHECK(n == 1);
    return slot;
}

CK_FUNCTION_LIST_PTR p11t_open(const char *path, CK_SLOT_ID *slot)
{
    CK_FUNCTION_LIST_PTR f = p11t_load(path, NULL);
    if (f != NULL)
        *slot = p11t_start(f);
    return f;
}

CK_OBJECT_HANDLE p11t_find(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls,
                           CK_BYTE id)
{
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, &id, 1 } };
    CK_OBJECT_HANDLE o[2] = { CK_INVALID_HANDLE, CK_INVALID_HANDLE };
    CK_ULONG n = 0;
    RV(f->C_FindObjectsInit(h, t, 2), CKR_OK);
    RV(f->C_FindObjects(h, o, 2, &n), CKR_OK);
    RV(f->C_FindObjectsFinal(h), CKR_OK);
    if (n != 1) {
        fprintf(stderr, "%lu objects of class %lu with CKA_ID %02x, want one\n", (unsigned long)n,
                (unsigned long)cls, id);
        p11t_failures++;
        return CK_INVALID_HANDLE;
    }
    return o[0];
}

CK_FLAGS p11t_user_pin_flags(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot)
{
    CK_TOKEN_INFO ti;
    memset(&ti, 0, sizeof ti);
    RV(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    return ti.flags & P11T_USER_PIN_FLAGS;
}

int p11t_write_file(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    int ok = fp != NULL && fwrite(p, 1, n, fp) == n;
    if (fp != NULL && fclose(fp) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "cannot write %s\n", path);
        p11t_failures++;
        return -1;
    }
    return 0;
}

CK_RV p11t_ecdh_raw(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key,
                    CK_BYTE *peer, size_t peer_len, CK_BYTE *z, size_t cap, CK_ULONG *zlen)
{
    CK_ECDH1_DERIVE_PARAMS prm = { CKD_NULL, 0, NULL, (CK_ULONG)peer_len, peer };
    CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &prm, sizeof prm };
    CK_OBJECT_CLASS sc = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE st[] = { { CKA_CLASS, &sc, sizeof sc }, { CKA_KEY_TYPE, &kt, sizeof kt },
                          { CKA_EXTRACTABLE, &yes, sizeof yes } };
    CK_OBJECT_HANDLE secret = CK_INVALID_HANDLE;
    *zlen = 0;
    CK_RV rv = f->C_DeriveKey(h, &mech, key, st, 3, &secret);
    if (rv != CKR_OK)
        return rv;
    CK_ATTRIBUTE va = { CKA_VALUE, z, (CK_ULONG)cap };
    rv = f->C_GetAttributeValue(h, secret, &va, 1);
    if (rv == CKR_OK)
        *zlen = va.ulValueLen;
    return rv;
}

int p11t_report(const char *pass_line)
{
    if (p11t_failures != 0) {
        fprintf(stderr, "%d failure(s)\n", p11t_failures);
        return 1;
    }
    printf("%s\n", pass_line);
    return 0;
}
