/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text around an interval histogram that every subcommand prints the
 * same way: the clock, and the header line with count and percentiles
 * (the table below it is lat_hist_print_log2()). Pure.
 */
#ifndef TCPLAT_HIST_TEXT_H
#define TCPLAT_HIST_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hist_view.h"

/* Local time of a wall-clock instant (ns since the epoch): "HH:MM:SS", or
 * "HH:MM:SS.mmm" with ms. Returns buf. */
const char *hist_format_clock(uint64_t realtime_ns, bool ms, char *buf, size_t len);

/* "HH:MM:SS LABEL: count N  min X  p50 X  p90 X  p99 X  max X (msecs)":
 * milliseconds with 3 decimals, or whole microseconds with unit_us. */
void hist_print_interval_header(FILE *out, const char *when, const char *label,
				const struct lat_summary *sum, bool unit_us);

#endif /* TCPLAT_HIST_TEXT_H */
