// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON string writer (src/common/json.c) on any bytes, as a comm or a
 * kernel string can be: the output must be one valid JSON string (RFC 8259,
 * UTF-8, no raw control character) that decodes to the input up to its
 * first NUL, with each byte that is not part of valid UTF-8 as U+FFFD.
 */
/* Its output is judged by fuzz_json_valid(): check that first. */
#define FUZZ_JSON_ORACLE
#include "fuzz.h"
#include "json.h"

/* What the writer promises, computed independently of it. */
static size_t expected(const uint8_t *in, size_t len, unsigned char *out)
{
	size_t i = 0, n = 0, k;

	while (i < len && in[i]) {
		k = fuzz_utf8_len(in + i, len - i);
		/* A sequence cut by a NUL is not valid either. */
		if (k > 1 && memchr(in + i, '\0', k))
			k = 0;
		if (!k) {
			memcpy(out + n, "\xef\xbf\xbd", 3);
			n += 3;
			i++;
			continue;
		}
		memcpy(out + n, in + i, k);
		n += k;
		i += k;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_out o;
	struct fuzz_json j;
	unsigned char *want, *got;
	size_t nwant, ngot = 0;
	/* A copy of exactly size bytes: ASan sees a read past the given length. */
	uint8_t *in = malloc(size ? size : 1);

	FUZZ_ASSERT(in, "out of memory");
	memcpy(in, data, size);
	json_write_string(fuzz_out_open(&o), (const char *)in, size);
	fuzz_out_close(&o);

	want = malloc(3 * size + 1);
	got = malloc(4 * o.len + 1);
	FUZZ_ASSERT(want && got, "out of memory");
	nwant = expected(in, size, want);
	j = (struct fuzz_json){ (const unsigned char *)o.buf, o.len, 0, 0 };
	FUZZ_ASSERT(fuzz_json_string(&j, got, &ngot) && j.pos == o.len,
		    "not one JSON string: %.*s", (int)o.len, o.buf);
	FUZZ_ASSERT(ngot == nwant && !memcmp(got, want, ngot),
		    "decodes to %zu bytes, want %zu: %.*s", ngot, nwant, (int)o.len, o.buf);
	free(want);
	free(got);
	free(in);
	fuzz_out_free(&o);
	return 0;
}
