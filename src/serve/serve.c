// SPDX-License-Identifier: GPL-2.0
/*
 * `tcplat serve`: bind the listening address, load and attach the tracers
 * (each a collector, serve.h), drop root, then serve scrapes on
 * libmicrohttpd's thread while the main thread waits for SIGTERM/SIGINT.
 * Metrics are read from the kernel's maps at scrape time; nothing between.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "evloop.h"
#include "procstat.h"
#include "serve.h"
#include "serve_collectors.h"
#include "serve_http.h"
#include "serve_opts.h"
#include "serve_privs.h"
#include "tcplat.h"

#define SERVE_MAX_COLLECTORS	4
/* A scrape larger than this fails (500) rather than growing without bound:
 * --max-series bounds it far below. */
#define SERVE_MAX_SCRAPE	(256U << 20)

struct serve_ctx {
	const struct serve_opts *opts;
	struct collector collectors[SERVE_MAX_COLLECTORS];
	int ncollectors;
	struct prom_writer w;
	struct procstat proc;
	char kernel[sizeof(((struct utsname *)0)->release)];
	const char *backend;
};

static void write_build_info(struct serve_ctx *ctx, struct prom_writer *w)
{
	const struct prom_label labels[] = {
		{ "version", TCPLAT_VERSION },
		{ "backend", ctx->backend },
		{ "kernel", ctx->kernel },
	};

	prom_family(w, "tcplat_build", PROM_INFO, NULL,
		    "tcplat's version, the kernel backend it chose and the kernel it runs on");
	prom_sample_u64(w, labels, 3, 1);
}

/* kernel.bpf_stats_enabled: programs' run time and count are kept only then. */
static bool bpf_stats_enabled(void)
{
	char c = '0';
	FILE *f;

	f = fopen("/proc/sys/kernel/bpf_stats_enabled", "re");
	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	return c == '1';
}

/* tcplat_bpf_run_seconds_total and tcplat_bpf_runs_total of every loaded program. */
static int write_bpf_stats(struct serve_ctx *ctx, struct prom_writer *w)
{
	int pass, i;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			prom_family(w, "tcplat_bpf_run_seconds", PROM_COUNTER, "seconds",
				    "Time tcplat's BPF programs ran, by program "
				    "(kernel.bpf_stats_enabled=1)");
		else
			prom_family(w, "tcplat_bpf_runs", PROM_COUNTER, NULL,
				    "Runs of tcplat's BPF programs, by program "
				    "(kernel.bpf_stats_enabled=1)");
		for (i = 0; i < ctx->ncollectors; i++) {
			struct collector *c = &ctx->collectors[i];
			struct bpf_object *obj = c->object ? c->object(c->ctx) : NULL;
			struct bpf_program *prog;

			if (!obj)
				continue;
			bpf_object__for_each_program(prog, obj) {
				struct bpf_prog_info info = {};
				__u32 len = sizeof(info);
				struct prom_label label = { "program", bpf_program__name(prog) };
				int fd = bpf_program__fd(prog);

				if (fd < 0)
					continue;	/* another backend's twin */
				if (bpf_obj_get_info_by_fd(fd, &info, &len))
					return -errno;
				if (pass == 0)
					prom_sample_fixed(w, &label, 1, info.run_time_ns, 9);
				else
					prom_sample_u64(w, &label, 1, info.run_cnt);
			}
		}
	}
	return 0;
}

static int scrape(void *arg, enum prom_format format, const char **body, size_t *len)
{
	struct serve_ctx *ctx = arg;
	struct prom_writer *w = &ctx->w;
	int err = 0, i;

	prom_begin(w, format);
	write_build_info(ctx, w);
	for (i = 0; i < ctx->ncollectors && !err; i++)
		err = ctx->collectors[i].write(ctx->collectors[i].ctx, w);
	prom_family(w, "tcplat_events_dropped", PROM_COUNTER, NULL,
		    "Connects or samples the kernel side could not count, by reason "
		    "(a table or buffer was full)");
	for (i = 0; i < ctx->ncollectors && !err; i++)
		if (ctx->collectors[i].dropped)
			err = ctx->collectors[i].dropped(ctx->collectors[i].ctx, w);
	prom_family(w, "tcplat_series_folded", PROM_COUNTER, NULL,
		    "Label sets beyond --max-series, shown in the series labelled 'other', "
		    "by metric");
	for (i = 0; i < ctx->ncollectors && !err; i++)
		if (ctx->collectors[i].folded)
			err = ctx->collectors[i].folded(ctx->collectors[i].ctx, w);
	if (!err && bpf_stats_enabled())
		err = write_bpf_stats(ctx, w);
	if (!err)
		err = procstat_write(&ctx->proc, w);
	if (!err)
		err = prom_end(w);
	*body = w->buf;
	*len = w->len;
	return err;
}

/* "127.0.0.1:10140" or "[::]:10140" of a bound socket: the real port when 0 was asked. */
static void bound_name(int fd, char *buf, size_t len)
{
	/* Zeroed: the analyzer cannot see getsockname() and inet_ntop() fill them. */
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "";

	if (getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		snprintf(buf, len, "?");
		return;
	}
	/* Copied out rather than cast, so that the analyzer sees them filled. */
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 a;

		memcpy(&a, &ss, sizeof(a));
		inet_ntop(AF_INET6, &a.sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a.sin6_port));
	} else {
		struct sockaddr_in a;

		memcpy(&a, &ss, sizeof(a));
		inet_ntop(AF_INET, &a.sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a.sin_port));
	}
}

