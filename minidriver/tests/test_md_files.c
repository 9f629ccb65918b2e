/* The virtual file system, containers and the CSP cache, on a simulated card. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "md.h"
#include "md_test_env.h"
#include "opgp/minidriver_vendor.h"

static DWORD read_file(PCARD_DATA d, const char *dir, const char *name, PBYTE *p, DWORD *n)
{
    return d->pfnCardReadFile(d, (LPSTR)dir, (LPSTR)name, 0, p, n);
}

static void test_root_files(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    PCARD_DATA d = &e.cd;
    PBYTE p;
    DWORD n;
    uint8_t aid[16];
    opgp_sim_aid(e.sim, aid);
    assert_rv(read_file(d, NULL, "cardid", &p, &n), SCARD_S_SUCCESS);
    assert_int_equal(n, 16);
    assert_memory_equal(p, aid, 16);
    md_free(p);
    assert_rv(read_file(d, "", "cardapps", &p, &n), SCARD_S_SUCCESS);
    assert_int_equal(n, 8);
    assert_memory_equal(p, "mscp\0\0\0\0", 8);
    md_free(p);
    assert_rv(read_file(d, NULL, "cardcf", &p, &n), SCARD_S_SUCCESS);
    assert_int_equal(n, 6);
    md_free(p);
    assert_rv(read_file(d, NULL, "nosuch", &p, &n), SCARD_E_FILE_NOT_FOUND);
    assert_rv(read_file(d, "other", "cardid", &p, &n), SCARD_E_DIR_NOT_FOUND);
    assert_rv(read_file(d, NULL, "cmapfile", &p, &n), SCARD_E_FILE_NOT_FOUND);
    assert_rv(d->pfnCardReadFile(d, NULL, (LPSTR) "cardid", 1, &p, &n),
                     SCARD_E_INVALID_PARAMETER);
    assert_rv(d->pfnCardReadFile(d, NULL, NULL, 0, &p, &n), SCARD_E_INVALID_PARAMETER);

    LPSTR names;
    assert_rv(d->pfnCardEnumFiles(d, NULL, &names, &n, 0), SCARD_S_SUCCESS);
    assert_int_equal(n, sizeof "cardid\0cardcf\0cardapps\0");
    assert_memory_equal(names, "cardid\0cardcf\0cardapps\0", n);
    md_free(names);
    assert_rv(d->pfnCardEnumFiles(d, (LPSTR) "x", &names, &n, 0), SCARD_E_DIR_NOT_FOUND);

    CARD_FILE_INFO fi = { CARD_FILE_INFO_CURRENT_VERSION, 0, InvalidAc };
    assert_rv(d->pfnCardGetFileInfo(d, NULL, (LPSTR) "cardcf", &fi), SCARD_S_SUCCESS);
    assert_int_equal(fi.cbFileSize, 6);
    assert_int_equal(fi.AccessCondition, EveryoneReadUserWriteAc);
    fi.dwVersion = 5;
    assert_rv(d->pfnCardGetFileInfo(d, NULL, (LPSTR) "cardcf", &fi), ERROR_REVISION_MISMATCH);

    /* Writes: cardcf accepted (derived), cardid refused, directories fixed. */
    uint8_t cf[6] = { 0 };
    assert_rv(d->pfnCardWriteFile(d, NULL, (LPSTR) "cardcf", 0, cf, 6), SCARD_S_SUCCESS);
    assert_rv(d->pfnCardWriteFile(d, NULL, (LPSTR) "cardid", 0, cf, 6),
                     SCARD_W_SECURITY_VIOLATION);
    assert_rv(d->pfnCardCreateDirectory(d, (LPSTR) "mscp", UserCreateDeleteDirAc),
                     ERROR_FILE_EXISTS);
    assert_rv(d->pfnCardCreateDirectory(d, (LPSTR) "newdir", UserCreateDeleteDirAc),
                     SCARD_E_UNSUPPORTED_FEATURE);
    assert_rv(d->pfnCardDeleteDirectory(d, (LPSTR) "nodir"), SCARD_E_DIR_NOT_FOUND);
    assert_rv(d->pfnCardCreateFile(d, NULL, (LPSTR) "cardid", 0, EveryoneReadUserWriteAc),
                     ERROR_FILE_EXISTS);
    md_env_close(&e);
}

