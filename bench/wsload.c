/*
 * wsload — a small WebSocket load client for bench/websocket (Linux, epoll, one thread).
 *
 *   wsload echo   PORT PATH [-c CONNS] [-w WINDOW] [-s SIZE] [-d SECONDS] [-W WARMUP]
 *       CONNS connections (default 1), each keeping WINDOW text messages of SIZE bytes in
 *       flight (default 1, 32). Every reply is checked against what was sent (same bytes,
 *       same order). Messages sent during the WARMUP seconds (default 0.5) are not counted.
 *       Prints JSON: messages/s and round-trip p50/p90/p99/max in microseconds.
 *
 *   wsload fanout PORT PATH [-n MEMBERS] [-m MESSAGES] [-i INTERVAL_MS] [-s SIZE] [-t ws|sse|poll]
 *       MEMBERS connections join the room PATH (default 1000). Member 0 also sends MESSAGES
 *       text messages (default 200), one every INTERVAL_MS (default 20). For each message:
 *       the time from its send until the LAST member received it ("all"), and until each
 *       member received it ("each"). Prints JSON with p50/p99/max of both, in microseconds,
 *       and deliveries_per_s (deliveries from the first send to the last delivery; -i 0
 *       sends without pacing, so it measures how fast the server fans out).
 *
 *   -t sse|poll (fanout): the MEMBERS receive over HTTP instead of WebSocket, and one more
 *       connection, a WebSocket member that is not counted, sends (its own copies are ignored):
 *         sse   each member is a Server-Sent Events subscriber (GET PATH?client=sN with
 *               Accept: text/event-stream; chunked on HTTP/1.1), messages read from `data:` lines;
 *         poll  each member long-polls (GET PATH?since=N&wait=30&client=pN, keep-alive) and polls
 *               again with the answer's "next" at once. A message is sent only when every member
 *               has the previous one and INTERVAL_MS more have passed, so that all polls are held
 *               again when it is published ("1,000 long-pollers waiting, one message").
 *
 *   -z 1 (echo and fanout): offer permessage-deflate (RFC 7692) and fail unless the server
 *       accepts it; messages are then sent compressed (context taken over unless the server
 *       asks otherwise) and compressed server messages are inflated before they are checked.
 *       Messages compressed without context takeover (broadcast frames: one compression for all
 *       members) are inflated once per distinct compressed frame, not once per member.
 *
 *   wsload cat
 *       copies stdin to stdout with a write() per read(): a line-buffered echo program for
 *       `websocket exec` and websocketd (no stdio buffering, unlike plain `cat` in a pipe… it
 *       is in fact what cat does, but this one is guaranteed and identical for both servers).
 *
 * Client frames are masked with a fresh 32-bit key per frame, as RFC 6455 requires.
 * Server frames are parsed fully (7/16/64-bit lengths); pings are answered.
 * Every run is bounded in time: a hard alarm ends the process.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *msg) {
    printf("{\"error\": \"%s\"}\n", msg);
    fflush(stdout);
    exit(2);
}

static void on_alarm(int sig) {
    (void)sig;
    static const char m[] = "{\"error\": \"wsload: hard time limit reached\"}\n";
    ssize_t r = write(1, m, sizeof m - 1);
    (void)r;
    _exit(3);
}

/* ------------------------------------------------------------------ samples */

typedef struct { uint64_t *v; size_t n, cap; } samples_t;

