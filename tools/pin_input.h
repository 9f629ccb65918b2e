/* Reading PINs: from the terminal without echo, or from a file descriptor (one PIN per line) for
 * scripts. Never from the command line (other users see it in the process list). The buffers
 * hold secrets: callers wipe them with opgp_wipe. */
#ifndef OPGP_TOOL_PIN_INPUT_H
#define OPGP_TOOL_PIN_INPUT_H

#include <stddef.h>

/* Read one line (without its line end) into buf (cap bytes, NUL-terminated). fd >= 0: read from
 * that descriptor; fd < 0: prompt on the terminal with echo off. Returns the PIN length, or -1
 * (no terminal, end of input, line longer than cap - 1; the message is printed). */
int pin_read(int fd, const char *prompt, char *buf, size_t cap);

/* Platform halves (pin_input_unix.c / pin_input_win32.c). */
int pin_read_terminal(const char *prompt, char *buf, size_t cap);
/* One byte from fd: 1 read, 0 end of input, -1 error. */
int pin_read_fd_byte(int fd, char *c);

/* Ask a yes/no question on the terminal (echo on); true only for "yes". */
int confirm_on_terminal(const char *question);

#endif
