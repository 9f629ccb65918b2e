/* Opening a card: SELECT, reading 6E once, configuring the APDU link from what the card
 * announces; transactions, status words to errors, the generic command path. */
#include <stdlib.h>
#include <string.h>

#include "card_internal.h"
#include "opgp/crypto.h"

static const uint8_t openpgp_aid[6] = {0xD2, 0x76, 0x00, 0x01, 0x24, 0x01};

void card_err_init(opgp_error *err)
{
    if (!err)
        return;
    err->status = OPGP_OK;
    err->sw = 0;
    err->pin_ref = 0;
    err->tries_left = -1;
}

opgp_status card_err_set(opgp_error *err, opgp_status st)
{
    if (err)
        err->status = st;
    return st;
}

opgp_status card_err_sw(opgp_error *err, uint16_t sw, int pin_ref)
{
    opgp_status st = opgp_sw_status(sw);
    if (err) {
        err->status = st;
        err->sw = sw;
        if (pin_ref)
            err->pin_ref = pin_ref;
        if ((sw & 0xFFF0) == 0x63C0)
            err->tries_left = sw & 0x0F;
        else if (st == OPGP_E_PIN_BLOCKED)
            err->tries_left = 0;
    }
    return st;
}

opgp_status card_xfer(opgp_card *card, const opgp_apdu *cmd, uint8_t *resp, size_t *resp_len,
                      uint16_t *sw)
{
    uint8_t dummy[1];
    size_t dummy_len = 0;
    if (!resp) {
        resp = dummy;
        resp_len = &dummy_len;
    }
    return opgp_apdu_transceive(&card->link, cmd, resp, resp_len, sw);
}

opgp_status card_cmd(opgp_card *card, const opgp_apdu *cmd, uint8_t *resp, size_t *resp_len,
                     opgp_error *err, int pin_ref)
{
    uint16_t sw = 0;
    opgp_status st = card_xfer(card, cmd, resp, resp_len, &sw);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    return card_err_sw(err, sw, pin_ref);
}

opgp_status card_txn_begin(opgp_card *card, bool *taken)
{
    *taken = false;
    if (card->txn_depth > 0)
        return OPGP_OK;
    opgp_status st = opgp_transport_begin(card->transport);
    if (st == OPGP_E_CARD_RESET) {
        /* Held, but on a reset card: what we would send next lacks its selection. */
        opgp_transport_end(card->transport);
        return st;
    }
    if (st != OPGP_OK)
        return st;
    *taken = true;
    card->txn_depth = 1;
    return OPGP_OK;
}

void card_txn_end(opgp_card *card, bool taken)
{
    if (!taken)
        return;
    card->txn_depth = 0;
    opgp_transport_end(card->transport);
}

opgp_status opgp_card_begin(opgp_card *card, opgp_error *err)
{
    card_err_init(err);
    if (!card)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    if (card->txn_depth == 0) {
        opgp_status st = opgp_transport_begin(card->transport);
        if (st != OPGP_OK && st != OPGP_E_CARD_RESET)
            return card_err_set(err, st);
        card->txn_depth = 1;
        return card_err_set(err, st); /* CARD_RESET: held; the caller reselects */
    }
    card->txn_depth++;
    return OPGP_OK;
}

opgp_status opgp_card_end(opgp_card *card)
{
    if (!card || card->txn_depth == 0)
        return OPGP_E_INVALID_ARG;
    if (--card->txn_depth == 0)
        return opgp_transport_end(card->transport);
    return OPGP_OK;
}

static opgp_status select_app(opgp_card *card, opgp_error *err)
{
    uint8_t fci[256];
    size_t fci_len = sizeof fci;
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_SELECT, .p1 = 0x04, .p2 = 0x00,
                     .data = openpgp_aid, .data_len = sizeof openpgp_aid, .le = OPGP_LE_MAX};
    uint16_t sw = 0;
    opgp_status st = card_xfer(card, &cmd, fci, &fci_len, &sw);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    if (sw == 0x9000)
        return card_err_set(err, OPGP_OK); /* with an FCI or without: both are fine */
    card_err_sw(err, sw, 0);
    /* A terminated application answers 6285 (warning) or 6E00/6985 depending on the card. */
    if (sw == 0x6285)
        return card_err_set(err, OPGP_E_TERMINATED);
    if (sw == 0x6A82 || sw == 0x6A81 || sw == 0x6D00)
        return card_err_set(err, OPGP_E_NOT_OPENPGP);
    return err ? err->status : opgp_sw_status(sw);
}