static void test_mscp_and_certs(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    PCARD_DATA d = &e.cd;
    PBYTE p;
    DWORD n;
    assert_rv(read_file(d, "mscp", "cmapfile", &p, &n), SCARD_S_SUCCESS);
    assert_int_equal(n, 3 * sizeof(CONTAINER_MAP_RECORD));
    CONTAINER_MAP_RECORD r[3];
    memcpy(r, p, sizeof r);
    md_free(p);
    assert_int_equal(r[0].bFlags, CONTAINER_MAP_VALID_CONTAINER | CONTAINER_MAP_DEFAULT_CONTAINER);
    assert_int_equal(r[0].wKeyExchangeKeySizeBits, 2048);
    assert_int_equal(r[1].wSigKeySizeBits, 2048);
    assert_int_equal(r[2].wKeyExchangeKeySizeBits, 2048);

    LPSTR names;
    assert_rv(d->pfnCardEnumFiles(d, (LPSTR) "mscp", &names, &n, 0), SCARD_S_SUCCESS);
    assert_memory_equal(names, "cmapfile\0kxc00\0ksc01\0kxc02\0", n);
    md_free(names);

    static const struct { const char *name; int slot; } certs[] = {
        { "kxc00", OPGP_SIM_AUT }, { "ksc01", OPGP_SIM_SIG }, { "kxc02", OPGP_SIM_DEC },
    };
    for (int i = 0; i < 3; i++) {
        size_t len;
        const uint8_t *want = opgp_sim_certificate(e.sim, certs[i].slot, &len);
        assert_non_null(want);
        assert_rv(read_file(d, "mscp", certs[i].name, &p, &n), SCARD_S_SUCCESS);
        assert_int_equal(n, len);
        assert_memory_equal(p, want, len);
        md_free(p);
    }
    assert_rv(read_file(d, "mscp", "ksc00", &p, &n), SCARD_E_FILE_NOT_FOUND);

    /* Writing a certificate needs the admin PIN. */
    uint8_t cert[300];
    memset(cert, 0x30, sizeof cert);
    assert_rv(d->pfnCardWriteFile(d, (LPSTR) "mscp", (LPSTR) "ksc01", 0, cert, sizeof cert),
                     SCARD_W_SECURITY_VIOLATION);
    DWORD tries = 0;
    assert_rv(d->pfnCardAuthenticateEx(d, ROLE_ADMIN, 0, (PBYTE)OPGP_SIM_PW3, 8, NULL,
                                              NULL, &tries), SCARD_S_SUCCESS);
    assert_rv(d->pfnCardWriteFile(d, (LPSTR) "mscp", (LPSTR) "ksc01", 0, cert, sizeof cert),
                     SCARD_S_SUCCESS);
    size_t len;
    const uint8_t *now = opgp_sim_certificate(e.sim, OPGP_SIM_SIG, &len);
    assert_int_equal(len, sizeof cert);
    assert_memory_equal(now, cert, len);
    assert_rv(read_file(d, "mscp", "ksc01", &p, &n), SCARD_S_SUCCESS);
    assert_memory_equal(p, cert, sizeof cert);
    md_free(p);
    /* Delete, then the CSP's create + write sequence. */
    assert_rv(d->pfnCardCreateFile(d, (LPSTR) "mscp", (LPSTR) "kxc02", 0,
                                          EveryoneReadUserWriteAc), ERROR_FILE_EXISTS);
    assert_rv(d->pfnCardDeleteFile(d, (LPSTR) "mscp", (LPSTR) "kxc02", 0), SCARD_S_SUCCESS);
    assert_null(opgp_sim_certificate(e.sim, OPGP_SIM_DEC, &len));
    assert_rv(read_file(d, "mscp", "kxc02", &p, &n), SCARD_E_FILE_NOT_FOUND);
    assert_rv(d->pfnCardEnumFiles(d, (LPSTR) "mscp", &names, &n, 0), SCARD_S_SUCCESS);
    assert_memory_equal(names, "cmapfile\0kxc00\0ksc01\0", n);
    md_free(names);
    assert_rv(d->pfnCardCreateFile(d, (LPSTR) "mscp", (LPSTR) "kxc02", 0,
                                          EveryoneReadUserWriteAc), SCARD_S_SUCCESS);
    assert_rv(d->pfnCardWriteFile(d, (LPSTR) "mscp", (LPSTR) "kxc02", 0, cert, 100),
                     SCARD_S_SUCCESS);
    assert_non_null(opgp_sim_certificate(e.sim, OPGP_SIM_DEC, &len));
    assert_int_equal(len, 100);
    /* cmapfile writes from the CSP are accepted when well-formed. */
    uint8_t map[86 * 3] = { 0 };
    assert_rv(d->pfnCardWriteFile(d, (LPSTR) "mscp", (LPSTR) "cmapfile", 0, map, sizeof map),
                     SCARD_S_SUCCESS);
    assert_rv(d->pfnCardWriteFile(d, (LPSTR) "mscp", (LPSTR) "cmapfile", 0, map, 85),
                     SCARD_E_INVALID_PARAMETER);
    md_env_close(&e);
}

