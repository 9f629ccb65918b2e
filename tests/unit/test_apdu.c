/* APDU layer against a scripted transport: encodings, chaining, 61xx, 6Cxx, malformed and
 * oversized responses, trace redaction, status word mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hex.h"
#include "mock_transport.h"
#include "opgp/apdu.h"

static void assert_encoding(const opgp_apdu *cmd, bool extended, bool more, const char *hex)
{
    uint8_t out[OPGP_MAX_COMMAND];
    size_t len = sizeof out;
    assert_int_equal(opgp_apdu_encode(cmd, extended, more, out, &len), OPGP_OK);
    char got[2 * 400 + 1];
    opgp_hex_encode(out, len, got, sizeof got);
    assert_string_equal(got, hex);

    /* and decoding gives back what was encoded (Le in its encoded meaning) */
    opgp_apdu back;
    bool ext = !extended;
    assert_int_equal(opgp_apdu_decode(out, len, &back, &ext), OPGP_OK);
    assert_int_equal(back.cla, more ? (cmd->cla | 0x10) : cmd->cla);
    assert_int_equal(back.ins, cmd->ins);
    assert_int_equal(back.data_len, cmd->data_len);
    if (cmd->data_len)
        assert_memory_equal(back.data, cmd->data, cmd->data_len);
    size_t max_le = extended ? 65536 : 256;
    assert_int_equal(back.le, cmd->le > max_le ? max_le : cmd->le);
    if (cmd->data_len || cmd->le)
        assert_int_equal(ext, extended);
}

static void encode_short_cases(void **state)
{
    (void)state;
    const uint8_t pin[] = "123456";
    const uint8_t crt[] = {0xB6, 0x00};
    opgp_apdu c1 = {.ins = 0x20, .p2 = 0x81};
    opgp_apdu c2 = {.ins = 0xCA, .p2 = 0x6E, .le = OPGP_LE_MAX};
    opgp_apdu c2b = {.ins = 0xCA, .p2 = 0x4F, .le = 0x10};
    opgp_apdu c3 = {.ins = 0x20, .p2 = 0x82, .data = pin, .data_len = 6};
    opgp_apdu c4 = {.ins = 0x47, .p1 = 0x81, .data = crt, .data_len = 2, .le = 256};
    assert_encoding(&c1, false, false, "00200081");
    assert_encoding(&c1, true, false, "00200081"); /* case 1 has no extended form */
    assert_encoding(&c2, false, false, "00CA006E00");
    assert_encoding(&c2b, false, false, "00CA004F10");
    assert_encoding(&c3, false, false, "0020008206313233343536");
    assert_encoding(&c4, false, false, "0047810002B60000");
    assert_encoding(&c3, false, true, "1020008206313233343536");
}

static void encode_extended_cases(void **state)
{
    (void)state;
    const uint8_t crt[] = {0xB6, 0x00};
    uint8_t big[300];
    memset(big, 0xA5, sizeof big);
    opgp_apdu c2 = {.ins = 0xCA, .p2 = 0x6E, .le = OPGP_LE_MAX};
    opgp_apdu c2b = {.ins = 0xCA, .p2 = 0x6E, .le = 0x2000};
    opgp_apdu c3 = {.ins = 0x2A, .p1 = 0x80, .p2 = 0x86, .data = big, .data_len = 300};
    opgp_apdu c4 = {.ins = 0x47, .p1 = 0x81, .data = crt, .data_len = 2, .le = 0x10F};
    assert_encoding(&c2, true, false, "00CA006E000000");
    assert_encoding(&c2b, true, false, "00CA006E002000");
    char want[2 * 310 + 1];
    char body[2 * 300 + 1];
    opgp_hex_encode(big, sizeof big, body, sizeof body);
    snprintf(want, sizeof want, "002A808600012C%s", body);
    assert_encoding(&c3, true, false, want);
    snprintf(want, sizeof want, "102A808600012C%s", body);
    assert_encoding(&c3, true, true, want);
    assert_encoding(&c4, true, false, "00478100000002B600010F");
}

