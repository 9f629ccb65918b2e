/* libFuzzer target: attribute templates and mechanism parameters from the caller, i.e. the fuzz
 * input, against the PKCS#11 module (its sources linked in, over bridge/host and the static
 * minidriver) and two good simulated cards (tests/sim, provisioned once per process: RSA 2048
 * in reader 0, NIST P-256 in reader 1). The input is a script: a slot byte, then steps, each
 * an opcode byte and its operands (see the step functions): C_FindObjectsInit with a fuzzed
 * template; C_GetAttributeValue with fuzzed types and lengths (NULL pValue, short buffers, a
 * huge ulValueLen); C_CreateObject of a certificate (the card's own, mutated, or raw bytes)
 * with fuzzed attributes; C_GenerateKeyPair and C_DestroyObject without the SO (so nothing is
 * generated or removed: the templates are parsed and refused); C_SignInit and C_DeriveKey with
 * fuzzed mechanism parameters; C_Login with the right user PIN. Every template, value and
 * parameter is a heap block of exactly the length the caller states, so that ASan sees any
 * read or write past it.
 * Properties beyond "no crash, leak or UB": written attribute lengths never exceed the buffer
 * given, CK_UNAVAILABLE_INFORMATION exactly where PKCS#11 wants it; C_FindObjects returns no
 * more than asked; without the SO nothing is written: C_CreateObject, C_GenerateKeyPair and
 * C_DestroyObject of card objects fail, and the cards' certificates and key fingerprints stay
 * as provisioned. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_p11_attrs.h"
#include "fuzz_p11_reader.h"
#include "fuzz_transport.h"
#include "opgp_sim.h"
#include "p11.h"

#define MAX_STEPS 24
#define MAX_TEMPLATE 8
#define MAX_HANDLES 32
#define HUGE_BUFFER 16384 /* more than any attribute of the simulated cards */

/* ---- the input ---------------------------------------------------------------------------- */

typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t u8(input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static size_t u16(input *in)
{
    size_t hi = u8(in);
    return hi << 8 | u8(in);
}

static CK_ULONG ulong32(input *in)
{
    CK_ULONG v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | u8(in);
    return v;
}

/* A heap copy of exactly n bytes (at least 1 allocated, so that malloc(0) is never asked). */
static void *block(const void *src, size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    if (b == NULL)
        abort();
    if (src != NULL && n)
        memcpy(b, src, n);
    return b;
}

static void *bytes(input *in, size_t n)
{
    uint8_t *b = block(NULL, n);
    for (size_t i = 0; i < n; i++)
        b[i] = u8(in);
    return b;
}

/* ---- the cards and what the module showed of them once ---------------------------------- */

typedef struct card {
    const char *alg;
    opgp_sim *sim;
    CK_SLOT_ID slot;
    CK_OBJECT_HANDLE objects[MAX_HANDLES]; /* everything C_FindObjects listed (logged in) */
    CK_ULONG count;
    uint8_t *cert[3];    /* the provisioned certificates, to check nothing wrote them */
    size_t cert_len[3];
    uint8_t fpr[3][20];
    uint8_t point[160];  /* the card's EC public point as CKA_EC_POINT gives it (peer for ECDH) */
    CK_ULONG point_len;
} card;

static card cards[FUZZ_P11_READERS] = {{.alg = "rsa2048"}, {.alg = "p256"}};
static CK_FUNCTION_LIST_PTR f;

static opgp_transport *sim_transport(void *arg, uintptr_t hscard)
{
    (void)hscard;
    return opgp_sim_transport_new(arg);
}

static void snapshot(card *c)
{
    for (int k = 0; k < 3; k++) {
        size_t len = 0;
        const uint8_t *p = opgp_sim_certificate(c->sim, k, &len);
        c->cert_len[k] = p ? len : 0;
        c->cert[k] = block(p, c->cert_len[k]);
        FUZZ_ASSERT(opgp_sim_fingerprint(c->sim, k, c->fpr[k]), "provisioned key");
    }
}

static void unchanged(const card *c)
{
    for (int k = 0; k < 3; k++) {
        size_t len = 0;
        const uint8_t *p = opgp_sim_certificate(c->sim, k, &len);
        FUZZ_ASSERT((p ? len : 0) == c->cert_len[k] &&
                        (len == 0 || memcmp(p, c->cert[k], len) == 0),
                    "no certificate written without the SO");
        uint8_t fpr[20];
        FUZZ_ASSERT(opgp_sim_fingerprint(c->sim, k, fpr) && memcmp(fpr, c->fpr[k], 20) == 0,
                    "no key generated without the SO");
    }
}

/* The module initialized once per process, each card's objects listed (private ones too). */
static void setup(void)
{
    for (unsigned n = 0; n < FUZZ_P11_READERS; n++) {
        opgp_sim_options o;
        memset(&o, 0, sizeof o);
        o.serial = 0x0F022100u + n;
        cards[n].sim = opgp_sim_new(&o);
        FUZZ_ASSERT(cards[n].sim != NULL && opgp_sim_provision(cards[n].sim, cards[n].alg) == 0,
                    "simulator provisioned");
        snapshot(&cards[n]);
        fuzz_p11_reader_insert(n, sim_transport, cards[n].sim);
    }
    FUZZ_ASSERT(C_GetFunctionList(&f) == CKR_OK && f->C_Initialize(NULL) == CKR_OK,
                "module initialized");
    CK_SLOT_ID slots[FUZZ_P11_READERS];
    CK_ULONG n = FUZZ_P11_READERS;
    FUZZ_ASSERT(f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK && n == FUZZ_P11_READERS,
                "a token in each reader");
    for (unsigned i = 0; i < n; i++) {
        card *c = &cards[i];
        c->slot = slots[i];
        CK_SESSION_HANDLE h;
        FUZZ_ASSERT(f->C_OpenSession(c->slot, CKF_SERIAL_SESSION, NULL, NULL, &h) == CKR_OK,
                    "session");
        FUZZ_ASSERT(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6) == CKR_OK, "login");
        FUZZ_ASSERT(f->C_FindObjectsInit(h, NULL, 0) == CKR_OK &&
                        f->C_FindObjects(h, c->objects, MAX_HANDLES, &c->count) == CKR_OK &&
                        f->C_FindObjectsFinal(h) == CKR_OK && c->count > 0,
                    "objects listed");
        for (CK_ULONG k = 0; k < c->count && c->point_len == 0; k++) {
            CK_ATTRIBUTE a = {CKA_EC_POINT, c->point, sizeof c->point};
            if (f->C_GetAttributeValue(h, c->objects[k], &a, 1) == CKR_OK)
                c->point_len = a.ulValueLen;
        }
        FUZZ_ASSERT(f->C_CloseSession(h) == CKR_OK, "session closed");
    }
}

