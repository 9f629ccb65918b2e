/* Key pair generation through opgp-pkcs11 on the card tests/with-card provides (RSA keys, admin
 * PIN 12345678): the Curve25519 and EC generation mechanisms are advertised with
 * CKF_HW | CKF_GENERATE_KEY_PAIR; generation wants an SO login in a read-write session and
 * refuses the slot or curve that cannot be, leaving the old key in place; then Ed25519 in the
 * signature slot (CKA_EC_PARAMS as the printable "edwards25519"), X25519 in the decryption slot
 * (RFC 8410's OID) and brainpoolP256r1 in the authentication slot (CKM_EC_KEY_PAIR_GEN).
 * The new keys are used: a CKM_EDDSA signature of OUTDIR/msg and the X25519 secret with the
 * peer in OUTDIR/peer.raw (C_DeriveKey) are written for the calling script to check with
 * openssl, with each public key as SubjectPublicKeyInfo DER (ed25519.der, x25519.der, bp256.der).
 * Usage: p11_keygen_test MODULE OUTDIR */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "p11_test_module.h"

static CK_FUNCTION_LIST_PTR f;
static const char *outdir;

static const CK_BYTE ed_name[] = { 0x13, 0x0C, 'e', 'd', 'w', 'a', 'r', 'd', 's',
                                   '2', '5', '5', '1', '9' };
static const CK_BYTE x_name[] = { 0x13, 0x0A, 'c', 'u', 'r', 'v', 'e', '2', '5', '5', '1', '9' };
static const CK_BYTE ed_oid[] = { 0x06, 0x03, 0x2B, 0x65, 0x70 };
static const CK_BYTE x_oid[] = { 0x06, 0x03, 0x2B, 0x65, 0x6E };
static const CK_BYTE bp256_oid[] = { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01,
                                     0x01, 0x07 };

static size_t read_file(const char *name, CK_BYTE *buf, size_t cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", outdir, name);
    FILE *fp = fopen(path, "rb");
    size_t n = fp != NULL ? fread(buf, 1, cap, fp) : 0;
    if (fp != NULL)
        fclose(fp);
    CHECK(n > 0 && n < cap);
    return n;
}

static void write_file(const char *name, const CK_BYTE *buf, size_t len)
{
    p11t_write_file(outdir, name, buf, len);
}

static CK_RV generate(CK_SESSION_HANDLE h, CK_MECHANISM_TYPE m, CK_BYTE id, const CK_BYTE *params,
                      size_t params_len, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
    CK_MECHANISM mech = { m, NULL, 0 };
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE pt[] = { { CKA_TOKEN, &yes, sizeof yes },
                          { CKA_EC_PARAMS, (void *)params, (CK_ULONG)params_len } };
    CK_ATTRIBUTE kt[] = { { CKA_TOKEN, &yes, sizeof yes }, { CKA_ID, &id, 1 } };
    return f->C_GenerateKeyPair(h, &mech, pt, params != NULL ? 2 : 1, kt, 2, pub, priv);
}

static CK_OBJECT_HANDLE find(CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, CK_BYTE id)
{
    return p11t_find(f, h, cls, id);
}

static CK_KEY_TYPE key_type(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o)
{
    CK_KEY_TYPE kt = (CK_KEY_TYPE)-1;
    CK_ATTRIBUTE a = { CKA_KEY_TYPE, &kt, sizeof kt };
    RV(f->C_GetAttributeValue(h, o, &a, 1), CKR_OK);
    return kt;
}

/* The public key's CKA_EC_PARAMS and CKA_EC_POINT (a DER OCTET STRING): the point's content. */
static size_t ec_point(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE pub, const CK_BYTE *want_params,
                       size_t want_len, CK_BYTE *pt, size_t cap)
{
    CK_BYTE params[32], der[160];
    CK_ATTRIBUTE a[] = { { CKA_EC_PARAMS, params, sizeof params },
                         { CKA_EC_POINT, der, sizeof der } };
    RV(f->C_GetAttributeValue(h, pub, a, 2), CKR_OK);
    CHECK(a[0].ulValueLen == want_len && memcmp(params, want_params, want_len) == 0);
    CHECK(a[1].ulValueLen >= 2 && der[0] == 0x04 && der[1] == a[1].ulValueLen - 2);
    size_t n = a[1].ulValueLen >= 2 ? a[1].ulValueLen - 2 : 0;
    CHECK(n <= cap);
    if (n > cap)
        n = 0;
    memcpy(pt, der + 2, n);
    return n;
}

