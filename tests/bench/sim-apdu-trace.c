/* LD_PRELOAD library for opgp-sim: logs every APDU the card receives, so the benchmark can say
 * where the APDUs go (per INS, per GET DATA tag) without changing the simulator.
 *
 * opgp-sim reads vpcd messages (2-byte length + payload) with recv() and answers with one send()
 * per message; this library follows that stream on socket descriptors. A payload of one byte is
 * a vpcd control message (power, reset, ATR), not an APDU. Each APDU appends a line to the file
 * named by $BENCH_APDU_LOG:
 *   C <CLA> <INS> <P1> <P2> <command bytes>
 *   R <response bytes> <SW1SW2>
 * The file is written unbuffered, so a reader can count lines between two client commands. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);

/* One vpcd stream is enough: the simulator serves a single connection at a time. */
static struct {
    uint8_t head[2];
    size_t head_got;
    size_t want;       /* payload length of the message being read */
    size_t got;
    uint8_t apdu[4];   /* CLA INS P1 P2 of the payload */
    int is_apdu;       /* the last complete message was an APDU (its answer is next) */
} st;

static int log_fd = -2;

static void log_line(const char *line)
{
    if (log_fd == -2) {
        const char *path = getenv("BENCH_APDU_LOG");
        log_fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
    }
    if (log_fd >= 0) {
        size_t n = strlen(line);
        if (write(log_fd, line, n) != (ssize_t)n)
            log_fd = -1;
    }
}

static int is_socket(int fd)
{
    struct stat sb;
    return fstat(fd, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

static void consume(const uint8_t *b, size_t n)
{
    while (n > 0) {
        if (st.head_got < 2) {
            st.head[st.head_got++] = *b++;
            n--;
            if (st.head_got == 2) {
                st.want = (size_t)st.head[0] << 8 | st.head[1];
                st.got = 0;
                memset(st.apdu, 0, sizeof st.apdu);
            }
        } else {
            size_t take = st.want - st.got < n ? st.want - st.got : n;
            for (size_t i = 0; i < take; i++)
                if (st.got + i < sizeof st.apdu)
                    st.apdu[st.got + i] = b[i];
            st.got += take;
            b += take;
            n -= take;
        }
        if (st.head_got == 2 && st.got == st.want) {
            st.head_got = 0;
            st.is_apdu = st.want > 1;
            if (st.is_apdu) {
                char line[64];
                snprintf(line, sizeof line, "C %02X %02X %02X %02X %zu\n", st.apdu[0], st.apdu[1],
                         st.apdu[2], st.apdu[3], st.want);
                log_line(line);
            }
        }
    }
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    static recv_fn real;
    if (!real)
        real = (recv_fn)dlsym(RTLD_NEXT, "recv");
    ssize_t r = real(fd, buf, len, flags);
    if (r > 0 && !(flags & MSG_PEEK) && is_socket(fd))
        consume(buf, (size_t)r);
    return r;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    static send_fn real;
    if (!real)
        real = (send_fn)dlsym(RTLD_NEXT, "send");
    /* the simulator sends length + payload in one call */
    if (st.is_apdu && len >= 4 && is_socket(fd)) {
        const uint8_t *b = buf;
        size_t n = (size_t)b[0] << 8 | b[1];
        if (n >= 2 && n + 2 == len) {
            char line[48];
            snprintf(line, sizeof line, "R %zu %02X%02X\n", n, b[len - 2], b[len - 1]);
            log_line(line);
        }
        st.is_apdu = 0;
    }
    return real(fd, buf, len, flags);
}
