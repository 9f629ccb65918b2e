/* libFuzzer target: the whole minidriver (opgpmd_static) against a card that answers every
 * command from the fuzz input, reached the way the Base CSP reaches it: CardAcquireContext,
 * CardReadFile of every file (cardid, cardcf, cardapps, mscp/cmapfile, the kxc/ksc certificate
 * files), CardEnumFiles, CardQueryFreeSpace, CardGetContainerInfo and the container properties
 * (standard and vendor) of containers 0..2, the card properties (standard and vendor, every
 * opgp Data Object tag), then, when the selector asks, CardAuthenticateEx with a fixed PIN and
 * CardSignData / CardRSADecrypt with the container's key, and CardDeleteContext.
 *
 * Input: one selector byte, then the response stream of fuzz_transport.h.
 *   bit 0  CARD_DATA version 6 instead of 7
 *   bit 1  ROLE_USER: CardAuthenticateEx, sign with container 0, decrypt with container 2
 *   bit 2  the signature PIN (id 3): CardAuthenticateEx, sign with container 1
 *   bit 3  RSA signatures with PSS padding instead of PKCS#1 v1.5
 *   bit 4  CardDeauthenticateEx before the private-key operations of bit 2
 *   bit 5  a first context (CardAcquireContext, cardid, CardDeleteContext) before the main one,
 *          which then opens on the selection hint (6E without SELECT)
 *
 * Properties beyond "no crash, leak or UB": a PIN reaches the card at most once per
 * CardAuthenticateEx and never from any other entry point (a VERIFY the transport refused with
 * "reset" or "no card" never reached it); every command decodes as an APDU; transactions are
 * balanced after each call; APDUs stay bounded once the card stops answering; returned
 * lengths are consistent (cardid 16 bytes, cmapfile whole records, tries in range); every
 * pfnCspAlloc block is handed back; the minidriver closes its transport exactly once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_transport.h"
#include "md_csp_cache.h"
#include "opgp/apdu.h"
#include "opgp/cardmod.h"
#include "opgp/minidriver_test.h"
#include "opgp/minidriver_vendor.h"

#define MAX_APDUS_PER_CALL_AFTER_END 24
#define FUZZ_HSCARD ((SCARDHANDLE)0xf022)
#define INS_VERIFY 0x20
#define CMAP_RECORD_SIZE 86 /* CONTAINER_MAP_RECORD: Microsoft's layout (static-asserted) */
/* minidriver/README.md: PIN id 3 is the signature PIN (PW1 81) of container 1. */
#define SIGNATURE_PIN_ID 3

/* The link the minidriver gets: fuzz_transport underneath, counting what reached the card. */
typedef struct md_link {
    opgp_transport base;
    fuzz_transport ft;
    unsigned long pins_delivered; /* VERIFYs with data the transport did not refuse */
    unsigned closes;
} md_link;

typedef struct run {
    md_link link;
    CARD_DATA cd;
    unsigned calls;
    size_t input_len;
    long live_allocs;
} run;

static run *current; /* the CSP callbacks get no context argument */

static bool is_pin_verify(const uint8_t *cmd, size_t len)
{
    opgp_apdu a;
    return opgp_apdu_decode(cmd, len, &a, NULL) == OPGP_OK && a.ins == INS_VERIFY &&
           a.data_len > 0;
}

static opgp_status link_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                 uint8_t *resp, size_t *resp_len)
{
    md_link *l = (md_link *)t;
    opgp_status s = l->ft.base.ops->transmit(&l->ft.base, cmd, cmd_len, resp, resp_len);
    /* PC/SC reports a reset or a removal before sending: such a PIN never arrived. Any other
     * outcome (an answer, a transport error, a timeout) may have delivered it. */
    if (s != OPGP_E_CARD_RESET && s != OPGP_E_NO_CARD && is_pin_verify(cmd, cmd_len))
        l->pins_delivered++;
    return s;
}

static opgp_status link_begin(opgp_transport *t)
{
    md_link *l = (md_link *)t;
    return l->ft.base.ops->begin(&l->ft.base);
}

static opgp_status link_end(opgp_transport *t)
{
    md_link *l = (md_link *)t;
    return l->ft.base.ops->end(&l->ft.base);
}

