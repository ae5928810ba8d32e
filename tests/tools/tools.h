/* SPDX-License-Identifier: GPL-2.0 */
/* What the test tools (nfq_delay, lat_client, lat_server) share. */
#ifndef TCPLAT_TEST_TOOLS_H
#define TCPLAT_TEST_TOOLS_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define NSEC_PER_SEC 1000000000ULL

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Fills ss from addr and port; a family of 0 is taken from the address. */
static inline int make_addr(int *family, const char *addr, unsigned int port,
			    struct sockaddr_storage *ss)
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

/*
 * SIGTERM/SIGINT go to handler and stay blocked except while the caller
 * waits with the mask saved in waitmask (epoll_pwait, ppoll), so none is
 * missed between a check of the stop flag and the wait. SIGPIPE is ignored:
 * a peer that went away is an error to report, not a reason to die.
 */
static inline int setup_signals(void (*handler)(int), sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	return sigprocmask(SIG_BLOCK, &set, waitmask);
}

/* Creates path holding our PID: the tests wait for it to know the tool is
 * ready. prog names the tool in the error message. */
static inline int write_readyfile(const char *prog, const char *path)
{
	char line[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	if (write(fd, line, (size_t)n) != n || close(fd)) {
		fprintf(stderr, "%s: %s: write failed\n", prog, path);
		return -1;
	}
	return 0;
}

#endif /* TCPLAT_TEST_TOOLS_H */
