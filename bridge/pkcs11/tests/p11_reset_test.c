/* A card reset between login and signature (another PC/SC client resets it): the module must
 * report CKR_USER_NOT_LOGGED_IN, drop the session to public, never send the PIN again by
 * itself, and work after a new C_Login. Usage: p11_reset_test MODULE (inside tests/with-card). */
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <winscard.h>

#include "p11_test_module.h"

/* Reset the card in the first reader through a connection of our own. */
static int reset_card(void)
{
    SCARDCONTEXT ctx;
    if (SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx) != SCARD_S_SUCCESS)
        return -1;
    char names[1024];
    DWORD len = sizeof names;
    SCARDHANDLE card;
    DWORD proto;
    int rc = -1;
    if (SCardListReaders(ctx, NULL, names, &len) == SCARD_S_SUCCESS &&
        SCardConnect(ctx, names, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, &card,
                     &proto) == SCARD_S_SUCCESS) {
        if (SCardReconnect(card, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0,
                           SCARD_RESET_CARD, &proto) == SCARD_S_SUCCESS)
            rc = 0;
        SCardDisconnect(card, SCARD_LEAVE_CARD);
    }
    SCardReleaseContext(ctx);
    return rc;
}

static CK_FUNCTION_LIST_PTR wf;
static CK_RV wait_rv;

static void *waiter(void *arg)
{
    (void)arg;
    CK_SLOT_ID s;
    wait_rv = wf->C_WaitForSlotEvent(0, &s, NULL);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    CK_SLOT_ID slot = 0;
    CK_FUNCTION_LIST_PTR f = p11t_open(argv[1], &slot);
    if (f == NULL)
        return 1;
    CK_SESSION_HANDLE h;
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), CKR_OK);
    CK_OBJECT_HANDLE key = p11t_find(f, h, CKO_PRIVATE_KEY, 3);
    CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_BYTE data[32] = { 0 }, sig[512];
    CK_ULONG slen = sizeof sig;
    RV(f->C_SignInit(h, &mech, key), CKR_OK);
    RV(f->C_Sign(h, data, sizeof data, sig, &slen), CKR_OK);

    if (reset_card() != 0) {
        fprintf(stderr, "could not reset the card\n");
        return 1;
    }
    RV(f->C_SignInit(h, &mech, key), CKR_OK);
    slen = sizeof sig;
    RV(f->C_Sign(h, data, sizeof data, sig, &slen), CKR_USER_NOT_LOGGED_IN);
    CK_SESSION_INFO si;
    RV(f->C_GetSessionInfo(h, &si), CKR_OK);
    if (si.state != CKS_RO_PUBLIC_SESSION) {
        fprintf(stderr, "session state %lu after reset\n", (unsigned long)si.state);
        p11t_failures++;
    }
    RV(f->C_SignInit(h, &mech, key), CKR_USER_NOT_LOGGED_IN);
    RV(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), CKR_OK);
    RV(f->C_SignInit(h, &mech, key), CKR_OK);
    slen = sizeof sig;
    RV(f->C_Sign(h, data, sizeof data, sig, &slen), CKR_OK);
    /* A blocking C_WaitForSlotEvent ends when another thread finalises the module. */
    wf = f;
    wait_rv = CKR_OK;
    pthread_t th;
    pthread_create(&th, NULL, waiter, NULL);
    usleep(300 * 1000);
    RV(f->C_Finalize(NULL), CKR_OK);
    pthread_join(th, NULL);
    if (wait_rv != CKR_CRYPTOKI_NOT_INITIALIZED && wait_rv != CKR_FUNCTION_CANCELED) {
        fprintf(stderr, "C_WaitForSlotEvent after C_Finalize: 0x%lx\n", (unsigned long)wait_rv);
        p11t_failures++;
    }
    return p11t_report("PASS");
}
