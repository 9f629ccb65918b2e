/* Words for statuses and errors. The sentences name the PIN concerned and the tries left because
 * "wrong PIN" alone leaves the user guessing which of three secrets to try again. */
#include <stdio.h>

#include "opgp/status.h"

static const char *const status_phrases[OPGP_STATUS_COUNT] = {
    [OPGP_OK] = "success",
    [OPGP_E_INVALID_ARG] = "invalid argument",
    [OPGP_E_BUFFER_TOO_SMALL] = "buffer too small",
    [OPGP_E_NO_MEMORY] = "out of memory",
    [OPGP_E_INTERNAL] = "internal error",
    [OPGP_E_CRYPTO] = "host cryptography failed",
    [OPGP_E_NO_READER] = "no such reader",
    [OPGP_E_NO_CARD] = "card removed",
    [OPGP_E_CARD_RESET] = "card was reset by another application",
    [OPGP_E_TRANSPORT] = "reader or smart card service failed",
    [OPGP_E_TIMEOUT] = "card did not answer in time",
    [OPGP_E_SHARING] = "card is in exclusive use by another application",
    [OPGP_E_BAD_RESPONSE] = "malformed response from the card",
    [OPGP_E_BAD_TLV] = "malformed data object from the card",
    [OPGP_E_PROTOCOL] = "card broke the APDU protocol",
    [OPGP_E_NOT_OPENPGP] = "not an OpenPGP card",
    [OPGP_E_WRONG_PIN] = "wrong PIN",
    [OPGP_E_PIN_BLOCKED] = "PIN blocked",
    [OPGP_E_SECURITY_STATUS] = "PIN not verified",
    [OPGP_E_CONDITIONS] = "conditions of use not satisfied",
    [OPGP_E_WRONG_DATA] = "card rejected the data",
    [OPGP_E_NOT_FOUND] = "referenced data not found",
    [OPGP_E_NOT_SUPPORTED] = "not supported by the card",
    [OPGP_E_WRONG_LENGTH] = "wrong length",
    [OPGP_E_MEMORY_FAILURE] = "card memory failure",
    [OPGP_E_TERMINATED] = "OpenPGP application terminated",
    [OPGP_E_CARD] = "card reported an error",
};

const char *opgp_status_str(opgp_status st)
{
    if ((unsigned)st >= OPGP_STATUS_COUNT || !status_phrases[st])
        return "unknown error";
    return status_phrases[st];
}

/* "user PIN (PW1)" in running text. */
static const char *pin_name(int pin_ref)
{
    switch (pin_ref) {
    case OPGP_PIN_PW1_SIGN: return "user PIN for signing (PW1)";
    case OPGP_PIN_PW1: return "user PIN (PW1)";
    case OPGP_PIN_PW3: return "admin PIN (PW3)";
    case OPGP_PIN_RC: return "Reset Code";
    default: return NULL;
    }
}

/* "user PIN PW1" inside parentheses. */
static const char *pin_short_name(int pin_ref)
{
    switch (pin_ref) {
    case OPGP_PIN_PW1_SIGN: return "signing PIN PW1";
    case OPGP_PIN_PW1: return "user PIN PW1";
    case OPGP_PIN_PW3: return "admin PIN PW3";
    case OPGP_PIN_RC: return "Reset Code";
    default: return NULL;
    }
}

static const char *unblock_advice(int pin_ref)
{
    switch (pin_ref) {
    case OPGP_PIN_PW1_SIGN:
    case OPGP_PIN_PW1:
        return "unblock it with the Reset Code or the admin PIN (PW3)";
    case OPGP_PIN_PW3:
        return "the card can only be restored by a factory reset, which erases its keys";
    case OPGP_PIN_RC:
        return "set a new Reset Code with the admin PIN (PW3)";
    default:
        return "it must be unblocked before it can be used";
    }
}

static const char *sw_meaning(uint16_t sw)
{
    if ((sw & 0xFFF0) == 0x63C0)
        return "verification failed";
    switch (sw) {
    case 0x6285: return "selected file in termination state";
    case 0x6581: return "memory failure";
    case 0x6700: return "wrong length";
    case 0x6882: return "secure messaging not supported";
    case 0x6883: return "last command of the chain expected";
    case 0x6884: return "command chaining not supported";
    case 0x6982: return "security status not satisfied";
    case 0x6983: return "authentication method blocked";
    case 0x6985: return "conditions of use not satisfied";
    case 0x6A80: return "incorrect parameters in the data field";
    case 0x6A81: return "function not supported";
    case 0x6A82: return "file or application not found";
    case 0x6A86: return "incorrect parameters P1-P2";
    /* PC/SC part 10: answered by a pinpad reader in place of the card */
    case 0x6400: return "PIN entry on the reader timed out";
    case 0x6401: return "PIN entry cancelled on the reader";
    case 0x6402: return "the PINs entered on the reader differ";
    case 0x6403: return "the PIN entered on the reader has the wrong length";
    case 0x6A88: return "referenced data not found";
    case 0x6B00: return "wrong parameters P1-P2";
    case 0x6D00: return "instruction not supported";
    case 0x6E00: return "class not supported";
    case 0x6F00: return "no precise diagnosis";
    default: return NULL;
    }
}

static void format_tries(char *buf, unsigned cap, const char *what, int tries)
{
    if (tries < 0)
        snprintf(buf, cap, "%s", what);
    else
        snprintf(buf, cap, "%s, %d %s left", what, tries, tries == 1 ? "try" : "tries");
}

char *opgp_error_format(const opgp_error *err, char *buf, unsigned cap)
{
    if (!buf || cap == 0)
        return buf;
    if (!err) {
        snprintf(buf, cap, "%s", opgp_status_str(OPGP_E_INTERNAL));
        return buf;
    }

    const char *pin = pin_name(err->pin_ref);
    char what[96];

    switch (err->status) {
    case OPGP_E_WRONG_PIN:
        snprintf(what, sizeof what, "wrong %s", pin ? pin : "PIN");
        format_tries(buf, cap, what, err->tries_left);
        return buf;
    case OPGP_E_PIN_BLOCKED:
        if (pin)
            snprintf(buf, cap, "PIN blocked (%s): %s", pin_short_name(err->pin_ref),
                     unblock_advice(err->pin_ref));
        else
            snprintf(buf, cap, "PIN blocked: %s", unblock_advice(0));
        return buf;
    case OPGP_E_SECURITY_STATUS:
        if (pin) {
            snprintf(buf, cap, "the %s must be verified first", pin);
            return buf;
        }
        break;
    default:
        break;
    }

    if (err->sw != 0 && err->status != OPGP_OK) {
        const char *meaning = sw_meaning(err->sw);
        snprintf(buf, cap, "card answered %04X (%s)", (unsigned)err->sw,
                 meaning ? meaning : opgp_status_str(err->status));
    } else {
        snprintf(buf, cap, "%s", opgp_status_str(err->status));
    }
    return buf;
}