/* ---- operands ----------------------------------------------------------------------------- */

typedef struct run {
    input in;
    card *card;
    CK_SESSION_HANDLE h;
    CK_OBJECT_HANDLE derived[4]; /* session objects C_DeriveKey made (the first ones) */
    unsigned nderived;
    unsigned live;               /* session objects C_DeriveKey made, less those destroyed */
} run;

static CK_OBJECT_HANDLE handle(run *r)
{
    uint8_t b = u8(&r->in);
    if (b >= 0xF0)
        return ulong32(&r->in); /* stale, foreign or made-up handles */
    if (b >= 0xE0 && r->nderived > 0)
        return r->derived[b % r->nderived];
    return r->card->objects[b % r->card->count];
}

static CK_ATTRIBUTE_TYPE attr_type(run *r)
{
    uint8_t b = u8(&r->in);
    return b >= 0xF0 ? ulong32(&r->in) : fuzz_p11_attr_types[b % FUZZ_P11_ATTR_COUNT];
}

/* DER OIDs of curves, and the printable names PKCS#11 3.0 allows for Edwards/Montgomery. */
static const uint8_t oid_p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
static const uint8_t oid_p384[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};
static const uint8_t oid_ed25519[] = {0x06, 0x03, 0x2B, 0x65, 0x70};
static const uint8_t name_ed25519[] = {0x13, 0x0C, 'e', 'd', 'w', 'a', 'r', 'd', 's',
                                       '2', '5', '5', '1', '9'};

/* A certificate value: the card's own (slot from the input), with up to 8 bytes replaced and
 * possibly cut short; or raw bytes. */
static void *certificate(run *r, CK_ULONG *len)
{
    uint8_t how = u8(&r->in);
    const card *c = r->card;
    unsigned k = how % 3;
    if (how >= 0xC0 || c->cert_len[k] == 0) {
        *len = u16(&r->in) % 4096;
        return bytes(&r->in, *len);
    }
    *len = c->cert_len[k];
    if (how & 0x80)
        *len = u16(&r->in) % (*len + 1);
    uint8_t *v = block(c->cert[k], *len);
    for (unsigned i = (how >> 2) & 7; i > 0 && *len > 0; i--) {
        size_t at = u16(&r->in) % *len;
        v[at] = u8(&r->in);
    }
    return v;
}

