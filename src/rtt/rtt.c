// SPDX-License-Identifier: GPL-2.0
/*
 * User side of `tcplat rtt`: options -> backend -> (sockops to a cgroup)
 * -> every interval, the difference of two snapshots of the kernel's
 * cumulative histograms; or, with --detail, samples from the ring buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "backend.h"
#include "evloop.h"
#include "rtt_format.h"
#include "hist_view.h"
#include "rtt_iter.h"
#include "rtt_opts.h"
#include "tcplat.h"
#include "rtt.skel.h"

/* The previous snapshot of one --by key. */
struct key_snapshot {
	struct rtt_key key;
	struct lat_hist hist;
	bool present;		/* seen in the current walk of the map */
};

/* An interval's histogram of one key, for sorting by p99. */
struct key_interval {
	const struct key_snapshot *snap;
	struct lat_hist diff;
	struct lat_summary sum;
};

struct rtt_ctx {
	const struct rtt_opts *opts;
	struct rtt_bpf *skel;
	struct bpf_link *sockops_link;
	struct rtt_iter *iter;		/* sockets from before the start; NULL: none */
	struct rtt_conn_filter filter;
	int cgroup_fd;			/* --cgroup, or -1 */
	char cgroup_root[PATH_MAX];	/* where cgroup v2 is mounted, "" if not */
	int ncpus;
	struct lat_hist *percpu;	/* lookup buffer, ncpus histograms */
	struct lat_hist prev;		/* default mode: last snapshot */
	struct key_snapshot *keys;	/* --by: last snapshots, sorted by key */
	size_t nkeys;
	struct key_interval *shown;	/* --by: scratch for one interval */
	uint64_t intervals;
	uint64_t interval_start_ns;
	int64_t realtime_offset_ns;
	bool stopped_by_count;
	struct rtt_totals totals;
};

static int read_stats(struct rtt_ctx *ctx);

/* Local wall-clock time of a CLOCK_MONOTONIC instant, "HH:MM:SS" or with ms. */
static void format_when(const struct rtt_ctx *ctx, uint64_t mono_ns, bool ms, char *buf,
			size_t len)
{
	uint64_t real = mono_ns + ctx->realtime_offset_ns;
	time_t sec = real / 1000000000ULL;
	struct tm tm;

	localtime_r(&sec, &tm);
	if (ms)
		snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(real / 1000000 % 1000));
	else
		strftime(buf, len, "%H:%M:%S", &tm);
}

/* The mount point of the cgroup v2 hierarchy: /sys/fs/cgroup on unified
 * systems, /sys/fs/cgroup/unified on hybrid ones. */
