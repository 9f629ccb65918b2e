/* opgp-tool status: everything the card tells about itself, like gpg --card-status but with
 * the certificates, the KDF and touch settings and the link capabilities too. Read through the
 * token API (the minidriver's public data objects, PIN tries and certificates); the bytes are
 * decoded here with common/'s pure decoders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_info.h"
#include "opgp/tlv.h"
#include "token_session.h"
#include "tool.h"
#include "x509_info.h"

/* One public DO through the token, in a malloc'ed buffer grown to the size the minidriver
 * asks for (free()). */
static opgp_tok_rv read_do(opgp_token *tok, unsigned tag, uint8_t **out, size_t *out_len)
{
    size_t cap = 1024;
    *out = NULL;
    for (int round = 0; round < 2; round++) {
        uint8_t *buf = malloc(cap);
        if (!buf)
            return OPGP_TOK_NO_MEMORY;
        size_t len = cap;
        opgp_tok_rv rv = opgp_token_read_do(tok, tag, buf, &len);
        if (rv == OPGP_TOK_OK) {
            *out = buf;
            *out_len = len;
            return OPGP_TOK_OK;
        }
        free(buf);
        if (rv != OPGP_TOK_BUFFER_TOO_SMALL || len <= cap)
            return rv;
        cap = len;
    }
    return OPGP_TOK_DEVICE_ERROR;
}

/* A simple DO as a string (URL 5F50, login 5E); "" when empty or unreadable. */
static char *get_string_do(opgp_token *tok, unsigned tag)
{
    uint8_t *v;
    size_t len;
    if (read_do(tok, tag, &v, &len) != OPGP_TOK_OK)
        return calloc(1, 1);
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, v, len);
        s[len] = '\0'; /* an embedded NUL cuts the text short there: shown as far as it goes */
    }
    free(v);
    return s;
}

/* The signature counter: 93 inside the security support template 7A. */
static bool get_signature_counter(opgp_token *tok, uint32_t *count)
{
    uint8_t *v;
    size_t len;
    if (read_do(tok, 0x7A, &v, &len) != OPGP_TOK_OK)
        return false;
    opgp_tlv t;
    bool ok = opgp_tlv_find_deep(v, len, 0x93, &t) == OPGP_OK && t.len >= 1 && t.len <= 4;
    if (ok) {
        uint32_t c = 0;
        for (size_t i = 0; i < t.len; i++)
            c = (c << 8) | t.value[i];
        *count = c;
    }
    free(v);
    return ok;
}

static bool get_cardholder(opgp_token *tok, opgp_cardholder *ch)
{
    uint8_t *v;
    size_t len;
    if (read_do(tok, 0x65, &v, &len) != OPGP_TOK_OK)
        return false;
    bool ok = opgp_cardholder_decode(v, len, ch) == OPGP_OK;
    free(v);
    return ok;
}

/* 6E decoded, with the KDF-DO when the card keeps it outside 6E, and the tries left as the
 * minidriver knows them. Returns the exit code after a message. */
static int get_appdata(opgp_token *tok, opgp_appdata *ad)
{
    uint8_t *v;
    size_t len;
    opgp_tok_rv rv = read_do(tok, 0x6E, &v, &len);
    if (rv != OPGP_TOK_OK)
        return tool_token_fail("cannot read the application related data (6E)", rv, 0, -1);
    opgp_status st = opgp_appdata_decode(v, len, ad);
    free(v);
    if (st != OPGP_OK) {
        opgp_error err = {.status = st};
        return tool_fail("the application related data (6E) is malformed", &err);
    }
    if ((ad->ext_caps.flags & OPGP_EXTCAP_KDF) && !ad->kdf.present &&
        read_do(tok, 0xF9, &v, &len) == OPGP_TOK_OK) {
        opgp_kdf kdf;
        if (opgp_kdf_decode(v, len, &kdf) == OPGP_OK)
            ad->kdf = kdf; /* absent (6A88): PINs go plain, as common/ decides */
        free(v);
    }
    opgp_tok_info info;
    if (opgp_token_info(tok, &info) == OPGP_TOK_OK) {
        if (info.tries[OPGP_TOK_PIN_USER] >= 0)
            ad->pw.tries_pw1 = (uint8_t)info.tries[OPGP_TOK_PIN_USER];
        if (info.tries[OPGP_TOK_PIN_PUK] >= 0)
            ad->pw.tries_rc = (uint8_t)info.tries[OPGP_TOK_PIN_PUK];
        if (info.tries[OPGP_TOK_PIN_ADMIN] >= 0)
            ad->pw.tries_pw3 = (uint8_t)info.tries[OPGP_TOK_PIN_ADMIN];
    }
    return EXIT_OK;
}

