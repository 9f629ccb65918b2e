/* Key pair generation through opgp-pkcs11 on the card tests/with-card provides (admin PIN
 * 12345678), in one of two modes.
 * curve25519, on an RSA card: the Curve25519 and EC generation mechanisms are advertised with
 * CKF_HW | CKF_GENERATE_KEY_PAIR; generation wants an SO login in a read-write session and
 * refuses the slot or curve that cannot be, leaving the old key in place; then Ed25519 in the
 * signature slot (CKA_EC_PARAMS as the printable "edwards25519"), X25519 in the decryption slot
 * (RFC 8410's OID) and brainpoolP256r1 in the authentication slot (CKM_EC_KEY_PAIR_GEN).
 * The new keys are used: a CKM_EDDSA signature of OUTDIR/msg and the X25519 secret with the
 * peer in OUTDIR/peer.raw (C_DeriveKey) are written for the calling script to check with
 * openssl, with each public key as SubjectPublicKeyInfo DER (ed25519.der, x25519.der, bp256.der).
 * secp256k1, on a NIST P-256 card: CKM_EC_KEY_PAIR_GEN with CKA_EC_PARAMS = OID 1.3.132.0.10 is
 * refused to the user and for a truncated OID (the P-256 key stays), then generates after an SO
 * login into the signature slot (ECDSA, CKA_ID 01) and the decryption slot (ECDH, 02); the new
 * public and private objects carry the curve, the public ones a 65-byte point; the
 * authentication key stays P-256. Then as the user: CKA_SIGN on 01, CKA_DERIVE on 02, a
 * CKM_ECDSA signature of OUTDIR/msg.sha256 with 01 and the CKM_ECDH1_DERIVE secret of 02 with
 * the peer point in OUTDIR/peer.raw, written for the calling script to check with openssl
 * (k1_sig.der, k1_dec.der: SubjectPublicKeyInfo; k1.sig: DER ECDSA-Sig-Value; k1.secret).
 * Usage: p11_keygen_test MODULE OUTDIR curve25519|secp256k1 */
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
static const CK_BYTE k1_oid[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A };
static const CK_BYTE p256_oid[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };

