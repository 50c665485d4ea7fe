/* Unit tests: container metadata from Docker's API and OCI annotations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "learn/cap_baseline.h"
#include "container/container.h"
#include "core/activity.h"

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

	assert_int_equal(oci_config_parse(containerd, NULL, &c), 0);
	assert_string_equal(c.k8s_container, "app");
	assert_string_equal(c.pod, "app-5f9");
	assert_string_equal(c.k8s_ns, "default");
	assert_string_equal(c.image, "registry/app:2");
	ctr_info_fini(&c);

	assert_int_equal(oci_config_parse(crio, NULL, &c), 0);
	assert_string_equal(c.pod, "db-0");
	assert_string_equal(c.image, "postgres:16");
	ctr_info_fini(&c);

	/* what Docker already said wins over annotations */
	c.image = strdup("from-docker");
	assert_int_equal(oci_config_parse(crio, NULL, &c), 0);
	assert_string_equal(c.image, "from-docker");
	ctr_info_fini(&c);

	assert_int_equal(oci_config_parse("{\"annotations\":7}", NULL, &c), 0);
	assert_null(c.pod);
	assert_int_equal(oci_config_parse("not json", NULL, &c), -EBADMSG);
}

static char *fixture(const char *name)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), TEST_DATA_DIR "/runtimes/%s", name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* config.json as CRI-O writes it for a pod's container (no CRI-O here: a fixture of its format). */
static void test_crio_fixture(void **state)
{
	struct ctr_info c = { 0 };
	char *json = fixture("crio-config.json");

	assert_int_equal(oci_config_parse(json, NULL, &c), 0);
	assert_string_equal(c.name, "db");	/* the pod spec's name, not k8s_db_db-0_... */
	assert_int_equal(c.runtime, RT_CRIO);	/* io.container.manager: a bare id under a pod names none */
	assert_string_equal(c.k8s_container, "db");
	assert_string_equal(c.pod, "db-0");
	assert_string_equal(c.k8s_ns, "data");
	assert_string_equal(c.k8s_pod_uid, "5c0a3b7e-1111-4222-8333-944455556666");
	assert_string_equal(c.image, "docker.io/library/postgres:16");
	assert_int_equal(c.host_network, CTR_NO);	/* the pod's netns, joined by path */
	assert_int_equal(c.privileged, 0);
	assert_int_equal(c.n_mounts, 1);
	assert_true(strstr(c.mounts[0].source, "/volumes/kubernetes.io~csi/") != NULL);
	ctr_info_fini(&c);
	free(json);
}

