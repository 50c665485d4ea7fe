/*
 * cgroup_path.h - which container a cgroup path belongs to.
 *
 * Knows the layouts of docker (cgroupfs and systemd drivers), containerd
 * (plain and CRI / Kubernetes), CRI-O and podman, under cgroup v1 and v2.
 */
#ifndef VIGIL_CGROUP_PATH_H
#define VIGIL_CGROUP_PATH_H

#include <stddef.h>

#define CTR_ID_LEN 64

enum ctr_runtime {
	RT_UNKNOWN = 0,
	RT_DOCKER,
	RT_CONTAINERD,
	RT_CRIO,
	RT_PODMAN,
};

struct cgroup_ctr {
	enum ctr_runtime runtime;
	int kubernetes;			/* found below a kubepods cgroup */
	char id[CTR_ID_LEN + 1];	/* 64 lower-case hex digits */
};

/*
 * Parses one cgroup path (as in /proc/PID/cgroup or a cgroup_mkdir event).
 * Returns 1 and fills *out for a container, 0 for a host cgroup.
 * The innermost component that carries an id wins.
 */
int cgroup_path_parse(const char *path, size_t len, struct cgroup_ctr *out);

/*
 * The decision alone for one directory name (not NUL-terminated): the
 * kernel's, from abi/ctr_id.h.  1 for a container's cgroup.
 */
int cgroup_leaf_is_container(const char *name, size_t len);

const char *ctr_runtime_name(enum ctr_runtime rt);

#endif
