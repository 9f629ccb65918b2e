/* The PC/SC transport against a card on a private pcscd (run through tests/with-card, which
 * sets PCSCLITE_CSOCK_NAME). Without that variable it skips (77) rather than reach the
 * machine's own pcscd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opgp/apdu.h"
#include "opgp/tlv.h"
#include "opgp/transport_pcsc.h"

static const uint8_t openpgp_aid[] = {0xD2, 0x76, 0x00, 0x01, 0x24, 0x01};

static void select_openpgp(opgp_transport *t)
{
    opgp_apdu_link l;
    opgp_apdu_link_init(&l, t);
    opgp_apdu sel = {.ins = 0xA4, .p1 = 0x04, .data = openpgp_aid, .data_len = sizeof openpgp_aid};
    uint8_t resp[256];
    size_t len = sizeof resp;
    uint16_t sw = 0;
    assert_int_equal(opgp_apdu_transceive(&l, &sel, resp, &len, &sw), OPGP_OK);
    assert_int_equal(sw, 0x9000);
}

static void open_first_reader_and_select(void **state)
{
    (void)state;
    size_t len = 0;
    assert_int_equal(opgp_pcsc_list_readers(NULL, &len), OPGP_OK);
    assert_true(len >= 2);
    char *names = malloc(len);
    assert_non_null(names);
    size_t small = 1;
    assert_int_equal(opgp_pcsc_list_readers(names, &small), OPGP_E_BUFFER_TOO_SMALL);
    assert_int_equal(small, len);
    assert_int_equal(opgp_pcsc_list_readers(names, &len), OPGP_OK);
    assert_true(strlen(names) > 0);

    opgp_transport *t = NULL;
    assert_int_equal(opgp_pcsc_open(NULL, &t), OPGP_OK);
    assert_non_null(t);
    uint8_t atr[OPGP_MAX_ATR];
    size_t atr_len = sizeof atr;
    assert_int_equal(opgp_transport_get_atr(t, atr, &atr_len), OPGP_OK);
    assert_true(atr_len >= 2);
    assert_true(atr[0] == 0x3B || atr[0] == 0x3F);
    assert_int_equal(opgp_transport_begin(t), OPGP_OK);
    select_openpgp(t);

    /* the application related data arrives whole and parses */
    opgp_apdu_link l;
    opgp_apdu_link_init(&l, t);
    opgp_apdu get = {.ins = 0xCA, .p2 = 0x6E, .le = OPGP_LE_MAX};
    static uint8_t resp[4096];
    size_t rlen = sizeof resp;
    uint16_t sw = 0;
    assert_int_equal(opgp_apdu_transceive(&l, &get, resp, &rlen, &sw), OPGP_OK);
    assert_int_equal(sw, 0x9000);
    opgp_tlv aid;
    assert_int_equal(opgp_tlv_find_deep(resp, rlen, 0x4F, &aid), OPGP_OK);
    assert_memory_equal(aid.value, openpgp_aid, sizeof openpgp_aid);
    assert_int_equal(opgp_transport_end(t), OPGP_OK);
    opgp_transport_close(t);

    /* by name, too */
    assert_int_equal(opgp_pcsc_open(names, &t), OPGP_OK);
    select_openpgp(t);
    opgp_transport_close(t);
    free(names);
}

static void unknown_reader(void **state)
{
    (void)state;
    opgp_transport *t = NULL;
    assert_int_equal(opgp_pcsc_open("No Such Reader 99 99", &t), OPGP_E_NO_READER);
    assert_null(t);
}

static void wrap_borrowed_handle(void **state)
{
    (void)state;
    size_t len = 0;
    assert_int_equal(opgp_pcsc_list_readers(NULL, &len), OPGP_OK);
    char *names = malloc(len);
    assert_int_equal(opgp_pcsc_list_readers(names, &len), OPGP_OK);
    SCARDCONTEXT ctx;
    SCARDHANDLE card;
    DWORD proto;
    assert_int_equal(SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx), SCARD_S_SUCCESS);
    assert_int_equal(SCardConnect(ctx, names, SCARD_SHARE_SHARED,
                                  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &proto),
                     SCARD_S_SUCCESS);
    opgp_transport *t = NULL;
    assert_int_equal(opgp_pcsc_wrap(ctx, card, &t), OPGP_OK);
    select_openpgp(t);
    opgp_transport_close(t);
    /* the handle still belongs to us and still works */
    BYTE atr[64];
    DWORD atr_len = sizeof atr, state_ = 0, name_len = 0;
    assert_int_equal(SCardStatus(card, NULL, &name_len, &state_, &proto, atr, &atr_len),
                     SCARD_S_SUCCESS);
    SCardDisconnect(card, SCARD_LEAVE_CARD);
    SCardReleaseContext(ctx);
    free(names);
}

int main(void)
{
    if (!getenv("PCSCLITE_CSOCK_NAME")) {
        fprintf(stderr, "skipped: run through tests/with-card (private pcscd)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_first_reader_and_select),
        cmocka_unit_test(unknown_reader),
        cmocka_unit_test(wrap_borrowed_handle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
