/*
 * container_meta.c - container metadata from the runtimes: the Docker
 * Engine API over its unix socket (libcurl) and OCI bundle annotations.
 * JSON is parsed with jansson; every field is type-checked, so odd
 * metadata is ignored rather than trusted.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

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

int oci_config_parse(const char *json, struct ctr_info *c)
{
	json_error_t err;
	json_t *root = json_loads(json, 0, &err), *a;

	if (!root)
		return -EBADMSG;
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
	json_decref(root);
	return 0;
}
