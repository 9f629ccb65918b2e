/* opgp-tool cert propagate: the command (cmd_propagate.c, portable) and what only Windows has,
 * the certificate store (propagate_win32.c over bridge/certprop; propagate_unix.c says so). */
#ifndef OPGP_TOOL_PROPAGATE_H
#define OPGP_TOOL_PROPAGATE_H

#include <stdbool.h>
#include <stddef.h>

#include "opgp/certprop.h"
#include "tool.h"

/* argv[0] is "propagate": cert propagate [--remove [--serial S]]. */
int cmd_cert_propagate(tool_ctx *ctx, int argc, char **argv);

/* Propagate the certificates of the card in reader (NULL: every OpenPGP card), or with remove
 * take away those propagated before: of the card in reader, of the card serial, or all (both
 * NULL). Each certificate handled goes to report; *count: how many. Prints its own error
 * sentence; returns the exit code. */
int propagate_platform(const char *reader, bool remove, const char *serial,
                       certprop_report_fn report, void *arg, size_t *count);

#endif
