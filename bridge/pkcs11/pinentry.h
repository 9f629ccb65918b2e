/* Asking a pinentry program (GnuPG's Assuan protocol) for a PIN: the module's own prompt for
 * the card's per-signature PIN when the application never does a context-specific login. */
#ifndef OPGP_P11_PINENTRY_H
#define OPGP_P11_PINENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "pkcs11_v3.h"

#define P11_PINENTRY_MAX_PIN 127

typedef struct p11_pinentry_text {
    const char *title, *desc, *prompt;  /* UTF-8; escaped here */
} p11_pinentry_text;

/* Run program, ask once, end it. CKR_OK with pin[0..*len) (the caller wipes it),
 * CKR_FUNCTION_CANCELED when the user cancelled, CKR_PIN_LEN_RANGE for a PIN longer than
 * cap, CKR_FUNCTION_FAILED when the program could not run or spoke nonsense. */
CK_RV p11_pinentry_ask(const char *program, const p11_pinentry_text *text, uint8_t *pin,
                       size_t cap, size_t *len);

/* ---- pinentry_unix.c / pinentry_win32.c: the program's process and pipes ---------------- */
typedef struct p11_pe_proc p11_pe_proc;
p11_pe_proc *p11_pe_spawn(const char *program);
/* Write all of p; false on any failure (never raises SIGPIPE). */
bool p11_pe_write(p11_pe_proc *pe, const void *p, size_t n);
/* Read some bytes: > 0, or 0 on end of file, error or timeout. */
size_t p11_pe_read(p11_pe_proc *pe, void *p, size_t n);
/* The terminal the program should use when it has no window (NULL: none known). */
const char *p11_pe_ttyname(void);
const char *p11_pe_ttytype(void);
/* Close the pipes, reap the process (killing it when it lingers), free pe. */
void p11_pe_end(p11_pe_proc *pe);

#endif
