// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cgroup_path.h"

/* linux/exportfs.h: kernfs file handles carry the 64-bit node id. */
#define FILEID_KERNFS 0xfe

int cgroup2_root(char *buf, size_t len)
{
	char dev[256], dir[PATH_MAX], type[64];
	int found = -ENOENT;
	FILE *f;

	f = fopen("/proc/mounts", "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, len, "%s", dir);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

int cgroup_paths_init(struct cgroup_paths *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->root_fd = -1;
	c->cap = cap ? cap : 1;
	c->cache = calloc(c->cap, sizeof(*c->cache));
	if (!c->cache)
		return -ENOMEM;
	if (!cgroup2_root(c->root, sizeof(c->root)))
		c->root_fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return 0;
}

static void cache_clear(struct cgroup_paths *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->cache[i].path);
	c->n = 0;
}

void cgroup_paths_free(struct cgroup_paths *c)
{
	cache_clear(c);
	free(c->cache);
	if (c->root_fd >= 0)
		close(c->root_fd);
	memset(c, 0, sizeof(*c));
	c->root_fd = -1;
}

/* path relative to the root, as a new string. */
static char *relative(const struct cgroup_paths *c, const char *path)
{
	size_t n = strlen(c->root);

	if (!strncmp(path, c->root, n) && (path[n] == '/' || !path[n]))
		return strdup(path[n] ? path + n : "/");
	return strdup(path);
}

/* The quick way: open the directory by its file handle (the id), and ask
 * /proc where it is. Needs CAP_DAC_READ_SEARCH. */
static char *by_handle(const struct cgroup_paths *c, uint64_t id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS } };
	char link[64], path[PATH_MAX];
	ssize_t n;
	int fd;

	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(c->root_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	return relative(c, path);
}

/* The slow way: walk the hierarchy for the directory with that inode. */
static uint64_t walk_id;
static char walk_found[PATH_MAX];

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_D || (uint64_t)st->st_ino != walk_id)
		return 0;
	snprintf(walk_found, sizeof(walk_found), "%s", path);
	return 1;
}

static char *by_walk(const struct cgroup_paths *c, uint64_t id)
{
	walk_id = id;
	if (nftw(c->root, walk_one, 32, FTW_PHYS | FTW_MOUNT) != 1)
		return NULL;
	return relative(c, walk_found);
}

const char *cgroup_paths_get(struct cgroup_paths *c, uint64_t id)
{
	struct cgroup_path_entry *e;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->cache[i].id == id)
			return c->cache[i].path;
	if (c->n == c->cap)
		cache_clear(c);	/* bounded: start over rather than grow */
	e = &c->cache[c->n++];
	e->id = id;
	e->path = NULL;
	if (c->root_fd >= 0) {
		e->path = by_handle(c, id);
		if (!e->path)
			e->path = by_walk(c, id);
	}
	return e->path;
}

const char *cgroup_paths_label(uint64_t id, char *buf, size_t len, void *c)
{
	const char *path = cgroup_paths_get(c, id);

	if (path)
		return path;
	snprintf(buf, len, "%llu", (unsigned long long)id);
	return buf;
}