/* SubjectPublicKeyInfo of a Curve25519 key (RFC 8410): algorithm OID, then the 32 bytes. */
static void write_spki_25519(const char *name, CK_BYTE last_oid_byte, const CK_BYTE pt[32])
{
    CK_BYTE spki[44] = { 0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, last_oid_byte,
                         0x03, 0x21, 0x00 };
    memcpy(spki + 12, pt, 32);
    write_file(name, spki, sizeof spki);
}

static void test_mechanisms(CK_SLOT_ID slot)
{
    CK_MECHANISM_TYPE list[64];
    CK_ULONG n = 64;
    RV(f->C_GetMechanismList(slot, list, &n), CKR_OK);
    static const CK_MECHANISM_TYPE gen[] = { CKM_EC_EDWARDS_KEY_PAIR_GEN,
                                             CKM_EC_MONTGOMERY_KEY_PAIR_GEN, CKM_EC_KEY_PAIR_GEN,
                                             CKM_RSA_PKCS_KEY_PAIR_GEN };
    for (size_t g = 0; g < sizeof gen / sizeof gen[0]; g++) {
        bool listed = false;
        for (CK_ULONG i = 0; i < n; i++)
            listed = listed || list[i] == gen[g];
        CHECK(listed);
        CK_MECHANISM_INFO mi;
        RV(f->C_GetMechanismInfo(slot, gen[g], &mi), CKR_OK);
        CHECK((mi.flags & ~(CK_FLAGS)(CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)) ==
              (CKF_HW | CKF_GENERATE_KEY_PAIR));
        if (g < 2)
            CHECK(mi.ulMinKeySize == 255 && mi.ulMaxKeySize == 255);
    }
}

static void test_refusals(CK_SLOT_ID slot)
{
    CK_SESSION_HANDLE ro, h;
    CK_OBJECT_HANDLE pub, priv;
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
    RV(generate(ro, CKM_EC_EDWARDS_KEY_PAIR_GEN, 1, ed_name, sizeof ed_name, &pub, &priv),
       CKR_SESSION_READ_ONLY);
    RV(f->C_CloseSession(ro), CKR_OK);
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
    RV(generate(h, CKM_EC_EDWARDS_KEY_PAIR_GEN, 1, ed_name, sizeof ed_name, &pub, &priv),
       CKR_USER_NOT_LOGGED_IN);
    RV(f->C_Login(h, CKU_USER, PIN("123456")), CKR_OK);
    RV(generate(h, CKM_EC_EDWARDS_KEY_PAIR_GEN, 1, ed_name, sizeof ed_name, &pub, &priv),
       CKR_USER_NOT_LOGGED_IN); /* the user is not the SO */
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_Login(h, CKU_SO, PIN("12345678")), CKR_OK);
    RV(generate(h, CKM_EC_EDWARDS_KEY_PAIR_GEN, 2, ed_name, sizeof ed_name, &pub, &priv),
       CKR_TEMPLATE_INCONSISTENT); /* Ed25519 cannot decrypt */
    RV(generate(h, CKM_EC_MONTGOMERY_KEY_PAIR_GEN, 1, x_oid, sizeof x_oid, &pub, &priv),
       CKR_TEMPLATE_INCONSISTENT); /* X25519 cannot sign */
    RV(generate(h, CKM_EC_EDWARDS_KEY_PAIR_GEN, 1, x_name, sizeof x_name, &pub, &priv),
       CKR_CURVE_NOT_SUPPORTED);
    RV(generate(h, CKM_EC_MONTGOMERY_KEY_PAIR_GEN, 2, ed_oid, sizeof ed_oid, &pub, &priv),
       CKR_CURVE_NOT_SUPPORTED);
    RV(generate(h, CKM_EC_EDWARDS_KEY_PAIR_GEN, 1, NULL, 0, &pub, &priv),
       CKR_TEMPLATE_INCOMPLETE);
    RV(generate(h, CKM_EC_KEY_PAIR_GEN, 1, ed_oid, sizeof ed_oid, &pub, &priv),
       CKR_TEMPLATE_INCONSISTENT); /* not ECDSA */
    RV(generate(h, CKM_EC_KEY_PAIR_GEN, 2, bp256_oid, sizeof bp256_oid - 1, &pub, &priv),
       CKR_TEMPLATE_INCONSISTENT); /* a truncated OID */
    /* The refused requests left the RSA keys where they were (the SO sees public keys). */
    for (CK_BYTE id = 1; id <= 3; id++)
        CHECK(key_type(h, find(h, CKO_PUBLIC_KEY, id)) == CKK_RSA);
    RV(f->C_CloseSession(h), CKR_OK);
}

