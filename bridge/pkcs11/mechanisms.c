/* The mechanisms an OpenPGP card offers through its minidriver, and C_GetMechanismList /
 * C_GetMechanismInfo. The card pads RSA with PKCS#1 v1.5 only: no RSA-PSS, no raw RSA. */
#include "p11.h"

#define SIGN (CKF_HW | CKF_SIGN)
#define EC_FLAGS (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)

static const p11_mech mechs[] = {
    { CKM_RSA_PKCS, OPGP_TOK_KEY_RSA, SIGN | CKF_DECRYPT, -1 },
    { CKM_SHA1_RSA_PKCS, OPGP_TOK_KEY_RSA, SIGN, P11_HASH_SHA1 },
    { CKM_SHA224_RSA_PKCS, OPGP_TOK_KEY_RSA, SIGN, P11_HASH_SHA224 },
    { CKM_SHA256_RSA_PKCS, OPGP_TOK_KEY_RSA, SIGN, P11_HASH_SHA256 },
    { CKM_SHA384_RSA_PKCS, OPGP_TOK_KEY_RSA, SIGN, P11_HASH_SHA384 },
    { CKM_SHA512_RSA_PKCS, OPGP_TOK_KEY_RSA, SIGN, P11_HASH_SHA512 },
    { CKM_RSA_PKCS_KEY_PAIR_GEN, OPGP_TOK_KEY_RSA, CKF_HW | CKF_GENERATE_KEY_PAIR, -1 },
    { CKM_ECDSA, OPGP_TOK_KEY_EC, SIGN | EC_FLAGS, -1 },
    { CKM_ECDSA_SHA1, OPGP_TOK_KEY_EC, SIGN | EC_FLAGS, P11_HASH_SHA1 },
    { CKM_ECDSA_SHA224, OPGP_TOK_KEY_EC, SIGN | EC_FLAGS, P11_HASH_SHA224 },
    { CKM_ECDSA_SHA256, OPGP_TOK_KEY_EC, SIGN | EC_FLAGS, P11_HASH_SHA256 },
    { CKM_ECDSA_SHA384, OPGP_TOK_KEY_EC, SIGN | EC_FLAGS, P11_HASH_SHA384 },
    { CKM_ECDSA_SHA512, OPGP_TOK_KEY_EC, SIGN | EC_FLAGS, P11_HASH_SHA512 },
    { CKM_ECDH1_DERIVE, OPGP_TOK_KEY_EC, CKF_HW | CKF_DERIVE | EC_FLAGS, -1 },
    { CKM_EC_KEY_PAIR_GEN, OPGP_TOK_KEY_EC, CKF_HW | CKF_GENERATE_KEY_PAIR | EC_FLAGS, -1 },
    { CKM_EDDSA, OPGP_TOK_KEY_ED25519, SIGN, -1 },
    { CKM_EC_EDWARDS_KEY_PAIR_GEN, OPGP_TOK_KEY_ED25519, CKF_HW | CKF_GENERATE_KEY_PAIR, -1 },
    { CKM_EC_MONTGOMERY_KEY_PAIR_GEN, OPGP_TOK_KEY_X25519, CKF_HW | CKF_GENERATE_KEY_PAIR, -1 },
};
#define N_MECHS (sizeof mechs / sizeof mechs[0])

const p11_mech *p11_mech_get(CK_MECHANISM_TYPE type)
{
    for (size_t i = 0; i < N_MECHS; i++)
        if (mechs[i].type == type)
            return &mechs[i];
    return NULL;
}
size_t p11_mech_count(void) { return N_MECHS; }
const p11_mech *p11_mech_at(size_t i) { return i < N_MECHS ? &mechs[i] : NULL; }

/* Which key types the token holds: a mechanism is offered when a key can use it. Key pair
 * generation is always offered (the card decides whether it can, at C_GenerateKeyPair). */
static void token_types(p11_slot *s, bool have[5])
{
    for (int i = 0; i < 5; i++)
        have[i] = false;
    have[OPGP_TOK_KEY_RSA] = true;
    have[OPGP_TOK_KEY_EC] = true;
    for (unsigned c = 0; c < OPGP_TOK_CONTAINERS; c++) {
        opgp_tok_key k;
        if (opgp_token_key(s->token, c, &k) == OPGP_TOK_OK && k.type < 5)
            have[k.type] = true;
    }
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
                         CK_ULONG_PTR pulCount)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_slot *s;
    rv = p11_slot_get(slotID, &s);
    if (rv == CKR_OK && pulCount == NULL)
        rv = CKR_ARGUMENTS_BAD;
    if (rv == CKR_OK)
        rv = p11_slot_token(s);
    if (rv == CKR_OK) {
        bool have[5];
        token_types(s, have);
        CK_ULONG n = 0;
        for (size_t i = 0; i < N_MECHS; i++) {
            bool gen = (mechs[i].flags & CKF_GENERATE_KEY_PAIR) != 0;
            if ((!gen && !have[mechs[i].key]) ||
                (mechs[i].hash >= 0 && !p11_hash_available(mechs[i].hash)))
                continue;
            if (pMechanismList != NULL && n < *pulCount)
                pMechanismList[n] = mechs[i].type;
            n++;
        }
        if (pMechanismList != NULL && n > *pulCount)
            rv = CKR_BUFFER_TOO_SMALL;
        *pulCount = n;
    }
    p11_leave();
    return rv;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
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
    const p11_mech *m = p11_mech_get(type);
    if (rv == CKR_OK && (m == NULL || (m->hash >= 0 && !p11_hash_available(m->hash))))
        rv = CKR_MECHANISM_INVALID;
    if (rv == CKR_OK) {
        pInfo->flags = m->flags;
        switch (m->key) {
        case OPGP_TOK_KEY_RSA: pInfo->ulMinKeySize = 1024; pInfo->ulMaxKeySize = 4096; break;
        case OPGP_TOK_KEY_EC: pInfo->ulMinKeySize = 256; pInfo->ulMaxKeySize = 521; break;
        default: pInfo->ulMinKeySize = 255; pInfo->ulMaxKeySize = 255; break;
        }
    }
    p11_leave();
    return rv;
}
