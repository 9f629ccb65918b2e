/* Finding the card, and turning statuses into sentences and exit codes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgp/host_token.h"
#include "opgp/transport_pcsc.h"
#include "pin_input.h"
#include "tool.h"

int tool_exit_code(opgp_status st)
{
    switch (st) {
    case OPGP_OK:
        return EXIT_OK;
    case OPGP_E_NO_READER:
    case OPGP_E_NO_CARD:
    case OPGP_E_NOT_OPENPGP:
        return EXIT_NO_CARD;
    case OPGP_E_INVALID_ARG:
        return EXIT_USAGE;
    default:
        return EXIT_CARD;
    }
}

/* After the last try went wrong, what to do next. */
static const char *now_blocked_advice(int pin_ref)
{
    switch (pin_ref) {
    case OPGP_PIN_PW1:
    case OPGP_PIN_PW1_SIGN:
        return "the user PIN is now blocked: unblock it with the Reset Code or the admin PIN "
               "(opgp-tool pin unblock [--admin])";
    case OPGP_PIN_RC:
        return "the Reset Code is now blocked: unblock the user PIN with the admin PIN "
               "(opgp-tool pin unblock --admin)";
    case OPGP_PIN_PW3:
        return "the admin PIN is now blocked: only a factory reset (opgp-tool reset) makes the "
               "card usable again, and it erases the keys";
    default:
        return NULL;
    }
}

int tool_fail(const char *what, const opgp_error *err)
{
    char msg[256];
    opgp_error_format(err, msg, sizeof msg);
    if (what)
        fprintf(stderr, "opgp-tool: %s: %s\n", what, msg);
    else
        fprintf(stderr, "opgp-tool: %s\n", msg);
    const char *advice = now_blocked_advice(err->pin_ref);
    if (err->status == OPGP_E_WRONG_PIN && err->tries_left == 0 && advice)
        fprintf(stderr, "opgp-tool: %s\n", advice);
    return tool_exit_code(err->status);
}

int tool_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("opgp-tool: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see opgp-tool --help)\n", stderr);
    return EXIT_USAGE;
}

bool tool_is_flag(const char *arg, const char *name)
{
    return arg && strcmp(arg, name) == 0;
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        if (x != *b)
            return false;
    }
    return *a == *b;
}

bool tool_parse_slot(const char *s, opgp_key_slot *slot)
{
    static const struct { const char *name; opgp_key_slot slot; } names[] = {
        {"sig", OPGP_KEY_SIG}, {"signature", OPGP_KEY_SIG}, {"1", OPGP_KEY_SIG},
        {"dec", OPGP_KEY_DEC}, {"enc", OPGP_KEY_DEC},       {"decryption", OPGP_KEY_DEC},
        {"encryption", OPGP_KEY_DEC}, {"2", OPGP_KEY_DEC},
        {"aut", OPGP_KEY_AUT}, {"auth", OPGP_KEY_AUT}, {"authentication", OPGP_KEY_AUT},
        {"3", OPGP_KEY_AUT},
    };
    if (!s)
        return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ieq(s, names[i].name)) {
            *slot = names[i].slot;
            return true;
        }
    return false;
}

const char *tool_slot_short(opgp_key_slot slot)
{
    switch (slot) {
    case OPGP_KEY_SIG: return "sig";
    case OPGP_KEY_DEC: return "dec";
    case OPGP_KEY_AUT: return "aut";
    }
    return "?";
}

/* Open reader and the OpenPGP application in it; on success ctx owns both. */
static opgp_status try_reader(tool_ctx *ctx, const char *reader, bool accept_terminated,
                              opgp_error *err)
{
    opgp_transport *t = NULL;
    opgp_status st = opgp_pcsc_open(reader, &t);
    err->status = st;
    if (st != OPGP_OK)
        return st;
    opgp_card *card = NULL;
    st = opgp_card_open(t, &card, err);
    if (st != OPGP_OK && !(accept_terminated && st == OPGP_E_TERMINATED)) {
        opgp_transport_close(t);
        return st;
    }
    ctx->transport = t;
    ctx->card = card; /* NULL when terminated */
    snprintf(ctx->reader_name, sizeof ctx->reader_name, "%s", reader);
    return st;
}

int tool_no_card(tool_card_absence why, const char *reader)
{
    switch (why) {
    case TOOL_NO_SUCH_READER:
        fprintf(stderr, "opgp-tool: no reader named \"%s\"\n", reader);
        break;
    case TOOL_EMPTY_READER:
        fprintf(stderr, "opgp-tool: no card in reader %s\n", reader);
        break;
    case TOOL_NO_READERS:
        fprintf(stderr, "opgp-tool: no smart card reader found\n");
        break;
    case TOOL_NO_OPENPGP_CARD:
        fprintf(stderr, "opgp-tool: no OpenPGP card in any reader\n");
        break;
    }
    return EXIT_NO_CARD;
}

