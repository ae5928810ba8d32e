// SPDX-License-Identifier: GPL-2.0
/*
 * lat_client - time TCP connects in user space.
 *
 * Usage: lat_client [-4|-6] -a ADDR -p PORT [-n COUNT] [-i INTERVAL_MS] [-P]
 *                   [-A ABANDON_MS] [-T TIMEOUT_MS] [-b BIND_ADDR] [-o OUTFILE]
 *                   [-R SECONDS | -E ECHO_COUNT] [-I]
 *
 * Default: COUNT (1) sequential blocking connects, INTERVAL_MS (0) apart, each
 * socket closed as soon as connect() returns; a blocking connect gives up after
 * TIMEOUT_MS through SO_SNDTIMEO. -P starts COUNT non-blocking connects at once
 * (INTERVAL_MS is ignored) and waits for all of them with epoll, closing the
 * sockets at the end. -A closes a connect that has not completed after
 * ABANDON_MS (non-blocking; all in parallel with -P, where the completed ones
 * stay open until the end). -T (default 10000) gives up waiting with result
 * "timeout" and closes the socket. -b binds to BIND_ADDR, the port still chosen
 * by connect() (IP_BIND_ADDRESS_NO_PORT).
 *
 * Traffic after the connect (sequential blocking connects only: not with -P or
 * -A; a connect that fails skips it):
 *   -R SECONDS     bulk receive (from `lat_server -s BYTES`): read and discard
 *                  until the server closes or SECONDS (fractions allowed) pass.
 *   -E ECHO_COUNT  request/response (with `lat_server -e`, TCP_NODELAY): send a
 *                  64-byte request, wait for all 64 bytes of its echo (checked
 *                  against the request), ECHO_COUNT times, INTERVAL_MS apart.
 *                  Each round trip is timed from just before the send to the
 *                  arrival of the echo's last byte.
 * TIMEOUT_MS caps the whole connection with -R/-E too (connect plus traffic,
 * counted from the connect): raise -T for runs longer than 10 s.
 *
 * -I adds the kernel's own view of the connect (TCP_INFO), after "result":
 *   "syn_rto_us":1000000,"total_retrans":1
 * syn_rto_us is tcpi_rto right after a non-blocking connect() started (the
 * SYN_SENT socket's retransmit timeout: the wait before the first SYN
 * retransmit), null for blocking connects and when the answer came first; total_retrans is
 * tcpi_total_retrans when the connect ended (completed, failed, abandoned
 * or timed out): the SYNs the kernel retransmitted, null if unreadable.
 *
 * One NDJSON line per connection (OUTFILE or stdout):
 *   {"pid":1234,"comm":"lat_client","family":4,"saddr":"198.18.0.1","lport":41234,
 *    "daddr":"198.18.0.2","dport":5000,"connect_us":20456,"result":"ok"}
 * result: "ok", "abandoned", "timeout" or an errno name such as "ECONNREFUSED".
 * connect_us is CLOCK_MONOTONIC from just before connect() to its completion,
 * failure, abandonment or timeout. saddr/lport come from getsockname() right
 * after a non-blocking connect() started, or after a blocking one returned
 * (a failed blocking connect keeps its port but loses its address, which is
 * then taken from the route).
 *
 * With -R or -E the line is printed when the traffic ends, the same fields
 * first, then (integers; null when no round trip completed):
 *   -R: "mode":"recv","rx_bytes":20000000,"rx_us":183021,"end":"eof"
 *   -E: "mode":"echo","rtt_count":20,"rtt_min_us":10112,"rtt_median_us":10230,
 *       "rtt_max_us":10544,"end":"done"
 * rx_us runs from the connect's completion to the end; rtt_median_us is the
 * mean of the two middle round trips for an even count. end: "eof" (the server
 * closed: the normal end of -R), "duration" (-R SECONDS passed), "done" (all
 * round trips of -E), "timeout" (-T cut the traffic short), "mismatch" (an
 * echo differed from its request), "no_connection" (the connect failed), or
 * an errno name. connect_us and result still describe the connect alone.
 *
 * Exit status: 0 when the connects ran (whatever their result), 2 on usage
 * errors, 1 on other errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h> /* isfinite() only: no -lm needed */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tools.h"

