/* C_GetTokenInfo and C_InitToken. */
#include <string.h>

#include "p11.h"

static void pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
    memset(dst, ' ', n);
    size_t l = strlen(src);
    memcpy(dst, src, l < n ? l : n);
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_slot *s;
    rv = p11_slot_get(slotID, &s);
    if (rv == CKR_OK && pInfo == NULL)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK)
        rv = p11_slot_token(s);
    opgp_tok_info ti;
    if (rv == CKR_OK)
        rv = p11_token_error(s, opgp_token_info(s->token, &ti));
    if (rv == CKR_OK) {
        memset(pInfo, 0, sizeof *pInfo);
        pad(pInfo->label, sizeof pInfo->label, ti.label);
        pad(pInfo->manufacturerID, sizeof pInfo->manufacturerID, "OpenPGP");
        pad(pInfo->model, sizeof pInfo->model, "OpenPGP card");
        pad(pInfo->serialNumber, sizeof pInfo->serialNumber, ti.serial);
        pInfo->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED;
        if (ti.read_only)
            pInfo->flags |= CKF_WRITE_PROTECTED;
        if (ti.protected_path)
            pInfo->flags |= CKF_PROTECTED_AUTHENTICATION_PATH; /* pinpad: C_Login(NULL PIN) */
        int u = ti.tries[OPGP_TOK_PIN_USER];
        if (u == 0)
            pInfo->flags |= CKF_USER_PIN_LOCKED;
        else if (u == 1)
            pInfo->flags |= CKF_USER_PIN_FINAL_TRY;
        else if (u > 1 && u < 3)
            pInfo->flags |= CKF_USER_PIN_COUNT_LOW;
        int so = ti.tries[OPGP_TOK_PIN_ADMIN];
        if (so == 0)
            pInfo->flags |= CKF_SO_PIN_LOCKED;
        else if (so == 1)
            pInfo->flags |= CKF_SO_PIN_FINAL_TRY;
        else if (so > 1 && so < 3)
            pInfo->flags |= CKF_SO_PIN_COUNT_LOW;
        pInfo->ulMaxSessionCount = P11_MAX_SESSIONS;
        pInfo->ulSessionCount = CK_UNAVAILABLE_INFORMATION;
        pInfo->ulMaxRwSessionCount = P11_MAX_SESSIONS;
        pInfo->ulRwSessionCount = CK_UNAVAILABLE_INFORMATION;
        pInfo->ulMaxPinLen = 127;
        pInfo->ulMinPinLen = 6;
        pInfo->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
        pInfo->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
        pInfo->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
        pInfo->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
        pInfo->hardwareVersion.major = 0;
        pInfo->firmwareVersion.major = 0;
    }
    p11_leave();
    return rv;
}

CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
                  CK_UTF8CHAR_PTR pLabel)
{
    (void)pPin;
    (void)ulPinLen;
    (void)pLabel;
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_slot *s;
    rv = p11_slot_get(slotID, &s);
    p11_leave();
    /* Resetting an OpenPGP card (TERMINATE DF / ACTIVATE FILE) is not a minidriver operation. */
    return rv != CKR_OK ? rv : CKR_FUNCTION_NOT_SUPPORTED;
}
