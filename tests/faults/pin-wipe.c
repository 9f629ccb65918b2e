/* pin-wipe: the memory that held a PIN holds none of it afterwards, through PKCS#11 C_Login and
 * the minidriver's CardAuthenticateEx (inside tests/with-card; not under ASan: this program
 * replaces free()).
 *
 *   pin-wipe MODULE     MODULE: opgp-pkcs11.so
 *
 * Every block freed while the check is armed is searched for the PIN before it goes back to
 * libc (free() is interposed: the module's calls bind to this executable's), and after every
 * call the dead part of the stack below this frame (what the callee's frames left) is
 * searched too. The PIN is changed to an unmistakable one first (and back at the end), so a
 * hit is never a coincidence. The card keeps working: the login signs. Exit 0 when no PIN
 * byte string is found anywhere, 1 otherwise. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "opgp/cardmod.h"
#include "opgp/host.h"
#include "opgp/host_reader.h"

#define PIN "Zq7Wp2Xk"
#define DEFAULT_PIN "123456"

extern void __libc_free(void *p);

static volatile bool armed;
static volatile int hits;
static char where[128];

static bool holds_pin(const void *p, size_t n)
{
    return n >= sizeof PIN - 1 && memmem(p, n, PIN, sizeof PIN - 1) != NULL;
}

void free(void *p)
{
    if (p != NULL && armed && holds_pin(p, malloc_usable_size(p))) {
        hits++;
        /* no stdio here: it may allocate */
        static const char msg[] = "pin-wipe: a freed block held the PIN\n";
        fwrite(msg, 1, sizeof msg - 1, stderr);
    }
    __libc_free(p);
}

static uintptr_t stack_lo, stack_hi;

static void find_stack(void)
{
    FILE *m = fopen("/proc/self/maps", "r");
    char line[512];
    while (m && fgets(line, sizeof line, m)) {
        unsigned long a, b;
        if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &a, &b) == 2) {
            stack_lo = a;
            stack_hi = b;
        }
    }
    if (m)
        fclose(m);
}

/* The stack below the caller's frame: what the functions it called left behind. This frame and
 * memmem's are small and sit in the top 512 bytes, which are not searched. */
static __attribute__((noinline)) void check_dead_stack(const char *after)
{
    char here;
    uintptr_t sp = (uintptr_t)&here;
    if (stack_lo == 0 || sp < stack_lo || sp > stack_hi) {
        fprintf(stderr, "pin-wipe: no stack mapping\n");
        hits++;
        return;
    }
    uintptr_t from = sp - 256 * 1024 > stack_lo ? sp - 256 * 1024 : stack_lo;
    uintptr_t to = sp - 512;
    const char *hit = to > from ? memmem((const void *)from, to - from, PIN, sizeof PIN - 1) : NULL;
    if (hit != NULL) {
        fprintf(stderr, "pin-wipe: the stack below the caller held the PIN after %s (%lu bytes down)\n",
                after, (unsigned long)(sp - (uintptr_t)hit));
        hits++;
        /* gone again, so that the next check finds only what the next call leaves */
        for (volatile char *c = (volatile char *)from; c < (volatile char *)to; c++)
            *c = 0;
    }
}

/* The detectors find what they look for: a PIN left in a freed block and in a dead frame. */
static __attribute__((noinline)) void leave_pin_on_stack(void)
{
    volatile char b[4096]; /* the PIN at its low end: deeper than the checker's own frame */
    for (size_t i = 0; i < sizeof PIN; i++)
        b[i] = PIN[i];
    (void)b[0];
}

static bool detectors_work(void)
{
    find_stack();
    armed = true;
    char *volatile h = malloc(64); /* volatile: the compiler may not drop the pair */
    if (!h)
        return false;
    volatile char *v = h; /* volatile stores: not dead just because free() follows */
    for (size_t i = 0; i < sizeof PIN; i++)
        v[i] = PIN[i];
    free(h);
    int heap_hits = hits;
    leave_pin_on_stack();
    check_dead_stack("the self-check");
    bool ok = heap_hits == 1 && hits == 2;
    armed = false;
    hits = 0; /* check_dead_stack cleared the planted PIN */
    return ok;
}

static CK_FUNCTION_LIST_PTR F;
static char pin_buf[16], old_buf[16];

static void set_buf(char *b, const char *v) { snprintf(b, 16, "%s", v); }
static void wipe(char *b) { memset(b, 0, 16); __asm__ volatile("" ::"r"(b) : "memory"); }

#define CALL(what, expr, want)                                                             \
    do {                                                                                   \
        CK_RV rv_ = (expr);                                                                \
        if (rv_ != (want)) {                                                               \
            fprintf(stderr, "pin-wipe: %s: CK_RV 0x%lx\n", what, (unsigned long)rv_);      \
            hits++;                                                                        \
        }                                                                                  \
        snprintf(where, sizeof where, "%s", what);                                         \
    } while (0)