#define PROG	      "lat_client"
#define NSEC_PER_MSEC 1000000ULL
#define MAX_COUNT     100000UL
#define MAX_MS	      86400000.0
#define EVENTS_MAX    64
#define MAX_RECV_SEC  86400.0
#define ECHO_BYTES    64
#define RECV_BUF      (256 * 1024)

enum traffic { TRAFFIC_NONE, TRAFFIC_RECV, TRAFFIC_ECHO };

/* How the traffic after the connect ended. */
enum end {
	END_NO_CONNECTION,
	END_EOF,
	END_DURATION,
	END_DONE,
	END_TIMEOUT,
	END_MISMATCH,
	END_ERRNO, /* errno in xfer.err */
};

struct opts {
	int family;
	struct sockaddr_storage dst;
	struct sockaddr_storage src;
	bool have_src;
	unsigned long count;
	uint64_t interval_ns;
	uint64_t abandon_ns; /* 0: never abandon */
	uint64_t timeout_ns;
	bool parallel;
	const char *outfile;
	enum traffic traffic;
	uint64_t recv_ns;	  /* -R */
	unsigned long echo_count; /* -E */
	bool tcp_info;		  /* -I */
};

/* -R/-E: what the traffic after the connect measured. */
struct xfer {
	enum end end;
	int err;
	unsigned long long rx_bytes;
	uint64_t rx_ns;
	unsigned long rtt_count;
	uint64_t rtt_min_ns;
	uint64_t rtt_median_ns;
	uint64_t rtt_max_ns;
};

struct conn {
	int fd;
	bool pending;
	uint64_t start_ns;
	uint64_t end_ns;
	struct sockaddr_storage local;
	const char *result;
	char errbuf[16];
	struct xfer xfer;
	long long syn_rto_us;	  /* -I: -1 when not known */
	long long total_retrans; /* -I: -1 when not known */
};

struct ctx {
	const struct opts *o;
	FILE *out;
	char comm[64];
	int pid;
	uint64_t *rtt_ns; /* -E: one slot per round trip */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: " PROG " [-4|-6] -a ADDR -p PORT [-n COUNT] [-i INTERVAL_MS] [-P]\n"
		"                  [-A ABANDON_MS] [-T TIMEOUT_MS] [-b BIND_ADDR] [-o OUTFILE]\n"
		"                  [-R SECONDS | -E ECHO_COUNT]\n"
		"  -n COUNT        connects, one after the other (default 1)\n"
		"  -i INTERVAL_MS  pause between connects, and between -E requests\n"
		"  -P              all COUNT connects at once, non-blocking\n"
		"  -A ABANDON_MS   close a connect still pending after ABANDON_MS\n"
		"  -T TIMEOUT_MS   give up a connect after TIMEOUT_MS (default 10000); with -R/-E\n"
		"                  also the limit on the whole connection, traffic included\n"
		"  -b BIND_ADDR    source address (the port is still chosen by connect())\n"
		"  -o OUTFILE      NDJSON lines to OUTFILE instead of stdout\n"
		"  -R SECONDS      after the connect, read until the server closes or SECONDS\n"
		"                  pass; adds mode \"recv\", rx_bytes, rx_us, end\n"
		"  -E ECHO_COUNT   after the connect, ECHO_COUNT 64-byte requests, each waiting\n"
		"                  for its echo; adds mode \"echo\", rtt_count, rtt_min_us,\n"
		"                  rtt_median_us, rtt_max_us, end\n"
		"  -I              add syn_rto_us and total_retrans (TCP_INFO)\n"
		"-R and -E need sequential blocking connects (no -P, no -A).\n");
	exit(2);
}