static void add_sample(samples_t *s, uint64_t x) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 65536;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) die("out of memory");
    }
    s->v[s->n++] = x;
}

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6
         + (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* nearest-rank percentile, in microseconds */
static double pct_us(samples_t *s, double p) {
    if (s->n == 0) return -1;
    size_t k = (size_t)(p / 100.0 * (double)s->n + 0.999999);
    if (k < 1) k = 1;
    if (k > s->n) k = s->n;
    return (double)s->v[k - 1] / 1000.0;
}

/* ------------------------------------------------------------------ connections */

enum { C_CONNECTING, C_HANDSHAKE, C_OPEN, C_CLOSED };
/* how a connection receives: a WebSocket, a Server-Sent Events stream, or long polls */
enum { K_WS, K_SSE, K_POLL };

typedef struct conn {
    int fd, state, idx;
    char *rbuf; size_t rlen, rcap;
    char *wbuf; size_t wlen, woff, wcap;
    int want_out;
    /* echo */
    uint32_t sent, recvd;        /* sequence numbers */
    uint64_t *ts;                /* send time per in-flight message (ring, size window) */
    /* permessage-deflate, when negotiated */
    z_stream *zout, *zin;
    int reset_out, reset_in;     /* client_/server_no_context_takeover */
    unsigned char *zbuf; size_t zcap;    /* compressed output */
    unsigned char *ibuf; size_t icap;    /* inflated input */
    /* HTTP receivers (K_SSE, K_POLL) */
    int kind;
    int status;                  /* of the response being read */
    int chunked, last_chunk, body_done;
    long body_left;              /* Content-Length still to come; -1: until the connection ends */
    long chunk_left;             /* 0: a size line is next; -2: the CRLF after a chunk's data */
    char *sbuf; size_t slen, scap;       /* the decoded body */
    long since;                  /* K_POLL: the last message id it has */
} conn_t;

static int g_ep;
static int g_port;
static const char *g_path;
static conn_t *g_conns;
static int g_nconns;
static int g_open, g_failed, g_closed_early;
static char g_fail_status[160];
static uint32_t g_rng = 0x9e3779b9u;
static int g_deflate;            /* -z 1: offer permessage-deflate */
static int g_kind = K_WS;        /* -t: how fan-out members receive (the sender is always K_WS) */
static char f_tag[16];           /* fan-out: the run's tag, which starts every message of ours */

static uint32_t rnd32(void) {  /* xorshift32 */
    g_rng ^= g_rng << 13; g_rng ^= g_rng >> 17; g_rng ^= g_rng << 5;
    return g_rng;
}

static void ep_mod(conn_t *c) {
    struct epoll_event ev = { .events = EPOLLIN | (c->want_out ? EPOLLOUT : 0), .data.ptr = c };
    epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_close(conn_t *c) {
    if (c->state == C_CLOSED) return;
    if (c->state == C_OPEN) g_open--;
    epoll_ctl(g_ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->state = C_CLOSED;
}

/* write pending output; returns -1 if the connection broke */
static int conn_flush(conn_t *c) {
    while (c->woff < c->wlen) {
        ssize_t n = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);
        if (n > 0) { c->woff += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->want_out) { c->want_out = 1; ep_mod(c); }
            return 0;
        }
        return -1;
    }
    c->woff = c->wlen = 0;
    if (c->want_out) { c->want_out = 0; ep_mod(c); }
    return 0;
}

static void conn_queue(conn_t *c, const void *data, size_t len) {
    if (c->wlen + len > c->wcap) {
        if (c->woff) {
            memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
            c->wlen -= c->woff; c->woff = 0;
        }
        if (c->wlen + len > c->wcap) {
            c->wcap = (c->wlen + len) * 2;
            c->wbuf = realloc(c->wbuf, c->wcap);
            if (!c->wbuf) die("out of memory");
        }
    }
    memcpy(c->wbuf + c->wlen, data, len);
    c->wlen += len;
}

/* make room for n more bytes in *buf (capacity *cap) after `used` */
static void reserve(unsigned char **buf, size_t *cap, size_t used, size_t n) {
    if (used + n <= *cap) return;
    *cap = (used + n) * 2;
    *buf = realloc(*buf, *cap);
    if (!*buf) die("out of memory");
}

static void queue_raw_frame(conn_t *c, int first, const char *payload, size_t len);

/* queue one masked client frame (the caller flushes); data frames are compressed (RSV1) when
   permessage-deflate was negotiated: sync flush, the trailing 00 00 ff ff removed (RFC 7692 7.2.1) */
static void queue_frame(conn_t *c, int opcode, const char *payload, size_t len) {
    if (!c->zout || (opcode != 0x1 && opcode != 0x2)) { queue_raw_frame(c, 0x80 | opcode, payload, len); return; }
    size_t used = 0;
    c->zout->next_in = (unsigned char *)payload;
    c->zout->avail_in = (unsigned)len;
    do {
        reserve(&c->zbuf, &c->zcap, used, len / 2 + 64);
        c->zout->next_out = c->zbuf + used;
        c->zout->avail_out = (unsigned)(c->zcap - used);
        if (deflate(c->zout, Z_SYNC_FLUSH) == Z_STREAM_ERROR) die("deflate failed");
        used = c->zcap - c->zout->avail_out;
    } while (c->zout->avail_out == 0);
    if (used >= 4) used -= 4;
    if (c->reset_out) deflateReset(c->zout);
    queue_raw_frame(c, 0xC0 | opcode, (const char *)c->zbuf, used);
}

static void queue_raw_frame(conn_t *c, int first, const char *payload, size_t len) {
    unsigned char hdr[14];
    size_t h = 0;
    hdr[h++] = (unsigned char)first;
    if (len < 126) hdr[h++] = (unsigned char)(0x80 | len);
    else if (len < 65536) { hdr[h++] = 0x80 | 126; hdr[h++] = (unsigned char)(len >> 8); hdr[h++] = (unsigned char)len; }
    else { hdr[h++] = 0x80 | 127; for (int i = 7; i >= 0; i--) hdr[h++] = (unsigned char)((uint64_t)len >> (8 * i)); }
    uint32_t key = rnd32();
    unsigned char mk[4] = { (unsigned char)(key >> 24), (unsigned char)(key >> 16), (unsigned char)(key >> 8), (unsigned char)key };
    memcpy(hdr + h, mk, 4); h += 4;
    conn_queue(c, hdr, h);
    unsigned char buf[4096];
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < sizeof buf ? len - off : sizeof buf;
        for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)payload[off + i] ^ mk[(off + i) & 3];
        conn_queue(c, buf, n);
        off += n;
    }
}

/* queue one masked client frame and try to send it now */
static int send_frame(conn_t *c, int opcode, const char *payload, size_t len) {
    queue_frame(c, opcode, payload, len);
    return conn_flush(c);
}

static const char HANDSHAKE_KEY[] = "dGhlIHNhbXBsZSBub25jZQ==";

static void conn_start(conn_t *c) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket() failed (open-file limit?)");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)g_port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = fd;
    c->state = C_CONNECTING;
    c->want_out = 1;
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
    epoll_ctl(g_ep, EPOLL_CTL_ADD, fd, &ev);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
        g_failed++;
        snprintf(g_fail_status, sizeof g_fail_status, "connect: %s", strerror(errno));
        conn_close(c);
    }
}