static void encode_rejects(void **state)
{
    (void)state;
    uint8_t big[300] = {0};
    uint8_t out[16];
    size_t len = sizeof out;
    opgp_apdu c = {.ins = 0xDA, .data = big, .data_len = 256};
    assert_int_equal(opgp_apdu_encode(&c, false, false, out, &len), OPGP_E_WRONG_LENGTH);
    c.data_len = 12; /* 4 + 1 + 12 = 17 > 16 */
    assert_int_equal(opgp_apdu_encode(&c, false, false, out, &len), OPGP_E_BUFFER_TOO_SMALL);
    c.data = NULL;
    assert_int_equal(opgp_apdu_encode(&c, false, false, out, &len), OPGP_E_INVALID_ARG);

    opgp_apdu d;
    const uint8_t lies[] = {0x00, 0xDA, 0x00, 0xC1, 0x05, 0x01};
    assert_int_equal(opgp_apdu_decode(lies, sizeof lies, &d, NULL), OPGP_E_WRONG_LENGTH);
    const uint8_t ext_lies[] = {0x00, 0xDA, 0x00, 0xC1, 0x00, 0x01};
    assert_int_equal(opgp_apdu_decode(ext_lies, sizeof ext_lies, &d, NULL), OPGP_E_WRONG_LENGTH);
    assert_int_equal(opgp_apdu_decode(lies, 3, &d, NULL), OPGP_E_WRONG_LENGTH);
}

typedef struct fixture {
    mock_transport *mock;
    opgp_apdu_link link;
    uint8_t resp[4096];
    size_t resp_len;
    uint16_t sw;
} fixture;

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    f.mock = mock_transport_new();
    opgp_apdu_link_init(&f.link, mock_transport_base(f.mock));
    f.resp_len = sizeof f.resp;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    assert_int_equal(mock_pending(f->mock), 0); /* every scripted exchange happened */
    mock_transport_free(f->mock);
    return 0;
}

static opgp_status run(fixture *f, const opgp_apdu *cmd)
{
    return opgp_apdu_transceive(&f->link, cmd, f->resp, &f->resp_len, &f->sw);
}

static void assert_resp(fixture *f, const char *hex)
{
    char got[2 * sizeof f->resp + 1];
    opgp_hex_encode(f->resp, f->resp_len, got, sizeof got);
    assert_string_equal(got, hex);
}