static int find_cgroup2_root(char *buf, size_t len)
{
	char dev[256], dir[PATH_MAX], type[64];
	int found = -ENOENT;
	FILE *f;

	f = fopen("/proc/mounts", "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, len, "%s", dir);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/* The cgroup id (its inode) and depth below the root of --cgroup PATH, for
 * the fentry/kprobe backends, which test a socket's cgroup ancestry. */
static int cgroup_id_level(const char *root, const char *path, uint64_t *id, uint32_t *level)
{
	char real_root[PATH_MAX], real[PATH_MAX];
	struct stat st;
	size_t n;

	if (!realpath(root, real_root) || !realpath(path, real) || stat(real, &st))
		return -errno;
	n = strlen(real_root);
	if (strncmp(real, real_root, n) || (real[n] && real[n] != '/'))
		return -EINVAL;
	*id = st.st_ino;
	*level = 0;
	for (const char *p = real + n; *p; p++)
		if (*p == '/' && p[1])
			(*level)++;
	return 0;
}

static int ops_open(void *arg)
{
	struct rtt_ctx *ctx = arg;
	const struct rtt_opts *o = ctx->opts;
	bool by = o->mode != RTT_MODE_HIST && o->mode != RTT_MODE_DETAIL;
	bool owners = o->mode == RTT_MODE_DETAIL || o->common.pid;
	struct rtt_bpf *skel;
	int err;

	skel = rtt_bpf__open();
	if (!skel)
		return -errno;
	ctx->skel = skel;
	skel->rodata->targ_mode = o->mode;
	skel->rodata->targ_unit_ms = !o->unit_us;
	skel->rodata->targ_min_rtt_us = o->min_rtt_us;
	skel->rodata->targ_min_srtt_us = o->min_srtt_us;
	skel->rodata->targ_min_minrtt_us = o->min_minrtt_us;
	skel->rodata->track_owners = owners;
	rtt_opts_conn_filter(o, &ctx->filter);
	if (ctx->cgroup_fd >= 0) {
		/* Zeroed for scan-build, which takes cgroup_id_level()'s
		 * -errno for a possible 0, a success that sets nothing. */
		uint64_t id = 0;
		uint32_t level = 0;

		err = cgroup_id_level(ctx->cgroup_root, o->common.cgroup, &id, &level);
		if (err)
			return err;
		ctx->filter.filter_cgroup = 1;
		ctx->filter.cg_id = id;
		ctx->filter.cg_level = level;
	}
	skel->rodata->conn = ctx->filter;
	/* Size what the mode does not use down to nothing. */
	err = bpf_map__set_max_entries(skel->maps.hists, by ? o->max_keys : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.owners,
					       owners ? RTT_DEFAULT_MAX_OWNERS : 1);
	if (!err && o->mode != RTT_MODE_DETAIL)
		err = bpf_map__set_max_entries(skel->maps.events, getpagesize());
	return err;
}

static bool tracepoint_backend(const struct rtt_bpf *skel)
{
	return bpf_program__autoload(skel->progs.sockops_rtt);
}

static struct bpf_object *ops_object(void *arg)
{
	return ((struct rtt_ctx *)arg)->skel->obj;
}

static int ops_load(void *arg)
{
	struct rtt_bpf *skel = ((struct rtt_ctx *)arg)->skel;
	struct bpf_program *standin = skel->progs.standin_tcp_probe;
	int err;

	/* The tcp_probe stand-in loads with the tracepoint backend and is
	 * attached only while sockets need it (rtt_iter_standin_sync). */
	err = bpf_program__set_autoload(standin, tracepoint_backend(skel));
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.standin,
					       tracepoint_backend(skel) ? RTT_DEFAULT_MAX_OWNERS : 1);
	if (err)
		return err;
	bpf_program__set_autoattach(standin, false);
	return rtt_bpf__load(skel);
}

static int ops_attach(void *arg)
{
	struct rtt_ctx *ctx = arg;
	struct bpf_program *sockops = ctx->skel->progs.sockops_rtt;
	int err, fd;

	err = rtt_bpf__attach(ctx->skel);
	if (err || !tracepoint_backend(ctx->skel))
		return err;
	/* sockops programs attach to a cgroup: --cgroup's, or the root, which
	 * covers every socket created from now on. */
	if (ctx->cgroup_fd >= 0) {
		fd = ctx->cgroup_fd;
	} else {
		if (!ctx->cgroup_root[0]) {
			fprintf(stderr, "tcplat: no cgroup v2 hierarchy is mounted: the tracepoint "
					"backend needs one for its sockops program\n");
			return -ENOENT;
		}
		fd = open(ctx->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	ctx->sockops_link = bpf_program__attach_cgroup(sockops, fd);
	err = ctx->sockops_link ? 0 : -errno;
	if (fd != ctx->cgroup_fd)
		close(fd);
	return err;
}

static void ops_destroy(void *arg)
{
	struct rtt_ctx *ctx = arg;

	rtt_iter_close(ctx->iter);
	ctx->iter = NULL;
	bpf_link__destroy(ctx->sockops_link);
	ctx->sockops_link = NULL;
	rtt_bpf__destroy(ctx->skel);
	ctx->skel = NULL;
}

static const struct backend_ops rtt_backend_ops = {
	.open = ops_open,
	.object = ops_object,
	.load = ops_load,
	.attach = ops_attach,
	.destroy = ops_destroy,
};

static void print_interval(struct rtt_ctx *ctx, const char *when, uint64_t now,
			   const struct rtt_key *key, const struct lat_hist *h)
{
	const struct rtt_opts *o = ctx->opts;
	struct lat_summary sum;
	char label[160];

	lat_hist_summarize(h, &sum);
	if (o->common.json) {
		fprintf(stdout, "{\"type\":\"rtt_hist\",\"ts_ns\":%llu,\"interval_ns\":%llu",
			(unsigned long long)(now + ctx->realtime_offset_ns),
			(unsigned long long)(now - ctx->interval_start_ns));
		rtt_print_key_json(stdout, o->mode, key);
		lat_hist_print_json(stdout, h, o->unit_us ? 1 : 1000);
		fputs("}\n", stdout);
	} else {
		rtt_key_label(o->mode, key, label, sizeof(label));
		rtt_print_interval_header(stdout, when, label, &sum, o->unit_us);
		lat_hist_print_log2(stdout, h->log2, HIST_LOG2_SLOTS, o->unit_us ? "usecs" : "msecs");
		fputc('\n', stdout);
	}
	ctx->totals.shown++;
}

static int tick_hist(struct rtt_ctx *ctx, const char *when, uint64_t now)
{
	struct lat_hist cur = {}, diff;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(ctx->skel->maps.hist), &zero, ctx->percpu))
		return -errno;
	for (int cpu = 0; cpu < ctx->ncpus; cpu++)
		lat_hist_add(&cur, &ctx->percpu[cpu]);
	lat_hist_diff(&cur, &ctx->prev, &diff);
	ctx->prev = cur;
	print_interval(ctx, when, now, NULL, &diff);
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct key_snapshot *)a)->key, &((const struct key_snapshot *)b)->key,
		      sizeof(struct rtt_key));
}