static size_t read_file(const char *name, CK_BYTE *buf, size_t cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", outdir, name);
    FILE *fp = fopen(path, "rb");
    size_t n = fp != NULL ? fread(buf, 1, cap, fp) : 0;
    if (fp != NULL)
        fclose(fp);
    CHECK(n > 0 && n < cap);
    return n < cap ? n : 0;
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

/* The object's CKA_EC_PARAMS is want (len bytes). */
static bool has_params(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, const CK_BYTE *want, size_t len)
{
    CK_BYTE params[32];
    CK_ATTRIBUTE a = { CKA_EC_PARAMS, params, sizeof params };
    RV(f->C_GetAttributeValue(h, o, &a, 1), CKR_OK);
    return a.ulValueLen == len && memcmp(params, want, len) == 0;
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

/* SubjectPublicKeyInfo of an uncompressed 65-byte point: id-ecPublicKey, the named curve
 * (oid: the DER OBJECT IDENTIFIER, at most 11 bytes), the point. */
static void write_spki_ec(const char *name, const CK_BYTE *oid, size_t oid_len,
                          const CK_BYTE pt[65])
{
    static const CK_BYTE ec_public_key[] = { 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01 };
    CK_BYTE spki[4 + sizeof ec_public_key + 11 + 3 + 65];
    size_t alg_len = sizeof ec_public_key + oid_len, n = 0;
    CHECK(oid_len <= 11);
    if (oid_len > 11)
        return;
    spki[n++] = 0x30;
    spki[n++] = (CK_BYTE)(2 + alg_len + 3 + 65);
    spki[n++] = 0x30;
    spki[n++] = (CK_BYTE)alg_len;
    memcpy(spki + n, ec_public_key, sizeof ec_public_key);
    n += sizeof ec_public_key;
    memcpy(spki + n, oid, oid_len);
    n += oid_len;
    spki[n++] = 0x03; /* BIT STRING, no unused bits */
    spki[n++] = 0x42;
    spki[n++] = 0x00;
    memcpy(spki + n, pt, 65);
    write_file(name, spki, n + 65);
}

/* One INTEGER of an ECDSA-Sig-Value from a 32-byte big-endian half: minimal, non-negative. */
static size_t der_int(CK_BYTE *out, const CK_BYTE *v)
{
    size_t n = 32;
    while (n > 1 && v[0] == 0 && !(v[1] & 0x80))
        v++, n--;
    size_t p = 0;
    out[p++] = 0x02;
    bool pad = v[0] & 0x80;
    out[p++] = (CK_BYTE)(n + pad);
    if (pad)
        out[p++] = 0x00;
    memcpy(out + p, v, n);
    return p + n;
}

static void write_ecdsa_der(const char *name, const CK_BYTE rs[64])
{
    CK_BYTE body[70], sig[72];
    size_t n = der_int(body, rs);
    n += der_int(body + n, rs + 32);
    sig[0] = 0x30;
    sig[1] = (CK_BYTE)n;
    memcpy(sig + 2, body, n);
    write_file(name, sig, n + 2);
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
    write_spki_ec("bp256.der", bp256_oid, sizeof bp256_oid, pt);
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

static void test_k1_mechanism(CK_SLOT_ID slot)
{
    CK_MECHANISM_INFO mi;
    RV(f->C_GetMechanismInfo(slot, CKM_EC_KEY_PAIR_GEN, &mi), CKR_OK);
    CHECK(mi.flags & CKF_GENERATE_KEY_PAIR);
    CHECK(mi.ulMinKeySize <= 256 && mi.ulMaxKeySize >= 256);
    RV(f->C_GetMechanismInfo(slot, CKM_ECDSA, &mi), CKR_OK);
    RV(f->C_GetMechanismInfo(slot, CKM_ECDH1_DERIVE, &mi), CKR_OK);
}

/* A new secp256k1 key pair in slot id: both objects EC keys on the curve, the public point
 * uncompressed, written as SubjectPublicKeyInfo to name. */
static void generate_k1(CK_SESSION_HANDLE h, CK_BYTE id, const char *name)
{
    CK_OBJECT_HANDLE pub, priv;
    CK_BYTE pt[65];
    RV(generate(h, CKM_EC_KEY_PAIR_GEN, id, k1_oid, sizeof k1_oid, &pub, &priv), CKR_OK);
    CHECK(key_type(h, pub) == CKK_EC && key_type(h, priv) == CKK_EC);
    CHECK(has_params(h, priv, k1_oid, sizeof k1_oid));
    bool ok = ec_point(h, pub, k1_oid, sizeof k1_oid, pt, sizeof pt) == 65 && pt[0] == 0x04;
    CHECK(ok);
    if (ok)
        write_spki_ec(name, k1_oid, sizeof k1_oid, pt);
}

static void test_k1_generate_and_use(CK_SLOT_ID slot)
{
    CK_SESSION_HANDLE h;
    CK_OBJECT_HANDLE pub, priv;
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
    /* the user may not generate */
    RV(f->C_Login(h, CKU_USER, PIN("123456")), CKR_OK);
    RV(generate(h, CKM_EC_KEY_PAIR_GEN, 1, k1_oid, sizeof k1_oid, &pub, &priv),
       CKR_USER_NOT_LOGGED_IN);
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_Login(h, CKU_SO, PIN("12345678")), CKR_OK);
    /* a truncated OID names no curve: refused, the P-256 key stays */
    RV(generate(h, CKM_EC_KEY_PAIR_GEN, 1, k1_oid, sizeof k1_oid - 1, &pub, &priv),
       CKR_TEMPLATE_INCONSISTENT);
    CHECK(has_params(h, find(h, CKO_PUBLIC_KEY, 1), p256_oid, sizeof p256_oid));
    generate_k1(h, 1, "k1_sig.der");
    generate_k1(h, 2, "k1_dec.der");
    CHECK(has_params(h, find(h, CKO_PUBLIC_KEY, 3), p256_oid, sizeof p256_oid));
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_CloseSession(h), CKR_OK);

    /* The new keys as the user finds them: what each can do, and doing it. */
    RV(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
    RV(f->C_Login(h, CKU_USER, PIN("123456")), CKR_OK);
    CK_OBJECT_HANDLE sig_key = find(h, CKO_PRIVATE_KEY, 1);
    CK_OBJECT_HANDLE dec_key = find(h, CKO_PRIVATE_KEY, 2);
    CK_BBOOL can_sign = CK_FALSE, can_derive = CK_FALSE;
    CK_ATTRIBUTE as = { CKA_SIGN, &can_sign, sizeof can_sign };
    CK_ATTRIBUTE ad = { CKA_DERIVE, &can_derive, sizeof can_derive };
    RV(f->C_GetAttributeValue(h, sig_key, &as, 1), CKR_OK);
    RV(f->C_GetAttributeValue(h, dec_key, &ad, 1), CKR_OK);
    CHECK(can_sign == CK_TRUE && can_derive == CK_TRUE);

    CK_BYTE digest[33]; /* one more: a longer file is noticed */
    size_t dlen = read_file("msg.sha256", digest, sizeof digest);
    CHECK(dlen == 32);
    CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
    CK_BYTE sig[128];
    CK_ULONG slen = sizeof sig;
    RV(f->C_SignInit(h, &ecdsa, sig_key), CKR_OK);
    RV(f->C_Sign(h, digest, 32, sig, &slen), CKR_OK);
    CHECK(slen == 64);
    if (slen == 64)
        write_ecdsa_der("k1.sig", sig);

    CK_BYTE peer[80];
    size_t plen = read_file("peer.raw", peer, sizeof peer);
    CK_BYTE z[64];
    CK_ULONG zlen = 0;
    RV(p11t_ecdh_raw(f, h, dec_key, peer, plen, z, sizeof z, &zlen), CKR_OK);
    CHECK(zlen == 32);
    if (zlen == 32)
        write_file("k1.secret", z, 32);
    RV(f->C_Logout(h), CKR_OK);
    RV(f->C_CloseSession(h), CKR_OK);
}

int main(int argc, char **argv)
{
    bool k1 = argc == 4 && strcmp(argv[3], "secp256k1") == 0;
    if (argc != 4 || (!k1 && strcmp(argv[3], "curve25519") != 0)) {
        fprintf(stderr, "usage: %s MODULE OUTDIR curve25519|secp256k1\n", argv[0]);
        return 2;
    }
    outdir = argv[2];
    CK_SLOT_ID slot = 0;
    if ((f = p11t_open(argv[1], &slot)) == NULL)
        return 1;
    if (k1) {
        test_k1_mechanism(slot);
        test_k1_generate_and_use(slot);
    } else {
        test_mechanisms(slot);
        test_refusals(slot);
        test_generate_and_use(slot);
    }
    RV(f->C_Finalize(NULL), CKR_OK);
    return p11t_report(k1 ? "p11_keygen_test secp256k1: all checks passed"
                          : "p11_keygen_test curve25519: all checks passed");
}
