/* Unit tests: the Prometheus text writer and the listener's address parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "output/httpd.h"
#include "output/prom.h"

static void test_label_escape(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "web-1", "web-1" },
		{ "a\"b", "a\\\"b" },
		{ "back\\slash", "back\\\\slash" },
		{ "two\nlines", "two\\nlines" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* valid UTF-8 passes */
		{ "bad\xff\xc3", "bad??" },			/* not UTF-8: bytes past ASCII are '?' */
		{ "\x1b[31mred", "\x1b[31mred" },		/* ASCII control bytes are legal in a label */
	};
	struct prom p;
	size_t i;

	prom_init(&p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		prom_reset(&p);
		prom_label_escape(&p, cases[i].in);
		assert_string_equal(p.buf, cases[i].out);
	}
	prom_free(&p);
}

static void test_samples(void **state)
{
	const char *l[] = { "container", "we\"b", "syscall", "read", NULL };
	struct prom p;

	prom_init(&p);
	prom_family(&p, "vigil_x_total", "counter", "Things");
	prom_sample_u64(&p, "vigil_x_total", l, 18446744073709551615ULL);
	prom_sample(&p, "vigil_y", NULL, 0.5);
	prom_sample(&p, "vigil_z", NULL, 1.0 / 0.0);
	assert_int_equal(p.err, 0);
	assert_string_equal(p.buf,
			    "# HELP vigil_x_total Things\n# TYPE vigil_x_total counter\n"
			    "vigil_x_total{container=\"we\\\"b\",syscall=\"read\"} 18446744073709551615\n"
			    "vigil_y 0.5\nvigil_z +Inf\n");
	prom_free(&p);
}

static void test_grows(void **state)
{
	const char *l[] = { "k", "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", NULL };
	struct prom p;
	int i;

	prom_init(&p);
	for (i = 0; i < 10000; i++)
		prom_sample_u64(&p, "vigil_many", l, (uint64_t)i);
	assert_int_equal(p.err, 0);
	assert_true(p.len > 10000 * 70);
	assert_non_null(strstr(p.buf, "vigil_many{k=\"vvv"));
	assert_int_equal(p.buf[p.len - 1], '\n');
	prom_free(&p);
}

static void test_addr(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	static const char *const bad[] = { "", "host:80", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
					   "[::1]", "[::1]80", "9464x", "1.2.3.4:80:90", "[zz]:80" };
	char err[160];
	size_t i;

	assert_int_equal(httpd_parse_addr("9464", &ss, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(in4->sin_port), 9464);
	assert_int_equal(ntohl(in4->sin_addr.s_addr), 0x7f000001);	/* a bare port is loopback */
	assert_int_equal(httpd_parse_addr("0.0.0.0:80", &ss, err, sizeof(err)), 0);
	assert_int_equal(in4->sin_addr.s_addr, 0);
	assert_int_equal(httpd_parse_addr("localhost:80", &ss, err, sizeof(err)), 0);
	assert_int_equal(ntohl(in4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(httpd_parse_addr("[::1]:9464", &ss, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 9464);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_not_equal(httpd_parse_addr(bad[i], &ss, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "is not HOST:PORT"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escape),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_addr),
	};

	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
