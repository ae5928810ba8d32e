// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses (src/common/addr.c): the text of --daddr/--laddr/--raddr, and
 * the 16 bytes and family the kernel hands over, formatted into buffers of
 * every size. What parses formats back to the same bytes; what formats is
 * NUL-terminated inside its buffer and parses back.
 */
#include <sys/socket.h>
#include "addr.h"
#include "fuzz.h"

static void check_parse(const char *s)
{
	uint8_t bytes[16], again[16];
	uint16_t family = 0, family2 = 0;
	char buf[ADDR_STRLEN];

	if (addr_parse(s, &family, bytes))
		return;
	FUZZ_ASSERT(family == AF_INET || family == AF_INET6, "'%s': family %u", s, family);
	addr_format(family, bytes, buf, sizeof(buf));
	FUZZ_ASSERT(!addr_parse(buf, &family2, again), "'%s' formats as '%s', which fails", s,
		    buf);
	FUZZ_ASSERT(family2 == family && !memcmp(bytes, again, 16), "'%s' -> '%s' -> other", s,
		    buf);
	FUZZ_ASSERT(addr_family_version(family) == (family == AF_INET ? 4 : 6), "version");
}

static void check_format(uint16_t family, const uint8_t bytes[16], size_t len)
{
	char *buf = malloc(len);
	uint8_t back[16];
	uint16_t fam;
	const char *r;

	FUZZ_ASSERT(buf, "out of memory");
	r = addr_format(family, bytes, buf, len);
	FUZZ_ASSERT(r == buf, "returned another buffer");
	FUZZ_ASSERT(memchr(buf, '\0', len), "no NUL in %zu bytes", len);
	if ((family == AF_INET || family == AF_INET6) && len >= ADDR_STRLEN) {
		FUZZ_ASSERT(!addr_parse(buf, &fam, back), "'%s' does not parse", buf);
		FUZZ_ASSERT(fam == family && !memcmp(back, bytes, family == AF_INET ? 4 : 16),
			    "'%s' is another address", buf);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t bytes[16] = {};
	char *s;

	if (size && data[0] == 0xff && size >= 1 + 2 + 1 + 16) {
		/* 0xff, family (2 bytes), buffer length, 16 address bytes */
		uint16_t family = data[1] | data[2] << 8;

		memcpy(bytes, data + 4, 16);
		/* Mostly the families that exist, sometimes any value. */
		if (!(data[3] & 0x80))
			family = family & 1 ? AF_INET6 : AF_INET;
		check_format(family, bytes, 1 + data[3] % 64);
		return 0;
	}
	s = fuzz_strdup(data, size);
	check_parse(s);
	free(s);
	return 0;
}
