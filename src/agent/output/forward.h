/*
 * forward.h - alerts handed to other systems over the network: an HTTP(S)
 * webhook (libcurl) and syslog (RFC 5424, to a local socket or over TCP).
 *
 * The event path only queues: fwd_push() copies the message into a
 * bounded queue and returns at once.  A thread per destination sends,
 * in order, and on failure keeps the message and tries again with a
 * backoff (250 ms doubling to 30 s).  When the queue is full the new
 * message is dropped and counted (vigil_events_dropped_total{reason=
 * "webhook_queue_full"}, and the drops event): never a wait, never a
 * silent loss.
 */
#ifndef VIGIL_FORWARD_H
#define VIGIL_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FWD_QUEUE_MAX 4096		/* messages waiting per destination */
#define FWD_QUEUE_BYTES (16u << 20)	/* ... and their bytes */
#define FWD_BATCH_MAX 100

enum fwd_kind {
	FWD_WEBHOOK,		/* POST each alert (Falco's http_output schema) */
	FWD_SYSLOG,		/* RFC 5424 lines */
};

struct fwd_opts {
	enum fwd_kind kind;
	const char *target;	/* webhook: http(s) URL; syslog: unix[:PATH] or tcp://HOST:PORT */
	unsigned int batch;	/* webhook: alerts per POST; 1 = one JSON object (Falco), more: NDJSON */
	const char *ca_file;	/* webhook: CA bundle for https, NULL = the system's */
	bool insecure_tls;	/* webhook: do not verify the server's certificate */
};

struct fwd_stats {
	uint64_t sent;		/* delivered */
	uint64_t retries;	/* failed attempts, tried again */
	uint64_t rejected;	/* refused by the receiver (HTTP 4xx but 408/429): not retried */
	uint64_t dropped;	/* the queue was full */
	uint64_t queued;	/* waiting now */
	bool up;		/* the last attempt worked */
};

struct forwarder;

/* Checks the target ("unix:/dev/log", "tcp://127.0.0.1:514", "https://...").  0 or -EINVAL with err. */
int fwd_check_target(const struct fwd_opts *o, char *err, size_t errlen);
struct forwarder *fwd_start(const struct fwd_opts *o, char *err, size_t errlen);
/* Queues a copy of msg[0..len).  false when it was dropped (full). */
bool fwd_push(struct forwarder *f, const char *msg, size_t len);
/* An alert that could not even be made (no memory): counted as dropped. */
void fwd_count_drop(struct forwarder *f);
void fwd_stats(struct forwarder *f, struct fwd_stats *out);
const char *fwd_name(const struct forwarder *f);	/* "webhook", "syslog" */
/*
 * Sends what is queued for up to drain_ms, then stops (what is left is
 * counted as dropped); the last counts into final when not NULL.
 */
void fwd_stop(struct forwarder *f, unsigned int drain_ms, struct fwd_stats *final);

/* "<PRI>1 TIME HOST vigil PID MSGID [SD] MSG" for one alert; the length written (0: no room). */
size_t syslog_format(char *buf, size_t len, int facility, int severity, const char *time_rfc3339,
		     const char *host, unsigned int pid, const char *msgid, const char *rule,
		     const char *priority, const char *container, const char *msg);
/* "daemon", "local0".."local7", "auth", "user" -> facility number; -1 when unknown. */
int syslog_facility(const char *name);

#endif
