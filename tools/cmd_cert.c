/* opgp-tool cert read|write|delete: the X.509 certificate kept next to each key (DO 7F21).
 * read goes through the token API (bridge/host); write and delete, admin operations, through
 * common/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pem.h"
#include "platform.h"
#include "token_session.h"
#include "tool.h"
#include "x509_info.h"

#define CERT_MAX 65536

/* Through the token API: the minidriver's certificate, read through the host cache. */
static int cert_read(tool_ctx *ctx, opgp_key_slot slot, bool der)
{
    unsigned index;
    if (!tool_token_container(ctx, slot, &index))
        return EXIT_CARD;
    uint8_t *buf = NULL;
    size_t len = 0;
    opgp_tok_rv rv = opgp_token_cert(ctx->token, index, &buf, &len);
    if (rv == OPGP_TOK_NO_KEY || (rv == OPGP_TOK_OK && len == 0)) {
        free(buf);
        fprintf(stderr, "opgp-tool: no certificate in the %s slot\n", opgp_key_slot_name(slot));
        return EXIT_CARD;
    }
    if (rv != OPGP_TOK_OK)
        return tool_token_fail("cannot read the certificate", rv, 0, -1);
    if (der) {
        platform_binary_stdout();
        fwrite(buf, 1, len, stdout);
    } else {
        pem_write(stdout, "CERTIFICATE", buf, len);
    }
    free(buf);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_CARD;
}

/* The file's certificate as DER (PEM is decoded); NULL after a message. */
static uint8_t *load_cert(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "opgp-tool: cannot open %s\n", path);
        return NULL;
    }
    uint8_t *buf = malloc(CERT_MAX + 1);
    size_t n = buf ? fread(buf, 1, CERT_MAX + 1, f) : 0;
    fclose(f);
    if (!buf)
        return NULL;
    if (n > CERT_MAX) {
        fprintf(stderr, "opgp-tool: %s is too large for a certificate\n", path);
        free(buf);
        return NULL;
    }
    bool malformed;
    if (!pem_decode_in_place(buf, &n, "CERTIFICATE", &malformed) && malformed) {
        fprintf(stderr, "opgp-tool: %s: malformed PEM\n", path);
        free(buf);
        return NULL;
    }
    x509_info info;
    if (!x509_info_parse(buf, n, &info)) {
        fprintf(stderr, "opgp-tool: %s holds no X.509 certificate (PEM or DER)\n", path);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int cert_write(tool_ctx *ctx, opgp_key_slot slot, const uint8_t *cert, size_t len)
{
    uint16_t max = opgp_card_appdata(ctx->card)->ext_caps.max_cert;
    if (max && len > max) {
        fprintf(stderr, "opgp-tool: the certificate has %zu bytes; the card takes at most %u\n",
                len, max);
        return EXIT_CARD;
    }
    int rc = tool_verify_admin(ctx);
    if (rc != EXIT_OK)
        return rc;
    opgp_error err;
    opgp_status st = opgp_card_write_cert(ctx->card, slot, cert, len, &err);
    if (st != OPGP_OK)
        return tool_fail(len ? "cannot write the certificate" : "cannot delete the certificate",
                         &err);
    printf(len ? "certificate written to the %s slot\n" : "certificate of the %s slot deleted\n",
           opgp_key_slot_name(slot));
    return EXIT_OK;
}

int cmd_cert(tool_ctx *ctx, int argc, char **argv)
{
    if (argc < 3)
        return tool_usage_error("usage: cert read|write|delete SLOT ...");
    const char *sub = argv[1];
    opgp_key_slot slot;
    if (!tool_parse_slot(argv[2], &slot))
        return tool_usage_error("unknown key slot \"%s\" (sig, dec or aut)", argv[2]);

    if (strcmp(sub, "read") == 0) {
        bool der = false;
        for (int i = 3; i < argc; i++) {
            if (tool_is_flag(argv[i], "--der"))
                der = true;
            else if (tool_is_flag(argv[i], "--pem"))
                der = false;
            else
                return tool_usage_error("cert read: unexpected \"%s\"", argv[i]);
        }
        int rc = tool_open_token(ctx);
        return rc != EXIT_OK ? rc : cert_read(ctx, slot, der);
    }
    if (strcmp(sub, "write") == 0) {
        if (argc != 4)
            return tool_usage_error("usage: cert write SLOT FILE");
        size_t len = 0;
        uint8_t *cert = load_cert(argv[3], &len);
        if (!cert)
            return EXIT_USAGE;
        int rc = tool_open_card(ctx);
        if (rc == EXIT_OK)
            rc = cert_write(ctx, slot, cert, len);
        free(cert);
        return rc;
    }
    if (strcmp(sub, "delete") == 0) {
        if (argc != 3)
            return tool_usage_error("usage: cert delete SLOT");
        int rc = tool_open_card(ctx);
        return rc != EXIT_OK ? rc : cert_write(ctx, slot, NULL, 0);
    }
    return tool_usage_error("unknown cert command \"%s\"", sub);
}
