/* Pieces of card description that several commands print. */
#ifndef OPGP_TOOL_CARD_INFO_H
#define OPGP_TOOL_CARD_INFO_H

#include "opgp/card.h"
#include "output.h"

/* Application ID, spec version, manufacturer (code and name), serial. */
void card_info_identity(out *o, const opgp_appdata *ad);
/* "Surname<<Given" as "Given Surname" (and a single '<' as a space), as GnuPG shows it. */
void card_info_display_name(const char *raw, char *buf, size_t cap);
/* Serial number as GnuPG prints it: the 4 serial bytes in hex. buf needs 9 bytes. */
char *card_info_serial(const opgp_aid *aid, char *buf, size_t cap);

#endif
