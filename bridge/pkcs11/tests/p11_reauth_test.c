/* The card forgets a verification behind a logged-in session (another process's logout: PC/SC
 * shared access) and the module verifies again once with the PIN of the login; a PIN changed
 * behind our back is reported as wrong after one VERIFY and never sent again.
 *
 *   p11_reauth_test MODULE loop N DIR   log in, write DIR/ready, wait for DIR/../go, sign N
 *                                       times with the authentication key (id 03, SHA256-RSA),
 *                                       log out; DIR/in and DIR/sigK (K < 3) keep a message
 *                                       and its signatures for openssl
 *   p11_reauth_test MODULE changed      log in, sign; run $OPGP_REAUTH_BEHIND (changes the PIN
 *                                       to 654321 and logs PW1 out, as another process); the
 *                                       next signature: CKR_PIN_INCORRECT; the one after it:
 *                                       CKR_USER_NOT_LOGGED_IN (nothing sent); the token shows
 *                                       a try spent; a new login with 654321 signs.
 * Inside tests/with-card (user PIN 123456). Exit 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p11_test_module.h"

static CK_FUNCTION_LIST_PTR f;
static CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };

static CK_OBJECT_HANDLE find_key(CK_SESSION_HANDLE h)
{
    return p11t_find(f, h, CKO_PRIVATE_KEY, 3);
}

static CK_RV sign(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, const CK_BYTE *msg, size_t len,
                  CK_BYTE *sig, CK_ULONG *sig_len)
{
    CK_RV rv = f->C_SignInit(h, &mech, key);
    if (rv != CKR_OK)
        return rv;
    return f->C_Sign(h, (CK_BYTE_PTR)msg, (CK_ULONG)len, sig, sig_len);
}

static int loop(CK_SESSION_HANDLE h, long count, const char *dir)
{
    static const CK_BYTE msg[] = "signed by several processes at once";
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), CKR_OK);
    CK_OBJECT_HANDLE key = find_key(h);
    if (p11t_write_file(dir, "in", msg, sizeof msg) == 0)
        p11t_write_file(dir, "ready", "", 0);
    /* Every process logged in before any signs: their logouts then land among the others'
     * signatures. */
    char go[4096];
    snprintf(go, sizeof go, "%s/../go", dir);
    for (int i = 0; i < 3000; i++) {
        FILE *fp = fopen(go, "rb");
        if (fp != NULL) {
            fclose(fp);
            break;
        }
        usleep(10 * 1000);
    }
    for (long i = 0; i < count; i++) {
        CK_BYTE sig[512];
        CK_ULONG slen = sizeof sig;
        CK_RV rv = sign(h, key, msg, sizeof msg, sig, &slen);
        if (rv != CKR_OK) {
            fprintf(stderr, "signature %ld: CK_RV 0x%lx\n", i, (unsigned long)rv);
            p11t_failures++;
            continue;
        }
        char name[32];
        snprintf(name, sizeof name, "sig%ld", i);
        if (i < 3)
            p11t_write_file(dir, name, sig, slen);
    }
    RV(f->C_Logout(h), CKR_OK);
    return p11t_failures;
}

static int changed_behind(CK_SESSION_HANDLE h, CK_SLOT_ID slot)
{
    static const CK_BYTE msg[32] = { 1 };
    CK_BYTE sig[512];
    CK_ULONG slen = sizeof sig;
    const char *behind = getenv("OPGP_REAUTH_BEHIND");
    if (behind == NULL) {
        fprintf(stderr, "OPGP_REAUTH_BEHIND not set\n");
        return ++p11t_failures;
    }
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), CKR_OK);
    CK_OBJECT_HANDLE key = find_key(h);
    RV(sign(h, key, msg, sizeof msg, sig, &slen), CKR_OK);
    if (system(behind) != 0) {
        fprintf(stderr, "%s failed\n", behind);
        return ++p11t_failures;
    }
    slen = sizeof sig;
    RV(sign(h, key, msg, sizeof msg, sig, &slen), CKR_PIN_INCORRECT);
    slen = sizeof sig;
    RV(sign(h, key, msg, sizeof msg, sig, &slen), CKR_USER_NOT_LOGGED_IN);
    CK_TOKEN_INFO ti;
    RV(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    if (!(ti.flags & CKF_USER_PIN_COUNT_LOW)) {
        fprintf(stderr, "token flags 0x%lx: no try spent\n", (unsigned long)ti.flags);
        p11t_failures++;
    }
    (void)f->C_Logout(h);
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"654321", 6), CKR_OK);
    slen = sizeof sig;
    RV(sign(h, key, msg, sizeof msg, sig, &slen), CKR_OK);
    return p11t_failures;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    CK_SLOT_ID slot = 0;
    if ((f = p11t_open(argv[1], &slot)) == NULL)
        return 1;
    CK_SESSION_HANDLE h;
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    if (p11t_failures == 0) {
        if (strcmp(argv[2], "loop") == 0 && argc == 5)
            loop(h, strtol(argv[3], NULL, 10), argv[4]);
        else if (strcmp(argv[2], "changed") == 0)
            changed_behind(h, slot);
        else
            return 2;
    }
    RV(f->C_Finalize(NULL), CKR_OK);
    return p11t_report("PASS");
}
