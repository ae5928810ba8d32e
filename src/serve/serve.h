/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's metric sources. A collector owns one feature's loaded BPF
 * object (connect, rtt, later accept) and, at each scrape, reads its maps by
 * fd and writes its families: nothing is read between scrapes, nothing is
 * reset by one, so any number of scrapers see the same cumulative values.
 * Scrapes run one at a time on the HTTP thread.
 */
#ifndef TCPLAT_SERVE_H
#define TCPLAT_SERVE_H

#include "prom.h"

struct bpf_object;

struct collector {
	const char *name;		/* "connect", "rtt" */
	void *ctx;
	/* Its own families, complete (HELP, TYPE, samples). 0 or -errno. */
	int (*write)(void *ctx, struct prom_writer *w);
	/*
	 * Samples of the families every collector adds to; the exporter
	 * writes each family's HELP and TYPE once, then asks every collector
	 * (after all their write()s, so that folding is counted):
	 *   dropped: tcplat_events_dropped_total{reason="<name>_..."}, every
	 *            drop counter of its kernel side
	 *   folded:  tcplat_series_folded_total{metric="..."}
	 * May be NULL.
	 */
	int (*dropped)(void *ctx, struct prom_writer *w);
	int (*folded)(void *ctx, struct prom_writer *w);
	/* Its BPF object, for tcplat_bpf_run_*{program}; may be NULL. */
	struct bpf_object *(*object)(void *ctx);
	/* A map fd the exporter probes after dropping privileges (-1: none). */
	int (*probe_fd)(void *ctx);
	void (*destroy)(void *ctx);
};

#endif /* TCPLAT_SERVE_H */
