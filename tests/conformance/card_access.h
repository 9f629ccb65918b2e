/* How the harness reaches the card under the minidriver, beside what CARD_DATA says:
 *   - in-process simulator (native): the minidriver's transport provider hook hands each
 *     context a transport on one opgp_sim;
 *   - PC/SC (native through pcscd, or winscard.dll on Windows): the CARD_DATA handles.
 * Natively every transport is wrapped to count APDUs (card_access_native.c); on Windows the
 * minidriver is a DLL without the hook and nothing is counted (card_access_win32.c).
 * This header does not include cardmod.h: natively the count layer speaks pcsc-lite, whose
 * DWORD is not cardmod's. */
#ifndef MDC_CARD_ACCESS_H
#define MDC_CARD_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Card variants the simulator offers (tests/sim/opgp_sim.h). */
typedef struct ca_card_options {
    bool t0;                /* long responses through 61xx + GET RESPONSE */
    bool no_extended;       /* no extended length: command chaining */
    bool kdf;               /* KDF-DO: PINs go to the card derived */
    bool pin_per_signature; /* C4 byte 1 = 00: PW1 (81) good for one signature */
    bool wrong_pin_6982;    /* a wrong PIN answered 6982 (no tries left in the answer) */
} ca_card_options;

/* Create a simulated card provisioned with alg and route every context to it. false when
 * this build has no simulator or provisioning failed. */
bool ca_sim_start(const char *alg, const ca_card_options *opt);
void ca_sim_stop(void);
bool ca_sim_active(void);
/* The simulator's ATR. */
size_t ca_sim_atr(uint8_t *atr, size_t cap);

/* Count APDUs of PC/SC contexts too (natively: the hook wraps a PC/SC transport on the
 * handles; ctx is remembered per card handle). */
void ca_pcsc_register(uintptr_t ctx, uintptr_t card);
void ca_pcsc_count_start(void);
/* A new shared connection (T=1 or T=0) to reader on the PC/SC context ctx, as smart card
 * redirection hands a minidriver between calls; registered for counting. PC/SC code, 0 on
 * success. */
long ca_pcsc_connect(uintptr_t ctx, const char *reader, uintptr_t *card);
/* SCardDisconnect(card, SCARD_LEAVE_CARD): the card keeps its state (selection, PINs). */
long ca_pcsc_disconnect_leave(uintptr_t card);

/* APDUs sent to the card by all contexts so far; false when this build cannot count. */
bool ca_apdus(unsigned long *n);
/* VERIFY commands carrying a PIN, and those rejected (simulator only). */
bool ca_verifies(unsigned long *sent, unsigned long *failed);
/* Hold / release the simulated card for the context on hscard (the Base CSP's transaction):
 * other contexts' commands wait meanwhile. Nestable. */
uint32_t ca_sim_begin(uintptr_t hscard);
void ca_sim_end(uintptr_t hscard);
/* Warm-reset the simulated card: every context sees the reset once on its next command. */
bool ca_sim_reset(void);
/* Make the simulated card reset itself before the APDU after the next `after` ones (a reset
 * in the middle of an operation). false without a simulator. */
bool ca_sim_reset_after(unsigned long after);
/* The simulator's public key of an OpenPGP slot (0 SIG, 1 DEC, 2 AUT) as DER
 * SubjectPublicKeyInfo into buf; *len its size. false when unavailable. */
bool ca_sim_public_key(int slot, uint8_t *buf, size_t *len);

#endif
