// SPDX-License-Identifier: GPL-2.0
/*
 * The rtt collector: rtt.bpf.c in RTT_MODE_KEYED (keys by family and the
 * --rtt-labels fields, never deleted, a full table folding into the
 * family's overflow key), read at scrape time into rtt_metrics.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "backend.h"
#include "cgroup_path.h"
#include "rtt.h"
#include "rtt_metrics.h"
#include "serve_collectors.h"
#include "tcplat.h"
#include "rtt.skel.h"

#define OVERFLOW_KEYS		4	/* one per family */
#define MIN_TABLE_KEYS		1024
#define MAX_TABLE_KEYS		65536
#define CGROUP_PATH_CACHE	4096

struct serve_rtt {
	const struct serve_opts *opts;
	struct rtt_bpf *skel;
	struct bpf_link *sockops_link;
	struct rtt_metrics metrics;
	struct cgroup_paths cgroups;
	char cgroup_root[PATH_MAX];
};

static unsigned int key_fields(unsigned int labels)
{
	return (labels & RTT_LABEL_RADDR ? RTT_KEY_RADDR : 0) |
	       (labels & RTT_LABEL_RPORT ? RTT_KEY_RPORT : 0) |
	       (labels & RTT_LABEL_CGROUP ? RTT_KEY_CGROUP : 0);
}

static int ops_open(void *arg)
{
	struct serve_rtt *sr = arg;
	const struct serve_opts *o = sr->opts;
	uint64_t keys = 2ULL * o->max_series;
	struct rtt_conn_filter filter = {};
	struct rtt_bpf *skel;
	int err;

	skel = rtt_bpf__open();
	if (!skel)
		return -errno;
	sr->skel = skel;
	skel->rodata->targ_mode = RTT_MODE_KEYED;
	skel->rodata->targ_key_fields = key_fields(o->rtt_labels);
	skel->rodata->targ_unit_ms = false;
	/* The connection filters, as rtt's own (rtt_sock.bpf.h): -p and
	 * --cgroup are not offered to serve's rtt tracer. */
	filter.family = o->common.family;
	filter.laddr_family = o->laddr_family;
	memcpy(filter.laddr, o->laddr, sizeof(filter.laddr));
	filter.raddr_family = o->raddr_family;
	memcpy(filter.raddr, o->raddr, sizeof(filter.raddr));
	filter.lport = o->lport;
	filter.rport = o->rport;
	skel->rodata->conn = filter;
	if (keys < MIN_TABLE_KEYS)
		keys = MIN_TABLE_KEYS;
	if (keys > MAX_TABLE_KEYS)
		keys = MAX_TABLE_KEYS;
	err = bpf_map__set_max_entries(skel->maps.hists, keys);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.hists_overflow, OVERFLOW_KEYS);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.owners, 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.events, getpagesize());
	return err;
}

static struct bpf_object *ops_object(void *arg)
{
	return ((struct serve_rtt *)arg)->skel->obj;
}

static int ops_load(void *arg)
{
	return rtt_bpf__load(((struct serve_rtt *)arg)->skel);
}