/* One attribute value: its pValue (a heap block of exactly ulValueLen bytes, or NULL). */
static void value(run *r, CK_ATTRIBUTE *a)
{
    uint8_t how = u8(&r->in);
    CK_ULONG v;
    CK_BBOOL b;
    switch (how % 8) {
    case 0: /* NULL with a length (a caller bug the module must refuse, never follow) */
        a->pValue = NULL;
        a->ulValueLen = u8(&r->in);
        return;
    case 1: /* raw bytes */
        a->ulValueLen = u8(&r->in);
        a->pValue = bytes(&r->in, a->ulValueLen);
        return;
    case 2: /* a CK_ULONG, sometimes with the wrong length */
        v = (how & 0x80) ? ulong32(&r->in) : u8(&r->in);
        a->ulValueLen = (how & 0x40) ? (how >> 3) % 9 : sizeof v;
        a->pValue = block(NULL, a->ulValueLen);
        memcpy(a->pValue, &v, a->ulValueLen < sizeof v ? a->ulValueLen : sizeof v);
        return;
    case 3: /* a CK_BBOOL */
        b = u8(&r->in);
        a->ulValueLen = (how & 0x40) ? 0 : 1;
        a->pValue = block(&b, 1);
        return;
    case 4:
        a->pValue = certificate(r, &a->ulValueLen);
        return;
    case 5: { /* curve parameters */
        static const struct {
            const uint8_t *p;
            size_t n;
        } curves[] = {{oid_p256, sizeof oid_p256}, {oid_p384, sizeof oid_p384},
                      {oid_ed25519, sizeof oid_ed25519}, {name_ed25519, sizeof name_ed25519}};
        unsigned k = (how >> 3) % 4;
        a->ulValueLen = curves[k].n - ((how & 0x80) ? 1 : 0);
        a->pValue = block(curves[k].p, a->ulValueLen);
        return;
    }
    case 6: { /* a CKA_ID the card has (01..03) or near it */
        uint8_t id = (uint8_t)((how >> 3) % 5);
        a->ulValueLen = 1;
        a->pValue = block(&id, 1);
        return;
    }
    default: /* a class or key type that exists */
        v = (how >> 3) % 5;
        a->ulValueLen = sizeof v;
        a->pValue = block(&v, sizeof v);
        return;
    }
}

/* A template of up to MAX_TEMPLATE attributes; *count may exceed what is allocated only when
 * the template is NULL (a caller bug the module must refuse). */
static CK_ATTRIBUTE *template_of(run *r, CK_ULONG *count)
{
    uint8_t b = u8(&r->in);
    *count = b % (MAX_TEMPLATE + 1);
    if (b >= 0xF8)
        return NULL;
    CK_ATTRIBUTE *t = block(NULL, *count * sizeof *t);
    for (CK_ULONG i = 0; i < *count; i++) {
        t[i].type = attr_type(r);
        value(r, &t[i]);
    }
    return t;
}

static void template_free(CK_ATTRIBUTE *t, CK_ULONG count)
{
    for (CK_ULONG i = 0; t != NULL && i < count; i++)
        free(t[i].pValue);
    free(t);
}

/* A mechanism whose pParameter is a heap block of exactly ulParameterLen bytes (or NULL). */
static const CK_MECHANISM_TYPE mechanism_types[] = {
    CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_RSA_PKCS_PSS,
    CKM_SHA256_RSA_PKCS_PSS, CKM_RSA_X_509, CKM_ECDSA, CKM_ECDSA_SHA256, CKM_ECDSA_SHA512,
    CKM_EDDSA, CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE, CKM_RSA_PKCS_KEY_PAIR_GEN,
    CKM_EC_KEY_PAIR_GEN, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
    CKM_RSA_PKCS_OAEP, CKM_SHA256,
};

typedef struct mech {
    CK_MECHANISM m;
    void *inner[2]; /* blocks the parameters point at */
} mech;

