// SPDX-License-Identifier: GPL-2.0
/*
 * User side of rtt_iter.bpf.c: load it (probing bpf_setsockopt by the load's
 * result), walk every network namespace with it, fill -p's socket inodes,
 * and attach rtt.bpf.c's tcp_probe stand-in while it has sockets to follow.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "rtt_format.h"
#include "rtt_iter.h"
#include "rtt.skel.h"
#include "rtt_iter.skel.h"

/* Namespaces a walk remembers, to enter each once: far more than a host
 * runs; beyond it the rest are counted as refused, not walked twice. */
#define MAX_NETNS 65536
/* After an interval without samples, count the matching connections at
 * most this often (a walk of every namespace's sockets), until told once. */
#define NO_SAMPLE_CHECK_NS (10 * 1000000000ULL)
/* read() of an iterator returns EAGAIN after a million sockets without
 * output (ours prints nothing): go on reading, this many times at most. */
#define MAX_ITER_READS 1024

struct rtt_iter {
	struct rtt_bpf *skel;
	struct rtt_iter_bpf *iter;
	struct bpf_link *link;
	struct bpf_link *standin_link;
	bool has_setsockopt;
	uint64_t last_samples;		/* at the last tick */
	uint64_t last_check_ns;		/* last count after an empty interval */
	bool no_sample_told;
};

/* One walk over the network namespaces. */
struct rtt_walk {
	struct rtt_iter_result found;	/* summed over the namespaces */
	uint32_t netns;			/* namespaces walked */
	uint32_t netns_refused;		/* that could not be entered (CAP_SYS_ADMIN) */
};

struct ns_id {
	dev_t dev;
	ino_t ino;
};

struct ns_walk {
	struct rtt_iter *it;
	struct rtt_walk *walk;
	struct ns_id *seen;
	size_t nseen, cap;
	bool moved;		/* left our own namespace */
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static struct rtt_iter_bpf *iter_load(const struct rtt_iter_cfg *cfg, bool setsockopt)
{
	struct rtt_iter_bpf *iter;
	libbpf_print_fn_t outer = NULL;
	int err;

	iter = rtt_iter_bpf__open();
	if (!iter)
		return NULL;
	iter->rodata->conn = *cfg->filter;
	iter->rodata->can_setsockopt = setsockopt;
	iter->rodata->enrol = cfg->enrol;
	err = bpf_map__set_max_entries(iter->maps.pid_sockets,
				       cfg->filter->tgid ? RTT_DEFAULT_MAX_OWNERS : 1);
	if (!err)
		err = bpf_map__reuse_fd(iter->maps.owners, bpf_map__fd(cfg->skel->maps.owners));
	if (!err)
		err = bpf_map__reuse_fd(iter->maps.standin, bpf_map__fd(cfg->skel->maps.standin));
	/* A refused load is an answer here, not an error to print. */
	if (cfg->verbose < 2)
		outer = libbpf_set_print(quiet_print);
	if (!err)
		err = rtt_iter_bpf__load(iter);
	if (cfg->verbose < 2)
		libbpf_set_print(outer);
	if (err) {
		rtt_iter_bpf__destroy(iter);
		errno = -err;
		return NULL;
	}
	return iter;
}

static struct rtt_iter *rtt_iter_open(const struct rtt_iter_cfg *cfg)
{
	struct rtt_iter *it;
	int err;

	it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->skel = cfg->skel;
	/* Only the tracepoint backend has a use for bpf_setsockopt. */
	if (cfg->enrol) {
		it->iter = iter_load(cfg, true);
		it->has_setsockopt = it->iter != NULL;
	}
	if (!it->iter)
		it->iter = iter_load(cfg, false);
	if (!it->iter)
		goto fail;
	it->link = bpf_program__attach_iter(it->iter->progs.iter_tcp, NULL);
	if (!it->link)
		goto fail;
	return it;
fail:
	err = errno;
	rtt_iter_close(it);
	errno = err;
	return NULL;
}

/* The comm of PID, as the kernel has it (at most 15 characters). */
static void read_comm(uint32_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	memset(comm, 0, len);
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

static int rtt_iter_add_pid(struct rtt_iter *it, uint32_t pid)
{
	int map = bpf_map__fd(it->iter->maps.pid_sockets), n = 0, err = 0;
	char path[64], target[64];
	unsigned long long ino;
	struct dirent *de;
	__u8 one = 1;
	__u64 key;
	ssize_t len;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/fd", pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		len = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (sscanf(target, "socket:[%llu]", &ino) != 1)
			continue;
		key = ino;
		if (bpf_map_update_elem(map, &key, &one, BPF_ANY)) {
			err = -errno;
			break;
		}
		n++;
	}
	closedir(d);
	it->iter->bss->pid_owner.pid = pid;
	read_comm(pid, it->iter->bss->pid_owner.comm, sizeof(it->iter->bss->pid_owner.comm));
	return err ? err : n;
}

/* One walk of the current network namespace's sockets. */
static int walk_here(struct rtt_iter *it)
{
	char buf[64];
	int fd, i, err = 0;
	ssize_t n;

	fd = bpf_iter_create(bpf_link__fd(it->link));
	if (fd < 0)
		return -errno;
	for (i = 0; i < MAX_ITER_READS; i++) {
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			err = -errno;
			break;
		}
	}
	close(fd);
	return err;
}

