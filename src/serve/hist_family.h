/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Prometheus histogram family fed from the kernel's struct lat_hist, with
 * a bounded number of label sets. Pure: no BPF, so the tests feed it
 * synthetic histograms.
 *
 * Bucket bounds are fixed and the same in every version: the powers of two
 * of microseconds from 2^4 (16 us) to 2^26 (67.108864 s). Each is a boundary
 * of the kernel's log-linear buckets (hist_fine_index()), so each cumulative
 * count is exact, never interpolated.
 *
 * Per scrape: hist_family_begin(), hist_family_add() per kernel key (in any
 * order), hist_family_write(). The first max_series label sets are shown as
 * themselves for the life of the process; later ones are folded: their
 * fold_mask labels become "other" and their counts add up in that series.
 */
#ifndef TCPLAT_HIST_FAMILY_H
#define TCPLAT_HIST_FAMILY_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "hist.h"
#include "prom.h"
#include "series.h"

#define PROM_HIST_NBOUNDS	23
#define PROM_HIST_MIN_LOG2	4	/* first bound: 2^4 us */
#define HIST_FAMILY_MAX_LABELS	8
/* Folded series: one per combination of the labels that are never folded
 * (family, outcome); past this many, those become "other" as well. */
#define HIST_FAMILY_MAX_OTHERS	128
#define HIST_FAMILY_OTHER	"other"

/* An opt-in label a user may choose (--connect-labels, --rtt-labels). */
struct label_choice {
	const char *name;
	unsigned int bit;
};

/* "a,b" (any subset of the choices, any order) into their bits; -EINVAL for
 * an unknown or repeated name or an empty element. "" is no label. */
int label_choices_parse(const char *s, const struct label_choice *choices, int n,
			unsigned int *bits);

/* The bounds, in microseconds. */
extern const uint64_t prom_hist_bounds_us[PROM_HIST_NBOUNDS];

/* A lat_hist reduced to the exported buckets: counts per bucket (not
 * cumulative), the last one above the last bound. */
struct prom_hist {
	uint64_t bucket[PROM_HIST_NBOUNDS + 1];
	uint64_t sum_us;
};

/* Adds h to p. Every sample is in exactly one fine bucket, so the total of
 * p's buckets is the total of h's fine buckets. */
void prom_hist_add_lat(struct prom_hist *p, const struct lat_hist *h);
/* The count (the +Inf bucket), and the cumulative counts of the bounds. */
uint64_t prom_hist_cumulative(const struct prom_hist *p, uint64_t cumulative[PROM_HIST_NBOUNDS]);

struct hist_series {
	char *key;		/* the label values, each followed by a NUL */
	size_t len;
	bool seen;		/* added to in this scrape */
	struct prom_hist acc;
};

struct hist_family {
	const char *name;
	const char *help;
	const char *label_names[HIST_FAMILY_MAX_LABELS];
	int nlabels;
	unsigned int fold_mask;		/* bit i: label i becomes "other" */
	struct series_set admitted;
	struct hist_series *series;	/* by admission index */
	struct series_set others;
	struct hist_series *other_series;
	uint64_t folded;		/* label sets folded in this scrape */
	char *scratch;			/* the key being built */
	size_t scratch_cap;
};

/* 0, -EINVAL (too many labels) or -ENOMEM. label_names must outlive f. */
int hist_family_init(struct hist_family *f, const char *name, const char *help,
		     const char *const *label_names, int nlabels, unsigned int fold_mask,
		     uint32_t max_series);
/* The same with labels fixed (never folded) followed by the chosen ones of
 * choices, in the choices' order; the chosen ones fold into "other". */
int hist_family_init_choices(struct hist_family *f, const char *name, const char *help,
			     const char *const *fixed, int nfixed,
			     const struct label_choice *choices, int nchoices,
			     unsigned int chosen, uint32_t max_series);
void hist_family_free(struct hist_family *f);
void hist_family_begin(struct hist_family *f);
/* values: nlabels strings. The same label set may be added more than once
 * per scrape: its histograms add up. 0 or -ENOMEM. */
int hist_family_add(struct hist_family *f, const char *const *values, const struct lat_hist *h);
/* Adds h straight to the folded series of values (the kernel's overflow
 * key: label sets it had no room for); not counted in f->folded, which
 * counts label sets, not samples. 0 or -ENOMEM. */
int hist_family_add_other(struct hist_family *f, const char *const *values,
			  const struct lat_hist *h);
/* HELP, TYPE, UNIT, then the series added in this scrape, in the order they
 * were first admitted, then the folded ones. */
void hist_family_write(struct hist_family *f, struct prom_writer *w);
/* Its sample of tcplat_series_folded_total (a family the caller opened):
 * {metric="<name>"} and the label sets folded in this scrape. */
void hist_family_write_folded(const struct hist_family *f, struct prom_writer *w);

#endif /* TCPLAT_HIST_FAMILY_H */
