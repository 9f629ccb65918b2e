/* The PC/SC calls whose names differ between pcsc-lite (no A/W variants) and winscard.dll
 * (A variants, as opgp speaks UTF-8/ANSI reader names): pcsc_names_unix.c / pcsc_names_win32.c. */
#ifndef OPGP_PCSC_NAMES_H
#define OPGP_PCSC_NAMES_H

#include "opgp/transport_pcsc.h"

LONG opgp_pcsc_list_raw(SCARDCONTEXT ctx, char *names, DWORD *len);
LONG opgp_pcsc_connect_raw(SCARDCONTEXT ctx, const char *reader, DWORD share, DWORD protocols,
                           SCARDHANDLE *card, DWORD *protocol);
LONG opgp_pcsc_status_raw(SCARDHANDLE card, DWORD *protocol, BYTE *atr, DWORD *atr_len);
/* SCARD_CTL_CODE(function) of the platform. */
DWORD opgp_pcsc_ctl_code(DWORD function);

#endif
