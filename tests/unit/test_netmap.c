/* Unit tests: the traffic map's edges and its JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "container/container.h"
#include "core/netmap.h"
#include "output/jsonw.h"
#include "util/netaddr.h"

static struct ctr_info ctr(const char *id, const char *name)
{
	struct ctr_info c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.name = (char *)name;
	c.image = (char *)"img:1";
	return c;
}

static json_t *dump(struct netmap *m)
{
	struct jw w;
	json_error_t err;
	json_t *j;

	jw_init(&w);
	netmap_json(m, &w);
	assert_int_equal(w.err, 0);
	j = json_loads(w.buf, 0, &err);
	assert_non_null(j);
	jw_free(&w);
	return j;
}

static void test_edges(void **state)
{
	struct ctr_info cli = ctr("aaaaaaaaaaaa1111", "cli"), srv = ctr("bbbbbbbbbbbb2222", "we\"b");
	uint8_t a1[16], a2[16], out[16];
	struct netmap *m = netmap_new();
	json_t *j, *e;
	size_t i;
	int found = 0;

	assert_true(addr_parse16("172.31.250.60", a1));
	assert_true(addr_parse16("10.0.0.7", a2));
	assert_true(addr_parse16("192.0.2.1", out));
	netmap_add(m, &cli, NULL, &srv, a1, 9000, "tcp", 1000);
	netmap_add(m, &cli, NULL, &srv, a2, 9000, "tcp", 2000);	/* the same server at another address */
	netmap_add(m, &cli, NULL, &srv, a1, 9001, "tcp", 3000);
	netmap_add(m, &cli, NULL, NULL, out, 80, "tcp", 4000);
	netmap_add(m, NULL, out, &srv, a1, 9000, "tcp", 5000);	/* inbound from outside */
	assert_true(netmap_dirty(m));
	j = dump(m);
	assert_false(netmap_dirty(m));
	assert_int_equal(json_array_size(json_object_get(j, "edges")), 4);
	assert_int_equal(json_array_size(json_object_get(j, "containers")), 2);
	json_array_foreach(json_object_get(j, "edges"), i, e) {
		json_t *from = json_object_get(e, "from"), *to = json_object_get(e, "to");

		if (json_integer_value(json_object_get(e, "port")) == 9000 &&
		    !strcmp(json_string_value(json_object_get(from, "kind")), "container")) {
			found++;
			assert_int_equal(json_integer_value(json_object_get(e, "count")), 2);
			assert_string_equal(json_string_value(json_object_get(to, "name")), "we\"b");
			assert_string_equal(json_string_value(json_object_get(to, "node")), "container:bbbbbbbbbbbb");
			assert_string_equal(json_string_value(json_object_get(to, "address")), "172.31.250.60");
		}
		if (json_integer_value(json_object_get(e, "port")) == 80) {
			found++;
			assert_string_equal(json_string_value(json_object_get(to, "kind")), "outside");
			assert_string_equal(json_string_value(json_object_get(to, "node")), "address:192.0.2.1");
		}
	}
	assert_int_equal(found, 2);
	json_decref(j);
	netmap_free(m);
}

static void test_bounded(void **state)
{
	struct ctr_info cli = ctr("cccccccccccc3333", "cli");
	struct netmap *m = netmap_new();
	uint8_t a[16];
	json_t *j;
	int i;

	assert_true(addr_parse16("192.0.2.9", a));
	for (i = 0; i < NETMAP_MAX_EDGES + 10; i++)
		netmap_add(m, &cli, NULL, NULL, a, (uint16_t)(i % 65536), i < 65536 ? "tcp" : "udp", i);
	j = dump(m);
	assert_int_equal(json_array_size(json_object_get(j, "edges")), NETMAP_MAX_EDGES);
	assert_int_equal(json_integer_value(json_object_get(j, "edges_dropped")), 10);
	json_decref(j);
	netmap_free(m);
}

/*
 * An accept of a peer no runtime names: a container's connect from that
 * end, before the accept or within the wait after it, makes it no
 * outside edge; a peer that no container's connect explains becomes one
 * once the wait is over (or at the end).
 */
static void test_inbound(void **state)
{
	struct ctr_info srv = ctr("dddddddddddd4444", "srv");
	uint8_t cli_a[16], srv_a[16], host[16];
	struct netmap *m = netmap_new();
	json_t *j, *e;

	assert_true(addr_parse16("172.31.250.61", cli_a));
	assert_true(addr_parse16("172.31.250.60", srv_a));
	assert_true(addr_parse16("172.31.250.1", host));
	/* the client's connect first */
	netmap_client(m, cli_a, 40001, 1000);
	netmap_inbound(m, cli_a, 40001, &srv, srv_a, 9000, "tcp", 1, 1001);
	/* the accept first: the client's events came later (a new container's wait for its name) */
	netmap_inbound(m, cli_a, 40002, &srv, srv_a, 9000, "tcp", 2, 1002);
	netmap_client(m, cli_a, 40002, 2500);
	/* a host process: nobody's connect */
	netmap_inbound(m, host, 50000, &srv, srv_a, 9000, "tcp", 3, 1003);
	netmap_tick(m, 1003 + NETMAP_INBOUND_WAIT_MS - 1);
	j = dump(m);
	assert_int_equal(json_array_size(json_object_get(j, "edges")), 0);	/* still waiting */
	json_decref(j);
	netmap_tick(m, 1003 + NETMAP_INBOUND_WAIT_MS);
	j = dump(m);
	assert_int_equal(json_array_size(json_object_get(j, "edges")), 1);
	e = json_array_get(json_object_get(j, "edges"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "from"), "node")),
			    "address:172.31.250.1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "to"), "name")), "srv");
	json_decref(j);
	/* another port of the same client address is not its connect; the end decides all */
	netmap_inbound(m, cli_a, 40003, &srv, srv_a, 9000, "tcp", 4, 5000);
	netmap_tick(m, UINT64_MAX);
	j = dump(m);
	assert_int_equal(json_array_size(json_object_get(j, "edges")), 2);
	json_decref(j);
	netmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_inbound),
	};

	return cmocka_run_group_tests_name("netmap", tests, NULL, NULL);
}
