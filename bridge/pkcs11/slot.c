/* Slots: one per PC/SC reader, ids stable for the life of an initialisation. C_GetSlotList,
 * C_GetSlotInfo, and the slot's token opened when first needed. */
#include <string.h>

#include "p11.h"

p11_slot p11_slots[P11_MAX_SLOTS];

static void pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
    memset(dst, ' ', n);
    size_t l = strlen(src);
    memcpy(dst, src, l < n ? l : n);
}

void p11_slot_card_gone(p11_slot *s)
{
    CK_SLOT_ID id = (CK_SLOT_ID)(s - p11_slots);
    p11_sessions_close_slot(id);
    opgp_token_close(s->token);
    s->token = NULL;
    s->token_failed = false;
    s->login = (CK_USER_TYPE)-1;
}

void p11_slot_card_reset(p11_slot *s)
{
    /* Every PIN state went with the reset: the sessions fall back to public ones. */
    s->login = (CK_USER_TYPE)-1;
}

CK_RV p11_token_error(p11_slot *s, opgp_tok_rv r)
{
    switch (r) {
    case OPGP_TOK_OK: return CKR_OK;
    case OPGP_TOK_NO_CARD:
    case OPGP_TOK_NO_READER:
        if (s != NULL)
            p11_slot_card_gone(s);
        return CKR_DEVICE_REMOVED;
    case OPGP_TOK_CARD_RESET:
        if (s != NULL)
            p11_slot_card_reset(s);
        return CKR_USER_NOT_LOGGED_IN;
    case OPGP_TOK_NOT_LOGGED_IN: return CKR_USER_NOT_LOGGED_IN;
    case OPGP_TOK_PIN_INCORRECT: return CKR_PIN_INCORRECT;
    case OPGP_TOK_PIN_LOCKED: return CKR_PIN_LOCKED;
    case OPGP_TOK_PIN_LEN_RANGE: return CKR_PIN_LEN_RANGE;
    case OPGP_TOK_NO_KEY: return CKR_KEY_HANDLE_INVALID;
    case OPGP_TOK_UNSUPPORTED: return CKR_FUNCTION_NOT_SUPPORTED;
    case OPGP_TOK_BAD_INPUT: return CKR_DATA_INVALID;
    case OPGP_TOK_BUFFER_TOO_SMALL: return CKR_BUFFER_TOO_SMALL;
    case OPGP_TOK_NO_MEMORY: return CKR_HOST_MEMORY;
    case OPGP_TOK_UNKNOWN_CARD: return CKR_TOKEN_NOT_RECOGNIZED;
    default: return CKR_DEVICE_ERROR;
    }
}

CK_RV p11_slots_refresh(void)
{
    opgp_tok_readers *r;
    opgp_tok_rv tr = opgp_tok_readers_open(&r);
    opgp_tok_reader now[OPGP_TOK_MAX_READERS];
    size_t n = 0;
    if (tr == OPGP_TOK_OK) {
        tr = opgp_tok_readers_list(r, now, OPGP_TOK_MAX_READERS, &n);
        opgp_tok_readers_close(r);
    }
    if (tr != OPGP_TOK_OK)
        n = 0; /* no PC/SC service: no readers, not an error */
    for (size_t i = 0; i < P11_MAX_SLOTS; i++) {
        p11_slot *s = &p11_slots[i];
        if (!s->used)
            continue;
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++) {
            if (strcmp(now[j].name, s->reader.name) != 0)
                continue;
            seen = true;
            bool was = s->reader.card_present;
            s->reader = now[j];
            if (!now[j].card_present || (was && s->token == NULL && s->token_failed))
                p11_slot_card_gone(s);
        }
        if (!seen) {
            p11_slot_card_gone(s);
            s->reader.card_present = false;
        }
    }
    for (size_t j = 0; j < n; j++) {
        bool known = false;
        for (size_t i = 0; i < P11_MAX_SLOTS && !known; i++)
            known = p11_slots[i].used && strcmp(p11_slots[i].reader.name, now[j].name) == 0;
        for (size_t i = 0; i < P11_MAX_SLOTS && !known; i++) {
            if (!p11_slots[i].used) {
                memset(&p11_slots[i], 0, sizeof p11_slots[i]);
                p11_slots[i].used = true;
                p11_slots[i].reader = now[j];
                p11_slots[i].login = (CK_USER_TYPE)-1;
                known = true;
            }
        }
    }
    return CKR_OK;
}

CK_RV p11_slot_get(CK_SLOT_ID id, p11_slot **out)
{
    if (id >= P11_MAX_SLOTS || !p11_slots[id].used)
        return CKR_SLOT_ID_INVALID;
    *out = &p11_slots[id];
    return CKR_OK;
}

CK_RV p11_slot_token(p11_slot *s)
{
    if (s->token != NULL)
        return CKR_OK;
    if (!s->reader.card_present)
        return CKR_TOKEN_NOT_PRESENT;
    if (s->token_failed)
        return CKR_TOKEN_NOT_RECOGNIZED;
    opgp_tok_rv r = opgp_token_open(s->reader.name, &s->token);
    if (r == OPGP_TOK_OK) {
        s->login = (CK_USER_TYPE)-1;
        return CKR_OK;
    }
    s->token = NULL;
    if (r == OPGP_TOK_NO_CARD) {
        s->reader.card_present = false;
        return CKR_TOKEN_NOT_PRESENT;
    }
    s->token_failed = true;
    return CKR_TOKEN_NOT_RECOGNIZED;
}

void p11_slots_close_all(void)
{
    for (size_t i = 0; i < P11_MAX_SLOTS; i++) {
        if (p11_slots[i].used)
            p11_slot_card_gone(&p11_slots[i]);
        p11_slots[i].used = false;
    }
}

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    if (pulCount == NULL) {
        p11_leave();
        return CKR_ARGUMENTS_BAD;
    }
    /* A size query refreshes the readers; the call that fills the list reports that view
     * (or a fresh one, for callers that skip the size query). */
    bool known = false;
    for (size_t i = 0; i < P11_MAX_SLOTS && !known; i++)
        known = p11_slots[i].used;
    if (pSlotList == NULL || !known)
        p11_slots_refresh();
    CK_ULONG n = 0;
    for (size_t i = 0; i < P11_MAX_SLOTS; i++) {
        p11_slot *s = &p11_slots[i];
        if (!s->used || (tokenPresent && !s->reader.card_present))
            continue;
        if (pSlotList != NULL && n < *pulCount)
            pSlotList[n] = (CK_SLOT_ID)i;
        n++;
    }
    rv = CKR_OK;
    if (pSlotList != NULL && n > *pulCount)
        rv = CKR_BUFFER_TOO_SMALL;
    *pulCount = n;
    p11_leave();
    return rv;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_slot *s;
    rv = p11_slot_get(slotID, &s);
    if (rv == CKR_OK && pInfo == NULL)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK) {
        memset(pInfo, 0, sizeof *pInfo);
        pad(pInfo->slotDescription, sizeof pInfo->slotDescription, s->reader.name);
        pad(pInfo->manufacturerID, sizeof pInfo->manufacturerID, "PC/SC");
        pInfo->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
        if (s->reader.card_present)
            pInfo->flags |= CKF_TOKEN_PRESENT;
    }
    p11_leave();
    return rv;
}
