/* Unit tests: container ids from cgroup paths of every runtime layout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "container/cgroup_path.h"

#define ID "7c963ca76858a6ac8e1b3c1f0e29a1b7c9f2f1d4e5a6b7c8d9e0f1a2b3c4d5e6"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_layouts(void **state)
{
	static const struct {
		const char *path;
		int found;
		enum ctr_runtime rt;
		const char *id;
		int k8s;
	} cases[] = {
		/* docker, cgroupfs driver (v1 line or v2 path) */
		{ "/docker/" ID, 1, RT_DOCKER, ID, 0 },
		{ "/docker/" ID "/", 1, RT_DOCKER, ID, 0 },
		/* docker, systemd driver */
		{ "/system.slice/docker-" ID ".scope", 1, RT_DOCKER, ID, 0 },
		/* docker-in-docker: the innermost id wins */
		{ "/docker/" ID "/docker/" ID2, 1, RT_DOCKER, ID2, 0 },
		/* containerd, plain and CRI */
		{ "/default/" ID, 1, RT_CONTAINERD, ID, 0 },
		{ "/k8s.io/" ID, 1, RT_CONTAINERD, ID, 0 },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice/cri-containerd-" ID ".scope",
		  1, RT_CONTAINERD, ID, 1 },
		/* kubernetes, cgroupfs driver: runtime not in the path */
		{ "/kubepods/burstable/pod0f0e0d0c-1111-2222-3333-444455556666/" ID, 1, RT_UNKNOWN, ID, 1 },
		{ "/kubepods/besteffort/pod0f0e0d0c-1111-2222-3333-444455556666", 0, RT_UNKNOWN, "", 1 },
		/* CRI-O */
		{ "/kubepods.slice/kubepods-pod12.slice/crio-" ID ".scope", 1, RT_CRIO, ID, 1 },
		{ "/crio/" ID, 1, RT_CRIO, ID, 0 },
		/* podman */
		{ "/machine.slice/libpod-" ID ".scope", 1, RT_PODMAN, ID, 0 },
		{ "/libpod_parent/" ID, 1, RT_PODMAN, ID, 0 },
		/* a systemd scope inside a container keeps the container */
		{ "/system.slice/docker-" ID ".scope/init.scope", 1, RT_DOCKER, ID, 0 },
		/* host cgroups */
		{ "/", 0, RT_UNKNOWN, "", 0 },
		{ "", 0, RT_UNKNOWN, "", 0 },
		{ "/user.slice/user-1000.slice/session-2.scope", 0, RT_UNKNOWN, "", 0 },
		{ "/system.slice/docker.service", 0, RT_UNKNOWN, "", 0 },
		/* near misses: too short, upper case, a non-hex digit, a prefix without .scope */
		{ "/docker/" "7c963ca76858", 0, RT_UNKNOWN, "", 0 },
		{ "/docker/7C963CA76858A6AC8E1B3C1F0E29A1B7C9F2F1D4E5A6B7C8D9E0F1A2B3C4D5E6", 0, RT_UNKNOWN, "", 0 },
		{ "/docker/7c963ca76858a6ac8e1b3c1f0e29a1b7c9f2f1d4e5a6b7c8d9e0f1a2b3c4d5eg", 0, RT_UNKNOWN, "", 0 },
		{ "/system.slice/docker-" ID, 0, RT_UNKNOWN, "", 0 },
	};
	struct cgroup_ctr c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int found = cgroup_path_parse(cases[i].path, strlen(cases[i].path), &c);

		if (found != cases[i].found)
			fail_msg("%s: found=%d, want %d", cases[i].path, found, cases[i].found);
		assert_int_equal(c.kubernetes, cases[i].k8s);
		if (!found)
			continue;
		assert_string_equal(c.id, cases[i].id);
		if (c.runtime != cases[i].rt)
			fail_msg("%s: runtime %s, want %s", cases[i].path, ctr_runtime_name(c.runtime),
				 ctr_runtime_name(cases[i].rt));
	}
}

static void test_not_nul_terminated(void **state)
{
	char buf[200];
	struct cgroup_ctr c;
	size_t n = snprintf(buf, sizeof(buf), "/docker/%sGARBAGE", ID);

	/* only the first len bytes count */
	assert_int_equal(cgroup_path_parse(buf, n - 7, &c), 1);
	assert_string_equal(c.id, ID);
	assert_int_equal(cgroup_path_parse(NULL, 0, &c), 0);
}

/*
 * The corpus shared with the kernel-side test: every name is judged by the
 * same decision the BPF program makes at cgroup_mkdir.
 */
static void test_leaf_corpus(void **state)
{
	FILE *f = fopen(TEST_DATA_DIR "/cgroup_leaves.txt", "r");
	char line[512], path[600], *name;
	int n = 0, want, got, plain;
	struct cgroup_ctr c;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		assert_true(line[1] == '\t');
		want = line[0] == '1';
		name = line + 2;
		got = cgroup_leaf_is_container(name, strlen(name));
		if (got != want)
			fail_msg("%s: agent says %d, corpus says %d", name, got, want);
		/* as the last component of a path, the full parser agrees */
		snprintf(path, sizeof(path), "/parent/%s", name);
		plain = cgroup_path_parse(path, strlen(path), &c);
		if (plain != want)
			fail_msg("%s: path parser says %d, corpus says %d", name, plain, want);
		n++;
	}
	fclose(f);
	assert_true(n >= 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_leaf_corpus),
	};

	return cmocka_run_group_tests_name("cgroup_path", tests, NULL, NULL);
}