static int by_p99_desc(const void *a, const void *b)
{
	double pa = ((const struct key_interval *)a)->sum.p99_us;
	double pb = ((const struct key_interval *)b)->sum.p99_us;

	return pa < pb ? 1 : pa > pb ? -1 : 0;
}

/*
 * One interval of a --by mode: walk the kernel's table, take each key's
 * difference to its previous snapshot, print the keys with samples by p99,
 * then remove flows the kernel marked closed (after their last interval,
 * so their final samples are shown, not lost).
 */
static int tick_keys(struct rtt_ctx *ctx, const char *when, uint64_t now)
{
	int fd = bpf_map__fd(ctx->skel->maps.hists);
	size_t max = bpf_map__max_entries(ctx->skel->maps.hists), n = 0, nshown = 0, i;
	struct key_snapshot *found, probe;
	struct rtt_key key, *prev_key = NULL;
	struct lat_hist cur;

	for (i = 0; i < ctx->nkeys; i++)
		ctx->keys[i].present = false;
	while (!bpf_map_get_next_key(fd, prev_key, &key)) {
		prev_key = &probe.key;
		probe.key = key;
		if (bpf_map_lookup_elem(fd, &key, &cur))
			continue;	/* deleted under us */
		found = bsearch(&probe, ctx->keys, ctx->nkeys, sizeof(probe), key_cmp);
		if (!found) {
			if (ctx->nkeys + n >= max * 2)
				break;	/* cannot happen: the table holds max keys */
			found = &ctx->keys[ctx->nkeys + n++];
			found->key = key;
			memset(&found->hist, 0, sizeof(found->hist));
		}
		found->present = true;
		lat_hist_diff(&cur, &found->hist, &ctx->shown[nshown].diff);
		found->hist = cur;
		if (ctx->shown[nshown].diff.count) {
			ctx->shown[nshown].snap = found;
			lat_hist_summarize(&ctx->shown[nshown].diff, &ctx->shown[nshown].sum);
			nshown++;
		}
	}
	qsort(ctx->shown, nshown, sizeof(ctx->shown[0]), by_p99_desc);
	if (ctx->opts->top && nshown > ctx->opts->top)
		nshown = ctx->opts->top;
	for (i = 0; i < nshown; i++)
		print_interval(ctx, when, now, &ctx->shown[i].snap->key, &ctx->shown[i].diff);
	if (!nshown && !ctx->opts->common.json)
		printf("%s: no samples\n\n", when);

	/* Keep the new keys, drop vanished and closed ones, and sort again. */
	ctx->nkeys += n;
	for (i = 0; i < ctx->nkeys;) {
		struct key_snapshot *k = &ctx->keys[i];

		if (k->present && k->hist.closed)
			bpf_map_delete_elem(fd, &k->key);
		if (!k->present || k->hist.closed) {
			*k = ctx->keys[--ctx->nkeys];
			continue;
		}
		i++;
	}
	qsort(ctx->keys, ctx->nkeys, sizeof(ctx->keys[0]), key_cmp);
	return 0;
}

/* Each tick: the stand-in's life, and an interval without samples explained. */
static void check_no_sample(struct rtt_ctx *ctx, uint64_t now)
{
	if (ctx->iter && !read_stats(ctx))
		rtt_iter_tick(ctx->iter, ctx->totals.samples, now);
}

