/* md-conformance: the minidriver conformance suite (functional, multi-instance,
 * multithreaded areas of Microsoft's minidriver certification test), on bridge/host.
 *
 *   md-conformance --alg ALG --sim            in-process simulator (native builds)
 *   md-conformance --alg ALG [--reader NAME]  the card in a PC/SC reader
 *                  [--dll PATH]               Windows: this minidriver, not the registered one
 *                  [--filter TEXT[,TEXT...]]  only cases whose name contains a TEXT
 *                  [--known-defects]          also run the cases of reported, unfixed defects
 *                  [--new-handle-per-call]    a fresh card handle in CARD_DATA before every
 *                                             operation (smart card redirection)
 *                  [--t0] [--no-extended] [--kdf] [--pin-per-signature] [--wrong-pin-6982]
 *                      the card's variant (the simulator is made so; through PC/SC, say what
 *                      tests/with-card was given)
 * ALG tells the suite what the card holds: rsa2048 rsa3072 rsa4096 p256 p384 p521.
 * Exit status: 0 all passed, 1 a case failed, 2 usage or setup error. */
#include <stdio.h>
#include <string.h>

#include "card_access.h"
#include "cases.h"
#include "harness.h"

static int usage(void)
{
    fprintf(stderr, "usage: md-conformance --alg ALG (--sim | [--reader NAME] [--dll PATH]) "
                    "[--filter TEXT] [--new-handle-per-call]\n");
    return 2;
}

static bool load_module(const char *dll)
{
    if (dll != NULL) {
        DWORD rv = opgp_host_module_from_path(dll, &H.module);
        if (rv != SCARD_S_SUCCESS)
            fprintf(stderr, "md-conformance: cannot load %s (0x%08lX)\n", dll,
                    (unsigned long)rv);
        return rv == SCARD_S_SUCCESS;
    }
    BYTE atr[36];
    size_t atr_len = 0;
    opgp_host_reader r;
    if (H.sim) {
        atr_len = ca_sim_atr(atr, sizeof atr);
    } else {
        long prv = opgp_host_reader_connect(H.reader, &r);
        if (prv != 0) {
            fprintf(stderr, "md-conformance: no card (PC/SC 0x%08lX)\n", (unsigned long)prv);
            return false;
        }
        memcpy(atr, r.atr, r.atr_len);
        atr_len = r.atr_len;
        printf("reader: %s\n", r.name);
        opgp_host_reader_disconnect(&r);
    }
    WCHAR name[OPGP_HOST_MAX_CARD_NAME];
    DWORD rv = opgp_host_module_for_atr(atr, (DWORD)atr_len, name, &H.module);
    if (rv != SCARD_S_SUCCESS)
        fprintf(stderr, "md-conformance: no minidriver registered for the card (0x%08lX)\n",
                (unsigned long)rv);
    return rv == SCARD_S_SUCCESS;
}

int main(int argc, char **argv)
{
    const char *alg = NULL, *dll = NULL, *filter = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc)
            alg = argv[++i];
        else if (strcmp(argv[i], "--sim") == 0)
            H.sim = true;
        else if (strcmp(argv[i], "--reader") == 0 && i + 1 < argc)
            H.reader = argv[++i];
        else if (strcmp(argv[i], "--dll") == 0 && i + 1 < argc)
            dll = argv[++i];
        else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc)
            filter = argv[++i];
        else if (strcmp(argv[i], "--t0") == 0)
            H.card.t0 = true;
        else if (strcmp(argv[i], "--no-extended") == 0)
            H.card.no_extended = true;
        else if (strcmp(argv[i], "--kdf") == 0)
            H.card.kdf = true;
        else if (strcmp(argv[i], "--pin-per-signature") == 0)
            H.card.pin_per_signature = true;
        else if (strcmp(argv[i], "--known-defects") == 0)
            t_include_known_defects = true;
        else if (strcmp(argv[i], "--new-handle-per-call") == 0)
            H.new_handle_per_call = true;
        else if (strcmp(argv[i], "--wrong-pin-6982") == 0)
            H.card.wrong_pin_6982 = true;
        else
            return usage();
    }
    if (alg == NULL || (H.alg = mdc_alg_find(alg)) == NULL)
        return usage();
    setvbuf(stdout, NULL, _IONBF, 0);
    if (H.sim) {
        if (!ca_sim_start(alg, &H.card)) {
            fprintf(stderr, "md-conformance: no in-process simulator for %s in this build\n",
                    alg);
            return 2;
        }
    } else {
        ca_pcsc_count_start();
    }
    if (H.new_handle_per_call && (H.handles_lock = mdc_mutex_new()) == NULL) {
        ca_sim_stop();
        return 2;
    }
    if (!load_module(dll)) {
        ca_sim_stop();
        return 2;
    }
    printf("md-conformance: %s, %s%s%s%s%s\n", alg, H.sim ? "in-process simulator" : "PC/SC",
           H.card.t0 ? ", T=0 responses" : "", H.card.no_extended ? ", no extended length" : "",
           H.card.kdf ? ", KDF-DO" : "", H.card.pin_per_signature ? ", PIN per signature" : "");
    if (H.new_handle_per_call)
        printf("md-conformance: a new card handle before every operation\n");

    /* Order matters: enrollment replaces the authentication key, so it runs last. */
    t_run("params", mdc_param_cases, mdc_param_count, filter);
    t_run("properties", mdc_prop_cases, mdc_prop_count, filter);
    t_run("logon", mdc_logon_cases, mdc_logon_count, filter);
    t_run("crypto", mdc_crypto_cases, mdc_crypto_count, filter);
    t_run("pin", mdc_pin_cases, mdc_pin_count, filter);
    t_run("multi", mdc_multi_cases, mdc_multi_count, filter);
    t_run("enroll", mdc_enroll_cases, mdc_enroll_count, filter);
    if (H.new_handle_per_call)
        printf("card handles replaced: %lu\n", H.handles_replaced);
    int failed = t_summary();

    opgp_host_cache_purge();
    opgp_host_module_close(&H.module);
    ca_sim_stop();
    mdc_mutex_free(H.handles_lock);
    return failed > 0 ? 1 : 0;
}