static void configure_link(opgp_card *card)
{
    const opgp_appdata *ad = &card->appdata;
    opgp_apdu_link *l = &card->link;
    bool extended = ad->historical.has_caps ? ad->historical.extended_length
                                            : ad->has_ext_len_info;
    l->extended = extended;
    l->chaining = ad->historical.has_caps && ad->historical.chaining;
    if (extended) {
        /* Commands must fit the card's buffer (7F66 max command length). Responses are asked
         * for with Le 0000, "all there is": the card applies its own 7F66 limit and hands
         * any rest over with 61xx, as the recorded cards do for OpenSC's identical requests. */
        l->max_cmd_data = 65535;
        /* 7F66 counts the whole command APDU: leave room for header, Lc and Le. */
        if (ad->has_ext_len_info && ad->ext_max_cmd > 9)
            l->max_cmd_data = ad->ext_max_cmd - 9u;
        if (l->max_cmd_data < 255)
            l->max_cmd_data = 255;
        l->max_resp_data = 65536;
    } else {
        l->max_cmd_data = 255;
        l->max_resp_data = 256;
    }
}

static void read_kdf(opgp_card *card)
{
    uint8_t buf[512];
    size_t len = sizeof buf;
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_GET_DATA, .p1 = 0x00, .p2 = 0xF9,
                     .le = OPGP_LE_MAX};
    uint16_t sw = 0;
    if (card_xfer(card, &cmd, buf, &len, &sw) != OPGP_OK || sw != 0x9000)
        return; /* 6A88: the card announces KDF support but has no KDF-DO: PINs go plain */
    opgp_kdf kdf;
    if (opgp_kdf_decode(buf, len, &kdf) == OPGP_OK)
        card->appdata.kdf = kdf;
}

static int bcd(uint8_t b)
{
    return (b >> 4) * 10 + (b & 0x0F);
}

/* YubiKeys report their firmware only through the Yubico GET VERSION; needed for the
 * SELECT DATA quirk of 5.2.0-5.4.3. Sent to manufacturer 0006 only. */
static void read_yubico_version(opgp_card *card)
{
    card->have_fw = false;
    card->select_data_quirk = false;
    if (card->appdata.aid.manufacturer != 0x0006)
        return;
    uint8_t v[16];
    size_t len = sizeof v;
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_YUBICO_GET_VERSION, .le = 256};
    uint16_t sw = 0;
    if (card_xfer(card, &cmd, v, &len, &sw) != OPGP_OK || sw != 0x9000 || len < 3)
        return;
    card->have_fw = true;
    for (int i = 0; i < 3; i++)
        card->fw[i] = (uint8_t)bcd(v[i]);
    unsigned ver = (unsigned)card->fw[0] << 16 | (unsigned)card->fw[1] << 8 | card->fw[2];
    card->select_data_quirk = ver >= 0x050200u && ver <= 0x050403u;
}

opgp_status card_load_appdata(opgp_card *card, opgp_error *err)
{
    uint8_t *buf = malloc(OPGP_APPDATA_MAX);
    if (!buf)
        return card_err_set(err, OPGP_E_NO_MEMORY);
    size_t len = OPGP_APPDATA_MAX;
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_GET_DATA, .p1 = 0x00, .p2 = 0x6E,
                     .le = OPGP_LE_MAX};
    opgp_status st = card_cmd(card, &cmd, buf, &len, err, 0);
    if (st == OPGP_OK) {
        opgp_appdata ad;
        st = opgp_appdata_decode(buf, len, &ad);
        if (st == OPGP_OK) {
            card->appdata = ad;
            configure_link(card);
            if ((ad.ext_caps.flags & OPGP_EXTCAP_KDF) && !ad.kdf.present)
                read_kdf(card);
        }
        card_err_set(err, st);
    }
    free(buf);
    return st;
}

/* The historical bytes of an ATR (ISO 7816-3 8.2): T0's low nibble counts them; they follow the
 * interface bytes that T0 and every TDi announce (TDi, when present, is the last of its group).
 * false when the ATR is shorter than what it announces. */
