/* PINs from the controlling terminal (/dev/tty) with echo off, so that they neither show nor
 * depend on stdin (which scripts may use for data). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "opgp/crypto.h"
#include "pin_input.h"

int pin_read_fd_byte(int fd, char *c)
{
    for (;;) {
        ssize_t r = read(fd, c, 1);
        if (r >= 0)
            return (int)r;
        if (errno != EINTR)
            return -1;
    }
}

static int tty_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char c;
        int r = pin_read_fd_byte(fd, &c);
        if (r <= 0)
            return n > 0 ? (int)n : -1;
        if (c == '\n' || c == '\r')
            break;
        if (n + 1 >= cap) {
            /* Swallow the rest of the line: the PIN is rejected anyway. */
            while (pin_read_fd_byte(fd, &c) == 1 && c != '\n')
                ;
            return -2;
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    return (int)n;
}

int pin_read_terminal(const char *prompt, char *buf, size_t cap)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "opgp-tool: no terminal to read the PIN from (use --pin-fd N)\n");
        return -1;
    }
    struct termios old, quiet;
    bool restore = false;
    if (tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        /* Block ^C while echo is off, so the terminal is always restored. */
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    sigset_t block, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTSTP);
    sigprocmask(SIG_BLOCK, &block, &saved);

    if (prompt && write(fd, prompt, strlen(prompt)) < 0) {
        /* A prompt that cannot be shown still lets the user type. */
    }
    int n = tty_line(fd, buf, cap);

    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        /* nothing to do */
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
    close(fd);
    if (n == -2)
        fprintf(stderr, "opgp-tool: PIN too long\n");
    else if (n < 0)
        fprintf(stderr, "opgp-tool: no PIN entered\n");
    return n < 0 ? -1 : n;
}

int confirm_on_terminal(const char *question)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "opgp-tool: no terminal to confirm on (use --yes)\n");
        return 0;
    }
    if (write(fd, question, strlen(question)) < 0) {
        /* ignored: the answer decides */
    }
    char answer[16];
    int n = tty_line(fd, answer, sizeof answer);
    close(fd);
    return n == 3 && memcmp(answer, "yes", 3) == 0;
}
