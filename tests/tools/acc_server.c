// SPDX-License-Identifier: GPL-2.0
/*
 * acc_server - a listener that accepts at a pace the tests choose, for the
 * `tcplat accept` tests.
 *
 * Usage: acc_server [-4|-6] -a ADDR -p PORT [-b BACKLOG] [-i INTERVAL_MS] [-n] [-k]
 *                   [-f] [-R] [-l LOGFILE] [-r READYFILE] [-t MAX_SECONDS]
 *
 * Listens on ADDR:PORT (SO_REUSEADDR, IPV6_V6ONLY with -6, SO_REUSEPORT with
 * -R) with BACKLOG (default 128), then accepts one connection at a time with
 * accept4() (accept() with -k) and closes it at once; after each accept it
 * sleeps INTERVAL_MS (default 0), so that connections arriving in a burst wait
 * 0, INTERVAL, 2 INTERVAL, ... in the accept queue. -n never accepts. -f forks
 * once after listen(): parent and child accept from the same listener.
 *
 * One NDJSON line per accepted connection (LOGFILE, appended by every
 * process, else stdout):
 *   {"pid":1234,"call":"accept4","family":4,"raddr":"198.18.0.1","rport":41234,
 *    "accept_ns":123456789}
 * accept_ns is CLOCK_MONOTONIC right after accept returned.
 * READYFILE is created once the socket listens (and the child, with -f, has
 * started). Ends on SIGTERM/SIGINT or after MAX_SECONDS (default 300); a -f
 * child ends with its parent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h> /* isfinite() only: no -lm needed */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tools.h"

#define PROG "acc_server"

struct opts {
	int family;
	struct sockaddr_storage addr;
	int backlog;
	uint64_t interval_ns;
	bool never;
	bool plain_accept;
	bool fork_child;
	bool reuseport;
	const char *logfile;
	const char *readyfile;
	uint64_t max_ns;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " [-4|-6] -a ADDR -p PORT [-b BACKLOG] [-i INTERVAL_MS] [-n]"
			" [-k] [-f] [-R] [-l LOGFILE] [-r READYFILE] [-t MAX_SECONDS]\n");
	exit(2);
}

static double parse_num(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0)
		usage();
	return v;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	const char *addr = NULL;
	double port = -1;
	int c;

	memset(o, 0, sizeof(*o));
	o->backlog = 128;
	o->max_ns = 300 * NSEC_PER_SEC;
	while ((c = getopt(argc, argv, "46a:p:b:i:nkfRl:r:t:h")) != -1) {
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
			port = parse_num(optarg);
			break;
		case 'b':
			o->backlog = (int)parse_num(optarg);
			break;
		case 'i':
			o->interval_ns = (uint64_t)(parse_num(optarg) * 1e6);
			break;
		case 'n':
			o->never = true;
			break;
		case 'k':
			o->plain_accept = true;
			break;
		case 'f':
			o->fork_child = true;
			break;
		case 'R':
			o->reuseport = true;
			break;
		case 'l':
			o->logfile = optarg;
			break;
		case 'r':
			o->readyfile = optarg;
			break;
		case 't':
			o->max_ns = (uint64_t)(parse_num(optarg) * 1e9);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !addr || port < 1 || port > 65535 || port != (int)port)
		usage();
	if (make_addr(&o->family, addr, (unsigned int)port, &o->addr)) {
		fprintf(stderr, PROG ": invalid address: %s\n", addr);
		exit(2);
	}
}

static int listen_on(const struct opts *o)
{
	int fd, one = 1;

	fd = socket(o->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (o->reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    (o->family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&o->addr, sizeof(o->addr)) ||
	    listen(fd, o->backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void log_accept(FILE *log, const char *call, const struct sockaddr_storage *peer,
		       uint64_t t)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)peer;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)peer;
	char a[INET6_ADDRSTRLEN] = "";
	unsigned int port = 0;
	int fam = 0;

	if (peer->ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		port = ntohs(sin->sin_port);
		fam = 4;
	} else if (peer->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		port = ntohs(sin6->sin6_port);
		fam = 6;
	}
	fprintf(log,
		"{\"pid\":%d,\"call\":\"%s\",\"family\":%d,\"raddr\":\"%s\",\"rport\":%u,"
		"\"accept_ns\":%llu}\n",
		(int)getpid(), call, fam, a, port, (unsigned long long)t);
	fflush(log);
}

/* Waits until fd is readable, a signal, or the deadline (or sleeps until
 * the deadline with fd -1). 1 when readable. */
static int wait_until(int fd, uint64_t deadline, const sigset_t *waitmask)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t now = now_ns();
	struct timespec ts;
	int n;

	if (stop_signal || now >= deadline)
		return 0;
	ts.tv_sec = (deadline - now) / NSEC_PER_SEC;
	ts.tv_nsec = (deadline - now) % NSEC_PER_SEC;
	n = ppoll(fd >= 0 ? &p : NULL, fd >= 0 ? 1 : 0, &ts, waitmask);
	return n > 0;
}

static int serve(const struct opts *o, int lfd, FILE *log, const sigset_t *waitmask,
		 uint64_t end)
{
	const char *call = o->plain_accept ? "accept" : "accept4";
	struct sockaddr_storage peer;
	socklen_t len;
	int fd;

	while (!stop_signal && now_ns() < end) {
		if (o->never) {
			wait_until(-1, end, waitmask);
			continue;
		}
		if (wait_until(lfd, end, waitmask) <= 0)
			continue;
		len = sizeof(peer);
		if (o->plain_accept)
			fd = accept(lfd, (struct sockaddr *)&peer, &len);
		else
			fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			/* Another process of a shared listener took it. */
			if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, PROG ": %s: %s\n", call, strerror(errno));
			return 1;
		}
		log_accept(log, call, &peer, now_ns());
		close(fd);
		if (o->interval_ns)
			wait_until(-1, now_ns() + o->interval_ns, waitmask);
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t end;
	sigset_t waitmask;
	struct opts o;
	FILE *log = stdout;
	pid_t parent = getpid(), child = -1;
	int lfd, status;

	parse_opts(argc, argv, &o);
	end = now_ns() + o.max_ns;
	if (setup_signals(on_signal, &waitmask)) {
		fprintf(stderr, PROG ": signal setup: %s\n", strerror(errno));
		return 1;
	}
	if (o.logfile) {
		log = fopen(o.logfile, "ae");
		if (!log) {
			fprintf(stderr, PROG ": %s: %s\n", o.logfile, strerror(errno));
			return 1;
		}
	}
	lfd = listen_on(&o);
	if (lfd < 0) {
		fprintf(stderr, PROG ": listen: %s\n", strerror(errno));
		return 1;
	}
	/* Non-blocking: with -f the other process may take a connection
	 * between our poll and our accept. */
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	if (o.fork_child) {
		child = fork();
		if (child < 0) {
			fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
			return 1;
		}
		if (child == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				return 0;
			return serve(&o, lfd, log, &waitmask, end);
		}
	}
	if (o.readyfile && write_readyfile(PROG, o.readyfile))
		return 1;
	status = serve(&o, lfd, log, &waitmask, end);
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
	}
	return status;
}
