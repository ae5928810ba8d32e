/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Opening connect.bpf.c for backend_select(): the rodata and table sizes of
 * one configuration, shared by `tcplat connect` and the exporter's
 * collector, so that both load the same programs the same way.
 */
#ifndef TCPLAT_CONNECT_LOAD_H
#define TCPLAT_CONNECT_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include "backend.h"
#include "connect.h"

struct connect_bpf;

struct connect_load_cfg {
	uint32_t pid;			/* -p; 0 every process */
	uint16_t family;		/* -4/-6; 0 both */
	bool cgroup;			/* --cgroup: the caller fills cgroup_filter */
	const char *comm;		/* --comm, or NULL */
	const uint16_t *dports;		/* --dport: ndports of them */
	int ndports;
	uint16_t daddr_family;		/* --daddr; 0 any */
	const uint8_t *daddr;
	uint64_t min_ns;
	bool report_failed;
	enum connect_mode mode;
	uint32_t key_fields;		/* CONNECT_KEY_* */
	bool log2_ms;
	bool fold_full;			/* serve: a full table folds (connect.h) */
	uint32_t max_inflight;
	uint32_t max_keys;		/* hists, in CONNECT_MODE_HIST */
	uint32_t max_overflow;		/* hists_overflow, with fold_full */
};

struct connect_loader {
	const struct connect_load_cfg *cfg;
	struct connect_bpf *skel;	/* live after backend_select() */
};

/* backend_select(&connect_load_ops, loader, ...) */
extern const struct backend_ops connect_load_ops;

#endif /* TCPLAT_CONNECT_LOAD_H */
