/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event loop every subcommand runs: one epoll over a ring buffer, a
 * signalfd (SIGINT/SIGTERM) and timerfds (end of --duration, interval
 * ticks), so that a signal ends the trace at a clean point rather than in
 * the middle of a callback.
 */
#ifndef TCPLAT_EVLOOP_H
#define TCPLAT_EVLOOP_H

#include <stdio.h>

struct ring_buffer;

/* The BPF side wakes the reader per batch of records, not per record
 * (ringbuf_submit_batched): the loop reads the ring buffer at least this
 * often, so a record waits at most this long to be shown. */
#define EVLOOP_RINGBUF_POLL_MS 100

struct evloop_cfg {
	struct ring_buffer *rb;		/* may be NULL */
	/* Flushed once per batch of records read from rb, so that the record
	 * handlers need not flush per line: a pipe reader still sees every
	 * line within EVLOOP_RINGBUF_POLL_MS, at one write per batch. (A
	 * terminal is line-buffered by stdio anyway.) May be NULL. */
	FILE *out;
	double duration_s;		/* 0: until a signal */
	double interval_s;		/* 0: no ticks */
	/* Called every interval; a non-zero return ends the loop. */
	int (*on_tick)(void *ctx);
	void *ctx;
};

/* Blocks SIGINT and SIGTERM so that they queue for the loop's signalfd;
 * call it early, before loading BPF, so a Ctrl-C during start-up still
 * ends in a clean exit. */
int evloop_block_signals(void);
/* Runs until a signal, the end of duration_s, a tick that asks to stop, or
 * an error (negative errno). */
int evloop_run(const struct evloop_cfg *cfg);

#endif /* TCPLAT_EVLOOP_H */
