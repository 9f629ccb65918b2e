/* pcsc-lite has a single (UTF-8) form of the string calls. */
#include "pcsc_names.h"

LONG opgp_pcsc_list_raw(SCARDCONTEXT ctx, char *names, DWORD *len)
{
    return SCardListReaders(ctx, NULL, names, len);
}

LONG opgp_pcsc_connect_raw(SCARDCONTEXT ctx, const char *reader, DWORD share, DWORD protocols,
                           SCARDHANDLE *card, DWORD *protocol)
{
    return SCardConnect(ctx, reader, share, protocols, card, protocol);
}

LONG opgp_pcsc_status_raw(SCARDHANDLE card, DWORD *protocol, BYTE *atr, DWORD *atr_len)
{
    DWORD state = 0, name_len = 0;
    return SCardStatus(card, NULL, &name_len, &state, protocol, atr, atr_len);
}

/* pcsc-lite's reader.h: SCARD_CTL_CODE(code) = 0x42000000 + code. */
DWORD opgp_pcsc_ctl_code(DWORD function)
{
    return 0x42000000u + function;
}