static void transceive_plain(void **state)
{
    fixture *f = *state;
    mock_expect(f->mock, "00CA5F5200", "0031C573C001400590009000");
    opgp_apdu c = {.ins = 0xCA, .p1 = 0x5F, .p2 = 0x52, .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_int_equal(f->sw, 0x9000);
    assert_resp(f, "0031C573C00140059000");
}

static void transceive_error_sw_is_not_a_failure(void **state)
{
    fixture *f = *state;
    mock_expect(f->mock, "00CA010100", "6A88");
    opgp_apdu c = {.ins = 0xCA, .p1 = 0x01, .p2 = 0x01, .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_int_equal(f->sw, 0x6A88);
    assert_int_equal(f->resp_len, 0);
    assert_int_equal(opgp_sw_status(f->sw), OPGP_E_NOT_FOUND);
}

static void transceive_extended_le_capped(void **state)
{
    fixture *f = *state;
    f->link.extended = true;
    f->link.max_cmd_data = 2048;
    f->link.max_resp_data = 2048;
    mock_expect(f->mock, "00CA006E000800", "6E0173019000");
    opgp_apdu c = {.ins = 0xCA, .p2 = 0x6E, .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_resp(f, "6E017301");
    /* small Le and data stay short even on an extended link */
    f->resp_len = sizeof f->resp;
    mock_expect(f->mock, "00CA00C407", "004040400300039000");
    c.p2 = 0xC4;
    c.le = 7;
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_int_equal(f->link.apdu_count, 2);
}

static void transceive_chaining(void **state)
{
    fixture *f = *state;
    f->link.chaining = true;
    uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    char first[2 * 320], last[2 * 320], hex[2 * 300 + 1];
    opgp_hex_encode(data, 255, hex, sizeof hex);
    snprintf(first, sizeof first, "102A8086FF%s", hex);
    opgp_hex_encode(data + 255, 45, hex, sizeof hex);
    snprintf(last, sizeof last, "002A80862D%s00", hex);
    mock_expect(f->mock, first, "9000");
    mock_expect(f->mock, last, "C0FFEE9000");
    opgp_apdu c = {.ins = 0x2A, .p1 = 0x80, .p2 = 0x86, .data = data, .data_len = 300,
                   .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_int_equal(f->sw, 0x9000);
    assert_resp(f, "C0FFEE");
    assert_int_equal(f->link.apdu_count, 2);
}

static void transceive_chaining_exact_multiple_and_refusal(void **state)
{
    fixture *f = *state;
    f->link.chaining = true;
    f->link.max_cmd_data = 4;
    const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    mock_expect(f->mock, "10DB3FFF0401020304", "9000");
    mock_expect(f->mock, "00DB3FFF0405060708", "9000");
    opgp_apdu c = {.ins = 0xDB, .p1 = 0x3F, .p2 = 0xFF, .data = data, .data_len = 8};
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_int_equal(f->sw, 0x9000);
    assert_int_equal(f->link.apdu_count, 2);

    /* the card refuses the first piece: that is the answer, the rest is not sent */
    f->resp_len = sizeof f->resp;
    mock_expect(f->mock, "10DB3FFF0401020304", "6A80");
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_int_equal(f->sw, 0x6A80);
    assert_int_equal(f->link.apdu_count, 3);
}

static void transceive_too_long_without_chaining(void **state)
{
    fixture *f = *state;
    uint8_t data[256] = {0};
    opgp_apdu c = {.ins = 0xDB, .p1 = 0x3F, .p2 = 0xFF, .data = data, .data_len = 256};
    assert_int_equal(run(f, &c), OPGP_E_WRONG_LENGTH);
    assert_int_equal(mock_calls(f->mock), 0);
    assert_int_equal(f->link.apdu_count, 0);
}

static void transceive_get_response(void **state)
{
    fixture *f = *state;
    mock_expect(f->mock, "00CA006E00", "01026103");
    mock_expect(f->mock, "00C0000003", "0304056100");
    mock_expect(f->mock, "00C0000000", "069000");
    opgp_apdu c = {.ins = 0xCA, .p2 = 0x6E, .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_int_equal(f->sw, 0x9000);
    assert_resp(f, "010203040506");
    assert_int_equal(f->link.apdu_count, 3);
}

static void transceive_endless_61xx(void **state)
{
    fixture *f = *state;
    mock_expect(f->mock, "00CA006E00", "6101");
    mock_expect_forever(f->mock, "00C0000001", "AA6101");
    opgp_apdu c = {.ins = 0xCA, .p2 = 0x6E, .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_E_PROTOCOL);
    assert_int_equal(mock_calls(f->mock), 1 + OPGP_MAX_GET_RESPONSE);
    assert_int_equal(f->link.apdu_count, 1 + OPGP_MAX_GET_RESPONSE);
    assert_int_equal(f->resp_len, 0);
    mock_transport_free(f->mock); /* the forever entry stays pending by design */
    f->mock = mock_transport_new();
}

static void transceive_6cxx_reissue(void **state)
{
    fixture *f = *state;
    mock_expect(f->mock, "00CA00C400", "6C07");
    mock_expect(f->mock, "00CA00C407", "004040400300039000");
    opgp_apdu c = {.ins = 0xCA, .p2 = 0xC4, .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_resp(f, "00404040030003");
    assert_int_equal(f->link.apdu_count, 2);

    f->resp_len = sizeof f->resp;
    mock_expect(f->mock, "00CA00C40A", "6C00");
    mock_expect(f->mock, "00CA00C400", "AB9000");
    c.le = 10;
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_resp(f, "AB");
}

static void transceive_second_6cxx_is_protocol_error(void **state)
{
    fixture *f = *state;
    mock_expect(f->mock, "00CA00C400", "6C07");
    mock_expect(f->mock, "00CA00C407", "6C05");
    opgp_apdu c = {.ins = 0xCA, .p2 = 0xC4, .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_E_PROTOCOL);
    assert_int_equal(f->link.apdu_count, 2);
}

/* Found by fuzz_card_session: a 6Cxx answer to VERIFY made the layer re-issue it, sending the
 * PIN twice. A command with no Le, or one carrying a secret, is never re-issued. */
static void transceive_6cxx_never_resends_a_pin(void **state)
{
    fixture *f = *state;
    static const uint8_t pin[] = {'1', '2', '3', '4', '5', '6', '7', '8'};
    mock_expect(f->mock, "00200083083132333435363738", "6C88");
    opgp_apdu c = {.ins = 0x20, .p2 = 0x83, .data = pin, .data_len = sizeof pin,
                   .sensitive = true};
    assert_int_equal(run(f, &c), OPGP_E_PROTOCOL);
    assert_int_equal(f->link.apdu_count, 1);

    f->resp_len = sizeof f->resp;
    static const uint8_t name[] = {'A'};
    mock_expect(f->mock, "00DA005B0141", "6C01");
    opgp_apdu put = {.ins = 0xDA, .p2 = 0x5B, .data = name, .data_len = sizeof name};
    assert_int_equal(run(f, &put), OPGP_E_PROTOCOL);
    assert_int_equal(f->link.apdu_count, 2);
}

static void transceive_short_responses(void **state)
{
    fixture *f = *state;
    mock_expect(f->mock, "00CA00C400", "");
    mock_expect(f->mock, "00CA00C400", "90");
    mock_expect(f->mock, "00CA006E00", "6101");
    mock_expect(f->mock, "00C0000001", "61");
    opgp_apdu c = {.ins = 0xCA, .p2 = 0xC4, .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_E_BAD_RESPONSE);
    f->resp_len = sizeof f->resp;
    assert_int_equal(run(f, &c), OPGP_E_BAD_RESPONSE);
    f->resp_len = sizeof f->resp;
    c.p2 = 0x6E;
    assert_int_equal(run(f, &c), OPGP_E_BAD_RESPONSE);
}

static void transceive_oversized_response(void **state)
{
    fixture *f = *state;
    opgp_apdu c = {.ins = 0xCA, .p2 = 0x6E, .le = OPGP_LE_MAX};
    /* in one piece: more than the transport may hand back */
    mock_expect(f->mock, "00CA006E00", "01020304059000");
    f->resp_len = 4;
    assert_int_equal(run(f, &c), OPGP_E_BUFFER_TOO_SMALL);
    assert_int_equal(f->resp_len, 0);
    /* gathered over GET RESPONSE: the sum no longer fits */
    mock_expect(f->mock, "00CA006E00", "0102036102");
    mock_expect(f->mock, "00C0000002", "04059000");
    f->resp_len = 4;
    assert_int_equal(run(f, &c), OPGP_E_BUFFER_TOO_SMALL);
    assert_int_equal(f->resp_len, 0);
    /* exactly full is fine */
    mock_expect(f->mock, "00CA006E00", "010203046100");
    mock_expect(f->mock, "00C0000000", "9000");
    f->resp_len = 4;
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_resp(f, "01020304");
}

static void transceive_transport_errors_pass_through(void **state)
{
    fixture *f = *state;
    mock_expect_error(f->mock, "00CA00C400", OPGP_E_NO_CARD);
    mock_expect_error(f->mock, "00CA00C400", OPGP_E_CARD_RESET);
    opgp_apdu c = {.ins = 0xCA, .p2 = 0xC4, .le = OPGP_LE_MAX};
    assert_int_equal(run(f, &c), OPGP_E_NO_CARD);
    f->resp_len = sizeof f->resp;
    assert_int_equal(run(f, &c), OPGP_E_CARD_RESET);
    assert_int_equal(f->link.apdu_count, 2);
}

typedef struct trace_log {
    char lines[8][2 * 300 + 4];
    opgp_apdu_dir dir[8];
    size_t n;
} trace_log;

static void record(void *arg, opgp_apdu_dir dir, const uint8_t *bytes, size_t len)
{
    trace_log *log = arg;
    assert_true(log->n < 8);
    assert_non_null(bytes);
    log->dir[log->n] = dir;
    opgp_hex_encode(bytes, len, log->lines[log->n], sizeof log->lines[0]);
    log->n++;
}

static void trace_redacts_secrets(void **state)
{
    fixture *f = *state;
    trace_log log = {0};
    f->link.trace = record;
    f->link.trace_arg = &log;

    mock_expect(f->mock, "0020008206313233343536", "9000");
    const uint8_t pin[] = "123456";
    opgp_apdu verify = {.ins = 0x20, .p2 = 0x82, .data = pin, .data_len = 6, .sensitive = true};
    assert_int_equal(run(f, &verify), OPGP_OK);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.dir[0], OPGP_APDU_SENT);
    assert_string_equal(log.lines[0], "0020008206585858585858");
    assert_int_equal(log.dir[1], OPGP_APDU_RECEIVED);
    assert_string_equal(log.lines[1], "9000");

    /* a deciphered session key in the response */
    f->resp_len = sizeof f->resp;
    mock_expect(f->mock, "002A80860300112200", "C0FF6101");
    mock_expect(f->mock, "00C0000001", "EE9000");
    const uint8_t ct[] = {0x00, 0x11, 0x22};
    opgp_apdu dec = {.ins = 0x2A, .p1 = 0x80, .p2 = 0x86, .data = ct, .data_len = 3,
                     .le = OPGP_LE_MAX, .sensitive_response = true};
    assert_int_equal(run(f, &dec), OPGP_OK);
    assert_resp(f, "C0FFEE");
    assert_int_equal(log.n, 6);
    assert_string_equal(log.lines[2], "002A80860300112200"); /* ciphertext is not secret */
    assert_string_equal(log.lines[3], "58586101");
    assert_string_equal(log.lines[4], "00C0000001");
    assert_string_equal(log.lines[5], "589000");
}

static void trace_redacts_every_chained_piece(void **state)
{
    fixture *f = *state;
    trace_log log = {0};
    f->link.trace = record;
    f->link.trace_arg = &log;
    f->link.chaining = true;
    f->link.max_cmd_data = 3;
    const uint8_t key[] = {0x11, 0x22, 0x33, 0x44, 0x55};
    mock_expect(f->mock, "10DB3FFF03112233", "9000");
    mock_expect(f->mock, "00DB3FFF024455", "9000");
    opgp_apdu c = {.ins = 0xDB, .p1 = 0x3F, .p2 = 0xFF, .data = key, .data_len = 5,
                   .sensitive = true};
    assert_int_equal(run(f, &c), OPGP_OK);
    assert_int_equal(log.n, 4);
    assert_string_equal(log.lines[0], "10DB3FFF03585858");
    assert_string_equal(log.lines[2], "00DB3FFF025858");
}

static void sw_mapping(void **state)
{
    (void)state;
    static const struct {
        uint16_t sw;
        opgp_status st;
    } map[] = {
        {0x9000, OPGP_OK},          {0x63C0, OPGP_E_WRONG_PIN},
        {0x63C2, OPGP_E_WRONG_PIN}, {0x6983, OPGP_E_PIN_BLOCKED},
        {0x6982, OPGP_E_SECURITY_STATUS}, {0x6985, OPGP_E_CONDITIONS},
        {0x6A80, OPGP_E_WRONG_DATA}, {0x6A88, OPGP_E_NOT_FOUND},
        {0x6A82, OPGP_E_NOT_FOUND}, {0x6D00, OPGP_E_NOT_SUPPORTED},
        {0x6E00, OPGP_E_NOT_SUPPORTED}, {0x6A81, OPGP_E_NOT_SUPPORTED},
        {0x6A86, OPGP_E_NOT_SUPPORTED}, {0x6B00, OPGP_E_NOT_SUPPORTED},
        {0x6700, OPGP_E_WRONG_LENGTH}, {0x6781, OPGP_E_WRONG_LENGTH},
        {0x6581, OPGP_E_MEMORY_FAILURE}, {0x6285, OPGP_E_TERMINATED},
        {0x6F00, OPGP_E_CARD},      {0x6300, OPGP_E_CARD},
        {0x9001, OPGP_E_CARD},      {0x6A89, OPGP_E_CARD},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (opgp_sw_status(map[i].sw) != map[i].st)
            fail_msg("SW %04X maps to %d, expected %d", map[i].sw, opgp_sw_status(map[i].sw),
                     map[i].st);
    }
}

static void error_from_sw(void **state)
{
    (void)state;
    opgp_error e;
    opgp_error_from_sw(&e, 0x63C2, 0x82);
    assert_int_equal(e.status, OPGP_E_WRONG_PIN);
    assert_int_equal(e.tries_left, 2);
    assert_int_equal(e.pin_ref, 0x82);
    assert_int_equal(e.sw, 0x63C2);
    opgp_error_from_sw(&e, 0x6983, 0x83);
    assert_int_equal(e.status, OPGP_E_PIN_BLOCKED);
    assert_int_equal(e.tries_left, 0);
    opgp_error_from_sw(&e, 0x6A88, 0);
    assert_int_equal(e.status, OPGP_E_NOT_FOUND);
    assert_int_equal(e.tries_left, -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_short_cases),
        cmocka_unit_test(encode_extended_cases),
        cmocka_unit_test(encode_rejects),
        T(transceive_plain),
        T(transceive_error_sw_is_not_a_failure),
        T(transceive_extended_le_capped),
        T(transceive_chaining),
        T(transceive_chaining_exact_multiple_and_refusal),
        T(transceive_too_long_without_chaining),
        T(transceive_get_response),
        T(transceive_endless_61xx),
        T(transceive_6cxx_reissue),
        T(transceive_second_6cxx_is_protocol_error),
        T(transceive_6cxx_never_resends_a_pin),
        T(transceive_short_responses),
        T(transceive_oversized_response),
        T(transceive_transport_errors_pass_through),
        T(trace_redacts_secrets),
        T(trace_redacts_every_chained_piece),
        cmocka_unit_test(sw_mapping),
        cmocka_unit_test(error_from_sw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
