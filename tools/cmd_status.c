/* opgp-tool status: everything the card tells about itself, like gpg --card-status but with
 * the certificates, the KDF and touch settings and the link capabilities too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_info.h"
#include "tool.h"
#include "x509_info.h"

#define CERT_MAX 65536

/* A simple DO as a string (URL 5F50, login 5E); "" when empty or unreadable. */
static void get_string_do(opgp_card *card, uint16_t tag, char *buf, size_t cap)
{
    size_t len = cap - 1;
    if (opgp_card_get_data(card, tag, (uint8_t *)buf, &len, NULL) != OPGP_OK)
        len = 0;
    buf[len] = '\0'; /* an embedded NUL cuts the text short there: shown as far as it goes */
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

static void show_certificate(out *o, opgp_card *card, opgp_key_slot slot, uint8_t *buf)
{
    size_t len = CERT_MAX;
    opgp_error err;
    opgp_status st = opgp_card_read_cert(card, slot, buf, &len, &err);
    if (st == OPGP_E_NOT_SUPPORTED) {
        out_null(o, "certificate", "Certificate", "[not supported by the card]");
        return;
    }
    if (st != OPGP_OK) {
        char msg[200];
        out_strf(o, "certificate_error", "Certificate", "[unreadable: %s]",
                 opgp_error_format(&err, msg, sizeof msg));
        return;
    }
    if (len == 0) {
        out_null(o, "certificate", "Certificate", "[none]");
        return;
    }
    x509_info info;
    if (!x509_info_parse(buf, len, &info)) {
        out_begin_object(o, "certificate", "Certificate");
        out_int(o, "size", "Size", (long long)len);
        out_bool(o, "valid_x509", "Format", false, "X.509", "not an X.509 certificate");
        out_end_object(o);
        return;
    }
    out_begin_object(o, "certificate", "Certificate");
    out_str(o, "subject", "Subject", info.subject);
    out_str(o, "issuer", "Issuer", info.issuer);
    out_str(o, "not_before", "Valid from", info.not_before);
    out_str(o, "not_after", "Valid until", info.not_after);
    out_int(o, "size", "Size", (long long)len);
    out_end_object(o);
}

static void show_key(out *o, opgp_card *card, const opgp_appdata *ad, opgp_key_slot s,
                     uint8_t *cert_buf)
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
    show_certificate(o, card, s, cert_buf);
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
    int rc = tool_open_card(ctx);
    if (rc != EXIT_OK)
        return rc;
    opgp_card *card = ctx->card;
    uint8_t *cert_buf = malloc(CERT_MAX);
    if (!cert_buf) {
        tool_close_card(ctx);
        return EXIT_CARD;
    }
    /* One transaction: a consistent picture, and no other application between the reads. */
    opgp_card_begin(card, NULL);
    const opgp_appdata *ad = opgp_card_appdata(card);

    out o;
    out_init(&o, stdout, ctx->json);
    out_str(&o, "reader", "Reader", ctx->reader_name);
    card_info_identity(&o, ad);

    opgp_cardholder ch;
    char text[256];
    if (opgp_card_get_cardholder(card, &ch, NULL) == OPGP_OK) {
        card_info_display_name(ch.name, text, sizeof text);
        str_or_null(&o, "name", "Name of cardholder", text);
        if (o.json)
            str_or_null(&o, "name_raw", NULL, ch.name);
        str_or_null(&o, "language", "Language prefs", ch.language);
        const char *sex = ch.sex == '1' ? "Mr." : ch.sex == '2' ? "Ms." : "";
        str_or_null(&o, "salutation", "Salutation", sex);
    }
    /* URL and login data may be as long as the card's special DO limit (C0). */
    char *long_text = malloc(CERT_MAX);
    if (long_text) {
        get_string_do(card, 0x5F50, long_text, CERT_MAX);
        str_or_null(&o, "url", "URL of public key", long_text);
        get_string_do(card, 0x005E, long_text, CERT_MAX);
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
    if (opgp_card_get_signature_counter(card, &counter, NULL) == OPGP_OK)
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
        show_key(&o, card, ad, (opgp_key_slot)s, cert_buf);
    }
    out_end_array(&o);
    out_finish(&o);

    opgp_card_end(card);
    free(cert_buf);
    tool_close_card(ctx);
    return EXIT_OK;
}
