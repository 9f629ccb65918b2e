/* CardGetProperty for every CP_* name (size query, then the value), and the v4 query calls. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "harness.h"

typedef enum { PROP_REQUIRED, PROP_SET_ONLY, PROP_OPTIONAL } prop_kind;

typedef struct prop {
    const char *label;
    const WCHAR *name;
    DWORD flags;
    prop_kind kind;
    DWORD size;                 /* exact size expected, 0: any non-zero */
} prop;

static void card_properties(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    DWORD sig_spec = H.alg->rsa ? (DWORD)AT_SIGNATURE : H.alg->ecdsa_spec;
    const prop props[] = {
        { "Free Space", CP_CARD_FREE_SPACE, 0, PROP_REQUIRED, sizeof(CARD_FREE_SPACE_INFO) },
        { "Capabilities", CP_CARD_CAPABILITIES, 0, PROP_REQUIRED, sizeof(CARD_CAPABILITIES) },
        { "Key Sizes", CP_CARD_KEYSIZES, sig_spec, PROP_REQUIRED, sizeof(CARD_KEY_SIZES) },
        { "Read Only Mode", CP_CARD_READ_ONLY, 0, PROP_REQUIRED, sizeof(BOOL) },
        { "Cache Mode", CP_CARD_CACHE_MODE, 0, PROP_REQUIRED, sizeof(DWORD) },
        { "Supports Windows x.509 Enrollment", CP_SUPPORTS_WIN_X509_ENROLLMENT, 0, PROP_REQUIRED,
          sizeof(BOOL) },
        { "Card Identifier", CP_CARD_GUID, 0, PROP_REQUIRED, 16 },
        { "Card Serial Number", CP_CARD_SERIAL_NO, 0, PROP_REQUIRED, 0 },
        { "PIN Information (user)", CP_CARD_PIN_INFO, ROLE_USER, PROP_REQUIRED, sizeof(PIN_INFO) },
        { "PIN Information (admin)", CP_CARD_PIN_INFO, ROLE_ADMIN, PROP_REQUIRED, sizeof(PIN_INFO) },
        { "PIN Information (reset code)", CP_CARD_PIN_INFO, MDC_PIN_ID_RESET_CODE, PROP_REQUIRED,
          sizeof(PIN_INFO) },
        { "PIN List", CP_CARD_LIST_PINS, 0, PROP_REQUIRED, sizeof(PIN_SET) },
        { "Authenticated State", CP_CARD_AUTHENTICATED_STATE, 0, PROP_REQUIRED, sizeof(PIN_SET) },
        { "PIN Strength Verify", CP_CARD_PIN_STRENGTH_VERIFY, ROLE_USER, PROP_REQUIRED,
          sizeof(DWORD) },
        { "PIN Strength Change", CP_CARD_PIN_STRENGTH_CHANGE, ROLE_USER, PROP_REQUIRED,
          sizeof(DWORD) },
        { "PIN Strength Unblock", CP_CARD_PIN_STRENGTH_UNBLOCK, ROLE_USER, PROP_REQUIRED,
          sizeof(DWORD) },
        { "Parent Window", CP_PARENT_WINDOW, 0, PROP_SET_ONLY, 0 },
        { "PIN Context String", CP_PIN_CONTEXT_STRING, 0, PROP_SET_ONLY, 0 },
        { "Key Import Support", CP_KEY_IMPORT_SUPPORT, 0, PROP_REQUIRED, sizeof(DWORD) },
        { "Algorithms", CP_ENUM_ALGORITHMS, 0, PROP_OPTIONAL, 0 },
        { "Padding Schemes", CP_PADDING_SCHEMES, 0, PROP_OPTIONAL, 0 },
        { "Chaining Modes", CP_CHAINING_MODES, 0, PROP_OPTIONAL, 0 },
    };
    BYTE buf[1024];
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        const prop *p = &props[i];
        DWORD len = 0xFFFFFFFFu;
        DWORD rv = h->cd->pfnCardGetProperty(h->cd, p->name, NULL, 0, &len, p->flags);
        if (p->kind == PROP_SET_ONLY) {
            t_note("%-32s get -> 0x%08lX", p->label, (unsigned long)rv);
            CHECK(rv != (DWORD)SCARD_S_SUCCESS);
            continue;
        }
        if (p->kind == PROP_OPTIONAL && rv != (DWORD)ERROR_INSUFFICIENT_BUFFER &&
            rv != (DWORD)SCARD_S_SUCCESS) {
            t_note("%-32s not offered (0x%08lX)", p->label, (unsigned long)rv);
            CHECK(rv == (DWORD)SCARD_E_INVALID_PARAMETER || rv == (DWORD)SCARD_E_UNSUPPORTED_FEATURE);
            continue;
        }
        /* Size query: no buffer answers ERROR_INSUFFICIENT_BUFFER (or success for an empty
         * value) with the size needed. */
        if (!CHECK(rv == (DWORD)ERROR_INSUFFICIENT_BUFFER ||
                   (rv == (DWORD)SCARD_S_SUCCESS && len == 0))) {
            t_note("%-32s size query -> 0x%08lX", p->label, (unsigned long)rv);
            continue;
        }
        if (p->size != 0)
            CHECK(len == p->size);
        if (!CHECK(len <= sizeof buf))
            continue;
        DWORD got = 0;
        memset(buf, 0xCC, sizeof buf);
        rv = h->cd->pfnCardGetProperty(h->cd, p->name, buf, len, &got, p->flags);
        CHECK_RV(rv, SCARD_S_SUCCESS);
        CHECK(got == len);
        t_note("%-32s %lu bytes", p->label, (unsigned long)got);
    }

    DWORD len = 0;
    CARD_CAPABILITIES caps;
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_CAPABILITIES, (PBYTE)&caps, sizeof caps,
                                       &len, 0),
             SCARD_S_SUCCESS);
    CHECK(caps.dwVersion == CARD_CAPABILITIES_CURRENT_VERSION && caps.fKeyGen);
    CARD_FREE_SPACE_INFO fs;
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_FREE_SPACE, (PBYTE)&fs, sizeof fs, &len, 0),
             SCARD_S_SUCCESS);
    CHECK(fs.dwMaxKeyContainers == MDC_CONTAINERS);
    BYTE guid[16];
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_GUID, guid, sizeof guid, &len, 0),
             SCARD_S_SUCCESS);
    CHECK(memcmp(guid, opgp_host_context_cardid(h->c), 16) == 0);
    PIN_SET pins = 0;
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_LIST_PINS, (PBYTE)&pins, sizeof pins, &len,
                                       0),
             SCARD_S_SUCCESS);
    CHECK(IS_PIN_SET(pins, ROLE_USER) && IS_PIN_SET(pins, ROLE_ADMIN));
    PIN_INFO pi;
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &len,
                                       ROLE_USER),
             SCARD_S_SUCCESS);
    CHECK(pi.dwVersion == PIN_INFO_CURRENT_VERSION && pi.PinType == AlphaNumericPinType);
    CHECK(IS_PIN_SET(pi.dwUnblockPermission, ROLE_ADMIN));
    CHECK(IS_PIN_SET(pi.dwUnblockPermission, MDC_PIN_ID_RESET_CODE));
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &len,
                                       ROLE_ADMIN),
             SCARD_S_SUCCESS);
    CHECK(pi.PinPurpose == AdministratorPin);
    /* No such PIN, no such property, a buffer one byte short. */
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &len, 7),
             SCARD_E_INVALID_PARAMETER);
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, OPGP_WSTR("No Such Property"), (PBYTE)&pi,
                                       sizeof pi, &len, 0),
             SCARD_E_INVALID_PARAMETER);
    CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_GUID, guid, 15, &len, 0),
             ERROR_INSUFFICIENT_BUFFER);
    CHECK(len == 16);
    /* Set-only properties accept a value. */
    HWND wnd = NULL;
    CHECK_RV(h->cd->pfnCardSetProperty(h->cd, CP_PARENT_WINDOW, (PBYTE)&wnd, sizeof wnd, 0),
             SCARD_S_SUCCESS);
    WCHAR ctx_string[] = OPGP_WSTR("conformance");
    CHECK_RV(h->cd->pfnCardSetProperty(h->cd, CP_PIN_CONTEXT_STRING, (PBYTE)ctx_string,
                                       sizeof ctx_string, 0),
             SCARD_S_SUCCESS);
    h_close(h);
}

