/* AID manufacturer codes. Sources: GnuPG's scdaemon list, and F1D0 from the recorded CanoKey
 * (shared/transcripts); codes nobody has confirmed are left out rather than guessed. */
#include <stddef.h>

#include "opgp/appdata.h"

static const struct {
    uint16_t code;
    const char *name;
} manufacturers[] = {
    {0x0000, "test card"},
    {0x0001, "PPC Card Systems"},
    {0x0002, "Prism"},
    {0x0003, "OpenFortress"},
    {0x0004, "Wewid"},
    {0x0005, "ZeitControl"},
    {0x0006, "Yubico"},
    {0x0007, "OpenKMS"},
    {0x0008, "LogoEmail"},
    {0x0009, "Fidesmo"},
    {0x000A, "VivoKey"},
    {0x000B, "Feitian Technologies"},
    {0x000D, "Dangerous Things"},
    {0x000E, "Excelsecu"},
    {0x000F, "Nitrokey"},
    {0x002A, "Magrathea"},
    {0x0042, "GnuPG e.V."},
    {0x1337, "Warsaw Hackerspace"},
    {0x2342, "warpzone"},
    {0x4354, "Confidential Technologies"},
    {0x5443, "TIF-IT e.V."},
    {0x63AF, "Trustica"},
    {0xBA53, "c-base e.V."},
    {0xBD0E, "Paranoidlabs"},
    {0xF1D0, "CanoKeys"},
    {0xF517, "FSIJ"},
    {0xF5EC, "F-Secure"},
    {0xFFFF, "test card"},
};

const char *opgp_manufacturer_name(uint16_t code)
{
    for (size_t i = 0; i < sizeof manufacturers / sizeof manufacturers[0]; i++)
        if (manufacturers[i].code == code)
            return manufacturers[i].name;
    /* The spec reserves FF00-FFFE for cards with randomly made serial numbers. */
    if ((code & 0xFF00) == 0xFF00)
        return "unmanaged serial number range";
    return "unknown manufacturer";
}
