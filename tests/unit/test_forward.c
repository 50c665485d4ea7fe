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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_facility_and_targets),
		cmocka_unit_test(test_queue_full_is_counted),
		cmocka_unit_test(test_tcp_frames),
	};

	return cmocka_run_group_tests_name("forward", tests, NULL, NULL);
}
