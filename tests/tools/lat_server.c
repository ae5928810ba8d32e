// SPDX-License-Identifier: GPL-2.0
/*
 * lat_server - a tiny epoll TCP server for the latency tests.
 *
 * Usage: lat_server [-4|-6] -a ADDR -p PORT [-t MAX_SECONDS] [-s SEND_BYTES] [-e]
 *                   [-r READYFILE]
 *
 * Listens on ADDR:PORT (backlog 1024, SO_REUSEADDR, IPV6_V6ONLY with -6) and for
 * each accepted connection: closes it at once (default), or writes SEND_BYTES,
 * shuts down its sending side and closes it once the peer has closed (-s), or
 * echoes what it reads until the peer closes (-e, with TCP_NODELAY so that a
 * small echo leaves at once). Connections are served side by side from one
 * epoll loop, each a bounded number of reads/writes per wakeup: -s streams to
 * many clients at once, and -e echoes bytes as they come, so a request read
 * in parts comes back whole, in order.
 * READYFILE is created once the socket listens. Ends on SIGTERM/SIGINT or after
 * MAX_SECONDS (default 300).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h> /* isfinite() only: no -lm needed */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tools.h"

#define PROG	      "lat_server"
#define NSEC_PER_MSEC 1000000ULL
#define BACKLOG	      1024
#define EVENTS_MAX    128
#define ACCEPT_MAX    256 /* accepts per wakeup, so that other sockets get served */
#define IO_MAX	      16  /* read/write rounds per connection and wakeup */
#define CHUNK	      65536

enum mode { MODE_CLOSE, MODE_SEND, MODE_ECHO };

struct opts {
	int family;
	struct sockaddr_storage addr;
	enum mode mode;
	unsigned long long send_bytes;
	uint64_t max_ns;
	const char *readyfile;
};

struct conn {
	int fd;
	unsigned long long left; /* -s: bytes still to send */
	bool sent;		 /* -s: all sent, waiting for the peer to close */
	size_t len;		 /* -e: bytes in buf not yet echoed */
	size_t off;
	char buf[];
};

struct server {
	const struct opts *o;
	int ep;
	int lfd;
	unsigned long nconns;
};

static volatile sig_atomic_t stop_signal;
static char send_buf[CHUNK];

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " [-4|-6] -a ADDR -p PORT [-t MAX_SECONDS] [-s SEND_BYTES]"
			" [-e] [-r READYFILE]\n");
	exit(2);
}

static int parse_ull(const char *s, unsigned long long min, unsigned long long max,
		     unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 86400.0 * 365)
		return -1;
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	unsigned long long port = 0;
	const char *addr = NULL;
	bool send = false;
	int c;

	o->max_ns = 300 * NSEC_PER_SEC;
	while ((c = getopt(argc, argv, "46a:p:t:s:er:h")) != -1) {
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
			if (parse_ull(optarg, 1, 65535, &port))
				usage();
			break;
		case 't':
			if (parse_seconds(optarg, &o->max_ns))
				usage();
			break;
		case 's':
			if (parse_ull(optarg, 0, 1ULL << 40, &o->send_bytes))
				usage();
			send = true;
			break;
		case 'e':
			o->mode = MODE_ECHO;
			break;
		case 'r':
			o->readyfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (!addr || !port || optind != argc || (send && o->mode == MODE_ECHO))
		usage();
	if (send)
		o->mode = MODE_SEND;
	if (make_addr(&o->family, addr, (unsigned int)port, &o->addr)) {
		fprintf(stderr, PROG ": bad address: %s\n", addr);
		usage();
	}
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int open_listener(const struct opts *o)
{
	socklen_t len =
	    o->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int one = 1, fd;

	fd = socket(o->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (o->family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))) {
		fprintf(stderr, PROG ": setsockopt: %s\n", strerror(errno));
		goto err;
	}
	if (bind(fd, (const struct sockaddr *)&o->addr, len)) {
		fprintf(stderr, PROG ": bind: %s\n", strerror(errno));
		goto err;
	}
	if (listen(fd, BACKLOG)) {
		fprintf(stderr, PROG ": listen: %s\n", strerror(errno));
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

static void conn_close(struct server *s, struct conn *c)
{
	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
	s->nconns--;
}

static bool would_block(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

/* -s, after the data: discards what the peer sends; returns 1 at its EOF or an error. */
static int conn_drain(struct conn *c)
{
	char buf[4096];
	ssize_t n;
	int i;

	for (i = 0; i < IO_MAX; i++) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n == 0)
			return 1;
		if (n < 0)
			return would_block() ? 0 : 1;
	}
	return 0;
}

/*
 * -s: sends what is left, then shuts down the sending side and waits for the
 * peer to close (closing with unread data would reset the connection and lose
 * data still unsent). Returns 1 to close the connection, 0 to keep it.
 */
static int conn_send(struct server *s, struct conn *c)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	size_t chunk;
	ssize_t n;
	int i;

	if (c->sent)
		return conn_drain(c);
	for (i = 0; i < IO_MAX && c->left; i++) {
		chunk = c->left < CHUNK ? (size_t)c->left : CHUNK;
		n = send(c->fd, send_buf, chunk, MSG_NOSIGNAL);
		if (n < 0)
			return would_block() ? 0 : 1;
		c->left -= (unsigned long long)n;
	}
	if (c->left)
		return 0;
	c->sent = true;
	if (shutdown(c->fd, SHUT_WR) || epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev))
		return 1;
	return conn_drain(c);
}