static const char *token_reason(opgp_tok_rv rv)
{
    switch (rv) {
    case OPGP_TOK_NO_CARD: return "the card was removed";
    case OPGP_TOK_CARD_RESET: return "the card was reset";
    case OPGP_TOK_NOT_LOGGED_IN: return "the card wants a PIN first";
    case OPGP_TOK_UNSUPPORTED: return "not supported by the card's minidriver";
    case OPGP_TOK_NO_MEMORY: return "out of memory";
    default: return "the card or its minidriver gave an error";
    }
}

static void str_or_null(out *o, const char *key, const char *label, const char *s)
{
    out_str(o, key, label, s[0] ? s : NULL);
}

static const char *uif_word(uint8_t uif)
{
    switch (uif) {
    case OPGP_UIF_OFF: return "off";
    case OPGP_UIF_ON: return "on";
    case OPGP_UIF_PERMANENT: return "on (permanent)";
    case 0x03: return "cached";
    case 0x04: return "cached (permanent)";
    default: return "unknown";
    }
}

static const char *key_status_word(uint8_t s)
{
    switch (s) {
    case OPGP_KEYSTATUS_NONE: return "none";
    case OPGP_KEYSTATUS_GENERATED: return "generated on card";
    case OPGP_KEYSTATUS_IMPORTED: return "imported";
    default: return "unknown";
    }
}

static const char *slot_label(opgp_key_slot s)
{
    switch (s) {
    case OPGP_KEY_SIG: return "Signature key";
    case OPGP_KEY_DEC: return "Encryption key";
    case OPGP_KEY_AUT: return "Authentication key";
    }
    return "Key";
}

/* The container the minidriver gives slot's key; false when it shows none. */
static bool slot_container(opgp_token *tok, opgp_key_slot slot, unsigned *index)
{
    unsigned want = slot == OPGP_KEY_SIG   ? OPGP_TOK_ROLE_SIG
                    : slot == OPGP_KEY_DEC ? OPGP_TOK_ROLE_DEC
                                           : OPGP_TOK_ROLE_AUT;
    for (unsigned i = 0; i < OPGP_TOK_CONTAINERS; i++) {
        unsigned role;
        if (opgp_token_role(tok, i, &role) == OPGP_TOK_OK && role == want) {
            *index = i;
            return true;
        }
    }
    return false;
}