static int parse_ms(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > MAX_MS)
		return -1;
	*ns = (uint64_t)(v * NSEC_PER_MSEC + 0.5);
	return 0;
}

static int parse_seconds(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > MAX_RECV_SEC)
		return -1;
	*ns = (uint64_t)(v * NSEC_PER_SEC + 0.5);
	return 0;
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	const char *addr = NULL, *bind_addr = NULL;
	unsigned long port = 0;
	int c;

	o->count = 1;
	o->timeout_ns = 10000 * NSEC_PER_MSEC;
	while ((c = getopt(argc, argv, "46a:p:n:i:PA:T:b:o:R:E:Ih")) != -1) {
		switch (c) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			if (parse_ulong(optarg, 1, 65535, &port))
				usage();
			break;
		case 'n':
			if (parse_ulong(optarg, 1, MAX_COUNT, &o->count))
				usage();
			break;
		case 'i':
			if (parse_ms(optarg, &o->interval_ns))
				usage();
			break;
		case 'P':
			o->parallel = true;
			break;
		case 'A':
			if (parse_ms(optarg, &o->abandon_ns) || !o->abandon_ns)
				usage();
			break;
		case 'T':
			if (parse_ms(optarg, &o->timeout_ns) || !o->timeout_ns)
				usage();
			break;
		case 'b':
			bind_addr = optarg;
			break;
		case 'I':
			o->tcp_info = true;
			break;
		case 'o':
			o->outfile = optarg;
			break;
		case 'R':
			if (o->traffic == TRAFFIC_ECHO || parse_seconds(optarg, &o->recv_ns))
				usage();
			o->traffic = TRAFFIC_RECV;
			break;
		case 'E':
			if (o->traffic == TRAFFIC_RECV ||
			    parse_ulong(optarg, 1, MAX_COUNT, &o->echo_count))
				usage();
			o->traffic = TRAFFIC_ECHO;
			break;
		default:
			usage();
		}
	}
	if (!addr || !port || optind != argc)
		usage();
	if (o->traffic != TRAFFIC_NONE && (o->parallel || o->abandon_ns)) {
		fprintf(stderr, PROG ": -R and -E cannot be combined with -P or -A\n");
		usage();
	}
	if (make_addr(&o->family, addr, (unsigned int)port, &o->dst)) {
		fprintf(stderr, PROG ": bad address: %s\n", addr);
		usage();
	}
	if (bind_addr) {
		if (make_addr(&o->family, bind_addr, 0, &o->src)) {
			fprintf(stderr, PROG ": bad bind address: %s\n", bind_addr);
			usage();
		}
		o->have_src = true;
	}
}

static socklen_t addr_len(int family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static void addr_str(const struct sockaddr_storage *ss, char *buf, size_t len, unsigned int *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	buf[0] = '\0';
	*port = 0;
	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)len);
		*port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, buf, (socklen_t)len);
		*port = ntohs(sin6->sin6_port);
	}
}

/* Sets the result to the errno's name, e.g. "ECONNREFUSED". */
static void set_error(struct conn *c, int err)
{
	const char *name = strerrorname_np(err);

	if (name) {
		c->result = name;
		return;
	}
	snprintf(c->errbuf, sizeof(c->errbuf), "E%d", err);
	c->result = c->errbuf;
}

static const char *end_name(const struct xfer *t)
{
	static const char *const names[] = {
	    [END_NO_CONNECTION] = "no_connection",
	    [END_EOF] = "eof",
	    [END_DURATION] = "duration",
	    [END_DONE] = "done",
	    [END_TIMEOUT] = "timeout",
	    [END_MISMATCH] = "mismatch",
	};
	const char *name;

	if (t->end != END_ERRNO)
		return names[t->end];
	name = strerrorname_np(t->err);
	return name ? name : "error";
}

