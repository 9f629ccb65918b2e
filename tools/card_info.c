/* Card identity as list and status print it. */
#include <stdio.h>
#include <string.h>

#include "card_info.h"

char *card_info_serial(const opgp_aid *aid, char *buf, size_t cap)
{
    return out_format_hex(aid->serial, sizeof aid->serial, false, buf, cap);
}

void card_info_identity(out *o, const opgp_appdata *ad)
{
    char hex[2 * OPGP_AID_LEN + 1], serial[16], code[8];
    out_str(o, "application_id", "Application ID",
            out_format_hex(ad->aid.raw, sizeof ad->aid.raw, false, hex, sizeof hex));
    out_strf(o, "version", "Version", "%u.%u", ad->aid.version_major, ad->aid.version_minor);
    snprintf(code, sizeof code, "%04X", ad->aid.manufacturer);
    const char *name = opgp_manufacturer_name(ad->aid.manufacturer);
    if (o->json) {
        out_str(o, "manufacturer", NULL, name);
        out_str(o, "manufacturer_id", NULL, code);
    } else {
        out_strf(o, "manufacturer", "Manufacturer", "%s (%s)", name, code);
    }
    out_str(o, "serial", "Serial number", card_info_serial(&ad->aid, serial, sizeof serial));
}

void card_info_display_name(const char *raw, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    buf[0] = '\0';
    const char *sep = strstr(raw, "<<");
    char surname[64], given[64];
    if (sep) {
        snprintf(surname, sizeof surname, "%.*s", (int)(sep - raw), raw);
        snprintf(given, sizeof given, "%s", sep + 2);
        snprintf(buf, cap, "%s%s%s", given, given[0] && surname[0] ? " " : "", surname);
    } else {
        snprintf(buf, cap, "%s", raw);
    }
    for (char *p = buf; *p; p++)
        if (*p == '<')
            *p = ' ';
}
