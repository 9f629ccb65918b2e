/* Outlook (S/MIME sign with the signature container, decrypt with the decryption container:
 * CardRSADecrypt, or ECDH through CardConstructDHAgreement + CardDeriveKey), TLS client
 * authentication, and digest / size-query variants. Every result is checked with host crypto. */
#include <stdio.h>
#include <string.h>

#include "card_access.h"
#include "cases.h"
#include "harness.h"

static unsigned long apdus_now(void)
{
    unsigned long n = 0;
    (void)h_apdus(&n);
    return n;
}

/* The PIN a container's key needs, as Windows asks for it (CCP_PIN_IDENTIFIER). */
static PIN_ID container_pin(hctx *h, BYTE index)
{
    PIN_ID id = 0xFFFFFFFFu;
    DWORD len = 0;
    DWORD rv = h->cd->pfnCardGetContainerProperty(h->cd, index, CCP_PIN_IDENTIFIER, (PBYTE)&id,
                                                  sizeof id, &len, 0);
    if (!CHECK_RV(rv, SCARD_S_SUCCESS) || !CHECK(len == sizeof id))
        return ROLE_USER;
    return id;
}

static bool sign_check(hctx *h, BYTE index, ALG_ID alg, bool ksp_style, const char *msg)
{
    BYTE hash[64];
    DWORD hlen = sizeof hash;
    if (!CHECK(v_hash(alg, msg, strlen(msg), hash, &hlen)))
        return false;
    BYTE *sig = NULL;
    DWORD sig_len = 0;
    DWORD rv = h_sign_hash(h, index, alg, hash, hlen, ksp_style, &sig, &sig_len);
    bool ok = CHECK_RV(rv, SCARD_S_SUCCESS) && h_verify(h, index, alg, hash, hlen, sig, sig_len);
    if (ok && !H.alg->rsa)
        ok = CHECK(sig_len == 2 * ((H.alg->bits + 7) / 8));
    if (ok && H.alg->rsa)
        ok = CHECK(sig_len == H.alg->bits / 8);
    opgp_host_free(sig);
    return ok;
}