typedef void (*on_message_fn)(conn_t *c, int opcode, const char *p, size_t len, uint64_t t);

static int fail_handshake(conn_t *c, const char *why) {
    g_failed++;
    if (!g_fail_status[0]) snprintf(g_fail_status, sizeof g_fail_status, "%s", why);
    conn_close(c);
    return -1;
}

/* parse the 101 response; returns 1 when open, 0 if incomplete, -1 failed */
static int parse_handshake(conn_t *c) {
    char *end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
    if (!end) return c->rlen > 16384 ? fail_handshake(c, "response head too large") : 0;
    size_t head = (size_t)(end - c->rbuf) + 4;
    if (c->rlen < 12 || memcmp(c->rbuf, "HTTP/1.1 101", 12) != 0) {
        char line[120];
        size_t n = 0;
        while (n < c->rlen && n < sizeof line - 1 && c->rbuf[n] != '\r' && c->rbuf[n] != '"' && c->rbuf[n] != '\\') { line[n] = c->rbuf[n]; n++; }
        line[n] = 0;
        return fail_handshake(c, line);
    }
    if (!memmem(c->rbuf, head, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28))
        return fail_handshake(c, "wrong Sec-WebSocket-Accept");
    if (g_deflate) {
        if (!memmem(c->rbuf, head, "permessage-deflate", 18)) return fail_handshake(c, "permessage-deflate not accepted");
        c->reset_out = memmem(c->rbuf, head, "client_no_context_takeover", 26) != NULL;
        c->reset_in = memmem(c->rbuf, head, "server_no_context_takeover", 26) != NULL;
        c->zout = calloc(1, sizeof *c->zout);
        c->zin = calloc(1, sizeof *c->zin);
        if (!c->zout || !c->zin) die("out of memory");
        /* a server may cap our window (client_max_window_bits=N); zlib's raw deflate takes 9..15 */
        int bits = 15;
        const char *cm = memmem(c->rbuf, head, "client_max_window_bits=", 23);
        if (cm) bits = atoi(cm + 23);
        if (bits < 9) bits = 9;
        if (bits > 15) bits = 15;
        if (deflateInit2(c->zout, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY) != Z_OK
            || inflateInit2(c->zin, -15) != Z_OK)
            die("zlib init failed");
    }
    memmove(c->rbuf, c->rbuf + head, c->rlen - head);
    c->rlen -= head;
    c->state = C_OPEN;
    g_open++;
    return 1;
}

/* Messages inflated without context takeover, by their compressed bytes. A room's members get
   the same compressed frame (one compression per message, server_no_context_takeover), so the
   load client inflates each message once, not once per member: on a shared machine inflating
   every copy costs more CPU than the server's whole fan-out and the figure would be the client's.
   A direct-mapped cache of recent messages (a member may be up to a few thousand behind another);
   a hit compares every byte. */
#define ZCACHE 8192
typedef struct { unsigned char *in, *out; size_t len, out_len, in_cap, out_cap; } zmemo_t;
static zmemo_t g_zmemo[ZCACHE];

static zmemo_t *zmemo_slot(const char *payload, size_t len) {
    uint32_t h = 2166136261u;  /* FNV-1a */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)payload[i]) * 16777619u;
    return &g_zmemo[h % ZCACHE];
}

static zmemo_t *zmemo_find(const char *payload, size_t len) {
    zmemo_t *m = zmemo_slot(payload, len);
    return m->in && m->len == len && !memcmp(m->in, payload, len) ? m : NULL;
}

static void remember_inflated(const char *payload, size_t len, const unsigned char *out, size_t out_len) {
    zmemo_t *m = zmemo_slot(payload, len);
    reserve(&m->in, &m->in_cap, 0, len + 1);
    reserve(&m->out, &m->out_cap, 0, out_len + 1);
    memcpy(m->in, payload, len);
    memcpy(m->out, out, out_len);
    m->len = len;
    m->out_len = out_len;
}

