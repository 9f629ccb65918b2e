/* PIN counters and unblocking through opgp-pkcs11 on the card tests/with-card provides (user
 * PIN 123456, admin PIN 12345678): the token info shows the card's retry counters without a
 * failed attempt in this process; PW1 blocked by wrong C_Login is unblocked by the SO with
 * C_InitPIN (the admin PIN verified once, by C_Login); C_SetPIN in an SO session changes the
 * admin PIN. Usage: p11_pin_test MODULE */
#include <stdio.h>
#include <string.h>

#include "p11_test_module.h"

static CK_FUNCTION_LIST_PTR f;

static CK_FLAGS user_flags(CK_SLOT_ID slot)
{
    return p11t_user_pin_flags(f, slot);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    CK_SLOT_ID slot = 0;
    if ((f = p11t_open(argv[1], &slot)) == NULL)
        return 1;
    CK_TOKEN_INFO ti;
    RV(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    CHECK(memcmp(ti.label, "Card Test ", 10) == 0); /* the cardholder name "Test<<Card" */
    CHECK(user_flags(slot) == 0);
    CK_SESSION_HANDLE h;
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
    RV(f->C_Login(h, CKU_USER, PIN("999999")), CKR_PIN_INCORRECT);
    RV(f->C_Finalize(NULL), CKR_OK);

    /* A new initialisation knows nothing of that attempt: the counter comes from the card. */
    slot = p11t_start(f);
    CHECK(user_flags(slot) == CKF_USER_PIN_COUNT_LOW);
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
    RV(f->C_Login(h, CKU_USER, PIN("999999")), CKR_PIN_INCORRECT);
    CHECK(user_flags(slot) == CKF_USER_PIN_FINAL_TRY);
    /* The last try spent: the card reports the PIN blocked (63C0). */
    RV(f->C_Login(h, CKU_USER, PIN("999999")), CKR_PIN_LOCKED);
    CHECK(user_flags(slot) == CKF_USER_PIN_LOCKED);
    RV(f->C_Login(h, CKU_USER, PIN("123456")), CKR_PIN_LOCKED);

    /* The SO unblocks: C_InitPIN needs the SO logged in, and nothing but that login. */
    RV(f->C_InitPIN(h, PIN("654321")), CKR_USER_NOT_LOGGED_IN);
    RV(f->C_Login(h, CKU_SO, PIN("12345678")), CKR_OK);
    RV(f->C_InitPIN(h, PIN("123")), CKR_PIN_LEN_RANGE);
    RV(f->C_InitPIN(h, PIN("654321")), CKR_OK);
    CHECK(user_flags(slot) == 0);
    /* C_SetPIN in the SO session changes the admin PIN (and back). */
    RV(f->C_SetPIN(h, PIN("12345678"), PIN("abcdefgh")), CKR_OK);
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_Login(h, CKU_SO, PIN("12345678")), CKR_PIN_INCORRECT);
    RV(f->C_Login(h, CKU_SO, PIN("abcdefgh")), CKR_OK);
    RV(f->C_SetPIN(h, PIN("abcdefgh"), PIN("12345678")), CKR_OK);
    RV(f->C_Logout(h), CKR_OK);
    CK_TOKEN_INFO so;
    RV(f->C_GetTokenInfo(slot, &so), CKR_OK);
    CHECK(!(so.flags & (CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED)));

    /* The user logs in with the new PIN and signs with the signature key: its PIN state
     * (PW1 as 81) is verified then, from that login. */
    RV(f->C_Login(h, CKU_USER, PIN("123456")), CKR_PIN_INCORRECT);
    RV(f->C_Login(h, CKU_USER, PIN("654321")), CKR_OK);
    CHECK(user_flags(slot) == 0);
    CK_OBJECT_HANDLE key = p11t_find(f, h, CKO_PRIVATE_KEY, 1);
    CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_BYTE data[10] = { 1 }, sig[512];
    for (int i = 0; i < 2; i++) {
        CK_ULONG slen = sizeof sig;
        RV(f->C_SignInit(h, &mech, key), CKR_OK);
        RV(f->C_Sign(h, data, sizeof data, sig, &slen), CKR_OK);
        CHECK(slen == 256);
    }
    /* After a logout the signature key refuses: nothing of the PIN is left. */
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_Login(h, CKU_USER, PIN("654321")), CKR_OK);
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_SignInit(h, &mech, key), CKR_USER_NOT_LOGGED_IN);
    RV(f->C_Finalize(NULL), CKR_OK);
    return p11t_report("PASS");
}
