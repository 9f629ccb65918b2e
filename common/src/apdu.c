/* ISO 7816-4 exchange: encoding, command chaining, GET RESPONSE, 6Cxx re-issue. Every loop has
 * a bound so that a misbehaving card costs an error, never a hang; every buffer that held
 * command or response bytes is wiped, since either may carry PINs or deciphered keys. */
#include <stdlib.h>
#include <string.h>

#include "opgp/apdu.h"
#include "opgp/crypto.h"

#define SW_OK 0x9000
#define INS_GET_RESPONSE 0xC0
#define REDACTED_BYTE 'X'
#define MAX_HEADER 9 /* CLA INS P1 P2, extended Lc (3), extended Le (2) */

void opgp_apdu_link_init(opgp_apdu_link *l, opgp_transport *t)
{
    if (!l)
        return;
    memset(l, 0, sizeof *l);
    l->transport = t;
    l->extended = false;
    l->max_cmd_data = 255;
    l->max_resp_data = 256;
    l->chaining = false;
}

opgp_status opgp_sw_status(uint16_t sw)
{
    if ((sw & 0xFFF0) == 0x63C0)
        return OPGP_E_WRONG_PIN;
    if ((sw & 0xFF00) == 0x6700)
        return OPGP_E_WRONG_LENGTH;
    switch (sw) {
    case 0x9000: return OPGP_OK;
    case 0x6983: return OPGP_E_PIN_BLOCKED;
    case 0x6982: return OPGP_E_SECURITY_STATUS;
    case 0x6985: return OPGP_E_CONDITIONS;
    case 0x6A80: return OPGP_E_WRONG_DATA;
    case 0x6A82:
    case 0x6A88: return OPGP_E_NOT_FOUND;
    case 0x6D00:
    case 0x6E00:
    case 0x6A81:
    case 0x6A86:
    case 0x6B00: return OPGP_E_NOT_SUPPORTED;
    case 0x6581: return OPGP_E_MEMORY_FAILURE;
    case 0x6285: return OPGP_E_TERMINATED;
    default: return OPGP_E_CARD;
    }
}

void opgp_error_from_sw(opgp_error *err, uint16_t sw, int pin_ref)
{
    if (!err)
        return;
    err->status = opgp_sw_status(sw);
    err->sw = sw;
    err->pin_ref = pin_ref;
    err->tries_left = (sw & 0xFFF0) == 0x63C0 ? (int)(sw & 0x0F) : -1;
    if (err->status == OPGP_E_PIN_BLOCKED)
        err->tries_left = 0;
}

static size_t effective_le(size_t le, bool extended)
{
    size_t max = extended ? 65536 : 256;
    return le > max ? max : le;
}

opgp_status opgp_apdu_encode(const opgp_apdu *cmd, bool extended, bool chain_more,
                             uint8_t *out, size_t *out_len)
{
    if (!cmd || !out || !out_len || (cmd->data_len && !cmd->data))
        return OPGP_E_INVALID_ARG;
    size_t max_lc = extended ? 65535 : 255;
    if (cmd->data_len > max_lc)
        return OPGP_E_WRONG_LENGTH;
    size_t le = effective_le(cmd->le, extended);
    size_t need = 4 + cmd->data_len;
    if (extended) {
        if (cmd->data_len || le)
            need += 1;
        need += (cmd->data_len ? 2 : 0) + (le ? 2 : 0);
    } else {
        need += (cmd->data_len ? 1 : 0) + (le ? 1 : 0);
    }
    if (*out_len < need)
        return OPGP_E_BUFFER_TOO_SMALL;

    size_t n = 0;
    out[n++] = chain_more ? (uint8_t)(cmd->cla | 0x10) : cmd->cla;
    out[n++] = cmd->ins;
    out[n++] = cmd->p1;
    out[n++] = cmd->p2;
    if (extended && (cmd->data_len || le))
        out[n++] = 0x00;
    if (cmd->data_len) {
        if (extended)
            out[n++] = (uint8_t)(cmd->data_len >> 8);
        out[n++] = (uint8_t)cmd->data_len;
        memcpy(out + n, cmd->data, cmd->data_len);
        n += cmd->data_len;
    }
    if (le) {
        /* 256 short and 65536 extended wrap to zero bytes, as ISO 7816-4 defines. */
        if (extended)
            out[n++] = (uint8_t)(le >> 8);
        out[n++] = (uint8_t)le;
    }
    *out_len = n;
    return OPGP_OK;
}

