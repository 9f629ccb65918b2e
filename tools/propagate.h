/* Certificate propagation into the user's Windows certificate store: the commands (cert
 * propagate in cmd_propagate.c, watch --propagate in cmd_watch.c, both portable) and what only
 * Windows has, the store (propagate_win32.c over bridge/certprop; propagate_unix.c says so). */
#ifndef OPGP_TOOL_PROPAGATE_H
#define OPGP_TOOL_PROPAGATE_H

#include <stdbool.h>
#include <stddef.h>

#include "opgp/certprop.h"
#include "tool.h"

/* argv[0] is "propagate": cert propagate [--remove [--serial S]]. */
int cmd_cert_propagate(tool_ctx *ctx, int argc, char **argv);

/* EXIT_OK where propagation exists (Windows). Elsewhere it prints that the command (what,
 * e.g. "watch --propagate"; remove: it takes certificates out rather than filling the store)
 * is Windows-only and returns EXIT_CARD. */
int propagate_available(const char *what, bool remove);

/* Propagate the certificates of the card in reader (NULL: every OpenPGP card), or with remove
 * take away those propagated before: of the card in reader, of the card serial, or all (both
 * NULL). Each certificate handled goes to report; *count: how many. Returns the exit code; on
 * failure msg (cap bytes) holds a sentence naming the reader, card or store call. */
int propagate_run(const char *reader, bool remove, const char *serial,
                  certprop_report_fn report, void *arg, size_t *count, char *msg, size_t cap);

#endif
