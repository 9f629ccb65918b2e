/* PIN_INFO for each PIN id, from the card's PW status bytes (C4). */
#include <string.h>

#include "md.h"

PIN_ID md_container_pin(BYTE index)
{
    return md_container_slot(index) == OPGP_KEY_SIG ? MD_PIN_SIGN : ROLE_USER;
}

DWORD md_pin_info(PIN_ID id, const opgp_pw_status *pw, PIN_INFO *out)
{
    if (pw == NULL || out == NULL)
        return SCARD_E_INVALID_PARAMETER;
    memset(out, 0, sizeof *out);
    out->dwVersion = PIN_INFO_CURRENT_VERSION;
    out->PinType = AlphaNumericPinType;
    out->PinCachePolicy.dwVersion = PIN_CACHE_POLICY_CURRENT_VERSION;
    out->PinCachePolicy.PinCachePolicyType = PinCacheNormal;
    switch (id) {
    case ROLE_USER: /* PW1 as 82: authentication and decryption */
        out->PinPurpose = PrimaryCardPin;
        out->dwChangePermission = CREATE_PIN_SET(ROLE_USER);
        out->dwUnblockPermission = CREATE_PIN_SET(ROLE_ADMIN) | CREATE_PIN_SET(MD_PIN_RESET_CODE);
        return SCARD_S_SUCCESS;
    case ROLE_ADMIN: /* PW3 */
        out->PinPurpose = AdministratorPin;
        out->dwChangePermission = CREATE_PIN_SET(ROLE_ADMIN);
        out->dwUnblockPermission = PIN_SET_NONE;
        return SCARD_S_SUCCESS;
    case MD_PIN_SIGN: /* PW1 as 81: the same secret, its own verification state on the card */
        out->PinPurpose = DigitalSignaturePin;
        out->dwChangePermission = CREATE_PIN_SET(MD_PIN_SIGN);
        out->dwUnblockPermission = CREATE_PIN_SET(ROLE_ADMIN) | CREATE_PIN_SET(MD_PIN_RESET_CODE);
        /* A card set to "PW1 valid for one signature" must be asked for every signature:
         * Windows must not satisfy it from its PIN cache. */
        if (pw->present && !pw->pw1_multi_sign)
            out->PinCachePolicy.PinCachePolicyType = PinCacheAlwaysPrompt;
        return SCARD_S_SUCCESS;
    case MD_PIN_RESET_CODE: /* the Reset Code: unblocks PW1, set by the admin */
        out->PinPurpose = UnblockOnlyPin;
        out->dwChangePermission = CREATE_PIN_SET(ROLE_ADMIN);
        out->dwUnblockPermission = PIN_SET_NONE;
        out->PinCachePolicy.PinCachePolicyType = PinCacheNone;
        return SCARD_S_SUCCESS;
    default:
        return SCARD_E_INVALID_PARAMETER;
    }
}
