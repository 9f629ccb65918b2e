/* C_GenerateRandom from the card (CardGetChallenge); C_SeedRandom is not possible. */
#include "p11.h"

CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen)
{
    p11_session *s;
    p11_slot *slot;
    CK_RV rv = p11_enter_session(hSession, &s, &slot);
    if (rv != CKR_OK)
        return rv;
    if (RandomData == NULL && ulRandomLen > 0)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK && ulRandomLen > 0) {
        opgp_tok_rv r = opgp_token_random(slot->token, RandomData, ulRandomLen);
        rv = r == OPGP_TOK_UNSUPPORTED ? CKR_RANDOM_NO_RNG : p11_token_error(slot, r);
    }
    p11_leave();
    return rv;
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
    p11_session *s;
    CK_RV rv = p11_enter_session(hSession, &s, NULL);
    if (rv != CKR_OK)
        return rv;
    if (pSeed == NULL && ulSeedLen > 0)
        rv = CKR_ARGUMENTS_BAD;
    p11_leave();
    return rv != CKR_OK ? rv : CKR_RANDOM_SEED_NOT_SUPPORTED;
}
