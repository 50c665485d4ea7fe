/*
 * podman.c - the podman backend: names and images from podman's own
 * container storage (containers/storage's containers.json), which podman
 * writes when it creates a container, before the container's cgroup
 * exists.  No podman service is asked: rootful podman has none by default,
 * and a `podman run --rm` is gone before one could answer.
 *
 * The file is written by podman, but a container's name and the image
 * name inside "metadata" come from users: every field is type-checked and
 * the metadata string parsed as JSON of its own.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "container/meta_priv.h"
#include "util/log.h"
#include "util/safefile.h"

/* containers/storage keeps one containers.json per storage driver */
static const char *const drivers[] = { "overlay", "vfs", "btrfs", "zfs" };

static void set_str(char **dst, const char *s)
{
	if (!s || !*s || *dst)
		return;
	*dst = strdup(s);
}

int podman_containers_parse(const char *json, struct ctr_info *c)
{
	json_t *root = json_loads(json, 0, NULL), *e;
	size_t i;
	int rc = -ENOENT;

	if (!json_is_array(root)) {
		json_decref(root);
		return -EINVAL;
	}
	json_array_foreach(root, i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		const char *image = json_string_value(json_object_get(e, "image"));
		json_t *names = json_object_get(e, "names"), *meta;

		if (!id || strcmp(id, c->id))
			continue;
		if (json_is_array(names))
			set_str(&c->name, json_string_value(json_array_get(names, 0)));
		/* "metadata" is a JSON document in a string: image-name is the name it was run by */
		meta = json_loads(json_string_value(json_object_get(e, "metadata")) ?: "", 0, NULL);
		if (json_is_object(meta)) {
			set_str(&c->name, json_string_value(json_object_get(meta, "name")));
			set_str(&c->image, json_string_value(json_object_get(meta, "image-name")));
		}
		json_decref(meta);
		if (image && strlen(image) == CTR_ID_LEN && !c->image_id) {
			char digest[8 + CTR_ID_LEN];

			snprintf(digest, sizeof(digest), "sha256:%s", image);
			c->image_id = strdup(digest);
		}
		rc = 0;
		break;
	}
	json_decref(root);
	return rc;
}

static int podman_fill(struct ctr_meta *m, struct ctr_info *c)
{
	char dir[512];
	size_t i;

	/* a cgroup named libpod-<id> (or under libpod_parent) is podman's; an unknown one may be */
	if (c->runtime != RT_PODMAN && c->runtime != RT_UNKNOWN)
		return 0;
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		char *json;
		int rc;

		snprintf(dir, sizeof(dir), "%s/%s-containers", m->podman_root, drivers[i]);
		json = safefile_read_at(dir, "containers.json", SAFEFILE_BENEATH, CTR_META_MAX_BYTES, NULL);
		if (!json)
			continue;
		rc = podman_containers_parse(json, c);
		free(json);
		if (rc == -EINVAL)
			log_warnx("%s/containers.json: not a JSON array, ignored", dir);
		if (!rc) {
			c->runtime = RT_PODMAN;
			break;
		}
	}
	return 0;
}

const struct ctr_backend ctr_backend_podman = { "podman", podman_fill };
