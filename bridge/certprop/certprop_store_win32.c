/* The user's MY store: the cards' certificates in, with the properties that lead crypt32 to
 * our providers, and out again. Each certificate is built with its properties in memory and
 * then added in one call, so that the store keeps them whatever its provider does with later
 * property changes. */
#include <windows.h>
#include <wincrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certprop_internal.h"

#define ENC (X509_ASN_ENCODING | PKCS_7_ASN_ENCODING)

static certprop_rv store_fail(const char *call, char *msg, size_t cap)
{
    snprintf(msg, cap, "%s failed (CurrentUser\\MY): 0x%08lX", call,
             (unsigned long)GetLastError());
    return CERTPROP_STORE_ERROR;
}

/* CurrentUser\MY's registry store itself, where Windows keeps what users and the Certificate
 * Propagation Service add, rather than the system store (a collection over it): Wine 8's
 * collection drops deletions when it closes (they never reach the registry). Applications see
 * the same certificates through the system store. */
static HCERTSTORE open_my(void)
{
    return CertOpenStore(CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER,
                         L"MY");
}

static void thumbprint_hex(const BYTE *h, DWORD n, char out[41])
{
    out[0] = '\0';
    for (DWORD i = 0; i < n && i < 20; i++)
        snprintf(out + 2 * i, 3, "%02X", h[i]);
}

/* Our mark on a certificate of the store: its serial and slot; false when it has none. */
static bool read_mark(PCCERT_CONTEXT c, char serial[17], char slot[4])
{
    WCHAR w[64];
    char a[64];
    DWORD len = sizeof w;
    if (!CertGetCertificateContextProperty(c, CERTPROP_MARK_PROP_ID, w, &len) ||
        len < sizeof(WCHAR))
        return false;
    w[len / sizeof(WCHAR) - 1] = 0;     /* the store keeps the NUL; never trust that it did */
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, a, sizeof a, NULL, NULL);
    return n > 1 && certprop_parse_mark(a, (size_t)n - 1, serial, slot);
}

static bool set_wide_props(PCCERT_CONTEXT c, const certprop_entry *e)
{
    WCHAR container[64], provider[64], friendly[96];
    if (MultiByteToWideChar(CP_UTF8, 0, e->container, -1, container, 64) == 0 ||
        MultiByteToWideChar(CP_UTF8, 0, e->provider, -1, provider, 64) == 0 ||
        MultiByteToWideChar(CP_UTF8, 0, e->friendly_name, -1, friendly, 96) == 0)
        return false;
    CRYPT_KEY_PROV_INFO kpi;
    memset(&kpi, 0, sizeof kpi);
    kpi.pwszContainerName = container;
    kpi.pwszProvName = provider;
    kpi.dwProvType = e->prov_type;
    kpi.dwKeySpec = e->key_spec;
    CRYPT_DATA_BLOB name = { (DWORD)((wcslen(friendly) + 1) * sizeof(WCHAR)), (BYTE *)friendly };
    return CertSetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, 0, &kpi) &&
           CertSetCertificateContextProperty(c, CERT_FRIENDLY_NAME_PROP_ID, 0, &name);
}

