/*
 * oci.c - the OCI bundle backend: a container's config.json as its runtime
 * (containerd's shim, CRI-O, podman) wrote it before the container's first
 * process: annotations (Kubernetes names), namespaces, capabilities, bind
 * mounts and the root filesystem.  jansson parses it; every field is
 * type-checked, so odd metadata is ignored rather than trusted.
 */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "abi/abi.h"
#include "container/container.h"
#include "container/meta_priv.h"
#include "util/netaddr.h"
#include "util/log.h"
#include "util/names.h"
#include "util/safefile.h"

static void set_str(char **dst, json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || !*s || *dst)
		return;
	*dst = strdup(s);
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

/* root.path: absolute, or relative to the bundle directory. */
static void oci_root(json_t *root, const char *bundle, struct ctr_info *c)
{
	const char *p = json_string_value(json_object_get(json_object_get(root, "root"), "path"));

	if (!p || !*p || c->rootfs)
		return;
	if (p[0] == '/')
		c->rootfs = strdup(p);
	else if (bundle && asprintf(&c->rootfs, "%s/%s", bundle, p) < 0)
		c->rootfs = NULL;
}

/*
 * process.env as the runtime wrote it (not what a process later sets):
 * the kubelet gives every pod KUBERNETES_SERVICE_HOST, the API server's
 * service address, which names it for fd.sip.name.
 */
static void oci_env(json_t *env, struct ctr_info *c)
{
	static const char key[] = "KUBERNETES_SERVICE_HOST=";
	size_t i;
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, key, sizeof(key) - 1) && addr_parse16(s + sizeof(key) - 1, c->k8s_api)) {
			c->has_k8s_api = true;
			return;
		}
	}
}

int oci_config_parse(const char *json, const char *bundle, struct ctr_info *c)
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
		set_str(&c->k8s_pod_uid, json_object_get(a, "io.kubernetes.cri.sandbox-uid"));
		/* CRI-O */
		set_str(&c->k8s_container, json_object_get(a, "io.kubernetes.container.name"));
		set_str(&c->pod, json_object_get(a, "io.kubernetes.pod.name"));
		set_str(&c->k8s_ns, json_object_get(a, "io.kubernetes.pod.namespace"));
		set_str(&c->k8s_pod_uid, json_object_get(a, "io.kubernetes.pod.uid"));
		set_str(&c->image, json_object_get(a, "io.kubernetes.cri-o.ImageName"));
		/* a pod's container is named as in its pod spec (Falco's container.name), else CRI-O's k8s_ name */
		if (!c->name && c->k8s_container)
			c->name = strdup(c->k8s_container);
		set_str(&c->name, json_object_get(a, "io.kubernetes.cri-o.ContainerName"));
		/* a bare id under a pod's cgroup names no runtime: CRI-O and podman say who they are */
		if (c->runtime == RT_UNKNOWN) {
			const char *mgr = json_string_value(json_object_get(a, "io.container.manager"));

			if (mgr && !strcmp(mgr, "cri-o"))
				c->runtime = RT_CRIO;
			else if (mgr && !strcmp(mgr, "libpod"))
				c->runtime = RT_PODMAN;
		}
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
	oci_env(json_object_get(json_object_get(root, "process"), "env"), c);
	oci_mounts(json_object_get(root, "mounts"), c);
	oci_root(root, bundle, c);
	json_decref(root);
	return 0;
}

/* The first bundle root holding the container's config.json wins. */
static int oci_fill(struct ctr_meta *m, struct ctr_info *c)
{
	char *roots = strdup(m->oci_roots), *save = NULL, *root, *json;
	char dir[512];

	if (!roots)
		return -ENOMEM;
	for (root = strtok_r(roots, ":", &save); root; root = strtok_r(NULL, ":", &save)) {
		if (strstr(root, "%s"))
			snprintf(dir, sizeof(dir), root, c->id);
		else
			snprintf(dir, sizeof(dir), "%s/%s", root, c->id);
		/* written by the runtime, but its mounts and names come from users */
		json = safefile_read_at(dir, "config.json", SAFEFILE_BENEATH, CTR_META_MAX_BYTES, NULL);
		if (!json)
			continue;
		if (oci_config_parse(json, dir, c))
			log_warnx("%s/config.json: not valid JSON, ignored", dir);
		/* a containerd task bundle: containerd's container (Docker's are named by their cgroup) */
		if (c->runtime == RT_UNKNOWN && strstr(root, "/io.containerd.runtime.v2.task/"))
			c->runtime = RT_CONTAINERD;
		free(json);
		break;
	}
	free(roots);
	return 0;
}

const struct ctr_backend ctr_backend_oci = { "oci", oci_fill };
