/* A token: one card in one reader, driven through its minidriver (see opgp/host_token.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgp/minidriver_vendor.h"
#include "token_internal.h"

void opgp_tok_wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n-- > 0)
        *v++ = 0;
}

PCARD_DATA tok_cd(opgp_token *t) { return opgp_host_card_data(t->ctx); }

void tok_forget_pin(opgp_token *t)
{
    opgp_tok_wipe(t->user_pin, sizeof t->user_pin);
    t->user_pin_len = 0;
    t->user_pinpad = false;
}

opgp_tok_rv tok_map(opgp_token *t, DWORD rv)
{
    switch (rv) {
    case SCARD_S_SUCCESS: return OPGP_TOK_OK;
    case SCARD_W_REMOVED_CARD:
    case SCARD_E_NO_SMARTCARD:
    case SCARD_E_READER_UNAVAILABLE:
    case SCARD_E_UNKNOWN_READER:
        t->removed = true;
        tok_forget_pin(t);
        return OPGP_TOK_NO_CARD;
    case SCARD_W_RESET_CARD:
        tok_forget_pin(t); /* the PIN states went with the reset: log in again */
        return OPGP_TOK_CARD_RESET;
    case SCARD_W_WRONG_CHV: return OPGP_TOK_PIN_INCORRECT;
    case SCARD_W_CHV_BLOCKED: return OPGP_TOK_PIN_LOCKED;
    case SCARD_W_SECURITY_VIOLATION:
    case SCARD_W_CARD_NOT_AUTHENTICATED: return OPGP_TOK_NOT_LOGGED_IN;
    case SCARD_E_NO_KEY_CONTAINER:
    case SCARD_E_FILE_NOT_FOUND: return OPGP_TOK_NO_KEY;
    case SCARD_E_UNSUPPORTED_FEATURE: return OPGP_TOK_UNSUPPORTED;
    case SCARD_E_INVALID_PARAMETER:
    case NTE_BAD_DATA:
    case NTE_BAD_LEN: return OPGP_TOK_BAD_INPUT;
    case ERROR_INSUFFICIENT_BUFFER:
    case SCARD_E_INSUFFICIENT_BUFFER: return OPGP_TOK_BUFFER_TOO_SMALL;
    case SCARD_E_NO_MEMORY: return OPGP_TOK_NO_MEMORY;
    case SCARD_E_TIMEOUT: return OPGP_TOK_TIMEOUT;
    case SCARD_W_CANCELLED_BY_USER: return OPGP_TOK_CANCELLED; /* Cancel on the pinpad */
    case SCARD_E_UNKNOWN_CARD:
    case SCARD_E_CARD_UNSUPPORTED: return OPGP_TOK_UNKNOWN_CARD;
    default:
        /* A card pulled in the middle of a command fails it with a communication error; PC/SC
         * tells the removal only to the next call. Ask now, so the caller hears "removed". */
        if (opgp_host_reader_card_gone(t->reader.card)) {
            t->removed = true;
            tok_forget_pin(t);
            return OPGP_TOK_NO_CARD;
        }
        return OPGP_TOK_DEVICE_ERROR;
    }
}

opgp_tok_rv tok_enter(opgp_token *t)
{
    if (t == NULL)
        return OPGP_TOK_BAD_INPUT;
    opgp_host_lock_take(t->lock);
    if (t->removed) {
        opgp_host_lock_give(t->lock);
        return OPGP_TOK_NO_CARD;
    }
    return OPGP_TOK_OK;
}

void tok_leave(opgp_token *t) { opgp_host_lock_give(t->lock); }

opgp_tok_rv opgp_token_open(const char *reader, opgp_token **out)
{
    if (reader == NULL || out == NULL)
        return OPGP_TOK_BAD_INPUT;
    *out = NULL;
    opgp_token *t = calloc(1, sizeof *t);
    if (t == NULL)
        return OPGP_TOK_NO_MEMORY;
    for (int i = 0; i < 5; i++)
        t->tries[i] = -1;
    t->lock = opgp_host_lock_new();
    if (t->lock == NULL) {
        free(t);
        return OPGP_TOK_NO_MEMORY;
    }
    opgp_tok_rv r;
    long pc = opgp_host_reader_connect(reader, &t->reader);
    if (pc != 0) {
        /* A reader name PC/SC does not know is not a removed card. */
        r = (DWORD)pc == (DWORD)SCARD_E_UNKNOWN_READER ? OPGP_TOK_NO_READER
                                                         : tok_map(t, (DWORD)pc);
        goto fail;
    }
    DWORD rv = opgp_host_module_for_atr(t->reader.atr, (DWORD)t->reader.atr_len, t->card_name,
                                        &t->module);
    if (rv != SCARD_S_SUCCESS) {
        r = OPGP_TOK_UNKNOWN_CARD;
        goto fail_reader;
    }
    opgp_host_card_params p = {
        .hSCardCtx = (SCARDCONTEXT)t->reader.ctx,
        .hScard = (SCARDHANDLE)t->reader.card,
        .atr = t->reader.atr,
        .atr_len = (DWORD)t->reader.atr_len,
        .card_name = t->card_name,
        .version = 0,
    };
    rv = opgp_host_context_open(&t->module, &p, &t->ctx);
    if (rv != SCARD_S_SUCCESS) {
        r = tok_map(t, rv);
        if (r == OPGP_TOK_DEVICE_ERROR || r == OPGP_TOK_BAD_INPUT)
            r = OPGP_TOK_UNKNOWN_CARD;
        goto fail_module;
    }
    *out = t;
    return OPGP_TOK_OK;
fail_module:
    opgp_host_module_close(&t->module);
fail_reader:
    opgp_host_reader_disconnect(&t->reader);
fail:
    opgp_host_lock_free(t->lock);
    free(t);
    return r;
}

