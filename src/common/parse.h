/* SPDX-License-Identifier: GPL-2.0 */
/* Parsers for option values: strict, no silent truncation, 0 or -EINVAL. */
#ifndef TCPLAT_PARSE_H
#define TCPLAT_PARSE_H

#include <stdint.h>

/* A decimal integer in [min, max]; no sign tricks, no trailing junk. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A non-negative decimal number of milliseconds (fractions allowed: "0.5")
 * as nanoseconds; at most max_ms. */
int parse_ms(const char *s, double max_ms, uint64_t *out_ns);
/* A non-negative number of seconds (fractions allowed), greater than zero. */
int parse_seconds(const char *s, double *out);
/* A port, 1-65535. */
int parse_port(const char *s, uint16_t *port);
/* "80,443,8080": up to max ports in 1..65535; returns the count or -EINVAL. */
int parse_port_list(const char *s, uint16_t *ports, int max);

#endif /* TCPLAT_PARSE_H */
