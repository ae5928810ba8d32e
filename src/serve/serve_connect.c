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
#include "connect_load.h"
#include "connect_metrics.h"
#include "serve_collectors.h"
#include "tcplat.h"
#include "connect.skel.h"

#define MIN_TABLE_KEYS		1024
#define CGROUP_PATH_CACHE	4096

struct serve_connect {
	const struct serve_opts *opts;
	struct connect_bpf *skel;	/* loader.skel once loaded */
	struct connect_load_cfg load_cfg;
	struct connect_loader loader;
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
	sc->load_cfg = (struct connect_load_cfg){
		.pid = o->common.pid,
		.family = o->common.family,
		.cgroup = o->common.cgroup != NULL,
		.comm = o->comm,
		.dports = o->dports,
		.ndports = o->ndports,
		.daddr_family = o->daddr_family,
		.daddr = o->daddr,
		/* Every outcome, each its own series. */
		.report_failed = true,
		.mode = CONNECT_MODE_HIST,
		.key_fields = o->connect_labels,
		.log2_ms = false,
		.fold_full = true,
		.max_inflight = DEFAULT_MAX_INFLIGHT,
		.max_keys = table_keys(o->max_series),
		.max_overflow = CONNECT_OVERFLOW_KEYS,
	};
	sc->loader.cfg = &sc->load_cfg;
	err = backend_select(&connect_load_ops, &sc->loader, o->common.backend, o->common.verbose,
			     chosen);
	if (err)
		goto fail;
	sc->skel = sc->loader.skel;
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