/* One certificate of a card into MY; e->action and e->thumbprint say what happened. */
static certprop_rv add_one(HCERTSTORE my, cp_cert *cc, char *msg, size_t cap)
{
    certprop_entry *e = &cc->e;
    BYTE hash[20];
    DWORD hlen = sizeof hash;
    if (!CryptHashCertificate(0, CALG_SHA1, 0, cc->der, (DWORD)cc->len, hash, &hlen))
        return store_fail("CryptHashCertificate", msg, cap);
    thumbprint_hex(hash, hlen, e->thumbprint);
    CRYPT_HASH_BLOB sha1 = { hlen, hash };
    PCCERT_CONTEXT old = CertFindCertificateInStore(my, ENC, 0, CERT_FIND_SHA1_HASH, &sha1, NULL);
    if (old != NULL) {
        char s[17], sl[4];
        bool ours = read_mark(old, s, sl);
        CertFreeCertificateContext(old);
        if (!ours) {
            /* The user's own copy: neither re-pointed nor, later, removed. */
            e->action = CERTPROP_USER_OWNED;
            return CERTPROP_OK;
        }
        e->action = CERTPROP_REFRESHED;
    } else {
        e->action = CERTPROP_ADDED;
    }
    PCCERT_CONTEXT c = CertCreateCertificateContext(ENC, cc->der, (DWORD)cc->len);
    if (c == NULL) {
        snprintf(msg, cap, "card %s: the %s certificate is not X.509 DER: 0x%08lX", e->serial,
                 e->slot, (unsigned long)GetLastError());
        return CERTPROP_CARD_ERROR;
    }
    char mark[64];
    WCHAR wmark[64];
    size_t mlen = certprop_mark(e->serial, e->slot, mark, sizeof mark);
    int wlen = mlen != 0 ? MultiByteToWideChar(CP_UTF8, 0, mark, (int)mlen + 1, wmark, 64) : 0;
    CRYPT_DATA_BLOB mark_blob = { (DWORD)wlen * (DWORD)sizeof(WCHAR), (BYTE *)wmark };
    certprop_rv rv = CERTPROP_OK;
    if (wlen == 0 || !set_wide_props(c, e) ||
        !CertSetCertificateContextProperty(c, CERTPROP_MARK_PROP_ID, 0, &mark_blob))
        rv = store_fail("CertSetCertificateContextProperty", msg, cap);
    else if (!CertAddCertificateContextToStore(my, c, CERT_STORE_ADD_REPLACE_EXISTING, NULL))
        rv = store_fail("CertAddCertificateContextToStore", msg, cap);
    CertFreeCertificateContext(c);
    return rv;
}

/* A removal report from a certificate of the store. */
static void removal_entry(PCCERT_CONTEXT c, const char *serial, const char *slot,
                          certprop_entry *e)
{
    memset(e, 0, sizeof *e);
    e->action = CERTPROP_REMOVED;
    snprintf(e->serial, sizeof e->serial, "%s", serial);
    snprintf(e->slot, sizeof e->slot, "%s", slot);
    snprintf(e->container, sizeof e->container, "opgp-%s-%s", serial, slot);
    BYTE hash[20];
    DWORD hlen = sizeof hash;
    if (CertGetCertificateContextProperty(c, CERT_SHA1_HASH_PROP_ID, hash, &hlen))
        thumbprint_hex(hash, hlen, e->thumbprint);
    WCHAR name[96];
    DWORD nlen = sizeof name;
    if (CertGetCertificateContextProperty(c, CERT_FRIENDLY_NAME_PROP_ID, name, &nlen) &&
        nlen >= sizeof(WCHAR)) {
        name[nlen / sizeof(WCHAR) - 1] = 0;
        WideCharToMultiByte(CP_UTF8, 0, name, -1, e->friendly_name, sizeof e->friendly_name,
                            NULL, NULL);
    }
}

/* Whether a marked certificate must go: keep says which thumbprints of which serial stay. */
typedef bool (*doomed_fn)(const char *serial, const char *slot, const char *thumb,
                          const void *arg);

/* Delete the marked certificates doomed() picks. Collected first, deleted after the walk:
 * deleting inside an enumeration is not safe in every store provider. */
static certprop_rv remove_marked(HCERTSTORE my, doomed_fn doomed, const void *arg,
                                 certprop_report_fn report, void *rarg, size_t *removed,
                                 char *msg, size_t cap)
{
    size_t n = 0, max = 16;
    PCCERT_CONTEXT *del = malloc(max * sizeof *del);
    certprop_entry *ents = malloc(max * sizeof *ents);
    if (del == NULL || ents == NULL) {
        free(del);
        free(ents);
        snprintf(msg, cap, "out of memory");
        return CERTPROP_NO_MEMORY;
    }
    certprop_rv rv = CERTPROP_OK;
    PCCERT_CONTEXT c = NULL;
    while ((c = CertEnumCertificatesInStore(my, c)) != NULL) {
        char serial[17], slot[4];
        if (!read_mark(c, serial, slot))
            continue;
        certprop_entry e;
        removal_entry(c, serial, slot, &e);
        if (!doomed(serial, slot, e.thumbprint, arg))
            continue;
        if (n == max) {
            PCCERT_CONTEXT *d2 = realloc(del, 2 * max * sizeof *del);
            if (d2 != NULL)
                del = d2;
            certprop_entry *e2 = d2 != NULL ? realloc(ents, 2 * max * sizeof *ents) : NULL;
            if (e2 == NULL) {
                CertFreeCertificateContext(c);
                snprintf(msg, cap, "out of memory");
                rv = CERTPROP_NO_MEMORY;
                break;
            }
            ents = e2;
            max *= 2;
        }
        del[n] = CertDuplicateCertificateContext(c);
        ents[n] = e;
        n++;
    }
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        /* CertDeleteCertificateFromStore frees the context, also when it fails. */
        if (rv == CERTPROP_OK && !CertDeleteCertificateFromStore(del[i])) {
            rv = store_fail("CertDeleteCertificateFromStore", msg, cap);
            continue;
        }
        if (rv != CERTPROP_OK) {
            CertFreeCertificateContext(del[i]);
            continue;
        }
        done++;
        if (report != NULL)
            report(rarg, &ents[i]);
    }
    free(del);
    free(ents);
    if (removed != NULL)
        *removed = done;
    return rv;
}