/* -e: flushes pending data; returns 1 when the peer failed, 0 otherwise. */
static int echo_flush(struct conn *c)
{
	ssize_t n;

	while (c->off < c->len) {
		n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
		if (n < 0)
			return would_block() ? 0 : 1;
		c->off += (size_t)n;
	}
	c->off = 0;
	c->len = 0;
	return 0;
}

/* -e: returns 1 to close (EOF or error), 0 to keep going. */
static int conn_echo(struct server *s, struct conn *c)
{
	struct epoll_event ev = {.data.ptr = c};
	ssize_t n;
	int i;

	for (i = 0; i < IO_MAX; i++) {
		if (echo_flush(c))
			return 1;
		if (c->len)
			break;
		n = recv(c->fd, c->buf, CHUNK, 0);
		if (n == 0)
			return 1;
		if (n < 0)
			return would_block() ? 0 : 1;
		c->len = (size_t)n;
	}
	/* wait for room to send while data is pending, for data otherwise */
	ev.events = c->len ? EPOLLOUT : EPOLLIN;
	if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev))
		return 1;
	return 0;
}

static void conn_event(struct server *s, struct conn *c)
{
	int done;

	if (s->o->mode == MODE_SEND)
		done = conn_send(s, c);
	else
		done = conn_echo(s, c);
	if (done)
		conn_close(s, c);
}

static void conn_add(struct server *s, int fd)
{
	size_t extra = s->o->mode == MODE_ECHO ? CHUNK : 0;
	struct epoll_event ev;
	struct conn *c;

	c = calloc(1, sizeof(*c) + extra);
	if (!c) {
		fprintf(stderr, PROG ": warning: out of memory, closing a connection\n");
		close(fd);
		return;
	}
	c->fd = fd;
	c->left = s->o->send_bytes;
	if (s->o->mode == MODE_ECHO &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int)))
		fprintf(stderr, PROG ": warning: TCP_NODELAY: %s\n", strerror(errno));
	ev.events = s->o->mode == MODE_SEND ? EPOLLOUT : EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev)) {
		fprintf(stderr, PROG ": warning: epoll_ctl: %s\n", strerror(errno));
		close(fd);
		free(c);
		return;
	}
	s->nconns++;
	conn_event(s, c);
}

static void accept_conns(struct server *s)
{
	int i, fd;

	for (i = 0; i < ACCEPT_MAX; i++) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (!would_block() && errno != EINTR && errno != ECONNABORTED)
				fprintf(stderr, PROG ": warning: accept: %s\n", strerror(errno));
			return;
		}
		if (s->o->mode == MODE_CLOSE)
			close(fd);
		else
			conn_add(s, fd);
	}
}

static int serve(struct server *s, const sigset_t *waitmask)
{
	uint64_t end = now_ns() + s->o->max_ns, t;
	struct epoll_event ev[EVENTS_MAX];
	int n, i, ms;

	while (!stop_signal && (t = now_ns()) < end) {
		/* epoll_pwait(), not epoll_pwait2(): it runs on kernels before 5.11 */
		ms = end - t > 1000 * NSEC_PER_MSEC
			 ? 1000
			 : (int)((end - t + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		n = epoll_pwait(s->ep, ev, EVENTS_MAX, ms, waitmask);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": epoll_pwait: %s\n", strerror(errno));
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == NULL)
				accept_conns(s);
			else
				conn_event(s, ev[i].data.ptr);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	struct opts o = {0};
	struct server s = {.o = &o, .ep = -1, .lfd = -1};
	sigset_t waitmask;
	int ret = 1;

	parse_opts(argc, argv, &o);
	memset(send_buf, 'x', sizeof(send_buf));
	if (setup_signals(on_signal, &waitmask)) {
		fprintf(stderr, PROG ": signal setup: %s\n", strerror(errno));
		return 1;
	}
	s.lfd = open_listener(&o);
	if (s.lfd < 0)
		return 1;
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.ep < 0 || epoll_ctl(s.ep, EPOLL_CTL_ADD, s.lfd, &ev)) {
		fprintf(stderr, PROG ": epoll: %s\n", strerror(errno));
		goto out;
	}
	if (o.readyfile && write_readyfile(PROG, o.readyfile))
		goto out;
	ret = serve(&s, &waitmask) ? 1 : 0;
out:
	if (s.ep >= 0)
		close(s.ep);
	close(s.lfd);
	return ret;
}
