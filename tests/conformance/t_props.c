/* CardGetProperty for every CP_* name (size query, then the value), and the v4 query calls. */
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "harness.h"

typedef enum { REQUIRED, SET_ONLY, OPTIONAL } prop_kind;

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
        { "Free Space", CP_CARD_FREE_SPACE, 0, REQUIRED, sizeof(CARD_FREE_SPACE_INFO) },
        { "Capabilities", CP_CARD_CAPABILITIES, 0, REQUIRED, sizeof(CARD_CAPABILITIES) },
        { "Key Sizes", CP_CARD_KEYSIZES, sig_spec, REQUIRED, sizeof(CARD_KEY_SIZES) },
        { "Read Only Mode", CP_CARD_READ_ONLY, 0, REQUIRED, sizeof(BOOL) },
        { "Cache Mode", CP_CARD_CACHE_MODE, 0, REQUIRED, sizeof(DWORD) },
        { "Supports Windows x.509 Enrollment", CP_SUPPORTS_WIN_X509_ENROLLMENT, 0, REQUIRED,
          sizeof(BOOL) },
        { "Card Identifier", CP_CARD_GUID, 0, REQUIRED, 16 },
        { "Card Serial Number", CP_CARD_SERIAL_NO, 0, REQUIRED, 0 },
        { "PIN Information (user)", CP_CARD_PIN_INFO, ROLE_USER, REQUIRED, sizeof(PIN_INFO) },
        { "PIN Information (admin)", CP_CARD_PIN_INFO, ROLE_ADMIN, REQUIRED, sizeof(PIN_INFO) },
        { "PIN Information (reset code)", CP_CARD_PIN_INFO, MDC_PIN_ID_RESET_CODE, REQUIRED,
          sizeof(PIN_INFO) },
        { "PIN List", CP_CARD_LIST_PINS, 0, REQUIRED, sizeof(PIN_SET) },
        { "Authenticated State", CP_CARD_AUTHENTICATED_STATE, 0, REQUIRED, sizeof(PIN_SET) },
        { "PIN Strength Verify", CP_CARD_PIN_STRENGTH_VERIFY, ROLE_USER, REQUIRED,
          sizeof(DWORD) },
        { "PIN Strength Change", CP_CARD_PIN_STRENGTH_CHANGE, ROLE_USER, REQUIRED,
          sizeof(DWORD) },
        { "PIN Strength Unblock", CP_CARD_PIN_STRENGTH_UNBLOCK, ROLE_USER, REQUIRED,
          sizeof(DWORD) },
        { "Parent Window", CP_PARENT_WINDOW, 0, SET_ONLY, 0 },
        { "PIN Context String", CP_PIN_CONTEXT_STRING, 0, SET_ONLY, 0 },
        { "Key Import Support", CP_KEY_IMPORT_SUPPORT, 0, REQUIRED, sizeof(DWORD) },
        { "Algorithms", CP_ENUM_ALGORITHMS, 0, OPTIONAL, 0 },
        { "Padding Schemes", CP_PADDING_SCHEMES, 0, OPTIONAL, 0 },
        { "Chaining Modes", CP_CHAINING_MODES, 0, OPTIONAL, 0 },
    };
    BYTE buf[1024];
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        const prop *p = &props[i];
        DWORD len = 0xFFFFFFFFu;
        DWORD rv = h->cd->pfnCardGetProperty(h->cd, p->name, NULL, 0, &len, p->flags);
        if (p->kind == SET_ONLY) {
            t_note("%-32s get -> 0x%08lX", p->label, (unsigned long)rv);
            CHECK(rv != (DWORD)SCARD_S_SUCCESS);
            continue;
        }
        if (p->kind == OPTIONAL && rv != (DWORD)ERROR_INSUFFICIENT_BUFFER &&
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

const t_case mdc_prop_cases[] = {
    { "properties.card", card_properties },
    { "properties.queries", query_calls },
};
const size_t mdc_prop_count = sizeof mdc_prop_cases / sizeof mdc_prop_cases[0];
