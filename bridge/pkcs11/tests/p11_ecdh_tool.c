/* ECDH through opgp-pkcs11 for the client tests, where pkcs11-tool cannot (X25519):
 *   p11_ecdh_tool MODULE PIN PEER OUT
 * logs in, takes the private key with CKA_ID 02 (decryption), derives with CKM_ECDH1_DERIVE
 * (CKD_NULL) and PEER's public value as the file holds it (04||X||Y, or X25519's 32 bytes),
 * and writes the secret's CKA_VALUE to OUT. Exit 0 on success. */
#include <stdio.h>
#include <string.h>

#include "p11_test_module.h"

static int fail(const char *what)
{
    fprintf(stderr, "p11_ecdh_tool: %s\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s MODULE PIN PEER OUT\n", argv[0]);
        return 2;
    }
    CK_BYTE peer[200];
    FILE *in = fopen(argv[3], "rb");
    size_t plen = in != NULL ? fread(peer, 1, sizeof peer, in) : 0;
    if (in != NULL)
        fclose(in);
    if (plen == 0 || plen == sizeof peer)
        return fail("peer file");
    CK_SLOT_ID slot = 0;
    CK_FUNCTION_LIST_PTR f = p11t_open(argv[1], &slot);
    if (f == NULL)
        return 1;
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
    if (p11t_failures == 0)
        RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    if (p11t_failures == 0)
        RV(f->C_Login(h, CKU_USER, PIN(argv[2])), CKR_OK);
    if (p11t_failures != 0)
        return fail("no session logged in as the user");
    CK_OBJECT_HANDLE key = p11t_find(f, h, CKO_PRIVATE_KEY, 2);
    if (key == CK_INVALID_HANDLE)
        return fail("no decryption key (CKA_ID 02)");
    CK_BYTE z[128];
    CK_ULONG zlen = 0;
    RV(p11t_ecdh_raw(f, h, key, peer, plen, z, sizeof z, &zlen), CKR_OK);
    if (p11t_failures != 0)
        return fail("ECDH");
    FILE *out = fopen(argv[4], "wb");
    if (out == NULL || fwrite(z, 1, zlen, out) != zlen)
        return fail("output");
    fclose(out);
    f->C_Logout(h);
    f->C_Finalize(NULL);
    return 0;
}
