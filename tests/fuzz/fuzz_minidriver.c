/* libFuzzer target: the whole minidriver (opgpmd_static) against a card that answers every
 * command from the fuzz input, reached the way the Base CSP reaches it: CardAcquireContext,
 * CardReadFile of every file (cardid, cardcf, cardapps, mscp/cmapfile, the kxc/ksc certificate
 * files), CardEnumFiles, CardQueryFreeSpace, CardGetContainerInfo and the container properties
 * (standard and vendor) of containers 0..2, the card properties (standard and vendor, every
 * opgp Data Object tag), then, when the selector asks, CardAuthenticateEx with a fixed PIN and
 * CardSignData / CardRSADecrypt with the container's key, and CardDeleteContext.
 *
 * Input: one selector byte, a second one when bit 6 or 7 is set, then the response stream of
 * fuzz_transport.h. Inputs with bits 6 and 7 clear keep their meaning from before the second
 * byte existed.
 *   bit 0  CARD_DATA version 6 instead of 7
 *   bit 1  ROLE_USER: CardAuthenticateEx, sign with container 0, decrypt with container 2
 *   bit 2  the signature PIN (id 3): CardAuthenticateEx, sign with container 1
 *   bit 3  RSA signatures with PSS padding instead of PKCS#1 v1.5
 *   bit 4  CardDeauthenticateEx before the private-key operations of bit 2
 *   bit 5  a first context (CardAcquireContext, cardid, CardDeleteContext) before the main one,
 *          which then opens on the selection hint (6E without SELECT)
 *   bit 6  ECDH with the decryption container: ROLE_USER (unless verified already),
 *          CardConstructDHAgreement with the card's own public key (as a BCRYPT_ECCKEY_BLOB on
 *          NIST curves, and raw with OPGP_DH_RAW_PUBLIC_KEY on any curve), CardDeriveKey with
 *          every KDF, CardDestroyDHAgreement
 *   bit 7  the administrator: CardAuthenticateEx(ROLE_ADMIN), CardGetChallenge(Ex) and
 *          CardAuthenticateChallenge, then per the second byte:
 *     bit 0  CARD_DERIVE_KEY version 1 instead of 2 (bit 6)
 *     bit 1  v2 key lengths asked: 40 bytes from SP800-56A, 16 of the raw secret (bit 6)
 *     bit 2  certificate writes: CardCreateFile, CardWriteFile, CardReadFile and
 *            CardDeleteFile of a certificate file, cardcf / cmapfile / cardid writes, the
 *            certificate property set and deleted
 *     bit 3  CardChangeAuthenticatorEx: PW1 changed
 *     bit 4  PW1 unblocked with the Reset Code
 *     bit 5  PW1 unblocked with PW3 sent along
 *     bit 6  PW1 unblocked with an empty admin authenticator (PW3 verified before, or not)
 *     bit 7  the Reset Code set by the admin, then PW3 changed
 *
 * Properties beyond "no crash, leak or UB": a PIN reaches the card at most once per
 * CardAuthenticateEx and never from any other entry point (a VERIFY the transport refused with
 * "reset" or "no card" never reached it); no PIN command (VERIFY, CHANGE REFERENCE DATA, RESET
 * RETRY COUNTER, the Reset Code's PUT DATA) goes twice to the card in one call, nor again in a
 * later one once the card refused it; an ECDH secret is exactly the curve's field size (and the
 * card's X coordinate), every derived key of the length its KDF gives or the caller asked; a
 * certificate written reads back as written, moves cardcf's files counter, and is gone once
 * deleted; a size query and CardDeriveKey ask the card for nothing; every command decodes as
 * an APDU; transactions are balanced after each call; APDUs stay bounded once the card stops
 * answering; returned lengths are consistent (cardid 16 bytes, cmapfile whole records,
 * PIN_INFO whole, tries in range); every pfnCspAlloc block is handed back; the minidriver
 * closes its transport exactly once. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_recorder.h"
#include "fuzz_transport.h"
#include "md_csp_cache.h"
#include "opgp/apdu.h"
#include "opgp/crypto.h"
#include "opgp/cardmod.h"
#include "opgp/minidriver_test.h"
#include "opgp/minidriver_vendor.h"

#define MAX_APDUS_PER_CALL_AFTER_END 24
#define FUZZ_HSCARD ((SCARDHANDLE)0xf022)
#define INS_VERIFY 0x20
#define CMAP_RECORD_SIZE 86 /* CONTAINER_MAP_RECORD: Microsoft's layout (static-asserted) */
/* minidriver/README.md: PIN id 3 is the signature PIN (PW1 81) of container 1. */
#define SIGNATURE_PIN_ID 3
/* minidriver/README.md: PIN id 4 is the Reset Code (it only unblocks PW1). */
#define RESET_CODE_PIN_ID 4

/* A PIN command that reached the card: a digest of INS, P1, P2 and the data (the PINs), the
 * call that sent it, and whether the card refused it (any answer but 9000). */
typedef struct pin_sent {
    uint64_t key;
    unsigned call;
    bool refused;
} pin_sent;

#define MAX_PINS_TRACKED 64

/* The link the minidriver gets: fuzz_transport underneath (or, when recording seeds, the
 * simulator), counting what reached the card. */
typedef struct md_link {
    opgp_transport base;
    fuzz_transport ft;
    opgp_transport *inner;        /* &ft.base, or the recorder's transport */
    unsigned long pins_delivered; /* PIN commands the transport did not refuse */
    unsigned long card_ops;       /* commands that compute or change something on the card */
    unsigned call;                /* the entry point under way */
    pin_sent pins[MAX_PINS_TRACKED];
    size_t npins;
    unsigned closes;
} md_link;

typedef struct run {
    md_link link;
    CARD_DATA cd;
    unsigned calls;
    size_t input_len;
    long live_allocs;
    /* What the caller (this target) knows of its PINs: a CSP never offers a PIN the card
     * refused again, and need not offer one the card accepted in this context. */
    bool user_verified, user_refused, admin_verified, admin_refused;
    /* The last PSO:DECIPHER answered by one APDU with 9000: its data (the card's ECDH answer). */
    uint8_t decipher[160];
    size_t decipher_len;
    bool decipher_whole;
} run;

