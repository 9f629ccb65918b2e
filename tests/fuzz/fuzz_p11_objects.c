/* libFuzzer target: the PKCS#11 module (its sources linked in, over bridge/host and the static
 * minidriver) on a card answering every command from the fuzz input (the response stream of
 * fuzz_transport.h): C_Initialize, C_GetSlotList, C_GetTokenInfo, C_OpenSession, every object
 * found and every attribute of each (size, then value), the mechanism list and each
 * mechanism's info, one C_Login (and the objects again), C_Finalize.
 * Properties beyond "no crash, leak or UB": the token's strings are blank-padded, never
 * NUL-terminated; attribute lengths are what PKCS#11 says (the size asked for is the size
 * written, CK_UNAVAILABLE_INFORMATION exactly with an error); object and mechanism counts
 * stay within what was asked; a PIN the card answered is never sent again (one resend only
 * after the transport reported a reset before it); every command decodes as an
 * APDU and transactions are balanced once the module is finalized. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_p11_attrs.h"
#include "fuzz_p11_reader.h"
#include "fuzz_recorder.h"
#include "fuzz_transport.h"
#include "opgp/host_cache.h"
#include "p11.h"

#define MAX_OBJECTS 64
#define MAX_MECHANISMS 64

static fuzz_transport ft;

/* What the card saw: fuzz_transport counts every VERIFY handed to it, but one the transport
 * fails with "reset" never reached the card, and the minidriver resends it once (pins.c). */
static struct {
    opgp_transport base; /* first */
    unsigned long verify_answered; /* VERIFY with a PIN that the card answered */
} seen;

static opgp_status seen_transmit(opgp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                 uint8_t *resp, size_t *resp_len)
{
    (void)t;
    opgp_status st = ft.base.ops->transmit(&ft.base, cmd, cmd_len, resp, resp_len);
    /* A short VERIFY with data: CLA 00, INS 20, P1 00, Lc > 0 (the core sends PINs short). */
    if (st == OPGP_OK && *resp_len >= 2 && cmd_len > 5 && cmd[1] == 0x20 && cmd[4] != 0)
        seen.verify_answered++;
    return st;
}

static opgp_status seen_begin(opgp_transport *t)
{
    (void)t;
    return ft.base.ops->begin(&ft.base);
}

static opgp_status seen_end(opgp_transport *t)
{
    (void)t;
    return ft.base.ops->end(&ft.base);
}

static opgp_status seen_get_atr(opgp_transport *t, uint8_t *atr, size_t *atr_len)
{
    (void)t;
    return ft.base.ops->get_atr(&ft.base, atr, atr_len);
}

static void seen_close(opgp_transport *t) { (void)t; /* static: every context shares it */ }

static const struct opgp_transport_ops seen_ops = {
    .transmit = seen_transmit,
    .begin = seen_begin,
    .end = seen_end,
    .get_atr = seen_get_atr,
    .control = NULL,
    .close = seen_close,
};

static opgp_transport *provide(void *arg, uintptr_t hscard)
{
    (void)arg, (void)hscard;
    return &seen.base;
}

static void blank_padded(const CK_UTF8CHAR *s, size_t n, const char *what)
{
    FUZZ_ASSERT(memchr(s, 0, n) == NULL, what);
}

static void token_info(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot)
{
    CK_TOKEN_INFO ti;
    if (f->C_GetTokenInfo(slot, &ti) != CKR_OK)
        return;
    blank_padded(ti.label, sizeof ti.label, "token label blank-padded");
    blank_padded(ti.manufacturerID, sizeof ti.manufacturerID, "manufacturer blank-padded");
    blank_padded(ti.model, sizeof ti.model, "model blank-padded");
    blank_padded(ti.serialNumber, sizeof ti.serialNumber, "serial number blank-padded");
    FUZZ_ASSERT(ti.ulMinPinLen <= ti.ulMaxPinLen, "PIN length range ordered");
}

static void attribute(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
                      CK_ATTRIBUTE_TYPE type)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    CK_RV rv = f->C_GetAttributeValue(h, o, &a, 1);
    if (rv != CKR_OK) {
        if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE)
            FUZZ_ASSERT(a.ulValueLen == CK_UNAVAILABLE_INFORMATION,
                        "unavailable attribute has CK_UNAVAILABLE_INFORMATION");
        return;
    }
    FUZZ_ASSERT(a.ulValueLen != CK_UNAVAILABLE_INFORMATION, "size of an available attribute");
    FUZZ_ASSERT(a.ulValueLen <= 1u << 20, "attribute size plausible");
    CK_ULONG size = a.ulValueLen;
    /* Exactly the size announced, so that ASan sees a single byte written past it. */
    a.pValue = malloc(size ? size : 1);
    if (a.pValue == NULL)
        return;
    rv = f->C_GetAttributeValue(h, o, &a, 1);
    if (rv == CKR_OK)
        FUZZ_ASSERT(a.ulValueLen <= size, "value within the size given");
    else if (rv == CKR_BUFFER_TOO_SMALL)
        FUZZ_ASSERT(a.ulValueLen == CK_UNAVAILABLE_INFORMATION,
                    "a short buffer gives CK_UNAVAILABLE_INFORMATION");
    free(a.pValue);
}

