/* opgp-sim: the simulator as a virtual card for vsmartcard's vpcd driver in pcscd.
 *
 * vpcd (reader.conf DEVICENAME /dev/null:PORT) listens on PORT; opgp-sim connects to it on
 * 127.0.0.1 and retries until vpcd is up. Each message either way is a 2-byte big-endian length and
 * a payload. From vpcd, a 1-byte payload is a control code (00 power off, 01 power on, 02 reset,
 * 04 ATR request, answered with the ATR); anything longer is a command APDU, answered with the
 * response APDU.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "opgp_sim.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: opgp-sim [--port N] [--alg ALG|none] [--serial HEX] [--state FILE] [--t0]\n"
            "                [--kdf] [--no-extended] [--pin-per-signature] [--delay-ms N]\n"
            "                [--stats FILE] [--pubkeys DIR] [--control FILE]\n"
            "ALG: rsa2048 rsa3072 rsa4096 p256 p384 p521 bp256 bp384 bp512 secp256k1 cv25519\n");
}

/* vpcd writes the length and the payload separately: acknowledging at once keeps its Nagle
 * algorithm from holding the payload back for a delayed ACK (~40 ms per message otherwise). */
static void quick_ack(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

static int read_all(int fd, uint8_t *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        quick_ack(fd);
        ssize_t r = recv(fd, b + got, n - got, 0);
        if (r == 0)
            return -1;
        if (r < 0) {
            if (errno == EINTR && !g_stop)
                continue;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

/* Length and payload in one segment where possible. */
static int send_msg(int fd, const uint8_t *b, size_t n)
{
    static uint8_t buf[2 + 0xFFFF];
    if (n > 0xFFFF)
        return -1;
    buf[0] = (uint8_t)(n >> 8);
    buf[1] = (uint8_t)n;
    if (n)
        memcpy(buf + 2, b, n);
    n += 2;
    size_t sent = 0;
    while (sent < n) {
        ssize_t r = send(fd, buf + sent, n - sent, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        sent += (size_t)r;
    }
    return 0;
}

static int connect_vpcd(unsigned port, int timeout_ms)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int waited = 0; waited <= timeout_ms && !g_stop; waited += 50) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            return -1;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        close(fd);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static void write_stats(opgp_sim *s, const char *path)
{
    if (!path)
        return;
    opgp_sim_stats st;
    opgp_sim_get_stats(s, &st);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f,
            "apdus %lu\nbytes_in %lu\nbytes_out %lu\nverifies %lu\nverifies_failed %lu\n"
            "get_responses %lu\nsignatures %lu\ndecipherments %lu\nauthentications %lu\nresets %lu\n",
            st.apdus, st.bytes_in, st.bytes_out, st.verifies, st.verifies_failed, st.get_responses,
            st.signatures, st.decipherments, st.authentications, st.resets);
    fclose(f);
}

/* Fault controls through pcscd (tests/faults, tests/stress). With --control FILE, the file is
 * read and removed before every vpcd message, so a test changes the running card by writing it
 * (write a temporary file, then rename it over FILE). One command per line:
 *   fault remove|mute|reset|sw|truncate|pad|endless61 [ins=HH] [after=N] [count=N] [sw=HHHH]
 *         [bytes=N]    the simulator's fault (opgp_sim_fault); with ins=HH it arms when a command
 *                      with that INS arrives, and applies from that command on
 *   clear              no fault, nothing pending
 *   remove | insert    the card leaves the reader (the connection to vpcd drops: vpcd's only
 *                      way to say "no card") | returns
 *   forget-pins [ins=HH]  the card forgets every verified PIN, as after another application's
 *                      logout (VERIFY P1=FF), now or just before the next command with that INS
 *   stall MS [ins=HH]  the next command (with that INS) gets no answer for MS ms, then the
 *                      connection drops the way a reader gives up on a mute card
 *   disconnect MS      the connection to vpcd drops now (the reader sees nothing) for MS ms
 *   stats FILE         the card's counters, now (the --stats format)
 * A card removed by a REMOVE fault stays out until "insert" too. */
typedef struct control {
    const char *path;
    bool held_out;
    int fault_ins; /* -1: none pending */
    opgp_sim_fault_spec fault;
    int forget_ins; /* -1: none pending */
    int stall_ins;  /* -1: none pending; 256: the next command whatever its INS */
    long stall_ms;
    long drop_ms; /* > 0: drop the connection now for that long */
} control;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !g_stop) {
    }
}

static long arg_num(const char *line, const char *key, int base, long dflt)
{
    const char *p = strstr(line, key);
    return p ? strtol(p + strlen(key), NULL, base) : dflt;
}

/* What another application's logout does: VERIFY with P1 FF for PW1 (81, 82) and PW3 (83). */
static void forget_pins(opgp_sim *s)
{
    for (uint8_t ref = 0x81; ref <= 0x83; ref++) {
        const uint8_t cmd[4] = {0x00, 0x20, 0xFF, ref};
        uint8_t resp[8];
        (void)opgp_sim_process(s, cmd, sizeof cmd, resp, sizeof resp);
    }
}

