// SPDX-License-Identifier: GPL-2.0
/*
 * `tcplat rtt`'s argp parser (src/rtt/rtt_opts.c with src/common/opts.c),
 * driven with a fuzzed argv (NUL-separated words). What parses must be a
 * combination the rest of rtt handles: one mode, --top/--max-keys only with
 * --by, consistent address families, thresholds within their __u32.
 */
#include <argp.h>
#include <sys/socket.h>
#include "fuzz.h"
#include "rtt_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtt_opts o;
	struct fuzz_argv a;
	int err;
	bool by;

	fuzz_argv_make(&a, "tcplat rtt", data, size);
	err = rtt_opts_parse(a.argc, a.argv, &o, ARGP_NO_EXIT);
	if (!err) {
		by = o.mode == RTT_MODE_BY_RADDR || o.mode == RTT_MODE_BY_RPORT ||
		     o.mode == RTT_MODE_BY_FLOW;
		FUZZ_ASSERT(by || o.mode == RTT_MODE_HIST || o.mode == RTT_MODE_DETAIL, "mode %d",
			    o.mode);
		FUZZ_ASSERT(o.detail == (o.mode == RTT_MODE_DETAIL), "--detail but mode %d", o.mode);
		FUZZ_ASSERT(!o.top || by, "--top without --by");
		FUZZ_ASSERT(!o.max_keys_set || by, "--max-keys without --by");
		FUZZ_ASSERT(o.max_keys >= 1 && o.max_keys <= 1 << 20, "max_keys %u", o.max_keys);
		FUZZ_ASSERT(o.interval_s > 0 && o.interval_s <= 365.0 * 86400, "interval %g",
			    o.interval_s);
		FUZZ_ASSERT(!o.laddr_family || !o.raddr_family || o.laddr_family == o.raddr_family,
			    "families");
		FUZZ_ASSERT(!o.common.family ||
				    ((!o.laddr_family || o.laddr_family == o.common.family) &&
				     (!o.raddr_family || o.raddr_family == o.common.family)),
			    "address of another family than -4/-6");
		FUZZ_ASSERT(o.min_rtt_us <= 4000000000U && o.min_srtt_us <= 4000000000U &&
				    o.min_minrtt_us <= 4000000000U,
			    "thresholds");
		FUZZ_ASSERT(o.count <= UINT32_MAX, "count");
	}
	fuzz_argv_free(&a);
	return 0;
}