static run *current; /* the CSP callbacks get no context argument */

#define INS_CHANGE_REFERENCE_DATA 0x24
#define INS_RESET_RETRY_COUNTER 0x2C
#define INS_PUT_DATA 0xDA
#define INS_PSO 0x2A

/* Commands that carry a PIN: VERIFY with data, CHANGE REFERENCE DATA, RESET RETRY COUNTER
 * (the Reset Code and/or the new PW1), PUT DATA D3 (a new Reset Code). */
static bool is_pin_command(const opgp_apdu *a)
{
    switch (a->ins) {
    case INS_VERIFY:
    case INS_CHANGE_REFERENCE_DATA:
    case INS_RESET_RETRY_COUNTER:
        return a->data_len > 0;
    case INS_PUT_DATA:
        return a->p1 == 0x00 && a->p2 == 0xD3;
    default:
        return false;
    }
}

static uint64_t pin_key(const opgp_apdu *a)
{
    uint64_t h = 1469598103934665603u;
    const uint8_t head[3] = {a->ins, a->p1, a->p2};
    for (size_t i = 0; i < 3; i++)
        h = (h ^ head[i]) * 1099511628211u;
    for (size_t i = 0; i < a->data_len; i++)
        h = (h ^ a->data[i]) * 1099511628211u;
    return h;
}

/* A PIN command reached the card (or may have): never twice in one call, never again once
 * the card refused it. */
static void pin_delivered(md_link *l, const opgp_apdu *a, opgp_status s, const uint8_t *resp,
                          size_t resp_len)
{
    l->pins_delivered++;
    uint64_t key = pin_key(a);
    for (size_t i = 0; i < l->npins; i++) {
        if (l->pins[i].key != key)
            continue;
        FUZZ_ASSERT(l->pins[i].call != l->call, "a PIN command goes to the card once per call");
        FUZZ_ASSERT(!l->pins[i].refused, "a PIN the card refused is never sent again");
    }
    bool ok = s == OPGP_OK && resp_len >= 2 && resp[resp_len - 2] == 0x90 &&
              resp[resp_len - 1] == 0x00;
    if (l->npins < MAX_PINS_TRACKED)
        l->pins[l->npins++] = (pin_sent){key, l->call, !ok};
}

static opgp_status link_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                 uint8_t *resp, size_t *resp_len)
{
    md_link *l = (md_link *)t;
    opgp_status s = opgp_transport_transmit(l->inner, cmd, cmd_len, resp, resp_len);
    opgp_apdu a;
    if (opgp_apdu_decode(cmd, cmd_len, &a, NULL) != OPGP_OK)
        return s;
    size_t got = s == OPGP_OK ? *resp_len : 0;
    /* Reads (SELECT, GET DATA, GET RESPONSE, an empty VERIFY) are not operations: a call may
     * re-read 6E when the process's write generation of the card moved (freshness.c), and the
     * generations outlive the input that moved them. */
    if (!(a.ins == 0xA4 || a.ins == 0xCA || a.ins == 0xC0 ||
          (a.ins == INS_VERIFY && a.data_len == 0)))
        l->card_ops++;
    /* PC/SC reports a reset or a removal before sending: such a PIN never arrived. Any other
     * outcome (an answer, a transport error, a timeout) may have delivered it. */
    if (s != OPGP_E_CARD_RESET && s != OPGP_E_NO_CARD && is_pin_command(&a))
        pin_delivered(l, &a, s, resp, got);
    if (current != NULL && a.ins == INS_PSO && a.p1 == 0x80 && a.p2 == 0x86) {
        run *r = current;
        r->decipher_whole = got >= 2 && got - 2 <= sizeof r->decipher &&
                            resp[got - 2] == 0x90 && resp[got - 1] == 0x00;
        r->decipher_len = r->decipher_whole ? got - 2 : 0;
        if (r->decipher_whole)
            memcpy(r->decipher, resp, r->decipher_len);
    }
    return s;
}

static opgp_status link_begin(opgp_transport *t)
{
    return opgp_transport_begin(((md_link *)t)->inner);
}

static opgp_status link_end(opgp_transport *t)
{
    return opgp_transport_end(((md_link *)t)->inner);
}

static opgp_status link_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    return opgp_transport_get_atr(((md_link *)t)->inner, atr, atr_len);
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
    r->link.call = r->calls;
    fuzz_transport *ft = &r->link.ft;
    FUZZ_ASSERT(r->link.pins_delivered - pins_before <= pins_allowed,
                "a PIN reaches the card at most once, and only from CardAuthenticateEx");
    FUZZ_ASSERT(ft->after_end <= (unsigned long)r->calls * MAX_APDUS_PER_CALL_AFTER_END,
                "APDUs bounded once the card stops answering");
    FUZZ_ASSERT(ft->transmits <= r->input_len / 2 + ft->after_end + 1, "APDU count capped");
    FUZZ_ASSERT(ft->begins == ft->ends, "transactions balanced after each call");
}