static void control_line(control *c, opgp_sim *s, const char *line)
{
    static const struct { const char *name; opgp_sim_fault_kind kind; } KINDS[] = {
        {"remove", OPGP_SIM_FAULT_REMOVE},     {"mute", OPGP_SIM_FAULT_MUTE},
        {"reset", OPGP_SIM_FAULT_RESET},       {"sw", OPGP_SIM_FAULT_SW},
        {"truncate", OPGP_SIM_FAULT_TRUNCATE}, {"pad", OPGP_SIM_FAULT_PAD},
        {"endless61", OPGP_SIM_FAULT_ENDLESS_61XX}};
    char word[32] = "", arg[256] = "";
    if (sscanf(line, "%31s %255s", word, arg) < 1)
        return;
    if (strcmp(word, "fault") == 0) {
        opgp_sim_fault_spec f;
        memset(&f, 0, sizeof f);
        for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
            if (strcmp(arg, KINDS[i].name) == 0)
                f.kind = KINDS[i].kind;
        if (f.kind == OPGP_SIM_FAULT_NONE) {
            fprintf(stderr, "opgp-sim: unknown fault in control: %s\n", line);
            return;
        }
        f.after = (unsigned long)arg_num(line, "after=", 10, 0);
        f.count = (unsigned long)arg_num(line, "count=", 10, 0);
        f.sw = (uint16_t)arg_num(line, "sw=", 16, 0x6F00);
        f.bytes = (size_t)arg_num(line, "bytes=", 10, 1);
        c->fault = f;
        c->fault_ins = (int)arg_num(line, "ins=", 16, -1);
        if (c->fault_ins < 0)
            opgp_sim_fault(s, &f);
    } else if (strcmp(word, "clear") == 0) {
        opgp_sim_fault(s, NULL);
        c->fault_ins = c->forget_ins = c->stall_ins = -1;
    } else if (strcmp(word, "remove") == 0) {
        /* the simulator takes a card out through its REMOVE fault, on a command: a probe
         * (counted in the card's APDU statistics, never a VERIFY) */
        static const uint8_t probe[5] = {0x00, 0xCA, 0x00, 0x4F, 0x00};
        opgp_sim_fault_spec f = {.kind = OPGP_SIM_FAULT_REMOVE, .count = 1};
        uint8_t dummy[64];
        if (opgp_sim_inserted(s) && !opgp_sim_present(s))
            opgp_sim_power(s, true);
        opgp_sim_fault(s, &f);
        (void)opgp_sim_process(s, probe, sizeof probe, dummy, sizeof dummy);
        opgp_sim_fault(s, NULL);
        c->held_out = true;
    } else if (strcmp(word, "insert") == 0) {
        c->held_out = false;
        opgp_sim_fault(s, NULL);
        if (!opgp_sim_inserted(s))
            opgp_sim_power(s, true);
    } else if (strcmp(word, "forget-pins") == 0) {
        c->forget_ins = (int)arg_num(line, "ins=", 16, -1);
        if (c->forget_ins < 0)
            forget_pins(s);
    } else if (strcmp(word, "stall") == 0) {
        c->stall_ms = strtol(arg, NULL, 10);
        c->stall_ins = (int)arg_num(line, "ins=", 16, 256);
    } else if (strcmp(word, "disconnect") == 0) {
        c->drop_ms = strtol(arg, NULL, 10);
        if (c->drop_ms <= 0)
            c->drop_ms = 1;
    } else if (strcmp(word, "stats") == 0) {
        write_stats(s, arg);
    } else {
        fprintf(stderr, "opgp-sim: unknown control: %s\n", line);
    }
}