/* parse complete server frames from rbuf */
static void parse_frames(conn_t *c, on_message_fn on_msg, uint64_t t) {
    size_t off = 0;
    zmemo_t *memo;
    while (c->state == C_OPEN) {
        size_t avail = c->rlen - off;
        const unsigned char *p = (const unsigned char *)c->rbuf + off;
        if (avail < 2) break;
        int fin = p[0] & 0x80, opcode = p[0] & 0x0f, masked = p[1] & 0x80;
        uint64_t len = p[1] & 0x7f;
        size_t h = 2;
        if (len == 126) { if (avail < 4) break; len = ((uint64_t)p[2] << 8) | p[3]; h = 4; }
        else if (len == 127) { if (avail < 10) break; len = 0; for (int i = 0; i < 8; i++) len = (len << 8) | p[2 + i]; h = 10; }
        if (masked) h += 4;  /* servers must not mask; tolerate it anyway */
        if (avail < h + len) break;
        char *payload = c->rbuf + off + h;
        if (masked) for (uint64_t i = 0; i < len; i++) payload[i] ^= (char)p[h - 4 + (i & 3)];
        if (!fin && opcode < 8) { g_closed_early++; conn_close(c); return; }  /* we never fragment; neither should echo */
        if (opcode == 0x9) queue_frame(c, 0xA, payload, (size_t)len);
        else if (opcode == 0x8) { g_closed_early++; conn_close(c); return; }
        else if ((opcode == 0x1 || opcode == 0x2) && (p[0] & 0x40) && c->zin && c->reset_in
                 && (memo = zmemo_find(payload, (size_t)len)) != NULL) {
            /* compressed bytes already inflated, without context takeover: the same message */
            on_msg(c, opcode, (const char *)memo->out, memo->out_len, t);
        }
        else if ((opcode == 0x1 || opcode == 0x2) && (p[0] & 0x40) && c->zin) {
            /* a compressed message: inflate payload + 00 00 ff ff (RFC 7692 7.2.2) */
            static const unsigned char tail[4] = { 0, 0, 0xff, 0xff };
            size_t used = 0;
            for (int part = 0; part < 2; part++) {
                c->zin->next_in = part ? (unsigned char *)tail : (unsigned char *)payload;
                c->zin->avail_in = part ? 4 : (unsigned)len;
                do {
                    reserve(&c->ibuf, &c->icap, used, (size_t)len * 4 + 256);
                    c->zin->next_out = c->ibuf + used;
                    c->zin->avail_out = (unsigned)(c->icap - used);
                    int r = inflate(c->zin, Z_SYNC_FLUSH);
                    if (r != Z_OK && r != Z_BUF_ERROR && r != Z_STREAM_END) { g_closed_early++; conn_close(c); return; }
                    used = c->icap - c->zin->avail_out;
                } while (c->zin->avail_out == 0);
            }
            if (c->reset_in) {
                inflateReset(c->zin);
                remember_inflated(payload, (size_t)len, c->ibuf, used);
            }
            on_msg(c, opcode, (const char *)c->ibuf, used, t);
        }
        else if (opcode == 0x1 || opcode == 0x2) on_msg(c, opcode, payload, (size_t)len, t);
        off += h + (size_t)len;
    }
    if (c->state == C_CLOSED) return;
    memmove(c->rbuf, c->rbuf + off, c->rlen - off);
    c->rlen -= off;
}

/* ------------------------------------------------------------------ HTTP receivers (SSE, long polls) */

static void poll_request(conn_t *c) {
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s?since=%ld&wait=30&client=p%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                     "User-Agent: wsload\r\n\r\n", g_path, c->since, c->idx, g_port);
    conn_queue(c, req, (size_t)n);
}

static void sbuf_append(conn_t *c, const char *p, size_t n) {
    reserve((unsigned char **)&c->sbuf, &c->scap, c->slen, n + 1);
    memcpy(c->sbuf + c->slen, p, n);
    c->slen += n;
}

/* a response head in rbuf: 1 when read (and removed), 0 if incomplete, -1 if malformed */
static int http_head(conn_t *c) {
    char *end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
    if (!end) return c->rlen > 16384 ? -1 : 0;
    size_t head = (size_t)(end - c->rbuf) + 4;
    if (c->rlen < 12 || memcmp(c->rbuf, "HTTP/1.", 7) != 0) return -1;
    c->status = atoi(c->rbuf + 9);
    c->chunked = 0;
    c->body_left = -1;
    for (char *line = memchr(c->rbuf, '\n', head); line && line < end; line = memchr(line, '\n', (size_t)(end - line))) {
        line++;
        if (!strncasecmp(line, "transfer-encoding:", 18)) {
            char *v = line + 18;
            while (*v == ' ') v++;
            c->chunked = !strncasecmp(v, "chunked", 7);
        } else if (!strncasecmp(line, "content-length:", 15)) {
            c->body_left = atol(line + 15);
        }
    }
    if (c->chunked) c->body_left = -1;
    c->last_chunk = c->body_done = 0;
    c->chunk_left = 0;
    c->slen = 0;
    if (!c->chunked && c->body_left == 0) c->body_done = 1;
    memmove(c->rbuf, c->rbuf + head, c->rlen - head);
    c->rlen -= head;
    return 1;
}

/* moves the body bytes in rbuf to sbuf, chunked framing removed; body_done at its end
   (Content-Length reached, or the last chunk). -1 on bad framing. */
static int http_body(conn_t *c) {
    size_t off = 0;
    while (off < c->rlen && !c->body_done) {
        char *p = c->rbuf + off;
        size_t avail = c->rlen - off;
        if (!c->chunked) {
            size_t n = avail;
            if (c->body_left >= 0 && (size_t)c->body_left < n) n = (size_t)c->body_left;
            sbuf_append(c, p, n);
            off += n;
            if (c->body_left >= 0 && (c->body_left -= (long)n) == 0) c->body_done = 1;
        } else if (c->chunk_left > 0) {
            size_t n = avail < (size_t)c->chunk_left ? avail : (size_t)c->chunk_left;
            sbuf_append(c, p, n);
            off += n;
            if ((c->chunk_left -= (long)n) == 0) c->chunk_left = -2;
        } else if (c->chunk_left == -2) {
            if (avail < 2) break;
            if (p[0] != '\r' || p[1] != '\n') return -1;
            off += 2;
            c->chunk_left = 0;
        } else {  /* a size line, or after the last chunk a trailer line or the blank line */
            char *nl = memchr(p, '\n', avail);
            if (!nl) { if (avail > 1024) return -1; break; }
            size_t linelen = (size_t)(nl - p) + 1;
            off += linelen;
            if (c->last_chunk) { if (linelen <= 2) c->body_done = 1; continue; }
            char *endp;
            long size = strtol(p, &endp, 16);
            if (endp == p || size < 0) return -1;
            if (size == 0) c->last_chunk = 1;
            else c->chunk_left = size;
        }
    }
    memmove(c->rbuf, c->rbuf + off, c->rlen - off);
    c->rlen -= off;
    return 0;
}

