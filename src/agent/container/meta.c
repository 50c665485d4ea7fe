/*
 * meta.c - fetching a container's metadata through the runtime backends,
 * in order: the OCI bundle first (it is on disk before the container's
 * first process), then podman's container storage (also on disk), then
 * the Docker Engine API.  A backend only fills what is still unknown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "container/meta_priv.h"
#include "util/log.h"

#define DEFAULT_DOCKER_SOCKET "/var/run/docker.sock"
#define DEFAULT_PODMAN_ROOT "/var/lib/containers/storage"
/*
 * containerd task bundles (docker's own and system), CRI-O's; podman's
 * userdata directory in its storage is added to them
 */
#define DEFAULT_OCI_ROOTS \
	"/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby:" \
	"/run/containerd/io.containerd.runtime.v2.task/moby:" \
	"/run/containerd/io.containerd.runtime.v2.task/k8s.io:" \
	"/run/containerd/io.containerd.runtime.v2.task/default:" \
	"/run/containers/storage/overlay-containers/%s/userdata"

static const struct ctr_backend *const backends[] = {
	&ctr_backend_oci,
	&ctr_backend_podman,
	&ctr_backend_docker,
};

struct ctr_meta *ctr_meta_new(const struct ctr_meta_config *cfg)
{
	struct ctr_meta *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->docker_socket = strdup(cfg && cfg->docker_socket ? cfg->docker_socket : DEFAULT_DOCKER_SOCKET);
	m->podman_root = strdup(cfg && cfg->podman_root ? cfg->podman_root : DEFAULT_PODMAN_ROOT);
	if (cfg && cfg->oci_roots)
		m->oci_roots = strdup(cfg->oci_roots);
	else if (m->podman_root && asprintf(&m->oci_roots, "%s:%s/overlay-containers/%%s/userdata", DEFAULT_OCI_ROOTS,
					    m->podman_root) < 0)
		m->oci_roots = NULL;
	m->timeout_ms = cfg && cfg->timeout_ms > 0 ? cfg->timeout_ms : 1500;
	if (!m->docker_socket || !m->oci_roots || !m->podman_root) {
		ctr_meta_free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

void ctr_meta_free(struct ctr_meta *m)
{
	if (!m)
		return;
	if (m->curl)
		curl_easy_cleanup(m->curl);
	free(m->docker_socket);
	free(m->oci_roots);
	free(m->podman_root);
	free(m);
}

enum ctr_meta_state ctr_meta_fetch(struct ctr_meta *m, struct ctr_info *c)
{
	enum ctr_meta_state st = CTR_META_DONE;
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i]->fill(m, c) == -EAGAIN) {
			log_debug("container %.12s: %s did not answer", c->id, backends[i]->name);
			st = CTR_META_PARTIAL;
		}
	return st;
}

static int scan_noop(void *arg, const char *path, uint64_t cgid, uint64_t top)
{
	return 0;
}

static int fetch_one(void *arg, struct ctr_info *c)
{
	struct ctr_info tmp = { 0 };

	ctr_info_init(&tmp);
	memcpy(tmp.id, c->id, sizeof(tmp.id));
	tmp.runtime = c->runtime;
	c->meta = ctr_meta_fetch(arg, &tmp);
	ctr_info_merge(c, &tmp);
	ctr_info_fini(&tmp);
	return 0;
}

int ctr_scan_named(struct ctr_registry *r, const struct ctr_meta_config *cfg)
{
	const char *root = cgroup2_root();
	struct ctr_meta *m;
	int n;

	if (!root)
		return -ENOENT;
	if (!(m = ctr_meta_new(cfg)))
		return -ENOMEM;
	n = ctr_scan(r, root, scan_noop, NULL);
	ctr_each(r, fetch_one, m);
	ctr_meta_free(m);
	return n;
}
