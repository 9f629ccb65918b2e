/* Opening a token for the tool, and turning the token API's results into the tool's sentences
 * and exit codes (through tool_fail, so a PIN error reads the same whichever layer saw it). */
#include <stdio.h>
#include <string.h>

#include "token_session.h"

static int no_token(const char *reader, opgp_tok_rv rv)
{
    switch (rv) {
    case OPGP_TOK_NO_READER:
        return tool_no_card(TOOL_NO_SUCH_READER, reader);
    case OPGP_TOK_NO_CARD:
        return tool_no_card(TOOL_EMPTY_READER, reader);
    case OPGP_TOK_UNKNOWN_CARD:
        fprintf(stderr, "opgp-tool: the card in reader %s is not an OpenPGP card opgp knows\n",
                reader);
        return EXIT_NO_CARD;
    default: {
        char what[200];
        snprintf(what, sizeof what, "reader %s", reader);
        return tool_token_fail(what, rv, 0, -1);
    }
    }
}

static void set_reader_name(tool_ctx *ctx, const char *name)
{
    size_t n = strlen(name);
    if (n >= sizeof ctx->reader_name)
        n = sizeof ctx->reader_name - 1;
    memcpy(ctx->reader_name, name, n);
    ctx->reader_name[n] = '\0';
}

int tool_open_token(tool_ctx *ctx)
{
    opgp_tok_rv rv;
    if (ctx->reader) {
        rv = opgp_token_open(ctx->reader, &ctx->token);
        if (rv == OPGP_TOK_OK)
            set_reader_name(ctx, ctx->reader);
        return rv == OPGP_TOK_OK ? EXIT_OK : no_token(ctx->reader, rv);
    }
    opgp_tok_readers *readers = NULL;
    opgp_tok_reader list[OPGP_TOK_MAX_READERS];
    size_t count = 0;
    rv = opgp_tok_readers_open(&readers);
    if (rv == OPGP_TOK_OK)
        rv = opgp_tok_readers_list(readers, list, OPGP_TOK_MAX_READERS, &count);
    opgp_tok_readers_close(readers);
    if (rv == OPGP_TOK_NO_READER || (rv == OPGP_TOK_OK && count == 0))
        return tool_no_card(TOOL_NO_READERS, NULL);
    if (rv != OPGP_TOK_OK)
        return tool_token_fail("cannot list the readers", rv, 0, -1);
    /* The first reader whose card opens; a card that is there but fails says why. */
    int failed = -1;
    opgp_tok_rv failed_rv = OPGP_TOK_OK;
    for (size_t i = 0; i < count; i++) {
        if (!list[i].card_present)
            continue;
        rv = opgp_token_open(list[i].name, &ctx->token);
        if (rv == OPGP_TOK_OK) {
            set_reader_name(ctx, list[i].name);
            return EXIT_OK;
        }
        if (failed < 0 && rv != OPGP_TOK_NO_CARD && rv != OPGP_TOK_UNKNOWN_CARD) {
            failed = (int)i;
            failed_rv = rv;
        }
    }
    if (failed >= 0)
        return no_token(list[failed].name, failed_rv);
    return tool_no_card(TOOL_NO_OPENPGP_CARD, NULL);
}

bool tool_token_container(tool_ctx *ctx, opgp_key_slot slot, unsigned *index)
{
    unsigned want = slot == OPGP_KEY_SIG   ? OPGP_TOK_ROLE_SIG
                    : slot == OPGP_KEY_DEC ? OPGP_TOK_ROLE_DEC
                                           : OPGP_TOK_ROLE_AUT;
    for (unsigned i = 0; i < OPGP_TOK_CONTAINERS; i++) {
        unsigned role;
        if (opgp_token_role(ctx->token, i, &role) == OPGP_TOK_OK && role == want) {
            *index = i;
            return true;
        }
    }
    fprintf(stderr, "opgp-tool: the card's minidriver shows no container for the %s key\n",
            opgp_key_slot_name(slot));
    return false;
}

