/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The standard process metrics every Prometheus client library exports:
 * process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_open_fds, process_max_fds and
 * process_start_time_seconds. The /proc files are opened at start-up, while
 * the exporter is still root: once it is not, /proc/self/fd is no longer its.
 */
#ifndef TCPLAT_PROCSTAT_H
#define TCPLAT_PROCSTAT_H

#include <stdint.h>
#include "prom.h"

struct procstat {
	int statm_fd;
	int fd_dir;
	uint64_t start_time_us;		/* since the Unix epoch */
	long page_size;
};

/* The starttime field (22nd, clock ticks after boot) of /proc/PID/stat text,
 * whose comm may hold spaces and parentheses. 0 or -EINVAL. Pure. */
int procstat_parse_starttime(const char *stat, uint64_t *ticks);
/* The first two fields of /proc/PID/statm: size and resident, in pages. */
int procstat_parse_statm(const char *statm, uint64_t *size_pages, uint64_t *resident_pages);

/* 0 or -errno. */
int procstat_open(struct procstat *p);
void procstat_close(struct procstat *p);
/* The process_* families. 0 or -errno (the families are then not written). */
int procstat_write(struct procstat *p, struct prom_writer *w);

#endif /* TCPLAT_PROCSTAT_H */
