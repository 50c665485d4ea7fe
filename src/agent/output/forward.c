/* forward.c - the webhook and syslog outputs (see forward.h). */
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "output/forward.h"
#include "util/deadline.h"
#include "output/httpd.h"
#include "output/jsonw.h"
#include "util/log.h"
#include "util/version.h"

#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 30000
#define SEND_TIMEOUT_MS 5000

enum { SEND_OK = 0, SEND_RETRY = 1, SEND_REJECT = 2 };

struct msg {
	char *p;
	size_t len;
};

struct forwarder {
	struct fwd_opts o;
	char target[512];
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct msg q[FWD_QUEUE_MAX];
	unsigned int head, n;
	size_t bytes;
	bool stopping;
	uint64_t drain_until_ms;
	struct fwd_stats st;
	/* webhook */
	CURL *curl;
	struct curl_slist *headers;
	char *body;
	size_t body_cap;
	/* syslog */
	int fd;
	bool tcp;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	uint64_t last_warn_ms;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

const char *fwd_name(const struct forwarder *f)
{
	return f->o.kind == FWD_WEBHOOK ? "webhook" : "syslog";
}

/* Says why sending fails, at most every 10 s (the thread's own log). */
static void warn_limited(struct forwarder *f, const char *what)
{
	uint64_t now = mono_ms();

	if (f->last_warn_ms && now - f->last_warn_ms < 10000)
		return;
	f->last_warn_ms = now;
	log_warnx("%s %s: %s (%llu waiting; trying again)", fwd_name(f), f->target, what,
		  (unsigned long long)f->st.queued);
}

static int syslog_addr(const char *t, struct sockaddr_storage *ss, socklen_t *len, bool *tcp, char *err,
		       size_t errlen)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	const char *path = NULL;

	memset(ss, 0, sizeof(*ss));
	if (!strcmp(t, "unix"))
		path = "/dev/log";
	else if (!strncmp(t, "unix:", 5))
		path = t + 5;
	if (path) {
		if (path[0] != '/' || strlen(path) >= sizeof(un->sun_path)) {
			snprintf(err, errlen, "'%s': a unix socket is an absolute path shorter than %zu bytes", t,
				 sizeof(un->sun_path));
			return -EINVAL;
		}
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, path);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
		*tcp = false;
		return 0;
	}
	if (!strncmp(t, "tcp://", 6) && strchr(t + 6, ':')) {
		if (httpd_parse_addr(t + 6, ss, err, errlen))
			return -EINVAL;
		*len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
		*tcp = true;
		return 0;
	}
	snprintf(err, errlen, "'%s' is neither unix[:/PATH] nor tcp://HOST:PORT", t);
	return -EINVAL;
}

int fwd_check_target(const struct fwd_opts *o, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	bool tcp;

	if (o->kind == FWD_WEBHOOK) {
		if (strncmp(o->target, "http://", 7) && strncmp(o->target, "https://", 8)) {
			snprintf(err, errlen, "'%s' is not an http:// or https:// URL", o->target);
			return -EINVAL;
		}
		if (strlen(o->target) >= 512) {
			snprintf(err, errlen, "the URL is longer than 511 bytes");
			return -EINVAL;
		}
		return 0;
	}
	return syslog_addr(o->target, &ss, &len, &tcp, err, errlen);
}

/* ---- sending ---- */

