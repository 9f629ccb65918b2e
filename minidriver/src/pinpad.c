/* Secure PIN entry on a pinpad reader: which PIN ids are typed on the reader (reported as
 * ExternalPinType) and their verification (CardAuthenticateEx with no PIN data). */
#include "md.h"

bool md_pin_external(md_state *st, PIN_ID id)
{
    if (id != ROLE_USER && id != MD_PIN_SIGN && id != ROLE_ADMIN)
        return false; /* the Reset Code goes with RESET RETRY COUNTER: no reader form for it */
    /* Not on a KDF-DO card (it expects the derived PIN, which a reader cannot compute). */
    return opgp_card_pinpad_refusal(st->card) == NULL;
}

DWORD md_verify_pinpad(md_state *st, PIN_ID id, int ref, opgp_status *status, opgp_error *err)
{
    if (!md_pin_external(st, id))
        return SCARD_E_INVALID_PARAMETER; /* no PIN given and none can be typed on the reader */
    /* Not retried after a reset: the user would have to type it again; the CSP asks anew. */
    *status = opgp_card_verify_pinpad(st->card, ref, err);
    if (*status == OPGP_E_CARD && err->sw == OPGP_PINPAD_CANCELLED_SW)
        return SCARD_W_CANCELLED_BY_USER;
    if (*status == OPGP_E_CARD && (err->sw == 0x6402 || err->sw == 0x6403))
        return SCARD_W_WRONG_CHV; /* the entry did not fit; the card saw nothing */
    return SCARD_S_SUCCESS; /* the card's answer: the caller maps *status */
}
