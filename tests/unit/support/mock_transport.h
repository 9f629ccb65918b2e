/* A scripted transport for unit tests: a queue of expected commands, each answered with a
 * canned response (or a transport error). A command that differs from the next expected one
 * fails the running cmocka test. */
#ifndef OPGP_TEST_MOCK_TRANSPORT_H
#define OPGP_TEST_MOCK_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/transport.h"

typedef struct mock_transport mock_transport;

mock_transport *mock_transport_new(void);
opgp_transport *mock_transport_base(mock_transport *m);
/* Expect cmd_hex next and answer resp_hex (data and SW1 SW2, any length incl. 0 or 1 byte). */
void mock_expect(mock_transport *m, const char *cmd_hex, const char *resp_hex);
/* Expect cmd_hex next and fail the transmit with st. */
void mock_expect_error(mock_transport *m, const char *cmd_hex, opgp_status st);
/* Expect cmd_hex and answer resp_hex for every command from here on (endless cards). */
void mock_expect_forever(mock_transport *m, const char *cmd_hex, const char *resp_hex);
/* Reader control (PC/SC part 10): expect control code with input in_hex next (among control
 * calls) and answer out_hex. With no control expectation left, control answers
 * OPGP_E_NOT_SUPPORTED like a reader without features. */
void mock_expect_control(mock_transport *m, uint32_t code, const char *in_hex, const char *out_hex);
/* Control expectations not consumed yet. */
size_t mock_control_pending(const mock_transport *m);
/* Expectations not consumed yet (a forever entry counts as one). */
size_t mock_pending(const mock_transport *m);
/* Commands received so far. */
size_t mock_calls(const mock_transport *m);
void mock_transport_free(mock_transport *m);

#endif
