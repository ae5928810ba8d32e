// SPDX-License-Identifier: GPL-2.0
/*
 * nfq_delay - hold every packet of an NFQUEUE for a fixed time, then accept it.
 *
 * Usage: nfq_delay -q QUEUE_NUM -d DELAY_MS [-l LOGFILE] [-t MAX_SECONDS] [-r READYFILE]
 *
 * Each packet is held for DELAY_MS (may be fractional, 0 = no delay) counted from
 * the moment it was read from the netlink socket (CLOCK_MONOTONIC), then released
 * with NF_ACCEPT in FIFO order. One NDJSON line per released packet goes to the
 * log (default stdout):
 *
 *   {"src":"198.18.0.2","sport":5000,"dst":"198.18.0.1","dport":41234,"family":4,
 *    "flags":"SA","held_us":20013,"seq":123}
 *
 * held_us is the measured time from receipt to just before the verdict, and
 * released_ns that moment (CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns(), so
 * that tests can line releases up with kernel timestamps). Packets
 * that are not TCP over IPv4/IPv6 are logged with ports 0, seq 0 and flags "";
 * packets that are not IP at all also have family 0 and empty addresses.
 *
 * "ready" is printed to stderr (and READYFILE created) once the queue is bound.
 * SIGTERM/SIGINT or MAX_SECONDS (default 300) end the daemon after it has
 * released every held packet.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/netfilter.h>
#include <math.h> /* isfinite() only: no -lm needed */
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libnetfilter_queue/libnetfilter_queue.h>
#include <libnfnetlink/libnfnetlink.h>
#include "tools.h"

#define PROG	     "nfq_delay"
#define COPY_BYTES   128   /* enough for IPv6 + TCP headers */
#define QUEUE_MAXLEN 65536 /* packets the kernel may hold for us */
#define RCVBUF_BYTES (32 << 20)
#define SPIN_NS	     100000ULL /* busy-poll the last 100 us before a release */
#define RECV_BATCH   64	       /* netlink messages per recvmmsg() */
#define RECV_BUF     4096      /* one message: COPY_BYTES plus attributes */
#define DRAIN_ROUNDS 4	       /* recvmmsg() calls before releases are checked */
#define RING_INIT    4096
#define MAX_DELAY_MS 3600000.0

struct pkt {
	uint64_t rx_ns;
	uint64_t due_ns;
	uint64_t held_us;
	uint64_t released_ns;
	uint32_t id;
	uint32_t seq;
	uint16_t sport;
	uint16_t dport;
	uint8_t family; /* 4, 6, or 0 when the payload is not IP */
	uint8_t flags;	/* TCP flags byte, 0 when not TCP */
	uint8_t saddr[16];
	uint8_t daddr[16];
};

struct ring {
	struct pkt *v;
	size_t cap;  /* always a power of two */
	size_t head; /* index of the oldest packet */
	size_t len;
};

struct opts {
	unsigned int queue;
	uint64_t delay_ns;
	uint64_t max_ns;
	const char *logfile;
	const char *readyfile;
};

struct daemon {
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	int fd;
	struct ring ring;
	uint64_t delay_ns;
	uint64_t rx_ns; /* receive time of the buffer being handled */
	uint64_t end_ns;
	FILE *log;
	bool log_failed;
};

