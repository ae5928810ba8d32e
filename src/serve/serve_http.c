// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <zlib.h>
#include "serve_http.h"

#define LISTEN_BACKLOG 128

struct serve_http {
	struct MHD_Daemon *daemon;
	struct serve_http_cfg cfg;
	char *root_page;
	/* gzip output, reused from scrape to scrape */
	unsigned char *gz;
	size_t gz_cap;
	z_stream zs;
	int zs_ready;
};

int serve_http_listen(const struct sockaddr *addr, unsigned int addrlen, int dual_stack)
{
	int fd, one = 1, zero = 0, err;

	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (addr->sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual_stack ? &zero : &one, sizeof(int))) ||
	    bind(fd, addr, addrlen) || listen(fd, LISTEN_BACKLOG)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int serve_http_accepts_gzip(const char *accept_encoding)
{
	static const char *const gzip[] = { "gzip", "*", NULL };

	return prom_header_q(accept_encoding, gzip) > 0;
}

/* gzip of data into h->gz; its length, or -errno. */
static long gzip_body(struct serve_http *h, const char *data, size_t len)
{
	size_t need;
	unsigned char *buf;
	int ret;

	if (!h->zs_ready) {
		/* Level 1: a scrape is mostly repeated label text, which the
		 * fastest level already shrinks tenfold. */
		if (deflateInit2(&h->zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return -ENOMEM;
		h->zs_ready = 1;
	} else if (deflateReset(&h->zs) != Z_OK) {
		return -EINVAL;
	}
	need = deflateBound(&h->zs, len);
	if (need > h->gz_cap) {
		buf = realloc(h->gz, need);
		if (!buf)
			return -ENOMEM;
		h->gz = buf;
		h->gz_cap = need;
	}
	h->zs.next_in = (unsigned char *)data;
	h->zs.avail_in = len;
	h->zs.next_out = h->gz;
	h->zs.avail_out = h->gz_cap;
	ret = deflate(&h->zs, Z_FINISH);
	if (ret != Z_STREAM_END)
		return -EIO;
	return h->gz_cap - h->zs.avail_out;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			     const void *body, size_t len, const char *encoding)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (encoding)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, encoding);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (status == MHD_HTTP_OK)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text)
{
	return reply(conn, status, "text/plain; charset=utf-8", text, strlen(text), NULL);
}

static enum MHD_Result serve_metrics(struct serve_http *h, struct MHD_Connection *conn)
{
	const char *accept, *body;
	enum prom_format format;
	char msg[128];
	size_t len;
	long gzlen;
	int err;

	accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	format = prom_negotiate(accept);
	err = h->cfg.scrape(h->cfg.ctx, format, &body, &len);
	if (err) {
		snprintf(msg, sizeof(msg), "scrape failed: %s\n", strerror(-err));
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
	}
	if (serve_http_accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
		gzlen = gzip_body(h, body, len);
		if (gzlen >= 0)
			return reply(conn, MHD_HTTP_OK, prom_content_type(format), h->gz, gzlen,
				     "gzip");
	}
	return reply(conn, MHD_HTTP_OK, prom_content_type(format), body, len, NULL);
}

/* Does the request announce a body? */
static bool has_body(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl && strcmp(cl, "0")) ||
	       MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **req_ctx)
{
	static int headers_seen;
	struct serve_http *h = cls;

	(void)version;
	(void)upload_data;
	/*
	 * The first call comes when the headers are in. A request without a
	 * body is answered on the second, so that the connection can stay
	 * open for the next scrape; one with a body (a POST, a huge
	 * Content-Length) is answered at once and the connection closed: its
	 * body is never waited for.
	 */
	if (!*req_ctx && !has_body(conn)) {
		*req_ctx = &headers_seen;
		return MHD_YES;
	}
	*upload_data_size = 0;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (!strcmp(url, h->cfg.path))
		return serve_metrics(h, conn);
	if (!strcmp(url, "/"))
		return reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8", h->root_page,
			     strlen(h->root_page), NULL);
	return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("tcplat: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static char *make_root_page(const char *path)
{
	char *page = NULL;

	/* The path holds no markup characters: the options refuse them. */
	if (asprintf(&page,
		     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tcplat</title>"
		     "</head>\n<body><h1>tcplat</h1>\n<p>TCP connect latency and RTT, from the "
		     "kernel.</p>\n<p><a href=\"%s\">Metrics</a></p>\n</body></html>\n",
		     path) < 0)
		return NULL;
	return page;
}

struct serve_http *serve_http_start(const struct serve_http_cfg *cfg)
{
	struct serve_http *h;
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->cfg = *cfg;
	h->root_page = make_root_page(cfg->path);
	if (!h->root_page) {
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	if (cfg->verbose)
		flags |= MHD_USE_ERROR_LOG;
	/* The logger first: libmicrohttpd uses its own for options before it. */
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				     MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
				     MHD_OPTION_LISTEN_SOCKET, cfg->listen_fd,
				     MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
				     MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
				     MHD_OPTION_END);
	if (!h->daemon) {
		free(h->root_page);
		free(h);
		errno = errno ? errno : EINVAL;
		return NULL;
	}
	return h;
}

void serve_http_stop(struct serve_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	if (h->zs_ready)
		deflateEnd(&h->zs);
	free(h->gz);
	free(h->root_page);
	free(h);
}