/* A duration in microseconds, or null when nothing was measured. */
static void us_or_null(char *buf, size_t len, bool have, uint64_t ns)
{
	if (have)
		snprintf(buf, len, "%" PRIu64, ns / 1000);
	else
		snprintf(buf, len, "null");
}

/* The fields -R/-E add to the connection's line, with their leading comma. */
static void format_xfer(const struct opts *o, const struct xfer *t, char *buf, size_t len)
{
	char min[24], med[24], max[24];
	bool have = t->rtt_count > 0;

	buf[0] = '\0';
	if (o->traffic == TRAFFIC_RECV) {
		snprintf(buf, len,
			 ",\"mode\":\"recv\",\"rx_bytes\":%llu,\"rx_us\":%" PRIu64
			 ",\"end\":\"%s\"",
			 t->rx_bytes, t->rx_ns / 1000, end_name(t));
	} else if (o->traffic == TRAFFIC_ECHO) {
		us_or_null(min, sizeof(min), have, t->rtt_min_ns);
		us_or_null(med, sizeof(med), have, t->rtt_median_ns);
		us_or_null(max, sizeof(max), have, t->rtt_max_ns);
		snprintf(buf, len,
			 ",\"mode\":\"echo\",\"rtt_count\":%lu,\"rtt_min_us\":%s,"
			 "\"rtt_median_us\":%s,\"rtt_max_us\":%s,\"end\":\"%s\"",
			 t->rtt_count, min, med, max, end_name(t));
	}
}

/* A value of -I, or null. */
static void ll_or_null(char *buf, size_t len, long long v)
{
	if (v >= 0)
		snprintf(buf, len, "%lld", v);
	else
		snprintf(buf, len, "null");
}

static void format_tcp_info(const struct conn *c, char *buf, size_t len)
{
	char rto[24], retrans[24];

	ll_or_null(rto, sizeof(rto), c->syn_rto_us);
	ll_or_null(retrans, sizeof(retrans), c->total_retrans);
	snprintf(buf, len, ",\"syn_rto_us\":%s,\"total_retrans\":%s", rto, retrans);
}

/* -I: tcpi_rto (rto: only while the socket is in SYN_SENT, as the answer
 * sets a new one) or tcpi_total_retrans of the socket; -1 if not known. */
static long long tcp_info_field(int fd, bool rto)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	if (rto && ti.tcpi_state != TCP_SYN_SENT)
		return -1;
	return rto ? (long long)ti.tcpi_rto : (long long)ti.tcpi_total_retrans;
}

static void print_conn(struct ctx *x, const struct conn *c)
{
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN], extra[256];
	unsigned int lport, dport;
	int r;

	addr_str(&c->local, saddr, sizeof(saddr), &lport);
	addr_str(&x->o->dst, daddr, sizeof(daddr), &dport);
	format_xfer(x->o, &c->xfer, extra, sizeof(extra));
	if (x->o->tcp_info)
		format_tcp_info(c, extra + strlen(extra), sizeof(extra) - strlen(extra));
	r = fprintf(x->out,
		    "{\"pid\":%d,\"comm\":\"%s\",\"family\":%d,\"saddr\":\"%s\","
		    "\"lport\":%u,\"daddr\":\"%s\",\"dport\":%u,\"connect_us\":%" PRIu64 ","
		    "\"result\":\"%s\"%s}\n",
		    x->pid, x->comm, x->o->family == AF_INET ? 4 : 6, saddr, lport, daddr, dport,
		    (c->end_ns - c->start_ns) / 1000, c->result, extra);
	if (r < 0 || fflush(x->out))
		fprintf(stderr, PROG ": warning: writing the output failed: %s\n", strerror(errno));
}

static void save_local(struct conn *c)
{
	socklen_t len = sizeof(c->local);

	if (getsockname(c->fd, (struct sockaddr *)&c->local, &len))
		memset(&c->local, 0, sizeof(c->local));
}

