// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include "procstat.h"

int procstat_parse_starttime(const char *stat, uint64_t *ticks)
{
	const char *p = strrchr(stat, ')');
	unsigned long long val;
	int field;
	char *end;

	/* The comm ends at the last ')': what follows is field 3 on. */
	if (!p)
		return -EINVAL;
	p++;
	for (field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -EINVAL;
		if (field == 22) {
			errno = 0;
			val = strtoull(p, &end, 10);
			if (errno || end == p || (*end && *end != ' ' && *end != '\n'))
				return -EINVAL;
			*ticks = val;
			return 0;
		}
		p += strcspn(p, " ");
	}
	return -EINVAL;
}

int procstat_parse_statm(const char *statm, uint64_t *size_pages, uint64_t *resident_pages)
{
	unsigned long long size, resident;

	if (sscanf(statm, "%llu %llu", &size, &resident) != 2)
		return -EINVAL;
	*size_pages = size;
	*resident_pages = resident;
	return 0;
}

/* A small /proc file into buf; -errno. */
static int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The boot time of the machine: the btime line of /proc/stat, in seconds. */
static int boot_time(uint64_t *sec)
{
	char line[256];
	unsigned long long val;
	int found = -EINVAL;
	FILE *f;

	f = fopen("/proc/stat", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %llu", &val) == 1) {
			*sec = val;
			found = 0;
			break;
		}
	fclose(f);
	return found;
}

int procstat_open(struct procstat *p)
{
	uint64_t ticks = 0, btime = 0;
	char stat[1024];
	long hz;
	int err;

	memset(p, 0, sizeof(*p));
	p->statm_fd = -1;
	p->fd_dir = -1;
	p->page_size = sysconf(_SC_PAGESIZE);
	hz = sysconf(_SC_CLK_TCK);
	err = read_file("/proc/self/stat", stat, sizeof(stat));
	if (!err)
		err = procstat_parse_starttime(stat, &ticks);
	if (!err)
		err = boot_time(&btime);
	if (err)
		return err;
	p->start_time_us = btime * 1000000ULL + ticks * 1000000ULL / (hz > 0 ? hz : 100);
	p->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	p->fd_dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->statm_fd < 0 || p->fd_dir < 0) {
		err = -errno;
		procstat_close(p);
		return err;
	}
	return 0;
}

void procstat_close(struct procstat *p)
{
	if (p->statm_fd >= 0)
		close(p->statm_fd);
	if (p->fd_dir >= 0)
		close(p->fd_dir);
	p->statm_fd = -1;
	p->fd_dir = -1;
}

/* Entries of /proc/self/fd but "." and "..", through the fd opened at start. */
static int count_fds(int dir_fd, uint64_t *count)
{
	struct dirent *de;
	uint64_t n = 0;
	DIR *dir;
	int fd;

	/* fdopendir takes the fd over; a duplicate keeps ours for next time. */
	fd = dup(dir_fd);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	rewinddir(dir);
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	/* The duplicate was open while counting. */
	*count = n ? n - 1 : 0;
	return 0;
}

int procstat_write(struct procstat *p, struct prom_writer *w)
{
	uint64_t size = 0, resident = 0, fds = 0, cpu_us;
	struct rlimit lim = { 0 };
	struct rusage ru;
	char statm[128];
	ssize_t n;
	int err;

	n = pread(p->statm_fd, statm, sizeof(statm) - 1, 0);
	if (n < 0)
		return -errno;
	statm[n] = '\0';
	err = procstat_parse_statm(statm, &size, &resident);
	if (!err)
		err = count_fds(p->fd_dir, &fds);
	if (!err && (getrusage(RUSAGE_SELF, &ru) || getrlimit(RLIMIT_NOFILE, &lim)))
		err = -errno;
	if (err)
		return err;
	cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL + ru.ru_utime.tv_usec +
		 ru.ru_stime.tv_usec;

	prom_family(w, "process_cpu_seconds", PROM_COUNTER, "seconds",
		    "Total user and system CPU time spent in seconds.");
	prom_sample_us(w, NULL, 0, cpu_us);
	prom_family(w, "process_resident_memory_bytes", PROM_GAUGE, "bytes",
		    "Resident memory size in bytes.");
	prom_sample_u64(w, NULL, 0, resident * p->page_size);
	prom_family(w, "process_virtual_memory_bytes", PROM_GAUGE, "bytes",
		    "Virtual memory size in bytes.");
	prom_sample_u64(w, NULL, 0, size * p->page_size);
	prom_family(w, "process_open_fds", PROM_GAUGE, NULL, "Number of open file descriptors.");
	prom_sample_u64(w, NULL, 0, fds);
	prom_family(w, "process_max_fds", PROM_GAUGE, NULL,
		    "Maximum number of open file descriptors.");
	prom_sample_u64(w, NULL, 0, lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : lim.rlim_cur);
	prom_family(w, "process_start_time_seconds", PROM_GAUGE, "seconds",
		    "Start time of the process since unix epoch in seconds.");
	prom_sample_us(w, NULL, 0, p->start_time_us);
	return 0;
}