/* The first map fd of the collectors, for the privilege probe; -1 if none. */
static int probe_fd(struct serve_ctx *ctx)
{
	int i, fd;

	for (i = 0; i < ctx->ncollectors; i++) {
		if (!ctx->collectors[i].probe_fd)
			continue;
		fd = ctx->collectors[i].probe_fd(ctx->collectors[i].ctx);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

static int drop_privileges(struct serve_ctx *ctx, const struct serve_user *user)
{
	char why[200];
	bool kept_bpf;

	if (serve_drop_privileges(user, probe_fd(ctx), &kept_bpf, why, sizeof(why))) {
		fprintf(stderr, "tcplat: %s\n", why);
		return -1;
	}
	if (ctx->opts->common.verbose)
		fprintf(stderr, "tcplat: running as user %s (uid %u), no_new_privs, capabilities: "
				"%s\n", user->name, user->uid, kept_bpf ? "CAP_BPF" : "none");
	return 0;
}

static void destroy_collectors(struct serve_ctx *ctx)
{
	int i;

	for (i = 0; i < ctx->ncollectors; i++)
		if (ctx->collectors[i].destroy)
			ctx->collectors[i].destroy(ctx->collectors[i].ctx);
	ctx->ncollectors = 0;
}

typedef int (*collector_create)(const struct serve_opts *o, struct collector *c,
				enum backend *chosen);

static int add_collector(struct serve_ctx *ctx, collector_create create)
{
	enum backend chosen;
	int err;

	err = create(ctx->opts, &ctx->collectors[ctx->ncollectors], &chosen);
	if (err)
		return err;
	ctx->ncollectors++;
	/* The first collector's backend names the build; rtt's sockops twin
	 * belongs to the tracepoint backend as connect's tp_btf does. */
	if (ctx->ncollectors == 1)
		ctx->backend = backend_name(chosen);
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_opts opts;
	struct serve_ctx ctx = {
		.opts = &opts,
		.backend = "none",
		.proc = { .statm_fd = -1, .fd_dir = -1 },
	};
	struct serve_http_cfg http_cfg = {};
	struct serve_http *http = NULL;
	struct evloop_cfg loop = {};
	struct serve_user user = {};
	struct utsname uts;
	char why[200], where[80];
	int err, listen_fd = -1, status = 1;

	if (serve_opts_parse(argc, argv, &opts, 0))
		return 2;
	if (!opts.keep_privileges && serve_user_lookup(opts.user, &user, why, sizeof(why))) {
		fprintf(stderr, "tcplat: %s\n", why);
		return 2;
	}
	if (tcplat_prepare(&opts.common))
		return 1;
	/* A scraper that goes away mid-response must not end us. */
	signal(SIGPIPE, SIG_IGN);
	prom_init(&ctx.w, SERVE_MAX_SCRAPE);
	if (!uname(&uts))
		snprintf(ctx.kernel, sizeof(ctx.kernel), "%s", uts.release);

	/* First the address, so that a port in use fails before anything is loaded. */
	listen_fd = serve_http_listen((struct sockaddr *)&opts.listen.addr, opts.listen.addrlen,
				      opts.listen.dual_stack);
	if (listen_fd < 0) {
		fprintf(stderr, "tcplat: cannot listen on %s: %s\n", opts.listen.text,
			strerror(-listen_fd));
		goto cleanup;
	}
	bound_name(listen_fd, where, sizeof(where));

	/* Each collector loads and attaches its programs; both must (a
	 * backend refused by one is refused by the other: same hooks). */
	if (add_collector(&ctx, serve_connect_create))
		goto cleanup;
	/* rtt's -p and --cgroup need its owner tracking and cgroup attach,
	 * not in serve yet: said, not silent. */
	if (opts.common.pid || opts.common.cgroup)
		fprintf(stderr, "tcplat: -p and --cgroup filter connects only: no RTT metrics\n");
	else if (add_collector(&ctx, serve_rtt_create))
		goto cleanup;

	err = procstat_open(&ctx.proc);
	if (err) {
		fprintf(stderr, "tcplat: cannot open /proc/self: %s\n", strerror(-err));
		goto cleanup;
	}
	/* Before the HTTP thread starts: capabilities are per thread. */
	if (!opts.keep_privileges && drop_privileges(&ctx, &user))
		goto cleanup;

	http_cfg = (struct serve_http_cfg){
		.listen_fd = listen_fd,
		.path = opts.path,
		.max_connections = opts.max_connections,
		.timeout_s = SERVE_HTTP_TIMEOUT_S,
		.verbose = opts.common.verbose,
		.scrape = scrape,
		.ctx = &ctx,
	};
	http = serve_http_start(&http_cfg);
	if (!http) {
		fprintf(stderr, "tcplat: cannot start the HTTP server on %s: %s\n", where,
			strerror(errno));
		goto cleanup;
	}
	listen_fd = -1;	/* the server's now */
	fprintf(stderr, "tcplat: serving http://%s%s\n", where, opts.path);

	loop.duration_s = opts.common.duration_s;
	err = evloop_run(&loop);
	if (err) {
		fprintf(stderr, "tcplat: event loop failed: %s\n", strerror(-err));
		goto cleanup;
	}
	status = 0;

cleanup:
	/* The server first: no scrape may read a map being freed. */
	serve_http_stop(http);
	destroy_collectors(&ctx);
	procstat_close(&ctx.proc);
	if (listen_fd >= 0)
		close(listen_fd);
	prom_free(&ctx.w);
	return status;
}
