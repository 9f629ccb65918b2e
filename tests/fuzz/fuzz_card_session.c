/* libFuzzer target: a whole card session against a card that answers every command from the
 * fuzz input (the response stream of fuzz_transport.h; 6F00 once it runs out): open, refresh,
 * public keys, certificates, cardholder, signature counter, algorithm information, PIN status
 * and VERIFY, signatures with both signing slots, decipher, reselect.
 * Properties beyond "no crash, leak or UB": a PIN is sent at most once per VERIFY call, every
 * command decodes as an APDU, transactions are balanced, and the APDU count stays bounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_transport.h"
#include "opgp/card.h"

/* Commands a step may send once the card has nothing more to say (every answer 6F00): a
 * generous bound of what any one API call does, so that a retry loop shows up as a finding. */
#define MAX_APDUS_PER_CALL_AFTER_END 16

typedef struct session {
    fuzz_transport ft;
    opgp_card *card;
    unsigned calls;
    size_t input_len;
} session;

static void after_call(session *s)
{
    s->calls++;
    FUZZ_ASSERT(s->ft.after_end <= (unsigned long)s->calls * MAX_APDUS_PER_CALL_AFTER_END,
                "APDUs bounded once the card stops answering");
    /* Each answer from the stream costs at least its 2-byte length: the rest is the above. */
    FUZZ_ASSERT(s->ft.transmits <= s->input_len / 2 + s->ft.after_end + 1, "APDU count capped");
    FUZZ_ASSERT(s->ft.begins == s->ft.ends, "transactions balanced after each call");
}

static void verify_once(session *s, opgp_pin_ref ref, const char *pin)
{
    unsigned long before = s->ft.verify_with_data;
    opgp_error err;
    (void)opgp_card_verify(s->card, ref, (const uint8_t *)pin, strlen(pin), &err);
    FUZZ_ASSERT(s->ft.verify_with_data - before <= 1, "the PIN is never sent twice");
    FUZZ_ASSERT(err.tries_left >= -1 && err.tries_left <= 15, "tries left in range");
    after_call(s);
}

static void sign_with(session *s, opgp_key_slot slot)
{
    const opgp_appdata *ad = opgp_card_appdata(s->card);
    uint8_t sig[OPGP_MAX_RSA_BYTES + 16];
    size_t sig_len = sizeof sig;
    opgp_error err;
    static const uint8_t digest[32] = {0x9F, 0x86, 0xD0, 0x81, 0x88, 0x4C, 0x7D, 0x65};
    opgp_status st;
    if (ad->attr[slot].algo == OPGP_ALGO_EDDSA)
        st = opgp_card_sign_raw(s->card, slot, (const uint8_t *)"message", 7, sig, &sig_len, &err);
    else
        st = opgp_card_sign(s->card, slot, OPGP_HASH_SHA256, digest, sizeof digest, sig, &sig_len,
                            &err);
    FUZZ_ASSERT(sig_len <= sizeof sig, "signature within its buffer");
    /* A failure leaves no partial length: 0 after the card refused, the capacity untouched
     * when the call was refused before any APDU (an algorithm that cannot sign a digest). */
    if (st != OPGP_OK)
        FUZZ_ASSERT(sig_len == 0 || sig_len == sizeof sig, "no signature length on failure");
    after_call(s);
}

static void decipher(session *s)
{
    const opgp_algo_attr *a = &opgp_card_appdata(s->card)->attr[OPGP_KEY_DEC];
    uint8_t in[OPGP_MAX_RSA_BYTES];
    size_t in_len;
    memset(in, 0x5A, sizeof in);
    if (a->algo == OPGP_ALGO_RSA) {
        size_t k = opgp_algo_attr_key_bytes(a);
        in_len = k && k <= sizeof in ? k : 256;
    } else if (a->curve == OPGP_CURVE_X25519) {
        in_len = 32;
    } else {
        in[0] = 0x04;
        in_len = 65;
    }
    uint8_t out[OPGP_MAX_RSA_BYTES];
    size_t out_len = sizeof out;
    opgp_error err;
    (void)opgp_card_decipher(s->card, in, in_len, out, &out_len, &err);
    FUZZ_ASSERT(out_len <= sizeof out, "plaintext within its buffer");
    after_call(s);
}