/* With OPGP_FUZZ_TRACE: what the new-path entry points answered, between the APDUs. */
static void note(const run *r, const char *what, DWORD rv, size_t len)
{
    if (r->link.ft.trace)
        fprintf(stderr, "# %s: %08X (%zu bytes)\n", what, (unsigned)rv, len);
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
        if (wide_eq(name, CP_CARD_PIN_INFO)) {
            PIN_INFO pi;
            FUZZ_ASSERT(len == sizeof pi, "PIN_INFO whole");
            memcpy(&pi, buf, sizeof pi);
            FUZZ_ASSERT(pi.dwVersion == PIN_INFO_CURRENT_VERSION &&
                            (pi.PinType == AlphaNumericPinType ||
                             pi.PinType == ExternalPinType) &&
                            (pi.dwChangePermission & ~(PIN_SET)0x3E) == 0 &&
                            (pi.dwUnblockPermission & ~(PIN_SET)0x3E) == 0,
                        "PIN_INFO names PIN ids 1-5 only");
        }
        if (wide_eq(name, CP_CARD_PIN_STRENGTH_VERIFY))
            FUZZ_ASSERT(len == sizeof(DWORD), "PIN strength is a DWORD");
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

static const char USER_PIN[] = "123456";
static const char ADMIN_PIN[] = "12345678";
static const char RESET_CODE[] = "87654321";

static DWORD authenticate(run *r, PIN_ID id)
{
    const char *pin = id == ROLE_ADMIN ? ADMIN_PIN : USER_PIN;
    unsigned long pins = r->link.pins_delivered;
    DWORD tries = 0xDEADu;
    DWORD rv = r->cd.pfnCardAuthenticateEx(&r->cd, id, 0, (PBYTE)pin, (DWORD)strlen(pin), NULL,
                                           NULL, &tries);
    if (rv == (DWORD)SCARD_W_WRONG_CHV)
        FUZZ_ASSERT(tries <= 15, "tries left reported in range");
    if (rv == (DWORD)SCARD_W_CHV_BLOCKED)
        FUZZ_ASSERT(tries == 0, "a blocked PIN has no tries left");
    after_call(r, pins, 1);
    /* Whatever did not succeed may have been refused: this caller does not offer it again. */
    if (id == ROLE_USER) {
        r->user_verified = rv == SCARD_S_SUCCESS;
        r->user_refused |= rv != SCARD_S_SUCCESS;
    } else if (id == ROLE_ADMIN) {
        r->admin_verified = rv == SCARD_S_SUCCESS;
        r->admin_refused |= rv != SCARD_S_SUCCESS;
    }
    return rv;
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
    /* The size the CSP allocates for (nothing asked of the card), then the signature. */
    CARD_SIGNING_INFO size_only = si;
    size_only.dwSigningFlags |= CARD_BUFFER_SIZE_ONLY;
    DWORD expected = 0;
    unsigned long ops = r->link.card_ops;
    if (r->cd.pfnCardSignData(&r->cd, &size_only) == SCARD_S_SUCCESS) {
        FUZZ_ASSERT(size_only.pbSignedData == NULL, "no signature for a size query");
        expected = size_only.cbSignedData;
    }
    FUZZ_ASSERT(r->link.card_ops == ops, "a size query asks the card for nothing");
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
            r->user_verified = r->admin_verified = false;
        }
        authenticate(r, SIGNATURE_PIN_ID);
        sign(r, 1, pss);
        /* Signing once more without a new PIN: on a card that wants the PIN for every
         * signature the minidriver must ask the caller, never resend. */
        sign(r, 1, pss);
    }
}

/* ---- ECDH: agreement, every KDF, destruction ---------------------------------------------- */

#define Z_CAP 160 /* above any secret: the largest field is 66 bytes */

/* The ECDH curves of OpenPGP (C2's OID after the algorithm id 12): field size in bytes, the
 * CNG magic of a NIST curve's ECDH public key (0: cardmod has none), X25519. */
typedef struct ecdh_curve {
    uint8_t oid_len;
    uint8_t oid[10];
    size_t field;
    ULONG magic;
    bool x25519;
} ecdh_curve;

static const ecdh_curve ECDH_CURVES[] = {
    {8, {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07}, 32, BCRYPT_ECDH_PUBLIC_P256_MAGIC, false},
    {5, {0x2B, 0x81, 0x04, 0x00, 0x22}, 48, BCRYPT_ECDH_PUBLIC_P384_MAGIC, false},
    {5, {0x2B, 0x81, 0x04, 0x00, 0x23}, 66, BCRYPT_ECDH_PUBLIC_P521_MAGIC, false},
    {9, {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07}, 32, 0, false},
    {9, {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B}, 48, 0, false},
    {9, {0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D}, 64, 0, false},
    {5, {0x2B, 0x81, 0x04, 0x00, 0x0A}, 32, 0, false},
    {10, {0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01}, 32, 0, true},
    {3, {0x2B, 0x65, 0x6E}, 32, 0, true},
};

/* The curve of the decryption container's attributes (ECDH), NULL when none of ours. The
 * attributes may end with an import-format byte after the OID. */
static const ecdh_curve *dec_curve(run *r)
{
    uint8_t attr[32];
    size_t alen = container_algorithm(r, 2, attr, sizeof attr);
    if (alen < 2 || attr[0] != 0x12)
        return NULL;
    for (size_t i = 0; i < sizeof ECDH_CURVES / sizeof *ECDH_CURVES; i++) {
        const ecdh_curve *c = &ECDH_CURVES[i];
        if ((alen == 1u + c->oid_len || alen == 2u + c->oid_len) &&
            memcmp(attr + 1, c->oid, c->oid_len) == 0)
            return c;
    }
    return NULL;
}

/* CardConstructDHAgreement with pub (raw: OPGP_DH_RAW_PUBLIC_KEY), the agreement's index or
 * -1. */
static int agree(run *r, const uint8_t *pub, size_t len, bool raw)
{
    unsigned long pins = r->link.pins_delivered;
    uint8_t *copy = malloc(len ? len : 1); /* exactly its size: ASan sees reads past it */
    FUZZ_ASSERT(copy != NULL, "memory");
    memcpy(copy, pub, len);
    CARD_DH_AGREEMENT_INFO ai;
    memset(&ai, 0, sizeof ai);
    ai.dwVersion = CARD_DH_AGREEMENT_INFO_VERSION;
    ai.bContainerIndex = 2;
    ai.dwFlags = raw ? OPGP_DH_RAW_PUBLIC_KEY : 0;
    ai.pbPublicKey = copy;
    ai.dwPublicKey = (DWORD)len;
    ai.bSecretAgreementIndex = 0xEE;
    r->decipher_whole = false;
    DWORD rv = r->cd.pfnCardConstructDHAgreement(&r->cd, &ai);
    note(r, raw ? "CardConstructDHAgreement (raw)" : "CardConstructDHAgreement", rv, len);
    free(copy);
    after_call(r, pins, 0);
    if (rv != SCARD_S_SUCCESS)
        return -1;
    FUZZ_ASSERT(ai.bSecretAgreementIndex < 0xEE, "an agreement index is returned");
    return ai.bSecretAgreementIndex;
}