static bool addr_unspecified(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return sin->sin_addr.s_addr == htonl(INADDR_ANY);
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	return true;
}

/*
 * A failed connect resets the socket's source address (the port stays). Fill in
 * the one the route gives, learnt from a connected UDP socket (sends nothing).
 */
static void guess_local_addr(const struct opts *o, struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	in_port_t port;
	int fd;

	if (!addr_unspecified(&c->local))
		return;
	fd = socket(o->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (!connect(fd, (const struct sockaddr *)&o->dst, addr_len(o->family)) &&
	    !getsockname(fd, (struct sockaddr *)&ss, &len)) {
		if (o->family == AF_INET) {
			port = ((struct sockaddr_in *)&c->local)->sin_port;
			memcpy(&c->local, &ss, sizeof(struct sockaddr_in));
			((struct sockaddr_in *)&c->local)->sin_port = port;
		} else {
			port = ((struct sockaddr_in6 *)&c->local)->sin6_port;
			memcpy(&c->local, &ss, sizeof(struct sockaddr_in6));
			((struct sockaddr_in6 *)&c->local)->sin6_port = port;
		}
	}
	close(fd);
}

static void close_conn(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Socket ready to connect: bound to -b without fixing the port (as connect() would). */
static int open_socket(const struct opts *o, int flags)
{
	int one = 1, fd;

	fd = socket(o->family, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return -1;
	}
	if (!o->have_src)
		return fd;
	if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)&o->src, addr_len(o->family))) {
		fprintf(stderr, PROG ": bind: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* A blocking connect; with @keep, a connected socket stays open for the traffic. */
static int connect_blocking(const struct opts *o, struct conn *c, bool keep)
{
	struct timeval tv = {
	    .tv_sec = (time_t)(o->timeout_ns / NSEC_PER_SEC),
	    .tv_usec = (suseconds_t)(o->timeout_ns % NSEC_PER_SEC / 1000),
	};
	int r;

	c->fd = open_socket(o, 0);
	if (c->fd < 0)
		return -1;
	if (setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		fprintf(stderr, PROG ": warning: SO_SNDTIMEO: %s\n", strerror(errno));
	c->start_ns = now_ns();
	r = connect(c->fd, (const struct sockaddr *)&o->dst, addr_len(o->family));
	c->end_ns = now_ns();
	if (r == 0)
		c->result = "ok";
	else if (errno == EINPROGRESS) /* SO_SNDTIMEO expired */
		c->result = "timeout";
	else
		set_error(c, errno);
	save_local(c);
	c->syn_rto_us = -1;
	c->total_retrans = tcp_info_field(c->fd, false);
	if (r)
		guess_local_addr(o, c);
	if (r || !keep)
		close_conn(c);
	return 0;
}

/* Starts a non-blocking connect; the conn stays pending when it is in progress. */
static int start_conn(const struct opts *o, int ep, struct conn *c, size_t idx)
{
	struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = idx};
	int r;

	c->fd = open_socket(o, SOCK_NONBLOCK);
	if (c->fd < 0)
		return -1;
	c->start_ns = now_ns();
	r = connect(c->fd, (const struct sockaddr *)&o->dst, addr_len(o->family));
	c->end_ns = now_ns();
	save_local(c);
	c->syn_rto_us = -1;
	c->total_retrans = -1;
	if (r == 0) {
		c->result = "ok";
		c->total_retrans = tcp_info_field(c->fd, false);
		return 0;
	}
	if (errno != EINPROGRESS) {
		set_error(c, errno);
		c->total_retrans = tcp_info_field(c->fd, false);
		return 0;
	}
	c->syn_rto_us = tcp_info_field(c->fd, true);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev)) {
		fprintf(stderr, PROG ": epoll_ctl: %s\n", strerror(errno));
		return -1;
	}
	c->pending = true;
	return 0;
}

