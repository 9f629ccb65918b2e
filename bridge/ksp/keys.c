/* Keys: open by name, enumerate, free, properties. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksp.h"
#include "ksp_table.h"

/* Vendor key property: the tries left on the PIN that guards the key (DWORD; absent when the
 * card does not say). */
#define KSP_PIN_TRIES_PROPERTY L"opgp PIN Tries"

#define OPEN_FLAGS (NCRYPT_SILENT_FLAG | NCRYPT_MACHINE_KEY_FLAG)

static DWORD legacy_spec(const opgp_tok_key *k)
{
    if (k->type != OPGP_TOK_KEY_RSA)
        return 0;
    return k->role == OPGP_TOK_ROLE_SIG ? AT_SIGNATURE : AT_KEYEXCHANGE;
}

SECURITY_STATUS WINAPI ksp_OpenKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE *phKey,
                                   LPCWSTR pszKeyName, DWORD dwLegacyKeySpec, DWORD dwFlags)
{
    ksp_prov *p = ksp_prov_get(hProvider);
    if (p == NULL)
        return NTE_INVALID_HANDLE;
    if (phKey == NULL || pszKeyName == NULL)
        return NTE_INVALID_PARAMETER;
    *phKey = 0;
    if (dwFlags & ~(DWORD)OPEN_FLAGS)
        return NTE_BAD_FLAGS;
    if (dwLegacyKeySpec != 0 && dwLegacyKeySpec != AT_KEYEXCHANGE &&
        dwLegacyKeySpec != AT_SIGNATURE)
        return NTE_INVALID_PARAMETER;
    char name[OPGP_TOK_READER_NAME + KSP_NAME_MAX];
    if (!ksp_to_utf8(pszKeyName, name, sizeof name))
        return NTE_BAD_KEYSET;

    ksp_card *card = NULL;
    unsigned container = 0;
    SECURITY_STATUS st = ksp_card_find(p, name, &card, &container);
    if (st != ERROR_SUCCESS) {
        ksp_log("opgpksp: no key \"%s\" (status 0x%08lx)", name, (unsigned long)st);
        return st;
    }
    ksp_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NTE_NO_MEMORY;
    opgp_tok_rv r = opgp_token_key(card->token, container, &k->info);
    if (r != OPGP_TOK_OK || !ksp_container_name(card, container, k->name, sizeof k->name) ||
        ksp_key_algorithm(&k->info) == NULL) {
        /* An empty container, or a key CNG has no name for (Ed25519, X25519, other curves). */
        free(k);
        return r == OPGP_TOK_OK || r == OPGP_TOK_NO_KEY ? NTE_BAD_KEYSET : ksp_tok_status(r, 0);
    }
    if (dwLegacyKeySpec != 0 && legacy_spec(&k->info) != dwLegacyKeySpec) {
        free(k);
        return NTE_BAD_KEYSET;
    }
    k->card = card;
    k->container = container;
    k->flags = dwFlags | p->flags;
    InitializeSRWLock(&k->lock);
    winprov_handle_add(&k->obj, KSP_KIND_KEY, p);
    *phKey = (NCRYPT_KEY_HANDLE)k;
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI ksp_FreeKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey)
{
    ksp_prov *p;
    ksp_key *k;
    SECURITY_STATUS st = ksp_key_lookup(hProvider, hKey, &p, &k);
    if (st != ERROR_SUCCESS)
        return st;
    winprov_handle_remove(&k->obj);
    ksp_key_free(k);
    return ERROR_SUCCESS;
}

/* ---- EnumKeys ---------------------------------------------------------------------------- */

#define ENUM_MAGIC 0x6f70676bu /* "opgk" */

typedef struct enum_item {
    wchar_t name[KSP_NAME_MAX];
    wchar_t alg[24];
    DWORD spec;
} enum_item;

/* A snapshot of the keys at the first call, handed back by the caller on the next ones. */
typedef struct enum_state {
    DWORD magic;
    size_t pos, count;
    enum_item items[OPGP_TOK_MAX_READERS * OPGP_TOK_CONTAINERS];
} enum_state;

static void snapshot(ksp_prov *p, enum_state *s)
{
    AcquireSRWLockShared(&p->lock);
    for (size_t i = 0; i < OPGP_TOK_MAX_READERS; i++) {
        ksp_card *c = &p->cards[i];
        if (c->token == NULL || c->stale)
            continue;
        for (unsigned j = 0; j < OPGP_TOK_CONTAINERS; j++) {
            opgp_tok_key k;
            char name[KSP_NAME_MAX];
            const wchar_t *alg;
            if (opgp_token_key(c->token, j, &k) != OPGP_TOK_OK ||
                (alg = ksp_key_algorithm(&k)) == NULL ||
                !ksp_container_name(c, j, name, sizeof name))
                continue;
            enum_item *it = &s->items[s->count];
            if (!ksp_to_wide(name, it->name, KSP_NAME_MAX))
                continue;
            wcsncpy(it->alg, alg, sizeof it->alg / sizeof it->alg[0] - 1);
            it->spec = legacy_spec(&k);
            s->count++;
        }
    }
    ReleaseSRWLockShared(&p->lock);
}

