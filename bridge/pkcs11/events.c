/* C_WaitForSlotEvent: card insertion, removal and reset (PC/SC's event counter), and readers
 * that come. The blocking wait runs without the module lock; C_Finalize cancels it. */
#include <string.h>

#include "p11.h"

/* The slot whose reader differs from what the slot table knows, after refreshing it. */
static bool changed_slot(const opgp_tok_reader *changed, CK_SLOT_ID *out)
{
    opgp_tok_reader before[P11_MAX_SLOTS];
    bool used[P11_MAX_SLOTS];
    for (size_t i = 0; i < P11_MAX_SLOTS; i++) {
        before[i] = p11_slots[i].reader;
        used[i] = p11_slots[i].used;
    }
    p11_slots_refresh();
    for (size_t i = 0; i < P11_MAX_SLOTS; i++) {
        p11_slot *s = &p11_slots[i];
        if (!s->used)
            continue;
        bool differs = !used[i] || before[i].card_present != s->reader.card_present ||
                       before[i].events != s->reader.events;
        if (differs || (changed->name[0] != 0 && strcmp(changed->name, s->reader.name) == 0)) {
            if (before[i].events != s->reader.events && s->reader.card_present &&
                before[i].card_present)
                p11_slot_card_gone(s); /* removed and back, or reset: a new token */
            *out = (CK_SLOT_ID)i;
            return true;
        }
    }
    return false;
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    if (pSlot == NULL || pReserved != NULL) {
        p11_leave();
        return CKR_ARGUMENTS_BAD;
    }
    bool block = !(flags & CKF_DONT_BLOCK);
    opgp_tok_readers *r;
    if (opgp_tok_readers_open(&r) != OPGP_TOK_OK) {
        p11_leave();
        return block ? CKR_DEVICE_ERROR : CKR_NO_EVENT;
    }
    if (block && !p11_event_register(r)) {
        opgp_tok_readers_close(r);
        p11_leave();
        return CKR_FUNCTION_FAILED; /* too many threads waiting already */
    }
    for (;;) {
        opgp_tok_reader known[P11_MAX_SLOTS];
        size_t n = 0;
        for (size_t i = 0; i < P11_MAX_SLOTS && n + 1 < OPGP_TOK_MAX_READERS; i++)
            if (p11_slots[i].used)
                known[n++] = p11_slots[i].reader;
        if (block)
            p11_leave();
        opgp_tok_reader changed;
        opgp_tok_rv tr = opgp_tok_readers_wait(r, known, n, block ? -1 : 0, &changed);
        if (block) {
            rv = p11_enter();
            if (rv != CKR_OK) {
                opgp_tok_readers_close(r); /* finalised while waiting */
                return rv;
            }
        }
        CK_SLOT_ID id;
        if (tr == OPGP_TOK_OK && changed_slot(&changed, &id)) {
            *pSlot = id;
            rv = CKR_OK;
        } else if (tr == OPGP_TOK_OK && block) {
            continue;
        } else {
            rv = tr == OPGP_TOK_OK || tr == OPGP_TOK_TIMEOUT ? CKR_NO_EVENT
                 : tr == OPGP_TOK_CANCELLED                  ? CKR_FUNCTION_CANCELED
                                                             : CKR_DEVICE_ERROR;
        }
        p11_event_unregister(r);
        opgp_tok_readers_close(r);
        p11_leave();
        return rv;
    }
}