static void finish_conn(int ep, struct conn *c, uint64_t t, bool keep)
{
	int err = 0;
	socklen_t len = sizeof(err);

	c->end_ns = t;
	c->pending = false;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	c->total_retrans = tcp_info_field(c->fd, false);
	if (err)
		set_error(c, err);
	else
		c->result = "ok";
	if (!keep)
		close_conn(c);
}

/* Abandons or times out every pending conn whose limit has passed; returns the next limit. */
static uint64_t expire_conns(const struct opts *o, struct conn *c, size_t n, uint64_t t,
			     size_t *pending)
{
	bool abandon = o->abandon_ns && o->abandon_ns < o->timeout_ns;
	uint64_t limit = abandon ? o->abandon_ns : o->timeout_ns;
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!c[i].pending)
			continue;
		if (t >= c[i].start_ns + limit) {
			c[i].pending = false;
			c[i].end_ns = t;
			c[i].result = abandon ? "abandoned" : "timeout";
			c[i].total_retrans = tcp_info_field(c[i].fd, false);
			close_conn(&c[i]);
			(*pending)--;
		} else if (c[i].start_ns + limit < next) {
			next = c[i].start_ns + limit;
		}
	}
	return next;
}

/*
 * epoll_pwait2() with a nanosecond timeout; on kernels before 5.11 (and under
 * valgrind) it falls back to ppoll() on the epoll fd, which is as precise.
 */
static int wait_events(int ep, struct epoll_event *ev, int max, const struct timespec *ts)
{
	static bool no_pwait2;
	struct pollfd pfd = {.fd = ep, .events = POLLIN};
	int r;

	if (!no_pwait2) {
		r = epoll_pwait2(ep, ev, max, ts, NULL);
		if (r >= 0 || errno != ENOSYS)
			return r;
		no_pwait2 = true;
	}
	r = ppoll(&pfd, 1, ts, NULL);
	if (r <= 0)
		return r;
	return epoll_wait(ep, ev, max, 0);
}

static int wait_conns(const struct opts *o, int ep, struct conn *c, size_t n, size_t pending)
{
	struct epoll_event ev[EVENTS_MAX];
	struct timespec ts;
	uint64_t t, next;
	int r, i;

	while (pending) {
		t = now_ns();
		next = expire_conns(o, c, n, t, &pending);
		if (!pending)
			break;
		ts.tv_sec = (time_t)((next - t) / NSEC_PER_SEC);
		ts.tv_nsec = (long)((next - t) % NSEC_PER_SEC);
		r = wait_events(ep, ev, EVENTS_MAX, &ts);
		t = now_ns();
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": epoll wait: %s\n", strerror(errno));
			return -1;
		}
		for (i = 0; i < r; i++) {
			struct conn *ci = &c[ev[i].data.u64];

			if (ci->pending) {
				finish_conn(ep, ci, t, o->parallel);
				pending--;
			}
		}
	}
	return 0;
}

