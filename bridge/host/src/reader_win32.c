#include "reader_names.h"

LONG host_list_readers(SCARDCONTEXT ctx, char *names, DWORD *len)
{
    return SCardListReadersA(ctx, NULL, names, len);
}

LONG host_connect(SCARDCONTEXT ctx, const char *reader, DWORD share, DWORD protocols,
                  SCARDHANDLE *card, DWORD *protocol)
{
    return SCardConnectA(ctx, reader, share, protocols, card, protocol);
}

LONG host_status(SCARDHANDLE card, unsigned char *atr, DWORD *atr_len)
{
    DWORD state = 0, proto = 0, name_len = 0;
    return SCardStatusA(card, NULL, &name_len, &state, &proto, atr, atr_len);
}
