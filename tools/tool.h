/* opgp-tool: what the command files share. Each command is `int cmd_X(tool_ctx *ctx, int argc,
 * char **argv)` returning an exit code; argv[0] is the command name. */
#ifndef OPGP_TOOL_H
#define OPGP_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/card.h"
#include "output.h"

/* Exit codes (documented in --help). */
#define EXIT_OK 0
#define EXIT_USAGE 1
#define EXIT_CARD 2      /* the card refused, a wrong PIN, a malformed card answer */
#define EXIT_NO_CARD 3   /* no reader, no card, not an OpenPGP card */

typedef struct opgp_token opgp_token; /* bridge/host's token (opgp/host_token.h) */

typedef struct tool_ctx {
    const char *reader;      /* --reader NAME, or NULL: the first reader with an OpenPGP card */
    bool json;               /* --json */
    int pin_fd;              /* --pin-fd N, or -1: PINs from the terminal */
    /* Filled by tool_open_card. */
    char reader_name[256];
    opgp_transport *transport;
    opgp_card *card;
    /* Filled by tool_open_token (token_session.h): the non-admin commands' path. */
    opgp_token *token;
} tool_ctx;

/* Connect to ctx->reader (or find the first OpenPGP card) and open the card; on failure print a
 * sentence to stderr and return the exit code (EXIT_NO_CARD / EXIT_CARD). */
int tool_open_card(tool_ctx *ctx);
/* The same, but a card whose OpenPGP application is terminated is accepted too (ctx->card
 * stays NULL then): the factory reset finishes what an interrupted one began. */
int tool_open_card_or_terminated(tool_ctx *ctx);
/* The sentences both ways of opening a card (tool_open_card over PC/SC, tool_open_token over
 * bridge/host) end with when no card opens: one printed to stderr, EXIT_NO_CARD returned.
 * reader names the reader where the sentence does (NULL otherwise). */
typedef enum tool_card_absence {
    TOOL_NO_SUCH_READER,  /* no reader of that name */
    TOOL_EMPTY_READER,    /* no card in that reader */
    TOOL_NO_READERS,      /* no reader at all */
    TOOL_NO_OPENPGP_CARD, /* readers, but no OpenPGP card in any */
} tool_card_absence;
int tool_no_card(tool_card_absence why, const char *reader);
/* Closes the card and the token, whichever is open. */
void tool_close_card(tool_ctx *ctx);

/* Print "opgp-tool: WHAT: <sentence for err>" to stderr; return the exit code for err. */
int tool_fail(const char *what, const opgp_error *err);
/* The exit code a status deserves. */
int tool_exit_code(opgp_status st);
/* A usage error: "opgp-tool: MSG" and a pointer to --help; returns EXIT_USAGE. */
int tool_usage_error(const char *fmt, ...);

/* "sig", "signature", "dec", "encryption", "decryption", "aut", "authentication" (any case).
 * False when s names no slot. */
bool tool_parse_slot(const char *s, opgp_key_slot *slot);
const char *tool_slot_short(opgp_key_slot slot); /* "sig", "dec", "aut" */

/* Whether argv[i] is option name; "--opt=value" forms are not used, values follow. */
bool tool_is_flag(const char *arg, const char *name);

/* Verify the admin PIN (PW3), read from ctx's PIN source. Shows the tries left on a failure;
 * never retries. Returns the exit code (EXIT_OK on success). */
int tool_verify_admin(tool_ctx *ctx);

/* Commands. */
int cmd_list(tool_ctx *ctx, int argc, char **argv);
int cmd_status(tool_ctx *ctx, int argc, char **argv);
int cmd_pin(tool_ctx *ctx, int argc, char **argv);
int cmd_cert(tool_ctx *ctx, int argc, char **argv);
int cmd_key(tool_ctx *ctx, int argc, char **argv);
int cmd_key_import(tool_ctx *ctx, int argc, char **argv); /* key import, reached from cmd_key */
/* pin change and pin unblock (Reset Code) for the user PIN, through the token (cmd_pin_user.c);
 * ctx->token open. */
int pin_user_change(tool_ctx *ctx);
int pin_user_unblock(tool_ctx *ctx);
int cmd_set(tool_ctx *ctx, int argc, char **argv);
int cmd_reset(tool_ctx *ctx, int argc, char **argv);
int cmd_apdu(tool_ctx *ctx, int argc, char **argv);
int cmd_watch(tool_ctx *ctx, int argc, char **argv);

#endif
