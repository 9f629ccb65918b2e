/* watch --propagate: the propagation itself is cert propagate's (propagate_run, over
 * bridge/certprop); here only the tally of what it did to each certificate, for one line per
 * card. */
#include <stdio.h>
#include <string.h>

#include "propagate.h"
#include "watch_propagate.h"

static void tally(void *arg, const certprop_entry *e)
{
    watch_propagation *p = arg;
    switch (e->action) {
    case CERTPROP_ADDED: p->added++; break;
    case CERTPROP_REFRESHED: p->refreshed++; break;
    case CERTPROP_USER_OWNED: p->user_owned++; break;
    case CERTPROP_REMOVED: p->removed++; break;
    }
}

void watch_propagate(const char *reader, const char *serial, bool remove, watch_propagation *p)
{
    memset(p, 0, sizeof *p);
    p->remove = remove;
    size_t count = 0;
    /* Arrival: by reader, exactly as cert propagate --reader R. Departure: by serial, as the
     * card is no longer there to be asked. */
    p->rc = propagate_run(remove ? NULL : reader, remove, remove ? serial : NULL, tally, p,
                          &count, p->msg, sizeof p->msg);
}

const char *watch_propagation_event(const watch_propagation *p)
{
    if (p->rc != EXIT_OK)
        return p->remove ? "certificate-removal-failed" : "propagation-failed";
    return p->remove ? "certificates-removed" : "certificates-propagated";
}

void watch_propagation_line(out *o, const char *serial, const watch_propagation *p)
{
    if (o->json) {
        out_str(o, "serial", NULL, serial);
        if (p->rc != EXIT_OK) {
            out_str(o, "detail", NULL, p->msg);
            return;
        }
        if (!p->remove) {
            out_int(o, "added", NULL, (long long)p->added);
            out_int(o, "refreshed", NULL, (long long)p->refreshed);
            out_int(o, "user_owned", NULL, (long long)p->user_owned);
        }
        out_int(o, "removed", NULL, (long long)p->removed);
        return;
    }
    if (p->rc != EXIT_OK)
        printf("card %s: certificates not %s: %s\n", serial,
               p->remove ? "taken out of MY" : "propagated", p->msg);
    else if (p->remove)
        printf("card %s removed: %lu certificate%s taken out of MY\n", serial,
               (unsigned long)p->removed, p->removed == 1 ? "" : "s");
    else
        printf("card %s: certificates propagated into MY: %lu added, %lu refreshed, %lu the "
               "user's own (kept), %lu replaced ones removed\n",
               serial, (unsigned long)p->added, (unsigned long)p->refreshed,
               (unsigned long)p->user_owned, (unsigned long)p->removed);
}
