/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that decides how tcplat hooks the kernel: fentry, then
 * kprobe, then tracepoint (tp_btf and cgroup sockops), first that loads and
 * attaches wins. Each feature's BPF object carries a twin of every program
 * per backend, named by prefix (fentry_*, kprobe_*, tp_*, sockops_*); only
 * the chosen backend's twins are loaded. Programs named cg_* (cgroup
 * programs a feature needs with any backend) load with every backend.
 */
#ifndef TCPLAT_BACKEND_H
#define TCPLAT_BACKEND_H

#include <stdbool.h>

struct bpf_object;

enum backend {
	BACKEND_FENTRY,
	BACKEND_KPROBE,
	BACKEND_TRACEPOINT,
	BACKEND_COUNT,
	BACKEND_AUTO = BACKEND_COUNT,
};

const char *backend_name(enum backend b);
/* "auto", "fentry", "kprobe" or "tracepoint"; 0 or -EINVAL. */
int backend_parse(const char *s, enum backend *out);
/* Does a program of this name belong to backend b? Pure, for the tests. */
bool backend_owns_program(enum backend b, const char *prog_name);

/* How backend_select drives one feature's skeleton. ctx is the feature's. */
struct backend_ops {
	int (*open)(void *ctx);			/* open the skeleton, set rodata */
	struct bpf_object *(*object)(void *ctx);
	int (*load)(void *ctx);
	int (*attach)(void *ctx);
	void (*destroy)(void *ctx);		/* safe on a half-opened ctx */
};

/*
 * Opens, loads and attaches with the first backend that works, or only
 * with `forced` unless it is BACKEND_AUTO. A refused backend is silent
 * (libbpf's complaints are captured); with verbosity 1 (-v), one line per
 * backend tried goes to stderr, with 2 (-vv) libbpf's whole log too. Returns 0 with *chosen set and the skeleton live,
 * or a negative errno with everything torn down and one line printed.
 */
int backend_select(const struct backend_ops *ops, void *ctx, enum backend forced, int verbosity,
		   enum backend *chosen);

#endif /* TCPLAT_BACKEND_H */