static void show_certificate(out *o, opgp_token *tok, const opgp_appdata *ad,
                             opgp_key_slot slot)
{
    unsigned index;
    /* Cards before 3.0 hold one certificate, the authentication key's. */
    if (ad->aid.version_major < 3 && slot != OPGP_KEY_AUT) {
        out_null(o, "certificate", "Certificate", "[not supported by the card]");
        return;
    }
    if (!slot_container(tok, slot, &index)) {
        out_str(o, "certificate_error", "Certificate",
                "[unreadable: the card's minidriver shows no container for this key]");
        return;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    opgp_tok_rv rv = opgp_token_cert(tok, index, &buf, &len);
    if (rv == OPGP_TOK_NO_KEY || (rv == OPGP_TOK_OK && len == 0)) {
        free(buf);
        out_null(o, "certificate", "Certificate", "[none]");
        return;
    }
    if (rv != OPGP_TOK_OK) {
        out_strf(o, "certificate_error", "Certificate", "[unreadable: %s]", token_reason(rv));
        return;
    }
    x509_info info;
    if (!x509_info_parse(buf, len, &info)) {
        out_begin_object(o, "certificate", "Certificate");
        out_int(o, "size", "Size", (long long)len);
        out_bool(o, "valid_x509", "Format", false, "X.509", "not an X.509 certificate");
        out_end_object(o);
        free(buf);
        return;
    }
    out_begin_object(o, "certificate", "Certificate");
    out_str(o, "subject", "Subject", info.subject);
    out_str(o, "issuer", "Issuer", info.issuer);
    out_str(o, "not_before", "Valid from", info.not_before);
    out_str(o, "not_after", "Valid until", info.not_after);
    out_int(o, "size", "Size", (long long)len);
    out_end_object(o);
    free(buf);
}

static void show_key(out *o, opgp_token *tok, const opgp_appdata *ad, opgp_key_slot s)
{
    char text[128];
    out_begin_object(o, NULL, slot_label(s));
    out_str(o, "slot", o->json ? NULL : "Slot", tool_slot_short(s));
    out_str(o, "algorithm", "Algorithm", opgp_algo_attr_describe(&ad->attr[s], text, sizeof text));
    bool present = opgp_appdata_key_present(ad, s);
    out_bool(o, "present", "Key", present, "present", "[none]");
    if (present) {
        static const uint8_t zero[20];
        if (memcmp(ad->fpr[s], zero, 20) != 0) {
            /* Scripts get the plain hex to compare, and GnuPG's grouped form to show. */
            if (o->json)
                out_str(o, "fingerprint", NULL,
                        out_format_hex(ad->fpr[s], 20, false, text, sizeof text));
            out_str(o, o->json ? "fingerprint_grouped" : "fingerprint", "Fingerprint",
                    out_format_hex(ad->fpr[s], 20, true, text, sizeof text));
        } else
            out_null(o, "fingerprint", "Fingerprint", "[none]");
        if (ad->gen_time[s]) {
            out_format_time(ad->gen_time[s], text, sizeof text);
            if (o->json) {
                out_str(o, "created", NULL, text);
                out_int(o, "created_unix", NULL, ad->gen_time[s]);
            } else {
                out_strf(o, "created", "Created", "%s UTC", text);
            }
        } else {
            out_null(o, "created", "Created", "[unknown]");
        }
        if (ad->has_key_info)
            out_str(o, "origin", "Origin", key_status_word(ad->key_status[s]));
    }
    if (ad->has_uif[s])
        out_str(o, "touch", "Touch (UIF)", uif_word(ad->uif[s]));
    else
        out_null(o, "touch", "Touch (UIF)", "[not supported]");
    show_certificate(o, tok, ad, s);
    out_end_object(o);
}

static void show_kdf(out *o, const opgp_kdf *kdf)
{
    bool on = kdf->present && kdf->algo == OPGP_KDF_ITERSALTED_S2K;
    const char *hash = kdf->hash == OPGP_KDF_HASH_SHA512 ? "SHA-512" : "SHA-256";
    if (!o->json) {
        if (!kdf->present)
            out_str(o, "kdf", "KDF setting", "not supported");
        else if (!on)
            out_str(o, "kdf", "KDF setting", "off");
        else
            out_strf(o, "kdf", "KDF setting", "on (iterated salted S2K, %s, %lu bytes)", hash,
                     (unsigned long)kdf->iterations);
        return;
    }
    out_begin_object(o, "kdf", NULL);
    out_bool(o, "supported", NULL, kdf->present, "", "");
    out_bool(o, "enabled", NULL, on, "", "");
    if (on) {
        out_str(o, "hash", NULL, hash);
        out_int(o, "iterations", NULL, kdf->iterations);
    }
    out_end_object(o);
}

int cmd_status(tool_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return tool_usage_error("status takes no arguments");
    int rc = tool_open_token(ctx);
    if (rc != EXIT_OK)
        return rc;
    opgp_token *tok = ctx->token;
    opgp_appdata app;
    rc = get_appdata(tok, &app);
    if (rc != EXIT_OK) {
        tool_close_card(ctx);
        return rc;
    }
    const opgp_appdata *ad = &app;

    out o;
    out_init(&o, stdout, ctx->json);
    out_str(&o, "reader", "Reader", ctx->reader_name);
    card_info_identity(&o, ad);

    opgp_cardholder ch;
    char text[256];
    if (get_cardholder(tok, &ch)) {
        card_info_display_name(ch.name, text, sizeof text);
        str_or_null(&o, "name", "Name of cardholder", text);
        if (o.json)
            str_or_null(&o, "name_raw", NULL, ch.name);
        str_or_null(&o, "language", "Language prefs", ch.language);
        const char *sex = ch.sex == '1' ? "Mr." : ch.sex == '2' ? "Ms." : "";
        str_or_null(&o, "salutation", "Salutation", sex);
    }
    /* URL and login data may be as long as the card's special DO limit (C0). */
    char *long_text = get_string_do(tok, 0x5F50);
    if (long_text) {
        str_or_null(&o, "url", "URL of public key", long_text);
        free(long_text);
    }
    long_text = get_string_do(tok, 0x5E);
    if (long_text) {
        str_or_null(&o, "login", "Login data", long_text);
        free(long_text);
    }

    const opgp_pw_status *pw = &ad->pw;
    out_bool(&o, "pin_per_signature", "Signature PIN", !pw->pw1_multi_sign,
             "forced (asked for every signature)", "not forced");
    if (o.json) {
        out_begin_object(&o, "pin_retries", NULL);
        out_int(&o, "pw1", NULL, pw->tries_pw1);
        out_int(&o, "rc", NULL, pw->tries_rc);
        out_int(&o, "pw3", NULL, pw->tries_pw3);
        out_end_object(&o);
        out_begin_object(&o, "pin_max_length", NULL);
        out_int(&o, "pw1", NULL, pw->max_len_pw1);
        out_int(&o, "rc", NULL, pw->max_len_rc);
        out_int(&o, "pw3", NULL, pw->max_len_pw3);
        out_end_object(&o);
    } else {
        out_strf(&o, NULL, "Max. PIN lengths", "%u %u %u", pw->max_len_pw1, pw->max_len_rc,
                 pw->max_len_pw3);
        out_strf(&o, NULL, "PIN retry counter", "%u %u %u (user PIN, Reset Code, admin PIN)",
                 pw->tries_pw1, pw->tries_rc, pw->tries_pw3);
    }
    uint32_t counter = 0;
    if (get_signature_counter(tok, &counter))
        out_int(&o, "signature_counter", "Signature counter", counter);
    else
        out_null(&o, "signature_counter", "Signature counter", "[unknown]");
    show_kdf(&o, &ad->kdf);

    bool ext = ad->historical.extended_length || ad->has_ext_len_info;
    if (o.json) {
        out_begin_object(&o, "extended_length", NULL);
        out_bool(&o, "supported", NULL, ext, "", "");
        if (ad->has_ext_len_info) {
            out_int(&o, "max_command", NULL, ad->ext_max_cmd);
            out_int(&o, "max_response", NULL, ad->ext_max_resp);
        }
        out_end_object(&o);
        out_bool(&o, "command_chaining", NULL, ad->historical.chaining, "", "");
    } else {
        if (ext && ad->has_ext_len_info)
            out_strf(&o, NULL, "Extended length", "yes (max command %u, response %u bytes)",
                     ad->ext_max_cmd, ad->ext_max_resp);
        else
            out_str(&o, NULL, "Extended length", ext ? "yes" : "no");
        out_str(&o, NULL, "Command chaining", ad->historical.chaining ? "yes" : "no");
    }

    out_begin_array(&o, "keys", NULL);
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
        if (!o.json)
            fputc('\n', stdout);
        show_key(&o, tok, ad, (opgp_key_slot)s);
    }
    out_end_array(&o);
    out_finish(&o);

    tool_close_card(ctx);
    return EXIT_OK;
}
