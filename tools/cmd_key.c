/* opgp-tool key export|generate|csr: public keys out of the card, new keys into it (key import
 * is cmd_key_import.c). export and csr, which need no admin PIN, go through the token API
 * (bridge/host, the minidriver); generate, an admin operation, through common/. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "card_info.h"
#include "csr.h"
#include "opgp/crypto.h"
#include "opgp/digestinfo.h"
#include "pin_input.h"
#include "pem.h"
#include "platform.h"
#include "progress.h"
#include "pubkey_format.h"
#include "token_session.h"
#include "tool.h"

/* Through the token API: the minidriver's public key and key description. */
static int key_export(tool_ctx *ctx, opgp_key_slot slot, bool ssh)
{
    opgp_public_key pk;
    unsigned index;
    int rc = tool_token_public_key(ctx, slot, &index, &pk);
    if (rc != EXIT_OK)
        return rc;
    opgp_status st;
    if (ssh) {
        /* The minidriver's serial number is the AID's manufacturer and serial: GnuPG's
         * "cardno:" comment. */
        opgp_tok_info info;
        opgp_tok_rv rv = opgp_token_info(ctx->token, &info);
        if (rv != OPGP_TOK_OK)
            return tool_token_fail("cannot read the card's serial number", rv, 0, -1);
        char comment[64], line[2048];
        snprintf(comment, sizeof comment, "cardno:%s", info.serial);
        st = pubkey_to_ssh(&pk, comment, line, sizeof line);
        if (st == OPGP_E_NOT_SUPPORTED) {
            char alg[64];
            fprintf(stderr, "opgp-tool: OpenSSH has no format for %s keys\n",
                    opgp_algo_attr_describe(&pk.attr, alg, sizeof alg));
            return EXIT_CARD;
        }
        if (st == OPGP_OK)
            printf("%s\n", line);
    } else {
        uint8_t der[PUBKEY_MAX_DER];
        size_t len = sizeof der;
        st = pubkey_to_spki(&pk, der, &len);
        if (st == OPGP_OK)
            pem_write(stdout, "PUBLIC KEY", der, len);
    }
    if (st != OPGP_OK) {
        opgp_error err = {.status = st, .tries_left = -1};
        return tool_fail("cannot encode the public key", &err);
    }
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_CARD;
}

/* Algorithm names as the simulator and GnuPG users spell them. Curves that serve both signing
 * and key agreement follow the slot: ECDH in dec, ECDSA elsewhere; cv25519/ed25519 likewise. */
static bool parse_alg(const char *name, opgp_key_slot slot, opgp_algo_attr *attr)
{
    static const struct { const char *name; opgp_curve curve; } curves[] = {
        {"p256", OPGP_CURVE_P256},           {"nistp256", OPGP_CURVE_P256},
        {"p384", OPGP_CURVE_P384},           {"nistp384", OPGP_CURVE_P384},
        {"p521", OPGP_CURVE_P521},           {"nistp521", OPGP_CURVE_P521},
        {"bp256", OPGP_CURVE_BRAINPOOL_P256R1}, {"brainpoolp256r1", OPGP_CURVE_BRAINPOOL_P256R1},
        {"bp384", OPGP_CURVE_BRAINPOOL_P384R1}, {"brainpoolp384r1", OPGP_CURVE_BRAINPOOL_P384R1},
        {"bp512", OPGP_CURVE_BRAINPOOL_P512R1}, {"brainpoolp512r1", OPGP_CURVE_BRAINPOOL_P512R1},
        {"secp256k1", OPGP_CURVE_SECP256K1},
    };
    if (strcmp(name, "rsa2048") == 0 || strcmp(name, "rsa3072") == 0 ||
        strcmp(name, "rsa4096") == 0) {
        *attr = opgp_algo_attr_rsa((uint16_t)(name[3] == '2' ? 2048 : name[3] == '3' ? 3072
                                                                                    : 4096));
        return true;
    }
    if (strcmp(name, "ed25519") == 0 || strcmp(name, "cv25519") == 0 ||
        strcmp(name, "x25519") == 0 || strcmp(name, "curve25519") == 0) {
        if (slot == OPGP_KEY_DEC)
            return opgp_algo_attr_ecc(OPGP_ALGO_ECDH, OPGP_CURVE_X25519, attr) == OPGP_OK;
        return opgp_algo_attr_ecc(OPGP_ALGO_EDDSA, OPGP_CURVE_ED25519, attr) == OPGP_OK;
    }
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++)
        if (strcmp(name, curves[i].name) == 0)
            return opgp_algo_attr_ecc(slot == OPGP_KEY_DEC ? OPGP_ALGO_ECDH : OPGP_ALGO_ECDSA,
                                      curves[i].curve, attr) == OPGP_OK;
    return false;
}

