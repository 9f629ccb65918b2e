/* opgp-tool pin change|unblock|set-reset-code: the three secrets of an OpenPGP card. The tries
 * left are shown before and after, because a wrong PIN costs one of them; a wrong PIN is
 * reported and never sent again. The user's own operations (change, unblock with the Reset
 * Code) go through the token API (cmd_pin_user.c); the admin ones stay here, on common/. */
#include <stdio.h>
#include <string.h>

#include "opgp/crypto.h"
#include "pin_input.h"
#include "token_session.h"
#include "tool.h"

/* Spec 3.4.1, 4.3: minimum lengths. Maximum lengths come from the card (C4). */
#define MIN_PW1 6
#define MIN_PW3 8
#define MIN_RC 8
#define PIN_CAP 128

typedef enum { WHICH_PW1, WHICH_RC, WHICH_PW3 } which_pin;

static const char *pin_label(which_pin w)
{
    return w == WHICH_PW1 ? "user PIN (PW1)" : w == WHICH_RC ? "Reset Code" : "admin PIN (PW3)";
}

static int tries_of(const opgp_pw_status *pw, which_pin w)
{
    return w == WHICH_PW1 ? pw->tries_pw1 : w == WHICH_RC ? pw->tries_rc : pw->tries_pw3;
}

static void show_tries(tool_ctx *ctx, const char *when, which_pin w)
{
    if (opgp_card_refresh_status(ctx->card, NULL) != OPGP_OK)
        return;
    int t = tries_of(&opgp_card_appdata(ctx->card)->pw, w);
    printf("%s: %s: %d %s left\n", when, pin_label(w), t, t == 1 ? "try" : "tries");
    fflush(stdout);
}

/* Read a new secret (twice on a terminal) and check its length. Returns its length or -1. */
static int read_new(tool_ctx *ctx, which_pin w, char *buf)
{
    const opgp_pw_status *pw = &opgp_card_appdata(ctx->card)->pw;
    int min = w == WHICH_PW1 ? MIN_PW1 : w == WHICH_RC ? MIN_RC : MIN_PW3;
    int max = w == WHICH_PW1 ? pw->max_len_pw1 : w == WHICH_RC ? pw->max_len_rc : pw->max_len_pw3;
    char prompt[64], again[PIN_CAP];
    snprintf(prompt, sizeof prompt, "New %s: ", pin_label(w));
    int n = pin_read(ctx->pin_fd, prompt, buf, PIN_CAP);
    if (n < 0)
        return -1;
    if (ctx->pin_fd < 0) {
        snprintf(prompt, sizeof prompt, "Repeat the new %s: ", pin_label(w));
        int m = pin_read(ctx->pin_fd, prompt, again, sizeof again);
        bool same = m == n && memcmp(buf, again, (size_t)n) == 0;
        opgp_wipe(again, sizeof again);
        if (!same) {
            fprintf(stderr, "opgp-tool: the two new PINs differ; nothing was changed\n");
            return -1;
        }
    }
    /* KDF cards store a hash: the length limit from C4 applies to the derived value. */
    bool kdf = opgp_card_appdata(ctx->card)->kdf.algo == OPGP_KDF_ITERSALTED_S2K;
    if (n < min || (!kdf && max > 0 && n > max)) {
        if (!kdf && max > 0)
            fprintf(stderr, "opgp-tool: the %s must have %d to %d characters; nothing was "
                            "changed\n", pin_label(w), min, max);
        else
            fprintf(stderr, "opgp-tool: the %s must have at least %d characters; nothing was "
                            "changed\n", pin_label(w), min);
        return -1;
    }
    return n;
}

/* Refuse early when the secret to be typed is blocked: the card would only say 6983. */
static bool blocked(tool_ctx *ctx, which_pin w)
{
    if (tries_of(&opgp_card_appdata(ctx->card)->pw, w) != 0)
        return false;
    if (w == WHICH_PW1)
        fprintf(stderr, "opgp-tool: the user PIN is blocked: unblock it with the Reset Code "
                        "(opgp-tool pin unblock) or the admin PIN (opgp-tool pin unblock "
                        "--admin)\n");
    else if (w == WHICH_RC)
        fprintf(stderr, "opgp-tool: the card has no usable Reset Code (none set, or blocked): "
                        "unblock with the admin PIN (opgp-tool pin unblock --admin)\n");
    else
        fprintf(stderr, "opgp-tool: the admin PIN is blocked: only a factory reset "
                        "(opgp-tool reset) makes the card usable again, and it erases the "
                        "keys\n");
    return true;
}

