// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hist_view.h"
#include "hist_family.h"

#define B(k) (1ULL << (PROM_HIST_MIN_LOG2 + (k)))
const uint64_t prom_hist_bounds_us[PROM_HIST_NBOUNDS] = {
	B(0),  B(1),  B(2),  B(3),  B(4),  B(5),  B(6),  B(7),  B(8),  B(9),  B(10), B(11),
	B(12), B(13), B(14), B(15), B(16), B(17), B(18), B(19), B(20), B(21), B(22),
};
#undef B

int label_choices_parse(const char *s, const struct label_choice *choices, int n,
			unsigned int *bits)
{
	const char *p = s, *end;
	unsigned int out = 0;
	size_t len;
	int i;

	while (*p) {
		end = p + strcspn(p, ",");
		len = end - p;
		for (i = 0; i < n; i++)
			if (strlen(choices[i].name) == len && !strncmp(p, choices[i].name, len))
				break;
		if (i == n || (out & choices[i].bit))
			return -EINVAL;
		out |= choices[i].bit;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return -EINVAL;	/* a trailing comma */
	}
	*bits = out;
	return 0;
}

void prom_hist_add_lat(struct prom_hist *p, const struct lat_hist *h)
{
	__u64 lo, hi;
	int b = 0;
	__u32 i;

	/* Fine buckets ascend and every bound is the end of one of them, so
	 * each fine bucket lies wholly below a bound or wholly above it. */
	for (i = 0; i < HIST_FINE_SLOTS; i++) {
		if (!h->fine[i])
			continue;
		lat_hist_fine_bounds(i, &lo, &hi);
		while (b < PROM_HIST_NBOUNDS && hi > prom_hist_bounds_us[b])
			b++;
		p->bucket[b] += h->fine[i];
	}
	p->sum_us += h->sum_us;
}

uint64_t prom_hist_cumulative(const struct prom_hist *p, uint64_t cumulative[PROM_HIST_NBOUNDS])
{
	uint64_t total = 0;
	int b;

	for (b = 0; b < PROM_HIST_NBOUNDS; b++) {
		total += p->bucket[b];
		cumulative[b] = total;
	}
	return total + p->bucket[PROM_HIST_NBOUNDS];
}

int hist_family_init(struct hist_family *f, const char *name, const char *help,
		     const char *const *label_names, int nlabels, unsigned int fold_mask,
		     uint32_t max_series)
{
	int err, i;

	memset(f, 0, sizeof(*f));
	if (nlabels < 0 || nlabels > HIST_FAMILY_MAX_LABELS)
		return -EINVAL;
	f->name = name;
	f->help = help;
	f->nlabels = nlabels;
	for (i = 0; i < nlabels; i++)
		f->label_names[i] = label_names[i];
	f->fold_mask = fold_mask & ((1U << nlabels) - 1);
	err = series_init(&f->admitted, max_series);
	if (!err)
		err = series_init(&f->others, HIST_FAMILY_MAX_OTHERS + 1);
	if (!err) {
		f->series = calloc(max_series, sizeof(*f->series));
		f->other_series = calloc(HIST_FAMILY_MAX_OTHERS + 1, sizeof(*f->other_series));
		if (!f->series || !f->other_series)
			err = -ENOMEM;
	}
	if (err)
		hist_family_free(f);
	return err;
}

int hist_family_init_choices(struct hist_family *f, const char *name, const char *help,
			     const char *const *fixed, int nfixed,
			     const struct label_choice *choices, int nchoices,
			     unsigned int chosen, uint32_t max_series)
{
	const char *names[HIST_FAMILY_MAX_LABELS];
	unsigned int fold = 0;
	int n = 0, i;

	if (nfixed < 0 || nfixed + nchoices > HIST_FAMILY_MAX_LABELS)
		return -EINVAL;
	for (i = 0; i < nfixed; i++)
		names[n++] = fixed[i];
	for (i = 0; i < nchoices; i++) {
		if (!(chosen & choices[i].bit))
			continue;
		fold |= 1U << n;
		names[n++] = choices[i].name;
	}
	return hist_family_init(f, name, help, names, n, fold, max_series);
}

static void free_series(struct hist_series *s, uint32_t n)
{
	for (uint32_t i = 0; s && i < n; i++)
		free(s[i].key);
	free(s);
}

void hist_family_free(struct hist_family *f)
{
	free_series(f->series, f->admitted.count);
	free_series(f->other_series, f->others.count);
	series_free(&f->admitted);
	series_free(&f->others);
	free(f->scratch);
	memset(f, 0, sizeof(*f));
}

