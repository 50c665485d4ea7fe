/*
 * container_meta.c - container metadata from the runtimes: the Docker
 * Engine API over its unix socket (libcurl) and OCI bundle annotations.
 * JSON is parsed with jansson; every field is type-checked, so odd
 * metadata is ignored rather than trusted.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "container/container.h"
#include "util/names.h"

static void set_str(char **dst, json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || !*s || *dst)
		return;
	*dst = strdup(s);
}

/* An answer of GET /containers/json?all=1&filters={"id":[ID]} */
int docker_list_parse(const char *json, struct ctr_info *c)
{
	json_error_t err;
	json_t *root = json_loads(json, 0, &err), *item, *names, *labels;
	const char *name;

	if (!root)
		return -EBADMSG;
	if (!json_is_array(root) || json_array_size(root) < 1 ||
	    !json_is_object(item = json_array_get(root, 0))) {
		json_decref(root);
		return -ENOENT;
	}
	names = json_object_get(item, "Names");
	name = json_string_value(json_array_get(names, 0));
	if (name && !c->name)
		c->name = strdup(name[0] == '/' ? name + 1 : name);
	set_str(&c->image, json_object_get(item, "Image"));
	set_str(&c->image_id, json_object_get(item, "ImageID"));
	labels = json_object_get(item, "Labels");
	if (json_is_object(labels)) {
		/* set by Kubernetes' dockershim / cri-dockerd */
		set_str(&c->pod, json_object_get(labels, "io.kubernetes.pod.name"));
		set_str(&c->k8s_ns, json_object_get(labels, "io.kubernetes.pod.namespace"));
		set_str(&c->k8s_container, json_object_get(labels, "io.kubernetes.container.name"));
		set_str(&c->profile_label, json_object_get(labels, "vigil.profile"));
	}
	json_decref(root);
	return 0;
}

void ctr_targets_add(struct ctr_targets *t, uint64_t key, uint64_t ts)
{
	unsigned int i = t->next++ % CTR_RECENT_TARGETS;

	t->key[i] = key;
	t->ts[i] = ts;
}

unsigned int ctr_targets_recent(const struct ctr_targets *t, uint64_t now)
{
	unsigned int i, j, n = 0;

	/* 64 entries: a quadratic distinct count is cheaper than a hash here */
	for (i = 0; i < CTR_RECENT_TARGETS; i++) {
		if (!t->ts[i] || t->ts[i] > now || now - t->ts[i] > CTR_RECENT_WINDOW_NS)
			continue;
		for (j = 0; j < i; j++)
			if (t->key[j] == t->key[i] && t->ts[j] && t->ts[j] <= now &&
			    now - t->ts[j] <= CTR_RECENT_WINDOW_NS)
				break;
		if (j == i)
			n++;
	}
	return n;
}

/* process.capabilities.bounding: names the runtime asked for. */
static uint64_t oci_caps(json_t *arr)
{
	uint64_t caps = 0;
	size_t i;
	json_t *v;
	int n;

	json_array_foreach(arr, i, v) {
		n = cap_number(json_string_value(v));
		if (n >= 0)
			caps |= 1ULL << n;
	}
	return caps;
}