static void test_generate_and_use(CK_SLOT_ID slot)
{
    CK_SESSION_HANDLE h;
    CK_OBJECT_HANDLE pub, priv;
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
    RV(f->C_Login(h, CKU_SO, PIN("12345678")), CKR_OK);

    CK_BYTE pt[133];
    RV(generate(h, CKM_EC_EDWARDS_KEY_PAIR_GEN, 1, ed_name, sizeof ed_name, &pub, &priv), CKR_OK);
    CHECK(key_type(h, pub) == CKK_EC_EDWARDS && key_type(h, priv) == CKK_EC_EDWARDS);
    CHECK(ec_point(h, pub, ed_oid, sizeof ed_oid, pt, sizeof pt) == 32);
    write_spki_25519("ed25519.der", 0x70, pt);

    RV(generate(h, CKM_EC_MONTGOMERY_KEY_PAIR_GEN, 2, x_oid, sizeof x_oid, &pub, &priv), CKR_OK);
    CHECK(key_type(h, pub) == CKK_EC_MONTGOMERY && key_type(h, priv) == CKK_EC_MONTGOMERY);
    CHECK(ec_point(h, pub, x_oid, sizeof x_oid, pt, sizeof pt) == 32);
    write_spki_25519("x25519.der", 0x6E, pt);

    RV(generate(h, CKM_EC_KEY_PAIR_GEN, 3, bp256_oid, sizeof bp256_oid, &pub, &priv), CKR_OK);
    CHECK(key_type(h, pub) == CKK_EC && key_type(h, priv) == CKK_EC);
    CHECK(ec_point(h, pub, bp256_oid, sizeof bp256_oid, pt, sizeof pt) == 65);
    static const CK_BYTE bp_spki[] = { 0x30, 0x5A, 0x30, 0x14, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE,
                                       0x3D, 0x02, 0x01, 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02,
                                       0x08, 0x01, 0x01, 0x07, 0x03, 0x42, 0x00 };
    CK_BYTE spki[sizeof bp_spki + 65];
    memcpy(spki, bp_spki, sizeof bp_spki);
    memcpy(spki + sizeof bp_spki, pt, 65);
    write_file("bp256.der", spki, sizeof spki);
    RV(f->C_Logout(h), CKR_OK);

    /* The new keys as the user sees them: EdDSA signature, X25519 agreement. */
    RV(f->C_Login(h, CKU_USER, PIN("123456")), CKR_OK);
    CK_BYTE msg[2048], sig[128];
    size_t mlen = read_file("msg", msg, sizeof msg);
    CK_MECHANISM eddsa = { CKM_EDDSA, NULL, 0 };
    CK_ULONG slen = sizeof sig;
    RV(f->C_SignInit(h, &eddsa, find(h, CKO_PRIVATE_KEY, 1)), CKR_OK);
    RV(f->C_Sign(h, msg, (CK_ULONG)mlen, sig, &slen), CKR_OK);
    CHECK(slen == 64);
    write_file("ed25519.sig", sig, slen);

    CK_BYTE peer[64];
    size_t plen = read_file("peer.raw", peer, sizeof peer);
    CK_BYTE z[64];
    CK_ULONG zlen = 0;
    RV(p11t_ecdh_raw(f, h, find(h, CKO_PRIVATE_KEY, 2), peer, plen, z, sizeof z, &zlen), CKR_OK);
    CHECK(zlen == 32);
    write_file("x25519.secret", z, zlen == 32 ? 32 : 0);
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_CloseSession(h), CKR_OK);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODULE OUTDIR\n", argv[0]);
        return 2;
    }
    outdir = argv[2];
    CK_SLOT_ID slot = 0;
    if ((f = p11t_open(argv[1], &slot)) == NULL)
        return 1;
    test_mechanisms(slot);
    test_refusals(slot);
    test_generate_and_use(slot);
    RV(f->C_Finalize(NULL), CKR_OK);
    return p11t_report("p11_keygen_test: all checks passed");
}
