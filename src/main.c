// SPDX-License-Identifier: GPL-2.0
/* tcplat: TCP latency tracer. Dispatches to one subcommand per feature. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "evloop.h"
#include "privs.h"
#include "tcplat.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "connect", cmd_connect, "latency of every active TCP connect, per connection" },
	{ "rtt", cmd_rtt, "round-trip times of established connections: histograms, per key, "
			  "per sample" },
	{ "serve", cmd_serve, "Prometheus exporter: connect and RTT histograms over HTTP" },
};

#define NCOMMANDS (int)(sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "Usage: tcplat COMMAND [OPTION...]\n"
		     "TCP latency tracer (libbpf, CO-RE).\n\nCommands:\n");
	for (int i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'tcplat COMMAND --help' for a command's options; "
		     "'tcplat --version' for the version.\n");
}

static int verbosity;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && verbosity < 2)
		return 0;
	return vfprintf(stderr, fmt, args);
}

int tcplat_prepare(const struct trace_opts *opts)
{
	char why[160];
	int err;

	err = privs_check(why, sizeof(why));
	if (err) {
		if (err < 0)
			fprintf(stderr, "tcplat: cannot read capabilities: %s\n", strerror(-err));
		else
			fprintf(stderr, "tcplat: %s\n", why);
		return 1;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "tcplat: kernel has no BTF (/sys/kernel/btf/vmlinux: %s); "
				"tcplat needs a kernel built with CONFIG_DEBUG_INFO_BTF=y\n",
			strerror(errno));
		return 1;
	}
	verbosity = opts->verbose;
	libbpf_set_print(libbpf_print);
	err = evloop_block_signals();
	if (err) {
		fprintf(stderr, "tcplat: cannot block signals: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}

int tcplat_open_cgroup(const char *path)
{
	struct statfs fs;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tcplat: --cgroup %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstatfs(fd, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC) {
		fprintf(stderr, "tcplat: --cgroup %s: not a cgroup v2 directory "
				"(see 'mount -t cgroup2')\n", path);
		close(fd);
		return -1;
	}
	return fd;
}

int tcplat_cgroup2_root(char *buf, size_t len)
{
	char dev[256], dir[PATH_MAX], type[64];
	int err = -ENOENT;
	FILE *f;

	f = fopen("/proc/mounts", "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, len, "%s", dir);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int tcplat_read_counters(int map_fd, uint32_t nslots, uint64_t *totals)
{
	int ncpus = libbpf_num_possible_cpus();

	if (ncpus < 0)
		return ncpus;
	uint64_t percpu[ncpus];

	for (uint32_t slot = 0; slot < nslots; slot++) {
		if (bpf_map_lookup_elem(map_fd, &slot, percpu))
			return -errno;
		totals[slot] = 0;
		for (int cpu = 0; cpu < ncpus; cpu++)
			totals[slot] += percpu[cpu];
	}
	return 0;
}

uint64_t tcplat_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	char name[64];

	/* Usage errors exit with 2, runtime errors with 1. */
	argp_err_exit_status = 2;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("tcplat %s (libbpf %s)\n", TCPLAT_VERSION, libbpf_version_string());
		return 0;
	}
	for (int i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* argp names the command in its messages from argv[0]. */
		snprintf(name, sizeof(name), "tcplat %s", commands[i].name);
		argv[1] = name;
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "tcplat: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
