// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <bpf/libbpf.h>
#include "evloop.h"

enum { SRC_RINGBUF, SRC_SIGNAL, SRC_DURATION, SRC_TICK };

static void signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

int evloop_block_signals(void)
{
	sigset_t set;

	signal_set(&set);
	return sigprocmask(SIG_BLOCK, &set, NULL) ? -errno : 0;
}

static int timer_open(double seconds, bool periodic)
{
	struct itimerspec its = {};
	uint64_t ns = (uint64_t)(seconds * 1e9);
	int fd;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	its.it_value.tv_sec = ns / 1000000000;
	its.it_value.tv_nsec = ns % 1000000000;
	if (periodic)
		its.it_interval = its.it_value;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int watch(int epfd, int fd, uint64_t src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = src };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Returns 1 to stop, 0 to go on, negative on error. */
static int dispatch(const struct evloop_cfg *cfg, uint64_t src, int fd)
{
	struct signalfd_siginfo si;
	uint64_t expirations;
	int err;

	switch (src) {
	case SRC_RINGBUF:
		err = ring_buffer__consume(cfg->rb);
		if (err > 0 && cfg->out)
			fflush(cfg->out);
		return err < 0 ? err : 0;
	case SRC_SIGNAL:
		if (read(fd, &si, sizeof(si)) != sizeof(si))
			return -errno;
		return 1;
	case SRC_DURATION:
		return 1;
	case SRC_TICK:
		if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations))
			return -errno;
		/* The tick is watched only with an on_tick; scan-build cannot
		 * follow that across evloop_run(), so say it here. */
		if (!cfg->on_tick)
			return -EINVAL;
		return cfg->on_tick(cfg->ctx) ? 1 : 0;
	}
	return -EINVAL;
}

int evloop_run(const struct evloop_cfg *cfg)
{
	int fds[4] = { -1, -1, -1, -1 };
	struct epoll_event events[4];
	int epfd, err = 0, n, i;
	sigset_t set;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	signal_set(&set);
	fds[SRC_SIGNAL] = signalfd(-1, &set, SFD_CLOEXEC);
	if (fds[SRC_SIGNAL] < 0) {
		err = -errno;
		goto cleanup;
	}
	err = watch(epfd, fds[SRC_SIGNAL], SRC_SIGNAL);
	if (!err && cfg->rb) {
		fds[SRC_RINGBUF] = ring_buffer__epoll_fd(cfg->rb);
		err = watch(epfd, fds[SRC_RINGBUF], SRC_RINGBUF);
		fds[SRC_RINGBUF] = -1;	/* owned by the ring buffer */
	}
	if (!err && cfg->duration_s > 0) {
		fds[SRC_DURATION] = timer_open(cfg->duration_s, false);
		err = fds[SRC_DURATION] < 0 ? fds[SRC_DURATION] : watch(epfd, fds[SRC_DURATION],
									  SRC_DURATION);
	}
	if (!err && cfg->interval_s > 0 && cfg->on_tick) {
		fds[SRC_TICK] = timer_open(cfg->interval_s, true);
		err = fds[SRC_TICK] < 0 ? fds[SRC_TICK] : watch(epfd, fds[SRC_TICK], SRC_TICK);
	}

	while (!err) {
		n = epoll_wait(epfd, events, 4, cfg->rb ? EVLOOP_RINGBUF_POLL_MS : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0) {
			err = dispatch(cfg, SRC_RINGBUF, -1);
			continue;
		}
		for (i = 0; i < n && !err; i++) {
			uint64_t src = events[i].data.u64;

			err = dispatch(cfg, src, src == SRC_RINGBUF ? -1 : fds[src]);
		}
	}
	if (err > 0)
		err = 0;
cleanup:
	for (i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(epfd);
	return err;
}