static volatile sig_atomic_t stop_signal;

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " -q QUEUE_NUM -d DELAY_MS [-l LOGFILE] [-t MAX_SECONDS]"
			" [-r READYFILE]\n");
	exit(1);
}

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	double v;
	bool have_q = false, have_d = false;
	int c;

	o->max_ns = 300 * NSEC_PER_SEC;
	while ((c = getopt(argc, argv, "q:d:l:t:r:h")) != -1) {
		switch (c) {
		case 'q':
			if (parse_uint(optarg, 65535, &o->queue))
				usage();
			have_q = true;
			break;
		case 'd':
			if (parse_double(optarg, 0, MAX_DELAY_MS, &v))
				usage();
			o->delay_ns = (uint64_t)(v * 1e6 + 0.5);
			have_d = true;
			break;
		case 'l':
			o->logfile = optarg;
			break;
		case 't':
			if (parse_double(optarg, 0.001, 86400.0 * 365, &v))
				usage();
			o->max_ns = (uint64_t)(v * 1e9 + 0.5);
			break;
		case 'r':
			o->readyfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (!have_q || !have_d || optind != argc)
		usage();
}

static int ring_init(struct ring *r)
{
	r->v = calloc(RING_INIT, sizeof(*r->v));
	if (!r->v)
		return -1;
	r->cap = RING_INIT;
	r->head = 0;
	r->len = 0;
	return 0;
}

static int ring_grow(struct ring *r)
{
	size_t ncap = r->cap * 2, i;
	struct pkt *nv;

	nv = calloc(ncap, sizeof(*nv));
	if (!nv)
		return -1;
	for (i = 0; i < r->len; i++)
		nv[i] = r->v[(r->head + i) & (r->cap - 1)];
	free(r->v);
	r->v = nv;
	r->cap = ncap;
	r->head = 0;
	return 0;
}

/* Returns a slot at the tail, or NULL when memory ran out. */
static struct pkt *ring_push(struct ring *r)
{
	struct pkt *p;

	if (r->len == r->cap && ring_grow(r))
		return NULL;
	p = &r->v[(r->head + r->len) & (r->cap - 1)];
	r->len++;
	memset(p, 0, sizeof(*p));
	return p;
}

static struct pkt *ring_at(struct ring *r, size_t i)
{
	return &r->v[(r->head + i) & (r->cap - 1)];
}

static void ring_pop(struct ring *r, size_t n)
{
	r->head = (r->head + n) & (r->cap - 1);
	r->len -= n;
}

static void parse_tcp(struct pkt *p, const uint8_t *th, int len)
{
	if (len < 14)
		return;
	p->sport = (uint16_t)(th[0] << 8 | th[1]);
	p->dport = (uint16_t)(th[2] << 8 | th[3]);
	p->seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
	p->flags = th[13];
}

static void parse_ipv4(struct pkt *p, const uint8_t *b, int len)
{
	int ihl = (b[0] & 0x0f) * 4;

	if (len < 20 || ihl < 20)
		return;
	p->family = 4;
	memcpy(p->saddr, b + 12, 4);
	memcpy(p->daddr, b + 16, 4);
	/* only the first fragment carries the TCP header */
	if (b[9] == IPPROTO_TCP && !(b[6] & 0x1f) && !b[7] && len > ihl)
		parse_tcp(p, b + ihl, len - ihl);
}

static void parse_ipv6(struct pkt *p, const uint8_t *b, int len)
{
	if (len < 40)
		return;
	p->family = 6;
	memcpy(p->saddr, b + 8, 16);
	memcpy(p->daddr, b + 24, 16);
	if (b[6] == IPPROTO_TCP)
		parse_tcp(p, b + 40, len - 40);
}

static void parse_payload(struct pkt *p, const uint8_t *b, int len)
{
	if (len < 1)
		return;
	if (b[0] >> 4 == 4)
		parse_ipv4(p, b, len);
	else if (b[0] >> 4 == 6)
		parse_ipv6(p, b, len);
}

static void flags_str(uint8_t f, char *out)
{
	static const char letters[] = "FSRPAU";
	int i, n = 0;

	for (i = 0; i < 6; i++)
		if (f & (1u << i))
			out[n++] = letters[i];
	out[n] = '\0';
}

static void addr_str(const struct pkt *p, const uint8_t *a, char *out, size_t len)
{
	out[0] = '\0';
	if (p->family == 4)
		inet_ntop(AF_INET, a, out, (socklen_t)len);
	else if (p->family == 6)
		inet_ntop(AF_INET6, a, out, (socklen_t)len);
}

static void log_pkt(struct daemon *d, const struct pkt *p)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], flags[8];

	addr_str(p, p->saddr, src, sizeof(src));
	addr_str(p, p->daddr, dst, sizeof(dst));
	flags_str(p->flags, flags);
	fprintf(d->log,
		"{\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,"
		"\"family\":%u,\"flags\":\"%s\",\"held_us\":%" PRIu64 ",\"seq\":%" PRIu32
		",\"released_ns\":%" PRIu64 "}\n",
		src, p->sport, dst, p->dport, p->family, flags, p->held_us, p->seq, p->released_ns);
}

