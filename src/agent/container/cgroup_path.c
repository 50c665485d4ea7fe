/* cgroup_path.c - container ids from cgroup paths (see cgroup_path.h). */
#include <string.h>

#include "abi/ctr_id.h"
#include "container/cgroup_path.h"

struct parent_rule {
	const char *dir;
	enum ctr_runtime runtime;
};

/* cgroupfs-driver parents of a bare id: <parent>/<id> */
static const struct parent_rule parent_dirs[] = {
	{ "docker", RT_DOCKER },
	{ "moby", RT_DOCKER },
	{ "libpod_parent", RT_PODMAN },
	{ "machine.slice", RT_PODMAN },
	{ "crio", RT_CRIO },
	{ "default", RT_CONTAINERD },	/* containerd's default namespace */
	{ "k8s.io", RT_CONTAINERD },	/* containerd's CRI namespace */
};

static enum ctr_runtime prefix_runtime(int prefix)
{
	switch (prefix) {
	case VIGIL_LEAF_DOCKER: return RT_DOCKER;
	case VIGIL_LEAF_CONTAINERD: return RT_CONTAINERD;
	case VIGIL_LEAF_CRIO: return RT_CRIO;
	case VIGIL_LEAF_PODMAN: return RT_PODMAN;
	default: return RT_UNKNOWN;
	}
}

/*
 * Tries one component; returns 1 if it names a container.  Whether it does
 * is the kernel's own decision (abi/ctr_id.h); only the runtime of a bare
 * id comes from the parent directory.
 */
static int parse_component(const char *c, size_t n, const char *parent, size_t pn,
			   struct cgroup_ctr *out)
{
	char leaf[VIGIL_LEAF_BUF] = { 0 };
	int off, prefix;
	size_t i;

	if (n >= sizeof(leaf))
		return 0;
	memcpy(leaf, c, n);
	off = vigil_leaf_ctr_id(leaf, n, &prefix);
	if (off < 0)
		return 0;
	memcpy(out->id, leaf + off, CTR_ID_LEN);
	out->id[CTR_ID_LEN] = '\0';
	out->runtime = prefix_runtime(prefix);
	if (prefix != VIGIL_LEAF_BARE)
		return 1;
	for (i = 0; i < sizeof(parent_dirs) / sizeof(parent_dirs[0]); i++) {
		if (pn == strlen(parent_dirs[i].dir) && !strncmp(parent, parent_dirs[i].dir, pn)) {
			out->runtime = parent_dirs[i].runtime;
			break;
		}
	}
	return 1;
}

int cgroup_path_parse(const char *path, size_t len, struct cgroup_ctr *out)
{
	const char *p = path, *end, *c, *parent = "";
	size_t n, pn = 0;
	int found = 0;
	struct cgroup_ctr cur;

	memset(out, 0, sizeof(*out));
	if (!path)
		return 0;
	end = path + len;
	while (p < end) {
		while (p < end && *p == '/')
			p++;
		c = p;
		while (p < end && *p != '/')
			p++;
		n = p - c;
		if (!n)
			break;
		if (n >= 8 && !strncmp(c, "kubepods", 8))
			out->kubernetes = 1;
		memset(&cur, 0, sizeof(cur));
		if (parse_component(c, n, parent, pn, &cur)) {
			/* keep the runtime learned from an outer component */
			if (cur.runtime == RT_UNKNOWN && found)
				cur.runtime = out->runtime;
			out->runtime = cur.runtime;
			memcpy(out->id, cur.id, sizeof(out->id));
			found = 1;
		}
		parent = c;
		pn = n;
	}
	return found;
}

int cgroup_leaf_is_container(const char *name, size_t len)
{
	char leaf[VIGIL_LEAF_BUF] = { 0 };
	int prefix;

	if (len >= sizeof(leaf))
		return 0;
	memcpy(leaf, name, len);
	return vigil_leaf_ctr_id(leaf, len, &prefix) >= 0;
}

const char *ctr_runtime_name(enum ctr_runtime rt)
{
	switch (rt) {
	case RT_DOCKER: return "docker";
	case RT_CONTAINERD: return "containerd";
	case RT_CRIO: return "cri-o";
	case RT_PODMAN: return "podman";
	default: return "unknown";
	}
}
