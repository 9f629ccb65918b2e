/* Which card and container a CryptAcquireContext name means.
 *
 * Containers are the minidriver's (0 authentication, 1 signature, 2 decryption). The CSP
 * names them "opgp-<serial>-<aut|sig|dec>": unique across cards, stable across hosts. A name
 * is given plain, or fully qualified as \\.\<reader>\<container>, where <container> may also be
 * the role word or the container's index; \\.\<reader>\ alone means the card's default
 * container (the first one holding an RSA key, as the minidriver's cmapfile default). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csp.h"

bool csp_container_name(const csp_prov *p, unsigned index, char *out, size_t max)
{
    return winprov_container_name(p->token, p->serial, index, out, max);
}

DWORD csp_container_keyspec(opgp_token *t, unsigned index, opgp_tok_key *key)
{
    opgp_tok_key k;
    if (t == NULL || opgp_token_key(t, index, &k) != OPGP_TOK_OK || k.type != OPGP_TOK_KEY_RSA)
        return 0;
    if (key != NULL)
        *key = k;
    /* As the minidriver's cmapfile: the signature key signs only; the decryption key and the
     * authentication key (Windows logon wants it there) sit in the key exchange position. */
    return k.role == OPGP_TOK_ROLE_SIG ? AT_SIGNATURE : AT_KEYEXCHANGE;
}

/* The container of the open token that name designates; -1 when none. */
static int match_container(csp_prov *p, const char *name)
{
    if (name == NULL || name[0] == '\0') {
        for (unsigned i = 0; i < OPGP_TOK_CONTAINERS; i++)
            if (csp_container_keyspec(p->token, i, NULL) != 0)
                return (int)i;
        return -1;
    }
    return winprov_container_by_name(p->token, p->serial, name);
}

static DWORD open_token(csp_prov *p, const char *reader)
{
    opgp_tok_info info;
    opgp_tok_rv r = winprov_token_open(reader, &p->token, &info);
    if (r != OPGP_TOK_OK)
        return csp_tok_error(p, r);
    snprintf(p->reader, sizeof p->reader, "%s", reader);
    snprintf(p->serial, sizeof p->serial, "%s", info.serial);
    return 0;
}

static void close_token(csp_prov *p)
{
    opgp_token_close(p->token);
    p->token = NULL;
    p->reader[0] = '\0';
    p->serial[0] = '\0';
}

DWORD csp_container_open(csp_prov *p, const char *name, bool verify)
{
    char reader[OPGP_TOK_READER_NAME] = "";
    const char *want = name;
    int qualified = name != NULL ? winprov_split_qualified(name, reader, &want) : 0;
    if (qualified < 0)
        return (DWORD)NTE_BAD_KEYSET_PARAM;
    bool reader_given = qualified > 0;
    if (verify && want != NULL && want[0] != '\0')
        return (DWORD)NTE_BAD_KEYSET_PARAM; /* a verify context names no container */

    opgp_tok_reader list[OPGP_TOK_MAX_READERS];
    size_t count = 0;
    opgp_tok_rv r = winprov_list_readers(list, &count);
    if (r != OPGP_TOK_OK || count == 0) {
        /* Hashing and random numbers need no card. */
        if (verify && !reader_given)
            return 0;
        /* The token API folds an unreachable resource manager into DEVICE_ERROR: that is
         * what a failed listing means in practice. */
        if (r == OPGP_TOK_DEVICE_ERROR)
            return (DWORD)SCARD_E_NO_SERVICE;
        return r != OPGP_TOK_OK && r != OPGP_TOK_NO_READER ? csp_tok_error(p, r)
                                                           : (DWORD)SCARD_E_NO_READERS_AVAILABLE;
    }

    DWORD error = reader_given ? (DWORD)SCARD_E_UNKNOWN_READER : (DWORD)SCARD_E_NO_SMARTCARD;
    for (size_t i = 0; i < count; i++) {
        if (reader_given && strcmp(list[i].name, reader) != 0)
            continue;
        if (!list[i].card_present) {
            error = (DWORD)SCARD_E_NO_SMARTCARD;
            continue;
        }
        DWORD e = open_token(p, list[i].name);
        if (e != 0) {
            if (reader_given)
                error = e;
            continue;
        }
        if (verify) {
            p->container = -1;
            return 0;
        }
        int c = match_container(p, want);
        if (c >= 0) {
            p->container = c;
            return 0;
        }
        error = (DWORD)NTE_BAD_KEYSET;
        close_token(p);
    }
    if (verify && !reader_given)
        return 0;
    return error;
}
