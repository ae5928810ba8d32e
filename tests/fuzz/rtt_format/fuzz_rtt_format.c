// SPDX-License-Identifier: GPL-2.0
/*
 * `tcplat rtt`'s output (src/rtt/rtt_format.c) for any key of the --by
 * tables and any --detail event: any family, any mode, a comm of any bytes,
 * labels cut to buffers of every size. JSON must be valid JSON, text rows
 * one line each.
 */
/* Its output is judged by fuzz_json_valid(): check that first. */
#define FUZZ_JSON_ORACLE
#include "fuzz.h"
#include "rtt_format.h"

struct input {
	struct rtt_key key;
	struct rtt_event e;
	struct rtt_totals totals;
	struct lat_summary sum;
	uint64_t ts_ns;
	uint8_t mode;
	uint8_t label_len;
	uint8_t flags;
};

static void check_one_line(const struct fuzz_out *o, const char *what)
{
	FUZZ_ASSERT(o->len && o->buf[o->len - 1] == '\n' && !memchr(o->buf, '\n', o->len - 1),
		    "%s is not one line: %s", what, o->buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {};
	enum rtt_mode mode;
	struct fuzz_out o;
	const char *bad;
	char *label;
	size_t len;

	memcpy(&in, data, size < sizeof(in) ? size : sizeof(in));
	mode = in.mode % (RTT_MODE_DETAIL + 2);
	len = 1 + in.label_len;
	label = malloc(len);
	FUZZ_ASSERT(label, "out of memory");
	FUZZ_ASSERT(rtt_key_label(mode, &in.key, label, len) == label, "label buffer");
	FUZZ_ASSERT(memchr(label, '\0', len), "label not terminated");

	rtt_print_interval_header(fuzz_out_open(&o), "12:00:00", label, &in.sum, in.flags & 1);
	fuzz_out_close(&o);
	check_one_line(&o, "interval header");
	fuzz_out_free(&o);
	free(label);

	fputs("{\"type\":\"rtt_hist\"", fuzz_out_open(&o));
	rtt_print_key_json(o.f, mode, &in.key);
	fputs("}\n", o.f);
	rtt_print_detail_json(o.f, &in.e, in.ts_ns);
	rtt_print_summary_json(o.f, &in.totals, in.flags & 2 ? "tracepoint" : "kprobe");
	fuzz_out_close(&o);
	FUZZ_ASSERT(fuzz_ndjson_lines(o.buf, o.len, &bad) == 3, "invalid NDJSON: %s", bad);
	fuzz_out_free(&o);

	rtt_print_detail_text(fuzz_out_open(&o), "12:00:00.000", &in.e, in.flags & 1);
	fuzz_out_close(&o);
	check_one_line(&o, "detail row");
	fuzz_out_free(&o);

	rtt_print_detail_header(fuzz_out_open(&o), in.flags & 1);
	fuzz_out_close(&o);
	check_one_line(&o, "detail header");
	fuzz_out_free(&o);

	rtt_print_summary_text(fuzz_out_open(&o), &in.totals);
	fuzz_out_close(&o);
	check_one_line(&o, "summary");
	fuzz_out_free(&o);
	return 0;
}
