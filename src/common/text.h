/* SPDX-License-Identifier: GPL-2.0 */
/* Strings from outside (a comm is whatever a process wrote into it) made
 * safe for a text table: no control character reaches the terminal. */
#ifndef TCPLAT_TEXT_H
#define TCPLAT_TEXT_H

#include <stddef.h>

/* Copies s (at most len bytes, stopping at NUL) into buf (len + 1 bytes),
 * each control character (below 0x20, and DEL) as '?': a newline cannot
 * forge a row, an escape cannot drive the terminal. Returns buf. */
char *text_printable(const char *s, size_t len, char *buf);

#endif /* TCPLAT_TEXT_H */
