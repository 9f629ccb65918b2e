/* What the PKCS#11 test programs share: the module loaded as applications load it (dlopen and
 * C_GetFunctionList), checks that count failures and go on (so one run shows every broken
 * expectation), and the steps every program takes: the token's slot, one object by class and
 * CKA_ID, files for the calling script, ECDH with a peer's public value, the final verdict. */
#ifndef P11_TEST_MODULE_H
#define P11_TEST_MODULE_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pkcs11_v3.h"

extern int p11t_failures;

#define RV(call, want)                                                                \
    do {                                                                              \
        CK_RV got_ = (call);                                                          \
        if (got_ != (CK_RV)(want)) {                                                  \
            fprintf(stderr, "%s:%d: %s = 0x%lx, want 0x%lx (%s)\n", __FILE__, __LINE__, \
                    #call, (unsigned long)got_, (unsigned long)(want), #want);        \
            p11t_failures++;                                                          \
        }                                                                             \
    } while (0)
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);        \
            p11t_failures++;                                                          \
        }                                                                             \
    } while (0)
#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen(s)
#define P11T_USER_PIN_FLAGS (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED)

/* The module at path and its function list; NULL (the reason on stderr) when it cannot be
 * loaded. *lib (may be NULL) gets the dlopen handle. */
CK_FUNCTION_LIST_PTR p11t_load(const char *path, void **lib);
/* C_Initialize, then the one slot with a token (tests/with-card has one reader). */
CK_SLOT_ID p11t_start(CK_FUNCTION_LIST_PTR f);
/* p11t_load, then p11t_start: the function list (NULL when the module does not load) and the
 * token's slot in *slot. */
CK_FUNCTION_LIST_PTR p11t_open(const char *path, CK_SLOT_ID *slot);
/* The one object of class cls with CKA_ID id; CK_INVALID_HANDLE (counted) when not exactly one. */
CK_OBJECT_HANDLE p11t_find(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls,
                           CK_BYTE id);
/* The token's user PIN counter flags (P11T_USER_PIN_FLAGS). */
CK_FLAGS p11t_user_pin_flags(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot);
/* dir/name with n bytes of p; -1 (counted, the path on stderr) when it cannot be written. */
int p11t_write_file(const char *dir, const char *name, const void *p, size_t n);
/* CKM_ECDH1_DERIVE (CKD_NULL) of key with the peer's public value; the secret's CKA_VALUE into
 * z (cap bytes), its length in *zlen. The first failing call's CK_RV. */
CK_RV p11t_ecdh_raw(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key,
                    CK_BYTE *peer, size_t peer_len, CK_BYTE *z, size_t cap, CK_ULONG *zlen);
/* The exit status: 0 and pass_line on stdout when nothing failed, else 1 and the count. */
int p11t_report(const char *pass_line);

#endif