SECURITY_STATUS WINAPI ksp_EnumKeys(NCRYPT_PROV_HANDLE hProvider, LPCWSTR pszScope,
                                    NCryptKeyName **ppKeyName, PVOID *ppEnumState, DWORD dwFlags)
{
    ksp_prov *p = ksp_prov_get(hProvider);
    if (p == NULL)
        return NTE_INVALID_HANDLE;
    if (ppKeyName == NULL || ppEnumState == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)OPEN_FLAGS)
        return NTE_BAD_FLAGS;
    enum_state *s = *ppEnumState;
    if (s == NULL) {
        char reader[OPGP_TOK_READER_NAME];
        const char *only = NULL;
        if (pszScope != NULL && pszScope[0] != L'\0') {
            /* \\.\<reader>\ : the keys of one reader. */
            if (!ksp_to_utf8(pszScope, reader, sizeof reader) ||
                strncmp(reader, "\\\\.\\", 4) != 0)
                return NTE_INVALID_PARAMETER;
            memmove(reader, reader + 4, strlen(reader + 4) + 1);
            size_t n = strlen(reader);
            if (n > 0 && reader[n - 1] == '\\')
                reader[n - 1] = '\0';
            if (reader[0] == '\0' || strchr(reader, '\\') != NULL)
                return NTE_INVALID_PARAMETER;
            only = reader;
        }
        SECURITY_STATUS st = ksp_card_open_all(p, only);
        if (st != ERROR_SUCCESS)
            return st;
        s = calloc(1, sizeof *s);
        if (s == NULL)
            return NTE_NO_MEMORY;
        s->magic = ENUM_MAGIC;
        snapshot(p, s);
        if (only != NULL) {
            /* Keep the scope's reader only: the snapshot covers every open card. */
            size_t kept = 0;
            AcquireSRWLockShared(&p->lock);
            for (size_t i = 0; i < s->count; i++) {
                bool in_scope = false;
                for (size_t c = 0; c < OPGP_TOK_MAX_READERS && !in_scope; c++) {
                    char name[KSP_NAME_MAX];
                    wchar_t wname[KSP_NAME_MAX];
                    const ksp_card *card = &p->cards[c];
                    if (card->token == NULL || card->stale || strcmp(card->reader, only) != 0)
                        continue;
                    for (unsigned j = 0; j < OPGP_TOK_CONTAINERS && !in_scope; j++)
                        in_scope = ksp_container_name(card, j, name, sizeof name) &&
                                   ksp_to_wide(name, wname, KSP_NAME_MAX) &&
                                   wcscmp(wname, s->items[i].name) == 0;
                }
                if (in_scope)
                    s->items[kept++] = s->items[i];
            }
            ReleaseSRWLockShared(&p->lock);
            s->count = kept;
        }
        *ppEnumState = s;
    } else if (s->magic != ENUM_MAGIC) {
        return NTE_INVALID_PARAMETER;
    }
    *ppKeyName = NULL;
    if (s->pos >= s->count)
        return NTE_NO_MORE_ITEMS;
    const enum_item *it = &s->items[s->pos];
    size_t name_len = wcslen(it->name) + 1, alg_len = wcslen(it->alg) + 1;
    NCryptKeyName *kn = malloc(sizeof *kn + (name_len + alg_len) * sizeof(wchar_t));
    if (kn == NULL)
        return NTE_NO_MEMORY;
    wchar_t *strings = (wchar_t *)(kn + 1);
    memcpy(strings, it->name, name_len * sizeof(wchar_t));
    memcpy(strings + name_len, it->alg, alg_len * sizeof(wchar_t));
    kn->pszName = strings;
    kn->pszAlgid = strings + name_len;
    kn->dwLegacyKeySpec = it->spec;
    kn->dwFlags = 0;
    s->pos++;
    *ppKeyName = kn;
    return ERROR_SUCCESS;
}

/* ---- properties -------------------------------------------------------------------------- */

static DWORD key_usage(const opgp_tok_key *k)
{
    DWORD u = 0;
    if (k->can_sign)
        u |= NCRYPT_ALLOW_SIGNING_FLAG;
    if (k->can_decrypt)
        u |= NCRYPT_ALLOW_DECRYPT_FLAG;
    if (k->can_derive)
        u |= NCRYPT_ALLOW_KEY_AGREEMENT_FLAG;
    return u;
}

