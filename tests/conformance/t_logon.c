/* Windows logon as the Base CSP / KSP performs it, cold and warm, with its APDU cost:
 * acquire (CardAcquireContext, cardid, cardcf), read cmapfile, the default container's
 * certificate, CardGetContainerInfo, CardAuthenticateEx (PIN), CardSignData, CardDeauthenticate. */
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "harness.h"

typedef struct logon_cost {
    unsigned long acquire, files, auth, sign, deauth;
} logon_cost;

static unsigned long apdus_now(void)
{
    unsigned long n = 0;
    (void)h_apdus(&n);
    return n;
}

/* The default container and its certificate's file name, from cmapfile. */
static bool default_container(hctx *h, BYTE *index, char cert[8])
{
    BYTE *map = NULL;
    DWORD len = 0;
    if (!CHECK_RV(opgp_host_read_file(h->c, szBASE_CSP_DIR, szCONTAINER_MAP_FILE, &map, &len),
                  SCARD_S_SUCCESS))
        return false;
    bool found = false;
    CHECK(len > 0 && len % sizeof(CONTAINER_MAP_RECORD) == 0);
    for (DWORD i = 0; i < len / sizeof(CONTAINER_MAP_RECORD) && !found; i++) {
        CONTAINER_MAP_RECORD r;
        memcpy(&r, map + i * sizeof r, sizeof r);
        if ((r.bFlags & CONTAINER_MAP_VALID_CONTAINER) &&
            (r.bFlags & CONTAINER_MAP_DEFAULT_CONTAINER)) {
            *index = (BYTE)i;
            snprintf(cert, 8, "%s%02u",
                     r.wKeyExchangeKeySizeBits != 0 ? szUSER_KEYEXCHANGE_CERT_PREFIX
                                                    : szUSER_SIGNATURE_CERT_PREFIX,
                     (unsigned)(i & 0x3F));
            found = true;
        }
    }
    opgp_host_free(map);
    return CHECK(found);
}

static bool logon(logon_cost *cost, const char *msg)
{
    memset(cost, 0, sizeof *cost);
    unsigned long a = apdus_now();
    hctx *h = NULL;
    if (!CHECK_RV(h_open(&h), SCARD_S_SUCCESS))
        return false;
    cost->acquire = apdus_now() - a;
    a = apdus_now();
    bool ok = false;
    BYTE index = 0;
    char cert[8];
    BYTE *data = NULL;
    DWORD len = 0;
    if (!default_container(h, &index, cert))
        goto out;
    CHECK(index == MDC_CNTR_AUT);
    if (!CHECK_RV(opgp_host_read_file(h->c, szBASE_CSP_DIR, cert, &data, &len), SCARD_S_SUCCESS))
        goto out;
    CHECK(len > 4 && data[0] == 0x30); /* a DER certificate */
    opgp_host_free(data);
    CONTAINER_INFO ci;
    if (!CHECK_RV(opgp_host_container_info(h->c, index, &ci), SCARD_S_SUCCESS))
        goto out;
    CHECK(ci.pbSigPublicKey != NULL || ci.pbKeyExPublicKey != NULL);
    opgp_host_free(ci.pbSigPublicKey);
    opgp_host_free(ci.pbKeyExPublicKey);
    cost->files = apdus_now() - a;

    a = apdus_now();
    DWORD left = 0;
    if (!CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, &left), SCARD_S_SUCCESS))
        goto out;
    cost->auth = apdus_now() - a;

    BYTE hash[64];
    DWORD hlen = sizeof hash;
    CHECK(v_hash(H.alg->hash, msg, strlen(msg), hash, &hlen));
    a = apdus_now();
    BYTE *sig = NULL;
    DWORD sig_len = 0;
    DWORD rv = h_sign_hash(h, index, H.alg->hash, hash, hlen, true, &sig, &sig_len);
    cost->sign = apdus_now() - a;
    if (CHECK_RV(rv, SCARD_S_SUCCESS))
        ok = h_verify(h, index, H.alg->hash, hash, hlen, sig, sig_len);
    opgp_host_free(sig);

    a = apdus_now();
    CHECK_RV(h->cd->pfnCardDeauthenticate(h->cd, wszCARD_USER_USER, 0), SCARD_S_SUCCESS);
    cost->deauth = apdus_now() - a;
    /* After logoff the card must ask for the PIN again. */
    sig = NULL;
    rv = h_sign_hash(h, index, H.alg->hash, hash, hlen, true, &sig, &sig_len);
    CHECK_RV(rv, SCARD_W_SECURITY_VIOLATION);
    opgp_host_free(sig);
out:
    h_close(h);
    return ok;
}

static void print_cost(const char *what, const logon_cost *c)
{
    unsigned long n;
    if (!h_apdus(&n)) {
        t_note("%s: APDU counts unavailable in this build", what);
        return;
    }
    t_note("APDUs %s logon (%s): acquire %lu, files+container %lu, PIN %lu, sign %lu, "
           "deauth %lu; sequence after acquire %lu",
           what, H.alg->name, c->acquire, c->files, c->auth, c->sign, c->deauth,
           c->files + c->auth + c->sign);
}

static void logon_cold(void)
{
    opgp_host_cache_purge();
    logon_cost c;
    if (logon(&c, "logon cold"))
        print_cost("cold", &c);
}

static void logon_warm(void)
{
    logon_cost c;
    REQUIRE(logon(&c, "logon prime"));
    REQUIRE(logon(&c, "logon warm"));
    print_cost("warm", &c);
    unsigned long n;
    if (h_apdus(&n)) {
        /* An unchanged card: everything but the PIN and the signature comes from the cache.
         * Handed a new hScard, the minidriver first checks that the card kept its selection
         * (GET DATA C4): one APDU more per operation. */
        unsigned long rehandle = H.new_handle_per_call ? 1 : 0;
        /* The prime logon left our application selected: 6E alone proves it, no SELECT (one
         * GET RESPONSE more for 6E at T=0, the KDF-DO read apart from 6E). */
        if (!H.card.t0 && !H.card.no_extended && !H.card.kdf)
            CHECK(c.acquire == 1);
        CHECK(c.files == 0);
        CHECK(c.auth == 1 + rehandle);
        /* One PSO / INTERNAL AUTHENTICATE, unless the card answers long in 61xx parts or
         * takes long commands chained. */
        if (!H.card.t0 && !H.card.no_extended)
            CHECK(c.sign == 1 + rehandle);
    }
}

static void logon_legacy_pin(void)
{
    /* CardAuthenticatePin with the legacy user name, as pre-v6 callers do. */
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    DWORD left = 0;
    CHECK_RV(h->cd->pfnCardAuthenticatePin(h->cd, wszCARD_USER_USER, (PBYTE)MDC_PIN_USER, 6,
                                           &left),
             SCARD_S_SUCCESS);
    CHECK(h_sign_and_verify(h, MDC_CNTR_AUT, "legacy pin"));
    CHECK_RV(h->cd->pfnCardDeauthenticate(h->cd, wszCARD_USER_USER, 0), SCARD_S_SUCCESS);
    h_close(h);
}

const t_case mdc_logon_cases[] = {
    { "logon.cold", logon_cold, NULL },
    { "logon.warm", logon_warm, NULL },
    { "logon.legacy_pin", logon_legacy_pin, NULL },
};
const size_t mdc_logon_count = sizeof mdc_logon_cases / sizeof mdc_logon_cases[0];