opgp_status opgp_apdu_decode(const uint8_t *in, size_t len, opgp_apdu *cmd, bool *extended)
{
    if (!in || !cmd)
        return OPGP_E_INVALID_ARG;
    if (len < 4)
        return OPGP_E_WRONG_LENGTH;
    memset(cmd, 0, sizeof *cmd);
    cmd->cla = in[0];
    cmd->ins = in[1];
    cmd->p1 = in[2];
    cmd->p2 = in[3];
    bool ext = false;
    if (len == 4) {
        /* case 1 */
    } else if (len == 5) {
        cmd->le = in[4] ? in[4] : 256;
    } else if (in[4] != 0) {
        size_t lc = in[4];
        if (len != 5 + lc && len != 6 + lc)
            return OPGP_E_WRONG_LENGTH;
        cmd->data = in + 5;
        cmd->data_len = lc;
        if (len == 6 + lc)
            cmd->le = in[5 + lc] ? in[5 + lc] : 256;
    } else {
        ext = true;
        if (len < 7)
            return OPGP_E_WRONG_LENGTH;
        size_t v = ((size_t)in[5] << 8) | in[6];
        if (len == 7) {
            cmd->le = v ? v : 65536;
        } else {
            if (v == 0 || (len != 7 + v && len != 9 + v))
                return OPGP_E_WRONG_LENGTH;
            cmd->data = in + 7;
            cmd->data_len = v;
            if (len == 9 + v) {
                size_t le = ((size_t)in[7 + v] << 8) | in[8 + v];
                cmd->le = le ? le : 65536;
            }
        }
    }
    if (extended)
        *extended = ext;
    return OPGP_OK;
}

static void trace_redacted(opgp_apdu_link *l, opgp_apdu_dir dir, const uint8_t *bytes,
                           size_t len, size_t data_off, size_t data_len)
{
    uint8_t *copy = malloc(len);
    if (!copy) {
        /* Without a copy nothing safe can be shown but the length. */
        l->trace(l->trace_arg, dir, NULL, len);
        return;
    }
    memcpy(copy, bytes, len);
    memset(copy + data_off, REDACTED_BYTE, data_len);
    l->trace(l->trace_arg, dir, copy, len);
    opgp_wipe(copy, len);
    free(copy);
}

/* One APDU out, one response back into rx (at least SW1 SW2 on success). */
static opgp_status exchange(opgp_apdu_link *l, const opgp_apdu *piece, bool sensitive_response,
                            bool chain_more, uint8_t *tx, size_t tx_cap, uint8_t *rx,
                            size_t rx_cap, size_t *rx_len)
{
    bool ext = l->extended && (piece->data_len > 255 || piece->le > 256);
    size_t tx_len = tx_cap;
    opgp_status st = opgp_apdu_encode(piece, ext, chain_more, tx, &tx_len);
    if (st != OPGP_OK)
        return st;
    if (l->trace) {
        if (piece->sensitive && piece->data_len)
            trace_redacted(l, OPGP_APDU_SENT, tx, tx_len, ext ? 7 : 5, piece->data_len);
        else
            l->trace(l->trace_arg, OPGP_APDU_SENT, tx, tx_len);
    }
    l->apdu_count++;
    *rx_len = rx_cap;
    st = opgp_transport_transmit(l->transport, tx, tx_len, rx, rx_len);
    opgp_wipe(tx, tx_len);
    if (st != OPGP_OK)
        return st;
    if (*rx_len < 2 || *rx_len > rx_cap)
        return OPGP_E_BAD_RESPONSE;
    if (l->trace) {
        if (sensitive_response && *rx_len > 2)
            trace_redacted(l, OPGP_APDU_RECEIVED, rx, *rx_len, 0, *rx_len - 2);
        else
            l->trace(l->trace_arg, OPGP_APDU_RECEIVED, rx, *rx_len);
    }
    return OPGP_OK;
}

