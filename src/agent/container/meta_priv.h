/*
 * meta_priv.h - shared by the metadata fetcher (meta.c) and its backends
 * (docker.c, oci.c, podman.c); not for the rest of the agent.
 */
#ifndef VIGIL_META_PRIV_H
#define VIGIL_META_PRIV_H

#include <curl/curl.h>
#include <stddef.h>
#include "container/container.h"

#define CTR_META_MAX_BYTES (4 << 20)	/* a runtime answer or config.json */

struct membuf {
	char *p;
	size_t len;
};

struct ctr_meta {
	char *docker_socket;
	char *oci_roots;
	char *podman_root;	/* containers/storage's graph root */
	int timeout_ms;
	CURL *curl;		/* reused: one connection setup per request */
};

extern const struct ctr_backend ctr_backend_docker;
extern const struct ctr_backend ctr_backend_oci;
extern const struct ctr_backend ctr_backend_podman;

#endif
