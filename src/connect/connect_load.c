// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "connect_load.h"
#include "connect.skel.h"

static int ops_open(void *arg)
{
	struct connect_loader *l = arg;
	const struct connect_load_cfg *c = l->cfg;
	struct connect_bpf *skel;
	bool hist = c->mode == CONNECT_MODE_HIST;
	int err;

	skel = connect_bpf__open();
	if (!skel)
		return -errno;
	l->skel = skel;
	skel->rodata->targ_tgid = c->pid;
	skel->rodata->targ_family = c->family;
	skel->rodata->filter_cgroup = c->cgroup;
	if (c->comm) {
		skel->rodata->filter_comm = true;
		strncpy((char *)skel->rodata->targ_comm, c->comm, TASK_COMM_LEN - 1);
	}
	skel->rodata->targ_ndports = c->ndports;
	memcpy((void *)skel->rodata->targ_dports, c->dports,
	       sizeof(skel->rodata->targ_dports[0]) * c->ndports);
	skel->rodata->targ_daddr_family = c->daddr_family;
	if (c->daddr_family)
		memcpy((void *)skel->rodata->targ_daddr, c->daddr, sizeof(skel->rodata->targ_daddr));
	skel->rodata->targ_min_ns = c->min_ns;
	skel->rodata->report_failed = c->report_failed;
	skel->rodata->targ_mode = c->mode;
	skel->rodata->targ_key_fields = c->key_fields;
	skel->rodata->targ_log2_ms = c->log2_ms;
	skel->rodata->targ_fold_full = c->fold_full;
	err = bpf_map__set_max_entries(skel->maps.inflight, c->max_inflight);
	/* Size what the mode does not use down to nothing. */
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.hists, hist ? c->max_keys : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.hists_overflow,
					       hist && c->fold_full ? c->max_overflow : 1);
	if (!err && hist)
		err = bpf_map__set_max_entries(skel->maps.events, getpagesize());
	return err;
}

static struct bpf_object *ops_object(void *arg)
{
	return ((struct connect_loader *)arg)->skel->obj;
}

static int ops_load(void *arg)
{
	return connect_bpf__load(((struct connect_loader *)arg)->skel);
}

static int ops_attach(void *arg)
{
	return connect_bpf__attach(((struct connect_loader *)arg)->skel);
}

static void ops_destroy(void *arg)
{
	struct connect_loader *l = arg;

	connect_bpf__destroy(l->skel);
	l->skel = NULL;
}

const struct backend_ops connect_load_ops = {
	.open = ops_open,
	.object = ops_object,
	.load = ops_load,
	.attach = ops_attach,
	.destroy = ops_destroy,
};
