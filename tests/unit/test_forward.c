/* Unit tests: RFC 5424 formatting, targets, and the forwarders' queue and framing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <microhttpd.h>
#include <pthread.h>

#include "output/forward.h"

static void test_format(void **state)
{
	char buf[1024];
	size_t n;

	n = syslog_format(buf, sizeof(buf), 3, 4, "2026-12-02T04:18:05.384461547Z", "vm", 42, "open",
			  "Sensitive file read", "WARNING", "web-1", "{\"a\":1}");
	assert_string_equal(buf, "<28>1 2026-12-02T04:18:05.384461547Z vm vigil 42 open "
				 "[vigil@32473 rule=\"Sensitive file read\" priority=\"WARNING\" container=\"web-1\"] {\"a\":1}");
	assert_int_equal(n, strlen(buf));
	/* header fields: no spaces or control bytes; SD values: '"', '\' and ']' escaped, no raw non-UTF-8 */
	syslog_format(buf, sizeof(buf), 16, 2, "T", "my host\n", 1, "", "r]\"\\", "CRITICAL", "x\xff\x01y", "m");
	assert_string_equal(buf, "<130>1 T my_host_ vigil 1 - [vigil@32473 rule=\"r\\]\\\"\\\\\" priority=\"CRITICAL\" "
				 "container=\"x??y\"] m");
	/* no room: nothing, never a cut message */
	assert_int_equal(syslog_format(buf, 20, 3, 4, "T", "h", 1, "m", "r", "p", "c", "msg"), 0);
}

static void test_facility_and_targets(void **state)
{
	struct fwd_opts o = { .kind = FWD_SYSLOG };
	static const char *const good[] = { "unix", "unix:/dev/log", "tcp://127.0.0.1:514", "tcp://[::1]:514" };
	static const char *const bad[] = { "udp://1.2.3.4:5", "unix:relative", "tcp://host:514", "tcp://1.2.3.4", "" };
	char err[256];
	size_t i;

	assert_int_equal(syslog_facility("daemon"), 3);
	assert_int_equal(syslog_facility("local7"), 23);
	assert_int_equal(syslog_facility("nope"), -1);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		o.target = good[i];
		assert_int_equal(fwd_check_target(&o, err, sizeof(err)), 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.target = bad[i];
		assert_int_not_equal(fwd_check_target(&o, err, sizeof(err)), 0);
		assert_true(strlen(err) > 0);
	}
	o.kind = FWD_WEBHOOK;
	o.target = "ftp://x/";
	assert_int_not_equal(fwd_check_target(&o, err, sizeof(err)), 0);
	o.target = "https://siem.example/falco";
	assert_int_equal(fwd_check_target(&o, err, sizeof(err)), 0);
}

/* A closed port: every POST fails, the queue fills, the rest is dropped and counted. */
static void test_queue_full_is_counted(void **state)
{
	struct fwd_opts o = { .kind = FWD_WEBHOOK, .target = "http://127.0.0.1:1/", .batch = 1 };
	struct fwd_stats st;
	struct forwarder *f;
	char err[256];
	unsigned int i, refused = 0;

	f = fwd_start(&o, err, sizeof(err));
	assert_non_null(f);
	for (i = 0; i < FWD_QUEUE_MAX + 100; i++)
		if (!fwd_push(f, "{\"x\":1}", 7))
			refused++;
	assert_int_equal(refused, 100);
	fwd_stats(f, &st);
	assert_int_equal(st.dropped, 100);
	assert_int_equal(st.queued, FWD_QUEUE_MAX);
	assert_int_equal(st.sent, 0);
	fwd_stop(f, 0, &st);
	assert_int_equal(st.dropped, FWD_QUEUE_MAX + 100);	/* what shutdown left is counted too */
}

/* New alerts while the receiver is down do not cut the backoff short. */
static void test_backoff_holds(void **state)
{
	struct fwd_opts o = { .kind = FWD_WEBHOOK, .target = "http://127.0.0.1:1/", .batch = 1 };
	struct fwd_stats st;
	struct forwarder *f;
	char err[256];
	int i;

	f = fwd_start(&o, err, sizeof(err));
	assert_non_null(f);
	for (i = 0; i < 40; i++) {
		assert_true(fwd_push(f, "{\"x\":1}", 7));
		usleep(15 * 1000);	/* 600 ms of alerts */
	}
	fwd_stats(f, &st);
	fwd_stop(f, 0, NULL);
	/* tries at 0, 250 and 750 ms: not one per alert */
	assert_true(st.retries >= 1 && st.retries <= 4);
	assert_int_equal(st.queued, 40);
}

/* TCP: octet-counted frames, in order, whole. */
static void test_tcp_frames(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct fwd_opts o = { .kind = FWD_SYSLOG };
	struct fwd_stats st;
	struct forwarder *f;
	char target[64], err[256], got[256];
	size_t have = 0;
	int ls, c;
	ssize_t n;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &len), 0);
	snprintf(target, sizeof(target), "tcp://127.0.0.1:%u", ntohs(sa.sin_port));
	o.target = target;
	f = fwd_start(&o, err, sizeof(err));
	assert_non_null(f);
	assert_true(fwd_push(f, "one", 3));
	assert_true(fwd_push(f, "two words", 9));
	c = accept(ls, NULL, NULL);
	assert_true(c >= 0);
	while (have < strlen("3 one9 two words") && (n = read(c, got + have, sizeof(got) - 1 - have)) > 0)
		have += (size_t)n;
	got[have] = '\0';
	assert_string_equal(got, "3 one9 two words");
	fwd_stop(f, 1000, &st);
	assert_int_equal(st.sent, 2);
	assert_int_equal(st.dropped, 0);
	close(c);
	close(ls);
}