int tool_token_public_key(tool_ctx *ctx, opgp_key_slot slot, unsigned *index,
                          opgp_public_key *pk)
{
    if (!tool_token_container(ctx, slot, index))
        return EXIT_CARD;
    opgp_tok_key key;
    opgp_tok_rv rv = opgp_token_key(ctx->token, *index, &key);
    if (rv == OPGP_TOK_NO_KEY) {
        fprintf(stderr, "opgp-tool: no key in the %s slot\n", opgp_key_slot_name(slot));
        return EXIT_CARD;
    }
    if (rv != OPGP_TOK_OK)
        return tool_token_fail("cannot read the key", rv, 0, -1);
    memset(pk, 0, sizeof *pk);
    opgp_status st = OPGP_OK;
    switch (key.type) {
    case OPGP_TOK_KEY_RSA:
        pk->attr = opgp_algo_attr_rsa((uint16_t)key.bits);
        break;
    case OPGP_TOK_KEY_ED25519:
        st = opgp_algo_attr_ecc(OPGP_ALGO_EDDSA, OPGP_CURVE_ED25519, &pk->attr);
        break;
    case OPGP_TOK_KEY_X25519:
        st = opgp_algo_attr_ecc(OPGP_ALGO_ECDH, OPGP_CURVE_X25519, &pk->attr);
        break;
    case OPGP_TOK_KEY_EC: {
        /* ec_params is the DER OID: 06, a short length, the content. */
        const opgp_curve_info *c = NULL;
        if (key.ec_params_len >= 2 && key.ec_params[0] == 0x06 &&
            key.ec_params[1] == key.ec_params_len - 2)
            c = opgp_curve_by_oid(key.ec_params + 2, key.ec_params_len - 2);
        st = c ? opgp_algo_attr_ecc(slot == OPGP_KEY_DEC ? OPGP_ALGO_ECDH : OPGP_ALGO_ECDSA,
                                    c->curve, &pk->attr)
               : OPGP_E_NOT_SUPPORTED;
        break;
    }
    default:
        st = OPGP_E_NOT_SUPPORTED;
    }
    if (st != OPGP_OK) {
        fprintf(stderr, "opgp-tool: the %s key is of a kind this build cannot describe\n",
                opgp_key_slot_name(slot));
        return EXIT_CARD;
    }
    uint8_t pub[OPGP_TOK_MAX_PUB], exp[16];
    size_t pub_len = sizeof pub, exp_len = sizeof exp;
    rv = opgp_token_public_key(ctx->token, *index, pub, &pub_len, exp, &exp_len);
    if (rv != OPGP_TOK_OK)
        return tool_token_fail("cannot read the public key", rv, 0, -1);
    if (key.type == OPGP_TOK_KEY_RSA) {
        if (pub_len > sizeof pk->n || exp_len > sizeof pk->e)
            return tool_token_fail("cannot read the public key", OPGP_TOK_BAD_INPUT, 0, -1);
        memcpy(pk->n, pub, pub_len);
        pk->n_len = pub_len;
        memcpy(pk->e, exp, exp_len);
        pk->e_len = exp_len;
    } else {
        if (pub_len > sizeof pk->point)
            return tool_token_fail("cannot read the public key", OPGP_TOK_BAD_INPUT, 0, -1);
        memcpy(pk->point, pub, pub_len);
        pk->point_len = pub_len;
    }
    return EXIT_OK;
}

static int pin_ref_of(opgp_tok_pin pin)
{
    switch (pin) {
    case OPGP_TOK_PIN_USER: return OPGP_PIN_PW1;
    case OPGP_TOK_PIN_SIGN: return OPGP_PIN_PW1_SIGN;
    case OPGP_TOK_PIN_ADMIN: return OPGP_PIN_PW3;
    case OPGP_TOK_PIN_PUK: return OPGP_PIN_RC;
    }
    return 0;
}

static opgp_status status_of(opgp_tok_rv rv)
{
    switch (rv) {
    case OPGP_TOK_OK: return OPGP_OK;
    case OPGP_TOK_NO_CARD: return OPGP_E_NO_CARD;
    case OPGP_TOK_CARD_RESET: return OPGP_E_CARD_RESET;
    case OPGP_TOK_UNKNOWN_CARD: return OPGP_E_NOT_OPENPGP;
    case OPGP_TOK_NO_READER: return OPGP_E_NO_READER;
    case OPGP_TOK_PIN_INCORRECT: return OPGP_E_WRONG_PIN;
    case OPGP_TOK_PIN_LOCKED: return OPGP_E_PIN_BLOCKED;
    case OPGP_TOK_PIN_LEN_RANGE: return OPGP_E_WRONG_LENGTH;
    case OPGP_TOK_NOT_LOGGED_IN: return OPGP_E_SECURITY_STATUS;
    case OPGP_TOK_NO_KEY: return OPGP_E_NOT_FOUND;
    case OPGP_TOK_UNSUPPORTED: return OPGP_E_NOT_SUPPORTED;
    case OPGP_TOK_BAD_INPUT: return OPGP_E_WRONG_DATA;
    case OPGP_TOK_BUFFER_TOO_SMALL: return OPGP_E_BUFFER_TOO_SMALL;
    case OPGP_TOK_NO_MEMORY: return OPGP_E_NO_MEMORY;
    case OPGP_TOK_TIMEOUT: return OPGP_E_TIMEOUT;
    case OPGP_TOK_CANCELLED: return OPGP_E_CARD;
    case OPGP_TOK_DEVICE_ERROR: return OPGP_E_TRANSPORT;
    }
    return OPGP_E_INTERNAL;
}

int tool_token_fail(const char *what, opgp_tok_rv rv, opgp_tok_pin pin, int tries)
{
    if (rv == OPGP_TOK_CANCELLED) {
        fprintf(stderr, "opgp-tool: %s%scancelled on the reader\n", what ? what : "",
                what ? ": " : "");
        return EXIT_CARD;
    }
    opgp_error err = {.status = status_of(rv), .tries_left = tries, .pin_ref = pin_ref_of(pin)};
    if (rv == OPGP_TOK_PIN_LOCKED)
        err.tries_left = 0;
    return tool_fail(what, &err);
}

int tool_token_tries(tool_ctx *ctx, opgp_tok_pin pin)
{
    opgp_tok_info info;
    if (opgp_token_info(ctx->token, &info) != OPGP_TOK_OK)
        return -1;
    return info.tries[pin];
}