static void mechanism(run *r, mech *x)
{
    CK_MECHANISM *m = &x->m;
    memset(x, 0, sizeof *x);
    uint8_t b = u8(&r->in);
    m->mechanism = b >= 0xF0 ? ulong32(&r->in)
                             : mechanism_types[b % (sizeof mechanism_types /
                                                    sizeof mechanism_types[0])];
    uint8_t how = u8(&r->in);
    /* Bytes the stated length falls short of the structure: the module must refuse the
     * parameters, never read past the block. */
    size_t cut = (how & 0x80) ? u8(&r->in) % 48 : 0;
    switch (how % 4) {
    case 0:
        m->pParameter = NULL;
        m->ulParameterLen = (how & 0x40) ? u8(&r->in) : 0;
        return;
    case 1: {
        CK_RSA_PKCS_PSS_PARAMS p;
        memset(&p, 0, sizeof p);
        p.hashAlg = (how & 0x40) ? ulong32(&r->in) : CKM_SHA256;
        p.mgf = (how & 0x20) ? ulong32(&r->in) : CKG_MGF1_SHA256;
        p.sLen = u8(&r->in);
        m->ulParameterLen = sizeof p - (cut < sizeof p ? cut : sizeof p);
        m->pParameter = block(&p, m->ulParameterLen);
        return;
    }
    case 2: {
        CK_ECDH1_DERIVE_PARAMS p;
        memset(&p, 0, sizeof p);
        uint8_t kdf = u8(&r->in);
        p.kdf = kdf >= 0xF0 ? ulong32(&r->in) : (CK_ULONG)(kdf % 9);
        if (how & 0x40) {
            p.ulSharedDataLen = u8(&r->in);
            p.pSharedData = (how & 0x20) ? NULL : bytes(&r->in, p.ulSharedDataLen);
        }
        uint8_t pub = u8(&r->in);
        if (pub < 0x80 && r->card->point_len > 0) {
            /* The card's own point: DER-wrapped as CKA_EC_POINT gives it, or raw; maybe cut
             * short or with a byte changed. */
            const uint8_t *pt = r->card->point;
            CK_ULONG n = r->card->point_len;
            if ((pub & 1) && n > 2 && pt[1] < 0x80)
                pt += 2, n -= 2;
            if (pub & 2)
                n -= u8(&r->in) % (n + 1);
            p.ulPublicDataLen = n;
            p.pPublicData = block(pt, n);
            if ((pub & 4) && n > 0) {
                uint8_t at = u8(&r->in);
                p.pPublicData[at % n] ^= u8(&r->in) | 1;
            }
        } else if (pub < 0xF0) {
            p.ulPublicDataLen = u8(&r->in);
            p.pPublicData = bytes(&r->in, p.ulPublicDataLen);
        } else {
            p.ulPublicDataLen = u8(&r->in);
        }
        x->inner[0] = p.pSharedData;
        x->inner[1] = p.pPublicData;
        m->ulParameterLen = sizeof p - (cut < sizeof p ? cut : sizeof p);
        m->pParameter = block(&p, m->ulParameterLen);
        return;
    }
    default:
        m->ulParameterLen = u8(&r->in);
        m->pParameter = bytes(&r->in, m->ulParameterLen);
        return;
    }
}

static void mechanism_free(mech *x)
{
    free(x->m.pParameter);
    free(x->inner[0]);
    free(x->inner[1]);
}

/* ---- the steps ---------------------------------------------------------------------------- */

/* OPGP_FUZZ_TRACE=1: each call's result on stderr (seed debugging). */
static bool trace;

static CK_RV traced(const char *call, CK_RV rv)
{
    if (trace)
        fprintf(stderr, "%s = 0x%lx\n", call, (unsigned long)rv);
    return rv;
}

static void find_objects(run *r)
{
    CK_ULONG count;
    CK_ATTRIBUTE *t = template_of(r, &count);
    if (traced("C_FindObjectsInit", f->C_FindObjectsInit(r->h, t, count)) == CKR_OK) {
        CK_OBJECT_HANDLE found[8];
        CK_ULONG total = 0;
        for (int i = 0; i < 16; i++) {
            CK_ULONG want = u8(&r->in) % 9, got = 0;
            if (f->C_FindObjects(r->h, found, want, &got) != CKR_OK)
                break;
            FUZZ_ASSERT(got <= want, "no more objects than asked for");
            total += got;
            if (want > 0 && got == 0)
                break;
        }
        FUZZ_ASSERT(total <= r->card->count + r->live, "no object the card lacks");
        FUZZ_ASSERT(f->C_FindObjectsFinal(r->h) == CKR_OK, "search ended");
    }
    template_free(t, count);
}

