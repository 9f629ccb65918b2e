/* The emulated pinpad of the in-process reader (PC/SC part 10 v2.02.09): the feature list and
 * FEATURE_VERIFY_PIN_DIRECT, whose PIN_VERIFY_STRUCTURE is decoded the way a CCID reader does:
 * the PIN is inserted as ASCII bytes after the APDU header in abData, Lc set to its length. */
#include <string.h>

#include "sim_internal.h"

#define STRUCT_HEADER 19 /* PIN_VERIFY_STRUCTURE up to abData */

void opgp_sim_set_pinpad(opgp_sim *s, const char *pin)
{
    if (!s)
        return;
    memset(s->pinpad_pin, 0, sizeof s->pinpad_pin);
    s->pinpad = pin != NULL;
    if (pin) {
        size_t n = strlen(pin);
        if (n > SIM_MAX_PIN)
            n = SIM_MAX_PIN;
        memcpy(s->pinpad_pin, pin, n);
    }
}

static opgp_status answer(const uint8_t *data, size_t len, uint8_t *out, size_t *out_len)
{
    if (!out_len || *out_len < len)
        return OPGP_E_BUFFER_TOO_SMALL;
    memcpy(out, data, len);
    *out_len = len;
    return OPGP_OK;
}

static opgp_status answer_sw(uint16_t sw, uint8_t *out, size_t *out_len)
{
    const uint8_t b[2] = {(uint8_t)(sw >> 8), (uint8_t)sw};
    return answer(b, 2, out, out_len);
}

static opgp_status verify_direct(opgp_sim *s, const uint8_t *in, size_t in_len, uint8_t *out,
                                 size_t *out_len)
{
    if (!in || in_len < STRUCT_HEADER)
        return OPGP_E_INVALID_ARG;
    uint32_t data_len = (uint32_t)in[15] | (uint32_t)in[16] << 8 | (uint32_t)in[17] << 16 |
                        (uint32_t)in[18] << 24;
    /* The header of the APDU and a Lc byte; the bytes announced must be all there is. */
    if (data_len < 5 || data_len != in_len - STRUCT_HEADER)
        return OPGP_E_INVALID_ARG;
    /* Only the format OpenPGP cards need: ASCII, byte units, no length field, no block. */
    if (in[2] != 0x82 || in[3] != 0x00 || in[4] != 0x00)
        return OPGP_E_INVALID_ARG;
    unsigned max = in[5], min = in[6];
    s->stats.pinpad_entries++;
    size_t pin_len = strlen(s->pinpad_pin);
    if (pin_len == 0)
        return answer_sw(0x6401, out, out_len); /* the user pressed Cancel */
    if (pin_len < min || pin_len > max)
        return answer_sw(0x6403, out, out_len); /* the reader refuses the entry */

    const uint8_t *hdr = in + STRUCT_HEADER;
    uint8_t apdu[5 + SIM_MAX_PIN];
    memcpy(apdu, hdr, 4);
    apdu[4] = (uint8_t)pin_len;
    memcpy(apdu + 5, s->pinpad_pin, pin_len);
    uint8_t resp[258];
    size_t n = opgp_sim_process(s, apdu, 5 + pin_len, resp, sizeof resp);
    memset(apdu, 0, sizeof apdu);
    if (n < 2)
        return OPGP_E_NO_CARD;
    return answer(resp + n - 2, 2, out, out_len);
}

opgp_status sim_pinpad_control(opgp_sim *s, uint32_t code, const uint8_t *in, size_t in_len,
                               uint8_t *out, size_t *out_len)
{
    if (!s->pinpad)
        return OPGP_E_NOT_SUPPORTED;
    if (code == OPGP_CONTROL_GET_FEATURE_REQUEST) {
        const uint8_t features[] = {OPGP_FEATURE_VERIFY_PIN_DIRECT, 4,
                                    (uint8_t)(SIM_PINPAD_VERIFY_CODE >> 24),
                                    (uint8_t)(SIM_PINPAD_VERIFY_CODE >> 16),
                                    (uint8_t)(SIM_PINPAD_VERIFY_CODE >> 8),
                                    (uint8_t)SIM_PINPAD_VERIFY_CODE};
        return answer(features, sizeof features, out, out_len);
    }
    if (code == SIM_PINPAD_VERIFY_CODE) {
        if (!opgp_sim_present(s))
            return OPGP_E_NO_CARD;
        return verify_direct(s, in, in_len, out, out_len);
    }
    return OPGP_E_NOT_SUPPORTED;
}
