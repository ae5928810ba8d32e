// SPDX-License-Identifier: GPL-2.0
/*
 * User side of `tcplat connect`: options -> backend choice -> ring buffer
 * loop (or, with --hist, an interval tick over the kernel's table) ->
 * summary. Parsing and formatting live in connect_opts.c, connect_format.c
 * and connect_hist_format.c, the table's reading and sums in connect_hist.c
 * and connect_agg.c; this file is only the libbpf lifecycle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "backend.h"
#include "cgroup_path.h"
#include "connect_format.h"
#include "connect_hist.h"
#include "connect_hist_format.h"
#include "connect_load.h"
#include "connect_opts.h"
#include "evloop.h"
#include "hist_text.h"
#include "tcplat.h"
#include "connect.skel.h"

/* cgroup ids whose paths are kept for --by cgroup labels. */
#define CGROUP_PATH_CACHE 4096

struct connect_ctx {
	const struct connect_opts *opts;
	struct connect_bpf *skel;	/* loader.skel once loaded */
	struct connect_loader loader;
	struct connect_view view;
	uint64_t start_mono_ns;		/* tracing start, bpf_ktime_get_ns() clock */
	int64_t realtime_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint64_t shown;
	/* --hist */
	struct connect_agg_table cur, prev;	/* sums of the table, now and last tick */
	struct connect_interval *intervals;	/* scratch: one per key */
	struct cgroup_paths cgroups;
	uint64_t interval_start_ns;
	uint64_t ticks;
	bool stopped_by_count;
};

static int handle_event(void *arg, void *data, size_t size)
{
	struct connect_ctx *ctx = arg;
	const struct connect_event *e = data;

	if (size < sizeof(*e))
		return 0;
	if (ctx->opts->common.json)
		connect_print_json(stdout, e, e->ts_ns + ctx->realtime_offset_ns);
	else
		connect_print_text(stdout, &ctx->view, e,
				   ((int64_t)e->ts_ns - (int64_t)ctx->start_mono_ns) / 1e9);
	/* No flush here: the event loop flushes once per batch read. */
	ctx->shown++;
	return 0;
}

/* --hist: the interval since the last tick, from two sums of the table. */
static int tick_hist(struct connect_ctx *ctx, uint64_t now)
{
	const struct connect_opts *o = ctx->opts;
	uint64_t real = now + ctx->realtime_offset_ns;
	char when[32], label[256];
	const char *cgroup = NULL;
	size_t n, i;
	int err;

	err = connect_hist_collect(bpf_map__fd(ctx->skel->maps.hists), &ctx->cur);
	if (err)
		return err;
	n = connect_agg_intervals(&ctx->cur, ctx->ticks ? &ctx->prev : NULL, ctx->intervals);
	if (o->top && n > o->top)
		n = o->top;
	hist_format_clock(real, false, when, sizeof(when));
	for (i = 0; i < n; i++) {
		const struct connect_interval *iv = &ctx->intervals[i];

		if (o->key_fields & CONNECT_KEY_CGROUP)
			cgroup = cgroup_paths_get(&ctx->cgroups, iv->diff.key.cgroup_id);
		if (o->common.json) {
			connect_print_interval_json(stdout, real, now - ctx->interval_start_ns,
						    o->key_fields, cgroup, iv, o->unit_us);
		} else {
			connect_key_label(o->key_fields, &iv->diff.key, cgroup, label,
					  sizeof(label));
			connect_print_interval_text(stdout, when, label, iv, o->unit_us);
		}
	}
	if (!n && !o->common.json)
		connect_print_no_connects(stdout, when);
	ctx->shown += n;
	connect_agg_swap(&ctx->cur, &ctx->prev);
	return 0;
}

static int on_tick(void *arg)
{
	struct connect_ctx *ctx = arg;
	uint64_t now = tcplat_clock_ns(CLOCK_MONOTONIC);
	int err;

	err = tick_hist(ctx, now);
	fflush(stdout);
	ctx->interval_start_ns = now;
	if (err) {
		fprintf(stderr, "tcplat: reading the connect table failed: %s\n", strerror(-err));
		return err;
	}
	ctx->ticks++;
	if (ctx->opts->count && ctx->ticks >= ctx->opts->count) {
		ctx->stopped_by_count = true;
		return 1;
	}
	return 0;
}

/* --hist: the tables of sums, the scratch and the cgroup names. */
static int hist_alloc(struct connect_ctx *ctx)
{
	const struct connect_opts *o = ctx->opts;
	int err;

	err = connect_agg_init(&ctx->cur, o->key_fields, o->max_keys);
	if (!err)
		err = connect_agg_init(&ctx->prev, o->key_fields, o->max_keys);
	if (!err) {
		ctx->intervals = calloc(o->max_keys, sizeof(*ctx->intervals));
		err = ctx->intervals ? 0 : -ENOMEM;
	}
	if (!err && (o->key_fields & CONNECT_KEY_CGROUP))
		err = cgroup_paths_init(&ctx->cgroups, CGROUP_PATH_CACHE);
	return err;
}

static void hist_free(struct connect_ctx *ctx)
{
	connect_agg_free(&ctx->cur);
	connect_agg_free(&ctx->prev);
	free(ctx->intervals);
	ctx->intervals = NULL;
	if (ctx->cgroups.cache)
		cgroup_paths_free(&ctx->cgroups);
}