static void query_calls(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    CARD_CAPABILITIES caps = { CARD_CAPABILITIES_CURRENT_VERSION, 0, 0 };
    CHECK_RV(h->cd->pfnCardQueryCapabilities(h->cd, &caps), SCARD_S_SUCCESS);
    CHECK(caps.fKeyGen);
    CARD_FREE_SPACE_INFO fs = { CARD_FREE_SPACE_INFO_CURRENT_VERSION, 0, 0, 0 };
    CHECK_RV(h->cd->pfnCardQueryFreeSpace(h->cd, 0, &fs), SCARD_S_SUCCESS);
    CHECK(fs.dwMaxKeyContainers == MDC_CONTAINERS);
    CARD_KEY_SIZES ks;
    memset(&ks, 0, sizeof ks);
    ks.dwVersion = CARD_KEY_SIZES_CURRENT_VERSION;
    DWORD spec = H.alg->rsa ? (DWORD)AT_KEYEXCHANGE : H.alg->ecdsa_spec;
    CHECK_RV(h->cd->pfnCardQueryKeySizes(h->cd, spec, 0, &ks), SCARD_S_SUCCESS);
    CHECK(ks.dwMinimumBitlen <= H.alg->bits && H.alg->bits <= ks.dwMaximumBitlen);
    t_note("key sizes for spec %lu: %lu..%lu default %lu step %lu", (unsigned long)spec,
           (unsigned long)ks.dwMinimumBitlen, (unsigned long)ks.dwMaximumBitlen,
           (unsigned long)ks.dwDefaultBitlen, (unsigned long)ks.dwIncrementalBitlen);
    /* File system views the Base CSP walks. */
    LPSTR names = NULL;
    DWORD names_len = 0;
    CHECK_RV(h->cd->pfnCardEnumFiles(h->cd, szBASE_CSP_DIR, &names, &names_len, 0),
             SCARD_S_SUCCESS);
    bool has_cmap = false;
    for (LPSTR p = names; p != NULL && *p != 0 && p < names + names_len; p += strlen(p) + 1)
        has_cmap |= strcmp(p, szCONTAINER_MAP_FILE) == 0;
    CHECK(has_cmap);
    opgp_host_free(names);
    CARD_FILE_INFO fi = { CARD_FILE_INFO_CURRENT_VERSION, 0, InvalidAc };
    CHECK_RV(h->cd->pfnCardGetFileInfo(h->cd, szBASE_CSP_DIR, szCONTAINER_MAP_FILE, &fi),
             SCARD_S_SUCCESS);
    CHECK(fi.cbFileSize == MDC_CONTAINERS * sizeof(CONTAINER_MAP_RECORD));
    BYTE *apps = NULL;
    DWORD apps_len = 0;
    CHECK_RV(h->cd->pfnCardReadFile(h->cd, NULL, szCARD_APPS_FILE, 0, &apps, &apps_len),
             SCARD_S_SUCCESS);
    CHECK(apps_len == 8 && apps != NULL && memcmp(apps, "mscp", 4) == 0);
    opgp_host_free(apps);
    h_close(h);
}

