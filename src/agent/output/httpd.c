/* httpd.c - the metrics listener (see httpd.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "output/httpd.h"

struct page {
	char path[64];
	char ctype[64];
	char *body;
	size_t len;
};

struct httpd {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	struct page pages[HTTPD_MAX_PAGES];
	unsigned int n_pages;
	uint64_t published_ms;	/* the main loop's last publish */
	uint64_t requests;
	char post_path[64];
	httpd_post_fn post_fn;
	void *post_arg;
};

struct post_body {
	char buf[HTTPD_POST_MAX];
	size_t len;
	bool too_long;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

int httpd_parse_addr(const char *spec, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *port;
	unsigned long p;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - spec - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(rb - spec - 1), spec + 1);
		port = rb + 2;
	} else if (strchr(spec, ':')) {
		const char *colon = strrchr(spec, ':');

		if ((size_t)(colon - spec) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	} else {
		snprintf(host, sizeof(host), "127.0.0.1");	/* a bare port: loopback */
		port = spec;
	}
	p = strtoul(port, &end, 10);
	if (!*port || *end || !p || p > 65535)
		goto bad;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		return 0;
	}
bad:
	snprintf(err, errlen, "'%s' is not HOST:PORT, [IPV6]:PORT or PORT with a numeric host", spec);
	return -EINVAL;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *ctype,
			     const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A POST's body arrives over several calls; the handler runs at the last one, with no body left. */
static enum MHD_Result on_post(struct httpd *h, struct MHD_Connection *conn, const char *upload, size_t *upload_len,
			       void **state)
{
	struct post_body *b = *state;
	unsigned int status = MHD_HTTP_OK;
	enum MHD_Result ret;
	char *out;

	if (!b) {
		if (!(b = calloc(1, sizeof(*b))))
			return MHD_NO;
		*state = b;
		return MHD_YES;
	}
	if (*upload_len) {
		if (b->len + *upload_len >= sizeof(b->buf)) {
			b->too_long = true;
		} else {
			memcpy(b->buf + b->len, upload, *upload_len);
			b->len += *upload_len;
		}
		*upload_len = 0;
		return MHD_YES;
	}
	if (b->too_long) {
		ret = reply(conn, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain", "request too large\n", 18);
	} else {
		pthread_mutex_lock(&h->lock);
		h->requests++;
		pthread_mutex_unlock(&h->lock);
		out = h->post_fn(h->post_arg, b->buf, b->len, &status);
		ret = out ? reply(conn, status, "application/json", out, strlen(out))
			  : reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", "failed\n", 7);
		free(out);
	}
	return ret;
}

/* The POST buffer, once the request is done (or dropped). */
static void on_done(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)conn;
	(void)why;
	free(*state);
	*state = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_len, void **state)
{
	struct httpd *h = cls;
	enum MHD_Result ret;
	unsigned int i;
	char msg[128];

	if (!strcmp(method, "POST") && h->post_fn && !strcmp(url, h->post_path))
		return on_post(h, conn, upload, upload_len, state);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n", 9);
	pthread_mutex_lock(&h->lock);
	h->requests++;
	if (!strcmp(url, "/healthz")) {
		uint64_t age = mono_ms() - h->published_ms;

		pthread_mutex_unlock(&h->lock);
		if (age < HTTPD_STALE_MS)
			return reply(conn, MHD_HTTP_OK, "text/plain", "ok\n", 3);
		snprintf(msg, sizeof(msg), "stalled: the agent's main loop last reported %llu ms ago\n",
			 (unsigned long long)age);
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", msg, strlen(msg));
	}
	for (i = 0; i < h->n_pages; i++) {
		if (strcmp(url, h->pages[i].path))
			continue;
		/* copied while locked: the main loop may replace it right after */
		ret = reply(conn, MHD_HTTP_OK, h->pages[i].ctype, h->pages[i].body, h->pages[i].len);
		pthread_mutex_unlock(&h->lock);
		return ret;
	}
	pthread_mutex_unlock(&h->lock);
	return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n", 10);
}

struct httpd *httpd_start(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct httpd *h;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (httpd_parse_addr(spec, &ss, err, errlen))
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	h->published_ms = mono_ms();
	errno = 0;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)8,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "cannot listen on %s: %s", spec, errno ? strerror(errno) : "libmicrohttpd refused");
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	return h;
}

void httpd_publish(struct httpd *h, const char *path, const char *ctype, const char *body, size_t len)
{
	char *copy = malloc(len + 1);
	struct page *p = NULL;
	unsigned int i;

	if (!copy)
		return;	/* the last page stays: a scrape sees it a tick older */
	memcpy(copy, body, len);
	copy[len] = '\0';
	pthread_mutex_lock(&h->lock);
	h->published_ms = mono_ms();
	for (i = 0; i < h->n_pages && !p; i++)
		if (!strcmp(h->pages[i].path, path))
			p = &h->pages[i];
	if (!p && h->n_pages < HTTPD_MAX_PAGES) {
		p = &h->pages[h->n_pages++];
		snprintf(p->path, sizeof(p->path), "%s", path);
	}
	if (p) {
		snprintf(p->ctype, sizeof(p->ctype), "%s", ctype);
		free(p->body);
		p->body = copy;
		p->len = len;
		copy = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	free(copy);
}

void httpd_on_post(struct httpd *h, const char *path, httpd_post_fn fn, void *arg)
{
	pthread_mutex_lock(&h->lock);
	snprintf(h->post_path, sizeof(h->post_path), "%s", path);
	h->post_arg = arg;
	h->post_fn = fn;
	pthread_mutex_unlock(&h->lock);
}

uint64_t httpd_requests(struct httpd *h)
{
	uint64_t n;

	pthread_mutex_lock(&h->lock);
	n = h->requests;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void httpd_stop(struct httpd *h)
{
	unsigned int i;

	if (!h)
		return;
	MHD_stop_daemon(h->d);
	for (i = 0; i < h->n_pages; i++)
		free(h->pages[i].body);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
