/* PC/SC error mapping, and the PC/SC transport's behaviour when no service answers (a socket
 * path of our own that does not exist: the machine's pcscd is never contacted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "opgp/transport_pcsc.h"

static void maps_return_codes(void **state)
{
    (void)state;
    static const struct {
        LONG rv;
        opgp_status st;
    } map[] = {
        {SCARD_S_SUCCESS, OPGP_OK},
        {SCARD_W_RESET_CARD, OPGP_E_CARD_RESET},
        {SCARD_W_REMOVED_CARD, OPGP_E_NO_CARD},
        {SCARD_E_NO_SMARTCARD, OPGP_E_NO_CARD},
        {SCARD_W_UNPOWERED_CARD, OPGP_E_NO_CARD},
        {SCARD_E_TIMEOUT, OPGP_E_TIMEOUT},
        {SCARD_E_SHARING_VIOLATION, OPGP_E_SHARING},
        {SCARD_E_UNKNOWN_READER, OPGP_E_NO_READER},
        {SCARD_E_NO_READERS_AVAILABLE, OPGP_E_NO_READER},
        {SCARD_E_READER_UNAVAILABLE, OPGP_E_NO_READER},
        {SCARD_E_INSUFFICIENT_BUFFER, OPGP_E_BUFFER_TOO_SMALL},
        {SCARD_E_NO_MEMORY, OPGP_E_NO_MEMORY},
        {SCARD_E_INVALID_PARAMETER, OPGP_E_INVALID_ARG},
        {SCARD_E_UNSUPPORTED_FEATURE, OPGP_E_NOT_SUPPORTED},
        {SCARD_E_NO_SERVICE, OPGP_E_TRANSPORT},
        {SCARD_E_COMM_DATA_LOST, OPGP_E_TRANSPORT},
        {SCARD_F_INTERNAL_ERROR, OPGP_E_TRANSPORT},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (opgp_pcsc_map_error((long)map[i].rv) != map[i].st)
            fail_msg("%lx maps to %d, expected %d", (unsigned long)map[i].rv,
                     opgp_pcsc_map_error((long)map[i].rv), map[i].st);
    }
    /* The same code seen as a 32-bit Windows LONG (negative) maps the same way. */
    assert_int_equal(opgp_pcsc_map_error((long)(int32_t)0x80100068u), OPGP_E_CARD_RESET);
    assert_int_equal(opgp_pcsc_map_error((long)(int32_t)0x80100069u), OPGP_E_NO_CARD);
}

static void no_service(void **state)
{
    (void)state;
    setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/opgp-test/pcscd.comm", 1);
    opgp_transport *t = (opgp_transport *)1;
    assert_int_equal(opgp_pcsc_open(NULL, &t), OPGP_E_TRANSPORT);
    assert_null(t);
    assert_int_equal(opgp_pcsc_open("Some Reader 00 00", &t), OPGP_E_TRANSPORT);
    size_t len = 0;
    assert_int_equal(opgp_pcsc_list_readers(NULL, &len), OPGP_E_TRANSPORT);
    assert_int_equal(opgp_pcsc_open(NULL, NULL), OPGP_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maps_return_codes),
        cmocka_unit_test(no_service),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