/* CardDeriveKey; the key (len bytes) in out when it fits. */
static DWORD derive(run *r, int index, LPCWSTR kdf, BCryptBufferDesc *params, DWORD flags,
                    DWORD version, DWORD key_len, uint8_t *out, size_t cap, size_t *len)
{
    unsigned long pins = r->link.pins_delivered;
    unsigned long ops = r->link.card_ops;
    CARD_DERIVE_KEY dk;
    memset(&dk, 0, sizeof dk);
    dk.dwVersion = version;
    dk.dwFlags = flags;
    dk.pwszKDF = kdf;
    dk.bSecretAgreementIndex = (BYTE)index;
    dk.pParameterList = params;
    dk.dwKeyLen = version >= CARD_DERIVE_KEY_VERSION_TWO ? key_len : 0;
    DWORD rv = r->cd.pfnCardDeriveKey(&r->cd, &dk);
    note(r, "CardDeriveKey", rv, dk.cbDerivedKey);
    FUZZ_ASSERT(r->link.card_ops == ops, "CardDeriveKey computes on the host");
    *len = 0;
    if (rv == SCARD_S_SUCCESS) {
        FUZZ_ASSERT(dk.pbDerivedKey != NULL && dk.cbDerivedKey > 0, "a derived key returned");
        *len = dk.cbDerivedKey;
        if (out != NULL && dk.cbDerivedKey <= cap)
            memcpy(out, dk.pbDerivedKey, dk.cbDerivedKey);
    } else {
        FUZZ_ASSERT(dk.pbDerivedKey == NULL, "no key on failure");
    }
    if (dk.pbDerivedKey != NULL)
        r->cd.pfnCspFree(dk.pbDerivedKey);
    after_call(r, pins, 0);
    return rv;
}

#define KDF_BUF(type, ptr, size) {(ULONG)(size), (type), (PVOID)(ptr)}

/* Every KDF on the agreement: the raw secret is the curve's field size and the card's X
 * coordinate; the others give their natural size, or the size asked. */
