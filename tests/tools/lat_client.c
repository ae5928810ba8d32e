// SPDX-License-Identifier: GPL-2.0
/*
 * lat_client - time TCP connects in user space.
 *
 * Usage: lat_client [-4|-6] -a ADDR -p PORT [-n COUNT] [-i INTERVAL_MS] [-P]
 *                   [-A ABANDON_MS] [-T TIMEOUT_MS] [-b BIND_ADDR] [-o OUTFILE]
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

#define PROG	      "lat_client"
#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define MAX_COUNT     100000UL
#define MAX_MS	      86400000.0
#define EVENTS_MAX    64

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
};

struct conn {
	int fd;
	bool pending;
	uint64_t start_ns;
	uint64_t end_ns;
	struct sockaddr_storage local;
	const char *result;
	char errbuf[16];
};

struct ctx {
	const struct opts *o;
	FILE *out;
	char comm[64];
	int pid;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " [-4|-6] -a ADDR -p PORT [-n COUNT] [-i INTERVAL_MS] [-P]"
			" [-A ABANDON_MS] [-T TIMEOUT_MS] [-b BIND_ADDR] [-o OUTFILE]\n");
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

/* Fills @ss from @addr and @port; a family of 0 is taken from the address. */
static int make_addr(int *family, const char *addr, unsigned int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (*family != AF_INET6 && inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*family = AF_INET;
		return 0;
	}
	if (*family != AF_INET && inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	const char *addr = NULL, *bind_addr = NULL;
	unsigned long port = 0;
	int c;

	o->count = 1;
	o->timeout_ns = 10000 * NSEC_PER_MSEC;
	while ((c = getopt(argc, argv, "46a:p:n:i:PA:T:b:o:h")) != -1) {
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
		case 'o':
			o->outfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (!addr || !port || optind != argc)
		usage();
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

static void print_conn(struct ctx *x, const struct conn *c)
{
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];
	unsigned int lport, dport;
	int r;

	addr_str(&c->local, saddr, sizeof(saddr), &lport);
	addr_str(&x->o->dst, daddr, sizeof(daddr), &dport);
	r = fprintf(x->out,
		    "{\"pid\":%d,\"comm\":\"%s\",\"family\":%d,\"saddr\":\"%s\","
		    "\"lport\":%u,\"daddr\":\"%s\",\"dport\":%u,\"connect_us\":%" PRIu64 ","
		    "\"result\":\"%s\"}\n",
		    x->pid, x->comm, x->o->family == AF_INET ? 4 : 6, saddr, lport, daddr, dport,
		    (c->end_ns - c->start_ns) / 1000, c->result);
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

static int connect_blocking(const struct opts *o, struct conn *c)
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
	if (r)
		guess_local_addr(o, c);
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
	if (r == 0) {
		c->result = "ok";
		return 0;
	}
	if (errno != EINPROGRESS) {
		set_error(c, errno);
		return 0;
	}
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
			r = connect_blocking(x->o, &c);
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
	return r ? 1 : 0;
}
