/* The platform-independent half of PIN input: line reading from a descriptor. */
#include <stdio.h>

#include "opgp/crypto.h"
#include "pin_input.h"

static int read_fd_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char c;
        int r = pin_read_fd_byte(fd, &c);
        if (r < 0) {
            fprintf(stderr, "opgp-tool: cannot read a PIN from descriptor %d\n", fd);
            goto fail;
        }
        if (r == 0) {
            if (n == 0) {
                fprintf(stderr, "opgp-tool: descriptor %d ended before a PIN\n", fd);
                goto fail;
            }
            break;
        }
        if (c == '\n')
            break;
        if (n + 1 >= cap) {
            fprintf(stderr, "opgp-tool: PIN from descriptor %d is too long\n", fd);
            goto fail;
        }
        buf[n++] = c;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return (int)n;
fail:
    opgp_wipe(buf, cap);
    return -1;
}

int pin_read(int fd, const char *prompt, char *buf, size_t cap)
{
    if (!buf || cap < 2)
        return -1;
    if (fd >= 0)
        return read_fd_line(fd, buf, cap);
    int n = pin_read_terminal(prompt, buf, cap);
    if (n < 0)
        opgp_wipe(buf, cap);
    return n;
}