static void test_container_info(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    PCARD_DATA d = &e.cd;
    static const int slot_of[3] = { OPGP_SIM_AUT, OPGP_SIM_SIG, OPGP_SIM_DEC };
    for (BYTE i = 0; i < 3; i++) {
        CONTAINER_INFO ci = { CONTAINER_INFO_CURRENT_VERSION, 0, 0, NULL, 0, NULL };
        assert_rv(d->pfnCardGetContainerInfo(d, i, 0, &ci), SCARD_S_SUCCESS);
        PBYTE blob = i == 1 ? ci.pbSigPublicKey : ci.pbKeyExPublicKey;
        DWORD len = i == 1 ? ci.cbSigPublicKey : ci.cbKeyExPublicKey;
        assert_null(i == 1 ? ci.pbKeyExPublicKey : ci.pbSigPublicKey);
        assert_int_equal(len, 20 + 256);
        assert_int_equal(blob[0], PUBLICKEYBLOB);
        assert_int_equal(blob[4] | blob[5] << 8, i == 1 ? CALG_RSA_SIGN : CALG_RSA_KEYX);
        EVP_PKEY *k = opgp_sim_public_key(e.sim, slot_of[i]);
        BIGNUM *n = NULL;
        assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n), 1);
        BIGNUM *got = BN_lebin2bn(blob + 20, 256, NULL);
        assert_int_equal(BN_cmp(got, n), 0);
        BN_free(got);
        BN_free(n);
        EVP_PKEY_free(k);
        md_free(blob);
    }
    BYTE buf[64];
    DWORD n = 0;
    PIN_ID id = 0;
    assert_rv(d->pfnCardGetContainerProperty(d, 1, CCP_PIN_IDENTIFIER, (PBYTE)&id,
                                                    sizeof id, &n, 0), SCARD_S_SUCCESS);
    assert_int_equal(id, MD_PIN_SIGN);
    assert_rv(d->pfnCardGetContainerProperty(d, 0, CCP_PIN_IDENTIFIER, (PBYTE)&id,
                                                    sizeof id, &n, 0), SCARD_S_SUCCESS);
    assert_int_equal(id, ROLE_USER);
    CONTAINER_INFO ci;
    assert_rv(d->pfnCardGetContainerProperty(d, 2, CCP_CONTAINER_INFO, (PBYTE)&ci, 4, &n, 0),
                     ERROR_INSUFFICIENT_BUFFER);
    assert_rv(d->pfnCardGetContainerProperty(d, 2, CCP_CONTAINER_INFO, (PBYTE)&ci,
                                                    sizeof ci, &n, 0), SCARD_S_SUCCESS);
    assert_int_equal(ci.cbKeyExPublicKey, 276);
    md_free(ci.pbKeyExPublicKey);
    uint8_t fpr[20];
    assert_true(opgp_sim_fingerprint(e.sim, OPGP_SIM_SIG, fpr));
    assert_rv(d->pfnCardGetContainerProperty(d, 1, CCP_OPGP_FINGERPRINT, buf, sizeof buf,
                                                    &n, 0), SCARD_S_SUCCESS);
    assert_int_equal(n, 20);
    assert_memory_equal(buf, fpr, 20);
    assert_rv(d->pfnCardSetContainerProperty(d, 1, CCP_PIN_IDENTIFIER, (PBYTE)&id,
                                                    sizeof id, 0), SCARD_E_UNSUPPORTED_FEATURE);
    id = MD_PIN_SIGN;
    assert_rv(d->pfnCardSetContainerProperty(d, 1, CCP_PIN_IDENTIFIER, (PBYTE)&id,
                                                    sizeof id, 0), SCARD_S_SUCCESS);
    md_env_close(&e);
}

