/* Which card and container a key name means.
 *
 * Containers are the minidriver's (0 authentication, 1 signature, 2 decryption), named as the
 * CSP names them: "opgp-<serial>-<aut|sig|dec>", unique across cards. A name is given plain (the
 * card is found by its serial in any reader) or as \\.\<reader>\<container>, where <container>
 * may also be the role word or the container's index, or empty: the card's first key.
 * Cards are opened once per provider and kept until FreeProvider. */
#include <stdio.h>
#include <string.h>

#include "ksp.h"

bool ksp_container_name(const ksp_card *card, unsigned index, char *out, size_t max)
{
    return winprov_container_name(card->token, card->serial, index, out, max);
}

/* The card open on p for reader, opening it if need be. Caller holds p->lock exclusively. */
static SECURITY_STATUS card_open_locked(ksp_prov *p, const char *reader, ksp_card **out)
{
    ksp_card *free_slot = NULL;
    for (size_t i = 0; i < OPGP_TOK_MAX_READERS; i++) {
        ksp_card *c = &p->cards[i];
        if (c->token != NULL && !c->stale && strcmp(c->reader, reader) == 0) {
            opgp_tok_info info;
            opgp_tok_rv r = opgp_token_info(c->token, &info);
            if (r == OPGP_TOK_OK || r == OPGP_TOK_CARD_RESET) {
                *out = c;
                return ERROR_SUCCESS;
            }
            /* Removed or replaced: keys on it keep answering "removed" (another thread may be
             * using its token, so it stays open until FreeProvider); a new slot serves the
             * reader's card from now on. */
            c->stale = true;
        }
        if (c->token == NULL && free_slot == NULL)
            free_slot = c;
    }
    if (free_slot == NULL)
        return NTE_NO_MEMORY;
    opgp_token *t = NULL;
    opgp_tok_info info;
    opgp_tok_rv r = winprov_token_open(reader, &t, &info);
    if (r != OPGP_TOK_OK)
        return ksp_tok_status(r, 0);
    snprintf(free_slot->reader, sizeof free_slot->reader, "%s", reader);
    snprintf(free_slot->serial, sizeof free_slot->serial, "%s", info.serial);
    free_slot->token = t;
    *out = free_slot;
    return ERROR_SUCCESS;
}

static SECURITY_STATUS list_readers(opgp_tok_reader *list, size_t *count)
{
    opgp_tok_rv r = winprov_list_readers(list, count);
    /* The token API folds an unreachable resource manager into DEVICE_ERROR. */
    if (r == OPGP_TOK_DEVICE_ERROR)
        return (SECURITY_STATUS)SCARD_E_NO_SERVICE;
    if (r != OPGP_TOK_OK && r != OPGP_TOK_NO_READER)
        return ksp_tok_status(r, 0);
    if (r == OPGP_TOK_NO_READER || *count == 0)
        return (SECURITY_STATUS)SCARD_E_NO_READERS_AVAILABLE;
    return ERROR_SUCCESS;
}

/* The container of card that want designates; -1 when none. */
static int match_container(const ksp_card *card, const char *want)
{
    if (want == NULL || want[0] == '\0') {
        for (unsigned i = 0; i < OPGP_TOK_CONTAINERS; i++) {
            opgp_tok_key k;
            if (opgp_token_key(card->token, i, &k) == OPGP_TOK_OK)
                return (int)i;
        }
        return -1;
    }
    return winprov_container_by_name(card->token, card->serial, want);
}

SECURITY_STATUS ksp_card_find(ksp_prov *p, const char *name, ksp_card **card,
                              unsigned *container)
{
    char reader[OPGP_TOK_READER_NAME] = "";
    const char *want = name;
    int qualified = winprov_split_qualified(name, reader, &want);
    if (qualified < 0)
        return NTE_INVALID_PARAMETER;
    bool reader_given = qualified > 0;
    if (!reader_given && strncmp(name, "opgp-", 5) != 0)
        return NTE_BAD_KEYSET;

    opgp_tok_reader list[OPGP_TOK_MAX_READERS];
    size_t count = 0;
    SECURITY_STATUS st = list_readers(list, &count);
    if (st != ERROR_SUCCESS)
        return st;
    SECURITY_STATUS error = reader_given ? (SECURITY_STATUS)SCARD_E_UNKNOWN_READER : NTE_BAD_KEYSET;
    AcquireSRWLockExclusive(&p->lock);
    for (size_t i = 0; i < count; i++) {
        if (reader_given && strcmp(list[i].name, reader) != 0)
            continue;
        if (!list[i].card_present) {
            if (reader_given)
                error = (SECURITY_STATUS)SCARD_E_NO_SMARTCARD;
            continue;
        }
        ksp_card *c = NULL;
        SECURITY_STATUS e = card_open_locked(p, list[i].name, &c);
        if (e != ERROR_SUCCESS) {
            if (reader_given)
                error = e;
            continue;
        }
        int idx = match_container(c, want);
        if (idx >= 0) {
            ReleaseSRWLockExclusive(&p->lock);
            *card = c;
            *container = (unsigned)idx;
            return ERROR_SUCCESS;
        }
        error = NTE_BAD_KEYSET;
    }
    ReleaseSRWLockExclusive(&p->lock);
    return error;
}

SECURITY_STATUS ksp_card_open_all(ksp_prov *p, const char *only_reader)
{
    opgp_tok_reader list[OPGP_TOK_MAX_READERS];
    size_t count = 0;
    SECURITY_STATUS st = list_readers(list, &count);
    if (st != ERROR_SUCCESS)
        return st;
    bool found = only_reader == NULL;
    AcquireSRWLockExclusive(&p->lock);
    for (size_t i = 0; i < count; i++) {
        if (only_reader != NULL && strcmp(list[i].name, only_reader) != 0)
            continue;
        found = true;
        ksp_card *c = NULL;
        if (list[i].card_present && card_open_locked(p, list[i].name, &c) != ERROR_SUCCESS)
            ksp_log("opgpksp: the card in reader \"%s\" cannot be used", list[i].name);
    }
    ReleaseSRWLockExclusive(&p->lock);
    return found ? ERROR_SUCCESS : (SECURITY_STATUS)SCARD_E_UNKNOWN_READER;
}

void ksp_cards_close(ksp_prov *p)
{
    AcquireSRWLockExclusive(&p->lock);
    for (size_t i = 0; i < OPGP_TOK_MAX_READERS; i++) {
        opgp_token_close(p->cards[i].token);
        p->cards[i].token = NULL;
    }
    ReleaseSRWLockExclusive(&p->lock);
}
