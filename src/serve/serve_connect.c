// SPDX-License-Identifier: GPL-2.0
/*
 * The connect collector: connect.bpf.c in its aggregation mode, with a full
 * table folding into the overflow key (connect.h), read at scrape time into
 * connect_metrics. The kernel side never waits on us and nothing is reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "backend.h"
#include "cgroup_path.h"
#include "connect_hist.h"
#include "connect_metrics.h"
#include "serve_collectors.h"
#include "tcplat.h"
#include "connect.skel.h"

#define MIN_TABLE_KEYS		1024
#define CGROUP_PATH_CACHE	4096

struct serve_connect {
	const struct serve_opts *opts;
	struct connect_bpf *skel;
	struct connect_metrics metrics;
	struct cgroup_paths cgroups;
	int cgroup_fd;
};

static uint32_t table_keys(uint32_t max_series)
{
	uint64_t n = 2ULL * max_series;

	if (n < MIN_TABLE_KEYS)
		n = MIN_TABLE_KEYS;
	return n > CONNECT_MAX_KEYS ? CONNECT_MAX_KEYS : (uint32_t)n;
}

static int ops_open(void *arg)
{
	struct serve_connect *sc = arg;
	const struct serve_opts *o = sc->opts;
	struct connect_bpf *skel;
	int err;

	skel = connect_bpf__open();
	if (!skel)
		return -errno;
	sc->skel = skel;
	skel->rodata->targ_tgid = o->common.pid;
	skel->rodata->targ_family = o->common.family;
	skel->rodata->filter_cgroup = o->common.cgroup != NULL;
	if (o->comm) {
		skel->rodata->filter_comm = true;
		strncpy((char *)skel->rodata->targ_comm, o->comm, TASK_COMM_LEN - 1);
	}
	skel->rodata->targ_ndports = o->ndports;
	memcpy((void *)skel->rodata->targ_dports, o->dports, sizeof(o->dports));
	skel->rodata->targ_daddr_family = o->daddr_family;
	memcpy((void *)skel->rodata->targ_daddr, o->daddr, sizeof(o->daddr));
	skel->rodata->report_failed = true;
	skel->rodata->targ_mode = CONNECT_MODE_HIST;
	skel->rodata->targ_key_fields = o->connect_labels;
	skel->rodata->targ_log2_ms = false;
	skel->rodata->targ_fold_full = true;
	err = bpf_map__set_max_entries(skel->maps.hists, table_keys(o->max_series));
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.hists_overflow, CONNECT_OVERFLOW_KEYS);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.events, getpagesize());
	return err;
}

static struct bpf_object *ops_object(void *arg)
{
	return ((struct serve_connect *)arg)->skel->obj;
}

static int ops_load(void *arg)
{
	return connect_bpf__load(((struct serve_connect *)arg)->skel);
}

static int ops_attach(void *arg)
{
	return connect_bpf__attach(((struct serve_connect *)arg)->skel);
}

static void ops_destroy(void *arg)
{
	struct serve_connect *sc = arg;

	connect_bpf__destroy(sc->skel);
	sc->skel = NULL;
}

static const struct backend_ops connect_backend_ops = {
	.open = ops_open,
	.object = ops_object,
	.load = ops_load,
	.attach = ops_attach,
	.destroy = ops_destroy,
};

static int add_entry(void *ctx, const struct connect_key *key,
		     const struct connect_hist_value *value)
{
	return connect_metrics_add(ctx, key, value);
}

/* Connects the kernel's table had no key for, counted in the 'other' series. */
static int write_table_folded(struct serve_connect *sc, struct prom_writer *w)
{
	uint64_t t[STAT_MAX];
	int err;

	err = tcplat_read_counters(bpf_map__fd(sc->skel->maps.stats), STAT_MAX, t);
	if (err)
		return err;
	prom_family(w, "tcplat_connect_table_folded", PROM_COUNTER, NULL,
		    "Connects the kernel's table had no room for, counted in the series "
		    "labelled 'other'");
	prom_sample_u64(w, NULL, 0, t[STAT_KEYS_FOLDED]);
	return 0;
}