static opgp_status link_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    md_link *l = (md_link *)t;
    return l->ft.base.ops->get_atr(&l->ft.base, atr, atr_len);
}

static void link_close(opgp_transport *t)
{
    ((md_link *)t)->closes++;
}

static const struct opgp_transport_ops link_ops = {
    .transmit = link_transmit,
    .begin = link_begin,
    .end = link_end,
    .get_atr = link_get_atr,
    .control = NULL,
    .close = link_close,
};

static opgp_transport *provide(void *arg, uintptr_t hscard)
{
    return hscard == (uintptr_t)FUZZ_HSCARD ? &((md_link *)arg)->base : NULL;
}

/* ---- The CSP's callbacks: counted allocations, a cache that lives for one input ---------- */

static LPVOID WINAPI csp_alloc(SIZE_T n)
{
    current->live_allocs++;
    return calloc(1, n ? n : 1);
}

static LPVOID WINAPI csp_realloc(LPVOID p, SIZE_T n)
{
    if (p == NULL)
        current->live_allocs++;
    return realloc(p, n ? n : 1);
}

static void WINAPI csp_free(LPVOID p)
{
    if (p != NULL)
        current->live_allocs--;
    free(p);
}

static size_t wlen(const WCHAR *w)
{
    size_t n = 0;
    while (w[n] != 0)
        n++;
    return n;
}

static bool wide_eq(const WCHAR *a, const WCHAR *b)
{
    size_t n = wlen(a);
    return n == wlen(b) && memcmp(a, b, n * sizeof *a) == 0;
}

/* ---- Properties checked after every entry point ------------------------------------------ */

static void after_call(run *r, unsigned long pins_before, unsigned long pins_allowed)
{
    r->calls++;
    fuzz_transport *ft = &r->link.ft;
    FUZZ_ASSERT(r->link.pins_delivered - pins_before <= pins_allowed,
                "a PIN reaches the card at most once, and only from CardAuthenticateEx");
    FUZZ_ASSERT(ft->after_end <= (unsigned long)r->calls * MAX_APDUS_PER_CALL_AFTER_END,
                "APDUs bounded once the card stops answering");
    FUZZ_ASSERT(ft->transmits <= r->input_len / 2 + ft->after_end + 1, "APDU count capped");
    FUZZ_ASSERT(ft->begins == ft->ends, "transactions balanced after each call");
}

static void read_file(run *r, const char *dir, const char *name)
{
    unsigned long pins = r->link.pins_delivered;
    PBYTE data = NULL;
    DWORD len = 0;
    DWORD rv = r->cd.pfnCardReadFile(&r->cd, (LPSTR)dir, (LPSTR)name, 0, &data, &len);
    if (rv == SCARD_S_SUCCESS) {
        FUZZ_ASSERT(data != NULL, "a file read returns its data");
        if (strcmp(name, "cardid") == 0)
            FUZZ_ASSERT(len == 16, "cardid is a GUID");
        if (strcmp(name, "cmapfile") == 0)
            FUZZ_ASSERT(len % CMAP_RECORD_SIZE == 0, "cmapfile holds whole records");
        /* Touch every byte: ASan checks the length against the allocation. */
        volatile uint8_t sum = 0;
        for (DWORD i = 0; i < len; i++)
            sum ^= data[i];
        (void)sum;
    }
    if (data != NULL)
        r->cd.pfnCspFree(data);
    after_call(r, pins, 0);
}

