// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_attach - load a BPF object file, attach each of its programs by its
 * section name (libbpf's auto-attach), and hold them until SIGINT or SIGTERM,
 * or until SECONDS have passed; then detach and exit 0.
 *
 * Usage: bpf_attach OBJ [SECONDS]     (SECONDS: default 300, at most 3600)
 *
 * Prints "bpf_attach: attached N programs" on stderr once every program is
 * attached. For bench/: the floor row (bench/floor.bpf.c) measures what an
 * empty program on a hook costs. Exit status: 0 after a clean stop, 1 when
 * the object cannot be opened, loaded or attached, 2 on usage errors.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#define PROG	 "bpf_attach"
#define MAX_LINKS 16

static int usage(void)
{
	fprintf(stderr, "usage: " PROG " OBJ [SECONDS]\n");
	return 2;
}

/* Waits for SIGINT/SIGTERM (blocked, so that none is lost before the wait)
 * or the end of the lifetime. */
static void hold(const sigset_t *stop, long seconds)
{
	struct timespec left = { .tv_sec = seconds };

	while (sigtimedwait(stop, NULL, &left) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_LINKS] = {};
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	long seconds = 300;
	int n = 0, err, i, status = 1;
	sigset_t stop;
	char *end;

	if (argc < 2 || argc > 3)
		return usage();
	if (argc == 3) {
		errno = 0;
		seconds = strtol(argv[2], &end, 10);
		if (errno || *end || end == argv[2] || seconds < 1 || seconds > 3600)
			return usage();
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stop, NULL)) {
		fprintf(stderr, PROG ": sigprocmask: %s\n", strerror(errno));
		return 1;
	}

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, PROG ": cannot load %s: %s\n", argv[1], strerror(-err));
		goto cleanup;
	}
	bpf_object__for_each_program(prog, obj) {
		if (n == MAX_LINKS) {
			fprintf(stderr, PROG ": more than %d programs\n", MAX_LINKS);
			goto cleanup;
		}
		links[n] = bpf_program__attach(prog);
		if (!links[n]) {
			fprintf(stderr, PROG ": cannot attach %s: %s\n", bpf_program__name(prog),
				strerror(errno));
			goto cleanup;
		}
		n++;
	}
	fprintf(stderr, PROG ": attached %d programs\n", n);
	hold(&stop, seconds);
	status = 0;

cleanup:
	for (i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return status;
}
