/* Windows: the minidriver is a DLL with no test hook, so there is no simulator in process and
 * nothing to count; the harness reaches the card through winscard.dll only. */
#include <windows.h>
#include <winscard.h>

#include "card_access.h"

bool ca_sim_start(const char *alg, const ca_card_options *opt)
{
    (void)alg;
    (void)opt;
    return false;
}
void ca_sim_stop(void) {}
bool ca_sim_active(void) { return false; }
size_t ca_sim_atr(uint8_t *atr, size_t cap) { (void)atr; (void)cap; return 0; }
void ca_pcsc_register(uintptr_t ctx, uintptr_t card) { (void)ctx; (void)card; }
void ca_pcsc_count_start(void) {}

long ca_pcsc_connect(uintptr_t ctx, const char *reader, uintptr_t *card)
{
    SCARDHANDLE h = 0;
    DWORD proto = 0;
    LONG rv = SCardConnectA((SCARDCONTEXT)ctx, reader, SCARD_SHARE_SHARED,
                            SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, &h, &proto);
    if (rv != SCARD_S_SUCCESS)
        return (long)rv;
    *card = (uintptr_t)h;
    return 0;
}

long ca_pcsc_disconnect_leave(uintptr_t card)
{
    return (long)SCardDisconnect((SCARDHANDLE)card, SCARD_LEAVE_CARD);
}
bool ca_apdus(unsigned long *n) { *n = 0; return false; }
bool ca_verifies(unsigned long *sent, unsigned long *failed) { *sent = *failed = 0; return false; }
bool ca_sim_reset(void) { return false; }
bool ca_sim_reset_after(unsigned long after) { (void)after; return false; }
uint32_t ca_sim_begin(uintptr_t hscard) { (void)hscard; return 0; }
void ca_sim_end(uintptr_t hscard) { (void)hscard; }
bool ca_sim_public_key(int slot, uint8_t *buf, size_t *len)
{
    (void)slot; (void)buf; (void)len;
    return false;
}