static int ops_attach(void *arg)
{
	struct serve_rtt *sr = arg;
	struct bpf_program *sockops = sr->skel->progs.sockops_rtt;
	int err, fd;

	err = rtt_bpf__attach(sr->skel);
	if (err || !bpf_program__autoload(sockops))
		return err;
	/* The sockops twin attaches to the cgroup v2 root: every socket
	 * created from now on. */
	if (!sr->cgroup_root[0]) {
		fprintf(stderr, "tcplat: no cgroup v2 hierarchy is mounted: the tracepoint "
				"backend needs one for its sockops program\n");
		return -ENOENT;
	}
	fd = open(sr->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	sr->sockops_link = bpf_program__attach_cgroup(sockops, fd);
	err = sr->sockops_link ? 0 : -errno;
	close(fd);
	return err;
}

static void ops_destroy(void *arg)
{
	struct serve_rtt *sr = arg;

	bpf_link__destroy(sr->sockops_link);
	sr->sockops_link = NULL;
	rtt_bpf__destroy(sr->skel);
	sr->skel = NULL;
}

static const struct backend_ops rtt_backend_ops = {
	.open = ops_open,
	.object = ops_object,
	.load = ops_load,
	.attach = ops_attach,
	.destroy = ops_destroy,
};

/* Every entry of one table into the metrics. The kernel side never
 * deletes in this mode: the walk cannot restart. */
static int walk_table(struct serve_rtt *sr, int fd)
{
	struct rtt_key key, prev;
	struct lat_hist h;
	bool first = true;
	int err;

	while (!bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
		struct rtt_series_key sk = {
			.cgroup_id = key.cgroup_id,
			.family = key.family,
			.rport = key.rport,
		};

		first = false;
		prev = key;
		if (bpf_map_lookup_elem(fd, &key, &h)) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		memcpy(sk.raddr, key.raddr, sizeof(sk.raddr));
		err = rtt_metrics_add(&sr->metrics, &sk, &h);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int collector_write(void *ctx, struct prom_writer *w)
{
	struct serve_rtt *sr = ctx;
	int err;

	rtt_metrics_begin(&sr->metrics);
	err = walk_table(sr, bpf_map__fd(sr->skel->maps.hists));
	if (!err)
		err = walk_table(sr, bpf_map__fd(sr->skel->maps.hists_overflow));
	if (err)
		return err;
	rtt_metrics_write(&sr->metrics, w);
	return 0;
}

static int collector_dropped(void *ctx, struct prom_writer *w)
{
	struct serve_rtt *sr = ctx;
	struct prom_label label = { "reason", "rtt_keys_full" };
	uint64_t t[RTT_STAT_MAX];
	int err;

	err = tcplat_read_counters(bpf_map__fd(sr->skel->maps.stats), RTT_STAT_MAX, t);
	if (err)
		return err;
	/* Only a sample that found no room in the overflow key either is lost. */
	prom_sample_u64(w, &label, 1, t[RTT_STAT_KEYS_FULL] - t[RTT_STAT_KEYS_FOLDED]);
	return 0;
}

static int collector_folded(void *ctx, struct prom_writer *w)
{
	hist_family_write_folded(&((struct serve_rtt *)ctx)->metrics.rtt, w);
	return 0;
}

static struct bpf_object *collector_object(void *ctx)
{
	return ((struct serve_rtt *)ctx)->skel->obj;
}

static int collector_probe_fd(void *ctx)
{
	return bpf_map__fd(((struct serve_rtt *)ctx)->skel->maps.hists);
}

static void collector_destroy(void *ctx)
{
	struct serve_rtt *sr = ctx;

	ops_destroy(sr);
	rtt_metrics_free(&sr->metrics);
	if (sr->cgroups.cache)
		cgroup_paths_free(&sr->cgroups);
	free(sr);
}

int serve_rtt_create(const struct serve_opts *o, struct collector *c, enum backend *chosen)
{
	struct serve_rtt *sr;
	int err;

	sr = calloc(1, sizeof(*sr));
	if (!sr)
		return -ENOMEM;
	sr->opts = o;
	*c = (struct collector){
		.name = "rtt",
		.ctx = sr,
		.write = collector_write,
		.dropped = collector_dropped,
		.folded = collector_folded,
		.object = collector_object,
		.probe_fd = collector_probe_fd,
		.destroy = collector_destroy,
	};
	cgroup2_root(sr->cgroup_root, sizeof(sr->cgroup_root));
	err = rtt_metrics_init(&sr->metrics, o->rtt_labels, o->max_series);
	if (!err && (o->rtt_labels & RTT_LABEL_CGROUP)) {
		err = cgroup_paths_init(&sr->cgroups, CGROUP_PATH_CACHE);
		sr->metrics.cgroup_name = cgroup_paths_label;
		sr->metrics.cgroup_ctx = &sr->cgroups;
	}
	if (err) {
		fprintf(stderr, "tcplat: out of memory\n");
		goto fail;
	}
	err = backend_select(&rtt_backend_ops, sr, o->common.backend, o->common.verbose, chosen);
	if (err)
		goto fail;
	return 0;
fail:
	collector_destroy(sr);
	c->ctx = NULL;
	return err;
}
