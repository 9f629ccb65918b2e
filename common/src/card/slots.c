/* The per-slot constants of the spec, kept in one table so that no file hard-codes them. */
#include "opgp/appdata.h"

struct slot_info {
    uint8_t crt, attr, fpr, ca_fpr, time, uif, key_ref, cert_occurrence;
    const char *name;
};

/* Certificate occurrences count from AUT: SELECT DATA occurrence 0 is the AUT certificate
 * (the one 3.0 cards had alone), 1 DEC, 2 SIG. */
static const struct slot_info slots[OPGP_KEY_SLOT_COUNT] = {
    [OPGP_KEY_SIG] = {0xB6, 0xC1, 0xC7, 0xCA, 0xCE, 0xD6, 1, 2, "signature"},
    [OPGP_KEY_DEC] = {0xB8, 0xC2, 0xC8, 0xCB, 0xCF, 0xD7, 2, 1, "decryption"},
    [OPGP_KEY_AUT] = {0xA4, 0xC3, 0xC9, 0xCC, 0xD0, 0xD8, 3, 0, "authentication"},
};

static const struct slot_info *info(opgp_key_slot s)
{
    return ((unsigned)s < OPGP_KEY_SLOT_COUNT) ? &slots[s] : NULL;
}

uint8_t opgp_key_slot_crt(opgp_key_slot s) { return info(s) ? info(s)->crt : 0; }
uint8_t opgp_key_slot_attr_tag(opgp_key_slot s) { return info(s) ? info(s)->attr : 0; }
uint8_t opgp_key_slot_fpr_tag(opgp_key_slot s) { return info(s) ? info(s)->fpr : 0; }
uint8_t opgp_key_slot_ca_fpr_tag(opgp_key_slot s) { return info(s) ? info(s)->ca_fpr : 0; }
uint8_t opgp_key_slot_time_tag(opgp_key_slot s) { return info(s) ? info(s)->time : 0; }
uint8_t opgp_key_slot_uif_tag(opgp_key_slot s) { return info(s) ? info(s)->uif : 0; }
uint8_t opgp_key_slot_key_ref(opgp_key_slot s) { return info(s) ? info(s)->key_ref : 0; }

uint8_t opgp_key_slot_cert_occurrence(opgp_key_slot s)
{
    return info(s) ? info(s)->cert_occurrence : 0;
}

const char *opgp_key_slot_name(opgp_key_slot s)
{
    return info(s) ? info(s)->name : "invalid slot";
}