static void derive_all(run *r, int index, const ecdh_curve *c, uint8_t sub)
{
    DWORD version = (sub & 0x01) ? CARD_DERIVE_KEY_VERSION : CARD_DERIVE_KEY_VERSION_TWO;
    bool v2 = version == CARD_DERIVE_KEY_VERSION_TWO;
    bool ask = v2 && (sub & 0x02);
    uint8_t z[Z_CAP];
    size_t zlen = 0;
    if (derive(r, index, BCRYPT_KDF_RAW_SECRET, NULL, 0, version, 0, z, sizeof z, &zlen) ==
        SCARD_S_SUCCESS) {
        FUZZ_ASSERT(zlen == c->field, "the agreed secret is the curve's field size");
        /* What the card answered: X (or 04||X||Y), big-endian; X25519's bytes as they are. */
        if (r->decipher_whole && (r->decipher_len == c->field ||
                                  (!c->x25519 && r->decipher_len == 1 + 2 * c->field &&
                                   r->decipher[0] == 0x04))) {
            const uint8_t *x = r->decipher + (r->decipher_len == c->field ? 0 : 1);
            for (size_t i = 0; i < c->field; i++)
                FUZZ_ASSERT(z[i] == (c->x25519 ? x[i] : x[c->field - 1 - i]),
                            "the raw secret is the card's X coordinate, little-endian");
        }
    }
    size_t len;
    if (ask) {
        uint8_t head[16];
        if (derive(r, index, BCRYPT_KDF_RAW_SECRET, NULL, 0, version, 16, head, sizeof head,
                   &len) == SCARD_S_SUCCESS) {
            FUZZ_ASSERT(len == 16, "a raw secret of the length asked");
            FUZZ_ASSERT(zlen < 16 || memcmp(head, z, 16) == 0, "its leading bytes");
        }
    }
    /* HASH: SHA-1 by default, each SHA-2 by name; SHA-256 of Z (big-endian) by hand. */
    (void)derive(r, index, BCRYPT_KDF_HASH, NULL, 0, version, 0, NULL, 0, &len);
    FUZZ_ASSERT(len == 0 || len == 20, "HASH: SHA-1's size by default");
    static const struct { const WCHAR *name; size_t size; } hashes[] = {
        {BCRYPT_SHA1_ALGORITHM, 20}, {BCRYPT_SHA256_ALGORITHM, 32},
        {BCRYPT_SHA384_ALGORITHM, 48}, {BCRYPT_SHA512_ALGORITHM, 64},
    };
    static const uint8_t prepend[] = {0x01, 0x02, 0x03};
    static const uint8_t hmac_key[] = "a key for the HMAC";
    for (size_t h = 0; h < sizeof hashes / sizeof *hashes; h++) {
        size_t nbytes = (wlen(hashes[h].name) + 1) * sizeof(WCHAR);
        BCryptBuffer b1[] = {KDF_BUF(KDF_HASH_ALGORITHM, hashes[h].name, nbytes)};
        BCryptBufferDesc d1 = {BCRYPTBUFFER_VERSION, 1, b1};
        uint8_t out[64];
        if (derive(r, index, BCRYPT_KDF_HASH, &d1, 0, version, 0, out, sizeof out, &len) ==
            SCARD_S_SUCCESS) {
            FUZZ_ASSERT(len == hashes[h].size, "HASH: the hash's size");
            if (h == 1 && zlen == c->field) {
                uint8_t be[Z_CAP], want[32];
                for (size_t i = 0; i < zlen; i++)
                    be[i] = c->x25519 ? z[i] : z[zlen - 1 - i];
                size_t wl = sizeof want;
                FUZZ_ASSERT(opgp_hash(OPGP_HASH_SHA256, be, zlen, want, &wl) == OPGP_OK &&
                                memcmp(out, want, 32) == 0,
                            "HASH SHA256 is SHA-256 of the secret as the card sent it");
            }
        }
        BCryptBuffer b2[] = {KDF_BUF(KDF_HASH_ALGORITHM, hashes[h].name, nbytes),
                             KDF_BUF(KDF_HMAC_KEY, hmac_key, sizeof hmac_key),
                             KDF_BUF(KDF_SECRET_PREPEND, prepend, sizeof prepend)};
        BCryptBufferDesc d2 = {BCRYPTBUFFER_VERSION, 3, b2};
        (void)derive(r, index, BCRYPT_KDF_HMAC, &d2, 0, version, 0, NULL, 0, &len);
        FUZZ_ASSERT(len == 0 || len == hashes[h].size, "HMAC: the hash's size");
        (void)derive(r, index, BCRYPT_KDF_HMAC, &d2, 1 /* KDF_USE_SECRET_AS_HMAC_KEY */,
                     version, 0, NULL, 0, &len);
        FUZZ_ASSERT(len == 0 || len == hashes[h].size, "HMAC (secret as key): the hash's size");
        DWORD tls12 = TLS1_2_PROTOCOL_VERSION;
        static const char label[] = "master secret";
        uint8_t seed[64];
        memset(seed, 0x5C, sizeof seed);
        BCryptBuffer b3[] = {KDF_BUF(KDF_HASH_ALGORITHM, hashes[h].name, nbytes),
                             KDF_BUF(KDF_TLS_PRF_LABEL, label, sizeof label - 1),
                             KDF_BUF(KDF_TLS_PRF_SEED, seed, sizeof seed),
                             KDF_BUF(KDF_TLS_PRF_PROTOCOL, &tls12, sizeof tls12)};
        BCryptBufferDesc d3 = {BCRYPTBUFFER_VERSION, 4, b3};
        (void)derive(r, index, BCRYPT_KDF_TLS_PRF, &d3, 0, version, 0, NULL, 0, &len);
        FUZZ_ASSERT(len == 0 || len == 48, "TLS_PRF: a 48-byte master secret");
        static const uint8_t alg_id[] = {0x2B, 0x06}, party_u[] = "U", party_v[] = "V";
        BCryptBuffer b4[] = {KDF_BUF(KDF_HASH_ALGORITHM, hashes[h].name, nbytes),
                             KDF_BUF(KDF_ALGORITHMID, alg_id, sizeof alg_id),
                             KDF_BUF(KDF_PARTYUINFO, party_u, 1),
                             KDF_BUF(KDF_PARTYVINFO, party_v, 1)};
        BCryptBufferDesc d4 = {BCRYPTBUFFER_VERSION, 4, b4};
        (void)derive(r, index, BCRYPT_KDF_SP80056A_CONCAT, &d4, 0, version, ask ? 40 : 0, NULL,
                     0, &len);
        FUZZ_ASSERT(len == 0 || len == (ask ? 40 : hashes[h].size),
                    "SP800-56A: the length asked, else the hash's size");
    }
    /* Refused before anything is computed: an unknown KDF, a key handle. */
    FUZZ_ASSERT(derive(r, index, OPGP_WSTR("HKDF?"), NULL, 0, version, 0, NULL, 0, &len) !=
                    SCARD_S_SUCCESS,
                "an unknown KDF is refused");
    FUZZ_ASSERT(derive(r, index, BCRYPT_KDF_HASH, NULL, CARD_RETURN_KEY_HANDLE, version, 0, NULL,
                       0, &len) != SCARD_S_SUCCESS,
                "no key handles");
}

static void ecdh(run *r, uint8_t sub)
{
    if (r->cd.pfnCardConstructDHAgreement == NULL || r->cd.pfnCardDeriveKey == NULL)
        return;
    const ecdh_curve *c = dec_curve(r);
    /* The card's own public key as the peer's: on the curve, so a real card (the simulator
     * recording seeds) computes an agreement. */
    uint8_t point[1 + 2 * 66];
    DWORD plen = 0;
    if (c == NULL || r->cd.pfnCardGetContainerProperty(&r->cd, 2, CCP_OPGP_PUBLIC_KEY, point,
                                                       sizeof point, &plen, 0) !=
                         SCARD_S_SUCCESS ||
        plen != (c->x25519 ? 32 : 1 + 2 * c->field)) {
        /* Unknown or unreadable: a point of the announced size, or of P-256. */
        size_t field = c != NULL ? c->field : 32;
        plen = (DWORD)(c != NULL && c->x25519 ? 32 : 1 + 2 * field);
        memset(point, 0x42, plen);
        point[0] = c != NULL && c->x25519 ? 0x09 : 0x04;
    }
    if (!r->user_verified && !r->user_refused)
        authenticate(r, ROLE_USER);
    int idx[2] = {-1, -1};
    if (c != NULL && c->magic != 0) {
        /* BCRYPT_ECCKEY_BLOB: magic, cbKey, X, Y (little-endian header). */
        uint8_t blob[8 + 2 * 66];
        size_t blen = 8 + 2 * c->field;
        for (int i = 0; i < 4; i++) {
            blob[i] = (uint8_t)(c->magic >> (8 * i));
            blob[4 + i] = (uint8_t)(c->field >> (8 * i));
        }
        memcpy(blob + 8, point + 1, 2 * c->field);
        idx[0] = agree(r, blob, blen, false);
        if (idx[0] >= 0)
            derive_all(r, idx[0], c, sub);
    }
    idx[1] = agree(r, point, plen, true);
    if (idx[1] >= 0) {
        FUZZ_ASSERT(idx[1] != idx[0], "agreements have their own index");
        /* An agreement on an unknown curve has no size to check against. */
        if (c != NULL)
            derive_all(r, idx[1], c, sub);
    }
    for (int i = 0; i < 2; i++) {
        if (idx[i] < 0)
            continue;
        unsigned long pins = r->link.pins_delivered;
        FUZZ_ASSERT(r->cd.pfnCardDestroyDHAgreement(&r->cd, (BYTE)idx[i], 0) == SCARD_S_SUCCESS,
                    "an agreement is destroyed");
        FUZZ_ASSERT(r->cd.pfnCardDestroyDHAgreement(&r->cd, (BYTE)idx[i], 0) != SCARD_S_SUCCESS,
                    "and only once");
        after_call(r, pins, 0);
        size_t len;
        FUZZ_ASSERT(derive(r, idx[i], BCRYPT_KDF_RAW_SECRET, NULL, 0, CARD_DERIVE_KEY_VERSION, 0,
                           NULL, 0, &len) != SCARD_S_SUCCESS,
                    "nothing derives from a destroyed agreement");
    }
}

