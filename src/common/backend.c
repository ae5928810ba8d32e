// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "backend.h"

static const char *const backend_names[BACKEND_COUNT] = {
	[BACKEND_FENTRY] = "fentry",
	[BACKEND_KPROBE] = "kprobe",
	[BACKEND_TRACEPOINT] = "tracepoint",
};

/* Program name prefixes per backend; see backend.h. */
static const char *const backend_prefixes[BACKEND_COUNT][3] = {
	[BACKEND_FENTRY] = { "fentry_", "fexit_", NULL },
	[BACKEND_KPROBE] = { "kprobe_", "kretprobe_", NULL },
	[BACKEND_TRACEPOINT] = { "tp_", "sockops_", NULL },
};

/* Cgroup programs (sockops, cgroup_skb) that a feature needs whatever the
 * backend: they hook no kernel function, so every backend loads them. */
static const char backend_any_prefix[] = "cg_";

const char *backend_name(enum backend b)
{
	return b < BACKEND_COUNT ? backend_names[b] : "auto";
}

int backend_parse(const char *s, enum backend *out)
{
	if (!strcmp(s, "auto")) {
		*out = BACKEND_AUTO;
		return 0;
	}
	for (int b = 0; b < BACKEND_COUNT; b++) {
		if (!strcmp(s, backend_names[b])) {
			*out = b;
			return 0;
		}
	}
	return -EINVAL;
}

bool backend_owns_program(enum backend b, const char *prog_name)
{
	if (b >= BACKEND_COUNT)
		return false;
	if (!strncmp(prog_name, backend_any_prefix, strlen(backend_any_prefix)))
		return true;
	for (const char *const *p = backend_prefixes[b]; *p; p++)
		if (!strncmp(prog_name, *p, strlen(*p)))
			return true;
	return false;
}

/* While probing, libbpf's warnings are kept, not printed: a refused
 * backend is expected, and its warning is the reason we report. */
static char probe_reason[256];
static libbpf_print_fn_t outer_print;
static int probe_verbosity;

static int probe_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	va_list copy;
	size_t len;

	/* The first warning names the cause; later ones are consequences
	 * ("failed to load object"). */
	if (level == LIBBPF_WARN && !probe_reason[0]) {
		va_copy(copy, args);
		vsnprintf(probe_reason, sizeof(probe_reason), fmt, copy);
		va_end(copy);
		len = strlen(probe_reason);
		while (len && probe_reason[len - 1] == '\n')
			probe_reason[--len] = '\0';
	}
	/* With -vv everything goes on to libbpf's debug stream, the
	 * verifier's log of a refused program included. */
	if (probe_verbosity >= 2 && outer_print)
		return outer_print(level, fmt, args);
	return 0;
}

static int enable_backend_programs(struct bpf_object *obj, enum backend b)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, obj) {
		err = bpf_program__set_autoload(prog, backend_owns_program(b,
								bpf_program__name(prog)));
		if (err)
			return err;
	}
	return 0;
}

static int try_backend(const struct backend_ops *ops, void *ctx, enum backend b,
		       const char **stage)
{
	int err;

	*stage = "open";
	err = ops->open(ctx);
	if (err)
		return err;
	*stage = "select programs";
	err = enable_backend_programs(ops->object(ctx), b);
	if (err)
		return err;
	*stage = "load";
	err = ops->load(ctx);
	if (err)
		return err;
	*stage = "attach";
	return ops->attach(ctx);
}

int backend_select(const struct backend_ops *ops, void *ctx, enum backend forced, int verbosity,
		   enum backend *chosen)
{
	bool verbose = verbosity > 0;
	enum backend first = forced == BACKEND_AUTO ? 0 : forced;
	enum backend last = forced == BACKEND_AUTO ? BACKEND_COUNT - 1 : forced;
	const char *stage;
	int err = -ENOTSUP;

	for (enum backend b = first; b <= last; b++) {
		probe_reason[0] = '\0';
		probe_verbosity = verbosity;
		outer_print = libbpf_set_print(probe_print);
		err = try_backend(ops, ctx, b, &stage);
		libbpf_set_print(outer_print);
		if (!err) {
			if (verbose)
				fprintf(stderr, "tcplat: backend %s: chosen\n", backend_name(b));
			*chosen = b;
			return 0;
		}
		ops->destroy(ctx);
		if (verbose || forced != BACKEND_AUTO)
			fprintf(stderr, "tcplat: backend %s: refused at %s: %s%s%s\n",
				backend_name(b), stage, strerror(-err),
				probe_reason[0] ? ": " : "", probe_reason);
	}
	if (forced == BACKEND_AUTO)
		fprintf(stderr, "tcplat: no usable backend: the kernel refused fentry, kprobe "
				"and tracepoint programs (run with -v for the reasons)\n");
	return err;
}
