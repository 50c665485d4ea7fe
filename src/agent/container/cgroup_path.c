/* cgroup_path.c - container ids from cgroup paths (see cgroup_path.h). */
#include <string.h>

#include "container/cgroup_path.h"

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int hex_id_at(const char *s, size_t n)
{
	size_t i;

	if (n < CTR_ID_LEN)
		return 0;
	for (i = 0; i < CTR_ID_LEN; i++)
		if (!is_hex(s[i]))
			return 0;
	return 1;
}

struct prefix_rule {
	const char *prefix;
	enum ctr_runtime runtime;
};

/* systemd-driver scope names: <prefix><id>.scope */
static const struct prefix_rule scope_prefixes[] = {
	{ "docker-", RT_DOCKER },
	{ "cri-containerd-", RT_CONTAINERD },
	{ "crio-", RT_CRIO },
	{ "libpod-", RT_PODMAN },
};

/* cgroupfs-driver parents: <parent>/<id> */
static const struct prefix_rule parent_dirs[] = {
	{ "docker", RT_DOCKER },
	{ "moby", RT_DOCKER },
	{ "libpod_parent", RT_PODMAN },
	{ "machine.slice", RT_PODMAN },
	{ "crio", RT_CRIO },
	{ "default", RT_CONTAINERD },	/* containerd's default namespace */
	{ "k8s.io", RT_CONTAINERD },	/* containerd's CRI namespace */
};

/* Tries one component; returns 1 if it names a container. */
static int parse_component(const char *c, size_t n, const char *parent, size_t pn,
			   struct cgroup_ctr *out)
{
	size_t i, plen;

	for (i = 0; i < sizeof(scope_prefixes) / sizeof(scope_prefixes[0]); i++) {
		plen = strlen(scope_prefixes[i].prefix);
		if (n == plen + CTR_ID_LEN + 6 && !strncmp(c, scope_prefixes[i].prefix, plen) &&
		    hex_id_at(c + plen, n - plen) && !strncmp(c + plen + CTR_ID_LEN, ".scope", 6)) {
			out->runtime = scope_prefixes[i].runtime;
			memcpy(out->id, c + plen, CTR_ID_LEN);
			out->id[CTR_ID_LEN] = '\0';
			return 1;
		}
	}
	/* crio's conmon cgroup is the runtime's, not the container's */
	if (n == CTR_ID_LEN && hex_id_at(c, n)) {
		out->runtime = RT_UNKNOWN;
		for (i = 0; i < sizeof(parent_dirs) / sizeof(parent_dirs[0]); i++) {
			plen = strlen(parent_dirs[i].prefix);
			if (pn == plen && !strncmp(parent, parent_dirs[i].prefix, plen)) {
				out->runtime = parent_dirs[i].runtime;
				break;
			}
		}
		/* kubepods cgroupfs layout: .../pod<uid>/<id>, runtime unknown */
		memcpy(out->id, c, CTR_ID_LEN);
		out->id[CTR_ID_LEN] = '\0';
		return 1;
	}
	return 0;
}

int cgroup_path_parse(const char *path, size_t len, struct cgroup_ctr *out)
{
	const char *p = path, *end = path + len, *c, *parent = "";
	size_t n, pn = 0;
	int found = 0;
	struct cgroup_ctr cur;

	memset(out, 0, sizeof(*out));
	if (!path)
		return 0;
	while (p < end) {
		while (p < end && *p == '/')
			p++;
		c = p;
		while (p < end && *p != '/')
			p++;
		n = p - c;
		if (!n)
			break;
		if ((n >= 8 && !strncmp(c, "kubepods", 8)))
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