static int collector_write(void *ctx, struct prom_writer *w)
{
	struct serve_connect *sc = ctx;
	int err;

	connect_metrics_begin(&sc->metrics);
	err = connect_hist_walk(bpf_map__fd(sc->skel->maps.hists), add_entry, &sc->metrics);
	if (!err)
		err = connect_hist_walk(bpf_map__fd(sc->skel->maps.hists_overflow), add_entry,
					&sc->metrics);
	if (err)
		return err;
	connect_metrics_write(&sc->metrics, w);
	return write_table_folded(sc, w);
}

static int collector_dropped(void *ctx, struct prom_writer *w)
{
	struct serve_connect *sc = ctx;
	struct prom_label label = { "reason", NULL };
	uint64_t t[STAT_MAX];
	int err;

	err = tcplat_read_counters(bpf_map__fd(sc->skel->maps.stats), STAT_MAX, t);
	if (err)
		return err;
	/* A full table folds (tcplat_connect_table_folded_total); only a fold
	 * that found no room either loses a connect. */
	label.value = "connect_keys_full";
	prom_sample_u64(w, &label, 1, t[STAT_KEYS_FULL] - t[STAT_KEYS_FOLDED]);
	label.value = "connect_inflight_full";
	prom_sample_u64(w, &label, 1, t[STAT_INFLIGHT_FULL]);
	return 0;
}

static int collector_folded(void *ctx, struct prom_writer *w)
{
	hist_family_write_folded(&((struct serve_connect *)ctx)->metrics.duration, w);
	return 0;
}

static struct bpf_object *collector_object(void *ctx)
{
	return ((struct serve_connect *)ctx)->skel->obj;
}

static int collector_probe_fd(void *ctx)
{
	return bpf_map__fd(((struct serve_connect *)ctx)->skel->maps.hists);
}

static void collector_destroy(void *ctx)
{
	struct serve_connect *sc = ctx;

	if (sc->skel)
		connect_bpf__destroy(sc->skel);
	if (sc->cgroup_fd >= 0)
		close(sc->cgroup_fd);
	connect_metrics_free(&sc->metrics);
	if (sc->cgroups.cache)
		cgroup_paths_free(&sc->cgroups);
	free(sc);
}

int serve_connect_create(const struct serve_opts *o, struct collector *c, enum backend *chosen)
{
	struct serve_connect *sc;
	__u32 zero = 0;
	int err;

	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	sc->opts = o;
	sc->cgroup_fd = -1;
	*c = (struct collector){
		.name = "connect",
		.ctx = sc,
		.write = collector_write,
		.dropped = collector_dropped,
		.folded = collector_folded,
		.object = collector_object,
		.probe_fd = collector_probe_fd,
		.destroy = collector_destroy,
	};
	err = connect_metrics_init(&sc->metrics, o->connect_labels, o->max_series);
	if (!err && (o->connect_labels & CONNECT_KEY_CGROUP)) {
		err = cgroup_paths_init(&sc->cgroups, CGROUP_PATH_CACHE);
		sc->metrics.cgroup_name = cgroup_paths_label;
		sc->metrics.cgroup_ctx = &sc->cgroups;
	}
	if (err) {
		fprintf(stderr, "tcplat: out of memory\n");
		goto fail;
	}
	if (o->common.cgroup) {
		sc->cgroup_fd = tcplat_open_cgroup(o->common.cgroup);
		if (sc->cgroup_fd < 0) {
			err = -EINVAL;
			goto fail;
		}
	}
	err = backend_select(&connect_backend_ops, sc, o->common.backend, o->common.verbose,
			     chosen);
	if (err)
		goto fail;
	/* Right after attach: with --cgroup nothing passes until this is set. */
	if (sc->cgroup_fd >= 0 &&
	    bpf_map_update_elem(bpf_map__fd(sc->skel->maps.cgroup_filter), &zero, &sc->cgroup_fd,
				BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "tcplat: cannot set the cgroup filter: %s\n", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	collector_destroy(sc);
	c->ctx = NULL;
	return err;
}
