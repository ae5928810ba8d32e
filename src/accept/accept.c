// SPDX-License-Identifier: GPL-2.0
/*
 * User side of `tcplat accept`: options -> backend (and the two cgroup
 * programs) -> ring buffer lines, or --hist intervals from the cumulative
 * listener table -> summary. Every second (or interval) the handshakes the
 * kernel gave up on are swept from their table.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "accept_format.h"
#include "accept_opts.h"
#include "accept_table.h"
#include "backend.h"
#include "evloop.h"
#include "tcplat.h"
#include "accept.skel.h"

struct accept_ctx {
	const struct accept_opts *opts;
	struct accept_bpf *skel;
	struct bpf_link *sockops_link;
	struct bpf_link *ingress_link;
	int cgroup_fd;			/* --cgroup, or -1 */
	char cgroup_root[PATH_MAX];	/* where cgroup v2 is mounted, "" if not */
	struct accept_view view;
	struct accept_table table;
	struct accept_listener *groups;	/* scratch: one interval's groups */
	uint64_t start_mono_ns;
	uint64_t interval_start_ns;
	int64_t realtime_offset_ns;
	uint64_t intervals;
	bool stopped_by_count;
	struct accept_summary sum;
};

static int ops_open(void *arg)
{
	struct accept_ctx *ctx = arg;
	const struct accept_opts *o = ctx->opts;
	struct accept_bpf *skel;
	int err;

	skel = accept_bpf__open();
	if (!skel)
		return -errno;
	ctx->skel = skel;
	skel->rodata->targ_family = o->common.family;
	skel->rodata->targ_nlports = o->nlports;
	memcpy((void *)skel->rodata->targ_lports, o->lports, sizeof(o->lports));
	skel->rodata->targ_laddr_family = o->laddr_family;
	memcpy((void *)skel->rodata->targ_laddr, o->laddr, sizeof(o->laddr));
	skel->rodata->targ_tgid = o->common.pid;
	skel->rodata->targ_min_ns = o->min_ns;
	skel->rodata->report_failed = o->failed;
	skel->rodata->emit_events = !o->hist;
	err = bpf_map__set_max_entries(skel->maps.listeners, o->max_listeners);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.handshakes, o->max_pending);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.queued, o->max_pending);
	if (!err && o->hist)
		err = bpf_map__set_max_entries(skel->maps.events, getpagesize());
	return err;
}

static struct bpf_object *ops_object(void *arg)
{
	return ((struct accept_ctx *)arg)->skel->obj;
}

static int ops_load(void *arg)
{
	return accept_bpf__load(((struct accept_ctx *)arg)->skel);
}

/* The cgroup programs go to --cgroup's directory, or to the root, which
 * covers every listener created from now on and the ones that exist. */
static int ops_attach(void *arg)
{
	struct accept_ctx *ctx = arg;
	int err, fd;

	err = accept_bpf__attach(ctx->skel);
	if (err)
		return err;
	if (ctx->cgroup_fd >= 0) {
		fd = ctx->cgroup_fd;
	} else {
		if (!ctx->cgroup_root[0]) {
			fprintf(stderr, "tcplat: no cgroup v2 hierarchy is mounted: tcplat accept "
					"needs one for its sockops and cgroup_skb programs\n");
			return -ENOENT;
		}
		fd = open(ctx->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	ctx->sockops_link = bpf_program__attach_cgroup(ctx->skel->progs.cg_sockops_req, fd);
	err = ctx->sockops_link ? 0 : -errno;
	if (!err) {
		ctx->ingress_link = bpf_program__attach_cgroup(ctx->skel->progs.cg_listener_ingress,
							       fd);
		err = ctx->ingress_link ? 0 : -errno;
	}
	if (fd != ctx->cgroup_fd)
		close(fd);
	return err;
}

static void detach_cgroup(struct accept_ctx *ctx)
{
	bpf_link__destroy(ctx->ingress_link);
	ctx->ingress_link = NULL;
	bpf_link__destroy(ctx->sockops_link);
	ctx->sockops_link = NULL;
}

static void ops_destroy(void *arg)
{
	struct accept_ctx *ctx = arg;

	detach_cgroup(ctx);
	accept_bpf__destroy(ctx->skel);
	ctx->skel = NULL;
}

static const struct backend_ops accept_backend_ops = {
	.open = ops_open,
	.object = ops_object,
	.load = ops_load,
	.attach = ops_attach,
	.destroy = ops_destroy,
};

static int handle_event(void *arg, void *data, size_t size)
{
	struct accept_ctx *ctx = arg;
	const struct accept_event *e = data;

	if (size < sizeof(*e))
		return 0;
	if (ctx->opts->common.json)
		accept_print_json(stdout, e, e->ts_ns + ctx->realtime_offset_ns);
	else
		accept_print_text(stdout, &ctx->view, e,
				  ((int64_t)e->ts_ns - (int64_t)ctx->start_mono_ns) / 1e9);
	/* No flush here: the event loop flushes once per batch read. */
	ctx->sum.shown++;
	return 0;
}

/* Handshakes the kernel gave up on (no final ACK within its SYN-ACK
 * retries, or a SYN cookie never answered) leave no trace to hook. */
static void sweep_handshakes(struct accept_ctx *ctx, uint64_t now)
{
	int fd = bpf_map__fd(ctx->skel->maps.handshakes);
	struct accept_flow key, next, *prev = NULL;
	struct accept_handshake h;
	bool have_stale = false;
	struct accept_flow stale;

	/* Delete one key behind the walk, so that get_next_key always
	 * starts from a key that still exists. */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (have_stale) {
			if (!bpf_map_delete_elem(fd, &stale))
				ctx->sum.expired++;
			have_stale = false;
		}
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &h))
			continue;
		if (h.syn_ns + ACCEPT_HANDSHAKE_MAX_AGE_NS < now) {
			stale = key;
			have_stale = true;
		}
	}
	if (have_stale && !bpf_map_delete_elem(fd, &stale))
		ctx->sum.expired++;
}