/* SSE: each complete `data:` line of the stream is a message (the messages here are one line) */
static void sse_events(conn_t *c, on_message_fn on_msg, uint64_t t) {
    size_t off = 0;
    char *nl;
    while ((nl = memchr(c->sbuf + off, '\n', c->slen - off)) != NULL) {
        char *line = c->sbuf + off;
        size_t len = (size_t)(nl - line);
        off += len + 1;
        if (len && line[len - 1] == '\r') len--;
        if (len >= 5 && !memcmp(line, "data:", 5)) {
            size_t skip = len > 5 && line[5] == ' ' ? 6 : 5;
            on_msg(c, 0x1, line + skip, len - skip, t);
        }
    }
    memmove(c->sbuf, c->sbuf + off, c->slen - off);
    c->slen -= off;
}

/* a long poll's JSON answer: every message of ours in it, then the next poll (since = "next") */
static void poll_answer(conn_t *c, on_message_fn on_msg, uint64_t t) {
    if (c->status != 200) {
        g_closed_early++;
        if (!g_fail_status[0]) snprintf(g_fail_status, sizeof g_fail_status, "long poll answered %d", c->status);
        conn_close(c);
        return;
    }
    sbuf_append(c, "", 1);  /* NUL-terminated for strtol */
    c->slen--;
    char *next = memmem(c->sbuf, c->slen, "\"next\":", 7);
    if (next) c->since = strtol(next + 7, NULL, 10);  /* the next poll's since (SPEC) */
    const char *q = c->sbuf;
    size_t tl = strlen(f_tag);
    char *m;
    while ((m = memmem(q, c->slen - (size_t)(q - c->sbuf), f_tag, tl)) != NULL) {
        char *end = memchr(m, '"', c->slen - (size_t)(m - c->sbuf));
        if (!end) break;
        on_msg(c, 0x1, m, (size_t)(end - m), t);
        q = end;
    }
    if (c->state != C_OPEN) return;
    c->slen = 0;
    poll_request(c);
    if (conn_flush(c) < 0) { g_closed_early++; conn_close(c); }
}

/* response bytes of an SSE or long-poll connection */
static void http_readable(conn_t *c, on_message_fn on_msg, uint64_t t) {
    while (c->state != C_CLOSED) {
        if (c->state == C_HANDSHAKE || (c->kind == K_POLL && c->status == 0)) {
            int r = http_head(c);
            if (r == 0) return;
            if (r < 0) { if (c->state == C_HANDSHAKE) fail_handshake(c, "bad response head"); else { g_closed_early++; conn_close(c); } return; }
            if (c->state == C_HANDSHAKE) {  /* an SSE stream: open once its 200 head came */
                if (c->status != 200) {
                    char why[64];
                    snprintf(why, sizeof why, "event stream answered %d", c->status);
                    fail_handshake(c, why);
                    return;
                }
                c->state = C_OPEN;
                g_open++;
            }
        }
        if (http_body(c) < 0) { g_closed_early++; conn_close(c); return; }
        if (c->kind == K_SSE) { sse_events(c, on_msg, t); return; }
        if (!c->body_done) return;
        poll_answer(c, on_msg, t);
        c->status = 0;  /* the next response's head comes next */
        if (c->rlen == 0) return;
    }
}

static void conn_readable(conn_t *c, on_message_fn on_msg) {
    for (;;) {
        if (c->rcap - c->rlen < 8192) {
            c->rcap = c->rcap ? c->rcap * 2 : 16384;
            c->rbuf = realloc(c->rbuf, c->rcap);
            if (!c->rbuf) die("out of memory");
        }
        ssize_t n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
        if (n > 0) {
            c->rlen += (size_t)n;
            uint64_t t = now_ns();
            if (c->kind != K_WS) {
                http_readable(c, on_msg, t);
                if (c->state == C_CLOSED) return;
                if ((size_t)n < 8192) return;
                continue;
            }
            if (c->state == C_HANDSHAKE && parse_handshake(c) <= 0) { if (c->state == C_CLOSED) return; continue; }
            if (c->state == C_OPEN) parse_frames(c, on_msg, t);
            if (c->state == C_CLOSED) return;
            if (c->wlen > c->woff && !c->want_out && conn_flush(c) < 0) { g_closed_early++; conn_close(c); return; }
            if ((size_t)n < 8192) return;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (c->state == C_HANDSHAKE) { fail_handshake(c, n == 0 ? "connection closed before 101" : strerror(errno)); return; }
        g_closed_early++;
        conn_close(c);
        return;
    }
}

static void conn_writable(conn_t *c) {
    if (c->state == C_CONNECTING) {
        int err = 0; socklen_t el = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) { fail_handshake(c, strerror(err)); return; }
        if (c->kind == K_POLL) {  /* open once its first poll is on its way */
            c->state = C_OPEN;
            g_open++;
            poll_request(c);
            if (conn_flush(c) < 0) { g_closed_early++; conn_close(c); }
            return;
        }
        char req[512];
        int n = c->kind == K_SSE
            ? snprintf(req, sizeof req,
                       "GET %s?client=s%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n"
                       "User-Agent: wsload\r\n\r\n", g_path, c->idx, g_port)
            : snprintf(req, sizeof req,
                         "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                         "Sec-WebSocket-Version: 13\r\n%s\r\n", g_path, g_port, HANDSHAKE_KEY,
                         g_deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "");
        c->state = C_HANDSHAKE;
        conn_queue(c, req, (size_t)n);
    }
    if (conn_flush(c) < 0) {
        if (c->state == C_HANDSHAKE) fail_handshake(c, "write failed during handshake");
        else { g_closed_early++; conn_close(c); }
    }
}

