/* The tool's side of bridge/host's token API (opgp/host_token.h): the non-admin commands (cert
 * read, key export and csr, the user PIN's change and unblock) reach the card through the same
 * minidriver path as PKCS#11, the CSP and the KSP. Admin operations cardmod has no word for stay
 * on common/ (session.c). */
#ifndef OPGP_TOOL_TOKEN_SESSION_H
#define OPGP_TOOL_TOKEN_SESSION_H

#include "opgp/host_token.h"
#include "tool.h"

/* Open the token in ctx->reader, or in the first reader whose card a minidriver serves;
 * ctx->token owns it (closed by tool_close_card). On failure a sentence and the exit code. */
int tool_open_token(tool_ctx *ctx);

/* The container holding slot's key (role SIG/DEC/AUT); false (after a message) when the
 * minidriver shows no container for it. */
bool tool_token_container(tool_ctx *ctx, opgp_key_slot slot, unsigned *index);

/* The public key of slot in common's form (for the tool's encoders), with attributes from the
 * minidriver's key description: ECDH in the dec slot, ECDSA elsewhere. Returns the exit code
 * after a message (no key in the slot, a curve this build does not know). */
int tool_token_public_key(tool_ctx *ctx, opgp_key_slot slot, unsigned *index,
                          opgp_public_key *pk);

/* Print "opgp-tool: WHAT: <sentence>" for rv (the PIN named and its tries when rv is about a
 * PIN; tries < 0: unknown) and return the exit code, as tool_fail does for common/'s errors. */
int tool_token_fail(const char *what, opgp_tok_rv rv, opgp_tok_pin pin, int tries);

/* The card's tries left for pin (no APDU: the minidriver's copy); -1 when it cannot say. */
int tool_token_tries(tool_ctx *ctx, opgp_tok_pin pin);

#endif