static int report_reader_failure(const char *reader, const opgp_error *err)
{
    switch (err->status) {
    case OPGP_E_NO_READER:
        return tool_no_card(TOOL_NO_SUCH_READER, reader);
    case OPGP_E_NO_CARD:
        return tool_no_card(TOOL_EMPTY_READER, reader);
    case OPGP_E_NOT_OPENPGP:
        fprintf(stderr, "opgp-tool: the card in reader %s has no OpenPGP application\n", reader);
        return EXIT_NO_CARD;
    case OPGP_E_TERMINATED:
        fprintf(stderr, "opgp-tool: the OpenPGP application in reader %s is terminated "
                        "(an interrupted factory reset): run opgp-tool reset\n", reader);
        return EXIT_CARD;
    default: {
        char what[300];
        snprintf(what, sizeof what, "reader %s", reader);
        return tool_fail(what, err);
    }
    }
}

static int open_any(tool_ctx *ctx, bool accept_terminated)
{
    opgp_error err = {.status = OPGP_OK, .tries_left = -1};
    if (ctx->reader) {
        opgp_status st = try_reader(ctx, ctx->reader, accept_terminated, &err);
        if (st == OPGP_OK || (accept_terminated && st == OPGP_E_TERMINATED))
            return EXIT_OK;
        return report_reader_failure(ctx->reader, &err);
    }

    size_t len = 0;
    opgp_status st = opgp_pcsc_list_readers(NULL, &len);
    char *names = NULL;
    if (st == OPGP_OK || st == OPGP_E_BUFFER_TOO_SMALL) {
        names = malloc(len + 2);
        if (!names)
            return EXIT_CARD;
        st = opgp_pcsc_list_readers(names, &len);
    }
    if (st == OPGP_E_NO_READER || (st == OPGP_OK && len <= 1)) {
        free(names);
        return tool_no_card(TOOL_NO_READERS, NULL);
    }
    if (st != OPGP_OK) {
        free(names);
        err.status = st;
        return tool_fail("cannot list the readers", &err);
    }
    names[len] = names[len + 1] = '\0';
    /* The first reader whose card opens; remember why the first failing one did not, to say
     * more than "no card" when a card is there but broken or busy. */
    const char *failed_reader = NULL;
    opgp_error failed_err = err;
    for (const char *r = names; *r; r += strlen(r) + 1) {
        st = try_reader(ctx, r, accept_terminated, &err);
        if (st == OPGP_OK || (accept_terminated && st == OPGP_E_TERMINATED)) {
            free(names);
            return EXIT_OK;
        }
        if (!failed_reader && st != OPGP_E_NO_CARD && st != OPGP_E_NOT_OPENPGP) {
            failed_reader = r;
            failed_err = err;
        }
    }
    int rc;
    if (failed_reader) {
        rc = report_reader_failure(failed_reader, &failed_err);
    } else {
        rc = tool_no_card(TOOL_NO_OPENPGP_CARD, NULL);
    }
    free(names);
    return rc;
}

int tool_open_card(tool_ctx *ctx)
{
    return open_any(ctx, false);
}

int tool_open_card_or_terminated(tool_ctx *ctx)
{
    return open_any(ctx, true);
}

void tool_close_card(tool_ctx *ctx)
{
    if (ctx->token)
        opgp_token_close(ctx->token);
    ctx->token = NULL;
    opgp_card_close(ctx->card);
    ctx->card = NULL;
    if (ctx->transport)
        opgp_transport_close(ctx->transport);
    ctx->transport = NULL;
}

int tool_verify_admin(tool_ctx *ctx)
{
    opgp_card_refresh_status(ctx->card, NULL);
    const opgp_pw_status *pw = &opgp_card_appdata(ctx->card)->pw;
    if (pw->present && pw->tries_pw3 == 0) {
        fprintf(stderr, "opgp-tool: the admin PIN is blocked: only a factory reset "
                        "(opgp-tool reset) makes the card usable again, and it erases the keys\n");
        return EXIT_CARD;
    }
    char pin[128];
    int n = pin_read(ctx->pin_fd, "Admin PIN: ", pin, sizeof pin);
    if (n < 0)
        return EXIT_USAGE;
    opgp_error err;
    opgp_status st = opgp_card_verify(ctx->card, OPGP_PIN_PW3, (const uint8_t *)pin, (size_t)n,
                                      &err);
    opgp_wipe(pin, sizeof pin);
    if (st != OPGP_OK)
        return tool_fail(NULL, &err);
    return EXIT_OK;
}