/* --detail has no intervals to print, but the same silence to explain. */
static int on_detail_tick(void *arg)
{
	struct rtt_ctx *ctx = arg;

	check_no_sample(ctx, tcplat_clock_ns(CLOCK_MONOTONIC));
	return 0;
}

static int on_tick(void *arg)
{
	struct rtt_ctx *ctx = arg;
	uint64_t now = tcplat_clock_ns(CLOCK_MONOTONIC);
	char when[32];
	int err;

	check_no_sample(ctx, now);
	format_when(ctx, now, false, when, sizeof(when));
	if (ctx->opts->mode == RTT_MODE_HIST)
		err = tick_hist(ctx, when, now);
	else
		err = tick_keys(ctx, when, now);
	fflush(stdout);
	ctx->interval_start_ns = now;
	if (err) {
		fprintf(stderr, "tcplat: reading histograms failed: %s\n", strerror(-err));
		return err;
	}
	ctx->intervals++;
	if (ctx->opts->count && ctx->intervals >= ctx->opts->count) {
		ctx->stopped_by_count = true;
		return 1;
	}
	return 0;
}

static int handle_event(void *arg, void *data, size_t size)
{
	struct rtt_ctx *ctx = arg;
	const struct rtt_event *e = data;
	char when[32];

	if (size < sizeof(*e))
		return 0;
	if (ctx->opts->common.json) {
		rtt_print_detail_json(stdout, e, e->ts_ns + ctx->realtime_offset_ns);
	} else {
		format_when(ctx, e->ts_ns, true, when, sizeof(when));
		rtt_print_detail_text(stdout, when, e, ctx->opts->unit_us);
	}
	/* No flush here: the event loop flushes once per batch read. */
	ctx->totals.shown++;
	return 0;
}

static int read_stats(struct rtt_ctx *ctx)
{
	uint64_t totals[RTT_STAT_MAX];
	int err;

	err = tcplat_read_counters(bpf_map__fd(ctx->skel->maps.stats), RTT_STAT_MAX, totals);
	if (err)
		return err;
	ctx->totals.samples = totals[RTT_STAT_SAMPLES];
	ctx->totals.filtered = totals[RTT_STAT_FILTERED];
	ctx->totals.dropped_keys = totals[RTT_STAT_KEYS_FULL];
	ctx->totals.dropped_ringbuf = totals[RTT_STAT_RINGBUF_DROPS];
	ctx->totals.owners_full = totals[RTT_STAT_OWNERS_FULL];
	ctx->totals.no_sample = totals[RTT_STAT_NO_SAMPLE];
	ctx->totals.preexisting_srtt = totals[RTT_STAT_PREEXISTING_SRTT];
	return 0;
}

/* What -v says about the chosen backend's view of RTT. */
static void explain_backend(const struct rtt_ctx *ctx, enum backend chosen)
{
	struct utsname u;
	int major, minor;

	if (chosen != BACKEND_TRACEPOINT) {
		fprintf(stderr, "tcplat: rtt: samples from tcp_ack_update_rtt, one per ACK that "
				"measures one\n");
		return;
	}
	fprintf(stderr, "tcplat: rtt: samples from sockops BPF_SOCK_OPS_RTT_CB (once per round "
			"trip) attached to cgroup %s, enabled on each connection that becomes "
			"established from now on\n",
		ctx->cgroup_fd >= 0 ? ctx->opts->common.cgroup : ctx->cgroup_root);
	if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
	    (major < 6 || (major == 6 && minor < 10)))
		fprintf(stderr, "tcplat: rtt: kernel %s is older than 6.10, whose "
				"BPF_SOCK_OPS_RTT_CB passes no RTT sample: the smoothed RTT before "
				"each update stands in for the sample (counted in the summary)\n",
			u.release);
}