static void read_files(run *r)
{
    read_file(r, NULL, "cardid");
    read_file(r, NULL, "cardcf");
    read_file(r, NULL, "cardapps");
    read_file(r, "mscp", "cmapfile");
    static const char *const certs[] = {"kxc00", "kxc01", "kxc02", "ksc00", "ksc01", "ksc02"};
    for (size_t i = 0; i < sizeof certs / sizeof *certs; i++)
        read_file(r, "mscp", certs[i]);

    unsigned long pins = r->link.pins_delivered;
    for (int d = 0; d < 2; d++) {
        LPSTR names = NULL;
        DWORD len = 0;
        DWORD rv = r->cd.pfnCardEnumFiles(&r->cd, d ? (LPSTR) "mscp" : NULL, &names, &len, 0);
        if (rv == SCARD_S_SUCCESS) {
            FUZZ_ASSERT(names != NULL && len >= 1 && names[len - 1] == 0,
                        "file list is a terminated multi-string");
            /* Each listed file reads (or fails) without harm. */
            for (DWORD i = 0; i < len && names[i] != 0; i += (DWORD)strlen(names + i) + 1) {
                char name[64];
                size_t n = strlen(names + i);
                if (n < sizeof name) {
                    memcpy(name, names + i, n + 1);
                    read_file(r, d ? "mscp" : NULL, name);
                }
            }
        }
        if (names != NULL)
            r->cd.pfnCspFree(names);
    }
    CARD_FREE_SPACE_INFO fs;
    memset(&fs, 0, sizeof fs);
    fs.dwVersion = CARD_FREE_SPACE_INFO_CURRENT_VERSION;
    if (r->cd.pfnCardQueryFreeSpace(&r->cd, 0, &fs) == SCARD_S_SUCCESS)
        FUZZ_ASSERT(fs.dwKeyContainersAvailable <= fs.dwMaxKeyContainers ||
                        fs.dwMaxKeyContainers == (DWORD)-1,
                    "free containers within the maximum");
    after_call(r, pins, 0);
}

static void get_container_property(run *r, BYTE index, LPCWSTR name, DWORD flags)
{
    unsigned long pins = r->link.pins_delivered;
    uint8_t buf[4096];
    DWORD len = 0;
    DWORD rv = r->cd.pfnCardGetContainerProperty(&r->cd, index, name, buf, sizeof buf, &len,
                                                 flags);
    if (rv == SCARD_S_SUCCESS)
        FUZZ_ASSERT(len <= sizeof buf, "container property within its buffer");
    if (rv == SCARD_S_SUCCESS && wide_eq(name, CCP_CONTAINER_INFO)) {
        CONTAINER_INFO ci;
        memcpy(&ci, buf, sizeof ci);
        if (ci.pbSigPublicKey != NULL)
            r->cd.pfnCspFree(ci.pbSigPublicKey);
        if (ci.pbKeyExPublicKey != NULL)
            r->cd.pfnCspFree(ci.pbKeyExPublicKey);
    }
    /* A short buffer says how much is needed, and writes nothing past it. */
    uint8_t one[1];
    len = 0;
    rv = r->cd.pfnCardGetContainerProperty(&r->cd, index, name, one, sizeof one, &len, flags);
    if (rv == SCARD_S_SUCCESS)
        FUZZ_ASSERT(len <= sizeof one, "short container property within its buffer");
    after_call(r, pins, 0);
}

static void read_containers(run *r)
{
    for (BYTE index = 0; index < 3; index++) {
        unsigned long pins = r->link.pins_delivered;
        CONTAINER_INFO ci;
        memset(&ci, 0, sizeof ci);
        ci.dwVersion = CONTAINER_INFO_CURRENT_VERSION;
        DWORD rv = r->cd.pfnCardGetContainerInfo(&r->cd, index, 0, &ci);
        if (rv == SCARD_S_SUCCESS) {
            FUZZ_ASSERT((ci.pbSigPublicKey == NULL) == (ci.cbSigPublicKey == 0) &&
                            (ci.pbKeyExPublicKey == NULL) == (ci.cbKeyExPublicKey == 0),
                        "container key blobs and lengths agree");
        }
        if (ci.pbSigPublicKey != NULL)
            r->cd.pfnCspFree(ci.pbSigPublicKey);
        if (ci.pbKeyExPublicKey != NULL)
            r->cd.pfnCspFree(ci.pbKeyExPublicKey);
        after_call(r, pins, 0);
        if (r->cd.pfnCardGetContainerProperty == NULL)
            continue;
        static const LPCWSTR names[] = {
            CCP_CONTAINER_INFO,       CCP_PIN_IDENTIFIER,       CCP_ASSOCIATED_ECDH_KEY,
            CCP_OPGP_PUBLIC_KEY,      CCP_OPGP_PUBLIC_EXPONENT, CCP_OPGP_ALGORITHM,
            CCP_OPGP_FINGERPRINT,     CCP_OPGP_GENERATION_TIME, CCP_OPGP_KEY_ROLE,
            CCP_OPGP_CERTIFICATE,
        };
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            get_container_property(r, index, names[i], 0);
    }
}