static void dispatch(struct epoll_event *ev, on_message_fn on_msg) {
    conn_t *c = ev->data.ptr;
    if (c->state == C_CLOSED) return;
    if (ev->events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        if (c->state == C_CONNECTING || c->want_out) conn_writable(c);
        if (c->state == C_CLOSED) return;
    }
    if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) conn_readable(c, on_msg);
}

static void ignore_msg(conn_t *c, int op, const char *p, size_t len, uint64_t t) {
    (void)c; (void)op; (void)p; (void)len; (void)t;
}

/* open all connections, at most `burst` handshakes in progress at a time */
static void open_all(int burst, double timeout_s) {
    struct epoll_event evs[256];
    int started = 0;
    uint64_t deadline = now_ns() + (uint64_t)(timeout_s * 1e9);
    while (g_open + g_failed < g_nconns) {
        while (started < g_nconns && started - g_open - g_failed < burst) conn_start(&g_conns[started++]);
        if (now_ns() > deadline) break;
        int n = epoll_wait(g_ep, evs, 256, 100);
        for (int i = 0; i < n; i++) dispatch(&evs[i], ignore_msg);
    }
}

static void setup(int n) {
    g_nconns = n;
    g_conns = calloc((size_t)n, sizeof *g_conns);
    if (!g_conns) die("out of memory");
    for (int i = 0; i < n; i++) g_conns[i].idx = i;
    g_ep = epoll_create1(EPOLL_CLOEXEC);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max : (rlim_t)n + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void print_fail_and_exit(const char *mode) {
    printf("{\"mode\": \"%s\", \"error\": \"%d of %d connections failed the handshake: %s\"}\n",
           mode, g_failed, g_nconns, g_fail_status[0] ? g_fail_status : "timeout");
    exit(1);
}

/* ------------------------------------------------------------------ echo */

static int e_window = 1;
static size_t e_size = 32;
static uint64_t e_measure_from, e_measure_to;
static samples_t e_rtt;
static uint64_t e_count, e_mismatch;
static int e_stop;
static char *e_expect;

/* payload for (connection, seq): "cccccccc ssssssss " then 'x' padding (ASCII text) */
static void make_payload(char *buf, size_t size, int conn, uint32_t seq) {
    char head[32];
    int n = snprintf(head, sizeof head, "%08x %08x ", (unsigned)conn, (unsigned)seq);
    memset(buf, 'x', size);
    memcpy(buf, head, (size_t)n < size ? (size_t)n : size);
}

/* queue the connection's next message; replies read together are answered in one write */
static void echo_queue(conn_t *c) {
    make_payload(e_expect, e_size, c->idx, c->sent);
    c->ts[c->sent % (uint32_t)e_window] = now_ns();
    c->sent++;
    queue_frame(c, 0x1, e_expect, e_size);
}

static void echo_msg(conn_t *c, int op, const char *p, size_t len, uint64_t t) {
    (void)op;
    if (c->recvd == c->sent) { e_mismatch++; return; }
    uint64_t st = c->ts[c->recvd % (uint32_t)e_window];
    make_payload(e_expect, e_size, c->idx, c->recvd);
    if (len != e_size || memcmp(p, e_expect, e_size) != 0) e_mismatch++;
    c->recvd++;
    if (st >= e_measure_from && t <= e_measure_to) {
        e_count++;
        add_sample(&e_rtt, t - st);
    }
    if (!e_stop) echo_queue(c);
}

static int run_echo(int conns, double duration, double warmup) {
    setup(conns);
    e_expect = malloc(e_size + 1);
    open_all(100, 30);
    if (g_open < conns) print_fail_and_exit("echo");
    for (int i = 0; i < conns; i++) g_conns[i].ts = calloc((size_t)e_window, sizeof(uint64_t));
    uint64_t t0 = now_ns();
    double cpu0 = cpu_s();
    e_measure_from = t0 + (uint64_t)(warmup * 1e9);
    e_measure_to = e_measure_from + (uint64_t)(duration * 1e9);
    for (int i = 0; i < conns; i++) {
        conn_t *c = &g_conns[i];
        for (int w = 0; w < e_window; w++) echo_queue(c);
        if (conn_flush(c) < 0) { g_closed_early++; conn_close(c); }
    }
    struct epoll_event evs[512];
    for (;;) {
        uint64_t t = now_ns();
        if (t >= e_measure_to) break;
        int ms = (int)((e_measure_to - t) / 1000000) + 1;
        int n = epoll_wait(g_ep, evs, 512, ms < 100 ? ms : 100);
        for (int i = 0; i < n; i++) dispatch(&evs[i], echo_msg);
        if (g_open == 0) break;
    }
    e_stop = 1;
    double client_cpu = (cpu_s() - cpu0) / ((double)(now_ns() - t0) / 1e9);
    uint64_t elapsed = now_ns() - e_measure_from;
    double secs = elapsed < (uint64_t)(duration * 1e9) ? (double)elapsed / 1e9 : duration;
    qsort(e_rtt.v, e_rtt.n, sizeof *e_rtt.v, cmp_u64);
    printf("{\"mode\": \"echo\", \"conns\": %d, \"window\": %d, \"size\": %zu, \"duration\": %.3f, "
           "\"messages\": %llu, \"msgs_per_s\": %.1f, \"p50_us\": %.1f, \"p90_us\": %.1f, "
           "\"p99_us\": %.1f, \"max_us\": %.1f, \"mismatches\": %llu, \"closed_early\": %d, "
           "\"client_cpu\": %.3f}\n",
           conns, e_window, e_size, secs, (unsigned long long)e_count, (double)e_count / secs,
           pct_us(&e_rtt, 50), pct_us(&e_rtt, 90), pct_us(&e_rtt, 99),
           e_rtt.n ? (double)e_rtt.v[e_rtt.n - 1] / 1000.0 : -1.0,
           (unsigned long long)e_mismatch, g_closed_early, client_cpu);
    return 0;
}

/* ------------------------------------------------------------------ fan-out */

static int f_messages = 200;
static int f_interval_ms = 20;
static size_t f_size = 32;
static uint64_t *f_sent_at;      /* per seq */
static uint64_t *f_last_at;      /* per seq: latest receive time */
static int *f_got;               /* per seq: members that received it */
static int *f_next;              /* per member: next expected seq (order check) */
static samples_t f_each;
static uint64_t f_out_of_order, f_foreign;
static int f_sync_got;

static void fanout_msg(conn_t *c, int op, const char *p, size_t len, uint64_t t) {
    (void)op;
    if (g_kind != K_WS && c->idx == 0) return;  /* the sender is not a measured member */
    size_t tl = strlen(f_tag);
    if (len < tl + 2 || memcmp(p, f_tag, tl) != 0) { f_foreign++; return; }  /* history or others */
    if (p[tl] == 'S') { f_sync_got++; return; }
    long seq = strtol(p + tl + 1, NULL, 10);
    if (seq < 0 || seq >= f_messages || !f_sent_at[seq]) { f_foreign++; return; }
    if (seq != f_next[c->idx]) f_out_of_order++;
    f_next[c->idx] = (int)seq + 1;
    f_got[seq]++;
    if (t > f_last_at[seq]) f_last_at[seq] = t;
    add_sample(&f_each, t - f_sent_at[seq]);
}

static void fanout_payload(char *buf, char kind, int seq) {
    char head[48];
    int n = snprintf(head, sizeof head, "%s%c%d ", f_tag, kind, seq);
    memset(buf, 'x', f_size);
    memcpy(buf, head, (size_t)n < f_size ? (size_t)n : f_size);
}

static void pump(on_message_fn fn, int timeout_ms) {
    struct epoll_event evs[512];
    int n = epoll_wait(g_ep, evs, 512, timeout_ms);
    for (int i = 0; i < n; i++) dispatch(&evs[i], fn);
}

static int run_fanout(int members) {
    if (f_size < 24) f_size = 24;
    /* over SSE or long polls, connection 0 is an extra WebSocket member that only sends */
    int extra = g_kind != K_WS;
    setup(members + extra);
    for (int i = extra; i < members + extra; i++) g_conns[i].kind = g_kind;
    snprintf(f_tag, sizeof f_tag, "wsl%06x", rnd32() & 0xffffff);
    f_sent_at = calloc((size_t)f_messages, sizeof *f_sent_at);
    f_last_at = calloc((size_t)f_messages, sizeof *f_last_at);
    f_got = calloc((size_t)f_messages, sizeof *f_got);
    f_next = calloc((size_t)(members + extra), sizeof *f_next);
    char *buf = malloc(f_size);
    uint64_t t_join = now_ns();
    open_all(100, 60);
    if (g_open < members + extra) print_fail_and_exit("fanout");
    double join_s = (double)(now_ns() - t_join) / 1e9;
    /* sync: one message everybody must see before the measured ones (the room is complete) */
    conn_t *sender = &g_conns[0];
    fanout_payload(buf, 'S', 0);
    send_frame(sender, 0x1, buf, f_size);
    uint64_t deadline = now_ns() + 10000000000ull;
    while (f_sync_got < members && now_ns() < deadline && g_open > 0) pump(fanout_msg, 50);
    if (f_sync_got < members) {
        printf("{\"mode\": \"fanout\", \"error\": \"only %d of %d members received the sync message\"}\n", f_sync_got, members);
        return 1;
    }
    uint64_t start = now_ns() + 50000000ull;
    double cpu0 = cpu_s();
    int sent = 0;
    uint64_t all_since = now_ns();  /* K_POLL: when every member had the previous message */
    while (sent < f_messages && g_open > 0) {
        uint64_t due = start + (uint64_t)sent * (uint64_t)f_interval_ms * 1000000ull;
        uint64_t t = now_ns();
        if (g_kind == K_POLL) {  /* every poll held again before the next message */
            if (sent > 0 && f_got[sent - 1] < members) {
                if (t > f_sent_at[sent - 1] + 10000000000ull) break;
                pump(fanout_msg, 5);
                all_since = now_ns();
                continue;
            }
            due = all_since + (uint64_t)f_interval_ms * 1000000ull;
        }
        if (t >= due) {
            fanout_payload(buf, 'M', sent);
            f_sent_at[sent] = now_ns();
            if (send_frame(sender, 0x1, buf, f_size) < 0) break;
            sent++;
            continue;
        }
        int ms = (int)((due - t) / 1000000);
        pump(fanout_msg, ms);
    }
    /* wait for the last deliveries, at most 10 s */
    deadline = now_ns() + 10000000000ull;
    for (;;) {
        int done = 1;
        for (int s = 0; s < sent; s++) if (f_got[s] < members) { done = 0; break; }
        if (done || now_ns() > deadline || g_open == 0) break;
        pump(fanout_msg, 20);
    }
    double client_cpu = (cpu_s() - cpu0) / ((double)(now_ns() - start) / 1e9);
    samples_t all = {0};
    long missing = 0;
    /* throughput: every delivery from the first send to the last delivery (with -i 0 the
       sender does not pace, so this is what the server can deliver) */
    uint64_t delivered = 0, last_at = 0;
    for (int s = 0; s < sent; s++) {
        delivered += (uint64_t)f_got[s];
        if (f_last_at[s] > last_at) last_at = f_last_at[s];
    }
    double span = sent && last_at > f_sent_at[0] ? (double)(last_at - f_sent_at[0]) / 1e9 : 0;
    for (int s = 0; s < sent; s++) {
        if (f_got[s] < members) { missing += members - f_got[s]; continue; }
        add_sample(&all, f_last_at[s] - f_sent_at[s]);
    }
    qsort(all.v, all.n, sizeof *all.v, cmp_u64);
    qsort(f_each.v, f_each.n, sizeof *f_each.v, cmp_u64);
    printf("{\"mode\": \"fanout\", \"members\": %d, \"messages\": %d, \"interval_ms\": %d, \"size\": %zu, "
           "\"join_s\": %.3f, \"complete\": %zu, \"missing_deliveries\": %ld, "
           "\"all_p50_us\": %.1f, \"all_p99_us\": %.1f, \"all_max_us\": %.1f, "
           "\"each_p50_us\": %.1f, \"each_p99_us\": %.1f, "
           "\"out_of_order\": %llu, \"foreign\": %llu, \"closed_early\": %d, \"client_cpu\": %.3f, "
           "\"deliveries_per_s\": %.1f}\n",
           members, sent, f_interval_ms, f_size, join_s, all.n, missing,
           pct_us(&all, 50), pct_us(&all, 99), all.n ? (double)all.v[all.n - 1] / 1000.0 : -1.0,
           pct_us(&f_each, 50), pct_us(&f_each, 99),
           (unsigned long long)f_out_of_order, (unsigned long long)f_foreign, g_closed_early,
           client_cpu, span > 0 ? (double)delivered / span : 0.0);
    return 0;
}

/* ------------------------------------------------------------------ cat */

static int run_cat(void) {
    char buf[65536];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return 1;
            off += w;
        }
    }
}