static bool atr_historical(const uint8_t *atr, size_t len, const uint8_t **hist, size_t *hist_len)
{
    if (len < 2)
        return false;
    size_t k = atr[1] & 0x0F;
    unsigned y = atr[1] >> 4;
    size_t i = 2;
    for (;;) {
        size_t count = (y & 1u) + (y >> 1 & 1u) + (y >> 2 & 1u) + (y >> 3 & 1u);
        if (count > len - i)
            return false;
        i += count;
        if (!(y & 0x8u))
            break;
        y = atr[i - 1] >> 4;
    }
    if (k > len - i)
        return false;
    *hist = atr + i;
    *hist_len = k;
    return true;
}

/* Whether the ATR announces extended Lc/Le (card capabilities, compact-TLV 73, third byte bit
 * 0x40), so that 6E, which says it too, is read in one response instead of 256 bytes and a
 * GET RESPONSE. No ATR (a transcript transport) or no capabilities in it: short, as before.
 * Read before SELECT: a reset reported here is then recovered by the SELECT. */
static bool atr_says_extended(opgp_card *card)
{
    uint8_t atr[64];
    size_t len = sizeof atr;
    const uint8_t *h;
    size_t hlen;
    opgp_historical hist;
    return opgp_transport_get_atr(card->transport, atr, &len) == OPGP_OK && len <= sizeof atr &&
           atr_historical(atr, len, &h, &hlen) && opgp_historical_decode(h, hlen, &hist) == OPGP_OK &&
           hist.has_caps && hist.extended_length;
}

/* The link for reading 6E after SELECT; configure_link then follows 6E itself. */
static void link_before_6e(opgp_card *card, bool extended)
{
    if (extended) {
        card->link.extended = true;
        card->link.max_resp_data = 65536;
    }
}

/* Begin for open/reselect: a reset reported here is what reselecting is for, so the
 * transaction is kept and the work goes on. */
static opgp_status begin_for_select_ex(opgp_card *card, bool *taken, bool *was_reset)
{
    *taken = false;
    *was_reset = false;
    if (card->txn_depth > 0)
        return OPGP_OK;
    opgp_status st = opgp_transport_begin(card->transport);
    if (st != OPGP_OK && st != OPGP_E_CARD_RESET)
        return st;
    *was_reset = st == OPGP_E_CARD_RESET;
    *taken = true;
    card->txn_depth = 1;
    return OPGP_OK;
}

static opgp_status begin_for_select(opgp_card *card, bool *taken)
{
    bool was_reset;
    return begin_for_select_ex(card, taken, &was_reset);
}

/* SELECT; a reset the transport reports on this very command is the one being recovered
 * from: select once more. */
static opgp_status select_after_reset(opgp_card *card, opgp_error *err)
{
    opgp_status st = select_app(card, err);
    if (st == OPGP_E_CARD_RESET) {
        card_err_init(err);
        st = select_app(card, err);
    }
    return st;
}

/* 6E read without SELECT: it carries the AID, and it decodes only when that is OpenPGP's, so a
 * success proves our application is the selected one. Any other answer (another application's
 * status word or data, a reset) leaves the link as SELECT expects it. */
static bool appdata_while_selected(opgp_card *card, bool extended)
{
    link_before_6e(card, extended);
    if (card_load_appdata(card, NULL) == OPGP_OK)
        return true;
    unsigned long count = card->link.apdu_count;
    opgp_apdu_trace_fn trace = card->link.trace;
    void *trace_arg = card->link.trace_arg;
    opgp_apdu_link_init(&card->link, card->transport);
    card->link.trace = trace;
    card->link.trace_arg = trace_arg;
    card->link.apdu_count = count;
    memset(&card->appdata, 0, sizeof card->appdata);
    return false;
}

static opgp_status open_sequence(opgp_card *card, bool try_selected, opgp_error *err)
{
    bool taken, was_reset;
    opgp_status st = begin_for_select_ex(card, &taken, &was_reset);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    opgp_apdu_link_init(&card->link, card->transport);
    bool extended = atr_says_extended(card);
    if (try_selected && !was_reset && appdata_while_selected(card, extended)) {
        read_yubico_version(card);
        card_txn_end(card, taken);
        return OPGP_OK;
    }
    st = select_after_reset(card, err);
    link_before_6e(card, extended);
    if (st == OPGP_OK)
        st = card_load_appdata(card, err);
    if (st == OPGP_OK)
        read_yubico_version(card);
    card_txn_end(card, taken);
    return st;
}

