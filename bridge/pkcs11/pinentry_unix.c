/* The pinentry process on Unix: posix_spawn (safe in threaded applications) with a socket
 * pair as its stdin and stdout, so that a dead pinentry cannot raise SIGPIPE in the
 * application (send with MSG_NOSIGNAL). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pinentry.h"

extern char **environ;

#define READ_TIMEOUT_MS (5 * 60 * 1000) /* a user away from the dialog: give up, like gpg */

struct p11_pe_proc {
    int fd;
    pid_t pid;
};

p11_pe_proc *p11_pe_spawn(const char *program)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return NULL;
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        close(sv[0]);
        close(sv[1]);
        return NULL;
    }
    /* dup2 clears close-on-exec on the copies: only stdin and stdout reach the program. */
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
    char *argv[] = { (char *)program, NULL };
    pid_t pid;
    int err = posix_spawn(&pid, program, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    p11_pe_proc *pe = err == 0 ? malloc(sizeof *pe) : NULL;
    if (pe == NULL) {
        close(sv[0]);
        if (err == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        return NULL;
    }
    pe->fd = sv[0];
    pe->pid = pid;
    return pe;
}

bool p11_pe_write(p11_pe_proc *pe, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(pe->fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

size_t p11_pe_read(p11_pe_proc *pe, void *p, size_t n)
{
    for (;;) {
        struct pollfd pfd = { .fd = pe->fd, .events = POLLIN };
        int r = poll(&pfd, 1, READ_TIMEOUT_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 0;
        ssize_t got = recv(pe->fd, p, n, 0);
        if (got < 0 && errno == EINTR)
            continue;
        return got > 0 ? (size_t)got : 0;
    }
}

const char *p11_pe_ttyname(void)
{
    const char *tty = getenv("GPG_TTY");
    if (tty != NULL && tty[0] != '\0')
        return tty;
    for (int fd = 0; fd <= 2; fd++)
        if (isatty(fd))
            return ttyname(fd);
    return NULL;
}

const char *p11_pe_ttytype(void) { return getenv("TERM"); }

void p11_pe_end(p11_pe_proc *pe)
{
    close(pe->fd);
    /* After BYE and end of file a pinentry exits at once; one that lingers is killed. */
    for (int i = 0; i < 200; i++) {
        pid_t r = waitpid(pe->pid, NULL, WNOHANG);
        if (r == pe->pid || (r < 0 && errno != EINTR))
            goto done; /* reaped, or the application reaps its children itself */
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    kill(pe->pid, SIGKILL);
    waitpid(pe->pid, NULL, 0);
done:
    free(pe);
}
