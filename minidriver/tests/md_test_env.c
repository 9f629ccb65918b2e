/* Test environment: simulator behind the transport hook, CSP callbacks. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>

#include "md_csp_cache.h"
#include "md_test_env.h"
#include "opgp/minidriver_test.h"
#include "opgp/minidriver_vendor.h"

static long live_allocs;

static LPVOID WINAPI t_alloc(SIZE_T n)
{
    live_allocs++;
    return calloc(1, n);
}

static LPVOID WINAPI t_realloc(LPVOID p, SIZE_T n)
{
    if (p == NULL)
        live_allocs++;
    return realloc(p, n);
}

static void WINAPI t_free(LPVOID p)
{
    if (p != NULL)
        live_allocs--;
    free(p);
}

void md_free(void *p)
{
    t_free(p);
}

long md_env_live_allocs(void)
{
    return live_allocs;
}

void md_env_cache_clear(void)
{
    md_csp_cache_clear();
}

size_t md_env_cache_count(void)
{
    return md_csp_cache_count();
}

void md_w(WCHAR *out, const char *s)
{
    size_t i = 0;
    for (; s[i]; i++)
        out[i] = (WCHAR)(unsigned char)s[i];
    out[i] = 0;
}

static opgp_transport *provide(void *arg, uintptr_t hscard)
{
    if (hscard != (uintptr_t)MD_TEST_HSCARD)
        return NULL;
    return opgp_sim_transport_new(arg);
}

opgp_sim *md_env_sim(const char *alg, const opgp_sim_options *opt)
{
    opgp_sim_options o;
    memset(&o, 0, sizeof o);
    if (opt != NULL)
        o = *opt;
    if (o.serial == 0)
        o.serial = 0x01020304;
    opgp_sim *s = opgp_sim_new(&o);
    assert_non_null(s);
    if (alg != NULL)
        assert_int_equal(opgp_sim_provision(s, alg), 0);
    return s;
}

void md_env_card_data(md_env *e, opgp_sim *sim, DWORD ver)
{
    memset(&e->cd, 0, sizeof e->cd);
    e->sim = sim;
    size_t alen = opgp_sim_atr(sim, e->atr, sizeof e->atr);
    md_w(e->name, "OpenPGP card");
    e->cd.dwVersion = ver;
    e->cd.pbAtr = e->atr;
    e->cd.cbAtr = (DWORD)alen;
    e->cd.pwszCardName = e->name;
    e->cd.pfnCspAlloc = t_alloc;
    e->cd.pfnCspReAlloc = t_realloc;
    e->cd.pfnCspFree = t_free;
    md_csp_cache_install(&e->cd, t_alloc);
    e->cd.hSCardCtx = 1;
    e->cd.hScard = MD_TEST_HSCARD;
    opgpmd_set_transport_provider(provide, sim);
}

void md_env_open(md_env *e, const char *alg, const opgp_sim_options *opt)
{
    md_env_card_data(e, md_env_sim(alg, opt), CARD_DATA_CURRENT_VERSION);
    assert_rv(CardAcquireContext(&e->cd, 0), SCARD_S_SUCCESS);
}

void md_env_close(md_env *e)
{
    if (e->cd.pvVendorSpecific != NULL)
        assert_rv(e->cd.pfnCardDeleteContext(&e->cd), SCARD_S_SUCCESS);
    opgpmd_set_transport_provider(NULL, NULL);
    opgp_sim_free(e->sim);
    e->sim = NULL;
    md_env_cache_clear();
    assert_int_equal(live_allocs, 0);
}

unsigned long md_env_apdus(const md_env *e)
{
    opgp_sim_stats st;
    opgp_sim_get_stats(e->sim, &st);
    return st.apdus;
}

DWORD md_env_auth(md_env *e, PIN_ID id, const char *pin, DWORD *tries)
{
    return e->cd.pfnCardAuthenticateEx(&e->cd, id, 0, (PBYTE)pin, (DWORD)strlen(pin), NULL,
                                       NULL, tries);
}

void md_env_login(md_env *e, PIN_ID id, const char *pin)
{
    DWORD tries;
    assert_rv(md_env_auth(e, id, pin, &tries), SCARD_S_SUCCESS);
}

void md_signing_info(CARD_SIGNING_INFO *si, BYTE index, DWORD spec, ALG_ID hash_alg,
                     uint8_t *data, size_t len)
{
    memset(si, 0, sizeof *si);
    si->dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si->bContainerIndex = index;
    si->dwKeySpec = spec;
    si->aiHashAlg = hash_alg;
    si->pbData = data;
    si->cbData = (DWORD)len;
}

void md_dh_agreement_info(CARD_DH_AGREEMENT_INFO *ai, BYTE index, DWORD flags, uint8_t *pub,
                          size_t len)
{
    memset(ai, 0, sizeof *ai);
    ai->dwVersion = CARD_DH_AGREEMENT_INFO_VERSION;
    ai->bContainerIndex = index;
    ai->dwFlags = flags;
    ai->pbPublicKey = pub;
    ai->dwPublicKey = (DWORD)len;
}

DWORD md_env_raw_secret(md_env *e, BYTE index, BCryptBufferDesc *params, DWORD flags,
                        PUCHAR *out, DWORD *len)
{
    CARD_DERIVE_KEY dk;
    memset(&dk, 0, sizeof dk);
    dk.dwVersion = CARD_DERIVE_KEY_CURRENT_VERSION;
    dk.pwszKDF = BCRYPT_KDF_RAW_SECRET;
    dk.bSecretAgreementIndex = index;
    dk.pParameterList = params;
    dk.dwFlags = flags;
    DWORD rv = e->cd.pfnCardDeriveKey(&e->cd, &dk);
    *out = dk.pbDerivedKey;
    *len = dk.cbDerivedKey;
    return rv;
}

size_t md_openssl_z(EVP_PKEY *peer, EVP_PKEY *card, uint8_t *z, size_t cap)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(peer, NULL);
    size_t zlen = cap;
    assert_int_equal(EVP_PKEY_derive_init(c), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(c, card), 1);
    assert_int_equal(EVP_PKEY_derive(c, z, &zlen), 1);
    EVP_PKEY_CTX_free(c);
    return zlen;
}

void md_raw_public_key(EVP_PKEY *k, uint8_t out[32])
{
    size_t len = 32;
    assert_non_null(k);
    assert_int_equal(EVP_PKEY_get_raw_public_key(k, out, &len), 1);
    assert_int_equal(len, 32);
}

void md_assert_sim_raw_key(opgp_sim *sim, int key, const uint8_t pub[32])
{
    EVP_PKEY *k = opgp_sim_public_key(sim, key);
    uint8_t raw[32];
    md_raw_public_key(k, raw);
    assert_memory_equal(pub, raw, 32);
    EVP_PKEY_free(k);
}

BYTE md_assert_x25519_agreement(md_env *e, BYTE index, EVP_PKEY *card)
{
    EVP_PKEY *peer = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    uint8_t peer_pub[32];
    md_raw_public_key(peer, peer_pub);
    CARD_DH_AGREEMENT_INFO ai;
    md_dh_agreement_info(&ai, index, OPGP_DH_RAW_PUBLIC_KEY, peer_pub, sizeof peer_pub);
    assert_rv(e->cd.pfnCardConstructDHAgreement(&e->cd, &ai), SCARD_S_SUCCESS);
    PUCHAR key;
    DWORD klen;
    assert_rv(md_env_raw_secret(e, ai.bSecretAgreementIndex, NULL, 0, &key, &klen),
              SCARD_S_SUCCESS);
    assert_int_equal(klen, 32);
    uint8_t z[32];
    assert_int_equal(md_openssl_z(peer, card, z, sizeof z), 32);
    assert_memory_equal(key, z, 32);
    md_free(key);
    EVP_PKEY_free(peer);
    return ai.bSecretAgreementIndex;
}

void md_verify_ecdsa(EVP_PKEY *k, const uint8_t *rs, size_t half, const uint8_t *h, size_t hlen)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    ECDSA_SIG_set0(es, BN_bin2bn(rs, (int)half, NULL), BN_bin2bn(rs + half, (int)half, NULL));
    uint8_t der[160], *pd = der;
    int dlen = i2d_ECDSA_SIG(es, &pd);
    ECDSA_SIG_free(es);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    assert_int_equal(EVP_PKEY_verify_init(c), 1);
    assert_int_equal(EVP_PKEY_verify(c, der, (size_t)dlen, h, hlen), 1);
    EVP_PKEY_CTX_free(c);
}

void md_verify_eddsa(EVP_PKEY *k, const uint8_t *sig, const uint8_t *msg, size_t len)
{
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(mc, NULL, NULL, NULL, k), 1);
    assert_int_equal(EVP_DigestVerify(mc, sig, 64, msg, len), 1);
    EVP_MD_CTX_free(mc);
}