static void get_property(run *r, LPCWSTR name, DWORD cap, DWORD flags)
{
    unsigned long pins = r->link.pins_delivered;
    uint8_t buf[4096];
    DWORD len = 0;
    if (cap > sizeof buf)
        cap = sizeof buf;
    DWORD rv = r->cd.pfnCardGetProperty(&r->cd, name, buf, cap, &len, flags);
    if (rv == SCARD_S_SUCCESS) {
        FUZZ_ASSERT(len <= cap, "card property within its buffer");
        if (wide_eq(name, CP_OPGP_PIN_TRIES))
            FUZZ_ASSERT(len == 3, "PIN tries are 3 counters");
        if (wide_eq(name, CP_CARD_GUID))
            FUZZ_ASSERT(len == 16, "card identifier is a GUID");
        if (wide_eq(name, CP_OPGP_RANDOM))
            FUZZ_ASSERT(len == cap, "exactly the random bytes asked for");
    }
    after_call(r, pins, 0);
}

static void read_properties(run *r)
{
    if (r->cd.pfnCardGetProperty == NULL)
        return;
    static const LPCWSTR plain[] = {
        CP_CARD_FREE_SPACE,  CP_CARD_CAPABILITIES,        CP_CARD_READ_ONLY,
        CP_CARD_CACHE_MODE,  CP_SUPPORTS_WIN_X509_ENROLLMENT, CP_CARD_GUID,
        CP_CARD_SERIAL_NO,   CP_CARD_LIST_PINS,           CP_CARD_AUTHENTICATED_STATE,
        CP_KEY_IMPORT_SUPPORT, CP_ENUM_ALGORITHMS,        CP_PADDING_SCHEMES,
        CP_CHAINING_MODES,   CP_OPGP_CARDHOLDER_NAME,     CP_OPGP_PIN_TRIES,
    };
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        get_property(r, plain[i], 4096, 0);
    static const DWORD key_specs[] = {AT_KEYEXCHANGE, AT_SIGNATURE, AT_ECDSA_P256,
                                      AT_ECDHE_P384, AT_OPGP_EDDSA};
    for (size_t i = 0; i < sizeof key_specs / sizeof *key_specs; i++)
        get_property(r, CP_CARD_KEYSIZES, 4096, key_specs[i]);
    for (DWORD pin = ROLE_USER; pin <= 4; pin++) {
        get_property(r, CP_CARD_PIN_INFO, 4096, pin);
        get_property(r, CP_CARD_PIN_STRENGTH_VERIFY, 4096, pin);
    }
    static const DWORD tags[] = {0x6E, 0x65, 0x5E, 0x5F50, 0x7A, 0x7F74, 0xF9, 0x5F52, 0x4F};
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
        get_property(r, CP_OPGP_DATA_OBJECT, 4096, tags[i]);
    get_property(r, CP_OPGP_RANDOM, 40, 0);
}

/* ---- PINs and private-key operations ------------------------------------------------------ */

static void authenticate(run *r, PIN_ID id)
{
    static const char pin[] = "123456";
    unsigned long pins = r->link.pins_delivered;
    DWORD tries = 0xDEADu;
    DWORD rv = r->cd.pfnCardAuthenticateEx(&r->cd, id, 0, (PBYTE)pin, sizeof pin - 1, NULL,
                                           NULL, &tries);
    if (rv == (DWORD)SCARD_W_WRONG_CHV)
        FUZZ_ASSERT(tries <= 15, "tries left reported in range");
    if (rv == (DWORD)SCARD_W_CHV_BLOCKED)
        FUZZ_ASSERT(tries == 0, "a blocked PIN has no tries left");
    after_call(r, pins, 1);
}

/* The container's algorithm attributes (C1-C3 value) through the vendor property: which key
 * spec and sizes the CSP would use. 0 when unknown. */
static size_t container_algorithm(run *r, BYTE index, uint8_t *attr, size_t cap)
{
    DWORD len = 0;
    if (r->cd.pfnCardGetContainerProperty == NULL ||
        r->cd.pfnCardGetContainerProperty(&r->cd, index, CCP_OPGP_ALGORITHM, attr, (DWORD)cap,
                                          &len, 0) != SCARD_S_SUCCESS ||
        len > cap)
        return 0;
    return len;
}