static int key_generate(tool_ctx *ctx, opgp_key_slot slot, const char *alg_name)
{
    const opgp_appdata *ad = opgp_card_appdata(ctx->card);
    opgp_algo_attr attr = ad->attr[slot];
    if (alg_name && !parse_alg(alg_name, slot, &attr))
        return tool_usage_error("unknown algorithm \"%s\"", alg_name);
    int rc = tool_verify_admin(ctx);
    if (rc != EXIT_OK)
        return rc;
    opgp_error err;
    if (!opgp_algo_attr_equal(&attr, &ad->attr[slot])) {
        opgp_status st = opgp_card_set_algo_attr(ctx->card, slot, &attr, &err);
        if (st != OPGP_OK)
            return tool_fail("the card does not take this algorithm", &err);
    }
    char desc[64];
    opgp_algo_attr_describe(&attr, desc, sizeof desc);
    /* One APDU that can run for a minute (RSA 4096 on a slow card): show that it is alive, so
     * nobody pulls the card in the middle. */
    char message[160];
    snprintf(message, sizeof message, "generating the %s key (%s)%s...",
             opgp_key_slot_name(slot), desc,
             attr.algo == OPGP_ALGO_RSA ? ", keep the card in" : "");
    time_t started = time(NULL);
    progress_start(message);
    opgp_public_key pk;
    opgp_status st = opgp_card_generate_key(ctx->card, slot, (uint32_t)started, &pk, &err);
    progress_stop(st == OPGP_OK);
    if (st != OPGP_OK)
        return tool_fail("key generation failed", &err);
    opgp_card_refresh_appdata(ctx->card, NULL);
    char fpr[64];
    printf("%s key: %s\nfingerprint: %s\n", opgp_key_slot_name(slot), desc,
           out_format_hex(opgp_card_appdata(ctx->card)->fpr[slot], 20, true, fpr, sizeof fpr));
    return EXIT_OK;
}

/* Log in for a signature with slot's key through the token: the signature key's own state
 * (PW1 as 81) for sig, the user PIN (82) for aut. The tries left come from the card. */
static int token_login(tool_ctx *ctx, opgp_key_slot slot)
{
    opgp_tok_pin which = slot == OPGP_KEY_SIG ? OPGP_TOK_PIN_SIGN : OPGP_TOK_PIN_USER;
    if (tool_token_tries(ctx, OPGP_TOK_PIN_USER) == 0) {
        fprintf(stderr, "opgp-tool: the user PIN is blocked: unblock it with the Reset Code "
                        "or the admin PIN (opgp-tool pin unblock [--admin])\n");
        return EXIT_CARD;
    }
    char pin[128];
    int n = pin_read(ctx->pin_fd, "User PIN: ", pin, sizeof pin);
    if (n < 0)
        return EXIT_USAGE;
    int tries = -1;
    opgp_tok_rv rv = opgp_token_login(ctx->token, which, (const uint8_t *)pin, (size_t)n,
                                      &tries);
    opgp_wipe(pin, sizeof pin);
    /* Both states belong to the one user PIN: name it so. */
    return rv == OPGP_TOK_OK ? EXIT_OK : tool_token_fail(NULL, rv, OPGP_TOK_PIN_USER, tries);
}

/* What the token signs for a request: RSA the DigestInfo, ECDSA the digest, EdDSA the
 * request body itself. */
static opgp_status csr_sign_input(const csr_signer *signer, const opgp_algo_attr *attr,
                                  const uint8_t *info, size_t info_len, uint8_t *out,
                                  size_t *out_len)
{
    if (signer->eddsa) {
        if (info_len > *out_len)
            return OPGP_E_BUFFER_TOO_SMALL;
        memcpy(out, info, info_len);
        *out_len = info_len;
        return OPGP_OK;
    }
    uint8_t digest[OPGP_HASH_MAX_SIZE];
    size_t digest_len = sizeof digest;
    opgp_status st = opgp_hash(signer->hash, info, info_len, digest, &digest_len);
    if (st != OPGP_OK)
        return st;
    size_t prefix_len = 0;
    if (attr->algo == OPGP_ALGO_RSA) {
        const opgp_digestinfo *di = opgp_digestinfo_get(
            signer->hash == OPGP_HASH_SHA384   ? OPGP_DIGEST_SHA384
            : signer->hash == OPGP_HASH_SHA512 ? OPGP_DIGEST_SHA512
                                               : OPGP_DIGEST_SHA256);
        if (!di || di->hash_len != digest_len || di->prefix_len + digest_len > *out_len)
            return OPGP_E_INTERNAL;
        memcpy(out, di->prefix, di->prefix_len);
        prefix_len = di->prefix_len;
    } else if (digest_len > *out_len) {
        return OPGP_E_BUFFER_TOO_SMALL;
    }
    memcpy(out + prefix_len, digest, digest_len);
    *out_len = prefix_len + digest_len;
    return OPGP_OK;
}