static bool ns_seen(struct ns_walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return true;
	return false;
}

static int ns_remember(struct ns_walk *w, const struct stat *st)
{
	struct ns_id *grown;

	if (w->nseen == w->cap || !w->seen) {
		if (w->cap >= MAX_NETNS)
			return -ENOSPC;
		w->cap = w->cap ? w->cap * 2 : 64;
		grown = realloc(w->seen, w->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		w->seen = grown;
	}
	w->seen[w->nseen++] = (struct ns_id){ st->st_dev, st->st_ino };
	return 0;
}

/* Enters the namespace PATH names, unless walked already, and walks it. */
static int walk_netns(struct ns_walk *w, const char *path)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* the process has gone, or hides it */
	if (fstat(fd, &st) || ns_seen(w, &st)) {
		close(fd);
		return 0;
	}
	if (ns_remember(w, &st) || setns(fd, CLONE_NEWNET)) {
		w->walk->netns_refused++;
		close(fd);
		return 0;
	}
	close(fd);
	w->moved = true;
	err = walk_here(w->it);
	if (!err)
		w->walk->netns++;
	return err;
}

/* Every entry of DIR as a namespace path: /proc/PID/ns/net (digits only)
 * or /run/netns/NAME (namespaces `ip netns` keeps without a process). */
static int walk_dir(struct ns_walk *w, const char *dir, bool pids)
{
	char path[300];
	struct dirent *de;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return 0;
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (pids && strspn(de->d_name, "0123456789") != strlen(de->d_name)))
			continue;
		snprintf(path, sizeof(path), pids ? "%s/%s/ns/net" : "%s/%s", dir, de->d_name);
		err = walk_netns(w, path);
	}
	closedir(d);
	return err;
}

static int rtt_iter_walk(struct rtt_iter *it, enum rtt_iter_op op, struct rtt_walk *walk)
{
	struct ns_walk w = { .it = it, .walk = walk };
	struct stat st;
	int self, err;

	memset(walk, 0, sizeof(*walk));
	memset(&it->iter->bss->result, 0, sizeof(it->iter->bss->result));
	it->iter->bss->op = op;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	/* Our own namespace first: all there is without CAP_SYS_ADMIN. */
	err = fstat(self, &st) ? -errno : ns_remember(&w, &st);
	if (!err)
		err = walk_here(it);
	if (!err) {
		walk->netns++;
		err = walk_dir(&w, "/proc", true);
	}
	if (!err)
		err = walk_dir(&w, "/run/netns", false);
	if (w.moved && setns(self, CLONE_NEWNET) && !err)
		err = -errno;
	close(self);
	free(w.seen);
	walk->found = it->iter->bss->result;
	return err;
}

static int rtt_iter_standin_sync(struct rtt_iter *it)
{
	struct bpf_program *prog = it->skel->progs.standin_tcp_probe;
	int fd = bpf_map__fd(it->skel->maps.standin);
	bool empty;
	__u64 key;

	if (bpf_program__fd(prog) < 0)
		return 0;	/* not the tracepoint backend: nothing to stand in for */
	empty = bpf_map_get_next_key(fd, NULL, &key) != 0;
	if (!empty && !it->standin_link) {
		it->standin_link = bpf_program__attach(prog);
		if (!it->standin_link)
			return -errno;
	} else if (empty && it->standin_link) {
		bpf_link__destroy(it->standin_link);
		it->standin_link = NULL;
	}
	/* Closing sockets leave the table (inet_sock_set_state) while it is
	 * in use. */
	it->skel->bss->standin_active = !empty;
	return 0;
}

