/* What a propagated certificate says about its key: provider, container, key spec, friendly
 * name, and our mark. Pure (no Windows, no card), so the native build tests it. */
#include <stdio.h>
#include <string.h>

#include "opgp/certprop.h"
#include "opgp/host_token.h"

/* CryptoAPI's values, spelled here so that this file needs no Windows header. */
#define PLAN_PROV_RSA_FULL 1u
#define PLAN_AT_KEYEXCHANGE 1u
#define PLAN_AT_SIGNATURE 2u

const char *certprop_slot_word(unsigned role)
{
    switch (role) {
    case OPGP_TOK_ROLE_SIG: return "sig";
    case OPGP_TOK_ROLE_DEC: return "dec";
    case OPGP_TOK_ROLE_AUT: return "aut";
    default: return NULL;
    }
}

static bool serial_ok(const char *serial)
{
    size_t n = serial != NULL ? strlen(serial) : 0;
    if (n == 0 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = serial[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

bool certprop_plan(const char *serial, const char *label, unsigned role, int keytype,
                   certprop_entry *e)
{
    const char *slot = certprop_slot_word(role);
    if (slot == NULL || !serial_ok(serial) || keytype == OPGP_TOK_KEY_NONE)
        return false;
    snprintf(e->serial, sizeof e->serial, "%s", serial);
    snprintf(e->slot, sizeof e->slot, "%s", slot);
    snprintf(e->container, sizeof e->container, "opgp-%s-%s", serial, slot);
    if (keytype == OPGP_TOK_KEY_RSA) {
        /* The CSP's containers: the signature key signs only; authentication and decryption
         * keys sit in the key exchange position (bridge/csp/README.md, the cmapfile). */
        e->provider = CERTPROP_CSP_NAME;
        e->prov_type = PLAN_PROV_RSA_FULL;
        e->key_spec = role == OPGP_TOK_ROLE_SIG ? PLAN_AT_SIGNATURE : PLAN_AT_KEYEXCHANGE;
    } else {
        /* CryptoAPI has no EC keys: CNG's KSP, which CERT_KEY_PROV_INFO names by type 0. */
        e->provider = CERTPROP_KSP_NAME;
        e->prov_type = 0;
        e->key_spec = 0;
    }
    /* The token labels a card without a cardholder name "OpenPGP card <serial>": the serial
     * alone says the same in the friendly name. */
    char unnamed[64];
    snprintf(unnamed, sizeof unnamed, "OpenPGP card %s", serial);
    const char *who = label != NULL && label[0] != '\0' && strcmp(label, unnamed) != 0 ? label
                                                                                     : serial;
    snprintf(e->friendly_name, sizeof e->friendly_name, "%.60s %s", who, slot);
    return true;
}

size_t certprop_mark(const char *serial, const char *slot, char *out, size_t cap)
{
    if (!serial_ok(serial) || slot == NULL)
        return 0;
    int n = snprintf(out, cap, "%s%s %s", CERTPROP_MARK_PREFIX, serial, slot);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

bool certprop_parse_mark(const void *data, size_t len, char serial[17], char slot[4])
{
    const size_t plen = sizeof CERTPROP_MARK_PREFIX - 1;
    const char *p = data;
    if (p == NULL || len <= plen || len > plen + 16 + 1 + 3 || memcmp(p, CERTPROP_MARK_PREFIX, plen) != 0)
        return false;
    const char *s = p + plen, *end = p + len;
    const char *sp = memchr(s, ' ', (size_t)(end - s));
    if (sp == NULL || sp == s || (size_t)(sp - s) > 16 || (size_t)(end - sp - 1) != 3)
        return false;
    char ser[17], sl[4];
    memcpy(ser, s, (size_t)(sp - s));
    ser[sp - s] = '\0';
    memcpy(sl, sp + 1, 3);
    sl[3] = '\0';
    if (!serial_ok(ser) || (strcmp(sl, "sig") != 0 && strcmp(sl, "dec") != 0 &&
                            strcmp(sl, "aut") != 0))
        return false;
    memcpy(serial, ser, sizeof ser);
    memcpy(slot, sl, sizeof sl);
    return true;
}