/* Through the token API: public key, login and signature, as a PKCS#11 consumer does. */
static int key_csr(tool_ctx *ctx, opgp_key_slot slot, const char *subject, bool der_out)
{
    if (slot == OPGP_KEY_DEC) {
        fprintf(stderr, "opgp-tool: the decryption key cannot sign a request: use sig or aut\n");
        return EXIT_USAGE;
    }
    uint8_t name[1200], spki[PUBKEY_MAX_DER], info[CSR_MAX], req[CSR_MAX], tbs[CSR_MAX];
    size_t name_len = sizeof name, spki_len = sizeof spki, info_len = sizeof info;
    size_t req_len = sizeof req, tbs_len = sizeof tbs;
    if (csr_encode_name(subject, name, &name_len) != OPGP_OK)
        return tool_usage_error("bad subject \"%s\" (like /CN=Alice/O=Example; CN O OU C L ST "
                                "emailAddress)", subject);
    opgp_public_key pk;
    unsigned index;
    int rc = tool_token_public_key(ctx, slot, &index, &pk);
    if (rc != EXIT_OK)
        return rc;
    csr_signer signer;
    opgp_status st = csr_signer_for(&pk.attr, &signer);
    if (st == OPGP_OK)
        st = pubkey_to_spki(&pk, spki, &spki_len);
    if (st == OPGP_OK)
        st = csr_build_info(name, name_len, spki, spki_len, info, &info_len);
    if (st == OPGP_OK)
        st = csr_sign_input(&signer, &pk.attr, info, info_len, tbs, &tbs_len);
    if (st != OPGP_OK) {
        char alg[64];
        fprintf(stderr, "opgp-tool: cannot make a request for a %s key\n",
                opgp_algo_attr_describe(&pk.attr, alg, sizeof alg));
        return EXIT_CARD;
    }
    rc = token_login(ctx, slot);
    if (rc != EXIT_OK)
        return rc;
    uint8_t sig[OPGP_MAX_RSA_BYTES];
    size_t sig_len = sizeof sig;
    opgp_tok_rv rv = opgp_token_sign(ctx->token, index, tbs, tbs_len, sig, &sig_len);
    opgp_token_logout(ctx->token);
    if (rv != OPGP_TOK_OK)
        return tool_token_fail("the card did not sign the request", rv, OPGP_TOK_PIN_USER,
                               tool_token_tries(ctx, OPGP_TOK_PIN_USER));
    st = csr_assemble(info, info_len, &signer, &pk.attr, sig, sig_len, req, &req_len);
    if (st != OPGP_OK) {
        opgp_error err = {.status = st, .tries_left = -1};
        return tool_fail("cannot assemble the request", &err);
    }
    if (der_out) {
        platform_binary_stdout();
        fwrite(req, 1, req_len, stdout);
    } else {
        pem_write(stdout, "CERTIFICATE REQUEST", req, req_len);
    }
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_CARD;
}

int cmd_key(tool_ctx *ctx, int argc, char **argv)
{
    if (argc < 3)
        return tool_usage_error("usage: key export|generate|import|csr SLOT ...");
    opgp_key_slot slot;
    if (!tool_parse_slot(argv[2], &slot))
        return tool_usage_error("unknown key slot \"%s\" (sig, dec or aut)", argv[2]);
    if (strcmp(argv[1], "import") == 0)
        return cmd_key_import(ctx, argc, argv);
    if (strcmp(argv[1], "export") == 0) {
        bool ssh = false;
        for (int i = 3; i < argc; i++) {
            if (tool_is_flag(argv[i], "--ssh"))
                ssh = true;
            else if (!tool_is_flag(argv[i], "--pem"))
                return tool_usage_error("key export: unexpected \"%s\"", argv[i]);
        }
        int rc = tool_open_token(ctx);
        return rc != EXIT_OK ? rc : key_export(ctx, slot, ssh);
    }
    if (strcmp(argv[1], "generate") == 0) {
        const char *alg = NULL;
        for (int i = 3; i < argc; i++) {
            if (tool_is_flag(argv[i], "--alg") && i + 1 < argc)
                alg = argv[++i];
            else
                return tool_usage_error("key generate: unexpected \"%s\"", argv[i]);
        }
        int rc = tool_open_card(ctx);
        return rc != EXIT_OK ? rc : key_generate(ctx, slot, alg);
    }
    if (strcmp(argv[1], "csr") == 0) {
        const char *subject = NULL;
        bool der = false;
        for (int i = 3; i < argc; i++) {
            if (tool_is_flag(argv[i], "--subject") && i + 1 < argc)
                subject = argv[++i];
            else if (tool_is_flag(argv[i], "--der"))
                der = true;
            else if (!tool_is_flag(argv[i], "--pem"))
                return tool_usage_error("key csr: unexpected \"%s\"", argv[i]);
        }
        if (!subject)
            return tool_usage_error("key csr needs --subject /CN=...");
        int rc = tool_open_token(ctx);
        return rc != EXIT_OK ? rc : key_csr(ctx, slot, subject, der);
    }
    return tool_usage_error("unknown key command \"%s\"", argv[1]);
}