void tok_containers_forget(opgp_token *t)
{
    for (unsigned i = 0; i < OPGP_TOK_CONTAINERS; i++) {
        free(t->c[i].cert);
        memset(&t->c[i], 0, sizeof t->c[i]);
    }
}

void opgp_token_close(opgp_token *t)
{
    if (t == NULL)
        return;
    opgp_host_lock_take(t->lock);
    opgp_host_context_close(t->ctx);
    opgp_host_module_close(&t->module);
    opgp_host_reader_disconnect(&t->reader);
    tok_containers_forget(t);
    tok_forget_pin(t);
    opgp_host_lock_give(t->lock);
    opgp_host_lock_free(t->lock);
    free(t);
}

static DWORD get_prop(opgp_token *t, LPCWSTR name, DWORD flags, void *buf, DWORD cap, DWORD *len)
{
    PCARD_DATA cd = tok_cd(t);
    if (cd->pfnCardGetProperty == NULL)
        return SCARD_E_UNSUPPORTED_FEATURE;
    DWORD got = 0;
    DWORD rv = cd->pfnCardGetProperty(cd, name, buf, cap, &got, flags);
    if (len != NULL)
        *len = got;
    return rv;
}

opgp_tok_rv opgp_token_info(opgp_token *t, opgp_tok_info *out)
{
    if (out == NULL)
        return OPGP_TOK_BAD_INPUT;
    opgp_tok_rv r = tok_enter(t);
    if (r != OPGP_TOK_OK)
        return r;
    memset(out, 0, sizeof *out);
    memcpy(out->cardid, opgp_host_context_cardid(t->ctx), sizeof out->cardid);
    BYTE serial[32];
    DWORD slen = 0;
    DWORD rv = get_prop(t, CP_CARD_SERIAL_NO, 0, serial, sizeof serial, &slen);
    if (rv != SCARD_S_SUCCESS || slen == 0) {
        /* No serial property: the cardid identifies the card as well. */
        memcpy(serial, out->cardid, 8);
        slen = 8;
    }
    for (DWORD i = 0; i < slen && 2 * i + 2 < sizeof out->serial; i++)
        snprintf(out->serial + 2 * i, 3, "%02X", serial[i]);
    char name[64];
    DWORD nlen = 0;
    if (get_prop(t, CP_OPGP_CARDHOLDER_NAME, 0, name, sizeof name - 1, &nlen) ==
            SCARD_S_SUCCESS && nlen > 0 && nlen < sizeof name)
        tok_holder_label(name, nlen, out->label, sizeof out->label);
    if (out->label[0] == 0)
        snprintf(out->label, sizeof out->label, "OpenPGP card %s", out->serial);
    for (int i = 0; i < 5; i++)
        out->tries[i] = t->tries[i];
    BYTE tries[3];
    DWORD tlen = 0;
    if (get_prop(t, CP_OPGP_PIN_TRIES, 0, tries, sizeof tries, &tlen) == SCARD_S_SUCCESS &&
        tlen == sizeof tries) {
        out->tries[OPGP_TOK_PIN_USER] = out->tries[OPGP_TOK_PIN_SIGN] = tries[0];
        out->tries[OPGP_TOK_PIN_PUK] = tries[1];
        out->tries[OPGP_TOK_PIN_ADMIN] = tries[2];
    }
    PIN_INFO pi;
    DWORD plen = 0;
    if (get_prop(t, CP_CARD_PIN_INFO, OPGP_TOK_PIN_SIGN, &pi, sizeof pi, &plen) ==
            SCARD_S_SUCCESS && plen == sizeof pi)
        out->sign_pin_always = pi.PinCachePolicy.PinCachePolicyType == PinCacheAlwaysPrompt;
    if (get_prop(t, CP_CARD_PIN_INFO, OPGP_TOK_PIN_USER, &pi, sizeof pi, &plen) ==
            SCARD_S_SUCCESS && plen == sizeof pi)
        out->protected_path = pi.PinType == ExternalPinType;
    PIN_SET state = 0;
    if (get_prop(t, CP_CARD_AUTHENTICATED_STATE, 0, &state, sizeof state, &plen) ==
        SCARD_S_SUCCESS) {
        for (int i = 1; i < 5; i++)
            out->logged_in[i] = IS_PIN_SET(state, i);
    }
    BOOL ro = FALSE;
    if (get_prop(t, CP_CARD_READ_ONLY, 0, &ro, sizeof ro, &plen) == SCARD_S_SUCCESS)
        out->read_only = ro != FALSE;
    tok_leave(t);
    return OPGP_TOK_OK;
}