static void read_everything(session *s)
{
    opgp_error err;
    opgp_public_key pk;
    for (int slot = 0; slot < OPGP_KEY_SLOT_COUNT; slot++) {
        if (opgp_card_read_public_key(s->card, (opgp_key_slot)slot, &pk, &err) == OPGP_OK) {
            uint8_t fpr[20];
            (void)opgp_fingerprint_v4(&pk, 0x5F000000u, fpr);
        }
        after_call(s);
    }

    size_t cap = 4096;
    uint8_t *cert = malloc(cap);
    if (cert) {
        for (int slot = 0; slot < OPGP_KEY_SLOT_COUNT; slot++) {
            size_t len = cap;
            (void)opgp_card_read_cert(s->card, (opgp_key_slot)slot, cert, &len, &err);
            FUZZ_ASSERT(len <= cap, "certificate within its buffer");
            after_call(s);
        }
        free(cert);
    }

    opgp_cardholder ch;
    if (opgp_card_get_cardholder(s->card, &ch, &err) == OPGP_OK)
        FUZZ_ASSERT(memchr(ch.name, 0, sizeof ch.name) != NULL, "name terminated");
    after_call(s);
    uint32_t counter;
    (void)opgp_card_get_signature_counter(s->card, &counter, &err);
    after_call(s);
    static opgp_algo_info info;
    if (opgp_card_get_algo_info(s->card, &info, &err) == OPGP_OK)
        FUZZ_ASSERT(info.count <= OPGP_MAX_ALGO_INFO, "algorithm list fits");
    after_call(s);
    uint8_t url[256];
    size_t url_len = sizeof url;
    (void)opgp_card_get_data(s->card, 0x5F50, url, &url_len, &err);
    FUZZ_ASSERT(url_len <= sizeof url, "DO within its buffer");
    after_call(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    session s;
    memset(&s, 0, sizeof s);
    fuzz_transport_init(&s.ft, data, size);
    s.input_len = size;
    opgp_error err;
    opgp_status st = opgp_card_open(&s.ft.base, &s.card, &err);
    after_call(&s);
    if (st != OPGP_OK) {
        FUZZ_ASSERT(s.card == NULL, "no card object on failure");
        return 0;
    }

    (void)opgp_card_refresh_appdata(s.card, &err);
    after_call(&s);
    (void)opgp_card_refresh_status(s.card, &err);
    after_call(&s);

    read_everything(&s);

    bool verified = false;
    int tries = -1;
    (void)opgp_card_pin_status(s.card, OPGP_PIN_PW1, &verified, &tries, &err);
    FUZZ_ASSERT(tries >= -1 && tries <= 255, "tries left in range");
    after_call(&s);
    verify_once(&s, OPGP_PIN_PW1_SIGN, "123456");
    sign_with(&s, OPGP_KEY_SIG);
    verify_once(&s, OPGP_PIN_PW1, "123456");
    sign_with(&s, OPGP_KEY_AUT);
    decipher(&s);
    verify_once(&s, OPGP_PIN_PW3, "12345678");

    /* With a transaction held by the caller, as the minidriver and PKCS#11 layers do. */
    if (opgp_card_begin(s.card, &err) == OPGP_OK || err.status == OPGP_E_CARD_RESET) {
        (void)opgp_card_reselect(s.card, &err);
        (void)opgp_card_end(s.card);
    }
    after_call(&s);

    /* Whatever happened, the card object stays usable and its link consistent. */
    const opgp_apdu_link *l = opgp_card_link(s.card);
    FUZZ_ASSERT(l->max_cmd_data >= 1 && l->max_resp_data >= 1, "link limits set");
    FUZZ_ASSERT(l->apdu_count <= s.ft.transmits, "link counted no more than was sent");
    opgp_card_close(s.card);
    return 0;
}