static void sign(run *r, BYTE index, bool pss)
{
    uint8_t attr[32];
    size_t alen = container_algorithm(r, index, attr, sizeof attr);
    unsigned long pins = r->link.pins_delivered;
    uint8_t digest[32] = {0x9F, 0x86, 0xD0, 0x81, 0x88, 0x4C, 0x7D, 0x65};
    static const uint8_t message[] = "a message to sign";
    uint8_t msg[sizeof message];
    memcpy(msg, message, sizeof msg);
    BCRYPT_PKCS1_PADDING_INFO pkcs1 = {BCRYPT_SHA256_ALGORITHM};
    BCRYPT_PSS_PADDING_INFO pss_info = {BCRYPT_SHA256_ALGORITHM, 32};

    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si.bContainerIndex = index;
    si.pbData = digest;
    si.cbData = sizeof digest;
    uint8_t algo = alen ? attr[0] : 0x01;
    if (algo == 0x13) {
        si.dwKeySpec = AT_OPGP_ECDSA;
    } else if (algo == 0x16) {
        si.dwKeySpec = AT_OPGP_EDDSA;
        si.dwSigningFlags = OPGP_SIGN_MESSAGE;
        si.pbData = msg;
        si.cbData = sizeof msg - 1;
    } else {
        si.dwKeySpec = index == 1 ? AT_SIGNATURE : AT_KEYEXCHANGE;
        si.aiHashAlg = CALG_SHA_256;
        si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
        si.dwPaddingType = pss ? CARD_PADDING_PSS : CARD_PADDING_PKCS1;
        si.pPaddingInfo = pss ? (void *)&pss_info : (void *)&pkcs1;
    }
    /* The size the CSP allocates for (no APDU), then the signature itself. */
    CARD_SIGNING_INFO size_only = si;
    size_only.dwSigningFlags |= CARD_BUFFER_SIZE_ONLY;
    DWORD expected = 0;
    unsigned long transmits = r->link.ft.transmits;
    if (r->cd.pfnCardSignData(&r->cd, &size_only) == SCARD_S_SUCCESS) {
        FUZZ_ASSERT(size_only.pbSignedData == NULL, "no signature for a size query");
        expected = size_only.cbSignedData;
    }
    FUZZ_ASSERT(r->link.ft.transmits == transmits, "a size query sends no APDU");
    DWORD rv = r->cd.pfnCardSignData(&r->cd, &si);
    if (rv == SCARD_S_SUCCESS)
        FUZZ_ASSERT(si.pbSignedData != NULL && si.cbSignedData > 0 &&
                        si.cbSignedData == expected,
                    "a signature is returned, of the size announced for the key");
    if (si.pbSignedData != NULL)
        r->cd.pfnCspFree(si.pbSignedData);
    after_call(r, pins, 0);
}

static void rsa_decrypt(run *r, BYTE index)
{
    uint8_t attr[32];
    size_t alen = container_algorithm(r, index, attr, sizeof attr);
    unsigned long pins = r->link.pins_delivered;
    size_t bytes = 256;
    if (alen >= 3 && attr[0] == 0x01) {
        size_t bits = ((size_t)attr[1] << 8) | attr[2];
        if (bits >= 512 && bits <= 4096)
            bytes = (bits + 7) / 8;
    }
    /* Exactly the ciphertext's size on the heap, as the CSP passes it: ASan sees any write
     * past it. */
    uint8_t *data = malloc(bytes);
    FUZZ_ASSERT(data != NULL, "memory");
    memset(data, 0x5A, bytes);
    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_CURRENT_VERSION;
    di.bContainerIndex = index;
    di.dwKeySpec = AT_KEYEXCHANGE;
    di.pbData = data;
    di.cbData = (DWORD)bytes;
    di.dwPaddingType = CARD_PADDING_PKCS1;
    DWORD rv = r->cd.pfnCardRSADecrypt(&r->cd, &di);
    if (rv == SCARD_S_SUCCESS)
        FUZZ_ASSERT(di.cbData <= bytes, "plaintext within the ciphertext's buffer");
    free(data);
    after_call(r, pins, 0);
}