void hist_family_begin(struct hist_family *f)
{
	uint32_t i;

	for (i = 0; i < f->admitted.count; i++) {
		f->series[i].seen = false;
		memset(&f->series[i].acc, 0, sizeof(f->series[i].acc));
	}
	for (i = 0; i < f->others.count; i++) {
		f->other_series[i].seen = false;
		memset(&f->other_series[i].acc, 0, sizeof(f->other_series[i].acc));
	}
	f->folded = 0;
}

/* The key of values into f->scratch, with the labels of mask as "other";
 * its length, or -ENOMEM. */
static long build_key(struct hist_family *f, const char *const *values, unsigned int mask)
{
	size_t len = 0, n;
	char *p;
	int i;

	for (i = 0; i < f->nlabels; i++)
		len += strlen(mask & (1U << i) ? HIST_FAMILY_OTHER : values[i]) + 1;
	if (len > f->scratch_cap) {
		p = realloc(f->scratch, len);
		if (!p)
			return -ENOMEM;
		f->scratch = p;
		f->scratch_cap = len;
	}
	p = f->scratch;
	for (i = 0; i < f->nlabels; i++) {
		const char *v = mask & (1U << i) ? HIST_FAMILY_OTHER : values[i];

		n = strlen(v) + 1;
		memcpy(p, v, n);
		p += n;
	}
	return len;
}

/* Adds h to the series of f->scratch in set/series, admitting it if there is room. */
static int add_to(struct hist_family *f, struct series_set *set, struct hist_series *series,
		  size_t len, const struct lat_hist *h)
{
	struct hist_series *s;
	int idx;

	idx = series_admit(set, f->scratch, len);
	if (idx < 0)
		return idx;
	s = &series[idx];
	if (!s->key) {
		s->key = malloc(len ? len : 1);	/* no labels: an empty key */
		if (!s->key)
			return -ENOMEM;
		memcpy(s->key, f->scratch, len);
		s->len = len;
	}
	s->seen = true;
	prom_hist_add_lat(&s->acc, h);
	return 0;
}

int hist_family_add(struct hist_family *f, const char *const *values, const struct lat_hist *h)
{
	long len;
	int err;

	len = build_key(f, values, 0);
	if (len < 0)
		return len;
	err = add_to(f, &f->admitted, f->series, len, h);
	if (err != -ENOSPC)
		return err;
	f->folded++;
	return hist_family_add_other(f, values, h);
}

int hist_family_add_other(struct hist_family *f, const char *const *values,
			  const struct lat_hist *h)
{
	long len;

	/* Without labels to fold (no opt-in labels), all of them are. */
	len = build_key(f, values, f->fold_mask ? f->fold_mask : ~0U);
	if (len < 0)
		return len;
	if (series_find(&f->others, f->scratch, len) < 0 &&
	    f->others.count >= HIST_FAMILY_MAX_OTHERS) {
		/* The last resort: every label "other". */
		len = build_key(f, values, ~0U);
		if (len < 0)
			return len;
	}
	return add_to(f, &f->others, f->other_series, len, h);
}

static void write_series(struct hist_family *f, struct prom_writer *w,
			 const struct hist_series *s)
{
	struct prom_label labels[HIST_FAMILY_MAX_LABELS];
	uint64_t cumulative[PROM_HIST_NBOUNDS], count;
	const char *v = s->key;
	int i;

	for (i = 0; i < f->nlabels; i++) {
		labels[i].name = f->label_names[i];
		labels[i].value = v;
		v += strlen(v) + 1;
	}
	count = prom_hist_cumulative(&s->acc, cumulative);
	prom_histogram(w, labels, f->nlabels, prom_hist_bounds_us, cumulative, PROM_HIST_NBOUNDS,
		       count, s->acc.sum_us);
}

void hist_family_write(struct hist_family *f, struct prom_writer *w)
{
	uint32_t i;

	prom_family(w, f->name, PROM_HISTOGRAM, "seconds", f->help);
	for (i = 0; i < f->admitted.count; i++)
		if (f->series[i].seen)
			write_series(f, w, &f->series[i]);
	for (i = 0; i < f->others.count; i++)
		if (f->other_series[i].seen)
			write_series(f, w, &f->other_series[i]);
}

void hist_family_write_folded(const struct hist_family *f, struct prom_writer *w)
{
	const struct prom_label label = { "metric", f->name };

	prom_sample_u64(w, &label, 1, f->folded);
}