static bool doomed_by_serial(const char *serial, const char *slot, const char *thumb,
                             const void *arg)
{
    (void)slot;
    (void)thumb;
    return arg == NULL || _stricmp(serial, (const char *)arg) == 0;
}

/* After a card's certificates went in: ours for this card that the card no longer holds. */
static bool doomed_stale(const char *serial, const char *slot, const char *thumb,
                         const void *arg)
{
    (void)slot;
    const cp_card *card = arg;
    if (_stricmp(serial, card->serial) != 0)
        return false;
    for (size_t i = 0; i < card->ncerts; i++)
        if (strcmp(card->certs[i].e.thumbprint, thumb) == 0)
            return false;
    return true;
}

certprop_rv certprop_add(const char *reader, certprop_report_fn report, void *arg,
                         size_t *count, char *msg, size_t cap)
{
    cp_card *cards = NULL;
    size_t ncards = 0, total = 0;
    certprop_rv rv = cp_read_cards(reader, &cards, &ncards, msg, cap);
    if (rv != CERTPROP_OK)
        return rv;
    HCERTSTORE my = open_my();
    if (my == NULL) {
        cp_free_cards(cards, ncards);
        return store_fail("CertOpenStore", msg, cap);
    }
    for (size_t i = 0; i < ncards && rv == CERTPROP_OK; i++) {
        for (size_t k = 0; k < cards[i].ncerts && rv == CERTPROP_OK; k++) {
            rv = add_one(my, &cards[i].certs[k], msg, cap);
            if (rv != CERTPROP_OK)
                break;
            if (report != NULL)
                report(arg, &cards[i].certs[k].e);
            total++;
        }
        if (rv == CERTPROP_OK)
            rv = remove_marked(my, doomed_stale, &cards[i], report, arg, NULL, msg, cap);
    }
    if (!CertCloseStore(my, 0) && rv == CERTPROP_OK)
        rv = store_fail("CertCloseStore", msg, cap);
    cp_free_cards(cards, ncards);
    if (count != NULL)
        *count = total;
    return rv;
}

certprop_rv certprop_remove(const char *serial, certprop_report_fn report, void *arg,
                            size_t *count, char *msg, size_t cap)
{
    if (serial != NULL) {
        char check[64];
        if (certprop_mark(serial, "sig", check, sizeof check) == 0) {
            snprintf(msg, cap, "\"%s\" is not a card serial number (up to 16 hex digits)",
                     serial);
            return CERTPROP_BAD_INPUT;
        }
    }
    HCERTSTORE my = open_my();
    if (my == NULL)
        return store_fail("CertOpenStore", msg, cap);
    certprop_rv rv = remove_marked(my, doomed_by_serial, serial, report, arg, count, msg, cap);
    if (!CertCloseStore(my, 0) && rv == CERTPROP_OK)
        rv = store_fail("CertCloseStore", msg, cap);
    return rv;
}

certprop_rv certprop_card_serial(const char *reader, char serial[17], char *msg, size_t cap)
{
    if (reader == NULL) {
        snprintf(msg, cap, "no reader given");
        return CERTPROP_BAD_INPUT;
    }
    cp_card *cards = NULL;
    size_t ncards = 0;
    certprop_rv rv = cp_read_cards(reader, &cards, &ncards, msg, cap);
    if (rv == CERTPROP_OK)
        memcpy(serial, cards[0].serial, 17);
    cp_free_cards(cards, ncards);
    return rv;
}
