/* Sessions: C_OpenSession, C_CloseSession, C_CloseAllSessions, C_GetSessionInfo, and the
 * operation state functions (not supported: card operations cannot be resumed). */
#include <string.h>

#include "p11.h"

static p11_session sessions[P11_MAX_SESSIONS];
static CK_SESSION_HANDLE next_handle = 1;

void p11_sessions_reset(void)
{
    for (size_t i = 0; i < P11_MAX_SESSIONS; i++)
        if (sessions[i].handle != 0)
            p11_session_end_op(&sessions[i]);
    memset(sessions, 0, sizeof sessions);
}

void p11_session_end_op(p11_session *s)
{
    if (s->hash != NULL)
        p11_hash_free(s->hash);
    s->hash = NULL;
    opgp_tok_wipe(s->data, sizeof s->data);
    s->data_len = 0;
    s->op = OP_NONE;
    s->multi = false;
    s->context_login = false;
    s->always_auth = false;
    s->found_count = s->found_pos = 0;
}

static void close_one(p11_session *s)
{
    p11_session_end_op(s);
    for (size_t i = 0; i < P11_MAX_SESSION_OBJECTS; i++)
        opgp_tok_wipe(&s->objects[i], sizeof s->objects[i]);
    memset(s, 0, sizeof *s);
}

static size_t count_slot(CK_SLOT_ID slot, bool ro_only)
{
    size_t n = 0;
    for (size_t i = 0; i < P11_MAX_SESSIONS; i++)
        if (sessions[i].handle != 0 && sessions[i].slot == slot &&
            (!ro_only || !(sessions[i].flags & CKF_RW_SESSION)))
            n++;
    return n;
}

bool p11_slot_has_ro_session(CK_SLOT_ID slot) { return count_slot(slot, true) > 0; }
bool p11_slot_has_session(CK_SLOT_ID slot) { return count_slot(slot, false) > 0; }

void p11_sessions_close_slot(CK_SLOT_ID slot)
{
    for (size_t i = 0; i < P11_MAX_SESSIONS; i++)
        if (sessions[i].handle != 0 && sessions[i].slot == slot)
            close_one(&sessions[i]);
}

CK_RV p11_session_get(CK_SESSION_HANDLE h, p11_session **out, p11_slot **slot)
{
    if (h == CK_INVALID_HANDLE)
        return CKR_SESSION_HANDLE_INVALID;
    for (size_t i = 0; i < P11_MAX_SESSIONS; i++) {
        if (sessions[i].handle == h) {
            p11_slot *s;
            if (p11_slot_get(sessions[i].slot, &s) != CKR_OK || s->token == NULL) {
                close_one(&sessions[i]);
                return CKR_SESSION_HANDLE_INVALID;
            }
            *out = &sessions[i];
            if (slot != NULL)
                *slot = s;
            return CKR_OK;
        }
    }
    return CKR_SESSION_HANDLE_INVALID;
}

CK_RV p11_enter_session(CK_SESSION_HANDLE h, p11_session **out, p11_slot **slot)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    rv = p11_session_get(h, out, slot);
    if (rv != CKR_OK)
        p11_leave();
    return rv;
}

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify,
                    CK_SESSION_HANDLE_PTR phSession)
{
    (void)pApplication;
    (void)Notify; /* no callbacks: every operation completes before it returns */
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_slot *s;
    rv = p11_slot_get(slotID, &s);
    if (rv == CKR_OK && phSession == NULL)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK && !(flags & CKF_SERIAL_SESSION))
        rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    if (rv == CKR_OK)
        rv = p11_slot_token(s);
    if (rv == CKR_OK && !(flags & CKF_RW_SESSION) && s->login == CKU_SO)
        rv = CKR_SESSION_READ_WRITE_SO_EXISTS;
    if (rv == CKR_OK) {
        p11_session *free_s = NULL;
        for (size_t i = 0; i < P11_MAX_SESSIONS && free_s == NULL; i++)
            if (sessions[i].handle == 0)
                free_s = &sessions[i];
        if (free_s == NULL) {
            rv = CKR_SESSION_COUNT;
        } else {
            memset(free_s, 0, sizeof *free_s);
            free_s->handle = next_handle++;
            if (next_handle == CK_INVALID_HANDLE)
                next_handle = 1;
            free_s->slot = slotID;
            free_s->flags = flags & (CKF_RW_SESSION | CKF_SERIAL_SESSION);
            *phSession = free_s->handle;
        }
    }
    p11_leave();
    return rv;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    CK_SLOT_ID id = s->slot;
    close_one(s);
    if (!p11_slot_has_session(id) && slot->login != (CK_USER_TYPE)-1) {
        /* The last session closed: the token logs out (PKCS#11's login is per session
         * set); the card forgets the PIN too. */
        (void)opgp_token_logout(slot->token);
        slot->login = (CK_USER_TYPE)-1;
    }
    p11_leave();
    return rv;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_slot *s;
    rv = p11_slot_get(slotID, &s);
    if (rv == CKR_OK) {
        p11_sessions_close_slot(slotID);
        if (s->token != NULL && s->login != (CK_USER_TYPE)-1)
            (void)opgp_token_logout(s->token);
        s->login = (CK_USER_TYPE)-1;
    }
    p11_leave();
    return rv;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (pInfo == NULL)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK) {
        bool rw = (s->flags & CKF_RW_SESSION) != 0;
        pInfo->slotID = s->slot;
        pInfo->flags = s->flags;
        pInfo->ulDeviceError = 0;
        if (slot->login == CKU_SO)
            pInfo->state = CKS_RW_SO_FUNCTIONS;
        else if (slot->login == CKU_USER)
            pInfo->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
        else
            pInfo->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
    }
    p11_leave();
    return rv;
}

CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                          CK_ULONG_PTR pulOperationStateLen)
{
    (void)pOperationState;
    (void)pulOperationStateLen;
    p11_session *s;
    CK_RV rv = p11_enter_session(hSession, &s, NULL);
    if (rv != CKR_OK)
        return rv;
    p11_leave();
    return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                          CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey,
                          CK_OBJECT_HANDLE hAuthenticationKey)
{
    (void)pOperationState;
    (void)ulOperationStateLen;
    (void)hEncryptionKey;
    (void)hAuthenticationKey;
    p11_session *s;
    CK_RV rv = p11_enter_session(hSession, &s, NULL);
    if (rv != CKR_OK)
        return rv;
    p11_leave();
    return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
    p11_session *s;
    CK_RV rv = p11_enter_session(hSession, &s, NULL);
    if (rv != CKR_OK)
        return rv;
    bool match = (s->op == OP_SIGN && (flags & CKF_SIGN)) ||
                 (s->op == OP_DECRYPT && (flags & CKF_DECRYPT)) ||
                 (s->op == OP_FIND && (flags & CKF_FIND_OBJECTS));
    if (match)
        p11_session_end_op(s);
    p11_leave();
    return rv;
}
