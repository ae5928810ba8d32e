// SPDX-License-Identifier: GPL-2.0
/*
 * `tcplat connect`'s argp parser (src/connect/connect_opts.c with the common
 * options of src/common/opts.c), driven with a fuzzed argv: the input's
 * NUL-separated pieces are the words. Every parse that succeeds must leave
 * options within the limits the BPF side relies on.
 */
#include <argp.h>
#include <sys/socket.h>
#include "connect_opts.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct connect_opts opts;
	struct fuzz_argv a;
	int err;

	fuzz_argv_make(&a, "tcplat connect", data, size);
	err = connect_opts_parse(a.argc, a.argv, &opts, ARGP_NO_EXIT);
	if (!err) {
		FUZZ_ASSERT(opts.ndports >= 0 && opts.ndports <= MAX_DPORTS, "%d ports",
			    opts.ndports);
		for (int i = 0; i < opts.ndports; i++)
			FUZZ_ASSERT(opts.dports[i] >= 1, "port 0");
		FUZZ_ASSERT(!opts.comm || (*opts.comm && strlen(opts.comm) < TASK_COMM_LEN),
			    "comm '%s'", opts.comm);
		FUZZ_ASSERT(opts.common.pid <= INT32_MAX, "pid %u", opts.common.pid);
		FUZZ_ASSERT(opts.common.duration_s >= 0, "duration %g", opts.common.duration_s);
		FUZZ_ASSERT(opts.max_inflight >= 1 && opts.max_inflight <= 1 << 24,
			    "max_inflight %u", opts.max_inflight);
		FUZZ_ASSERT(opts.min_ns <= 86400ULL * 1000000000ULL, "min_ns");
		FUZZ_ASSERT(!opts.daddr_family || !opts.common.family ||
				    opts.daddr_family == opts.common.family,
			    "--daddr of another family than -4/-6");
		FUZZ_ASSERT(opts.common.backend <= BACKEND_AUTO, "backend %d", opts.common.backend);
	}
	fuzz_argv_free(&a);
	return 0;
}
