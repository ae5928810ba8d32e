// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"

int addr_parse(const char *s, uint16_t *family, uint8_t bytes[16])
{
	memset(bytes, 0, 16);
	if (inet_pton(AF_INET, s, bytes) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, bytes) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *addr_format(uint16_t family, const uint8_t bytes[16], char *buf, size_t len)
{
	if ((family != AF_INET && family != AF_INET6) || !inet_ntop(family, bytes, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int addr_family_version(uint16_t family)
{
	return family == AF_INET6 ? 6 : 4;
}