static void get_attributes(run *r)
{
    CK_OBJECT_HANDLE o = handle(r);
    CK_ULONG count = u8(&r->in) % (MAX_TEMPLATE + 1);
    CK_ATTRIBUTE *t = block(NULL, count * sizeof *t);
    CK_ULONG given[MAX_TEMPLATE];
    for (CK_ULONG i = 0; i < count; i++) {
        t[i].type = attr_type(r);
        uint8_t how = u8(&r->in);
        switch (how % 4) {
        case 0: /* a size query */
            t[i].pValue = NULL;
            t[i].ulValueLen = (how & 0x80) ? ulong32(&r->in) : 0;
            break;
        case 1: /* a short buffer, maybe stated shorter still */
            t[i].ulValueLen = u8(&r->in);
            t[i].pValue = block(NULL, t[i].ulValueLen);
            break;
        case 2: /* a buffer larger than any attribute, with a huge stated length */
            t[i].pValue = block(NULL, HUGE_BUFFER);
            t[i].ulValueLen = (how & 0x80) ? (CK_ULONG)-1 - u8(&r->in) : HUGE_BUFFER;
            break;
        default: /* the exact size of a CK_ULONG or CK_BBOOL */
            t[i].ulValueLen = (how & 0x80) ? sizeof(CK_ULONG) : sizeof(CK_BBOOL);
            t[i].pValue = block(NULL, t[i].ulValueLen);
            break;
        }
        given[i] = t[i].ulValueLen;
    }
    CK_RV rv = traced("C_GetAttributeValue", f->C_GetAttributeValue(r->h, o, t, count));
    if (rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
        rv == CKR_BUFFER_TOO_SMALL) {
        for (CK_ULONG i = 0; i < count; i++) {
            if (t[i].pValue != NULL && t[i].ulValueLen != CK_UNAVAILABLE_INFORMATION)
                FUZZ_ASSERT(t[i].ulValueLen <= given[i], "attribute within the buffer given");
            if (rv == CKR_OK)
                FUZZ_ASSERT(t[i].ulValueLen != CK_UNAVAILABLE_INFORMATION,
                            "CKR_OK with every attribute available");
        }
    }
    for (CK_ULONG i = 0; i < count; i++)
        free(t[i].pValue);
    free(t);
}

static void create_certificate(run *r)
{
    uint8_t how = u8(&r->in);
    CK_ULONG extra;
    CK_ATTRIBUTE *more = template_of(r, &extra);
    /* Usually a plausible certificate template first, then the fuzzed attributes. */
    CK_ULONG fixed = (how & 0x80) ? 0 : 4, count = fixed + (more ? extra : 0);
    CK_ATTRIBUTE *t = more == NULL && fixed == 0 ? NULL : block(NULL, count * sizeof *t);
    if (fixed) {
        CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
        CK_CERTIFICATE_TYPE type = CKC_X_509;
        uint8_t id = (uint8_t)(1 + how % 3);
        t[0] = (CK_ATTRIBUTE){CKA_CLASS, block(&cls, sizeof cls), sizeof cls};
        t[1] = (CK_ATTRIBUTE){CKA_CERTIFICATE_TYPE, block(&type, sizeof type), sizeof type};
        t[2] = (CK_ATTRIBUTE){CKA_ID, block(&id, 1), 1};
        t[3].type = CKA_VALUE;
        t[3].pValue = certificate(r, &t[3].ulValueLen);
    }
    for (CK_ULONG i = 0; more != NULL && i < extra; i++)
        t[fixed + i] = more[i];
    CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
    CK_RV rv = traced("C_CreateObject", f->C_CreateObject(r->h, t, t ? count : extra, &o));
    if (rv == CKR_OK)
        (void)f->C_DestroyObject(r->h, o);
    FUZZ_ASSERT(rv != CKR_OK, "no certificate created without the SO");
    template_free(t, t ? count : 0);
    free(more); /* its values went to t */
}

static void destroy_object(run *r)
{
    CK_OBJECT_HANDLE o = handle(r);
    CK_RV rv = traced("C_DestroyObject", f->C_DestroyObject(r->h, o));
    if (rv != CKR_OK)
        return;
    for (CK_ULONG i = 0; i < r->card->count; i++)
        FUZZ_ASSERT(r->card->objects[i] != o, "no card object destroyed without the SO");
    FUZZ_ASSERT(r->live > 0, "only a session object destroyed");
    r->live--;
    for (unsigned i = 0; i < r->nderived; i++)
        if (r->derived[i] == o) {
            r->derived[i] = r->derived[--r->nderived];
            break;
        }
}

