/* SPDX-License-Identifier: GPL-2.0 */
/* Can this process load and attach tracing BPF programs at all? */
#ifndef TCPLAT_PRIVS_H
#define TCPLAT_PRIVS_H

#include <stddef.h>
#include <stdint.h>

/* Given an effective capability mask, writes what is missing into buf and
 * returns 1, or returns 0 if nothing is. Pure, for the tests. */
int privs_missing(uint64_t effective, char *buf, size_t len);
/* The same for this process; -errno if the capabilities cannot be read. */
int privs_check(char *buf, size_t len);

#endif /* TCPLAT_PRIVS_H */