static void outlook_sign(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    bool is_sig = false;
    DWORD spec = h_container_spec(h, MDC_CNTR_SIG, &is_sig);
    CHECK(is_sig);
    CHECK(spec == (H.alg->rsa ? (DWORD)AT_SIGNATURE : H.alg->ecdsa_spec));
    PIN_ID pin = container_pin(h, MDC_CNTR_SIG);
    t_note("signature container PIN id %lu", (unsigned long)pin);
    unsigned long mark = h_apdu_mark();
    CHECK_RV(h_auth(h, pin, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    /* Outlook goes through the CSP: the hash named by aiHashAlg, no padding info. */
    CHECK(sign_check(h, MDC_CNTR_SIG, H.alg->hash, false, "outlook s/mime"));
    h_apdu_note("Outlook sign (PIN + signature, container info cached)", mark);
    CHECK_RV(h->cd->pfnCardDeauthenticateEx(h->cd, CREATE_PIN_SET(pin), 0), SCARD_S_SUCCESS);
    h_close(h);
}

/* The signature key's PIN as the card's C4 sets it: valid for one signature, or until logoff.
 * A "PIN for every signature" card must never be satisfied from a cached PIN. */
static void signature_pin_policy(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    PIN_ID pin = container_pin(h, MDC_CNTR_SIG);
    PIN_INFO pi;
    DWORD len = 0;
    if (CHECK_RV(h->cd->pfnCardGetProperty(h->cd, CP_CARD_PIN_INFO, (PBYTE)&pi, sizeof pi, &len,
                                           pin),
                 SCARD_S_SUCCESS)) {
        t_note("signature PIN %lu: cache policy %d", (unsigned long)pin,
               (int)pi.PinCachePolicy.PinCachePolicyType);
        if (H.card.pin_per_signature)
            CHECK(pi.PinCachePolicy.PinCachePolicyType == PinCacheNone ||
                  pi.PinCachePolicy.PinCachePolicyType == PinCacheAlwaysPrompt);
        else
            CHECK(pi.PinCachePolicy.PinCachePolicyType == PinCacheNormal);
    }
    CHECK_RV(h_auth(h, pin, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    CHECK(sign_check(h, MDC_CNTR_SIG, H.alg->hash, false, "first signature"));
    unsigned long sent0 = 0, failed0 = 0, sent1 = 0, failed1 = 0;
    bool counted = ca_verifies(&sent0, &failed0);
    BYTE hash[64];
    DWORD hlen = sizeof hash;
    CHECK(v_hash(H.alg->hash, "second", 6, hash, &hlen));
    BYTE *sig = NULL;
    DWORD sig_len = 0;
    DWORD rv = h_sign_hash(h, MDC_CNTR_SIG, H.alg->hash, hash, hlen, false, &sig, &sig_len);
    if (H.card.pin_per_signature) {
        CHECK_RV(rv, SCARD_W_SECURITY_VIOLATION);
        if (counted && CHECK(ca_verifies(&sent1, &failed1)))
            CHECK(sent1 == sent0); /* no PIN replayed behind the user's back */
    } else if (CHECK_RV(rv, SCARD_S_SUCCESS)) {
        CHECK(h_verify(h, MDC_CNTR_SIG, H.alg->hash, hash, hlen, sig, sig_len));
    }
    opgp_host_free(sig);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static void rsa_digests(void)
{
    if (!H.alg->rsa) {
        t_skip("RSA only");
        return;
    }
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    static const ALG_ID algs[] = { CALG_SHA1, CALG_SHA_256, CALG_SHA_384, CALG_SHA_512 };
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        CHECK(sign_check(h, MDC_CNTR_AUT, algs[i], false, "csp digest"));
        CHECK(sign_check(h, MDC_CNTR_AUT, algs[i], true, "ksp digest"));
    }
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static void tls_client_auth(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    PIN_ID pin = container_pin(h, MDC_CNTR_AUT);
    CHECK(pin == ROLE_USER);
    unsigned long mark = h_apdu_mark();
    CHECK_RV(h_auth(h, pin, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    CHECK(sign_check(h, MDC_CNTR_AUT, H.alg->hash, true, "tls first"));
    h_apdu_note("TLS client auth (PIN + signature)", mark);
    if (H.alg->rsa) {
        /* TLS 1.2 with an RSA key: PKCS#1 v1.5 over SHA-256 (PSS is impossible on the card). */
        CHECK(sign_check(h, MDC_CNTR_AUT, CALG_SHA_256, true, "tls 1.2 certificate verify"));
    } else {
        CHECK(h_container_spec(h, MDC_CNTR_AUT, NULL) == H.alg->ecdsa_spec);
        /* Schannel hands the KSP's digest of the handshake; every digest size must work
         * (a P-384 key with a SHA-256 digest is what TLS 1.2 and offline logon produce). */
        static const ALG_ID algs[] = { CALG_SHA_256, CALG_SHA_384, CALG_SHA_512 };
        for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
            CHECK(sign_check(h, MDC_CNTR_AUT, algs[i], true, "tls handshake"));
            CHECK(sign_check(h, MDC_CNTR_AUT, algs[i], false, "tls handshake csp"));
        }
    }
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static void sign_size_query(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    BYTE hash[64];
    DWORD hlen = sizeof hash;
    CHECK(v_hash(H.alg->hash, "size", 4, hash, &hlen));
    CARD_SIGNING_INFO si;
    memset(&si, 0, sizeof si);
    si.dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION;
    si.bContainerIndex = MDC_CNTR_AUT;
    si.dwKeySpec = h_container_spec(h, MDC_CNTR_AUT, NULL);
    si.dwSigningFlags = CARD_BUFFER_SIZE_ONLY;
    si.aiHashAlg = H.alg->hash;
    si.pbData = hash;
    si.cbData = hlen;
    unsigned long a = apdus_now();
    CHECK_RV(h->cd->pfnCardSignData(h->cd, &si), SCARD_S_SUCCESS);
    CHECK(apdus_now() == a); /* a size query never reaches the card */
    CHECK(si.pbSignedData == NULL);
    CHECK(si.cbSignedData == (H.alg->rsa ? H.alg->bits / 8 : 2 * ((H.alg->bits + 7) / 8)));
    h_close(h);
}

/* The host's PKCS#1 unpadding of a raw block (as the Base CSP does) yields want. */
static bool unpads_to(const CARD_RSA_DECRYPT_INFO *raw, const BYTE *want, DWORD want_len)
{
    CARD_RSA_DECRYPT_INFO block = *raw;
    block.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    block.dwPaddingType = CARD_PADDING_PKCS1;
    BYTE msg[512];
    DWORD mlen = 0;
    return CHECK_RV(opgp_host_unpad_data(&block, sizeof msg, &mlen, msg), SCARD_S_SUCCESS) &&
           CHECK(mlen == want_len && memcmp(msg, want, want_len) == 0);
}

static void rsa_decrypt(void)
{
    if (!H.alg->rsa) {
        t_skip("RSA only (ECC decrypts through ECDH)");
        return;
    }
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    DWORD spec = h_container_spec(h, MDC_CNTR_DEC, NULL);
    CHECK(spec == AT_KEYEXCHANGE);
    v_key *k = h_container_key(h, MDC_CNTR_DEC);
    REQUIRE(k != NULL);
    PIN_ID pin = container_pin(h, MDC_CNTR_DEC);
    CHECK_RV(h_auth(h, pin, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    BYTE key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (BYTE)(0xA0 + i);
    BYTE ct[512];

    /* Version 2, PKCS#1: the message comes back (CryptoAPI byte order). */
    DWORD ct_len = sizeof ct;
    REQUIRE(v_rsa_encrypt(k, key, sizeof key, ct, &ct_len));
    CHECK(ct_len == H.alg->bits / 8);
    CARD_RSA_DECRYPT_INFO di;
    memset(&di, 0, sizeof di);
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    di.bContainerIndex = MDC_CNTR_DEC;
    di.dwKeySpec = AT_KEYEXCHANGE;
    di.pbData = ct;
    di.cbData = ct_len;
    di.dwPaddingType = CARD_PADDING_PKCS1;
    unsigned long mark = h_apdu_mark();
    DWORD drv = h->cd->pfnCardRSADecrypt(h->cd, &di);
    h_apdu_note("Outlook RSA decrypt (PIN already verified)", mark);
    if (CHECK_RV(drv, SCARD_S_SUCCESS) && CHECK(di.cbData == sizeof key)) {
        BYTE back[32];
        for (int i = 0; i < 32; i++)
            back[i] = di.pbData[31 - i];
        CHECK(memcmp(back, key, sizeof key) == 0);
    }

    /* Padding NONE (the Base CSP unpads itself): the whole block comes back. */
    ct_len = sizeof ct;
    REQUIRE(v_rsa_encrypt(k, key, sizeof key, ct, &ct_len));
    memset(&di, 0, sizeof di);
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    di.bContainerIndex = MDC_CNTR_DEC;
    di.dwKeySpec = AT_KEYEXCHANGE;
    di.pbData = ct;
    di.cbData = ct_len;
    di.dwPaddingType = CARD_PADDING_NONE;
    if (CHECK_RV(h->cd->pfnCardRSADecrypt(h->cd, &di), SCARD_S_SUCCESS) &&
        CHECK(di.cbData == ct_len))
        CHECK(unpads_to(&di, key, sizeof key));
    /* Structure version 1 belongs to pre-v7 CSPs: a v7 context refuses it... */
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_ONE;
    CHECK_RV(h->cd->pfnCardRSADecrypt(h->cd, &di), ERROR_REVISION_MISMATCH);
    /* ...and a v6 context gets the whole block. */
    hctx *v6;
    if (CHECK_RV(h_open_version(&v6, CARD_DATA_VERSION_SIX), SCARD_S_SUCCESS)) {
        CHECK_RV(h_auth(v6, pin, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
        ct_len = sizeof ct;
        CHECK(v_rsa_encrypt(k, key, sizeof key, ct, &ct_len));
        memset(&di, 0, sizeof di);
        di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_ONE;
        di.bContainerIndex = MDC_CNTR_DEC;
        di.dwKeySpec = AT_KEYEXCHANGE;
        di.pbData = ct;
        di.cbData = ct_len;
        if (CHECK_RV(v6->cd->pfnCardRSADecrypt(v6->cd, &di), SCARD_S_SUCCESS) &&
            CHECK(di.cbData == ct_len))
            CHECK(unpads_to(&di, key, sizeof key));
        v6->cd->pfnCardDeauthenticateEx(v6->cd, PIN_SET_ALL_ROLES, 0);
        h_close(v6);
    }

    /* OAEP is impossible on an OpenPGP card: refused, not mis-decrypted. */
    ct_len = sizeof ct;
    REQUIRE(v_rsa_encrypt(k, key, sizeof key, ct, &ct_len));
    di.dwVersion = CARD_RSA_KEY_DECRYPT_INFO_VERSION_TWO;
    di.pbData = ct;
    di.cbData = ct_len;
    di.dwPaddingType = CARD_PADDING_OAEP;
    CHECK_RV_ONE_OF(h->cd->pfnCardRSADecrypt(h->cd, &di), SCARD_E_UNSUPPORTED_FEATURE,
                    NTE_NOT_SUPPORTED, SCARD_E_INVALID_PARAMETER);
    v_key_free(k);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

static DWORD derive(hctx *h, BYTE agreement, const WCHAR *kdf, BCryptBufferDesc *params,
                    BYTE **out, DWORD *out_len)
{
    CARD_DERIVE_KEY dk;
    memset(&dk, 0, sizeof dk);
    dk.dwVersion = CARD_DERIVE_KEY_CURRENT_VERSION;
    dk.pwszKDF = kdf;
    dk.bSecretAgreementIndex = agreement;
    dk.pParameterList = params;
    DWORD rv = h->cd->pfnCardDeriveKey(h->cd, &dk);
    *out = dk.pbDerivedKey;
    *out_len = dk.cbDerivedKey;
    return rv;
}

static void ecdh_decrypt(void)
{
    if (H.alg->rsa) {
        t_skip("ECC only");
        return;
    }
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    CHECK(h_container_spec(h, MDC_CNTR_DEC, NULL) == H.alg->ecdh_spec);
    v_key *k = h_container_key(h, MDC_CNTR_DEC);
    REQUIRE(k != NULL);
    CHECK_RV(h_auth(h, container_pin(h, MDC_CNTR_DEC), MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    BYTE peer[8 + 2 * 66];
    DWORD peer_len = sizeof peer;
    if (!v_supported(k)) {
        t_skip("the host's crypto has no such curve: ECDH not checked");
        h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
        v_key_free(k);
        h_close(h);
        return;
    }
    v_secret *sec = v_ecdh(k, peer, &peer_len);
    REQUIRE(sec != NULL);
    CARD_DH_AGREEMENT_INFO ai;
    memset(&ai, 0, sizeof ai);
    ai.dwVersion = CARD_DH_AGREEMENT_INFO_VERSION;
    ai.bContainerIndex = MDC_CNTR_DEC;
    ai.dwPublicKey = peer_len;
    ai.pbPublicKey = peer;
    unsigned long mark = h_apdu_mark();
    DWORD arv = h->cd->pfnCardConstructDHAgreement(h->cd, &ai);
    h_apdu_note("Outlook ECDH agreement (PIN already verified)", mark);
    if (CHECK_RV(arv, SCARD_S_SUCCESS)) {
        /* BCRYPT_KDF_HASH with SHA-256: SHA-256(Z), as the host's own CNG/OpenSSL derives it. */
        WCHAR sha256[] = OPGP_WSTR("SHA256");
        BCryptBuffer b = { sizeof sha256, KDF_HASH_ALGORITHM, sha256 };
        BCryptBufferDesc desc = { BCRYPTBUFFER_VERSION, 1, &b };
        BYTE *key = NULL;
        DWORD key_len = 0;
        BYTE want[64], first[64];
        DWORD want_len = sizeof want;
        /* Wine 8's CNG derives nothing from an ECDH secret: then only consistency is checked. */
        bool host_kdf = v_kdf_hash(sec, CALG_SHA_256, NULL, 0, NULL, 0, want, &want_len);
        if (!host_kdf)
            t_skip("the host's crypto cannot derive from ECDH secrets: keys not compared");
        if (CHECK_RV(derive(h, ai.bSecretAgreementIndex, BCRYPT_KDF_HASH, &desc, &key,
                            &key_len),
                     SCARD_S_SUCCESS) &&
            CHECK(key_len == 32)) {
            memcpy(first, key, 32);
            if (host_kdf)
                CHECK(key_len == want_len && memcmp(key, want, want_len) == 0);
        }
        opgp_host_free(key);
        /* With prepend and append: SHA-256(prepend || Z || append). */
        BYTE pre[] = { 1, 2, 3 }, app[] = { 9, 8 };
        BCryptBuffer bs[3] = { { sizeof sha256, KDF_HASH_ALGORITHM, sha256 },
                               { sizeof pre, KDF_SECRET_PREPEND, pre },
                               { sizeof app, KDF_SECRET_APPEND, app } };
        BCryptBufferDesc desc3 = { BCRYPTBUFFER_VERSION, 3, bs };
        want_len = sizeof want;
        if (host_kdf)
            CHECK(v_kdf_hash(sec, CALG_SHA_256, pre, sizeof pre, app, sizeof app, want,
                             &want_len));
        if (CHECK_RV(derive(h, ai.bSecretAgreementIndex, BCRYPT_KDF_HASH, &desc3, &key,
                            &key_len),
                     SCARD_S_SUCCESS) &&
            CHECK(key_len == 32)) {
            CHECK(memcmp(key, first, 32) != 0);
            if (host_kdf)
                CHECK(key_len == want_len && memcmp(key, want, want_len) == 0);
        }
        opgp_host_free(key);
        CHECK_RV(h->cd->pfnCardDestroyDHAgreement(h->cd, ai.bSecretAgreementIndex, 0),
                 SCARD_S_SUCCESS);
        /* A destroyed agreement is gone. */
        key = NULL;
        DWORD rv = derive(h, ai.bSecretAgreementIndex, BCRYPT_KDF_HASH, &desc, &key, &key_len);
        CHECK(rv != SCARD_S_SUCCESS);
        opgp_host_free(key);
    }
    /* A point not on the curve is refused before the card sees it. */
    peer[8 + 3] ^= 0x40;
    ai.pbPublicKey = peer;
    CHECK(h->cd->pfnCardConstructDHAgreement(h->cd, &ai) != SCARD_S_SUCCESS);
    v_secret_free(sec);
    v_key_free(k);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    h_close(h);
}

const t_case mdc_crypto_cases[] = {
    { "outlook.sign", outlook_sign, NULL },
    { "outlook.signature_pin_policy", signature_pin_policy, NULL },
    { "outlook.rsa_decrypt", rsa_decrypt, NULL },
    { "outlook.ecdh_decrypt", ecdh_decrypt, NULL },
    { "tls.client_auth", tls_client_auth, NULL },
    { "sign.rsa_digests", rsa_digests, NULL },
    { "sign.size_query", sign_size_query, NULL },
};
const size_t mdc_crypto_count = sizeof mdc_crypto_cases / sizeof mdc_crypto_cases[0];