static void generate_key_pair(run *r)
{
    mech m;
    mechanism(r, &m);
    CK_ULONG npub, npriv;
    CK_ATTRIBUTE *pub = template_of(r, &npub), *priv = template_of(r, &npriv);
    CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE, hpriv = CK_INVALID_HANDLE;
    CK_RV rv = traced("C_GenerateKeyPair", f->C_GenerateKeyPair(r->h, (u8(&r->in) & 0x80) ? NULL : &m.m, pub, npub, priv,
                                    npriv, &hpub, &hpriv));
    FUZZ_ASSERT(rv != CKR_OK, "no key generated without the SO");
    template_free(pub, npub);
    template_free(priv, npriv);
    mechanism_free(&m);
}

static void sign_init(run *r)
{
    mech m;
    mechanism(r, &m);
    CK_OBJECT_HANDLE key = handle(r);
    CK_RV rv = traced("C_SignInit", f->C_SignInit(r->h, &m.m, key));
    mechanism_free(&m); /* the module keeps no pointer into the caller's parameters */
    if (rv != CKR_OK)
        return;
    /* Finish or leave it active (C_CloseSession ends it); sign only a short message. */
    uint8_t how = u8(&r->in);
    if (how & 1) {
        uint8_t msg[64];
        CK_ULONG msg_len = how % sizeof msg, sig_len = 0;
        memset(msg, 0x5A, sizeof msg);
        if (f->C_Sign(r->h, msg, msg_len, NULL, &sig_len) == CKR_OK && sig_len <= 1024) {
            CK_ULONG cap = sig_len;
            uint8_t *sig = block(NULL, cap);
            if (traced("C_Sign", f->C_Sign(r->h, msg, msg_len, sig, &sig_len)) == CKR_OK)
                FUZZ_ASSERT(sig_len <= cap, "signature within the size announced");
            free(sig);
        }
    }
}

static void derive_key(run *r)
{
    mech m;
    mechanism(r, &m);
    CK_OBJECT_HANDLE base = handle(r);
    CK_ULONG count;
    CK_ATTRIBUTE *t = template_of(r, &count);
    CK_OBJECT_HANDLE k = CK_INVALID_HANDLE;
    CK_RV rv = traced("C_DeriveKey", f->C_DeriveKey(r->h, &m.m, base, t, count, &k));
    if (rv == CKR_OK)
        r->live++;
    if (rv == CKR_OK && r->nderived < sizeof r->derived / sizeof r->derived[0])
        r->derived[r->nderived++] = k;
    template_free(t, count);
    mechanism_free(&m);
}

static void login(run *r)
{
    uint8_t how = u8(&r->in);
    if (how & 1)
        (void)traced("C_Logout", f->C_Logout(r->h));
    else
        (void)traced("C_Login", f->C_Login(r->h, (how & 2) ? CKU_CONTEXT_SPECIFIC : CKU_USER,
                                           (CK_UTF8CHAR_PTR) "123456", 6));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        trace = getenv("OPGP_FUZZ_TRACE") != NULL;
        setup();
        ready = true;
    }
    run r;
    memset(&r, 0, sizeof r);
    r.in = (input){data, size};
    uint8_t first = u8(&r.in);
    r.card = &cards[first % FUZZ_P11_READERS];
    CK_FLAGS flags = CKF_SERIAL_SESSION | ((first & 2) ? CKF_RW_SESSION : 0);
    FUZZ_ASSERT(f->C_OpenSession(r.card->slot, flags, NULL, NULL, &r.h) == CKR_OK, "session");
    for (int step = 0; step < MAX_STEPS && r.in.n > 0; step++) {
        switch (u8(&r.in) % 8) {
        case 0: find_objects(&r); break;
        case 1: get_attributes(&r); break;
        case 2: create_certificate(&r); break;
        case 3: destroy_object(&r); break;
        case 4: generate_key_pair(&r); break;
        case 5: sign_init(&r); break;
        case 6: derive_key(&r); break;
        default: login(&r); break;
        }
    }
    /* The last session closed: logged out, operations and session objects gone. */
    FUZZ_ASSERT(f->C_CloseSession(r.h) == CKR_OK, "session closed");
    for (unsigned n = 0; n < FUZZ_P11_READERS; n++)
        unchanged(&cards[n]);
    return 0;
}
