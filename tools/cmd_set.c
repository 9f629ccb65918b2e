/* opgp-tool set name|url|login|lang|pin-policy|uif: the cardholder data objects, the PIN policy
 * and the touch requirement (UIF) of a key. Every change needs the admin PIN, asked once. */
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

static bool parse_uif(const char *s, uint8_t *mode)
{
    if (strcmp(s, "on") == 0)
        *mode = OPGP_UIF_ON;
    else if (strcmp(s, "off") == 0)
        *mode = OPGP_UIF_OFF;
    else if (strcmp(s, "permanent") == 0)
        *mode = OPGP_UIF_PERMANENT;
    else
        return false;
    return true;
}

/* Whether the card can take this touch setting; a sentence when not. The UIF DOs of 3.4 are
 * optional: a card has them when its application data carries D6-D8 (and, when it declares
 * its features in 7F74, a button). */
static int uif_refusal(const opgp_appdata *ad, opgp_key_slot slot, uint8_t mode)
{
    const char *key = opgp_key_slot_name(slot);
    if (!ad->has_uif[slot] || (ad->has_features && !(ad->features & 0x20))) {
        fprintf(stderr, "opgp-tool: this card has no touch setting (UIF) for the %s key\n", key);
        return EXIT_CARD;
    }
    if (ad->uif[slot] == OPGP_UIF_PERMANENT && mode != OPGP_UIF_PERMANENT) {
        fprintf(stderr, "opgp-tool: the touch setting of the %s key is permanent: only a factory "
                        "reset (opgp-tool reset) clears it\n", key);
        return EXIT_CARD;
    }
    return EXIT_OK;
}

/* The card opened and the admin PIN verified; a touch setting the card would refuse (uif_slot
 * not NULL) is refused before the PIN is asked for. */
static int open_as_admin(tool_ctx *ctx, const opgp_key_slot *uif_slot, uint8_t uif_mode)
{
    int rc = tool_open_card(ctx);
    if (rc == EXIT_OK && uif_slot != NULL)
        rc = uif_refusal(opgp_card_appdata(ctx->card), *uif_slot, uif_mode);
    if (rc == EXIT_OK)
        rc = tool_verify_admin(ctx);
    return rc;
}

static int set_uif(tool_ctx *ctx, const char *slot_name, const char *value)
{
    opgp_key_slot slot;
    uint8_t mode;
    if (!tool_parse_slot(slot_name, &slot))
        return tool_usage_error("unknown key slot \"%s\" (sig, dec or aut)", slot_name);
    if (!parse_uif(value, &mode))
        return tool_usage_error("uif is \"on\", \"off\" or \"permanent\"");
    int rc = open_as_admin(ctx, &slot, mode);
    if (rc != EXIT_OK)
        return rc;
    opgp_error err;
    if (opgp_card_set_uif(ctx->card, slot, mode, &err) != OPGP_OK) {
        char what[96];
        snprintf(what, sizeof what, "cannot set the touch setting of the %s key",
                 opgp_key_slot_name(slot));
        return tool_fail(what, &err);
    }
    printf("touch (UIF) of the %s key: %s\n", opgp_key_slot_name(slot), value);
    return EXIT_OK;
}

int cmd_set(tool_ctx *ctx, int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "uif") == 0)
        return set_uif(ctx, argv[2], argv[3]);
    if (argc >= 2 && strcmp(argv[1], "uif") == 0)
        return tool_usage_error("usage: set uif SLOT on|off|permanent");
    if (argc != 3)
        return tool_usage_error("usage: set name|url|login|lang|pin-policy VALUE, or set uif SLOT on|off|permanent");
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

    int rc = open_as_admin(ctx, NULL, 0);
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