/* The file system the Base CSP walks: root files, cmapfile records, certificates. */
static void file_layout(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    PCARD_DATA d = h->cd;
    LPSTR names = NULL;
    DWORD names_len = 0;
    CHECK_RV(d->pfnCardEnumFiles(d, NULL, &names, &names_len, 0), SCARD_S_SUCCESS);
    int root = 0;
    for (LPSTR p = names; p != NULL && p < names + names_len && *p != 0; p += strlen(p) + 1)
        root += strcmp(p, szCARD_IDENTIFIER_FILE) == 0 || strcmp(p, szCACHE_FILE) == 0 ||
                strcmp(p, szCARD_APPS_FILE) == 0;
    CHECK(root == 3);
    opgp_host_free(names);
    CARD_FILE_INFO fi = { CARD_FILE_INFO_CURRENT_VERSION, 0, InvalidAc };
    CHECK_RV(d->pfnCardGetFileInfo(d, NULL, szCACHE_FILE, &fi), SCARD_S_SUCCESS);
    CHECK(fi.cbFileSize == sizeof(CARD_CACHE_FILE_FORMAT));
    CHECK_RV(d->pfnCardGetFileInfo(d, NULL, szCARD_IDENTIFIER_FILE, &fi), SCARD_S_SUCCESS);
    CHECK(fi.cbFileSize == 16 && fi.AccessCondition == EveryoneReadAdminWriteAc);

    BYTE *map = NULL;
    DWORD len = 0;
    REQUIRE_RV(opgp_host_read_file(h->c, szBASE_CSP_DIR, szCONTAINER_MAP_FILE, &map, &len),
               SCARD_S_SUCCESS);
    REQUIRE(len == MDC_CONTAINERS * sizeof(CONTAINER_MAP_RECORD));
    CONTAINER_MAP_RECORD r[MDC_CONTAINERS];
    memcpy(r, map, len);
    opgp_host_free(map);
    int defaults = 0;
    for (int i = 0; i < MDC_CONTAINERS; i++) {
        CHECK(r[i].bFlags & CONTAINER_MAP_VALID_CONTAINER);
        defaults += (r[i].bFlags & CONTAINER_MAP_DEFAULT_CONTAINER) != 0;
        size_t n = 0;
        while (n <= MAX_CONTAINER_NAME_LEN && r[i].wszGuid[n] != 0)
            n++;
        CHECK(n > 0 && n <= MAX_CONTAINER_NAME_LEN);
        for (int j = 0; j < i; j++)
            CHECK(memcmp(r[i].wszGuid, r[j].wszGuid, sizeof r[i].wszGuid) != 0);
        bool sig = false;
        DWORD spec = h_container_spec(h, (BYTE)i, &sig);
        CHECK(spec != 0);
        /* The record's key size sits on the side the container info says. */
        WORD bits = sig ? r[i].wSigKeySizeBits : r[i].wKeyExchangeKeySizeBits;
        WORD other = sig ? r[i].wKeyExchangeKeySizeBits : r[i].wSigKeySizeBits;
        CHECK(bits == H.alg->bits && other == 0);
        char cert[8];
        snprintf(cert, sizeof cert, "%s%02d",
                 sig ? szUSER_SIGNATURE_CERT_PREFIX : szUSER_KEYEXCHANGE_CERT_PREFIX, i);
        BYTE *der = NULL;
        DWORD der_len = 0;
        if (CHECK_RV(opgp_host_read_file(h->c, szBASE_CSP_DIR, cert, &der, &der_len),
                     SCARD_S_SUCCESS))
            CHECK(der_len > 4 && der[0] == 0x30 && der[1] == 0x82);
        opgp_host_free(der);
        /* The other prefix names nothing. */
        snprintf(cert, sizeof cert, "%s%02d",
                 sig ? szUSER_KEYEXCHANGE_CERT_PREFIX : szUSER_SIGNATURE_CERT_PREFIX, i);
        CHECK_RV(d->pfnCardReadFile(d, szBASE_CSP_DIR, cert, 0, &der, &der_len),
                 SCARD_E_FILE_NOT_FOUND);
    }
    CHECK(defaults == 1 && (r[MDC_CNTR_AUT].bFlags & CONTAINER_MAP_DEFAULT_CONTAINER));
    h_close(h);
}

const t_case mdc_prop_cases[] = {
    { "files.layout", file_layout, NULL },
    { "properties.card", card_properties, NULL },
    { "properties.queries", query_calls, NULL },
};
const size_t mdc_prop_count = sizeof mdc_prop_cases / sizeof mdc_prop_cases[0];
