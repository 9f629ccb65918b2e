/* Enrollment: key generation into a container after admin authentication
 * (CardCreateContainerEx), then the certificate written to the container's file, with a
 * second context on the card that must see the change (freshness rule). Runs last: it replaces
 * the authentication key. */
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "harness.h"

static DWORD keygen(hctx *h, BYTE index)
{
    DWORD spec = H.alg->rsa ? (DWORD)AT_KEYEXCHANGE : H.alg->ecdsa_spec;
    return h->cd->pfnCardCreateContainerEx(h->cd, index, CARD_CREATE_CONTAINER_KEY_GEN, spec,
                                           H.alg->bits, NULL, ROLE_USER);
}

static void cert_name(BYTE index, bool sig, char out[8])
{
    snprintf(out, 8, "%s%02u", sig ? szUSER_SIGNATURE_CERT_PREFIX : szUSER_KEYEXCHANGE_CERT_PREFIX,
             (unsigned)(index % 100));
}

static bool read_cardcf(hctx *h, CARD_CACHE_FILE_FORMAT *cf)
{
    BYTE *p = NULL;
    DWORD len = 0;
    bool ok = CHECK_RV(h->cd->pfnCardReadFile(h->cd, NULL, szCACHE_FILE, 0, &p, &len),
                       SCARD_S_SUCCESS) &&
              CHECK(len == sizeof *cf);
    if (ok)
        memcpy(cf, p, sizeof *cf);
    opgp_host_free(p);
    return ok;
}

