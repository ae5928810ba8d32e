/* SPDX-License-Identifier: GPL-2.0 */
/* IP addresses as the kernel hands them over: a family and 16 raw bytes. */
#ifndef TCPLAT_ADDR_H
#define TCPLAT_ADDR_H

#include <stddef.h>
#include <stdint.h>

/* INET6_ADDRSTRLEN */
#define ADDR_STRLEN 46

/* 4 or 6, as the IP column and the "family" fields print it. */
int addr_family_version(uint16_t family);
/* "10.0.0.1" or "fd00::1" into 16 bytes (IPv4 in the first 4); sets
 * *family to AF_INET or AF_INET6. 0 or -EINVAL. */
int addr_parse(const char *s, uint16_t *family, uint8_t bytes[16]);
/* The text form; "?" for an unknown family. Returns buf. */
const char *addr_format(uint16_t family, const uint8_t bytes[16], char *buf, size_t len);

#endif /* TCPLAT_ADDR_H */
