// SPDX-License-Identifier: GPL-2.0
/*
 * scrape_load - concurrent HTTP scrapers against `tcplat serve`.
 *
 * Usage: scrape_load -a ADDR -p PORT [-P PATH] [-c SCRAPERS] [-d SECONDS]
 *                    [-n MAX_REQUESTS] [-z] [-o OUTFILE]
 *
 * SCRAPERS (default 1) threads each keep one HTTP/1.1 connection open and GET
 * PATH (default /metrics) on it back to back, reconnecting when the server
 * closes it, until SECONDS (default 1, at most 600) have passed or
 * MAX_REQUESTS (default unbounded) were made in all. -z asks for gzip. A
 * request is ok when the answer is a 200 whose Content-Length bytes all
 * arrived; anything else (another status, a short body, a reset, no answer
 * within 10 s) counts as failed.
 *
 * One JSON line at the end (OUTFILE or stdout):
 *   {"scrapers":50,"seconds":10.0,"requests":4810,"ok":4810,"failed":0,
 *    "bytes":6531234,"p50_us":812,"p99_us":4120,"max_us":9034}
 * Latencies run from just before the request is sent to the last byte of the
 * body. Exit status 0 if every request was ok, 1 if any failed, 2 on a usage
 * error.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/time.h>
#include "tools.h"

#define MAX_SCRAPERS	1024
#define MAX_SAMPLES	200000		/* latencies kept per scraper */
#define IO_TIMEOUT_S	10

struct scraper {
	pthread_t thread;
	uint64_t requests, ok, failed, bytes;
	uint32_t *lat_us;
	size_t nlat;
};

static struct sockaddr_storage target;
static int family;
static char request[512];
static uint64_t deadline_ns, max_requests;
static uint64_t started;	/* requests begun by all scrapers */
static pthread_mutex_t started_lock = PTHREAD_MUTEX_INITIALIZER;

/* May another request begin? Counts it if so. */
static bool may_start(void)
{
	bool yes;

	if (now_ns() >= deadline_ns)
		return false;
	pthread_mutex_lock(&started_lock);
	yes = !max_requests || started < max_requests;
	if (yes)
		started++;
	pthread_mutex_unlock(&started_lock);
	return yes;
}

static int connect_target(void)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int fd;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&target, sizeof(target))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One request on fd: the body's length on a 200, -1 on any failure. *keep
 * says whether the connection may carry the next one.
 */
static long do_request(int fd, bool *keep)
{
	char head[8192], *end, *cl, buf[65536];
	size_t have = 0, body_have, len;
	long want;
	ssize_t n;

	*keep = false;
	len = strlen(request);
	if (send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	for (;;) {
		n = recv(fd, head + have, sizeof(head) - 1 - have, 0);
		if (n <= 0)
			return -1;
		have += n;
		head[have] = '\0';
		end = strstr(head, "\r\n\r\n");
		if (end)
			break;
		if (have == sizeof(head) - 1)
			return -1;
	}
	if (strncmp(head, "HTTP/1.1 200 ", 13))
		return -1;
	cl = strcasestr(head, "\r\ncontent-length:");
	if (!cl || cl > end)
		return -1;
	want = strtol(cl + 17, NULL, 10);
	if (want < 0)
		return -1;
	*keep = !strcasestr(head, "\r\nconnection: close") ||
		strcasestr(head, "\r\nconnection: close") > end;
	body_have = have - (end + 4 - head);
	while ((long)body_have < want) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return -1;
		body_have += n;
	}
	return (long)body_have == want ? want : -1;
}

static void *run(void *arg)
{
	struct scraper *s = arg;
	uint64_t t0;
	bool keep = false;
	long got;
	int fd = -1;

	while (may_start()) {
		if (fd < 0)
			fd = connect_target();
		t0 = now_ns();
		got = fd < 0 ? -1 : do_request(fd, &keep);
		s->requests++;
		if (got < 0) {
			s->failed++;
		} else {
			s->ok++;
			s->bytes += got;
			if (s->nlat < MAX_SAMPLES)
				s->lat_us[s->nlat++] = (now_ns() - t0) / 1000;
		}
		if ((got < 0 || !keep) && fd >= 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr, "usage: scrape_load -a ADDR -p PORT [-P PATH] [-c SCRAPERS] [-d SECONDS] "
			"[-n MAX_REQUESTS] [-z] [-o OUTFILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *addr = NULL, *path = "/metrics", *outfile = NULL;
	uint64_t requests = 0, ok = 0, failed = 0, bytes = 0, t_start;
	static struct scraper scrapers[MAX_SCRAPERS];
	int port = 0, nscrapers = 1, opt, i;
	double seconds = 1;
	uint32_t *all;
	size_t nall = 0;
	bool gzip = false;
	FILE *out = stdout;

	while ((opt = getopt(argc, argv, "a:p:P:c:d:n:zo:")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'P':
			path = optarg;
			break;
		case 'c':
			nscrapers = atoi(optarg);
			break;
		case 'd':
			seconds = atof(optarg);
			break;
		case 'n':
			max_requests = strtoull(optarg, NULL, 10);
			break;
		case 'z':
			gzip = true;
			break;
		case 'o':
			outfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (!addr || port <= 0 || port > 65535 || nscrapers < 1 || nscrapers > MAX_SCRAPERS ||
	    !(seconds > 0 && seconds <= 600) || strlen(path) > 256 || path[0] != '/' ||
	    make_addr(&family, addr, port, &target))
		usage();
	snprintf(request, sizeof(request),
		 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: scrape_load\r\n%s\r\n", path, addr,
		 gzip ? "Accept-Encoding: gzip\r\n" : "");
	signal(SIGPIPE, SIG_IGN);
	t_start = now_ns();
	deadline_ns = t_start + (uint64_t)(seconds * 1e9);
	for (i = 0; i < nscrapers; i++) {
		scrapers[i].lat_us = malloc(MAX_SAMPLES * sizeof(uint32_t));
		if (!scrapers[i].lat_us || pthread_create(&scrapers[i].thread, NULL, run, &scrapers[i])) {
			fprintf(stderr, "scrape_load: cannot start scraper %d\n", i);
			return 1;
		}
	}
	all = malloc((size_t)nscrapers * MAX_SAMPLES * sizeof(uint32_t));
	if (!all)
		return 1;
	for (i = 0; i < nscrapers; i++) {
		pthread_join(scrapers[i].thread, NULL);
		requests += scrapers[i].requests;
		ok += scrapers[i].ok;
		failed += scrapers[i].failed;
		bytes += scrapers[i].bytes;
		memcpy(all + nall, scrapers[i].lat_us, scrapers[i].nlat * sizeof(uint32_t));
		nall += scrapers[i].nlat;
	}
	qsort(all, nall, sizeof(*all), cmp_u32);
	if (outfile && !(out = fopen(outfile, "w"))) {
		perror(outfile);
		return 1;
	}
	fprintf(out,
		"{\"scrapers\":%d,\"seconds\":%.3f,\"requests\":%llu,\"ok\":%llu,\"failed\":%llu,"
		"\"bytes\":%llu,\"p50_us\":%u,\"p99_us\":%u,\"max_us\":%u}\n",
		nscrapers, (now_ns() - t_start) / 1e9, (unsigned long long)requests,
		(unsigned long long)ok, (unsigned long long)failed, (unsigned long long)bytes,
		nall ? all[nall / 2] : 0, nall ? all[nall * 99 / 100] : 0, nall ? all[nall - 1] : 0);
	if (out != stdout)
		fclose(out);
	return failed ? 1 : 0;
}