static void control_poll(control *c, opgp_sim *s)
{
    if (!c->path)
        return;
    FILE *f = fopen(c->path, "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        control_line(c, s, line);
    fclose(f);
    unlink(c->path); /* consumed: the test waits for this */
}

/* Before a command APDU: what the controls armed for its INS. Returns false when the command
 * must get no answer and the connection must drop (a stall). */
static bool control_before_apdu(control *c, opgp_sim *s, const uint8_t *cmd, size_t n)
{
    int ins = n >= 2 ? cmd[1] : -1;
    if (c->fault_ins >= 0 && ins == c->fault_ins) {
        c->fault.after = 0;
        opgp_sim_fault(s, &c->fault);
        c->fault_ins = -1;
    }
    if (c->forget_ins >= 0 && ins == c->forget_ins) {
        forget_pins(s);
        c->forget_ins = -1;
    }
    if (c->stall_ins >= 0 && (c->stall_ins == 256 || ins == c->stall_ins)) {
        c->stall_ins = -1;
        sleep_ms(c->stall_ms);
        c->drop_ms = 1000;
        return false;
    }
    return true;
}

static void serve(opgp_sim *s, int fd, long delay_ms, control *c)
{
    uint8_t *cmd = malloc(65536), *resp = malloc(OPGP_MAX_RESPONSE);
    while (cmd && resp && !g_stop) {
        uint8_t h[2];
        if (read_all(fd, h, 2) != 0)
            break;
        size_t n = (size_t)h[0] << 8 | h[1];
        if (n && read_all(fd, cmd, n) != 0)
            break;
        control_poll(c, s);
        if (c->drop_ms > 0 || c->held_out)
            break; /* vpcd knows no card without a connection, and waits forever for an empty answer */
        if (n == 1) {
            switch (cmd[0]) {
            case 0x00: opgp_sim_power(s, false); break;
            case 0x01:
                if (!c->held_out)
                    opgp_sim_power(s, true);
                break;
            case 0x02: opgp_sim_reset(s); break;
            case 0x04: {
                uint8_t atr[OPGP_MAX_ATR];
                /* pcscd powers an idle card down and then asks for the ATR to learn whether
                 * a card is still there: answer for an inserted card, powered or not. */
                size_t al = opgp_sim_inserted(s) ? opgp_sim_atr(s, atr, sizeof atr) : 0;
                if (send_msg(fd, atr, al) != 0)
                    goto out;
                break;
            }
            default: break;
            }
            continue;
        }
        if (delay_ms > 0) {
            struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (!control_before_apdu(c, s, cmd, n))
            break;
        /* the largest message vpcd takes is 0xFFFF bytes */
        size_t rl = opgp_sim_process(s, cmd, n, resp, 0xFFFF);
        if (!opgp_sim_inserted(s))
            c->held_out = true; /* a REMOVE fault: out until "insert" */
        /* vpcd waits for an answer without a timeout: a card that gives none (a mute, reset or
         * removed card, or a response cut to nothing) is a reader that gave up, so the
         * connection drops, as a stall does, for long enough (1 s: pcscd polls every 0.4 s) that
         * pcscd sees the card leave and come back, as after a reader's reset. */
        if (rl == 0) {
            c->drop_ms = 1000;
            break;
        }
        if (send_msg(fd, resp, rl) != 0)
            break;
    }
out:
    free(cmd);
    free(resp);
}

int main(int argc, char **argv)
{
    static const struct option LONG[] = {
        {"port", required_argument, NULL, 'p'},   {"alg", required_argument, NULL, 'a'},
        {"serial", required_argument, NULL, 's'}, {"state", required_argument, NULL, 'S'},
        {"t0", no_argument, NULL, '0'},           {"kdf", no_argument, NULL, 'k'},
        {"no-extended", no_argument, NULL, 'n'},  {"pin-per-signature", no_argument, NULL, 'P'},
        {"delay-ms", required_argument, NULL, 'd'}, {"stats", required_argument, NULL, 't'},
        {"pubkeys", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
        {"control", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0}};
    opgp_sim_options opt;
    memset(&opt, 0, sizeof opt);
    unsigned port = 35963;
    const char *alg = "rsa2048", *stats = NULL, *pubdir = NULL;
    long delay_ms = 0;
    control ctl = {.fault_ins = -1, .forget_ins = -1, .stall_ins = -1};
    int c;
    while ((c = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (c) {
        case 'p': port = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'a': alg = optarg; break;
        case 's': opt.serial = (uint32_t)strtoul(optarg, NULL, 16); break;
        case 'S': opt.state_file = optarg; break;
        case '0': opt.t0 = true; break;
        case 'k': opt.kdf = true; break;
        case 'n': opt.no_extended = true; break;
        case 'P': opt.pin_per_signature = true; break;
        case 'd': delay_ms = strtol(optarg, NULL, 10); break;
        case 't': stats = optarg; break;
        case 'o': pubdir = optarg; break;
        case 'c': ctl.path = optarg; break;
        default: usage(); return c == 'h' ? 0 : 2;
        }
    }
    if (port == 0 || port > 65535) {
        usage();
        return 2;
    }
    bool fresh = true;
    if (opt.state_file && access(opt.state_file, F_OK) == 0)
        fresh = false;
    opgp_sim *s = opgp_sim_new(&opt);
    if (!s) {
        fprintf(stderr, "opgp-sim: cannot create the card (state file?)\n");
        return 1;
    }
    if (fresh && strcmp(alg, "none") != 0 && opgp_sim_provision(s, alg) != 0) {
        fprintf(stderr, "opgp-sim: cannot provision %s\n", alg);
        opgp_sim_free(s);
        return 2;
    }
    if (pubdir && opgp_sim_export(s, pubdir) != 0) {
        fprintf(stderr, "opgp-sim: cannot export to %s\n", pubdir);
        opgp_sim_free(s);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked recv returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = 0;
    while (!g_stop) {
        int fd = connect_vpcd(port, 10000);
        if (fd < 0) {
            if (!g_stop) {
                fprintf(stderr, "opgp-sim: vpcd not reachable on 127.0.0.1:%u\n", port);
                rc = 1;
            }
            break;
        }
        serve(s, fd, delay_ms, &ctl);
        close(fd);
        if (ctl.drop_ms > 0) {
            sleep_ms(ctl.drop_ms);
            ctl.drop_ms = 0;
        }
        /* a removed card: no connection (vpcd's "no card") until a control inserts it */
        while (ctl.held_out && !g_stop) {
            sleep_ms(50);
            control_poll(&ctl, s);
        }
    }
    write_stats(s, stats);
    opgp_sim_free(s);
    return rc;
}