static void enroll_needs_admin(void)
{
    hctx *h;
    REQUIRE_RV(h_open(&h), SCARD_S_SUCCESS);
    v_key *before = h_container_key(h, MDC_CNTR_AUT);
    CHECK_RV(h_auth(h, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    CHECK_RV(keygen(h, MDC_CNTR_AUT), SCARD_W_SECURITY_VIOLATION);
    h->cd->pfnCardDeauthenticateEx(h->cd, PIN_SET_ALL_ROLES, 0);
    opgp_host_invalidate(h->c, OPGP_HOST_CACHE_CONTAINERS);
    v_key *after = h_container_key(h, MDC_CNTR_AUT);
    CHECK(v_key_same(before, after)); /* nothing generated */
    v_key_free(before);
    v_key_free(after);
    /* Import is not offered through this container API on an OpenPGP card. */
    h_close(h);
}

static void enroll_keygen_and_cert(void)
{
    hctx *a, *b;
    REQUIRE_RV(h_open(&a), SCARD_S_SUCCESS);
    if (!CHECK_RV(h_open(&b), SCARD_S_SUCCESS)) {
        h_close(a);
        return;
    }
    /* B has the old view cached. */
    v_key *old_key = h_container_key(b, MDC_CNTR_AUT);
    CHECK(old_key != NULL);
    bool sig = false;
    DWORD spec = h_container_spec(b, MDC_CNTR_AUT, &sig);
    CHECK(spec != 0);
    char cert[8];
    cert_name(MDC_CNTR_AUT, sig, cert);
    BYTE *old_cert = NULL;
    DWORD old_cert_len = 0;
    CHECK_RV(opgp_host_read_file(b->c, szBASE_CSP_DIR, cert, &old_cert, &old_cert_len),
             SCARD_S_SUCCESS);

    unsigned long mark = h_apdu_mark();
    CHECK_RV(h_auth(a, ROLE_ADMIN, MDC_PIN_ADMIN, NULL), SCARD_S_SUCCESS);
    DWORD rv = keygen(a, MDC_CNTR_AUT);
    h_apdu_note("enrollment key generation (admin PIN + generate)", mark);
    if (!CHECK_RV(rv, SCARD_S_SUCCESS))
        goto out;
    H.enrolled = true;

    /* The Base CSP reads cardcf before its next operation: the containers counter moved. */
    unsigned dropped = 0;
    CHECK_RV(opgp_host_refresh(a->c, &dropped), SCARD_S_SUCCESS);
    CHECK(dropped & OPGP_HOST_CACHE_CONTAINERS);
    v_key *new_key = h_container_key(a, MDC_CNTR_AUT);
    CHECK(new_key != NULL && !v_key_same(new_key, old_key));
    CHECK_RV(h_auth(a, ROLE_USER, MDC_PIN_USER, NULL), SCARD_S_SUCCESS);
    CHECK(h_sign_and_verify(a, MDC_CNTR_AUT, "enrolled key"));

    /* The other context must see the new key on its next operation, not its cached one. */
    CHECK_RV(opgp_host_refresh(b->c, &dropped), SCARD_S_SUCCESS);
    v_key *b_key = h_container_key(b, MDC_CNTR_AUT);
    if (!CHECK(b_key != NULL && v_key_same(b_key, new_key)))
        t_note("second context still sees the old key after key generation elsewhere");
    v_key_free(b_key);

    /* The certificate: any valid DER will do for the file round trip; use another slot's. */
    BYTE *dec_cert = NULL;
    DWORD dec_len = 0;
    bool dec_sig = false;
    h_container_spec(a, MDC_CNTR_DEC, &dec_sig);
    char dec_name[8];
    cert_name(MDC_CNTR_DEC, dec_sig, dec_name);
    if (CHECK_RV(opgp_host_read_file(a->c, szBASE_CSP_DIR, dec_name, &dec_cert, &dec_len),
                 SCARD_S_SUCCESS)) {
        CHECK(dec_len != old_cert_len || memcmp(dec_cert, old_cert, dec_len) != 0);
        CHECK_RV(h_auth(a, ROLE_ADMIN, MDC_PIN_ADMIN, NULL), SCARD_S_SUCCESS);
        mark = h_apdu_mark();
        CHECK_RV(opgp_host_write_file(a->c, szBASE_CSP_DIR, cert, dec_cert, dec_len),
                 SCARD_S_SUCCESS);
        h_apdu_note("enrollment certificate write (+ cardcf)", mark);
        /* A new context on the warm cache gets the new certificate. */
        a->cd->pfnCardDeauthenticateEx(a->cd, PIN_SET_ALL_ROLES, 0);
        BYTE *got = NULL;
        DWORD got_len = 0;
        h_close(b);
        b = NULL;
        hctx *w;
        if (CHECK_RV(h_open(&w), SCARD_S_SUCCESS)) {
            got = NULL;
            if (CHECK_RV(w->cd->pfnCardReadFile(w->cd, szBASE_CSP_DIR, cert, 0, &got, &got_len),
                         SCARD_S_SUCCESS) &&
                !CHECK(got_len == dec_len && memcmp(got, dec_cert, dec_len) == 0))
                t_note("a new context on the warm cache returns the old certificate");
            opgp_host_free(got);
            h_close(w);
        }
        /* A cold context (no cache at all) reads what was written from the card. */
        hctx *c;
        opgp_host_cache_purge();
        if (CHECK_RV(h_open(&c), SCARD_S_SUCCESS)) {
            BYTE *got = NULL;
            DWORD got_len = 0;
            CHECK_RV(opgp_host_read_file(c->c, szBASE_CSP_DIR, cert, &got, &got_len),
                     SCARD_S_SUCCESS);
            CHECK(got_len == dec_len && got != NULL && memcmp(got, dec_cert, dec_len) == 0);
            opgp_host_free(got);
            v_key *c_key = h_container_key(c, MDC_CNTR_AUT);
            CHECK(v_key_same(c_key, new_key));
            v_key_free(c_key);
            h_close(c);
        }
    }
    opgp_host_free(dec_cert);
    v_key_free(new_key);
out:
    opgp_host_free(old_cert);
    v_key_free(old_key);
    if (a != NULL)
        a->cd->pfnCardDeauthenticateEx(a->cd, PIN_SET_ALL_ROLES, 0);
    h_close(b);
    h_close(a);
}

/* Certificate renewal without a new key: the certificate file changes and nothing else. A
 * Base CSP learns of a change only from cardcf, so the write must move wFilesFreshness, as
 * every context of the process reads it; and a context opened before the write, once it has
 * read cardcf again (what the CSP does before its next operation), returns the new
 * certificate, not the copy it read earlier. */
static void enroll_cert_freshness(void)
{
    hctx *a, *b;
    REQUIRE_RV(h_open(&a), SCARD_S_SUCCESS);
    if (!CHECK_RV(h_open(&b), SCARD_S_SUCCESS)) {
        h_close(a);
        return;
    }
    bool sig = false, other_sig = false;
    h_container_spec(a, MDC_CNTR_AUT, &sig);
    h_container_spec(a, MDC_CNTR_SIG, &other_sig);
    char cert[8], other[8];
    cert_name(MDC_CNTR_AUT, sig, cert);
    cert_name(MDC_CNTR_SIG, other_sig, other);
    BYTE *old = NULL, *fresh = NULL, *got = NULL;
    DWORD old_len = 0, fresh_len = 0, got_len = 0;
    /* B has read the current certificate. */
    CHECK_RV(b->cd->pfnCardReadFile(b->cd, szBASE_CSP_DIR, cert, 0, &old, &old_len),
             SCARD_S_SUCCESS);
    if (!CHECK_RV(a->cd->pfnCardReadFile(a->cd, szBASE_CSP_DIR, other, 0, &fresh, &fresh_len),
                  SCARD_S_SUCCESS) ||
        !CHECK(fresh_len != old_len || memcmp(fresh, old, old_len) != 0))
        goto out;
    CARD_CACHE_FILE_FORMAT before, after;
    bool cf_ok = read_cardcf(a, &before);
    CHECK_RV(h_auth(a, ROLE_ADMIN, MDC_PIN_ADMIN, NULL), SCARD_S_SUCCESS);
    CHECK_RV(a->cd->pfnCardWriteFile(a->cd, szBASE_CSP_DIR, cert, 0, fresh, fresh_len),
             SCARD_S_SUCCESS);
    a->cd->pfnCardDeauthenticateEx(a->cd, PIN_SET_ALL_ROLES, 0);
    if (cf_ok && read_cardcf(a, &after) &&
        !CHECK(after.wFilesFreshness != before.wFilesFreshness))
        t_note("cardcf unchanged by a certificate write: CSPs keep serving the old "
               "certificate from their caches");
    CARD_CACHE_FILE_FORMAT b_cf;
    if (cf_ok && read_cardcf(b, &b_cf) && !CHECK(memcmp(&b_cf, &after, sizeof after) == 0))
        t_note("another context reads a cardcf that does not show the write");
    if (CHECK_RV(b->cd->pfnCardReadFile(b->cd, szBASE_CSP_DIR, cert, 0, &got, &got_len),
                 SCARD_S_SUCCESS) &&
        !CHECK(got_len == fresh_len && memcmp(got, fresh, fresh_len) == 0))
        t_note("a context opened before the write still returns the old certificate");
out:
    opgp_host_free(old);
    opgp_host_free(fresh);
    opgp_host_free(got);
    h_close(b);
    h_close(a);
}

const t_case mdc_enroll_cases[] = {
    { "enroll.needs_admin", enroll_needs_admin, NULL },
    { "enroll.keygen_and_cert", enroll_keygen_and_cert, NULL },
    { "enroll.cert_freshness", enroll_cert_freshness, NULL },
};
const size_t mdc_enroll_count = sizeof mdc_enroll_cases / sizeof mdc_enroll_cases[0];
