/* Unit tests: container metadata from Docker's API and OCI annotations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agent/container.h"

static void test_docker_list(void **state)
{
	struct ctr_info c = { 0 };
	const char *json =
		"[{\"Id\":\"abc\",\"Names\":[\"/web1\"],\"Image\":\"nginx:1.25\","
		"\"ImageID\":\"sha256:1234\",\"Labels\":{\"io.kubernetes.pod.name\":\"web-7d\","
		"\"io.kubernetes.pod.namespace\":\"prod\",\"io.kubernetes.container.name\":\"nginx\"}}]";

	assert_int_equal(docker_list_parse(json, &c), 0);
	assert_string_equal(c.name, "web1");	/* leading slash dropped */
	assert_string_equal(c.image, "nginx:1.25");
	assert_string_equal(c.image_id, "sha256:1234");
	assert_string_equal(c.pod, "web-7d");
	assert_string_equal(c.k8s_ns, "prod");
	assert_string_equal(c.k8s_container, "nginx");
	ctr_info_fini(&c);
}

static void test_docker_hostile(void **state)
{
	static const char *const inputs[] = {
		"", "[", "{}", "[]", "null", "[1]", "[{\"Names\":\"notalist\"}]",
		"[{\"Names\":[7],\"Image\":{},\"Labels\":[]}]",
		"[{\"Names\":[\"\"],\"Image\":\"\"}]",
	};
	struct ctr_info c = { 0 };
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		int rc = docker_list_parse(inputs[i], &c);

		assert_true(rc == 0 || rc == -ENOENT || rc == -EBADMSG);
		assert_null(c.image);
		ctr_info_fini(&c);
	}
	/* odd bytes in a name are kept (escaped only on output) */
	assert_int_equal(docker_list_parse("[{\"Names\":[\"/a\\\"b\\n\\u00e9\"]}]", &c), 0);
	assert_string_equal(c.name, "a\"b\n\xc3\xa9");
	ctr_info_fini(&c);
}

static void test_oci_annotations(void **state)
{
	struct ctr_info c = { 0 };
	const char *containerd =
		"{\"ociVersion\":\"1.0.2\",\"annotations\":{"
		"\"io.kubernetes.cri.container-name\":\"app\","
		"\"io.kubernetes.cri.sandbox-name\":\"app-5f9\","
		"\"io.kubernetes.cri.sandbox-namespace\":\"default\","
		"\"io.kubernetes.cri.image-name\":\"registry/app:2\"}}";
	const char *crio =
		"{\"annotations\":{\"io.kubernetes.container.name\":\"db\","
		"\"io.kubernetes.pod.name\":\"db-0\",\"io.kubernetes.pod.namespace\":\"data\","
		"\"io.kubernetes.cri-o.ImageName\":\"postgres:16\"}}";

	assert_int_equal(oci_config_parse(containerd, &c), 0);
	assert_string_equal(c.k8s_container, "app");
	assert_string_equal(c.pod, "app-5f9");
	assert_string_equal(c.k8s_ns, "default");
	assert_string_equal(c.image, "registry/app:2");
	ctr_info_fini(&c);

	assert_int_equal(oci_config_parse(crio, &c), 0);
	assert_string_equal(c.pod, "db-0");
	assert_string_equal(c.image, "postgres:16");
	ctr_info_fini(&c);

	/* what Docker already said wins over annotations */
	c.image = strdup("from-docker");
	assert_int_equal(oci_config_parse(crio, &c), 0);
	assert_string_equal(c.image, "from-docker");
	ctr_info_fini(&c);

	assert_int_equal(oci_config_parse("{\"annotations\":7}", &c), 0);
	assert_null(c.pod);
	assert_int_equal(oci_config_parse("not json", &c), -EBADMSG);
}

static void test_recent_targets(void **state)
{
	struct ctr_targets t = { 0 };
	uint64_t s = 1000000000ULL, i;

	for (i = 0; i < 30; i++)
		ctr_targets_add(&t, 100 + i, s + i * 1000);	/* 30 ports in 30 us */
	ctr_targets_add(&t, 100, s + 40000);			/* a repeat */
	assert_int_equal(ctr_targets_recent(&t, s + 50000), 30);
	/* 10 s later only what is newer than the window counts */
	ctr_targets_add(&t, 999, s + CTR_RECENT_WINDOW_NS + 20000);
	assert_int_equal(ctr_targets_recent(&t, s + CTR_RECENT_WINDOW_NS + 20000), 12);
	assert_int_equal(ctr_targets_recent(&t, s + 5 * CTR_RECENT_WINDOW_NS), 0);
	/* more than the ring holds: the oldest are forgotten, no overflow */
	for (i = 0; i < 200; i++)
		ctr_targets_add(&t, i, s + 100 * CTR_RECENT_WINDOW_NS + i);
	assert_int_equal(ctr_targets_recent(&t, s + 100 * CTR_RECENT_WINDOW_NS + 200), CTR_RECENT_TARGETS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_list),
		cmocka_unit_test(test_docker_hostile),
		cmocka_unit_test(test_oci_annotations),
		cmocka_unit_test(test_recent_targets),
	};

	return cmocka_run_group_tests_name("container_meta", tests, NULL, NULL);
}