static void private_key_operations(run *r, uint8_t sel)
{
    if (r->cd.pfnCardAuthenticateEx == NULL)
        return;
    bool pss = sel & 0x08;
    if (sel & 0x02) {
        authenticate(r, ROLE_USER);
        sign(r, 0, pss);
        rsa_decrypt(r, 2);
    }
    if (sel & 0x04) {
        if (sel & 0x10) {
            unsigned long pins = r->link.pins_delivered;
            (void)r->cd.pfnCardDeauthenticateEx(&r->cd, (PIN_SET)~0u, 0);
            after_call(r, pins, 0);
        }
        authenticate(r, SIGNATURE_PIN_ID);
        sign(r, 1, pss);
        /* Signing once more without a new PIN: on a card that wants the PIN for every
         * signature the minidriver must ask the caller, never resend. */
        sign(r, 1, pss);
    }
}

static void fill_card_data(run *r, BYTE *atr, size_t atr_len, DWORD version)
{
    static WCHAR name[] = u"OpenPGP card";
    memset(&r->cd, 0, sizeof r->cd);
    r->cd.dwVersion = version;
    r->cd.pbAtr = atr;
    r->cd.cbAtr = (DWORD)atr_len;
    r->cd.pwszCardName = name;
    r->cd.pfnCspAlloc = csp_alloc;
    r->cd.pfnCspReAlloc = csp_realloc;
    r->cd.pfnCspFree = csp_free;
    md_csp_cache_install(&r->cd, csp_alloc);
    r->cd.hSCardCtx = 1;
    r->cd.hScard = FUZZ_HSCARD;
}

/* CardAcquireContext; every attempt, failed or not, ends with the transport closed once. */
static bool acquire(run *r, unsigned *acquired)
{
    DWORD rv = CardAcquireContext(&r->cd, 0);
    (*acquired)++;
    after_call(r, r->link.pins_delivered, 0);
    if (rv == SCARD_S_SUCCESS)
        return true;
    FUZZ_ASSERT(r->cd.pvVendorSpecific == NULL, "no context on failure");
    FUZZ_ASSERT(r->link.closes == *acquired, "transport closed when the context fails");
    return false;
}

static void delete_context(run *r, unsigned acquired)
{
    FUZZ_ASSERT(r->cd.pfnCardDeleteContext(&r->cd) == SCARD_S_SUCCESS, "context deleted");
    FUZZ_ASSERT(r->link.closes == acquired, "transport closed exactly once per context");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    static run r;
    memset(&r, 0, sizeof r);
    current = &r;
    r.link.base.ops = &link_ops;
    fuzz_transport_init(&r.link.ft, data + 1, size - 1);
    r.input_len = size - 1;
    opgpmd_set_transport_provider(provide, &r.link);

    /* CARD_DATA's ATR: the transport's with a run number appended. The minidriver keeps a
     * process-wide hint "the card with this ATR was just opened, our application is still
     * selected" (selection_hint.c): a fresh ATR per run keeps each input's exchange
     * independent of the previous input. The core reads the ATR from the transport. */
    static uint32_t run_number;
    BYTE atr[36];
    size_t atr_len = sizeof atr - 4;
    FUZZ_ASSERT(link_get_atr(&r.link.base, atr, &atr_len) == OPGP_OK, "ATR available");
    run_number += 2;
    for (int i = 0; i < 4; i++)
        atr[atr_len++] = (BYTE)(run_number >> (24 - 8 * i));
    DWORD version = (sel & 0x01) ? 6 : CARD_DATA_CURRENT_VERSION;
    unsigned acquired = 0;

    /* Bit 5: a context before, as the Base CSP opens one per operation: the next one then
     * reads 6E without SELECT (the selection hint), and must cope with a card that moved on. */
    if (sel & 0x20) {
        fill_card_data(&r, atr, atr_len, version);
        if (acquire(&r, &acquired)) {
            read_file(&r, NULL, "cardid");
            delete_context(&r, acquired);
        }
    }
    fill_card_data(&r, atr, atr_len, version);
    if (acquire(&r, &acquired)) {
        read_files(&r);
        read_containers(&r);
        read_properties(&r);
        private_key_operations(&r, sel);
        delete_context(&r, acquired);
    }
    opgpmd_set_transport_provider(NULL, NULL);
    FUZZ_ASSERT(md_csp_cache_misuse() == 0, "cache data present");
    md_csp_cache_clear();
    FUZZ_ASSERT(r.live_allocs == 0, "every pfnCspAlloc block handed back");
    current = NULL;
    return 0;
}
