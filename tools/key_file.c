/* What both platform halves of key_file.h (key_file_openssl.c, key_file_win32.c) decide alike:
 * which slot takes which Curve25519 key. */
#include "key_file.h"

const char *key_file_25519_refusal(bool ed, opgp_key_slot slot)
{
    if (ed && slot == OPGP_KEY_DEC)
        return "an Ed25519 key signs only: use the sig or aut slot (the dec slot takes X25519)";
    if (!ed && slot != OPGP_KEY_DEC)
        return "an X25519 key agrees keys only: use the dec slot (sig and aut take Ed25519)";
    return NULL;
}