/* config.json as containerd's CRI plugin writes it. */
static void test_containerd_cri_fixture(void **state)
{
	struct ctr_info c = { 0 };
	char *json = fixture("containerd-cri-config.json");

	assert_int_equal(oci_config_parse(json, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/x", &c), 0);
	assert_string_equal(c.name, "web");
	assert_string_equal(c.pod, "web-7d9f8c6b5-x2k4p");
	assert_string_equal(c.k8s_ns, "shop");
	assert_string_equal(c.k8s_pod_uid, "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d");
	assert_string_equal(c.image, "docker.io/library/nginx:1.25");
	assert_string_equal(c.rootfs, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/x/rootfs");
	/* the API server's service address, from the env the kubelet wrote (fd.sip.name) */
	assert_true(c.has_k8s_api);
	assert_memory_equal(c.k8s_api, ((uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 96, 0, 1 }), 16);
	ctr_info_fini(&c);
	free(json);
}

/* podman's containers.json: name and image by id, with no podman service. */
static void test_podman_storage(void **state)
{
	static const char id[] = "7c963ca76858a6ac8e1b3c1f0e29a1b7c9f2f1d4e5a6b7c8d9e0f1a2b3c4d5e6";
	struct ctr_info c = { 0 };
	char *json = fixture("podman-containers.json");
	static const char *const hostile[] = {
		"", "{}", "[1]", "[{\"id\":7}]",
		"[{\"id\":\"7c963ca76858a6ac8e1b3c1f0e29a1b7c9f2f1d4e5a6b7c8d9e0f1a2b3c4d5e6\",\"names\":\"x\","
		"\"metadata\":\"{not json\",\"image\":\"short\"}]",
		"[{\"id\":\"7c963ca76858a6ac8e1b3c1f0e29a1b7c9f2f1d4e5a6b7c8d9e0f1a2b3c4d5e6\",\"metadata\":7}]",
	};
	size_t i;

	memcpy(c.id, id, sizeof(id));
	assert_int_equal(podman_containers_parse(json, &c), 0);
	assert_string_equal(c.name, "pm-web");
	assert_string_equal(c.image, "docker.io/library/vigil-test:latest");
	assert_string_equal(c.image_id, "sha256:a19df3637056b3d28a8a212a292046c82079abc79f94a8124ac50599b3a26824");
	ctr_info_fini(&c);	/* (zeroes the id too) */
	/* another container's entry is not this one's */
	memcpy(c.id, id, sizeof(id));
	c.id[0] = 'f';
	assert_int_equal(podman_containers_parse(json, &c), -ENOENT);
	assert_null(c.name);
	free(json);

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		int rc;

		memcpy(c.id, id, sizeof(id));
		rc = podman_containers_parse(hostile[i], &c);
		/* the last two are this container's entry, with every field of the wrong type */
		assert_int_equal(rc, i < 4 ? (i == 0 || i == 1 ? -EINVAL : -ENOENT) : 0);
		assert_null(c.name);
		assert_null(c.image);
		assert_null(c.image_id);
		ctr_info_fini(&c);
	}
}

/* The shape runc's config.json has, as Docker writes it. */
static void test_oci_configuration(void **state)
{
	struct ctr_info c = { 0 };
	const char *plain =
		"{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_NOT_A_CAP\",7]}},"
		"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		"{\"destination\":\"/hostetc\",\"type\":\"bind\",\"source\":\"/etc\",\"options\":[\"rbind\",\"ro\",\"rprivate\"]},"
		"{\"destination\":\"/data\",\"source\":\"/srv/d\",\"options\":[\"bind\"]},"
		"{\"destination\":\"\",\"type\":\"bind\",\"source\":\"/x\"},{\"type\":\"bind\"},3],"
		"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},"
		"{\"type\":\"network\",\"path\":\"/proc/999999999/ns/net\"},{\"type\":\"mount\"}],"
		"\"maskedPaths\":[\"/proc/kcore\"]}}";
	const char *privileged =
		"{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_SYS_MODULE\",\"cap_net_admin\"]}},"
		"\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}";
	const char *host_net_by_path =	/* Docker's --network host */
		"{\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"},"
		"{\"type\":\"ipc\",\"path\":\"/proc/self/ns/net\"},{\"type\":\"pid\"}]}}";
	const char *cap_add_all =	/* --cap-add ALL keeps /proc masked */
		"{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_SYS_MODULE\"]}},"
		"\"linux\":{\"maskedPaths\":[\"/proc/kcore\"],\"namespaces\":[]}}";

	ctr_info_init(&c);
	assert_int_equal(c.privileged, CTR_UNKNOWN);
	assert_int_equal(oci_config_parse(plain, NULL, &c), 0);
	assert_int_equal(c.privileged, CTR_NO);
	assert_int_equal(c.host_pid, CTR_NO);
	assert_int_equal(c.host_ipc, CTR_NO);
	/* joined by path: another container's, not the host's */
	assert_int_equal(c.host_network, CTR_NO);
	assert_true(c.cap_bounding == ((1ULL << 0) | (1ULL << 5)));
	/* only bind mounts with a source and a destination */
	assert_int_equal(c.n_mounts, 2);
	assert_string_equal(c.mounts[0].source, "/etc");
	assert_string_equal(c.mounts[0].dest, "/hostetc");
	assert_int_equal(c.mounts[0].rw, 0);
	assert_string_equal(c.mounts[0].propagation, "rprivate");
	assert_string_equal(c.mounts[1].dest, "/data");
	assert_int_equal(c.mounts[1].rw, 1);
	assert_null(c.mounts[1].propagation);
	ctr_info_fini(&c);

	ctr_info_init(&c);
	assert_int_equal(oci_config_parse(privileged, NULL, &c), 0);
	assert_int_equal(c.privileged, CTR_YES);
	assert_int_equal(c.host_network, CTR_YES);	/* no network namespace listed */
	assert_int_equal(c.host_pid, CTR_YES);
	ctr_info_fini(&c);

	ctr_info_init(&c);
	assert_int_equal(oci_config_parse(host_net_by_path, NULL, &c), 0);
	assert_int_equal(c.host_network, CTR_YES);
	assert_int_equal(c.host_ipc, CTR_NO);	/* a path, but not an ipc namespace of ours */
	assert_int_equal(c.host_pid, CTR_NO);
	ctr_info_fini(&c);

	ctr_info_init(&c);
	assert_int_equal(oci_config_parse(cap_add_all, NULL, &c), 0);
	assert_int_equal(c.privileged, CTR_NO);
	assert_int_equal(c.host_ipc, CTR_YES);
	ctr_info_fini(&c);

	/* odd shapes: ignored, never trusted */
	ctr_info_init(&c);
	assert_int_equal(oci_config_parse("{\"mounts\":{},\"linux\":[],\"process\":7}", NULL, &c), 0);
	assert_int_equal(c.privileged, CTR_UNKNOWN);
	assert_int_equal(c.host_network, CTR_UNKNOWN);
	assert_int_equal(c.n_mounts, 0);
	assert_int_equal(oci_config_parse("[1,2]", NULL, &c), -EBADMSG);
	ctr_info_fini(&c);
}

static void test_cap_baseline(void **state)
{
	const uint64_t s = 1000000000ULL;
	char dir[] = "/tmp/vigil-caps.XXXXXX", cmd[64];
	struct cap_baselines *b;
	struct ctr_info a = { .cgroup_id = 1, .image = "app:1", .image_id = "sha256:aaaa" };
	struct ctr_info a2 = { .cgroup_id = 2, .image = "app:2", .image_id = "sha256:aaaa" };	/* the same image, another tag */
	struct ctr_info other = { .cgroup_id = 3, .id = "abcd" };	/* no image: its own baseline */
	struct cap_judgement j;

	assert_non_null(mkdtemp(dir));
	b = cap_baselines_new(10 * s, dir);
	assert_non_null(b);
	cap_baseline_start(b, &a, 5 * s);
	j = cap_baseline_judge(b, &a, 0, 6 * s);	/* CAP_CHOWN while learning */
	assert_true(j.learning && j.in_baseline);
	/* a second container of the image inside the first one's window learns with it */
	cap_baseline_start(b, &a2, 7 * s);
	j = cap_baseline_judge(b, &a2, 1, 8 * s);
	assert_true(j.learning && j.in_baseline);
	j = cap_baseline_judge(b, &a, 27, 16 * s);	/* CAP_MKNOD after the window */
	assert_false(j.learning);
	assert_false(j.in_baseline);
	assert_true(cap_baseline_of(b, &a) == 3);
	/* learned once: a container of the image started later does not learn again */
	cap_baseline_forget(b, a2.cgroup_id);
	cap_baseline_start(b, &a2, 100 * s);
	j = cap_baseline_judge(b, &a2, 27, 100 * s);
	assert_false(j.learning || j.in_baseline);
	j = cap_baseline_judge(b, &a2, 0, 101 * s);
	assert_false(j.learning);
	assert_true(j.in_baseline);
	/* an image of its own starts its own baseline */
	j = cap_baseline_judge(b, &other, 0, 300 * s);
	assert_true(j.learning);
	assert_true(cap_baseline_of(b, &other) == 1);
	j = cap_baseline_judge(b, &other, 64, 300 * s);	/* out of range */
	assert_false(j.learning || j.in_baseline);
	cap_baselines_free(b);	/* saves */
	/* a restarted agent keeps what was learned, closed: no new learning for the image */
	b = cap_baselines_new(10 * s, dir);
	assert_non_null(b);
	assert_true(cap_baseline_of(b, &a) == 3);
	cap_baseline_start(b, &a, 1000 * s);
	j = cap_baseline_judge(b, &a, 27, 1000 * s);
	assert_false(j.learning || j.in_baseline);
	/* the open one was not saved: its image learns anew */
	j = cap_baseline_judge(b, &other, 0, 1000 * s);
	assert_true(j.learning);
	cap_baselines_free(b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void target(struct ctr_activity *c, uint16_t port, uint64_t ts)
{
	static const uint8_t addr[16] = { 192, 0, 2, 1 };

	activity_connect(c, addr, port, ts);
}

static void test_recent_targets(void **state)
{
	struct activity *act = activity_new();
	struct ctr_activity *t = activity_of(act, 42);
	uint64_t s = 1000000000ULL, i;

	assert_non_null(t);
	assert_ptr_equal(activity_of(act, 42), t);
	for (i = 0; i < 30; i++)
		target(t, 100 + i, s + i * 1000);	/* 30 ports in 30 us */
	target(t, 100, s + 40000);			/* a repeat */
	assert_int_equal(activity_recent_targets(t, s + 50000), 30);
	/* 10 s later only what is newer than the window counts */
	target(t, 999, s + CTR_RECENT_WINDOW_NS + 20000);
	assert_int_equal(activity_recent_targets(t, s + CTR_RECENT_WINDOW_NS + 20000), 12);
	assert_int_equal(activity_recent_targets(t, s + 5 * CTR_RECENT_WINDOW_NS), 0);
	/* more than the ring holds: the oldest are forgotten, no overflow */
	for (i = 0; i < 200; i++)
		target(t, i, s + 100 * CTR_RECENT_WINDOW_NS + i);
	assert_int_equal(activity_recent_targets(t, s + 100 * CTR_RECENT_WINDOW_NS + 200), CTR_RECENT_TARGETS);
	activity_forget(act, 42);
	activity_free(act);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_list),
		cmocka_unit_test(test_docker_hostile),
		cmocka_unit_test(test_oci_annotations),
		cmocka_unit_test(test_crio_fixture),
		cmocka_unit_test(test_containerd_cri_fixture),
		cmocka_unit_test(test_podman_storage),
		cmocka_unit_test(test_recent_targets),
		cmocka_unit_test(test_oci_configuration),
		cmocka_unit_test(test_cap_baseline),
	};

	return cmocka_run_group_tests_name("container_meta", tests, NULL, NULL);
}
