/* opgp-tool cert propagate [--remove [--serial S]]: the card's certificates into the user's
 * Windows certificate store, pointing at the provider and container of their keys, as
 * Windows' Certificate Propagation Service does; --remove takes out exactly those. Windows
 * only: propagate_available says so elsewhere. */
#include <stdio.h>
#include <string.h>

#include "propagate.h"

static const char *action_word(certprop_action a)
{
    switch (a) {
    case CERTPROP_ADDED: return "added";
    case CERTPROP_REFRESHED: return "refreshed";
    case CERTPROP_USER_OWNED: return "kept (the user's own copy)";
    case CERTPROP_REMOVED: return "removed";
    }
    return "?";
}

static const char *key_spec_word(unsigned spec)
{
    return spec == 2 ? "AT_SIGNATURE" : spec == 1 ? "AT_KEYEXCHANGE" : "none (CNG key)";
}

static void report_entry(void *arg, const certprop_entry *e)
{
    out *o = arg;
    out_begin_object(o, NULL, NULL);
    /* JSON: a fixed word; text: a sentence. */
    if (o->json)
        out_str(o, "action", NULL,
                e->action == CERTPROP_USER_OWNED ? "user-owned" : action_word(e->action));
    else
        out_str(o, NULL, "Certificate", action_word(e->action));
    if (e->reader[0] != '\0')
        out_str(o, "reader", "Reader", e->reader);
    out_str(o, "serial", "Card serial", e->serial);
    out_str(o, "slot", "Slot", e->slot);
    out_str(o, "container", "Container", e->container);
    if (e->provider != NULL && e->action != CERTPROP_USER_OWNED) {
        out_str(o, "provider", "Provider", e->provider);
        out_int(o, "provider_type", "Provider type", e->prov_type);
        if (o->json)
            out_int(o, "key_spec", NULL, e->key_spec);
        else
            out_str(o, NULL, "Key spec", key_spec_word(e->key_spec));
    }
    out_str(o, "friendly_name", "Friendly name", e->friendly_name[0] ? e->friendly_name : NULL);
    out_str(o, "thumbprint", "SHA-1 thumbprint", e->thumbprint);
    out_end_object(o);
}

int cmd_cert_propagate(tool_ctx *ctx, int argc, char **argv)
{
    bool remove = false;
    const char *serial = NULL;
    for (int i = 1; i < argc; i++) {
        if (tool_is_flag(argv[i], "--remove")) {
            remove = true;
        } else if (tool_is_flag(argv[i], "--serial")) {
            if (i + 1 >= argc)
                return tool_usage_error("cert propagate: --serial needs a card serial number");
            serial = argv[++i];
        } else {
            return tool_usage_error("cert propagate: unexpected \"%s\"", argv[i]);
        }
    }
    if (serial != NULL && !remove)
        return tool_usage_error("cert propagate: --serial goes with --remove");
    if (serial != NULL && ctx->reader != NULL)
        return tool_usage_error("cert propagate --remove: --reader or --serial, not both");

    int rc = propagate_available(remove ? "cert propagate --remove" : "cert propagate", remove);
    if (rc != EXIT_OK)
        return rc;
    out o;
    out_init(&o, stdout, ctx->json);
    out_begin_array(&o, "certificates", NULL);
    size_t count = 0;
    char msg[512];
    rc = propagate_run(ctx->reader, remove, serial, report_entry, &o, &count, msg, sizeof msg);
    out_end_array(&o);
    if (rc != EXIT_OK)
        fprintf(stderr, "opgp-tool: cert propagate%s: %s\n", remove ? " --remove" : "", msg);
    if (rc == EXIT_OK) {
        if (o.json)
            out_int(&o, remove ? "removed" : "propagated", NULL, (long long)count);
        else
            out_strf(&o, NULL, remove ? "Removed" : "Propagated", "%lu certificate%s",
                     (unsigned long)count, count == 1 ? "" : "s");
    }
    out_finish(&o);
    return rc;
}
