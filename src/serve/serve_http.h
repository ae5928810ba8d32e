/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's HTTP side, on libmicrohttpd: GET and HEAD of the metrics
 * path and of "/" (a page linking to it), 404 elsewhere, 405 with Allow for
 * other methods, gzip when the client accepts it. One internal thread
 * (epoll) serves every connection, so scrapes run one at a time and never
 * touch the tracing: the kernel side needs nothing from user space.
 */
#ifndef TCPLAT_SERVE_HTTP_H
#define TCPLAT_SERVE_HTTP_H

#include <stddef.h>
#include "prom.h"

/* Idle or slow connections are closed after this many seconds. */
#define SERVE_HTTP_TIMEOUT_S	10

struct serve_http;

/* Writes one scrape into *body and *len (owned by the callee, valid until the
 * next call); 0, or -errno for a 500. */
typedef int (*serve_scrape_fn)(void *ctx, enum prom_format format, const char **body,
			       size_t *len);

struct serve_http_cfg {
	int listen_fd;			/* bound and listening; the server takes it */
	const char *path;		/* the metrics path, "/metrics" */
	unsigned int max_connections;
	unsigned int timeout_s;
	int verbose;			/* libmicrohttpd's complaints to stderr */
	serve_scrape_fn scrape;
	void *ctx;
};

/* Starts the server thread; NULL with errno set. */
struct serve_http *serve_http_start(const struct serve_http_cfg *cfg);
void serve_http_stop(struct serve_http *h);

/*
 * Opens, binds and listens on a socket for addr (IPV6_V6ONLY off when
 * dual_stack); the fd or -errno.
 */
struct sockaddr;
int serve_http_listen(const struct sockaddr *addr, unsigned int addrlen, int dual_stack);

/* Whether an Accept-Encoding header accepts gzip (a q of 0 refuses it). Pure. */
int serve_http_accepts_gzip(const char *accept_encoding);

#endif /* TCPLAT_SERVE_HTTP_H */
