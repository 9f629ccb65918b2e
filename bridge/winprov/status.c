/* Token results as Windows status codes, where CNG and CryptoAPI agree. */
#include "winprov.h"

LONG winprov_tok_status(opgp_tok_rv r, bool silent)
{
    switch (r) {
    case OPGP_TOK_OK: return ERROR_SUCCESS;
    case OPGP_TOK_NO_CARD: return (LONG)SCARD_W_REMOVED_CARD;
    case OPGP_TOK_CARD_RESET: return (LONG)SCARD_W_RESET_CARD;
    case OPGP_TOK_UNKNOWN_CARD: return (LONG)SCARD_E_UNKNOWN_CARD;
    case OPGP_TOK_NO_READER: return (LONG)SCARD_E_NO_READERS_AVAILABLE;
    case OPGP_TOK_PIN_INCORRECT: return (LONG)SCARD_W_WRONG_CHV;
    case OPGP_TOK_PIN_LOCKED: return (LONG)SCARD_W_CHV_BLOCKED;
    case OPGP_TOK_PIN_LEN_RANGE: return (LONG)SCARD_E_INVALID_CHV;
    case OPGP_TOK_NOT_LOGGED_IN:
        /* The providers have no PIN dialog: a silent caller learns that UI would be needed,
         * any other that the card wants a PIN through the API's PIN property first. */
        return silent ? (LONG)NTE_SILENT_CONTEXT : (LONG)SCARD_W_CARD_NOT_AUTHENTICATED;
    case OPGP_TOK_NO_KEY: return (LONG)NTE_NO_KEY;
    case OPGP_TOK_UNSUPPORTED: return (LONG)NTE_NOT_SUPPORTED;
    case OPGP_TOK_BAD_INPUT: return (LONG)NTE_BAD_DATA;
    case OPGP_TOK_NO_MEMORY: return (LONG)NTE_NO_MEMORY;
    case OPGP_TOK_TIMEOUT: return (LONG)SCARD_E_TIMEOUT;
    case OPGP_TOK_BUFFER_TOO_SMALL:
    case OPGP_TOK_CANCELLED:
    case OPGP_TOK_DEVICE_ERROR:
        break;
    }
    return (LONG)NTE_FAIL;
}
