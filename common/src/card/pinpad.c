/* Secure PIN entry on a pinpad reader (PC/SC part 10, v2.02.09): the reader's feature list and
 * VERIFY through FEATURE_VERIFY_PIN_DIRECT. The PIN never passes through the host. */
#include <string.h>

#include "card_internal.h"

#define FEATURE_LIST_MAX 256
#define SPEC_MIN_PW1 6
#define SPEC_MIN_PW3 8

/* Walk the TLV list (tag, length, value; our features carry a 4-byte big-endian code). Other
 * lengths are skipped by their length; a truncated entry ends the walk. */
static void parse_features(opgp_card *card, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (n - i >= 2) {
        uint8_t tag = p[i], len = p[i + 1];
        i += 2;
        if (len > n - i)
            return;
        if (len == 4) {
            uint32_t code = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
                            (uint32_t)p[i + 2] << 8 | p[i + 3];
            if (tag == OPGP_FEATURE_VERIFY_PIN_DIRECT)
                card->pinpad_verify_code = code;
            else if (tag == OPGP_FEATURE_MODIFY_PIN_DIRECT)
                card->pinpad_modify_code = code;
        }
        i += len;
    }
}

void card_pinpad_probe(opgp_card *card)
{
    card->pinpad_probed = true;
    card->pinpad_verify_code = card->pinpad_modify_code = 0;
    uint8_t buf[FEATURE_LIST_MAX];
    size_t len = sizeof buf;
    /* A transport without control, or a reader that refuses the request: no features. */
    if (opgp_transport_control(card->transport, OPGP_CONTROL_GET_FEATURE_REQUEST, NULL, 0, buf,
                               &len) == OPGP_OK &&
        len <= sizeof buf)
        parse_features(card, buf, len);
}

bool opgp_card_has_pinpad(opgp_card *card)
{
    if (!card)
        return false;
    if (!card->pinpad_probed)
        card_pinpad_probe(card);
    return card->pinpad_verify_code != 0;
}

static void put_le16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

size_t opgp_pinpad_verify_structure(uint8_t ref, uint8_t min_len, uint8_t max_len, uint8_t *out,
                                    size_t cap)
{
    static const size_t total = 19 + 5;
    if (!out || cap < total)
        return 0;
    memset(out, 0, total);
    out[0] = 0x00;                 /* bTimerOut: the reader's default */
    out[1] = 0x00;                 /* bTimerOut2: idem after the first key */
    out[2] = 0x82;                 /* bmFormatString: byte units, position 0, left, ASCII */
    out[3] = 0x00;                 /* bmPINBlockString: no length field, PIN block as typed */
    out[4] = 0x00;                 /* bmPINLengthFormat: no length inserted */
    put_le16(out + 5, (unsigned)min_len << 8 | max_len); /* wPINMaxExtraDigit: min XX, max YY */
    out[7] = 0x02;                 /* bEntryValidationCondition: the OK key */
    out[8] = 0x01;                 /* bNumberMessage: the reader's one prompt */
    put_le16(out + 9, 0x0409);     /* wLangId: English (US) */
    out[11] = 0x00;                /* bMsgIndex: "enter PIN" */
    /* bTeoPrologue[3] (12..14): zero, T=1 prologue handled by the reader */
    out[15] = 5;                   /* ulDataLength, 32-bit little-endian (16..18 stay 0) */
    out[19] = 0x00;                /* abData: VERIFY header, Lc filled in by the reader */
    out[20] = 0x20;
    out[21] = 0x00;
    out[22] = ref;
    out[23] = 0x00;
    return total;
}

static bool valid_ref(opgp_pin_ref ref)
{
    return ref == OPGP_PIN_PW1_SIGN || ref == OPGP_PIN_PW1 || ref == OPGP_PIN_PW3;
}

static bool uses_kdf(const opgp_card *card)
{
    const opgp_kdf *kdf = &card->appdata.kdf;
    return kdf->present && kdf->algo != OPGP_KDF_NONE;
}

const char *opgp_card_pinpad_refusal(opgp_card *card)
{
    if (!card)
        return "no card";
    if (uses_kdf(card))
        return "this card derives PINs (KDF-DO): a pinpad reader would send the PIN as typed, "
               "which the card would count as a wrong PIN; enter the PIN on the computer";
    if (!opgp_card_has_pinpad(card))
        return "the reader has no pinpad (PC/SC part 10 VERIFY_PIN_DIRECT)";
    return NULL;
}

opgp_status opgp_card_verify_pinpad(opgp_card *card, opgp_pin_ref ref, opgp_error *err)
{
    card_err_init(err);
    if (!card || !valid_ref(ref))
        return card_err_set(err, OPGP_E_INVALID_ARG);
    if (err)
        err->pin_ref = ref;
    if (opgp_card_pinpad_refusal(card))
        return card_err_set(err, OPGP_E_NOT_SUPPORTED); /* the reason: opgp_card_pinpad_refusal */

    const opgp_pw_status *pw = &card->appdata.pw;
    uint8_t min = ref == OPGP_PIN_PW3 ? SPEC_MIN_PW3 : SPEC_MIN_PW1;
    uint8_t max = ref == OPGP_PIN_PW3 ? pw->max_len_pw3 : pw->max_len_pw1;
    max &= 0x7F; /* bit 8 is the PIN block 2 flag, not a length */
    if (max < min)
        max = ref == OPGP_PIN_PW3 ? 32 : 127; /* C4 absent or odd: the spec's limits */
    uint8_t st_buf[32];
    size_t st_len = opgp_pinpad_verify_structure((uint8_t)ref, min, max, st_buf, sizeof st_buf);

    bool taken;
    opgp_status st = card_txn_begin(card, &taken);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    uint8_t resp[8];
    size_t resp_len = sizeof resp;
    st = opgp_transport_control(card->transport, card->pinpad_verify_code, st_buf, st_len, resp,
                                &resp_len);
    if (st == OPGP_OK && resp_len != 2)
        st = OPGP_E_BAD_RESPONSE;
    if (st != OPGP_OK) {
        card_txn_end(card, taken);
        return card_err_set(err, st);
    }
    uint16_t sw = (uint16_t)(resp[0] << 8 | resp[1]);
    if (sw == 0x6400 || (sw >= 0x6401 && sw <= 0x6403)) {
        /* The reader's own answers: the card saw no PIN, no try was spent. */
        card_txn_end(card, taken);
        if (err)
            err->sw = sw;
        return card_err_set(err, sw == 0x6400 ? OPGP_E_TIMEOUT : OPGP_E_CARD);
    }
    st = card_pin_result(card, sw, ref, err);
    card_txn_end(card, taken);
    return st;
}
