/* opgp-tool set name|url|login|lang|pin-policy: the cardholder data objects and the PIN policy.
 * Every change needs the admin PIN, asked once. */
#include <stdio.h>
#include <string.h>

#include "tool.h"

/* "Given Surname" -> "Surname<<Given" (ISO/IEC 7501-1, as GnuPG stores it); a value that already
 * has "<<" is taken as is. Spaces inside the given names become '<'. */
static bool card_name(const char *in, char *out, size_t cap)
{
    if (strstr(in, "<<")) {
        snprintf(out, cap, "%s", in);
        return strlen(in) < cap;
    }
    const char *last = strrchr(in, ' ');
    int n;
    if (!last) {
        n = snprintf(out, cap, "%s", in);
    } else {
        n = snprintf(out, cap, "%s<<%.*s", last + 1, (int)(last - in), in);
    }
    if (n < 0 || (size_t)n >= cap)
        return false;
    for (char *p = out; *p; p++)
        if (*p == ' ')
            *p = '<';
    return true;
}

int cmd_set(tool_ctx *ctx, int argc, char **argv)
{
    if (argc != 3)
        return tool_usage_error("usage: set name|url|login|lang|pin-policy VALUE");
    const char *what = argv[1], *value = argv[2];
    char name[40];
    bool multiple = false;
    if (strcmp(what, "name") == 0) {
        if (!card_name(value, name, sizeof name))
            return tool_usage_error("the name is too long (39 bytes at most)");
    } else if (strcmp(what, "pin-policy") == 0) {
        if (strcmp(value, "once") == 0)
            multiple = true;
        else if (strcmp(value, "per-signature") != 0)
            return tool_usage_error("pin-policy is \"once\" or \"per-signature\"");
    } else if (strcmp(what, "url") && strcmp(what, "login") && strcmp(what, "lang")) {
        return tool_usage_error("unknown setting \"%s\"", what);
    }

    int rc = tool_open_card(ctx);
    if (rc != EXIT_OK)
        return rc;
    rc = tool_verify_admin(ctx);
    if (rc != EXIT_OK)
        return rc;
    opgp_error err;
    opgp_status st;
    if (strcmp(what, "name") == 0)
        st = opgp_card_set_name(ctx->card, name, &err);
    else if (strcmp(what, "url") == 0)
        st = opgp_card_set_url(ctx->card, value, &err);
    else if (strcmp(what, "login") == 0)
        st = opgp_card_set_login(ctx->card, value, &err);
    else if (strcmp(what, "lang") == 0)
        st = opgp_card_set_language(ctx->card, value, &err);
    else
        st = opgp_card_set_pw1_validity(ctx->card, multiple, &err);
    if (st != OPGP_OK) {
        char what_failed[64];
        snprintf(what_failed, sizeof what_failed, "cannot set %s", what);
        return tool_fail(what_failed, &err);
    }
    printf("%s set\n", what);
    return EXIT_OK;
}
