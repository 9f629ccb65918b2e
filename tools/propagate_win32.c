/* Certificate propagation on Windows: bridge/certprop, which reaches the cards through
 * bridge/host's token API and fills CurrentUser\MY. */
#include <stdio.h>

#include "propagate.h"

static int exit_code(certprop_rv rv)
{
    switch (rv) {
    case CERTPROP_OK: return EXIT_OK;
    case CERTPROP_NO_READER:
    case CERTPROP_NO_CARD: return EXIT_NO_CARD;
    case CERTPROP_BAD_INPUT: return EXIT_USAGE;
    default: return EXIT_CARD;
    }
}

int propagate_available(const char *what, bool remove)
{
    (void)what;
    (void)remove;
    return EXIT_OK;
}

int propagate_run(const char *reader, bool remove, const char *serial,
                  certprop_report_fn report, void *arg, size_t *count, char *msg, size_t cap)
{
    char card_serial[17];
    certprop_rv rv;
    *count = 0;
    if (cap > 0)
        msg[0] = '\0';
    if (!remove) {
        rv = certprop_add(reader, report, arg, count, msg, cap);
    } else {
        if (serial == NULL && reader != NULL) {
            rv = certprop_card_serial(reader, card_serial, msg, cap);
            serial = card_serial;
        } else {
            rv = CERTPROP_OK;
        }
        if (rv == CERTPROP_OK)
            rv = certprop_remove(serial, report, arg, count, msg, cap);
    }
    return exit_code(rv);
}
