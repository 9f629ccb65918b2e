/* NCRYPT_PIN_PROPERTY: PW1, as a UTF-16 string (its terminator counted or not), verified at once
 * so that a wrong PIN is reported where it was given, with the tries left logged. */
#include <string.h>

#include "ksp.h"

static opgp_token *key_token(const ksp_key *k)
{
    return k->card != NULL ? k->card->token : NULL;
}

int ksp_key_tries(ksp_key *k)
{
    opgp_tok_info info;
    opgp_token *t = key_token(k);
    if (t == NULL || opgp_token_info(t, &info) != OPGP_TOK_OK)
        return -1;
    return info.tries[k->info.pin == OPGP_TOK_PIN_SIGN ? OPGP_TOK_PIN_SIGN : OPGP_TOK_PIN_USER];
}

static bool wants_pin_per_signature(ksp_key *k, opgp_tok_info *info)
{
    return k->info.role == OPGP_TOK_ROLE_SIG && info->sign_pin_always;
}

static void report(ksp_key *k, const char *what, opgp_tok_rv r, int tries)
{
    if (r == OPGP_TOK_OK)
        return;
    ksp_log("opgpksp: %s for key %s (user PIN, PW1) failed: token error %d, %d tries left",
            what, k->name, (int)r, tries);
}

SECURITY_STATUS ksp_key_set_pin(ksp_key *k, const BYTE *pin, DWORD cb, DWORD flags)
{
    opgp_token *t = key_token(k);
    if (t == NULL)
        return NTE_NOT_SUPPORTED; /* an imported public key has no PIN */
    if (pin == NULL && cb != 0)
        return NTE_INVALID_PARAMETER;
    if (cb % sizeof(wchar_t) != 0 || cb > 2 * sizeof k->pin)
        return NTE_INVALID_PARAMETER;
    opgp_tok_info info;
    opgp_tok_rv r = opgp_token_info(t, &info);
    if (r != OPGP_TOK_OK)
        return ksp_tok_status(r, flags);

    /* UTF-16 to UTF-8 (OpenPGP cards take PINs as UTF-8), without a terminator. */
    wchar_t wide[129];
    size_t chars = cb / sizeof(wchar_t);
    if (chars > 0 && pin != NULL)
        memcpy(wide, pin, cb);
    while (chars > 0 && wide[chars - 1] == L'\0')
        chars--;
    wide[chars] = L'\0';
    uint8_t value[sizeof k->pin];
    int len = 0;
    if (chars > 0) {
        len = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, wide, (int)chars, (char *)value,
                                  (int)sizeof value, NULL, NULL);
        if (len <= 0) {
            opgp_tok_wipe(wide, sizeof wide);
            return NTE_INVALID_PARAMETER;
        }
    } else if (!info.protected_path) {
        opgp_tok_wipe(wide, sizeof wide);
        return (SECURITY_STATUS)SCARD_E_INVALID_CHV; /* an empty PIN, no pinpad to type it on */
    }
    opgp_tok_wipe(wide, sizeof wide);

    int tries = -1;
    r = opgp_token_login(t, OPGP_TOK_PIN_USER, len > 0 ? value : NULL, (size_t)len, &tries);
    report(k, "PIN verification", r, tries);
    AcquireSRWLockExclusive(&k->lock);
    opgp_tok_wipe(k->pin, sizeof k->pin);
    k->pin_len = 0;
    if (r == OPGP_TOK_OK && wants_pin_per_signature(k, &info) && len > 0) {
        memcpy(k->pin, value, (size_t)len);
        k->pin_len = (size_t)len;
    }
    ReleaseSRWLockExclusive(&k->lock);
    opgp_tok_wipe(value, sizeof value);
    return ksp_tok_status(r, flags);
}

SECURITY_STATUS ksp_key_sign_login(ksp_key *k, DWORD flags)
{
    opgp_token *t = key_token(k);
    opgp_tok_info info;
    opgp_tok_rv r = opgp_token_info(t, &info);
    if (r != OPGP_TOK_OK)
        return ksp_tok_status(r, flags);
    if (!wants_pin_per_signature(k, &info))
        return ERROR_SUCCESS;
    if (k->pin_len == 0 && !info.protected_path)
        return ksp_tok_status(OPGP_TOK_NOT_LOGGED_IN, flags);
    int tries = -1;
    r = opgp_token_login(t, OPGP_TOK_PIN_SIGN, k->pin_len ? k->pin : NULL, k->pin_len, &tries);
    report(k, "signature PIN verification", r, tries);
    if (r == OPGP_TOK_PIN_INCORRECT || r == OPGP_TOK_PIN_LOCKED) {
        opgp_tok_wipe(k->pin, sizeof k->pin);
        k->pin_len = 0;
    }
    return ksp_tok_status(r, flags);
}