static opgp_status card_open(opgp_transport *t, bool try_selected, opgp_card **out,
                             opgp_error *err)
{
    card_err_init(err);
    if (!t || !out)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    *out = NULL;
    opgp_card *card = calloc(1, sizeof *card);
    if (!card)
        return card_err_set(err, OPGP_E_NO_MEMORY);
    card->transport = t;
    opgp_status st = open_sequence(card, try_selected, err);
    if (st != OPGP_OK) {
        free(card);
        return st;
    }
    card_pinpad_probe(card);
    *out = card;
    return OPGP_OK;
}

opgp_status opgp_card_open(opgp_transport *t, opgp_card **out, opgp_error *err)
{
    return card_open(t, false, out, err);
}

opgp_status opgp_card_open_selected(opgp_transport *t, opgp_card **out, opgp_error *err)
{
    return card_open(t, true, out, err);
}

void opgp_card_close(opgp_card *card)
{
    if (!card)
        return;
    opgp_wipe(card, sizeof *card);
    free(card);
}

opgp_status opgp_card_reselect(opgp_card *card, opgp_error *err)
{
    card_err_init(err);
    if (!card)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    /* Keep the caller's trace and counter across the link reset. */
    opgp_apdu_trace_fn trace = card->link.trace;
    void *trace_arg = card->link.trace_arg;
    unsigned long count = card->link.apdu_count;
    bool forced = card->select_data_quirk;
    bool taken;
    opgp_status st = begin_for_select(card, &taken);
    if (st != OPGP_OK)
        return card_err_set(err, st);
    opgp_apdu_link_init(&card->link, card->transport);
    card->link.trace = trace;
    card->link.trace_arg = trace_arg;
    card->link.apdu_count = count;
    bool extended = atr_says_extended(card);
    st = select_after_reset(card, err);
    link_before_6e(card, extended);
    if (st == OPGP_OK)
        st = card_load_appdata(card, err);
    card->select_data_quirk = forced;
    card_txn_end(card, taken);
    return st;
}

opgp_status opgp_card_refresh_appdata(opgp_card *card, opgp_error *err)
{
    card_err_init(err);
    if (!card)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    return card_load_appdata(card, err);
}

opgp_status opgp_card_refresh_status(opgp_card *card, opgp_error *err)
{
    card_err_init(err);
    if (!card)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    uint8_t buf[64];
    size_t len = sizeof buf;
    opgp_apdu cmd = {.cla = 0x00, .ins = INS_GET_DATA, .p1 = 0x00, .p2 = 0xC4, .le = 256};
    opgp_status st = card_cmd(card, &cmd, buf, &len, err, 0);
    if (st != OPGP_OK)
        return st;
    opgp_pw_status pw;
    st = opgp_pw_status_decode(buf, len, &pw);
    if (st == OPGP_OK)
        card->appdata.pw = pw;
    return card_err_set(err, st);
}

const opgp_appdata *opgp_card_appdata(const opgp_card *card)
{
    return card ? &card->appdata : NULL;
}

opgp_apdu_link *opgp_card_link(opgp_card *card)
{
    return card ? &card->link : NULL;
}

opgp_transport *opgp_card_transport(opgp_card *card)
{
    return card ? card->transport : NULL;
}

bool opgp_card_firmware_version(const opgp_card *card, uint8_t version[3])
{
    if (!card || !card->have_fw || !version)
        return false;
    memcpy(version, card->fw, 3);
    return true;
}

bool opgp_card_select_data_quirk(const opgp_card *card)
{
    return card && card->select_data_quirk;
}

void opgp_card_set_select_data_quirk(opgp_card *card, bool on)
{
    if (card)
        card->select_data_quirk = on;
}

opgp_status opgp_card_transceive(opgp_card *card, const opgp_apdu *cmd, uint8_t *resp,
                                 size_t *resp_len, opgp_error *err)
{
    card_err_init(err);
    if (!card || !cmd)
        return card_err_set(err, OPGP_E_INVALID_ARG);
    return card_cmd(card, cmd, resp, resp_len, err, 0);
}
