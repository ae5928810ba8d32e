// SPDX-License-Identifier: GPL-2.0
/*
 * `tcplat connect`'s output (src/connect/connect_format.c) for any event the
 * ring buffer could hand over: any family, any outcome, a comm of any bytes
 * and no NUL. The table row must be one line; the NDJSON line and the JSON
 * summary must be valid JSON.
 */
#include "connect_format.h"
/* Its output is judged by fuzz_json_valid(): check that first. */
#define FUZZ_JSON_ORACLE
#include "fuzz.h"

struct input {
	struct connect_event e;
	struct connect_summary sum;
	uint64_t ts_ns;
	double time_s;
	uint8_t flags;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {};
	struct connect_view view;
	struct fuzz_out o;
	const char *bad, *nl;

	memcpy(&in, data, size < sizeof(in) ? size : sizeof(in));
	/* A bool holds 0 or 1: the summary's comes from a flag bit, not from
	 * raw bytes (loading any other value is undefined behaviour). */
	in.sum.hist = in.flags & 16;
	view = (struct connect_view){ in.flags & 1, in.flags & 2, in.flags & 4, in.flags & 8 };

	connect_print_header(fuzz_out_open(&o), &view);
	connect_print_text(o.f, &view, &in.e, in.time_s);
	fuzz_out_close(&o);
	nl = memchr(o.buf, '\n', o.len);
	FUZZ_ASSERT(nl, "no header line");
	/* The row: one line; a comm holding a newline would make two. */
	nl = memchr(nl + 1, '\n', o.len - (nl + 1 - o.buf));
	FUZZ_ASSERT(nl && nl == o.buf + o.len - 1, "the row is not one line: %s", o.buf);
	fuzz_out_free(&o);

	connect_print_json(fuzz_out_open(&o), &in.e, in.ts_ns);
	connect_print_summary_json(o.f, &in.sum, in.flags & 8 ? "tracepoint" : "fentry");
	fuzz_out_close(&o);
	FUZZ_ASSERT(fuzz_ndjson_lines(o.buf, o.len, &bad) == 2, "invalid NDJSON: %s", bad);
	fuzz_out_free(&o);

	connect_print_summary_text(fuzz_out_open(&o), &in.sum);
	fuzz_out_close(&o);
	FUZZ_ASSERT(o.len && o.buf[o.len - 1] == '\n' && !memchr(o.buf, '\n', o.len - 1),
		    "summary is not one line");
	fuzz_out_free(&o);
	FUZZ_ASSERT(*connect_outcome_name(in.e.outcome), "empty outcome name");
	return 0;
}