/* ---- an HTTP receiver in the test: records bodies, answers with a set status ---- */

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rx_cond = PTHREAD_COND_INITIALIZER;
static char rx_body[8][256], rx_type[8][64];
static int rx_n, rx_status = 200;
static bool rx_hold, rx_holding;	/* the first request waits until rx_hold is cleared */

struct rx_req {
	char body[256];
	size_t len;
};

static enum MHD_Result rx_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *len, void **state)
{
	struct rx_req *r = *state;
	struct MHD_Response *resp;
	const char *ct;
	enum MHD_Result ret;
	int status;

	if (!r) {
		*state = calloc(1, sizeof(*r));
		return MHD_YES;
	}
	if (*len) {
		size_t n = *len < sizeof(r->body) - 1 - r->len ? *len : sizeof(r->body) - 1 - r->len;

		memcpy(r->body + r->len, data, n);
		r->len += n;
		*len = 0;
		return MHD_YES;
	}
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	pthread_mutex_lock(&rx_lock);
	if (rx_n < 8) {
		snprintf(rx_body[rx_n], sizeof(rx_body[0]), "%s", r->body);
		snprintf(rx_type[rx_n], sizeof(rx_type[0]), "%s", ct ? ct : "");
	}
	rx_n++;
	pthread_cond_broadcast(&rx_cond);
	while (rx_hold) {
		rx_holding = true;
		pthread_cond_broadcast(&rx_cond);
		pthread_cond_wait(&rx_cond, &rx_lock);
	}
	status = rx_status;
	pthread_mutex_unlock(&rx_lock);
	free(r);
	*state = NULL;
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static struct MHD_Daemon *rx_start(char *url, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	rx_n = 0;
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
			     rx_handler, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
	assert_non_null(d);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	assert_int_equal(getsockname(info->listen_fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(url, len, "http://127.0.0.1:%u/", ntohs(sa.sin_port));
	return d;
}

static void rx_wait(int n)
{
	pthread_mutex_lock(&rx_lock);
	while (rx_n < n)
		pthread_cond_wait(&rx_cond, &rx_lock);
	pthread_mutex_unlock(&rx_lock);
}

/* --webhook-batch 3: what queued while a POST was out goes in the next, as NDJSON */
static void test_webhook_batch(void **state)
{
	struct fwd_opts o = { .kind = FWD_WEBHOOK, .batch = 3 };
	struct fwd_stats st;
	struct forwarder *f;
	char url[64], err[256];
	struct MHD_Daemon *d = rx_start(url, sizeof(url));

	rx_hold = true;
	rx_status = 200;
	o.target = url;
	f = fwd_start(&o, err, sizeof(err));
	assert_non_null(f);
	assert_true(fwd_push(f, "{\"n\":1}", 7));
	pthread_mutex_lock(&rx_lock);
	while (!rx_holding)
		pthread_cond_wait(&rx_cond, &rx_lock);
	pthread_mutex_unlock(&rx_lock);
	assert_true(fwd_push(f, "{\"n\":2}", 7));
	assert_true(fwd_push(f, "{\"n\":3}", 7));
	assert_true(fwd_push(f, "{\"n\":4}", 7));
	pthread_mutex_lock(&rx_lock);
	rx_hold = false;
	pthread_cond_broadcast(&rx_cond);
	pthread_mutex_unlock(&rx_lock);
	rx_wait(2);
	fwd_stop(f, 2000, &st);
	MHD_stop_daemon(d);
	assert_string_equal(rx_body[0], "{\"n\":1}\n");
	assert_string_equal(rx_body[1], "{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n");
	assert_string_equal(rx_type[1], "application/x-ndjson");
	assert_int_equal(st.sent, 4);
}

/* A 400 is the receiver's refusal: counted, never sent again */
static void test_webhook_rejected(void **state)
{
	struct fwd_opts o = { .kind = FWD_WEBHOOK, .batch = 1 };
	struct fwd_stats st;
	struct forwarder *f;
	char url[64], err[256];
	struct MHD_Daemon *d = rx_start(url, sizeof(url));

	rx_status = 400;
	o.target = url;
	f = fwd_start(&o, err, sizeof(err));
	assert_non_null(f);
	assert_true(fwd_push(f, "{\"bad\":1}", 9));
	rx_wait(1);
	usleep(600 * 1000);	/* past the first backoff: a retry would have come */
	fwd_stop(f, 1000, &st);
	MHD_stop_daemon(d);
	assert_int_equal(rx_n, 1);
	assert_string_equal(rx_type[0], "application/json");
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_facility_and_targets),
		cmocka_unit_test(test_queue_full_is_counted),
		cmocka_unit_test(test_backoff_holds),
		cmocka_unit_test(test_tcp_frames),
		cmocka_unit_test(test_webhook_batch),
		cmocka_unit_test(test_webhook_rejected),
	};

	return cmocka_run_group_tests_name("forward", tests, NULL, NULL);
}