int cmd_rtt(int argc, char **argv)
{
	struct rtt_opts opts;
	struct rtt_ctx ctx = { .opts = &opts, .cgroup_fd = -1 };
	struct ring_buffer *rb = NULL;
	struct rtt_iter_cfg iter_cfg;
	struct evloop_cfg loop = {};
	enum backend chosen;
	int err, status = 1;
	size_t max_keys;

	if (rtt_opts_parse(argc, argv, &opts, 0))
		return 2;
	if (tcplat_prepare(&opts.common))
		return 1;
	find_cgroup2_root(ctx.cgroup_root, sizeof(ctx.cgroup_root));
	if (opts.common.cgroup) {
		ctx.cgroup_fd = tcplat_open_cgroup(opts.common.cgroup);
		if (ctx.cgroup_fd < 0)
			return 2;
	}
	ctx.ncpus = libbpf_num_possible_cpus();
	if (ctx.ncpus < 0) {
		fprintf(stderr, "tcplat: cannot count CPUs: %s\n", strerror(-ctx.ncpus));
		goto cleanup;
	}
	max_keys = opts.mode == RTT_MODE_HIST || opts.mode == RTT_MODE_DETAIL ? 1 : opts.max_keys;
	ctx.percpu = calloc(ctx.ncpus, sizeof(*ctx.percpu));
	ctx.keys = calloc(max_keys * 2, sizeof(*ctx.keys));
	ctx.shown = calloc(max_keys, sizeof(*ctx.shown));
	if (!ctx.percpu || !ctx.keys || !ctx.shown) {
		fprintf(stderr, "tcplat: out of memory\n");
		goto cleanup;
	}

	err = backend_select(&rtt_backend_ops, &ctx, opts.common.backend, opts.common.verbose,
			     &chosen);
	if (err)
		goto cleanup;
	if (opts.common.verbose)
		explain_backend(&ctx, chosen);
	if (ctx.cgroup_fd >= 0 &&
	    bpf_map_update_elem(bpf_map__fd(ctx.skel->maps.cgroup_filter), &(__u32){ 0 },
				&ctx.cgroup_fd, BPF_ANY)) {
		fprintf(stderr, "tcplat: cannot set the cgroup filter: %s\n", strerror(errno));
		goto cleanup;
	}
	iter_cfg = (struct rtt_iter_cfg){ .skel = ctx.skel, .filter = &ctx.filter,
					  .enrol = chosen == BACKEND_TRACEPOINT,
					  .verbose = opts.common.verbose };
	if (rtt_iter_start(&iter_cfg, &ctx.iter, &ctx.totals.preexisting))
		goto cleanup;
	ctx.interval_start_ns = tcplat_clock_ns(CLOCK_MONOTONIC);
	ctx.realtime_offset_ns = tcplat_clock_ns(CLOCK_REALTIME) - ctx.interval_start_ns;

	if (opts.mode == RTT_MODE_DETAIL) {
		rb = ring_buffer__new(bpf_map__fd(ctx.skel->maps.events), handle_event, &ctx,
				      NULL);
		if (!rb) {
			fprintf(stderr, "tcplat: cannot open the ring buffer: %s\n",
				strerror(errno));
			goto cleanup;
		}
		if (!opts.common.json)
			rtt_print_detail_header(stdout, opts.unit_us);
		fflush(stdout);
		loop.rb = rb;
		loop.out = stdout;
		loop.interval_s = 1;
		loop.on_tick = on_detail_tick;
		loop.ctx = &ctx;
	} else {
		loop.interval_s = opts.interval_s;
		loop.on_tick = on_tick;
		loop.ctx = &ctx;
	}
	loop.duration_s = opts.common.duration_s;
	err = evloop_run(&loop);
	if (err) {
		fprintf(stderr, "tcplat: event loop failed: %s\n", strerror(-err));
		goto cleanup;
	}

	/* Detach, then show what is left: the samples of the last, partial
	 * interval (Ctrl-C, --duration), or the last ring buffer records. */
	rtt_iter_close(ctx.iter);
	ctx.iter = NULL;
	bpf_link__destroy(ctx.sockops_link);
	ctx.sockops_link = NULL;
	rtt_bpf__detach(ctx.skel);
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
	if (err) {
		fprintf(stderr, "tcplat: cannot read counters: %s\n", strerror(-err));
		goto cleanup;
	}
	if (opts.common.json)
		rtt_print_summary_json(stdout, &ctx.totals, backend_name(chosen));
	else
		rtt_print_summary_text(stderr, &ctx.totals);
	fflush(stdout);
	status = 0;

cleanup:
	ring_buffer__free(rb);
	rtt_iter_close(ctx.iter);
	bpf_link__destroy(ctx.sockops_link);
	rtt_bpf__destroy(ctx.skel);
	if (ctx.cgroup_fd >= 0)
		close(ctx.cgroup_fd);
	free(ctx.percpu);
	free(ctx.keys);
	free(ctx.shown);
	return status;
}
