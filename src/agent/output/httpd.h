/*
 * httpd.h - the metrics listener: libmicrohttpd on a thread of its own.
 *
 * The server thread never reads the agent's state.  The main loop
 * publishes whole pages (the metrics text, the status page) about once a
 * second and the server hands out the last copy, taken under a lock: a
 * scrape costs the event path nothing and sees values at most a tick old.
 * /healthz answers 200 while the main loop keeps publishing, 503 once it
 * has been silent for HTTPD_STALE_MS.
 */
#ifndef VIGIL_HTTPD_H
#define VIGIL_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#define HTTPD_STALE_MS 5000

struct httpd;

/*
 * Parses "HOST:PORT", "[V6]:PORT" or "PORT" (loopback) into a socket
 * address; numeric hosts only, so starting never waits on DNS.  0, or
 * -EINVAL with the reason in err.
 */
struct sockaddr_storage;
int httpd_parse_addr(const char *spec, struct sockaddr_storage *ss, char *err, size_t errlen);

/* Listens on spec.  NULL, with the reason in err, when it cannot. */
struct httpd *httpd_start(const char *spec, char *err, size_t errlen);
/* The page at path is now body (copied).  At most HTTPD_MAX_PAGES paths. */
#define HTTPD_MAX_PAGES 8
void httpd_publish(struct httpd *h, const char *path, const char *ctype, const char *body, size_t len);
/*
 * POST path runs fn on the server's thread with the request body (at most
 * HTTPD_POST_MAX bytes); fn returns the response body (malloc'd, sent as
 * JSON) and sets *status.  Set before requests arrive; at most one path.
 */
#define HTTPD_POST_MAX 4096
typedef char *(*httpd_post_fn)(void *arg, const char *body, size_t len, unsigned int *status);
void httpd_on_post(struct httpd *h, const char *path, httpd_post_fn fn, void *arg);
/* Requests answered so far. */
uint64_t httpd_requests(struct httpd *h);
void httpd_stop(struct httpd *h);

#endif
