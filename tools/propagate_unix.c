/* Certificate propagation fills Windows' certificate store: nothing of the kind exists here. */
#include <stdio.h>

#include "propagate.h"

int propagate_available(const char *what, bool remove)
{
    fprintf(stderr,
            "opgp-tool: %s is Windows-only: it %s the user's Windows certificate "
            "store (CurrentUser\\MY). Here applications reach the card's certificates and keys "
            "through the PKCS#11 module (opgp-pkcs11.so).\n",
            what, remove ? "takes certificates out of" : "fills");
    return EXIT_CARD;
}

int propagate_run(const char *reader, bool remove, const char *serial,
                  certprop_report_fn report, void *arg, size_t *count, char *msg, size_t cap)
{
    (void)reader;
    (void)serial;
    (void)report;
    (void)arg;
    *count = 0;
    snprintf(msg, cap, "certificate propagation%s is Windows-only", remove ? " removal" : "");
    return EXIT_CARD;
}
