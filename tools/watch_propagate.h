/* watch --propagate: what a card's arrival (its certificates into the user's MY store, as
 * cert propagate --reader R) or, with --remove-on-removal, its departure (those certificates
 * out again, as cert propagate --remove --serial S) does, and the watch line saying so. */
#ifndef OPGP_TOOL_WATCH_PROPAGATE_H
#define OPGP_TOOL_WATCH_PROPAGATE_H

#include <stdbool.h>
#include <stddef.h>

#include "output.h"

typedef struct watch_propagation {
    bool remove;       /* the card left: its certificates were taken out */
    int rc;            /* exit code of the propagation (EXIT_OK) */
    char msg[512];     /* the sentence when rc is not EXIT_OK */
    size_t added, refreshed, user_owned, removed;
} watch_propagation;

/* Propagate the certificates of the card with this serial in reader, or (remove) take out
 * those propagated for the card serial. */
void watch_propagate(const char *reader, const char *serial, bool remove, watch_propagation *p);

/* The watch event the line reports: certificates-propagated, certificates-removed,
 * propagation-failed or certificate-removal-failed. */
const char *watch_propagation_event(const watch_propagation *p);
/* The rest of the watch line (after time, event and reader) for the card serial: JSON fields,
 * or a sentence. */
void watch_propagation_line(out *o, const char *serial, const watch_propagation *p);

#endif
