/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 ids (what bpf_get_current_cgroup_id() gives: the directory's
 * inode number in the cgroup2 file system) back to paths, for labels.
 */
#ifndef TCPLAT_CGROUP_PATH_H
#define TCPLAT_CGROUP_PATH_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct cgroup_path_entry {
	uint64_t id;
	char *path;		/* NULL: not found (the cgroup is gone) */
};

struct cgroup_paths {
	char root[PATH_MAX];	/* where cgroup2 is mounted, "" if nowhere */
	int root_fd;
	struct cgroup_path_entry *cache;
	size_t n, cap;
};

/* Where cgroup v2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on
 * hybrid systems): 0, or -ENOENT / -errno. */
int cgroup2_root(char *buf, size_t len);

/* 0, or -ENOMEM; a system without cgroup2 is not an error (every id is then
 * unknown). cap bounds the cache. */
int cgroup_paths_init(struct cgroup_paths *c, size_t cap);
void cgroup_paths_free(struct cgroup_paths *c);

/* The path of cgroup id relative to the cgroup2 root ("/" for the root
 * itself, "/system.slice/ssh.service"), or NULL when no cgroup has that id.
 * Results are cached, unknown ids too (ids are not reused). */
const char *cgroup_paths_get(struct cgroup_paths *c, uint64_t id);

/* A label for cgroup id: its path (cgroup_paths_get, c is a struct
 * cgroup_paths), or the id in decimal in buf when it has none. */
const char *cgroup_paths_label(uint64_t id, char *buf, size_t len, void *c);

#endif /* TCPLAT_CGROUP_PATH_H */
