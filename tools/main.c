/* opgp-tool: OpenPGP card management from the command line. This file parses the options every
 * command shares and dispatches; each command group lives in its own cmd_*.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "propagate.h"
#include "tool.h"

static const char usage_text[] =
    "usage: opgp-tool [--reader NAME] [--json] [--pin-fd N] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  list                          readers, and the OpenPGP card in each\n"
    "  status                        everything about the card (like gpg --card-status)\n"
    "  pin change [--admin]          change the user PIN (PW1), or the admin PIN (PW3)\n"
    "  pin unblock [--admin]         unblock the user PIN with the Reset Code, or the admin PIN\n"
    "  pin set-reset-code            set the Reset Code (needs the admin PIN)\n"
    "  cert read SLOT [--pem|--der]  the certificate of a key slot to stdout (PEM by default)\n"
    "  cert write SLOT FILE          store a certificate (PEM or DER; needs the admin PIN)\n"
    "  cert delete SLOT              remove a certificate (needs the admin PIN)\n"
    "  cert propagate [--remove [--serial S]]\n"
    "                                (Windows) the card's certificates into the user's MY store,\n"
    "                                linked to their keys; --remove takes out exactly those\n"
    "  key export SLOT [--ssh]       public key as PEM (SubjectPublicKeyInfo) or OpenSSH line\n"
    "  key generate SLOT [--alg ALG] generate a key on the card (needs the admin PIN); ALG:\n"
    "                                rsa2048 rsa3072 rsa4096 p256 p384 p521 bp256 bp384 bp512\n"
    "                                secp256k1; ed25519 (sig, aut), cv25519 (dec)\n"
    "  key import SLOT FILE [--no-cert]\n"
    "                                a private key from PEM (PKCS#8, RSA/EC; encrypted too) or\n"
    "                                PKCS#12 (with its certificate unless --no-cert) into the\n"
    "                                card (needs the admin PIN; a passphrase is asked for)\n"
    "  key csr SLOT --subject /CN=.. [--der]\n"
    "                                a PKCS#10 request signed by the sig or aut key (user PIN)\n"
    "  set name NAME                 cardholder name (\"Given Surname\", or \"Surname<<Given\")\n"
    "  set url URL | login TEXT | lang CODES\n"
    "  set pin-policy once|per-signature\n"
    "                                whether the user PIN is asked for every signature\n"    "  set uif SLOT on|off|permanent touch the card's button for each use of the key (cards\n"
    "                                with UIF DOs; permanent cannot be switched off)\n"
    "  reset [--yes]                 factory reset: erase keys, certificates, PINs and data\n"
    "                                (without --pin-fd the admin PIN is used up on purpose)\n"
    "  apdu [--raw] HEX...           send command APDUs (after selecting OpenPGP unless --raw)\n"
    "  watch [--count N] [--timeout S] [--propagate [--remove-on-removal]]\n"
    "                                one line per reader/card event, starting with the\n"
    "                                current state of every reader (JSON lines with --json);\n"
    "                                --propagate (Windows): each OpenPGP card's certificates\n"
    "                                into MY as cert propagate does, on insertion and for the\n"
    "                                cards present; --remove-on-removal: out again when the card\n"
    "                                is removed (default: they stay, as with Windows' service)\n"
    "\n"
    "SLOT is sig, dec or aut. The set commands, cert write/delete, key generate/import and\n"
    "pin set-reset-code ask for the admin PIN.\n"
    "\n"
    "Options:\n"
    "  --reader NAME   use this reader (default: the first reader with an OpenPGP card)\n"
    "  --json          machine-readable output (list, status, watch, cert propagate)\n"
    "  --pin-fd N      read PINs from file descriptor N, one per line, instead of from the\n"
    "                  terminal (where new PINs are asked twice). PINs are never taken from\n"
    "                  the command line. Order: pin change: current, new; pin unblock:\n"
    "                  Reset Code, new; pin unblock --admin and set-reset-code: admin PIN,\n"
    "                  new; commands needing the admin PIN: the admin PIN; key csr: user PIN;\n"
    "                  key import: the file's passphrase (when encrypted), the admin PIN;\n"
    "                  reset: the admin PIN (verified instead of blocked)\n"
    "  -h, --help      this text\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  usage error (unknown command, bad argument, no PIN entered)\n"
    "  2  the card refused or failed: wrong or blocked PIN, card error\n"
    "  3  no reader, no card, or no OpenPGP card\n";

static void usage(FILE *f)
{
    fputs(usage_text, f);
}

static const struct {
    const char *name;
    int (*run)(tool_ctx *ctx, int argc, char **argv);
} commands[] = {
    {"list", cmd_list},   {"status", cmd_status}, {"pin", cmd_pin},     {"cert", cmd_cert},
    {"key", cmd_key},     {"set", cmd_set},       {"reset", cmd_reset}, {"apdu", cmd_apdu},
    {"watch", cmd_watch},
};

static bool parse_fd(const char *s, int *fd)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > 65535)
        return false;
    *fd = (int)v;
    return true;
}

int main(int argc, char **argv)
{
    tool_ctx ctx = {.pin_fd = -1};
    /* The shared options may stand anywhere; the rest, in order, is the command line of the
     * command. "--" ends option scanning (a cardholder name may begin with a dash). */
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return EXIT_CARD;
    int n = 0;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done) {
            rest[n++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            options_done = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(rest);
            return EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            ctx.json = true;
        } else if (strcmp(a, "--reader") == 0) {
            if (i + 1 >= argc) {
                free(rest);
                return tool_usage_error("--reader needs a reader name");
            }
            ctx.reader = argv[++i];
        } else if (strcmp(a, "--pin-fd") == 0) {
            if (i + 1 >= argc || !parse_fd(argv[i + 1], &ctx.pin_fd)) {
                free(rest);
                return tool_usage_error("--pin-fd needs a file descriptor number");
            }
            i++;
        } else {
            rest[n++] = argv[i];
        }
    }
    if (n == 0) {
        usage(stderr);
        free(rest);
        return EXIT_USAGE;
    }
    int rc = -1;
    if (n >= 2 && strcmp(rest[0], "cert") == 0 && strcmp(rest[1], "propagate") == 0)
        rc = cmd_cert_propagate(&ctx, n - 1, rest + 1);
    for (size_t c = 0; rc < 0 && c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(rest[0], commands[c].name) == 0) {
            rc = commands[c].run(&ctx, n, rest);
            break;
        }
    if (rc < 0)
        rc = tool_usage_error("unknown command \"%s\"", rest[0]);
    tool_close_card(&ctx);
    free(rest);
    return rc;
}