void rtt_iter_tick(struct rtt_iter *it, uint64_t samples, uint64_t now_ns)
{
	uint64_t before = it->last_samples;
	struct rtt_walk walk;
	int err;

	err = rtt_iter_standin_sync(it);
	if (err)
		fprintf(stderr, "tcplat: rtt: tcp_probe stand-in: %s\n", strerror(-err));
	it->last_samples = samples;
	if (it->no_sample_told || samples != before ||
	    (it->last_check_ns && now_ns - it->last_check_ns < NO_SAMPLE_CHECK_NS))
		return;
	it->last_check_ns = now_ns;
	if (rtt_iter_walk(it, RTT_ITER_COUNT, &walk) || !walk.found.matched)
		return;
	rtt_print_no_sample_notice(stderr, walk.found.matched, walk.found.busy);
	it->no_sample_told = true;
}

/* Why the kernel would not enrol sockets from before the start. */
static const char *no_enrol_reason(const struct rtt_iter *it, int setsockopt_err, char *buf,
				   size_t len)
{
	if (!it->has_setsockopt)
		return "a tcp iterator cannot call bpf_setsockopt before 5.15";
	snprintf(buf, len, "bpf_setsockopt(TCP_BPF_SOCK_OPS_CB_FLAGS) needs 6.12: %s",
		 strerror(-setsockopt_err));
	return buf;
}

/* What -v says about them; losses are said without -v. */
static void explain_start(const struct rtt_iter *it, const struct rtt_iter_cfg *cfg,
			  const struct rtt_walk *walk)
{
	const struct rtt_iter_result *f = &walk->found;
	const char *lost = cfg->enrol ? "seen" : "counted";
	char why[160];

	if (f->standin_full || f->owners_full)
		fprintf(stderr, "tcplat: rtt: %u connections from before the start are not "
				"followed: a table is full\n", f->standin_full + f->owners_full);
	if (walk->netns_refused && (cfg->verbose || cfg->enrol))
		fprintf(stderr, "tcplat: rtt: %u network namespaces could not be entered (it "
				"takes CAP_SYS_ADMIN): their connections from before the start are "
				"not %s\n", walk->netns_refused, lost);
	if (!cfg->verbose)
		return;
	fprintf(stderr, "tcplat: rtt: %u matching connection%s from before the start (%u network "
			"namespace%s walked)%s", f->matched, f->matched == 1 ? "" : "s", walk->netns,
		walk->netns == 1 ? "" : "s", f->matched ? ": " : "\n");
	if (!f->matched)
		return;
	if (!cfg->enrol)
		fprintf(stderr, "tcp_ack_update_rtt sees them like any other\n");
	else if (f->standin)
		fprintf(stderr, "%u cannot be enrolled in BPF_SOCK_OPS_RTT_CB (%s): their "
				"samples are the smoothed RTT at tcp_probe, once per round trip "
				"(counted in the summary)\n", f->standin,
			no_enrol_reason(it, f->setsockopt_err, why, sizeof(why)));
	else
		fprintf(stderr, "enrolled in BPF_SOCK_OPS_RTT_CB from a tcp iterator "
				"(bpf_setsockopt)\n");
}

int rtt_iter_start(const struct rtt_iter_cfg *cfg, struct rtt_iter **out, uint64_t *matched)
{
	struct rtt_iter *it;
	struct rtt_walk walk;
	int err;

	*out = NULL;
	*matched = 0;
	it = rtt_iter_open(cfg);
	if (!it) {
		if (cfg->verbose || cfg->enrol)
			fprintf(stderr, "tcplat: rtt: connections that existed before the start are "
					"%s: this kernel has no usable tcp iterator (%s)\n",
				cfg->enrol ? "not seen" : "not counted", strerror(errno));
		return 0;
	}
	if (cfg->filter->tgid) {
		err = rtt_iter_add_pid(it, cfg->filter->tgid);
		if (err < 0)
			fprintf(stderr, "tcplat: rtt: -p: the sockets of process %u: %s\n",
				cfg->filter->tgid, strerror(-err));
	}
	/* Before the walk fills the stand-in table, so that no close is missed. */
	it->skel->bss->standin_active = cfg->enrol;
	err = rtt_iter_walk(it, RTT_ITER_ENROL, &walk);
	if (!err)
		err = rtt_iter_standin_sync(it);
	if (err) {
		fprintf(stderr, "tcplat: rtt: walking the connections from before the start "
				"failed: %s\n", strerror(-err));
		rtt_iter_close(it);
		return err;
	}
	explain_start(it, cfg, &walk);
	*matched = walk.found.matched;
	*out = it;
	return 0;
}

void rtt_iter_close(struct rtt_iter *it)
{
	if (!it)
		return;
	bpf_link__destroy(it->standin_link);
	bpf_link__destroy(it->link);
	rtt_iter_bpf__destroy(it->iter);
	free(it);
}