/* Is the namespace file at path the agent's own (the host's)? */
static bool ns_is_agents(const char *type, const char *path)
{
	char self[64];
	struct stat a, b;

	snprintf(self, sizeof(self), "/proc/self/ns/%s", !strcmp(type, "network") ? "net" : type);
	return !stat(path, &a) && !stat(self, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * linux.namespaces: a type left out is shared with the runtime, the host's.
 * One joined by path is the host's when the path is the agent's own
 * namespace (Docker's --network host joins /var/run/docker/netns/default),
 * else another container's (--network container:X).
 */
static int oci_host_namespace(json_t *nss, const char *type)
{
	const char *t, *path;
	size_t i;
	json_t *ns;

	if (!json_is_array(nss))
		return CTR_UNKNOWN;
	json_array_foreach(nss, i, ns) {
		t = json_string_value(json_object_get(ns, "type"));
		if (!t || strcmp(t, type))
			continue;
		path = json_string_value(json_object_get(ns, "path"));
		return path && *path && ns_is_agents(type, path) ? CTR_YES : CTR_NO;
	}
	return CTR_YES;
}

static bool has_option(json_t *opts, const char *want)
{
	size_t i;
	json_t *o;

	json_array_foreach(opts, i, o)
		if (json_is_string(o) && !strcmp(json_string_value(o), want))
			return true;
	return false;
}

static const char *propagation_of(json_t *opts)
{
	static const char *const kinds[] = { "rprivate", "private", "rshared", "shared", "rslave",
					     "slave", "runbindable", "unbindable", NULL };
	int i;

	for (i = 0; kinds[i]; i++)
		if (has_option(opts, kinds[i]))
			return kinds[i];
	return NULL;
}

/* mounts: the bind mounts only, each a host path shown inside. */
static void oci_mounts(json_t *arr, struct ctr_info *c)
{
	size_t i, n = 0;
	json_t *m, *opts;
	const char *src, *dst, *type, *prop;

	if (!json_is_array(arr) || c->mounts)
		return;
	c->mounts = calloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof(*c->mounts));
	if (!c->mounts)
		return;
	json_array_foreach(arr, i, m) {
		src = json_string_value(json_object_get(m, "source"));
		dst = json_string_value(json_object_get(m, "destination"));
		type = json_string_value(json_object_get(m, "type"));
		opts = json_object_get(m, "options");
		if (!src || !dst || !*src || !*dst)
			continue;
		if (!(type && !strcmp(type, "bind")) && !has_option(opts, "bind") && !has_option(opts, "rbind"))
			continue;
		prop = propagation_of(opts);
		c->mounts[n].source = strdup(src);
		c->mounts[n].dest = strdup(dst);
		c->mounts[n].propagation = prop ? strdup(prop) : NULL;
		c->mounts[n].rw = !has_option(opts, "ro");
		if (!c->mounts[n].source || !c->mounts[n].dest) {
			free(c->mounts[n].source);
			free(c->mounts[n].dest);
			free(c->mounts[n].propagation);
			continue;
		}
		n++;
	}
	c->n_mounts = n;
}

int oci_config_parse(const char *json, struct ctr_info *c)
{
	json_error_t err;
	json_t *root = json_loads(json, 0, &err), *a, *linux_, *bounding, *masked;

	if (!root)
		return -EBADMSG;
	if (!json_is_object(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	a = json_object_get(root, "annotations");
	if (json_is_object(a)) {
		/* containerd CRI */
		set_str(&c->k8s_container, json_object_get(a, "io.kubernetes.cri.container-name"));
		set_str(&c->pod, json_object_get(a, "io.kubernetes.cri.sandbox-name"));
		set_str(&c->k8s_ns, json_object_get(a, "io.kubernetes.cri.sandbox-namespace"));
		set_str(&c->image, json_object_get(a, "io.kubernetes.cri.image-name"));
		/* CRI-O */
		set_str(&c->k8s_container, json_object_get(a, "io.kubernetes.container.name"));
		set_str(&c->pod, json_object_get(a, "io.kubernetes.pod.name"));
		set_str(&c->k8s_ns, json_object_get(a, "io.kubernetes.pod.namespace"));
		set_str(&c->image, json_object_get(a, "io.kubernetes.cri-o.ImageName"));
		set_str(&c->name, json_object_get(a, "io.kubernetes.cri-o.ContainerName"));
		/* podman */
		set_str(&c->name, json_object_get(a, "io.podman.annotations.container.name"));
	}
	linux_ = json_object_get(root, "linux");
	if (json_is_object(linux_)) {
		json_t *nss = json_object_get(linux_, "namespaces");

		c->host_network = oci_host_namespace(nss, "network");
		c->host_ipc = oci_host_namespace(nss, "ipc");
		c->host_pid = oci_host_namespace(nss, "pid");
	}
	bounding = json_object_get(json_object_get(json_object_get(root, "process"), "capabilities"),
				   "bounding");
	if (json_is_array(bounding)) {
		c->cap_bounding = oci_caps(bounding);
		/*
		 * Privileged mode (docker --privileged, Kubernetes privileged:
		 * true) gives every capability and leaves /proc and /sys
		 * unmasked; --cap-add ALL alone keeps the masks.
		 */
		masked = json_object_get(linux_, "maskedPaths");
		c->privileged = (c->cap_bounding & (1ULL << 21 /* CAP_SYS_ADMIN */)) &&
				(c->cap_bounding & (1ULL << 16 /* CAP_SYS_MODULE */)) &&
				(!json_is_array(masked) || json_array_size(masked) == 0);
	}
	oci_mounts(json_object_get(root, "mounts"), c);
	json_decref(root);
	return 0;
}
