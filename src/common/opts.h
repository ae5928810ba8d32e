/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Options every tracing subcommand shares, as an argp child parser, so that
 * a flag means the same thing in `tcplat connect` and `tcplat rtt`.
 */
#ifndef TCPLAT_OPTS_H
#define TCPLAT_OPTS_H

#include <argp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include "backend.h"

struct trace_opts {
	int verbose;		/* -v: backend choice; -vv: libbpf debug too */
	enum backend backend;	/* --backend */
	uint32_t pid;		/* -p: thread group id, 0 = any */
	uint16_t family;	/* -4/-6: AF_INET, AF_INET6, 0 = both */
	const char *cgroup;	/* --cgroup: cgroup v2 directory */
	double duration_s;	/* -d: 0 = until Ctrl-C */
	bool json;		/* --json: NDJSON on stdout */
};

/* Its input is a struct trace_opts *; the parent passes it in
 * ARGP_KEY_INIT via state->child_inputs. */
extern const struct argp trace_argp;

/* argp_error() exits with status 2, except under ARGP_NO_EXIT (the unit
 * tests), where the parse must fail all the same: hence the value. */
#define OPT_FAIL(state, ...) ({ argp_error(state, __VA_ARGS__); EINVAL; })

void trace_opts_init(struct trace_opts *opts);

#endif /* TCPLAT_OPTS_H */