static CK_SESSION_HANDLE open_session(void)
{
    CK_SLOT_ID ids[4];
    CK_ULONG n = 4;
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    if (F->C_GetSlotList(CK_TRUE, ids, &n) == CKR_OK && n > 0)
        F->C_OpenSession(ids[0], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
    return s;
}

static void set_pin(const char *from, const char *to)
{
    CK_SESSION_HANDLE s = open_session();
    set_buf(old_buf, from);
    set_buf(pin_buf, to);
    CALL("C_Login (for C_SetPIN)", F->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)old_buf, strlen(old_buf)), CKR_OK);
    CALL("C_SetPIN", F->C_SetPIN(s, (CK_UTF8CHAR_PTR)old_buf, strlen(old_buf), (CK_UTF8CHAR_PTR)pin_buf,
                                 strlen(pin_buf)), CKR_OK);
    wipe(old_buf);
    wipe(pin_buf);
    F->C_Logout(s);
    F->C_CloseSession(s);
}

static void through_pkcs11(void)
{
    CK_SESSION_HANDLE s = open_session();
    set_buf(pin_buf, PIN);
    CALL("C_Login", F->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin_buf, sizeof PIN - 1), CKR_OK);
    wipe(pin_buf);
    check_dead_stack("C_Login");
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_BYTE id = 3;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, &id, 1}};
    CK_OBJECT_HANDLE key = 0;
    CK_ULONG n = 0;
    F->C_FindObjectsInit(s, t, 2);
    F->C_FindObjects(s, &key, 1, &n);
    F->C_FindObjectsFinal(s);
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
    CK_BYTE sig[512];
    CK_ULONG sl = sizeof sig;
    CALL("C_SignInit", F->C_SignInit(s, &m, key), CKR_OK);
    CALL("C_Sign", F->C_Sign(s, (CK_BYTE_PTR) "message", 7, sig, &sl), CKR_OK);
    check_dead_stack("C_Sign");
    CALL("C_Logout", F->C_Logout(s), CKR_OK);
    check_dead_stack("C_Logout");
    CALL("C_CloseSession", F->C_CloseSession(s), CKR_OK);
}

static void through_minidriver(const char *reader)
{
    opgp_host_reader r;
    if (opgp_host_reader_connect(reader, &r) != 0) {
        fprintf(stderr, "pin-wipe: cannot connect to %s\n", reader);
        hits++;
        return;
    }
    WCHAR name[OPGP_HOST_MAX_CARD_NAME];
    opgp_host_module mod;
    opgp_host_context *ctx = NULL;
    opgp_host_card_params p = {.hSCardCtx = (SCARDCONTEXT)r.ctx, .hScard = (SCARDHANDLE)r.card,
                               .atr = r.atr, .atr_len = (DWORD)r.atr_len};
    if (opgp_host_module_for_atr(r.atr, (DWORD)r.atr_len, name, &mod) != SCARD_S_SUCCESS ||
        opgp_host_context_open(&mod, &p, &ctx) != SCARD_S_SUCCESS) {
        fprintf(stderr, "pin-wipe: no minidriver context\n");
        hits++;
        opgp_host_reader_disconnect(&r);
        return;
    }
    PCARD_DATA cd = opgp_host_card_data(ctx);
    DWORD tries = 0;
    set_buf(pin_buf, PIN);
    DWORD rv = cd->pfnCardAuthenticateEx(cd, ROLE_USER, 0, (PBYTE)pin_buf, sizeof PIN - 1, NULL,
                                         NULL, &tries);
    wipe(pin_buf);
    if (rv != SCARD_S_SUCCESS) {
        fprintf(stderr, "pin-wipe: CardAuthenticateEx: 0x%lx\n", (unsigned long)rv);
        hits++;
    }
    check_dead_stack("CardAuthenticateEx");
    cd->pfnCardDeauthenticateEx(cd, (PIN_SET)1 << ROLE_USER, 0);
    check_dead_stack("CardDeauthenticateEx");
    opgp_host_context_close(ctx);
    opgp_host_module_close(&mod);
    opgp_host_reader_disconnect(&r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: pin-wipe MODULE (inside tests/with-card)\n");
        return 2;
    }
    if (!detectors_work()) {
        fprintf(stderr, "pin-wipe: the detectors do not find a planted PIN\n");
        return 1;
    }
    fprintf(stderr, "pin-wipe: (the two lines above are the self-check's planted PIN)\n");
    const char *reader = getenv("OPGP_TEST_READER");
    void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList get = so ? (CK_C_GetFunctionList)dlsym(so, "C_GetFunctionList") : NULL;
    if (!reader || !get || get(&F) != CKR_OK || F->C_Initialize(NULL) != CKR_OK) {
        fprintf(stderr, "pin-wipe: cannot load %s (or no OPGP_TEST_READER)\n", argv[1]);
        return 1;
    }
    armed = true;
    set_pin(DEFAULT_PIN, PIN);
    check_dead_stack("C_SetPIN");
    through_pkcs11();
    F->C_Finalize(NULL);
    check_dead_stack("C_Finalize");
    int p11_hits = hits;
    through_minidriver(reader);
    armed = false;
    F->C_Initialize(NULL);
    set_pin(PIN, DEFAULT_PIN);
    F->C_Finalize(NULL);
    printf("pin-wipe: PKCS#11 %s, minidriver %s\n", p11_hits ? "LEAKED" : "clean",
           hits > p11_hits ? "LEAKED" : "clean");
    return hits ? 1 : 0;
}