static void test_ecc_and_vendor(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "cv25519", NULL);
    PCARD_DATA d = &e.cd;
    PBYTE p;
    DWORD n;
    /* Ed25519 / X25519 have no cardmod key spec: invisible to Windows, visible to opgp tools. */
    assert_rv(read_file(d, "mscp", "cmapfile", &p, &n), SCARD_S_SUCCESS);
    for (DWORD i = 0; i < n; i++)
        assert_int_equal(p[i], 0);
    md_free(p);
    CONTAINER_INFO ci = { 1, 0, 0, NULL, 0, NULL };
    assert_rv(d->pfnCardGetContainerInfo(d, 1, 0, &ci), SCARD_E_NO_KEY_CONTAINER);
    BYTE buf[64];
    assert_rv(d->pfnCardGetContainerProperty(d, 1, CCP_OPGP_PUBLIC_KEY, buf, sizeof buf,
                                                    &n, 0), SCARD_S_SUCCESS);
    assert_int_equal(n, 32);
    md_assert_sim_raw_key(e.sim, OPGP_SIM_SIG, buf);
    assert_rv(d->pfnCardGetContainerProperty(d, 2, CCP_OPGP_ALGORITHM, buf, sizeof buf, &n,
                                                    0), SCARD_S_SUCCESS);
    assert_int_equal(buf[0], 0x12); /* ECDH */
    md_env_close(&e);

    md_env_open(&e, "p256", NULL);
    d = &e.cd;
    ci.dwVersion = 1;
    assert_rv(d->pfnCardGetContainerInfo(d, 2, 0, &ci), SCARD_S_SUCCESS);
    assert_int_equal(ci.cbKeyExPublicKey, 72);
    assert_int_equal(ci.pbKeyExPublicKey[0] | ci.pbKeyExPublicKey[1] << 8 |
                     ci.pbKeyExPublicKey[2] << 16 | (uint32_t)ci.pbKeyExPublicKey[3] << 24,
                     BCRYPT_ECDH_PUBLIC_P256_MAGIC);
    md_free(ci.pbKeyExPublicKey);
    BYTE partner = 9;
    assert_rv(d->pfnCardGetContainerProperty(d, 1, CCP_ASSOCIATED_ECDH_KEY, &partner, 1,
                                                    &n, 0), SCARD_S_SUCCESS);
    assert_int_equal(partner, 2);
    assert_rv(d->pfnCardEnumFiles(d, (LPSTR) "mscp", (LPSTR *)&p, &n, 0), SCARD_S_SUCCESS);
    assert_memory_equal(p, "cmapfile\0ksc00\0ksc01\0kxc02\0", n);
    md_free(p);
    md_env_close(&e);
}

/* A second context on the same, unchanged card reads certificates and public keys from the
 * CSP cache: no APDU beyond opening the card. */
static void test_second_context_cached(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    PBYTE p;
    DWORD n;
    CONTAINER_INFO ci = { 1, 0, 0, NULL, 0, NULL };
    assert_rv(read_file(&e.cd, "mscp", "kxc00", &p, &n), SCARD_S_SUCCESS);
    md_free(p);
    assert_rv(e.cd.pfnCardGetContainerInfo(&e.cd, 0, 0, &ci), SCARD_S_SUCCESS);
    md_free(ci.pbKeyExPublicKey);
    assert_true(md_env_cache_count() >= 2);
    assert_rv(e.cd.pfnCardDeleteContext(&e.cd), SCARD_S_SUCCESS);

    md_env e2;
    md_env_card_data(&e2, e.sim, CARD_DATA_CURRENT_VERSION);
    assert_rv(CardAcquireContext(&e2.cd, 0), SCARD_S_SUCCESS);
    unsigned long after_open = md_env_apdus(&e2);
    assert_rv(read_file(&e2.cd, "mscp", "kxc00", &p, &n), SCARD_S_SUCCESS);
    md_free(p);
    ci.dwVersion = 1;
    assert_rv(e2.cd.pfnCardGetContainerInfo(&e2.cd, 0, 0, &ci), SCARD_S_SUCCESS);
    md_free(ci.pbKeyExPublicKey);
    assert_int_equal(md_env_apdus(&e2), after_open);
    md_env_close(&e2);
}

static void read_cardcf(PCARD_DATA d, CARD_CACHE_FILE_FORMAT *cf)
{
    PBYTE p;
    DWORD n;
    assert_rv(read_file(d, NULL, "cardcf", &p, &n), SCARD_S_SUCCESS);
    assert_int_equal(n, sizeof *cf);
    memcpy(cf, p, sizeof *cf);
    md_free(p);
}

/* A write through one context reaches every other context of the process: cardcf moves
 * (files for a certificate, containers for a key) and an open context answers with the new
 * certificate and key, not the copies it holds. */