static SECURITY_STATUS card_property(ksp_key *k, LPCWSTR prop, PBYTE pb, DWORD cb, DWORD *pcb,
                                     DWORD flags)
{
    opgp_token *t = k->card->token;
    if (wcscmp(prop, NCRYPT_CERTIFICATE_PROPERTY) == 0) {
        uint8_t *der = NULL;
        size_t len = 0;
        opgp_tok_rv r = opgp_token_cert(t, k->container, &der, &len);
        if (r == OPGP_TOK_NO_KEY)
            return NTE_NOT_FOUND;
        if (r != OPGP_TOK_OK)
            return ksp_tok_status(r, flags);
        SECURITY_STATUS st = len > MAXDWORD ? NTE_BAD_DATA : ksp_out(der, (DWORD)len, pb, cb, pcb);
        free(der);
        return st;
    }
    if (wcscmp(prop, NCRYPT_READER_PROPERTY) == 0) {
        wchar_t reader[OPGP_TOK_READER_NAME];
        if (!ksp_to_wide(k->card->reader, reader, OPGP_TOK_READER_NAME))
            return NTE_BAD_DATA;
        return ksp_out_wstr(reader, pb, cb, pcb);
    }
    if (wcscmp(prop, NCRYPT_SMARTCARD_GUID_PROPERTY) == 0) {
        opgp_tok_info info;
        opgp_tok_rv r = opgp_token_info(t, &info);
        if (r != OPGP_TOK_OK)
            return ksp_tok_status(r, flags);
        return ksp_out(info.cardid, sizeof info.cardid, pb, cb, pcb);
    }
    if (wcscmp(prop, KSP_PIN_TRIES_PROPERTY) == 0) {
        int tries = ksp_key_tries(k);
        if (tries < 0)
            return NTE_NOT_FOUND;
        return ksp_out_dword((DWORD)tries, pb, cb, pcb);
    }
    if (wcscmp(prop, NCRYPT_UNIQUE_NAME_PROPERTY) == 0 || wcscmp(prop, NCRYPT_NAME_PROPERTY) == 0) {
        wchar_t name[KSP_NAME_MAX];
        if (!ksp_to_wide(k->name, name, KSP_NAME_MAX))
            return NTE_BAD_DATA;
        return ksp_out_wstr(name, pb, cb, pcb);
    }
    if (wcscmp(prop, NCRYPT_KEY_USAGE_PROPERTY) == 0)
        return ksp_out_dword(key_usage(&k->info), pb, cb, pcb);
    if (wcscmp(prop, NCRYPT_IMPL_TYPE_PROPERTY) == 0)
        return ksp_out_dword(NCRYPT_IMPL_HARDWARE_FLAG | NCRYPT_IMPL_REMOVABLE_FLAG, pb, cb, pcb);
    if (wcscmp(prop, NCRYPT_EXPORT_POLICY_PROPERTY) == 0)
        return ksp_out_dword(0, pb, cb, pcb); /* private keys never leave the card */
    if (wcscmp(prop, NCRYPT_KEY_TYPE_PROPERTY) == 0)
        return ksp_out_dword(0, pb, cb, pcb); /* a user key, not a machine key */
    return NTE_NOT_SUPPORTED;
}

SECURITY_STATUS WINAPI ksp_GetKeyProperty(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                          LPCWSTR pszProperty, PBYTE pbOutput, DWORD cbOutput,
                                          DWORD *pcbResult, DWORD dwFlags)
{
    ksp_prov *p;
    ksp_key *k;
    SECURITY_STATUS st = ksp_key_lookup(hProvider, hKey, &p, &k);
    if (st != ERROR_SUCCESS)
        return st;
    if (pszProperty == NULL || pcbResult == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (wcscmp(pszProperty, NCRYPT_ALGORITHM_GROUP_PROPERTY) == 0)
        return ksp_out_wstr(ksp_key_group(&k->info), pbOutput, cbOutput, pcbResult);
    if (wcscmp(pszProperty, NCRYPT_ALGORITHM_PROPERTY) == 0)
        return ksp_out_wstr(ksp_key_algorithm(&k->info), pbOutput, cbOutput, pcbResult);
    if (wcscmp(pszProperty, NCRYPT_LENGTH_PROPERTY) == 0)
        return ksp_out_dword(k->info.bits, pbOutput, cbOutput, pcbResult);
    if (wcscmp(pszProperty, NCRYPT_ECC_CURVE_NAME_PROPERTY) == 0) {
        const ksp_curve *c = ksp_curve_of(&k->info);
        return c != NULL ? ksp_out_wstr(c->curve_name, pbOutput, cbOutput, pcbResult)
                         : NTE_NOT_SUPPORTED;
    }
    if (k->card == NULL)
        return NTE_NOT_SUPPORTED; /* an imported public key has nothing more to tell */
    return card_property(k, pszProperty, pbOutput, cbOutput, pcbResult, dwFlags | k->flags);
}

SECURITY_STATUS WINAPI ksp_SetKeyProperty(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                          LPCWSTR pszProperty, PBYTE pbInput, DWORD cbInput,
                                          DWORD dwFlags)
{
    ksp_prov *p;
    ksp_key *k;
    SECURITY_STATUS st = ksp_key_lookup(hProvider, hKey, &p, &k);
    if (st != ERROR_SUCCESS)
        return st;
    if (pszProperty == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (wcscmp(pszProperty, NCRYPT_PIN_PROPERTY) == 0)
        return ksp_key_set_pin(k, pbInput, cbInput, dwFlags | k->flags);
    return NTE_NOT_SUPPORTED;
}