static void objects(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE h)
{
    if (f->C_FindObjectsInit(h, NULL, 0) != CKR_OK)
        return;
    CK_OBJECT_HANDLE found[MAX_OBJECTS];
    CK_ULONG n = 0, total = 0;
    CK_OBJECT_HANDLE all[MAX_OBJECTS];
    /* In small steps, so that the module's cursor is exercised too. */
    while (total < MAX_OBJECTS && f->C_FindObjects(h, found, 3, &n) == CKR_OK && n > 0) {
        FUZZ_ASSERT(n <= 3, "no more objects than asked for");
        for (CK_ULONG i = 0; i < n && total < MAX_OBJECTS; i++)
            all[total++] = found[i];
    }
    (void)f->C_FindObjectsFinal(h);
    for (CK_ULONG i = 0; i < total; i++)
        for (size_t t = 0; t < FUZZ_P11_ATTR_COUNT; t++)
            attribute(f, h, all[i], fuzz_p11_attr_types[t]);
}

static void mechanisms(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot)
{
    CK_ULONG n = 0;
    if (f->C_GetMechanismList(slot, NULL, &n) != CKR_OK)
        return;
    FUZZ_ASSERT(n <= MAX_MECHANISMS, "mechanism count plausible");
    CK_MECHANISM_TYPE list[MAX_MECHANISMS];
    CK_ULONG got = n;
    if (f->C_GetMechanismList(slot, list, &got) != CKR_OK)
        return;
    FUZZ_ASSERT(got <= n, "no more mechanisms than announced");
    for (CK_ULONG i = 0; i < got; i++) {
        CK_MECHANISM_INFO mi;
        if (f->C_GetMechanismInfo(slot, list[i], &mi) == CKR_OK)
            FUZZ_ASSERT(mi.ulMinKeySize <= mi.ulMaxKeySize, "key size range ordered");
    }
}

/* The whole sequence against the card in the reader (provide). */
static void session(opgpmd_transport_provider provide, void *arg)
{
    fuzz_p11_reader_insert(0, provide, arg);
    CK_FUNCTION_LIST_PTR f = NULL;
    FUZZ_ASSERT(C_GetFunctionList(&f) == CKR_OK, "function list");
    FUZZ_ASSERT(f->C_Initialize(NULL) == CKR_OK, "C_Initialize without a card to read");

    CK_SLOT_ID slots[4];
    CK_ULONG n = 4;
    if (f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK && n > 0) {
        FUZZ_ASSERT(n == 1, "one reader, at most one token");
        token_info(f, slots[0]);
        CK_SESSION_HANDLE h;
        if (f->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &h) == CKR_OK) {
            objects(f, h);
            unsigned long sent = ft.verify_with_data, answered = seen.verify_answered;
            (void)f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6);
            FUZZ_ASSERT(seen.verify_answered - answered <= 1,
                        "a PIN the card answered is never sent again");
            FUZZ_ASSERT(ft.verify_with_data - sent <= 2, "one resend, only after a reset");
            objects(f, h); /* private objects once logged in */
            (void)f->C_CloseSession(h);
        }
        mechanisms(f, slots[0]);
    }
    FUZZ_ASSERT(f->C_Finalize(NULL) == CKR_OK, "C_Finalize");
    fuzz_p11_reader_insert(0, NULL, NULL);
    /* Every input starts cold: no card data cached from the previous one. */
    opgp_host_cache_purge();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_transport_init(&ft, data, size);
    seen.base.ops = &seen_ops;
    seen.verify_answered = 0;
    session(provide, NULL);
    FUZZ_ASSERT(ft.begins == ft.ends, "transactions balanced after C_Finalize");
    return 0;
}

/* Seeds: OPGP_FUZZ_P11_RECORD=DIR runs the sequence once against the simulator provisioned with
 * each algorithm and writes the card's answers as response streams DIR/sim-ALG, then exits. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *dir = getenv("OPGP_FUZZ_P11_RECORD");
    if (dir == NULL)
        return 0;
    static const char *const algs[] = {"rsa2048", "p256", "p384", "bp256", "cv25519"};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        fuzz_recorder rec;
        FUZZ_ASSERT(fuzz_recorder_start(&rec, algs[i]) == 0, "simulator provisioned");
        fuzz_transport_init(&ft, NULL, 0); /* counters only */
        session(fuzz_recorder_provide, &rec);
        char path[4096];
        snprintf(path, sizeof path, "%s/sim-%s", dir, algs[i]);
        FUZZ_ASSERT(fuzz_recorder_save(&rec, path) == 0, "seed written");
        fprintf(stderr, "%s: %zu bytes\n", path, rec.len);
        fuzz_recorder_stop(&rec);
    }
    exit(0);
}
