/* Container names and finding cards, as the CSP, the KSP and certificate propagation see them.
 * Containers are the minidriver's (0 authentication, 1 signature, 2 decryption). */
#include <stdio.h>
#include <string.h>

#include "winprov.h"

static const char *const role_word[] = { "", "sig", "dec", "aut" };

bool winprov_container_name(opgp_token *t, const char *serial, unsigned index, char *out,
                            size_t max)
{
    unsigned role = 0;
    if (t == NULL || opgp_token_role(t, index, &role) != OPGP_TOK_OK ||
        role < OPGP_TOK_ROLE_SIG || role > OPGP_TOK_ROLE_AUT)
        return false;
    int n = snprintf(out, max, "opgp-%s-%s", serial, role_word[role]);
    return n > 0 && (size_t)n < max;
}

int winprov_container_by_name(opgp_token *t, const char *serial, const char *want)
{
    if (want[0] >= '0' && want[0] < '0' + OPGP_TOK_CONTAINERS && want[1] == '\0')
        return want[0] - '0';
    for (unsigned i = 0; i < OPGP_TOK_CONTAINERS; i++) {
        char full[64];
        unsigned role = 0;
        if (!winprov_container_name(t, serial, i, full, sizeof full) ||
            opgp_token_role(t, i, &role) != OPGP_TOK_OK)
            continue;
        if (strcmp(want, full) == 0 || strcmp(want, role_word[role]) == 0)
            return (int)i;
    }
    return -1;
}

int winprov_split_qualified(const char *name, char reader[OPGP_TOK_READER_NAME],
                            const char **container)
{
    if (strncmp(name, "\\\\.\\", 4) != 0)
        return 0;
    const char *r = name + 4;
    const char *sep = strchr(r, '\\');
    size_t n = sep != NULL ? (size_t)(sep - r) : strlen(r);
    if (n == 0 || n >= OPGP_TOK_READER_NAME)
        return -1;
    memcpy(reader, r, n);
    reader[n] = '\0';
    *container = sep != NULL ? sep + 1 : "";
    return 1;
}

opgp_tok_rv winprov_list_readers(opgp_tok_reader *list, size_t *count)
{
    opgp_tok_readers *rs = NULL;
    opgp_tok_rv r = opgp_tok_readers_open(&rs);
    if (r == OPGP_TOK_OK) {
        r = opgp_tok_readers_list(rs, list, OPGP_TOK_MAX_READERS, count);
        opgp_tok_readers_close(rs);
    }
    return r;
}

opgp_tok_rv winprov_token_open(const char *reader, opgp_token **t, opgp_tok_info *info)
{
    *t = NULL;
    opgp_tok_rv r = opgp_token_open(reader, t);
    if (r == OPGP_TOK_OK)
        r = opgp_token_info(*t, info);
    if (r != OPGP_TOK_OK) {
        opgp_token_close(*t);
        *t = NULL;
    }
    return r;
}