static uint16_t sw_of(const uint8_t *rx, size_t rx_len)
{
    return (uint16_t)((rx[rx_len - 2] << 8) | rx[rx_len - 1]);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

opgp_status opgp_apdu_transceive(opgp_apdu_link *l, const opgp_apdu *cmd, uint8_t *resp,
                                 size_t *resp_len, uint16_t *sw)
{
    if (!l || !l->transport || !cmd || !resp_len || !sw || (*resp_len && !resp) ||
        (cmd->data_len && !cmd->data))
        return OPGP_E_INVALID_ARG;
    if (cmd->data_len > 65535)
        return OPGP_E_WRONG_LENGTH;

    size_t cap = *resp_len;
    *resp_len = 0;
    *sw = 0;

    size_t chunk_max = min_size(l->max_cmd_data ? l->max_cmd_data : 255,
                                l->extended ? 65535 : 255);
    if (cmd->data_len > chunk_max && !l->chaining)
        return OPGP_E_WRONG_LENGTH;

    size_t le = cmd->le;
    if (l->extended && l->max_resp_data > 256 && le > l->max_resp_data)
        le = l->max_resp_data;

    size_t tx_cap = min_size(cmd->data_len, chunk_max) + MAX_HEADER;
    size_t rx_cap = min_size(cap, 65536) + 2;
    uint8_t *tx = malloc(tx_cap);
    uint8_t *rx = malloc(rx_cap);
    if (!tx || !rx) {
        free(tx);
        free(rx);
        return OPGP_E_NO_MEMORY;
    }

    opgp_status st = OPGP_OK;
    size_t rx_len = 0, total = 0;
    uint16_t last_sw = 0;
    opgp_apdu piece = *cmd;
    size_t off = 0;

    while (cmd->data_len - off > chunk_max) {
        piece.data = cmd->data + off;
        piece.data_len = chunk_max;
        piece.le = 0;
        st = exchange(l, &piece, cmd->sensitive_response, true, tx, tx_cap, rx, rx_cap, &rx_len);
        if (st != OPGP_OK)
            goto out;
        last_sw = sw_of(rx, rx_len);
        if (last_sw != SW_OK)
            goto out; /* the card refused part of the chain: that status word is the answer */
        off += chunk_max;
    }

    piece.data = cmd->data_len ? cmd->data + off : NULL;
    piece.data_len = cmd->data_len - off;
    piece.le = le;
    bool reissued = false;
    unsigned rounds = 0;
    for (;;) {
        st = exchange(l, &piece, cmd->sensitive_response, false, tx, tx_cap, rx, rx_cap,
                      &rx_len);
        if (st != OPGP_OK)
            goto out;
        last_sw = sw_of(rx, rx_len);

        if ((last_sw >> 8) == 0x6C) {
            /* Wrong Le: the card names the right one; asking again is allowed once. A command
             * that expects no response data cannot have a wrong Le, and re-issuing a command
             * that carries a secret would send it twice: both are the card's error. */
            if (reissued || cmd->le == 0 || cmd->sensitive) {
                st = OPGP_E_PROTOCOL;
                goto out;
            }
            reissued = true;
            piece.le = (last_sw & 0xFF) ? (last_sw & 0xFF) : 256;
            continue;
        }

        size_t n = rx_len - 2;
        if (n > cap - total) {
            st = OPGP_E_BUFFER_TOO_SMALL;
            goto out;
        }
        if (n > 0) {
            memcpy(resp + total, rx, n);
            total += n;
        }

        if ((last_sw >> 8) != 0x61)
            break;
        if (++rounds > OPGP_MAX_GET_RESPONSE) {
            st = OPGP_E_PROTOCOL;
            goto out;
        }
        memset(&piece, 0, sizeof piece);
        piece.cla = 0x00;
        piece.ins = INS_GET_RESPONSE;
        piece.le = (last_sw & 0xFF) ? (last_sw & 0xFF) : 256;
    }

out:
    opgp_wipe(rx, rx_cap);
    free(rx);
    free(tx);
    if (st == OPGP_OK) {
        *resp_len = total;
        *sw = last_sw;
    } else {
        opgp_wipe(resp, total);
    }
    return st;
}
