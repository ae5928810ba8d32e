/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dropping root once the programs are attached and the maps open: switch to
 * an unprivileged user, keep only the capability this kernel needs to read
 * the maps whose fds are already held (none since 6.x made the unprivileged
 * check apply only to creating maps and loading programs; CAP_BPF before),
 * and set no_new_privs.
 */
#ifndef TCPLAT_SERVE_PRIVS_H
#define TCPLAT_SERVE_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct serve_user {
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Looks the user up (before anything is loaded, so a typo fails early).
 * 0, or -ENOENT / -errno with a line in why. */
int serve_user_lookup(const char *name, struct serve_user *u, char *why, size_t len);
/*
 * Switches to u, keeping CAP_BPF only if reading probe_fd (a map fd, or -1
 * for none) needs it, and sets no_new_privs. *kept_bpf says whether it was
 * kept. 0, or -errno with a line in why.
 */
int serve_drop_privileges(const struct serve_user *u, int probe_fd, bool *kept_bpf, char *why,
			  size_t len);

#endif /* TCPLAT_SERVE_PRIVS_H */
