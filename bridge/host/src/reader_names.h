/* The PC/SC calls named differently by pcsc-lite (no A/W) and winscard.dll (ANSI forms). */
#ifndef OPGP_HOST_READER_NAMES_H
#define OPGP_HOST_READER_NAMES_H

#ifdef _WIN32
#include <windows.h>
#endif
#include <winscard.h>

#include "opgp/host_reader.h"

LONG host_list_readers(SCARDCONTEXT ctx, char *names, DWORD *len);
LONG host_connect(SCARDCONTEXT ctx, const char *reader, DWORD share, DWORD protocols,
                  SCARDHANDLE *card, DWORD *protocol);
LONG host_status(SCARDHANDLE card, unsigned char *atr, DWORD *atr_len);

#endif