/* ---- The administrator: certificate files, PINs ------------------------------------------- */

/* A value to write as a certificate: the minidriver stores what it is given. */
static const uint8_t CERT[] = {
    0x30, 0x3E, 0x30, 0x28, 0xA0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x30, 0x05,
    0x06, 0x03, 0x2B, 0x65, 0x70, 0x30, 0x0B, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55,
    0x04, 0x03, 0x0C, 0x00, 0x30, 0x08, 0x18, 0x00, 0x18, 0x04, 0x32, 0x30, 0x32, 0x36,
    0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x0B, 0x00, 0x6F, 0x70, 0x67, 0x70,
    0x2D, 0x66, 0x75, 0x7A, 0x7A, 0x32, 0x00, 0x00,
};

static bool read_back(run *r, const char *name, uint8_t *out, size_t cap, size_t *len,
                      DWORD *rv_out)
{
    PBYTE data = NULL;
    DWORD dlen = 0;
    DWORD rv = r->cd.pfnCardReadFile(&r->cd, (LPSTR) "mscp", (LPSTR)name, 0, &data, &dlen);
    *rv_out = rv;
    *len = 0;
    if (rv == SCARD_S_SUCCESS && dlen <= cap) {
        memcpy(out, data, dlen);
        *len = dlen;
    }
    if (data != NULL)
        r->cd.pfnCspFree(data);
    return rv == SCARD_S_SUCCESS;
}

static bool cardcf(run *r, uint8_t out[6])
{
    PBYTE data = NULL;
    DWORD len = 0;
    DWORD rv = r->cd.pfnCardReadFile(&r->cd, NULL, (LPSTR) "cardcf", 0, &data, &len);
    bool ok = rv == SCARD_S_SUCCESS && len == 6;
    if (ok)
        memcpy(out, data, 6);
    if (data != NULL)
        r->cd.pfnCspFree(data);
    return ok;
}

static void write_certificates(run *r)
{
    unsigned long pins = r->link.pins_delivered;
    /* The first certificate file the card's containers offer (CardCreateFile: the DO exists,
     * empty or not); names the containers do not have are refused. */
    static const char *const names[] = {"kxc00", "ksc00", "ksc01", "kxc01", "kxc02", "ksc02"};
    const char *name = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names && name == NULL; i++) {
        DWORD rv = r->cd.pfnCardCreateFile(&r->cd, (LPSTR) "mscp", (LPSTR)names[i],
                                           sizeof CERT, EveryoneReadUserWriteAc);
        if (rv == SCARD_S_SUCCESS || rv == (DWORD)ERROR_FILE_EXISTS)
            name = names[i];
    }
    FUZZ_ASSERT(r->cd.pfnCardCreateFile(&r->cd, (LPSTR) "mscp", (LPSTR) "other", 10,
                                        EveryoneReadUserWriteAc) != SCARD_S_SUCCESS,
                "no files but the minidriver's");
    after_call(r, pins, 0);
    if (name != NULL) {
        uint8_t before[6], after[6];
        bool cf = cardcf(r, before);
        DWORD rv = r->cd.pfnCardWriteFile(&r->cd, (LPSTR) "mscp", (LPSTR)name, 0, (PBYTE)CERT,
                                          sizeof CERT);
        note(r, name, rv, sizeof CERT);
        after_call(r, pins, 0);
        if (rv == SCARD_S_SUCCESS) {
            uint8_t back[sizeof CERT];
            size_t blen;
            DWORD rrv;
            read_back(r, name, back, sizeof back, &blen, &rrv);
            FUZZ_ASSERT(rrv == SCARD_S_SUCCESS && blen == sizeof CERT &&
                            memcmp(back, CERT, sizeof CERT) == 0,
                        "a certificate written reads back as written");
            if (cf && cardcf(r, after))
                FUZZ_ASSERT(memcmp(before + 4, after + 4, 2) != 0,
                            "a certificate write moves cardcf's files counter");
            after_call(r, pins, 0);
        }
        rv = r->cd.pfnCardDeleteFile(&r->cd, (LPSTR) "mscp", (LPSTR)name, 0);
        note(r, "CardDeleteFile", rv, 0);
        after_call(r, pins, 0);
        if (rv == SCARD_S_SUCCESS) {
            uint8_t back[8];
            size_t blen;
            DWORD rrv;
            read_back(r, name, back, sizeof back, &blen, &rrv);
            FUZZ_ASSERT(rrv == (DWORD)SCARD_E_FILE_NOT_FOUND, "a deleted certificate is gone");
            after_call(r, pins, 0);
        }
    }
    /* The CSP's own files: cardcf with a counter moved, cmapfile (ignored), cardid (never). */
    uint8_t cf[6];
    if (cardcf(r, cf)) {
        cf[4]++;
        (void)r->cd.pfnCardWriteFile(&r->cd, NULL, (LPSTR) "cardcf", 0, cf, sizeof cf);
    }
    uint8_t cmap[3 * CMAP_RECORD_SIZE];
    memset(cmap, 0, sizeof cmap);
    (void)r->cd.pfnCardWriteFile(&r->cd, (LPSTR) "mscp", (LPSTR) "cmapfile", 0, cmap,
                                 sizeof cmap);
    uint8_t id[16] = {0};
    FUZZ_ASSERT(r->cd.pfnCardWriteFile(&r->cd, NULL, (LPSTR) "cardid", 0, id, sizeof id) !=
                    SCARD_S_SUCCESS,
                "cardid is not written");
    after_call(r, pins, 0);
    /* The certificate property of the decryption container: set, read back, deleted. */
    if (r->cd.pfnCardSetContainerProperty != NULL) {
        DWORD rv = r->cd.pfnCardSetContainerProperty(&r->cd, 2, CCP_OPGP_CERTIFICATE,
                                                     (PBYTE)CERT, sizeof CERT, 0);
        after_call(r, pins, 0);
        if (rv == SCARD_S_SUCCESS) {
            uint8_t back[sizeof CERT + 8];
            DWORD blen = 0;
            rv = r->cd.pfnCardGetContainerProperty(&r->cd, 2, CCP_OPGP_CERTIFICATE, back,
                                                   sizeof back, &blen, 0);
            FUZZ_ASSERT(rv == SCARD_S_SUCCESS && blen == sizeof CERT &&
                            memcmp(back, CERT, sizeof CERT) == 0,
                        "the certificate property reads back as set");
            after_call(r, pins, 0);
            rv = r->cd.pfnCardSetContainerProperty(&r->cd, 2, CCP_OPGP_CERTIFICATE, NULL, 0, 0);
            after_call(r, pins, 0);
            if (rv == SCARD_S_SUCCESS) {
                rv = r->cd.pfnCardGetContainerProperty(&r->cd, 2, CCP_OPGP_CERTIFICATE, back,
                                                       sizeof back, &blen, 0);
                FUZZ_ASSERT(rv == (DWORD)SCARD_E_FILE_NOT_FOUND, "a deleted certificate is gone");
                after_call(r, pins, 0);
            }
        }
    }
}