static void flush_log(struct daemon *d)
{
	if ((ferror(d->log) || fflush(d->log)) && !d->log_failed) {
		fprintf(stderr, PROG ": warning: writing the log failed: %s\n", strerror(errno));
		d->log_failed = true;
	}
}

/*
 * Accepts the oldest @n packets with one message: a batch verdict covers every
 * queued packet up to the given id, and ids grow in the order packets arrive.
 */
static void verdict(struct daemon *d, size_t n)
{
	uint64_t t = now_ns();
	uint32_t last = ring_at(&d->ring, n - 1)->id;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		struct pkt *p = ring_at(&d->ring, i);

		p->held_us = (t - p->rx_ns) / 1000;
		p->released_ns = t;
	}
	if (n == 1)
		r = nfq_set_verdict(d->qh, last, NF_ACCEPT, 0, NULL);
	else
		r = nfq_set_verdict_batch(d->qh, last, NF_ACCEPT);
	if (r < 0)
		fprintf(stderr, PROG ": warning: verdict up to packet %" PRIu32 " failed: %s\n",
			last, strerror(errno));
}

/*
 * Accepts every packet due by @now (all when @all), oldest first. The log lines
 * are written after the verdict, so that logging never delays a release, and
 * flushed once per batch (never leaving a partial line behind).
 */
static void release(struct daemon *d, uint64_t now, bool all)
{
	size_t n = 0, i;

	while (n < d->ring.len && (all || ring_at(&d->ring, n)->due_ns <= now))
		n++;
	if (!n)
		return;
	verdict(d, n);
	for (i = 0; i < n; i++)
		log_pkt(d, ring_at(&d->ring, i));
	flush_log(d);
	ring_pop(&d->ring, n);
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
		     void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	struct daemon *d = data;
	unsigned char *payload;
	struct pkt *p;
	int len;

	(void)msg;
	if (!ph)
		return 0;
	p = ring_push(&d->ring);
	if (!p) {
		fprintf(stderr, PROG ": warning: out of memory, accepting a packet at once\n");
		nfq_set_verdict(qh, ntohl(ph->packet_id), NF_ACCEPT, 0, NULL);
		return 0;
	}
	p->id = ntohl(ph->packet_id);
	p->rx_ns = d->rx_ns;
	p->due_ns = d->rx_ns + d->delay_ns;
	len = nfq_get_payload(nfa, &payload);
	if (len > 0)
		parse_payload(p, payload, len);
	return 0;
}

