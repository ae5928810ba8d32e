// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <time.h>
#include "hist_text.h"

const char *hist_format_clock(uint64_t realtime_ns, bool ms, char *buf, size_t len)
{
	time_t sec = realtime_ns / 1000000000ULL;
	struct tm tm;

	localtime_r(&sec, &tm);
	if (ms)
		snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(realtime_ns / 1000000 % 1000));
	else
		strftime(buf, len, "%H:%M:%S", &tm);
	return buf;
}

void hist_print_interval_header(FILE *out, const char *when, const char *label,
				const struct lat_summary *sum, bool unit_us)
{
	double div = unit_us ? 1 : 1000;
	int prec = unit_us ? 0 : 3;

	fprintf(out, "%s %s: count %" PRIu64 "  min %.*f  p50 %.*f  p90 %.*f  p99 %.*f  max %.*f (%s)\n",
		when, label, (uint64_t)sum->count, prec, sum->min_us / div, prec, sum->p50_us / div,
		prec, sum->p90_us / div, prec, sum->p99_us / div, prec, sum->max_us / div,
		unit_us ? "usecs" : "msecs");
}