/* CardChangeAuthenticatorEx; pins_allowed the PIN commands it may send. */
static DWORD change(run *r, DWORD flags, PIN_ID auth, const char *auth_pin, PIN_ID target,
                    const char *new_pin, unsigned long pins_allowed)
{
    unsigned long pins = r->link.pins_delivered;
    unsigned long ops = r->link.card_ops;
    DWORD tries = 0xDEADu;
    DWORD rv = r->cd.pfnCardChangeAuthenticatorEx(
        &r->cd, flags, auth, (PBYTE)auth_pin, auth_pin ? (DWORD)strlen(auth_pin) : 0, target,
        (PBYTE)new_pin, (DWORD)strlen(new_pin), 0, &tries);
    note(r, "CardChangeAuthenticatorEx", rv, 0);
    if (rv == (DWORD)SCARD_W_WRONG_CHV)
        FUZZ_ASSERT(tries <= 15, "tries left reported in range");
    if (rv == (DWORD)SCARD_W_CHV_BLOCKED)
        FUZZ_ASSERT(tries == 0, "a blocked PIN has no tries left");
    if (auth_pin == NULL && !r->admin_verified) {
        FUZZ_ASSERT(rv == (DWORD)SCARD_W_SECURITY_VIOLATION && r->link.card_ops == ops,
                    "an empty admin authenticator without PW3 verified sends nothing");
    }
    after_call(r, pins, pins_allowed);
    return rv;
}