/* The admin PIN's change (the user PIN's is cmd_pin_user.c's). */
static int change_admin(tool_ctx *ctx)
{
    which_pin w = WHICH_PW3;
    show_tries(ctx, "before", w);
    if (blocked(ctx, w))
        return EXIT_CARD;
    char old_pin[PIN_CAP], new_pin[PIN_CAP];
    char prompt[64];
    snprintf(prompt, sizeof prompt, "Current %s: ", pin_label(w));
    int old_len = pin_read(ctx->pin_fd, prompt, old_pin, sizeof old_pin);
    if (old_len < 0)
        return EXIT_USAGE;
    int new_len = read_new(ctx, w, new_pin);
    if (new_len < 0) {
        opgp_wipe(old_pin, sizeof old_pin);
        return EXIT_USAGE;
    }
    opgp_error err;
    opgp_status st = opgp_card_change_pin(ctx->card, OPGP_PIN_PW3, (uint8_t *)old_pin,
                                          (size_t)old_len, (uint8_t *)new_pin, (size_t)new_len,
                                          &err);
    opgp_wipe(old_pin, sizeof old_pin);
    opgp_wipe(new_pin, sizeof new_pin);
    int rc = st == OPGP_OK ? EXIT_OK : tool_fail(NULL, &err);
    if (st == OPGP_OK)
        printf("%s changed\n", pin_label(w));
    show_tries(ctx, "after", w);
    return rc;
}

static int unblock_with_admin(tool_ctx *ctx)
{
    show_tries(ctx, "before", WHICH_PW1);
    int rc = tool_verify_admin(ctx);
    if (rc != EXIT_OK) {
        show_tries(ctx, "after", WHICH_PW3);
        return rc;
    }
    char new_pin[PIN_CAP];
    int new_len = read_new(ctx, WHICH_PW1, new_pin);
    if (new_len < 0)
        return EXIT_USAGE;
    opgp_error err;
    opgp_status st = opgp_card_reset_pin_admin(ctx->card, (uint8_t *)new_pin, (size_t)new_len,
                                               &err);
    opgp_wipe(new_pin, sizeof new_pin);
    rc = st == OPGP_OK ? EXIT_OK : tool_fail(NULL, &err);
    if (st == OPGP_OK)
        printf("user PIN (PW1) unblocked and set\n");
    show_tries(ctx, "after", WHICH_PW1);
    return rc;
}

static int set_reset_code(tool_ctx *ctx)
{
    show_tries(ctx, "before", WHICH_RC);
    int rc = tool_verify_admin(ctx);
    if (rc != EXIT_OK) {
        show_tries(ctx, "after", WHICH_PW3);
        return rc;
    }
    char code[PIN_CAP];
    int len = read_new(ctx, WHICH_RC, code);
    if (len < 0)
        return EXIT_USAGE;
    opgp_error err;
    opgp_status st = opgp_card_set_reset_code(ctx->card, (uint8_t *)code, (size_t)len, &err);
    opgp_wipe(code, sizeof code);
    rc = st == OPGP_OK ? EXIT_OK : tool_fail(NULL, &err);
    if (st == OPGP_OK)
        printf("Reset Code set\n");
    show_tries(ctx, "after", WHICH_RC);
    return rc;
}

int cmd_pin(tool_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return tool_usage_error("pin needs change, unblock or set-reset-code");
    bool admin = false;
    for (int i = 2; i < argc; i++) {
        if (tool_is_flag(argv[i], "--admin"))
            admin = true;
        else
            return tool_usage_error("pin %s: unexpected \"%s\"", argv[1], argv[i]);
    }
    const char *sub = argv[1];
    if (strcmp(sub, "change") && strcmp(sub, "unblock") && strcmp(sub, "set-reset-code"))
        return tool_usage_error("unknown pin command \"%s\"", sub);
    bool users_own = !admin && (strcmp(sub, "change") == 0 || strcmp(sub, "unblock") == 0);
    if (users_own) {
        int rc = tool_open_token(ctx);
        if (rc != EXIT_OK)
            return rc;
        return strcmp(sub, "change") == 0 ? pin_user_change(ctx) : pin_user_unblock(ctx);
    }
    int rc = tool_open_card(ctx);
    if (rc != EXIT_OK)
        return rc;
    if (strcmp(sub, "change") == 0)
        return change_admin(ctx);
    if (strcmp(sub, "unblock") == 0)
        return unblock_with_admin(ctx);
    return set_reset_code(ctx);
}