static int webhook_send(struct forwarder *f, const struct msg *m, unsigned int k)
{
	const char *body = m[0].p;
	size_t len = m[0].len, need = 0;
	long code = 0;
	unsigned int i;
	CURLcode rc;

	if (f->o.batch > 1) {
		/* NDJSON: a line per alert */
		for (i = 0; i < k; i++)
			need += m[i].len + 1;
		if (need > f->body_cap) {
			char *b = realloc(f->body, need);

			if (!b)
				return SEND_RETRY;
			f->body = b;
			f->body_cap = need;
		}
		for (len = 0, i = 0; i < k; i++) {
			memcpy(f->body + len, m[i].p, m[i].len);
			len += m[i].len;
			f->body[len++] = '\n';
		}
		body = f->body;
	}
	curl_easy_setopt(f->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(f->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(f->curl);
	if (rc != CURLE_OK) {
		warn_limited(f, curl_easy_strerror(rc));
		return SEND_RETRY;
	}
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return SEND_OK;
	if (code == 408 || code == 429 || code >= 500) {
		char why[48];

		snprintf(why, sizeof(why), "HTTP %ld", code);
		warn_limited(f, why);
		return SEND_RETRY;
	}
	log_warnx("webhook %s: HTTP %ld: %u alert(s) refused by the receiver, not sent again", f->target, code, k);
	return SEND_REJECT;
}

static void syslog_close(struct forwarder *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static int syslog_connect(struct forwarder *f)
{
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_MS / 1000 };

	f->fd = socket(f->addr.ss_family, (f->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (f->fd < 0)
		return -errno;
	/* a receiver that stops reading cannot hold this thread for long (connect too) */
	setsockopt(f->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(f->fd, (struct sockaddr *)&f->addr, f->addr_len)) {
		int err = -errno;

		syslog_close(f);
		return err;
	}
	return 0;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends m[0..k): *done of them handled (sent, or *rejected of them refused as too large). */
static int syslog_send(struct forwarder *f, const struct msg *m, unsigned int k, unsigned int *done,
		       unsigned int *rejected)
{
	char frame[24];
	unsigned int i;
	int err;

	if (f->fd < 0 && (err = syslog_connect(f))) {
		warn_limited(f, strerror(-err));
		return SEND_RETRY;
	}
	for (i = 0; i < k; i++) {
		if (f->tcp) {
			/* octet counting (RFC 6587): "LEN SP MSG" */
			int n = snprintf(frame, sizeof(frame), "%zu ", m[i].len);

			err = send_all(f->fd, frame, (size_t)n);
			if (!err)
				err = send_all(f->fd, m[i].p, m[i].len);
		} else {
			err = send(f->fd, m[i].p, m[i].len, MSG_NOSIGNAL) < 0 ? -errno : 0;
			if (err == -EMSGSIZE) {
				log_warnx("syslog %s: an alert of %zu bytes is too large for the socket, not sent",
					  f->target, m[i].len);
				(*rejected)++;
				err = 0;
			}
		}
		if (err) {
			warn_limited(f, strerror(-err));
			syslog_close(f);
			*done = i;
			return SEND_RETRY;
		}
	}
	*done = k;
	return SEND_OK;
}

/* ---- the queue and the thread ---- */

static void pop(struct forwarder *f, unsigned int k)
{
	while (k-- && f->n) {
		struct msg *m = &f->q[f->head];

		f->bytes -= m->len;
		free(m->p);
		m->p = NULL;
		f->head = (f->head + 1) % FWD_QUEUE_MAX;
		f->n--;
	}
	f->st.queued = f->n;
}

static void wait_ms(struct forwarder *f, unsigned int ms)
{
	struct timespec ts = deadline_ms(ms);

	pthread_cond_timedwait(&f->cond, &f->lock, &ts);
}

static void *run(void *arg)
{
	struct forwarder *f = arg;
	struct msg batch[FWD_BATCH_MAX];
	unsigned int backoff = 0, k, i, done, rejected;
	int rc;

	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (!f->n && !f->stopping)
			pthread_cond_wait(&f->cond, &f->lock);
		if (!f->n || (f->stopping && mono_ms() >= f->drain_until_ms))
			break;
		/* the head stays in the queue while it is sent: only the tail grows meanwhile */
		k = f->n < f->o.batch ? f->n : f->o.batch;
		for (i = 0; i < k; i++)
			batch[i] = f->q[(f->head + i) % FWD_QUEUE_MAX];
		pthread_mutex_unlock(&f->lock);
		done = rejected = 0;
		if (f->o.kind == FWD_WEBHOOK) {
			rc = webhook_send(f, batch, k);
			done = rc == SEND_RETRY ? 0 : k;
			rejected = rc == SEND_REJECT ? k : 0;
		} else {
			rc = syslog_send(f, batch, k, &done, &rejected);
		}
		pthread_mutex_lock(&f->lock);
		f->st.rejected += rejected;
		f->st.sent += done - rejected;
		pop(f, done);
		f->st.up = rc != SEND_RETRY;
		if (rc != SEND_RETRY) {
			backoff = 0;
			continue;
		}
		f->st.retries++;
		backoff = backoff ? (backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2) : BACKOFF_FIRST_MS;
		if (f->stopping && mono_ms() + backoff >= f->drain_until_ms)
			break;
		/* a new alert wakes the thread, but the receiver still gets its pause */
		{
			uint64_t until = mono_ms() + backoff, now;

			while (!f->stopping && (now = mono_ms()) < until)
				wait_ms(f, (unsigned int)(until - now));
		}
	}
	/* stopping: what could not be sent in time is lost, and said so */
	f->st.dropped += f->n;
	if (f->n)
		log_warnx("%s %s: %u alert(s) not sent before shutdown", fwd_name(f), f->target, f->n);
	pop(f, f->n);
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int webhook_init(struct forwarder *f, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, curl_init_once);
	f->curl = curl_easy_init();
	if (!f->curl) {
		snprintf(err, errlen, "libcurl could not start");
		return -ENOMEM;
	}
	f->headers = curl_slist_append(NULL, f->o.batch > 1 ? "Content-Type: application/x-ndjson"
							     : "Content-Type: application/json");
	f->headers = curl_slist_append(f->headers, "User-Agent: vigil/" VIGIL_VERSION);
	f->headers = curl_slist_append(f->headers, "Expect:");
	curl_easy_setopt(f->curl, CURLOPT_URL, f->target);
	curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, f->headers);
	curl_easy_setopt(f->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->curl, CURLOPT_TIMEOUT_MS, (long)SEND_TIMEOUT_MS);
	curl_easy_setopt(f->curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(f->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->curl, CURLOPT_FOLLOWLOCATION, 0L);
	if (f->o.ca_file)
		curl_easy_setopt(f->curl, CURLOPT_CAINFO, f->o.ca_file);
	if (f->o.insecure_tls) {
		curl_easy_setopt(f->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(f->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return 0;
}

struct forwarder *fwd_start(const struct fwd_opts *o, char *err, size_t errlen)
{
	struct forwarder *f;

	if (fwd_check_target(o, err, errlen))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	f->o = *o;
	if (!f->o.batch || f->o.batch > FWD_BATCH_MAX)
		f->o.batch = o->kind == FWD_SYSLOG ? FWD_BATCH_MAX : 1;
	snprintf(f->target, sizeof(f->target), "%s", o->target);
	f->o.target = f->target;
	f->fd = -1;
	f->st.up = true;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (o->kind == FWD_WEBHOOK ? webhook_init(f, err, errlen)
				   : syslog_addr(f->target, &f->addr, &f->addr_len, &f->tcp, err, errlen))
		goto fail;
	if (pthread_create(&f->thread, NULL, run, f)) {
		snprintf(err, errlen, "no thread: %s", strerror(errno));
		goto fail;
	}
	f->started = true;
	return f;
fail:
	fwd_stop(f, 0, NULL);
	return NULL;
}

bool fwd_push(struct forwarder *f, const char *msg, size_t len)
{
	struct msg *m;
	char *copy;

	pthread_mutex_lock(&f->lock);
	if (f->n == FWD_QUEUE_MAX || f->bytes + len > FWD_QUEUE_BYTES || !(copy = malloc(len))) {
		f->st.dropped++;
		pthread_mutex_unlock(&f->lock);
		return false;
	}
	memcpy(copy, msg, len);
	m = &f->q[(f->head + f->n) % FWD_QUEUE_MAX];
	m->p = copy;
	m->len = len;
	f->n++;
	f->bytes += len;
	f->st.queued = f->n;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return true;
}

void fwd_count_drop(struct forwarder *f)
{
	pthread_mutex_lock(&f->lock);
	f->st.dropped++;
	pthread_mutex_unlock(&f->lock);
}

void fwd_stats(struct forwarder *f, struct fwd_stats *out)
{
	pthread_mutex_lock(&f->lock);
	*out = f->st;
	pthread_mutex_unlock(&f->lock);
}

void fwd_stop(struct forwarder *f, unsigned int drain_ms, struct fwd_stats *final)
{
	if (!f)
		return;
	if (f->started) {
		pthread_mutex_lock(&f->lock);
		f->stopping = true;
		f->drain_until_ms = mono_ms() + drain_ms;
		pthread_cond_signal(&f->cond);
		pthread_mutex_unlock(&f->lock);
		pthread_join(f->thread, NULL);
	}
	pop(f, f->n);
	if (final)
		*final = f->st;
	syslog_close(f);
	if (f->curl)
		curl_easy_cleanup(f->curl);
	curl_slist_free_all(f->headers);
	free(f->body);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/* ---- RFC 5424 ---- */

int syslog_facility(const char *name)
{
	static const struct { const char *name; int code; } fac[] = {
		{ "kern", 0 }, { "user", 1 }, { "daemon", 3 }, { "auth", 4 }, { "security", 4 }, { "authpriv", 10 },
		{ "local0", 16 }, { "local1", 17 }, { "local2", 18 }, { "local3", 19 },
		{ "local4", 20 }, { "local5", 21 }, { "local6", 22 }, { "local7", 23 },
	};
	size_t i;

	for (i = 0; i < sizeof(fac) / sizeof(fac[0]); i++)
		if (!strcmp(name, fac[i].name))
			return fac[i].code;
	return -1;
}

/* A header field: printable ASCII without spaces, at most max bytes; "-" when empty. */
static size_t put_token(char *buf, size_t len, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && *s && n < max && n + 1 < len; s++)
		buf[n++] = (*s > 32 && *s < 127) ? *s : '_';
	if (!n && len > 1)
		buf[n++] = '-';
	buf[n] = '\0';
	return n;
}

/* An SD-PARAM value: '"', '\' and ']' escaped; bytes past ASCII kept only in valid UTF-8. */
static size_t put_param(char *buf, size_t len, const char *s)
{
	bool utf8 = s && jw_utf8_valid(s, strlen(s));
	size_t n = 0;

	for (; s && *s && n + 3 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\' || c == ']')
			buf[n++] = '\\';
		buf[n++] = (c < 32 || c == 127 || (!utf8 && c >= 0x80)) ? '?' : (char)c;
	}
	buf[n] = '\0';
	return n;
}

size_t syslog_format(char *buf, size_t len, int facility, int severity, const char *time_rfc3339,
		     const char *host, unsigned int pid, const char *msgid, const char *rule,
		     const char *priority, const char *container, const char *msg)
{
	char h[256], id[40], r[512], p[64], c[512];
	int n;

	put_token(h, sizeof(h), host, 255);
	put_token(id, sizeof(id), msgid, 32);
	put_param(r, sizeof(r), rule);
	put_param(p, sizeof(p), priority);
	put_param(c, sizeof(c), container);
	n = snprintf(buf, len, "<%d>1 %s %s vigil %u %s [vigil@32473 rule=\"%s\" priority=\"%s\" container=\"%s\"] %s",
		     facility * 8 + (severity & 7), time_rfc3339, h, pid, id, r, p, c, msg ? msg : "");
	if (n < 0 || (size_t)n >= len)
		return 0;
	return (size_t)n;
}
