/* CKF_PROTECTED_AUTHENTICATION_PATH through the PKCS#11 module itself, in process: the module's
 * sources are linked into this program with bridge/host and the static minidriver, whose
 * transport hook hands it the simulator with its emulated pinpad reader (PC/SC part 10); this
 * program (the reader list of host_token.h) and bridge/host/tests/pinpad_sim_reader.c (the
 * reader connection of host_reader.h, shared with bridge/host's own pinpad test) stand in for
 * the PC/SC reader layer. Checked: the token flag; C_Login with a
 * NULL PIN typed on the pinpad (user and SO); the signature PIN then asked on the pinpad and the
 * signature verified with OpenSSL; a wrong PIN on the pinpad gives CKR_PIN_INCORRECT with one
 * failed VERIFY and is never retried; Cancel on the reader; no flag and CKR_ARGUMENTS_BAD for a
 * NULL PIN without a pinpad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "opgp/host_token.h"
#include "p11.h"
#include "p11_test_module.h"
#include "pinpad_sim_reader.h"

#define READER "Simulated pinpad reader 00 00"

/* ---- the reader list, replaced (pinpad_sim_reader.c has the reader connection) ------------ */

struct opgp_tok_readers {
    int unused;
};
static struct opgp_tok_readers the_readers;

opgp_tok_rv opgp_tok_readers_open(opgp_tok_readers **out)
{
    *out = &the_readers;
    return OPGP_TOK_OK;
}

void opgp_tok_readers_close(opgp_tok_readers *r) { (void)r; }

opgp_tok_rv opgp_tok_readers_list(opgp_tok_readers *r, opgp_tok_reader *out, size_t max,
                                  size_t *count)
{
    (void)r;
    *count = 0;
    if (max == 0)
        return OPGP_TOK_OK;
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", READER);
    out->card_present = pinpad_sim != NULL;
    out->events = 1;
    *count = 1;
    return OPGP_TOK_OK;
}

opgp_tok_rv opgp_tok_readers_wait(opgp_tok_readers *r, const opgp_tok_reader *known,
                                  size_t count, long timeout_ms, opgp_tok_reader *changed)
{
    (void)r, (void)known, (void)count, (void)timeout_ms, (void)changed;
    return OPGP_TOK_TIMEOUT; /* nothing is ever inserted or removed here */
}

void opgp_tok_readers_cancel(opgp_tok_readers *r) { (void)r; }

/* ---- the test ---------------------------------------------------------------------------- */

static CK_FUNCTION_LIST_PTR f;

/* A provisioned RSA card behind a pinpad that "types" pinpad_pin (NULL: no pinpad); the module
 * initialized, its token showing CKF_PROTECTED_AUTHENTICATION_PATH exactly when there is a
 * pinpad; a read-only session in *h; the slot. */
