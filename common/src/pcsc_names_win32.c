/* winscard.dll: the ANSI forms, explicitly, whatever UNICODE says. */
#include "pcsc_names.h"

LONG opgp_pcsc_list_raw(SCARDCONTEXT ctx, char *names, DWORD *len)
{
    return SCardListReadersA(ctx, NULL, names, len);
}

LONG opgp_pcsc_connect_raw(SCARDCONTEXT ctx, const char *reader, DWORD share, DWORD protocols,
                           SCARDHANDLE *card, DWORD *protocol)
{
    return SCardConnectA(ctx, reader, share, protocols, card, protocol);
}

LONG opgp_pcsc_status_raw(SCARDHANDLE card, DWORD *protocol, BYTE *atr, DWORD *atr_len)
{
    DWORD state = 0, name_len = 0;
    return SCardStatusA(card, NULL, &name_len, &state, protocol, atr, atr_len);
}

/* winsmcrd.h: CTL_CODE(FILE_DEVICE_SMARTCARD, function, METHOD_BUFFERED, FILE_ANY_ACCESS). */
DWORD opgp_pcsc_ctl_code(DWORD function)
{
    return (0x31u << 16) | (function << 2);
}
