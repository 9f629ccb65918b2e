/* opgp-tool key import SLOT FILE [--no-cert]: a private key from a PEM or PKCS#12 file into a
 * card slot (PUT DATA with the extended header list; common/ writes fingerprint and time), and
 * the PKCS#12's certificate into the slot's certificate DO unless --no-cert. The passphrase of
 * an encrypted file is read like a PIN (terminal without echo, or --pin-fd before the admin
 * PIN), never from the command line. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "key_file.h"
#include "pin_input.h"
#include "tool.h"

#define PASS_CAP 256

/* Load path, asking for its passphrase once when it is encrypted. */
static int load(tool_ctx *ctx, const char *path, opgp_key_slot slot, key_file *kf)
{
    char why[256];
    key_file_result r = key_file_load(path, slot, NULL, kf, why, sizeof why);
    if (r == KEY_FILE_NEEDS_PASSPHRASE) {
        char prompt[300], pass[PASS_CAP];
        snprintf(prompt, sizeof prompt, "Passphrase for %s: ", path);
        int n = pin_read(ctx->pin_fd, prompt, pass, sizeof pass);
        if (n < 0)
            return EXIT_USAGE;
        r = key_file_load(path, slot, pass, kf, why, sizeof why);
        opgp_wipe(pass, sizeof pass);
    }
    if (r == KEY_FILE_NEEDS_PASSPHRASE)
        snprintf(why, sizeof why, "%s is encrypted and the passphrase did not open it", path);
    if (r != KEY_FILE_OK) {
        fprintf(stderr, "opgp-tool: key import into the %s slot: %s\n",
                opgp_key_slot_name(slot), why);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int write_cert(tool_ctx *ctx, opgp_key_slot slot, const key_file *kf)
{
    uint16_t max = opgp_card_appdata(ctx->card)->ext_caps.max_cert;
    if (max && kf->cert_len > max) {
        fprintf(stderr, "opgp-tool: the file's certificate has %zu bytes; the card takes at "
                        "most %u: key imported, certificate not written\n", kf->cert_len, max);
        return EXIT_CARD;
    }
    opgp_error err;
    if (opgp_card_write_cert(ctx->card, slot, kf->cert, kf->cert_len, &err) != OPGP_OK)
        return tool_fail("key imported, but the certificate could not be written", &err);
    printf("certificate written to the %s slot\n", opgp_key_slot_name(slot));
    return EXIT_OK;
}

static int import(tool_ctx *ctx, opgp_key_slot slot, const key_file *kf, bool with_cert)
{
    if (!(opgp_card_appdata(ctx->card)->ext_caps.flags & OPGP_EXTCAP_KEY_IMPORT)) {
        fprintf(stderr, "opgp-tool: this card does not import keys (its extended capabilities "
                        "say so): generate the %s key on the card instead\n",
                opgp_key_slot_name(slot));
        return EXIT_CARD;
    }
    int rc = tool_verify_admin(ctx);
    if (rc != EXIT_OK)
        return rc;
    opgp_error err;
    opgp_status st = opgp_card_import_key(ctx->card, slot, &kf->key, (uint32_t)time(NULL), &err);
    if (st != OPGP_OK) {
        char what[128];
        snprintf(what, sizeof what, "cannot import the %s key (%s)", opgp_key_slot_name(slot),
                 kf->description);
        return tool_fail(what, &err);
    }
    opgp_card_refresh_appdata(ctx->card, NULL);
    char fpr[64];
    printf("%s key imported: %s\nfingerprint: %s\n", opgp_key_slot_name(slot), kf->description,
           out_format_hex(opgp_card_appdata(ctx->card)->fpr[slot], 20, true, fpr, sizeof fpr));
    if (!kf->cert)
        return EXIT_OK;
    if (!with_cert) {
        printf("the file also holds a certificate for this key: not written (--no-cert); "
               "opgp-tool cert write %s FILE stores it\n", tool_slot_short(slot));
        return EXIT_OK;
    }
    return write_cert(ctx, slot, kf);
}

int cmd_key_import(tool_ctx *ctx, int argc, char **argv)
{
    /* argv: key import SLOT FILE [--no-cert] */
    opgp_key_slot slot;
    if (argc < 4 || !tool_parse_slot(argv[2], &slot))
        return tool_usage_error("usage: key import SLOT FILE [--no-cert]");
    const char *path = NULL;
    bool with_cert = true;
    for (int i = 3; i < argc; i++) {
        if (tool_is_flag(argv[i], "--no-cert"))
            with_cert = false;
        else if (!path)
            path = argv[i];
        else
            return tool_usage_error("key import: unexpected \"%s\"", argv[i]);
    }
    if (!path)
        return tool_usage_error("usage: key import SLOT FILE [--no-cert]");
    key_file kf;
    int rc = load(ctx, path, slot, &kf);
    if (rc != EXIT_OK)
        return rc;
    rc = tool_open_card(ctx);
    if (rc == EXIT_OK)
        rc = import(ctx, slot, &kf, with_cert);
    key_file_free(&kf);
    return rc;
}