static int read_stats(const struct connect_bpf *skel, struct connect_summary *sum)
{
	uint64_t totals[STAT_MAX];
	int err;

	err = tcplat_read_counters(bpf_map__fd(skel->maps.stats), STAT_MAX, totals);
	if (err)
		return err;
	sum->seen = totals[STAT_SEEN];
	sum->below_min = totals[STAT_BELOW_MIN];
	sum->failed_hidden = totals[STAT_FAILED_HIDDEN];
	sum->ringbuf_drops = totals[STAT_RINGBUF_DROPS];
	sum->inflight_full = totals[STAT_INFLIGHT_FULL];
	sum->keys_full = totals[STAT_KEYS_FULL];
	return 0;
}

int cmd_connect(int argc, char **argv)
{
	struct connect_opts opts;
	struct connect_ctx ctx = { .opts = &opts };
	struct connect_summary sum = {};
	struct connect_load_cfg load_cfg;
	struct ring_buffer *rb = NULL;
	struct evloop_cfg loop = {};
	enum backend chosen;
	int err, cgroup_fd = -1, status = 1;
	__u32 zero = 0;

	if (connect_opts_parse(argc, argv, &opts, 0))
		return 2;
	if (tcplat_prepare(&opts.common))
		return 1;
	if (opts.common.cgroup) {
		cgroup_fd = tcplat_open_cgroup(opts.common.cgroup);
		if (cgroup_fd < 0)
			return 2;
	}
	ctx.view = (struct connect_view){ opts.timestamp, opts.lport, opts.failed, opts.retrans };
	if (opts.hist && hist_alloc(&ctx)) {
		fprintf(stderr, "tcplat: out of memory\n");
		goto cleanup;
	}

	load_cfg = (struct connect_load_cfg){
		.pid = opts.common.pid,
		.family = opts.common.family,
		.cgroup = opts.common.cgroup != NULL,
		.comm = opts.comm,
		.dports = opts.dports,
		.ndports = opts.ndports,
		.daddr_family = opts.daddr_family,
		.daddr = opts.daddr,
		.min_ns = opts.min_ns,
		.report_failed = opts.failed,
		.mode = opts.hist ? CONNECT_MODE_HIST : CONNECT_MODE_EVENTS,
		.key_fields = opts.key_fields,
		.log2_ms = !opts.unit_us,
		.max_inflight = opts.max_inflight,
		.max_keys = opts.max_keys,
	};
	ctx.loader.cfg = &load_cfg;
	err = backend_select(&connect_load_ops, &ctx.loader, opts.common.backend,
			     opts.common.verbose, &chosen);
	if (err)
		goto cleanup;
	ctx.skel = ctx.loader.skel;
	/* Right after attach: with --cgroup nothing passes until this is set. */
	if (cgroup_fd >= 0 &&
	    bpf_map_update_elem(bpf_map__fd(ctx.skel->maps.cgroup_filter), &zero, &cgroup_fd,
				BPF_ANY)) {
		fprintf(stderr, "tcplat: cannot set the cgroup filter: %s\n", strerror(errno));
		goto cleanup;
	}
	ctx.start_mono_ns = tcplat_clock_ns(CLOCK_MONOTONIC);
	ctx.interval_start_ns = ctx.start_mono_ns;
	ctx.realtime_offset_ns = tcplat_clock_ns(CLOCK_REALTIME) - ctx.start_mono_ns;

	if (opts.hist) {
		loop.interval_s = opts.interval_s;
		loop.on_tick = on_tick;
		loop.ctx = &ctx;
	} else {
		rb = ring_buffer__new(bpf_map__fd(ctx.skel->maps.events), handle_event, &ctx,
				      NULL);
		if (!rb) {
			fprintf(stderr, "tcplat: cannot open the ring buffer: %s\n",
				strerror(errno));
			goto cleanup;
		}
		if (!opts.common.json) {
			connect_print_header(stdout, &ctx.view);
			fflush(stdout);
		}
		loop.rb = rb;
		loop.out = stdout;
	}
	loop.duration_s = opts.common.duration_s;
	err = evloop_run(&loop);
	if (err) {
		fprintf(stderr, "tcplat: event loop failed: %s\n", strerror(-err));
		goto cleanup;
	}

	/* Detach first, then drain (or show the last, partial interval):
	 * nothing can arrive after the last read, so the summary's counts and
	 * what was printed agree. */
	connect_bpf__detach(ctx.skel);
	if (rb) {
		err = ring_buffer__consume(rb);
		if (err < 0) {
			fprintf(stderr, "tcplat: reading the ring buffer failed: %s\n",
				strerror(-err));
			goto cleanup;
		}
	} else if (!ctx.stopped_by_count && on_tick(&ctx) < 0) {
		goto cleanup;
	}
	err = read_stats(ctx.skel, &sum);
	if (err) {
		fprintf(stderr, "tcplat: cannot read counters: %s\n", strerror(-err));
		goto cleanup;
	}
	sum.shown = ctx.shown;
	sum.hist = opts.hist;
	sum.intervals = ctx.ticks;
	if (opts.common.json)
		connect_print_summary_json(stdout, &sum, backend_name(chosen));
	else
		connect_print_summary_text(stderr, &sum);
	fflush(stdout);
	status = 0;

cleanup:
	ring_buffer__free(rb);
	if (ctx.skel)
		connect_bpf__destroy(ctx.skel);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	hist_free(&ctx);
	return status;
}