/* Local wall-clock time of a CLOCK_MONOTONIC instant, "HH:MM:SS". */
static void format_when(const struct accept_ctx *ctx, uint64_t mono_ns, char *buf, size_t len)
{
	time_t sec = (mono_ns + ctx->realtime_offset_ns) / 1000000000ULL;
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

static bool owner_matches(const struct accept_ctx *ctx, const struct accept_listener *l)
{
	return !ctx->opts->common.pid || l->id.owner_pid == ctx->opts->common.pid;
}

/* One --hist interval: every listener (or group) with anything counted. */
static int print_interval(struct accept_ctx *ctx, uint64_t now)
{
	const struct accept_opts *o = ctx->opts;
	__u32 epoch = ctx->skel->bss->qlen_epoch;
	size_t n, shown = 0;
	char when[32];
	int err;

	err = accept_table_read(&ctx->table, bpf_map__fd(ctx->skel->maps.listeners));
	if (err)
		return err;
	/* From here on the kernel records the next interval's peaks. */
	ctx->skel->bss->qlen_epoch = epoch + 1;
	n = accept_table_group(&ctx->table, o->by, true, epoch, ctx->groups, ctx->table.cap);
	format_when(ctx, now, when, sizeof(when));
	for (size_t i = 0; i < n; i++) {
		const struct accept_listener *g = &ctx->groups[i];
		bool any = g->hs.count || g->wait.count;

		for (int c = 0; c < ACC_COUNTER_MAX && !any; c++)
			any = g->counters[c] != 0;
		if (!any || (o->by == ACCEPT_BY_LISTENER && !owner_matches(ctx, g)))
			continue;
		if (o->common.json)
			accept_print_hist_json(stdout, now + ctx->realtime_offset_ns,
					       now - ctx->interval_start_ns, g, o->by);
		else
			accept_print_hist_text(stdout, when, g, o->by);
		shown++;
	}
	if (!shown && !o->common.json)
		printf("%s: no connections\n\n", when);
	ctx->sum.shown += shown;
	accept_table_advance(&ctx->table, bpf_map__fd(ctx->skel->maps.listeners));
	return 0;
}

static int on_tick(void *arg)
{
	struct accept_ctx *ctx = arg;
	uint64_t now = tcplat_clock_ns(CLOCK_MONOTONIC);
	int err = 0;

	sweep_handshakes(ctx, now);
	if (!ctx->opts->hist)
		return 0;
	err = print_interval(ctx, now);
	fflush(stdout);
	ctx->interval_start_ns = now;
	if (err) {
		fprintf(stderr, "tcplat: reading the listener table failed: %s\n", strerror(-err));
		return err;
	}
	ctx->intervals++;
	if (ctx->opts->count && ctx->intervals >= ctx->opts->count) {
		ctx->stopped_by_count = true;
		return 1;
	}
	return 0;
}

static int read_stats(struct accept_ctx *ctx)
{
	uint64_t t[ACCEPT_STAT_MAX];
	int err;

	err = tcplat_read_counters(bpf_map__fd(ctx->skel->maps.stats), ACCEPT_STAT_MAX, t);
	if (err)
		return err;
	ctx->sum.seen = t[ACCEPT_STAT_SEEN];
	ctx->sum.below_min = t[ACCEPT_STAT_BELOW_MIN];
	ctx->sum.failed_hidden = t[ACCEPT_STAT_FAILED_HIDDEN];
	ctx->sum.ringbuf_drops = t[ACCEPT_STAT_RINGBUF_DROPS];
	ctx->sum.pending_full = t[ACCEPT_STAT_PENDING_FULL];
	ctx->sum.listeners_full = t[ACCEPT_STAT_LISTENERS_FULL];
	ctx->sum.no_syn = t[ACCEPT_STAT_NO_SYN];
	ctx->sum.accept_unseen = t[ACCEPT_STAT_ACCEPT_UNSEEN];
	ctx->sum.unmatched_req = t[ACCEPT_STAT_UNMATCHED_REQ];
	return 0;
}

/* The summary's listeners: totals since tracing started, each on its own. */
static int print_summary(struct accept_ctx *ctx, enum backend chosen)
{
	size_t n, kept = 0;
	int err;

	err = accept_table_read(&ctx->table, bpf_map__fd(ctx->skel->maps.listeners));
	if (err)
		return err;
	n = accept_table_group(&ctx->table, ACCEPT_BY_LISTENER, false, 0, ctx->groups,
			       ctx->table.cap);
	for (size_t i = 0; i < n; i++)
		if (owner_matches(ctx, &ctx->groups[i]))
			ctx->groups[kept++] = ctx->groups[i];
	if (ctx->opts->common.json)
		accept_print_summary_json(stdout, &ctx->sum, backend_name(chosen), ctx->groups,
					  kept);
	else
		accept_print_summary_text(stderr, &ctx->sum, ctx->groups, kept);
	return 0;
}

/* What -v says about how the chosen backend sees accept(). */
static void explain_backend(const struct accept_ctx *ctx, enum backend chosen)
{
	static const char *const how[BACKEND_COUNT] = {
		[BACKEND_FENTRY] = "fexit inet_accept",
		[BACKEND_KPROBE] = "kretprobe inet_csk_accept",
		[BACKEND_TRACEPOINT] = "tp_btf sys_exit of accept/accept4: a hook on every system "
				       "call of the host; accepts through io_uring or 32-bit "
				       "compat calls have no WAIT and are counted as unseen",
	};

	fprintf(stderr, "tcplat: accept: SYNs, request socks and SYN cookies from cgroup_skb "
			"ingress and sockops attached to cgroup %s (listeners of processes in it); "
			"accept() from %s\n",
		ctx->cgroup_fd >= 0 ? ctx->opts->common.cgroup : ctx->cgroup_root, how[chosen]);
}

int cmd_accept(int argc, char **argv)
{
	struct accept_opts opts;
	struct accept_ctx ctx = { .opts = &opts, .cgroup_fd = -1 };
	struct ring_buffer *rb = NULL;
	struct evloop_cfg loop = {};
	enum backend chosen;
	int err, status = 1;

	if (accept_opts_parse(argc, argv, &opts, 0))
		return 2;
	if (tcplat_prepare(&opts.common))
		return 1;
	tcplat_cgroup2_root(ctx.cgroup_root, sizeof(ctx.cgroup_root));
	if (opts.common.cgroup) {
		ctx.cgroup_fd = tcplat_open_cgroup(opts.common.cgroup);
		if (ctx.cgroup_fd < 0)
			return 2;
	}
	ctx.view = (struct accept_view){ opts.timestamp, opts.retrans, opts.failed };
	ctx.groups = calloc(opts.max_listeners, sizeof(*ctx.groups));
	if (!ctx.groups || accept_table_init(&ctx.table, opts.max_listeners)) {
		fprintf(stderr, "tcplat: out of memory\n");
		goto cleanup;
	}

	err = backend_select(&accept_backend_ops, &ctx, opts.common.backend, opts.common.verbose,
			     &chosen);
	if (err)
		goto cleanup;
	if (opts.common.verbose)
		explain_backend(&ctx, chosen);
	ctx.start_mono_ns = tcplat_clock_ns(CLOCK_MONOTONIC);
	ctx.interval_start_ns = ctx.start_mono_ns;
	ctx.realtime_offset_ns = tcplat_clock_ns(CLOCK_REALTIME) - ctx.start_mono_ns;

	if (!opts.hist) {
		rb = ring_buffer__new(bpf_map__fd(ctx.skel->maps.events), handle_event, &ctx,
				      NULL);
		if (!rb) {
			fprintf(stderr, "tcplat: cannot open the ring buffer: %s\n",
				strerror(errno));
			goto cleanup;
		}
		if (!opts.common.json)
			accept_print_header(stdout, &ctx.view);
		fflush(stdout);
		loop.rb = rb;
		loop.out = stdout;
	}
	loop.interval_s = opts.hist ? opts.interval_s : 1;
	loop.on_tick = on_tick;
	loop.ctx = &ctx;
	loop.duration_s = opts.common.duration_s;
	err = evloop_run(&loop);
	if (err) {
		fprintf(stderr, "tcplat: event loop failed: %s\n", strerror(-err));
		goto cleanup;
	}

	/* Detach first, then drain and read: nothing can arrive after the
	 * last read, so the lines, the last interval and the summary agree. */
	detach_cgroup(&ctx);
	accept_bpf__detach(ctx.skel);
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
	err = read_stats(&ctx);
	if (!err)
		err = print_summary(&ctx, chosen);
	if (err) {
		fprintf(stderr, "tcplat: cannot read counters: %s\n", strerror(-err));
		goto cleanup;
	}
	fflush(stdout);
	status = 0;

cleanup:
	ring_buffer__free(rb);
	detach_cgroup(&ctx);
	accept_bpf__destroy(ctx.skel);
	if (ctx.cgroup_fd >= 0)
		close(ctx.cgroup_fd);
	accept_table_free(&ctx.table);
	free(ctx.groups);
	return status;
}