static void administrator(run *r, uint8_t sub)
{
    if (r->cd.pfnCardAuthenticateEx == NULL)
        return;
    unsigned long pins = r->link.pins_delivered;
    /* Challenge-response authentication: an OpenPGP card has no admin key. */
    PBYTE ch = NULL;
    DWORD chlen = 0;
    const DWORD unsupported = (DWORD)SCARD_E_UNSUPPORTED_FEATURE;
    FUZZ_ASSERT(r->cd.pfnCardGetChallenge(&r->cd, &ch, &chlen) == unsupported && ch == NULL,
                "no challenge");
    FUZZ_ASSERT(r->cd.pfnCardGetChallengeEx(&r->cd, ROLE_ADMIN, &ch, &chlen, 0) == unsupported &&
                    ch == NULL,
                "no challenge (Ex)");
    uint8_t response[8] = {0};
    FUZZ_ASSERT(r->cd.pfnCardAuthenticateChallenge(&r->cd, response, sizeof response, NULL) ==
                    unsupported,
                "no challenge response");
    after_call(r, pins, 0);
    /* An empty admin authenticator before PW3 is verified: refused, nothing sent. */
    if (sub & 0x40)
        (void)change(r, PIN_CHANGE_FLAG_UNBLOCK, ROLE_ADMIN, NULL, ROLE_USER, "3333333", 0);
    authenticate(r, ROLE_ADMIN);
    if (sub & 0x04)
        write_certificates(r);
    if (sub & 0x08) {
        if (change(r, PIN_CHANGE_FLAG_CHANGEPIN, ROLE_USER, USER_PIN, ROLE_USER, "654321", 1) ==
            SCARD_S_SUCCESS)
            r->user_verified = false;
    }
    if (sub & 0x10)
        (void)change(r, PIN_CHANGE_FLAG_UNBLOCK, RESET_CODE_PIN_ID, RESET_CODE, ROLE_USER,
                     "1111111", 1);
    /* A failure may be PW3's refusal: this caller does not offer PW3 again then. */
    if ((sub & 0x20) && !r->admin_refused &&
        change(r, PIN_CHANGE_FLAG_UNBLOCK, ROLE_ADMIN, ADMIN_PIN, ROLE_USER, "2222222", 2) !=
            SCARD_S_SUCCESS)
        r->admin_refused = true;
    if (sub & 0x40)
        (void)change(r, PIN_CHANGE_FLAG_UNBLOCK, ROLE_ADMIN, NULL, ROLE_USER, "3333333", 1);
    if ((sub & 0x80) && !r->admin_refused) {
        if (change(r, PIN_CHANGE_FLAG_CHANGEPIN, ROLE_ADMIN, ADMIN_PIN, RESET_CODE_PIN_ID,
                   RESET_CODE, 2) != SCARD_S_SUCCESS)
            r->admin_refused = true;
        if (!r->admin_refused &&
            change(r, PIN_CHANGE_FLAG_CHANGEPIN, ROLE_ADMIN, ADMIN_PIN, ROLE_ADMIN,
                   "87654321", 1) != SCARD_S_SUCCESS)
            r->admin_refused = true;
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

/* One input: sel and sub select the paths (see the top), inner answers the commands. */
static void run_once(run *r, uint8_t sel, uint8_t sub)
{
    opgpmd_set_transport_provider(provide, &r->link);

    /* CARD_DATA's ATR: the transport's with a run number appended. The minidriver keeps a
     * process-wide hint "the card with this ATR was just opened, our application is still
     * selected" (selection_hint.c): a fresh ATR per run keeps each input's exchange
     * independent of the previous input. The core reads the ATR from the transport. */
    static uint32_t run_number;
    BYTE atr[36];
    size_t atr_len = sizeof atr - 4;
    FUZZ_ASSERT(link_get_atr(&r->link.base, atr, &atr_len) == OPGP_OK, "ATR available");
    run_number += 2;
    for (int i = 0; i < 4; i++)
        atr[atr_len++] = (BYTE)(run_number >> (24 - 8 * i));
    DWORD version = (sel & 0x01) ? 6 : CARD_DATA_CURRENT_VERSION;
    unsigned acquired = 0;

    /* Bit 5: a context before, as the Base CSP opens one per operation: the next one then
     * reads 6E without SELECT (the selection hint), and must cope with a card that moved on. */
    if (sel & 0x20) {
        fill_card_data(r, atr, atr_len, version);
        if (acquire(r, &acquired)) {
            read_file(r, NULL, "cardid");
            delete_context(r, acquired);
        }
    }
    fill_card_data(r, atr, atr_len, version);
    if (acquire(r, &acquired)) {
        read_files(r);
        read_containers(r);
        read_properties(r);
        private_key_operations(r, sel);
        if (sel & 0x40)
            ecdh(r, sub);
        if (sel & 0x80)
            administrator(r, sub);
        delete_context(r, acquired);
    }
    opgpmd_set_transport_provider(NULL, NULL);
    FUZZ_ASSERT(md_csp_cache_misuse() == 0, "cache data present");
    md_csp_cache_clear();
    FUZZ_ASSERT(r->live_allocs == 0, "every pfnCspAlloc block handed back");
}

static run the_run;

static run *start_run(void)
{
    memset(&the_run, 0, sizeof the_run);
    current = &the_run;
    the_run.link.base.ops = &link_ops;
    the_run.link.inner = &the_run.link.ft.base;
    return &the_run;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    /* The second selector byte exists only for the paths of bits 6 and 7. */
    size_t head = (sel & 0xC0) ? 2 : 1;
    if (size < head)
        return 0;
    uint8_t sub = head == 2 ? data[1] : 0;
    run *r = start_run();
    fuzz_transport_init(&r->link.ft, data + head, size - head);
    r->input_len = size - head;
    run_once(r, sel, sub);
    current = NULL;
    return 0;
}

/* Seeds: OPGP_FUZZ_MD_RECORD=DIR runs the paths of each seed below once against the simulator
 * (provisioned with the seed's algorithm) and writes DIR/seed-NAME: the selector bytes, then
 * the card's answers as a response stream (fuzz_recorder.c). Then it exits. */
static const struct md_seed {
    const char *name, *alg;
    uint8_t sel, sub;
} MD_SEEDS[] = {
    {"ecdh-p256", "p256", 0x40, 0x00},    {"ecdh-p384-v1", "p384", 0x40, 0x01},
    {"ecdh-p521", "p521", 0x40, 0x02},    {"ecdh-bp256", "bp256", 0x40, 0x02},
    {"ecdh-bp512", "bp512", 0x41, 0x00},  {"ecdh-cv25519", "cv25519", 0x42, 0x02},
    {"write-rsa2048", "rsa2048", 0x80, 0x04}, {"write-p256", "p256", 0xA0, 0x04},
    {"pinchange-rsa2048", "rsa2048", 0x80, 0x18}, {"pinchange-p256", "p256", 0x80, 0x60},
    {"pinchange-cv25519", "cv25519", 0xC0, 0x80},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *dir = getenv("OPGP_FUZZ_MD_RECORD");
    if (dir == NULL)
        return 0;
    for (size_t i = 0; i < sizeof MD_SEEDS / sizeof *MD_SEEDS; i++) {
        const struct md_seed *s = &MD_SEEDS[i];
        fuzz_recorder rec;
        FUZZ_ASSERT(fuzz_recorder_start(&rec, s->alg) == 0, "simulator provisioned");
        run *r = start_run();
        fuzz_transport_init(&r->link.ft, NULL, 0); /* counters only */
        r->link.inner = fuzz_recorder_provide(&rec, 0);
        FUZZ_ASSERT(r->link.inner != NULL, "simulator transport");
        r->input_len = 1u << 20;
        run_once(r, s->sel, s->sub);
        opgp_transport_close(r->link.inner);
        current = NULL;
        char path[4096];
        snprintf(path, sizeof path, "%s/seed-%s", dir, s->name);
        FILE *f = fopen(path, "wb");
        FUZZ_ASSERT(f != NULL, "seed file opened");
        uint8_t head[2] = {s->sel, s->sub};
        size_t hl = (s->sel & 0xC0) ? 2 : 1;
        FUZZ_ASSERT(fwrite(head, 1, hl, f) == hl && fwrite(rec.buf, 1, rec.len, f) == rec.len &&
                        fclose(f) == 0,
                    "seed written");
        fprintf(stderr, "%s: %zu bytes\n", path, hl + rec.len);
        fuzz_recorder_stop(&rec);
    }
    exit(0);
}