static CK_SLOT_ID start(const char *pinpad_pin, CK_SESSION_HANDLE *h)
{
    pinpad_sim_insert(READER, 0x0A0B0C0E, pinpad_pin);
    assert_int_equal(C_GetFunctionList(&f), CKR_OK);
    assert_int_equal(f->C_Initialize(NULL), CKR_OK);
    CK_SLOT_ID slot = 0;
    CK_ULONG n = 1;
    assert_int_equal(f->C_GetSlotList(CK_TRUE, &slot, &n), CKR_OK);
    assert_int_equal(n, 1);
    CK_TOKEN_INFO ti;
    assert_int_equal(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    assert_int_equal((ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0, pinpad_pin != NULL);
    assert_int_equal(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, h), CKR_OK);
    return slot;
}

static void stop(void)
{
    assert_int_equal(f->C_Finalize(NULL), CKR_OK);
    pinpad_sim_remove();
}

static opgp_sim_stats stats(void)
{
    return pinpad_sim_stats();
}

static CK_FLAGS token_flags(CK_SLOT_ID slot)
{
    CK_TOKEN_INFO ti;
    assert_int_equal(f->C_GetTokenInfo(slot, &ti), CKR_OK);
    return ti.flags;
}

static CK_OBJECT_HANDLE private_key(CK_SESSION_HANDLE h, CK_BYTE id)
{
    CK_OBJECT_HANDLE o = p11t_find(f, h, CKO_PRIVATE_KEY, id);
    assert_int_equal(p11t_failures, 0);
    return o;
}

static void test_login_and_sign_on_pinpad(void **state)
{
    (void)state;
    CK_SESSION_HANDLE h;
    CK_SLOT_ID slot = start(OPGP_SIM_PW1, &h);
    assert_int_equal(f->C_Login(h, CKU_USER, NULL, 0), CKR_OK);
    assert_int_equal(stats().pinpad_entries, 1);
    assert_int_equal(stats().verifies_failed, 0);

    /* The signature key's PIN state (PW1 as 81) is asked on the pinpad when it first signs. */
    static const char msg[] = "signed behind a pinpad";
    CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_BYTE sig[512];
    CK_ULONG slen = sizeof sig;
    assert_int_equal(f->C_SignInit(h, &mech, private_key(h, 1)), CKR_OK);
    assert_int_equal(f->C_Sign(h, (CK_BYTE_PTR)msg, sizeof msg - 1, sig, &slen), CKR_OK);
    assert_int_equal(slen, 256);
    assert_int_equal(stats().pinpad_entries, 2);
    assert_int_equal(stats().signatures, 1);
    EVP_PKEY *k = opgp_sim_public_key(pinpad_sim, OPGP_SIM_SIG);
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(mc, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_equal(EVP_DigestVerify(mc, sig, slen, (const unsigned char *)msg, sizeof msg - 1),
                     1);
    EVP_MD_CTX_free(mc);
    EVP_PKEY_free(k);
    assert_int_equal(f->C_Logout(h), CKR_OK);

    /* The SO too: the admin PIN typed on the pinpad. */
    assert_int_equal(f->C_CloseSession(h), CKR_OK);
    assert_int_equal(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h),
                     CKR_OK);
    opgp_sim_set_pinpad(pinpad_sim, OPGP_SIM_PW3);
    assert_int_equal(f->C_Login(h, CKU_SO, NULL, 0), CKR_OK);
    assert_int_equal(stats().pinpad_entries, 3);
    assert_int_equal(stats().verifies_failed, 0);
    stop();
}

static void test_wrong_pin_on_pinpad(void **state)
{
    (void)state;
    CK_SESSION_HANDLE h;
    CK_SLOT_ID slot = start("999999", &h);
    assert_int_equal(f->C_Login(h, CKU_USER, NULL, 0), CKR_PIN_INCORRECT);
    /* One entry, one failed VERIFY: the module did not ask again or resend anything. */
    assert_int_equal(stats().pinpad_entries, 1);
    assert_int_equal(stats().verifies, 1);
    assert_int_equal(stats().verifies_failed, 1);
    assert_true(token_flags(slot) & CKF_USER_PIN_COUNT_LOW);
    CK_SESSION_INFO si;
    assert_int_equal(f->C_GetSessionInfo(h, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    /* Cancel on the reader: nothing reaches the card. */
    opgp_sim_set_pinpad(pinpad_sim, "");
    assert_int_equal(f->C_Login(h, CKU_USER, NULL, 0), CKR_FUNCTION_CANCELED);
    assert_int_equal(stats().verifies, 1);
    /* The user types it right the next time. */
    opgp_sim_set_pinpad(pinpad_sim, OPGP_SIM_PW1);
    assert_int_equal(f->C_Login(h, CKU_USER, NULL, 0), CKR_OK);
    assert_int_equal(stats().verifies_failed, 1);
    assert_false(token_flags(slot) & CKF_USER_PIN_COUNT_LOW);
    stop();
}

static void test_no_pinpad(void **state)
{
    (void)state;
    CK_SESSION_HANDLE h;
    start(NULL, &h);
    assert_int_equal(f->C_Login(h, CKU_USER, NULL, 0), CKR_ARGUMENTS_BAD);
    assert_int_equal(stats().verifies, 0);
    assert_int_equal(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)OPGP_SIM_PW1, 6), CKR_OK);
    assert_int_equal(stats().pinpad_entries, 0);
    stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_and_sign_on_pinpad),
        cmocka_unit_test(test_wrong_pin_on_pinpad),
        cmocka_unit_test(test_no_pinpad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
