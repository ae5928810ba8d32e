/* SPDX-License-Identifier: GPL-2.0 */
/* The little JSON we write: strings escaped per RFC 8259, always valid UTF-8. */
#ifndef TCPLAT_JSON_H
#define TCPLAT_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Writes s (at most len bytes, stopping at NUL) as a quoted JSON string.
 * Control characters are escaped; bytes that are not valid UTF-8 (a comm
 * is whatever a process wrote into it) become U+FFFD. */
void json_write_string(FILE *out, const char *s, size_t len);

/* Length of the valid UTF-8 sequence at s (at most avail bytes, avail > 0), 0
 * if none: overlong forms, surrogates and code points past U+10FFFF are not.
 * The Prometheus writer validates label values with it too. */
size_t utf8_seq_len(const unsigned char *s, size_t avail);

#endif /* TCPLAT_JSON_H */
