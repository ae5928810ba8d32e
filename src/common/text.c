// SPDX-License-Identifier: GPL-2.0
#include "text.h"

char *text_printable(const char *s, size_t len, char *buf)
{
	size_t i;

	for (i = 0; i < len && s[i]; i++) {
		unsigned char c = s[i];

		buf[i] = c < 0x20 || c == 0x7f ? '?' : c;
	}
	buf[i] = '\0';
	return buf;
}