static void test_write_seen_by_other_context(void **state)
{
    (void)state;
    md_env a, b;
    md_env_open(&a, "rsa2048", NULL);
    md_env_card_data(&b, a.sim, CARD_DATA_CURRENT_VERSION);
    assert_rv(CardAcquireContext(&b.cd, 0), SCARD_S_SUCCESS);
    PBYTE p;
    DWORD n;
    size_t len;
    const uint8_t *orig = opgp_sim_certificate(a.sim, OPGP_SIM_SIG, &len);
    assert_non_null(orig);
    assert_rv(read_file(&b.cd, "mscp", "ksc01", &p, &n), SCARD_S_SUCCESS); /* B keeps it */
    assert_int_equal(n, len);
    md_free(p);
    CARD_CACHE_FILE_FORMAT before, a_after, b_after;
    read_cardcf(&b.cd, &before);

    uint8_t cert[200];
    memset(cert, 0x30, sizeof cert);
    DWORD tries = 0;
    assert_rv(a.cd.pfnCardAuthenticateEx(&a.cd, ROLE_ADMIN, 0, (PBYTE)OPGP_SIM_PW3, 8, NULL,
                                         NULL, &tries), SCARD_S_SUCCESS);
    assert_rv(a.cd.pfnCardWriteFile(&a.cd, (LPSTR) "mscp", (LPSTR) "ksc01", 0, cert,
                                    sizeof cert), SCARD_S_SUCCESS);
    read_cardcf(&a.cd, &a_after);
    read_cardcf(&b.cd, &b_after);
    assert_memory_equal(&a_after, &b_after, sizeof a_after);
    assert_int_equal(b_after.wContainersFreshness, before.wContainersFreshness);
    assert_int_equal(b_after.wFilesFreshness, (WORD)(before.wFilesFreshness + 1));
    assert_rv(read_file(&b.cd, "mscp", "ksc01", &p, &n), SCARD_S_SUCCESS);
    assert_int_equal(n, sizeof cert);
    assert_memory_equal(p, cert, sizeof cert);
    md_free(p);

    /* The CSP writing back the value it would expect changes nothing; another value is a
     * change every context sees. */
    assert_rv(a.cd.pfnCardWriteFile(&a.cd, NULL, (LPSTR) "cardcf", 0, (PBYTE)&a_after, 6),
              SCARD_S_SUCCESS);
    read_cardcf(&b.cd, &b_after);
    assert_memory_equal(&a_after, &b_after, sizeof a_after);
    CARD_CACHE_FILE_FORMAT bumped = a_after;
    bumped.wFilesFreshness++;
    assert_rv(a.cd.pfnCardWriteFile(&a.cd, NULL, (LPSTR) "cardcf", 0, (PBYTE)&bumped, 6),
              SCARD_S_SUCCESS);
    read_cardcf(&b.cd, &b_after);
    assert_memory_equal(&bumped, &b_after, sizeof bumped);

    /* A new key in A: B's cardcf and container follow. */
    CONTAINER_INFO ci = { 1, 0, 0, NULL, 0, NULL };
    assert_rv(b.cd.pfnCardGetContainerInfo(&b.cd, 1, 0, &ci), SCARD_S_SUCCESS);
    md_free(ci.pbSigPublicKey);
    assert_rv(a.cd.pfnCardCreateContainer(&a.cd, 1, CARD_CREATE_CONTAINER_KEY_GEN,
                                          AT_ECDSA_P256, 256, NULL), SCARD_S_SUCCESS);
    read_cardcf(&b.cd, &b_after);
    assert_int_not_equal(b_after.wContainersFreshness, bumped.wContainersFreshness);
    read_cardcf(&a.cd, &a_after);
    assert_memory_equal(&a_after, &b_after, sizeof a_after);
    ci.dwVersion = 1;
    assert_rv(b.cd.pfnCardGetContainerInfo(&b.cd, 1, 0, &ci), SCARD_S_SUCCESS);
    assert_int_equal(ci.cbSigPublicKey, 72); /* the P-256 key, not the old RSA one */
    uint32_t magic;
    memcpy(&magic, ci.pbSigPublicKey, 4);
    assert_int_equal(magic, BCRYPT_ECDSA_PUBLIC_P256_MAGIC);
    md_free(ci.pbSigPublicKey);

    assert_rv(b.cd.pfnCardDeleteContext(&b.cd), SCARD_S_SUCCESS);
    md_env_close(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_files),
        cmocka_unit_test(test_mscp_and_certs),
        cmocka_unit_test(test_container_info),
        cmocka_unit_test(test_ecc_and_vendor),
        cmocka_unit_test(test_second_context_cached),
        cmocka_unit_test(test_write_seen_by_other_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
