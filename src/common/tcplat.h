/* SPDX-License-Identifier: GPL-2.0 */
/* What main.c dispatches to, and what every subcommand shares at start-up. */
#ifndef TCPLAT_H
#define TCPLAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "opts.h"

#ifndef TCPLAT_VERSION
#define TCPLAT_VERSION "0.1.0"
#endif

/* Subcommands: argv[0] is "tcplat NAME". Return the process exit status. */
int cmd_connect(int argc, char **argv);
int cmd_rtt(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* Privileges, BTF, libbpf logging, signals: 0, or 1 with one line printed. */
int tcplat_prepare(const struct trace_opts *opts);
/* Opens a --cgroup directory for a BPF cgroup array; -1 with a line
 * printed if it is not a cgroup v2 directory. */
int tcplat_open_cgroup(const char *path);
/* Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on hybrid systems): 0, or -ENOENT if it is not. */
int tcplat_cgroup2_root(char *buf, size_t len);
/* Sums each slot of a per-CPU counter array over the CPUs; -errno. */
int tcplat_read_counters(int map_fd, uint32_t nslots, uint64_t *totals);
/* clock_gettime() in nanoseconds; CLOCK_MONOTONIC is bpf_ktime_get_ns()'s. */
uint64_t tcplat_clock_ns(clockid_t clock);

#endif /* TCPLAT_H */
