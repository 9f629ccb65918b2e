/* Private-key operations against card answers of the wrong size (found by tests/fuzz
 * fuzz_minidriver): CardSignData handed on a 9000 with no data as a successful 0-byte signature
 * (regress-sign-empty-answer), and CardRSADecrypt copied a plaintext longer than the
 * ciphertext into the caller's buffer of k bytes (regress-decrypt-long-answer). The simulator
 * answers the command with SW 9000 alone (fault SW) or with bytes inserted before the SW (fault
 * PAD), then answers normally again. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "md.h"
#include "md_test_env.h"

/* Sign hash with container 0 under ROLE_USER; *apdus the commands it took. */
static DWORD sign_aut(md_env *e, DWORD spec, uint8_t *hash, CARD_SIGNING_INFO *si,
                      unsigned long *apdus)
{
    static BCRYPT_PKCS1_PADDING_INFO pi = { BCRYPT_SHA256_ALGORITHM };
    md_signing_info(si, 0, spec, 0, hash, 32);
    if (spec == AT_KEYEXCHANGE) {
        si->dwSigningFlags = CARD_PADDING_INFO_PRESENT;
        si->pPaddingInfo = &pi;
        si->dwPaddingType = CARD_PADDING_PKCS1;
    }
    unsigned long before = md_env_apdus(e);
    DWORD rv = e->cd.pfnCardSignData(&e->cd, si);
    *apdus = md_env_apdus(e) - before;
    return rv;
}

static void empty_answer_refused(const char *alg, DWORD spec, DWORD sig_size)
{
    md_env e;
    md_env_open(&e, alg, NULL);
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    uint8_t hash[32];
    memset(hash, 0x3C, sizeof hash);

    CARD_SIGNING_INFO si;
    unsigned long apdus;
    assert_rv(sign_aut(&e, spec, hash, &si, &apdus), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, sig_size);
    md_free(si.pbSignedData);
    assert_true(apdus >= 1);

    /* The same signature once more, its last command (the signing one) answered 9000 alone. */
    opgp_sim_fault_spec f = { OPGP_SIM_FAULT_SW, apdus - 1, 1, 0x9000, 0 };
    opgp_sim_fault(e.sim, &f);
    assert_rv(sign_aut(&e, spec, hash, &si, &apdus), SCARD_E_UNEXPECTED);
    assert_null(si.pbSignedData);
    assert_int_equal(si.cbSignedData, 0);

    /* Nothing was lost: the next signature is a whole one. */
    assert_rv(sign_aut(&e, spec, hash, &si, &apdus), SCARD_S_SUCCESS);
    assert_int_equal(si.cbSignedData, sig_size);
    md_free(si.pbSignedData);
    md_env_close(&e);
}

static void test_rsa_empty_answer(void **state)
{
    (void)state;
    empty_answer_refused("rsa2048", AT_KEYEXCHANGE, 256);
}

static void test_ecdsa_empty_answer(void **state)
{
    (void)state;
    empty_answer_refused("p256", AT_ECDSA_P256, 64);
}

/* The DEC key's PKCS#1 v1.5 decryption, v2 structure: the message in a buffer of exactly k
 * bytes (on the heap, so that ASan sees a write past it). *apdus the commands it took. */
static DWORD decrypt(md_env *e, const uint8_t *ct_be, size_t k, uint8_t **out, DWORD *out_len,
                     unsigned long *apdus)
{
    uint8_t *buf = malloc(k);
    assert_non_null(buf);
    for (size_t i = 0; i < k; i++)
        buf[i] = ct_be[k - 1 - i];
    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    di.bContainerIndex = 2;
    di.dwKeySpec = AT_KEYEXCHANGE;
    di.pbData = buf;
    di.cbData = (DWORD)k;
    di.dwPaddingType = CARD_PADDING_PKCS1;
    unsigned long before = md_env_apdus(e);
    DWORD rv = e->cd.pfnCardRSADecrypt(&e->cd, &di);
    *apdus = md_env_apdus(e) - before;
    *out = buf;
    *out_len = di.cbData;
    return rv;
}

static void test_rsa_decrypt_long_answer(void **state)
{
    (void)state;
    md_env e;
    md_env_open(&e, "rsa2048", NULL);
    md_env_login(&e, ROLE_USER, OPGP_SIM_PW1);
    EVP_PKEY *k = opgp_sim_public_key(e.sim, OPGP_SIM_DEC);
    uint8_t msg[32], ct[512];
    for (int i = 0; i < 32; i++)
        msg[i] = (uint8_t)(i * 5 + 3);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    size_t clen = sizeof ct;
    assert_int_equal(EVP_PKEY_encrypt_init(c), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), 1);
    assert_int_equal(EVP_PKEY_encrypt(c, ct, &clen, msg, sizeof msg), 1);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(k);
    assert_int_equal(clen, 256);

    uint8_t *out;
    DWORD out_len;
    unsigned long apdus;
    assert_rv(decrypt(&e, ct, clen, &out, &out_len, &apdus), SCARD_S_SUCCESS);
    assert_int_equal(out_len, 32);
    for (int i = 0; i < 32; i++)
        assert_int_equal(out[i], msg[31 - i]); /* little-endian */
    free(out);

    /* 240 bytes of 0xA5 before the SW: a 272-byte "message" for a 256-byte buffer. */
    opgp_sim_fault_spec f = { OPGP_SIM_FAULT_PAD, apdus - 1, 1, 0, 240 };
    opgp_sim_fault(e.sim, &f);
    assert_rv(decrypt(&e, ct, clen, &out, &out_len, &apdus), SCARD_E_UNEXPECTED);
    free(out);

    assert_rv(decrypt(&e, ct, clen, &out, &out_len, &apdus), SCARD_S_SUCCESS);
    assert_int_equal(out_len, 32);
    free(out);
    md_env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_empty_answer),
        cmocka_unit_test(test_ecdsa_empty_answer),
        cmocka_unit_test(test_rsa_decrypt_long_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
