/* The module's own per-signature PIN prompt (pinentry), driven by clients/pinentry.sh on a card
 * that wants the PIN for every signature (user PIN 123456). The application here never does a
 * CKU_CONTEXT_SPECIFIC login. Usage: p11_pinentry_test MODULE MODE DIR, MODE one of
 *   twice   two signatures (DIR/data -> DIR/sig1, DIR/sig2; the script verifies them)
 *   wrong   the pinentry gives a wrong PIN: CKR_PIN_INCORRECT, PW1 down by exactly one; then
 *           DIR/pin gets the right PIN and the next C_Sign (asking again) signs
 *   cancel  the pinentry cancels: CKR_FUNCTION_CANCELED
 *   broken  the configured program does not exist: CKR_FUNCTION_FAILED
 *   none    no pinentry configured: CKR_USER_NOT_LOGGED_IN */
#include <stdio.h>
#include <string.h>

#include "p11_test_module.h"

static CK_FUNCTION_LIST_PTR f;
static const CK_BYTE data[] = "opgp pinentry test data";

static CK_FLAGS user_flags(CK_SLOT_ID slot)
{
    return p11t_user_pin_flags(f, slot);
}

static CK_RV sign(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, const char *dir, int n)
{
    CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_BYTE sig[512];
    CK_ULONG slen = sizeof sig;
    RV(f->C_SignInit(h, &mech, key), CKR_OK);
    CK_RV rv = f->C_Sign(h, (CK_BYTE_PTR)data, sizeof data - 1, sig, &slen);
    if (rv == CKR_OK) {
        char name[16];
        snprintf(name, sizeof name, "sig%d", n);
        p11t_write_file(dir, name, sig, slen);
    }
    return rv;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    p11t_write_file(dir, name, text, strlen(text));
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    const char *mode = argv[2], *dir = argv[3];
    f = p11t_load(argv[1], NULL);
    if (f == NULL)
        return 1;
    write_file(dir, "data", (const char *)data);
    CK_SLOT_ID slot = p11t_start(f);
    CK_SESSION_HANDLE h;
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), CKR_OK);
    CK_OBJECT_HANDLE key = p11t_find(f, h, CKO_PRIVATE_KEY, 1);
    CK_BBOOL always = CK_FALSE;
    CK_ATTRIBUTE aa = { CKA_ALWAYS_AUTHENTICATE, &always, sizeof always };
    RV(f->C_GetAttributeValue(h, key, &aa, 1), CKR_OK);
    CHECK(always == CK_TRUE); /* the card wants the PIN for every signature */
    CHECK(user_flags(slot) == 0);

    if (strcmp(mode, "twice") == 0) {
        RV(sign(h, key, dir, 1), CKR_OK);
        RV(sign(h, key, dir, 2), CKR_OK);
    } else if (strcmp(mode, "wrong") == 0) {
        RV(sign(h, key, dir, 1), CKR_PIN_INCORRECT);
        CHECK(user_flags(slot) == CKF_USER_PIN_COUNT_LOW); /* 3 -> 2: sent once */
        /* The user's new attempt: the next C_Sign asks again (2 tries left) and signs. */
        write_file(dir, "pin", "123456\n");
        RV(sign(h, key, dir, 2), CKR_OK);
        CHECK(user_flags(slot) == 0);
        /* A fresh module reads the counter from the card: back to 3. */
        RV(f->C_Finalize(NULL), CKR_OK);
        slot = p11t_start(f);
        CHECK(user_flags(slot) == 0);
    } else if (strcmp(mode, "cancel") == 0) {
        RV(sign(h, key, dir, 1), CKR_FUNCTION_CANCELED);
        CHECK(user_flags(slot) == 0);
    } else if (strcmp(mode, "broken") == 0) {
        RV(sign(h, key, dir, 1), CKR_FUNCTION_FAILED);
        CHECK(user_flags(slot) == 0);
    } else if (strcmp(mode, "none") == 0) {
        RV(sign(h, key, dir, 1), CKR_USER_NOT_LOGGED_IN);
    } else {
        return 2;
    }
    RV(f->C_Finalize(NULL), CKR_OK);
    char pass[64];
    snprintf(pass, sizeof pass, "PASS %s", mode);
    return p11t_report(pass);
}
