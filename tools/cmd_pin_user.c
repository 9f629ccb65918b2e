/* opgp-tool pin change and pin unblock (with the Reset Code): the user's own PIN operations,
 * through the token API (bridge/host, the minidriver) like every other consumer's PIN dialog.
 * The admin variants (--admin, set-reset-code) are in cmd_pin.c, on common/. The tries left
 * are the card's (the minidriver's copy, refreshed after every failed PIN operation). */
#include <stdio.h>
#include <string.h>

#include "opgp/crypto.h"
#include "pin_input.h"
#include "token_session.h"
#include "tool.h"

#define MIN_PW1 6 /* spec 3.4.1, 4.3; the maximum is the card's, checked by the minidriver */
#define PIN_CAP 128

static const char *label(opgp_tok_pin pin)
{
    return pin == OPGP_TOK_PIN_PUK ? "Reset Code" : "user PIN (PW1)";
}

static void show_tries(tool_ctx *ctx, const char *when, opgp_tok_pin pin)
{
    int t = tool_token_tries(ctx, pin);
    if (t < 0)
        return;
    printf("%s: %s: %d %s left\n", when, label(pin), t, t == 1 ? "try" : "tries");
    fflush(stdout);
}

/* Refuse early when the secret to be typed is blocked: the card would only say 6983. */
static bool blocked(tool_ctx *ctx, opgp_tok_pin pin)
{
    if (tool_token_tries(ctx, pin) != 0)
        return false;
    if (pin == OPGP_TOK_PIN_PUK)
        fprintf(stderr, "opgp-tool: the card has no usable Reset Code (none set, or blocked): "
                        "unblock with the admin PIN (opgp-tool pin unblock --admin)\n");
    else
        fprintf(stderr, "opgp-tool: the user PIN is blocked: unblock it with the Reset Code "
                        "(opgp-tool pin unblock) or the admin PIN (opgp-tool pin unblock "
                        "--admin)\n");
    return true;
}

/* The new user PIN (twice on a terminal). Its length or -1 after a message. */
static int read_new_pin(tool_ctx *ctx, char *buf)
{
    int n = pin_read(ctx->pin_fd, "New user PIN (PW1): ", buf, PIN_CAP);
    if (n < 0)
        return -1;
    if (ctx->pin_fd < 0) {
        char again[PIN_CAP];
        int m = pin_read(ctx->pin_fd, "Repeat the new user PIN (PW1): ", again, sizeof again);
        bool same = m == n && memcmp(buf, again, (size_t)n) == 0;
        opgp_wipe(again, sizeof again);
        if (!same) {
            opgp_wipe(buf, PIN_CAP);
            fprintf(stderr, "opgp-tool: the two new PINs differ; nothing was changed\n");
            return -1;
        }
    }
    if (n < MIN_PW1) {
        opgp_wipe(buf, PIN_CAP);
        fprintf(stderr, "opgp-tool: the user PIN (PW1) must have at least %d characters; "
                        "nothing was changed\n", MIN_PW1);
        return -1;
    }
    return n;
}

/* After the operation: the sentence for rv (the PIN that was checked: by), the tries after. */
static int finish(tool_ctx *ctx, opgp_tok_rv rv, opgp_tok_pin by, int tries, int new_len,
                  const char *done)
{
    int rc;
    if (rv == OPGP_TOK_OK) {
        printf("%s\n", done);
        rc = EXIT_OK;
    } else if (rv == OPGP_TOK_PIN_LEN_RANGE) {
        fprintf(stderr, "opgp-tool: the card does not take a user PIN (PW1) of %d characters; "
                        "nothing was changed\n", new_len);
        rc = EXIT_USAGE;
    } else {
        rc = tool_token_fail(NULL, rv, by, tries);
    }
    show_tries(ctx, "after", OPGP_TOK_PIN_USER);
    if (by == OPGP_TOK_PIN_PUK)
        show_tries(ctx, "after", OPGP_TOK_PIN_PUK);
    return rc;
}

typedef opgp_tok_rv (*user_pin_setter)(opgp_token *t, opgp_tok_pin by, const uint8_t *auth,
                                        size_t auth_len, const uint8_t *new_pin,
                                        size_t new_len, int *tries_left);

/* Reads the PIN by that authorises the change (prompt), then the new user PIN, and hands both
 * to set; both wiped whatever happens. */
static int set_user_pin(tool_ctx *ctx, opgp_tok_pin by, const char *prompt, user_pin_setter set,
                        const char *done)
{
    char auth[PIN_CAP], new_pin[PIN_CAP];
    int auth_len = pin_read(ctx->pin_fd, prompt, auth, sizeof auth);
    if (auth_len < 0)
        return EXIT_USAGE;
    int new_len = read_new_pin(ctx, new_pin);
    if (new_len < 0) {
        opgp_wipe(auth, sizeof auth);
        return EXIT_USAGE;
    }
    int tries = -1;
    opgp_tok_rv rv = set(ctx->token, by, (uint8_t *)auth, (size_t)auth_len, (uint8_t *)new_pin,
                         (size_t)new_len, &tries);
    opgp_wipe(auth, sizeof auth);
    opgp_wipe(new_pin, sizeof new_pin);
    return finish(ctx, rv, by, tries, new_len, done);
}

int pin_user_change(tool_ctx *ctx)
{
    show_tries(ctx, "before", OPGP_TOK_PIN_USER);
    if (blocked(ctx, OPGP_TOK_PIN_USER))
        return EXIT_CARD;
    return set_user_pin(ctx, OPGP_TOK_PIN_USER, "Current user PIN (PW1): ",
                        opgp_token_change_pin, "user PIN (PW1) changed");
}

int pin_user_unblock(tool_ctx *ctx)
{
    show_tries(ctx, "before", OPGP_TOK_PIN_USER);
    show_tries(ctx, "before", OPGP_TOK_PIN_PUK);
    if (blocked(ctx, OPGP_TOK_PIN_PUK))
        return EXIT_CARD;
    return set_user_pin(ctx, OPGP_TOK_PIN_PUK, "Reset Code: ", opgp_token_unblock_user,
                        "user PIN (PW1) unblocked and set");
}