/* ------------------------------------------------------------------ main */

static void usage(void) {
    fprintf(stderr,
            "usage: wsload echo PORT PATH [-c CONNS] [-w WINDOW] [-s SIZE] [-d SECONDS] [-W WARMUP] [-z 1]\n"
            "       wsload fanout PORT PATH [-n MEMBERS] [-m MESSAGES] [-i INTERVAL_MS] [-s SIZE] [-z 1] [-t ws|sse|poll]\n"
            "       wsload cat\n");
    exit(64);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    if (strcmp(argv[1], "cat") == 0) return run_cat();
    if (argc < 4) usage();
    signal(SIGPIPE, SIG_IGN);
    g_port = atoi(argv[2]);
    g_path = argv[3];
    g_rng ^= (uint32_t)now_ns() ^ ((uint32_t)getpid() << 16);
    if (g_rng == 0) g_rng = 1;
    int conns = 1, members = 1000;
    double duration = 5, warmup = 0.5;
    for (int i = 4; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "-c")) conns = atoi(v);
        else if (!strcmp(o, "-w")) e_window = atoi(v);
        else if (!strcmp(o, "-s")) e_size = f_size = (size_t)atol(v);
        else if (!strcmp(o, "-d")) duration = atof(v);
        else if (!strcmp(o, "-W")) warmup = atof(v);
        else if (!strcmp(o, "-n")) members = atoi(v);
        else if (!strcmp(o, "-m")) f_messages = atoi(v);
        else if (!strcmp(o, "-i")) f_interval_ms = atoi(v);
        else if (!strcmp(o, "-z")) g_deflate = atoi(v);
        else if (!strcmp(o, "-t")) g_kind = !strcmp(v, "sse") ? K_SSE : !strcmp(v, "poll") ? K_POLL : !strcmp(v, "ws") ? K_WS : -1;
        else usage();
    }
    if (g_kind < 0 || (g_kind != K_WS && strcmp(argv[1], "fanout") != 0)) usage();
    if (conns < 1 || e_window < 1 || e_size < 20 || members < 1 || f_messages < 1 || f_interval_ms < 0)
        usage();
    signal(SIGALRM, on_alarm);
    if (!strcmp(argv[1], "echo")) {
        alarm((unsigned)(duration + warmup + 60));
        return run_echo(conns, duration, warmup);
    }
    if (!strcmp(argv[1], "fanout")) {
        alarm((unsigned)(90 + f_messages * f_interval_ms / 1000));
        return run_fanout(members);
    }
    usage();
    return 64;
}