/* Reads what the socket has (bounded), handing each message to on_packet(). */
static int drain(struct daemon *d)
{
	static char bufs[RECV_BATCH][RECV_BUF] __attribute__((aligned(8)));
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	int i, j, n;

	for (i = 0; i < RECV_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = RECV_BUF;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (i = 0; i < DRAIN_ROUNDS; i++) {
		n = recvmmsg(d->fd, msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n > 0) {
			d->rx_ns = now_ns();
			for (j = 0; j < n; j++)
				nfq_handle_packet(d->h, bufs[j], (int)msgs[j].msg_len);
			if (n < RECV_BATCH)
				return 0;
			continue;
		}
		if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS) {
			fprintf(stderr, PROG ": warning: netlink receive buffer overrun (ENOBUFS),"
					     " packets were lost\n");
			continue;
		}
		fprintf(stderr, PROG ": recvmmsg: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* How long ppoll() may sleep before the next release (minus the spin margin). */
static struct timespec wait_time(struct daemon *d, uint64_t now)
{
	uint64_t next = d->end_ns, wait = 0;
	struct timespec ts;

	if (d->ring.len) {
		uint64_t due = ring_at(&d->ring, 0)->due_ns;

		due = due > SPIN_NS ? due - SPIN_NS : 0;
		if (due < next)
			next = due;
	}
	if (next > now)
		wait = next - now;
	ts.tv_sec = (time_t)(wait / NSEC_PER_SEC);
	ts.tv_nsec = (long)(wait % NSEC_PER_SEC);
	return ts;
}

static int run(struct daemon *d)
{
	struct pollfd pfd = {.fd = d->fd, .events = POLLIN};
	struct timespec ts;
	sigset_t unblocked;
	uint64_t now;
	int r;

	sigemptyset(&unblocked);
	for (;;) {
		now = now_ns();
		release(d, now, false);
		if (stop_signal || now >= d->end_ns)
			return 0;
		ts = wait_time(d, now);
		r = ppoll(&pfd, 1, &ts, &unblocked);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": ppoll: %s\n", strerror(errno));
			return -1;
		}
		if (r > 0 && drain(d))
			return -1;
	}
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void set_rcvbuf(struct daemon *d)
{
	int sz = RCVBUF_BYTES;

	nfnl_rcvbufsiz(nfq_nfnlh(d->h), RCVBUF_BYTES);
	if (setsockopt(d->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		fprintf(stderr, PROG ": warning: SO_RCVBUFFORCE: %s\n", strerror(errno));
}

static int open_queue(struct daemon *d, unsigned int queue)
{
	d->h = nfq_open();
	if (!d->h) {
		fprintf(stderr, PROG ": nfq_open: %s\n", strerror(errno));
		return -1;
	}
	d->fd = nfq_fd(d->h);
	set_rcvbuf(d);
	d->qh = nfq_create_queue(d->h, (uint16_t)queue, on_packet, d);
	if (!d->qh) {
		/* the kernel answers EPERM when another socket has the queue */
		fprintf(stderr, PROG ": cannot bind queue %u: %s\n", queue,
			errno == EPERM ? "already bound by another process"
			: errno	       ? strerror(errno)
				       : "unknown error");
		return -1;
	}
	if (nfq_set_mode(d->qh, NFQNL_COPY_PACKET, COPY_BYTES) < 0) {
		fprintf(stderr, PROG ": nfq_set_mode: %s\n", strerror(errno));
		return -1;
	}
	if (nfq_set_queue_maxlen(d->qh, QUEUE_MAXLEN) < 0)
		fprintf(stderr, PROG ": warning: nfq_set_queue_maxlen: %s\n", strerror(errno));
	return 0;
}

static void close_queue(struct daemon *d)
{
	if (d->qh)
		nfq_destroy_queue(d->qh);
	if (d->h)
		nfq_close(d->h);
	d->qh = NULL;
	d->h = NULL;
}

static int announce_ready(const char *readyfile)
{
	fprintf(stderr, "ready\n");
	return readyfile ? write_readyfile(PROG, readyfile) : 0;
}

static FILE *open_log(const char *logfile)
{
	FILE *f;

	if (!logfile)
		return stdout;
	f = fopen(logfile, "we");
	if (!f)
		fprintf(stderr, PROG ": %s: %s\n", logfile, strerror(errno));
	return f;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct daemon d = {0};
	int ret = 1;

	parse_opts(argc, argv, &o);
	d.delay_ns = o.delay_ns;
	/* hrtimer wakeups without the default 50 us slack */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	if (setup_signals(on_signal, NULL)) {
		fprintf(stderr, PROG ": signal setup: %s\n", strerror(errno));
		return 1;
	}
	if (ring_init(&d.ring)) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	d.log = open_log(o.logfile);
	if (!d.log) {
		free(d.ring.v);
		return 1;
	}
	if (open_queue(&d, o.queue) == 0 && announce_ready(o.readyfile) == 0) {
		d.end_ns = now_ns() + o.max_ns;
		ret = run(&d) ? 1 : 0;
		/* what is still unread would be dropped when the queue is unbound */
		if (!ret)
			drain(&d);
		release(&d, 0, true);
	}
	close_queue(&d);
	/* Whether we opened it, rather than d.log != stdout, which the
	 * analyzer cannot tell from a leak. */
	if (o.logfile)
		fclose(d.log);
	free(d.ring.v);
	return ret;
}