/* Runs @n non-blocking connects at once and waits for all of them. */
static int run_batch(struct ctx *x, struct conn *c, size_t n)
{
	size_t i, pending = 0;
	int ep, ret = -1;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		fprintf(stderr, PROG ": epoll_create1: %s\n", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		c[i].fd = -1;
	for (i = 0; i < n; i++) {
		if (start_conn(x->o, ep, &c[i], i))
			goto out;
		pending += c[i].pending;
	}
	if (wait_conns(x->o, ep, c, n, pending))
		goto out;
	for (i = 0; i < n; i++)
		print_conn(x, &c[i]);
	ret = 0;
out:
	for (i = 0; i < n; i++)
		close_conn(&c[i]);
	close(ep);
	return ret;
}

static void pause_ns(uint64_t ns)
{
	struct timespec ts = {
	    .tv_sec = (time_t)(ns / NSEC_PER_SEC),
	    .tv_nsec = (long)(ns % NSEC_PER_SEC),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/*
 * Waits (ppoll, nanosecond timeout) until @fd has @events or @deadline passes.
 * Returns 0 when it may be ready, 1 at the deadline, -1 on an error (errno).
 */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	struct timespec ts;
	uint64_t t = now_ns();
	int r;

	if (t >= deadline)
		return 1;
	ts.tv_sec = (time_t)((deadline - t) / NSEC_PER_SEC);
	ts.tv_nsec = (long)((deadline - t) % NSEC_PER_SEC);
	r = ppoll(&pfd, 1, &ts, NULL);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	return 0;
}

/* Ends the traffic with the errno @err. */
static void xfer_error(struct xfer *t, int err)
{
	t->end = END_ERRNO;
	t->err = err;
}

/*
 * -R: reads and discards until EOF, the -R duration or @deadline (-T). Bounded
 * in time: every round checks the clock, and waits end at the earlier limit.
 */
static void traffic_recv(const struct opts *o, struct conn *c, uint64_t deadline)
{
	static char buf[RECV_BUF];
	struct xfer *t = &c->xfer;
	uint64_t stop = c->end_ns + o->recv_ns, now;
	bool capped = deadline < stop;
	ssize_t n;
	int r;

	if (capped)
		stop = deadline;
	for (;;) {
		now = now_ns();
		if (now >= stop) {
			t->end = capped ? END_TIMEOUT : END_DURATION;
			break;
		}
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			t->rx_bytes += (unsigned long long)n;
			continue;
		}
		if (n == 0) {
			now = now_ns();
			t->end = END_EOF;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			xfer_error(t, errno);
			break;
		}
		r = wait_fd(c->fd, POLLIN, stop);
		if (r < 0) {
			xfer_error(t, errno);
			break;
		}
	}
	t->rx_ns = now - c->end_ns;
}

/*
 * Sends (@out) or receives (@in) exactly @len bytes, whatever the sizes of
 * the partial transfers; bounded by @deadline. Returns END_DONE when done, or
 * the end of the traffic: END_EOF, END_TIMEOUT or END_ERRNO (errno in @t).
 */
static enum end xfer_full(struct xfer *t, int fd, const char *out, char *in, size_t len,
			  uint64_t deadline)
{
	size_t done = 0;
	ssize_t n;
	int r;

	while (done < len) {
		if (out)
			n = send(fd, out + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			n = recv(fd, in + done, len - done, MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == 0 && !out)
			return END_EOF;
		if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
			xfer_error(t, errno);
			return END_ERRNO;
		}
		r = wait_fd(fd, out ? POLLOUT : POLLIN, deadline);
		if (r > 0)
			return END_TIMEOUT;
		if (r < 0) {
			xfer_error(t, errno);
			return END_ERRNO;
		}
	}
	return END_DONE;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void rtt_stats(struct xfer *t, uint64_t *v, unsigned long n)
{
	t->rtt_count = n;
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_u64);
	t->rtt_min_ns = v[0];
	t->rtt_max_ns = v[n - 1];
	t->rtt_median_ns = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* -E: echo_count request/response round trips, INTERVAL_MS apart, up to @deadline. */
static void traffic_echo(struct ctx *x, struct conn *c, uint64_t deadline)
{
	const struct opts *o = x->o;
	char req[ECHO_BYTES], resp[ECHO_BYTES];
	struct xfer *t = &c->xfer;
	unsigned long i, n = 0;
	uint64_t t0;
	int one = 1;
	enum end r;

	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		fprintf(stderr, PROG ": warning: TCP_NODELAY: %s\n", strerror(errno));
	t->end = END_DONE;
	for (i = 0; i < o->echo_count; i++) {
		if (i && o->interval_ns) {
			if (now_ns() + o->interval_ns >= deadline) {
				t->end = END_TIMEOUT;
				break;
			}
			pause_ns(o->interval_ns);
		}
		/* the request's number, then filler: no two requests in a row are equal */
		memset(req, 'a' + (int)(i % 26), sizeof(req));
		memcpy(req, &i, sizeof(i));
		t0 = now_ns();
		r = xfer_full(t, c->fd, req, NULL, sizeof(req), deadline);
		if (r == END_DONE)
			r = xfer_full(t, c->fd, NULL, resp, sizeof(resp), deadline);
		if (r != END_DONE) {
			t->end = r;
			break;
		}
		x->rtt_ns[n++] = now_ns() - t0;
		if (memcmp(req, resp, sizeof(req))) {
			t->end = END_MISMATCH;
			break;
		}
	}
	rtt_stats(t, x->rtt_ns, n);
}

/* A connect, then the -R/-E traffic on it; the socket is closed at the end. */
static int connect_traffic(struct ctx *x, struct conn *c)
{
	const struct opts *o = x->o;
	uint64_t deadline;

	c->fd = -1;
	if (connect_blocking(o, c, true))
		return -1;
	c->xfer.end = END_NO_CONNECTION;
	if (c->fd < 0)
		return 0;
	deadline = c->start_ns + o->timeout_ns;
	if (o->traffic == TRAFFIC_RECV)
		traffic_recv(o, c, deadline);
	else
		traffic_echo(x, c, deadline);
	close_conn(c);
	return 0;
}

static int run_sequential(struct ctx *x)
{
	struct conn c;
	unsigned long i;
	int r;

	for (i = 0; i < x->o->count; i++) {
		if (i && x->o->interval_ns)
			pause_ns(x->o->interval_ns);
		memset(&c, 0, sizeof(c));
		if (x->o->abandon_ns) {
			r = run_batch(x, &c, 1);
		} else {
			if (x->o->traffic != TRAFFIC_NONE)
				r = connect_traffic(x, &c);
			else
				r = connect_blocking(x->o, &c, false);
			if (!r)
				print_conn(x, &c);
		}
		if (r)
			return -1;
	}
	return 0;
}

static int run_parallel(struct ctx *x)
{
	struct conn *c = calloc(x->o->count, sizeof(*c));
	int r;

	if (!c) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	r = run_batch(x, c, x->o->count);
	free(c);
	return r;
}

/* Makes room for COUNT sockets at once when the soft limit is lower. */
static void raise_nofile(unsigned long count)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= count + 32)
		return;
	rl.rlim_cur =
	    rl.rlim_max == RLIM_INFINITY || rl.rlim_max > count + 32 ? count + 32 : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* /proc/self/comm, kept only if it needs no JSON escaping. */
static void read_comm(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/comm", "re");
	size_t i;

	snprintf(buf, len, PROG);
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		snprintf(buf, len, PROG);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	for (i = 0; buf[i]; i++)
		if (buf[i] == '"' || buf[i] == '\\' || (unsigned char)buf[i] < 0x20)
			buf[i] = '_';
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct ctx x = {.o = &o};
	int r;

	parse_opts(argc, argv, &o);
	x.pid = (int)getpid();
	read_comm(x.comm, sizeof(x.comm));
	x.out = stdout;
	if (o.outfile) {
		x.out = fopen(o.outfile, "we");
		if (!x.out) {
			fprintf(stderr, PROG ": %s: %s\n", o.outfile, strerror(errno));
			return 1;
		}
	}
	if (o.traffic == TRAFFIC_ECHO) {
		x.rtt_ns = calloc(o.echo_count, sizeof(*x.rtt_ns));
		if (!x.rtt_ns) {
			fprintf(stderr, PROG ": out of memory\n");
			if (o.outfile)
				fclose(x.out);
			return 1;
		}
	}
	if (o.parallel) {
		raise_nofile(o.count);
		r = run_parallel(&x);
	} else {
		r = run_sequential(&x);
	}
	if (x.out != stdout && fclose(x.out)) {
		fprintf(stderr, PROG ": %s: %s\n", o.outfile, strerror(errno));
		r = -1;
	}
	free(x.rtt_ns);
	return r ? 1 : 0;
}
