/*
 * container.h - the container module: cgroup id -> container, with its
 * metadata.
 *
 *   registry.c     the table of containers (main thread only)
 *   cgroup_path.c  which container a cgroup path names
 *   meta.c         fetching metadata through the runtime backends:
 *   docker.c         the Docker Engine API (unix socket)
 *   oci.c            the OCI bundle's config.json (annotations, namespaces,
 *                    capabilities, mounts, root)
 *
 * The kernel says which cgroups are containers (cgroup_mkdir).  The
 * registry adds an entry at once, named by the id in its cgroup path, and
 * marks its metadata pending; metadata is fetched off the event path (by
 * the agent's worker thread, src/agent/core/worker.c) into a separate
 * struct ctr_info that the main thread merges in.  So the registry is never
 * shared between threads, and no runtime request runs inside the ring
 * buffer callback.
 */
#ifndef VIGIL_CONTAINER_H
#define VIGIL_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include "container/cgroup_path.h"
#include "util/netaddr.h"

/* A bind mount from the OCI config: a host path seen inside the container. */
struct ctr_mount {
	char *source;			/* host path */
	char *dest;			/* path in the container */
	char *propagation;		/* "rprivate", ...; NULL when not set */
	int rw;
};

/* One of the container's network attachments: its address, and its network. */
struct ctr_net {
	uint8_t ip[16];			/* util/netaddr.h form */
	struct net_prefix net;		/* the subnet it is on */
};
#define CTR_MAX_NETS 16

/* Tristate: the OCI config was not found, or says yes/no. */
enum ctr_flag { CTR_UNKNOWN = -1, CTR_NO = 0, CTR_YES = 1 };

enum ctr_meta_state {
	CTR_META_PENDING = 0,		/* asked for, not answered yet */
	CTR_META_DONE,			/* every backend answered (or had nothing) */
	CTR_META_PARTIAL,		/* a backend that should know did not answer: retried */
};

struct ctr_info {
	uint64_t cgroup_id;		/* the container's top cgroup (v2 id) */
	char id[CTR_ID_LEN + 1];
	enum ctr_runtime runtime;
	/* owned strings, NULL when unknown */
	char *name;			/* without Docker's leading '/' */
	char *image;			/* as the user named it (repo:tag) */
	char *image_id;			/* content digest (sha256:...) */
	char *pod;			/* Kubernetes pod name */
	char *k8s_ns;			/* Kubernetes namespace */
	char *k8s_container;		/* Kubernetes container name */
	char *k8s_pod_uid;
	char *profile_label;		/* label vigil.profile: a profile name */
	char *rootfs;			/* the container's root directory, host path */
	/* from the OCI runtime config (config.json), CTR_UNKNOWN without one */
	int privileged;			/* all capabilities and no masked paths */
	int host_network;		/* no network namespace of its own */
	int host_ipc;
	int host_pid;
	uint64_t cap_bounding;		/* bounding set the runtime asked for */
	/* the Kubernetes API service (process.env KUBERNETES_SERVICE_HOST the kubelet set) */
	uint8_t k8s_api[16];
	bool has_k8s_api;
	struct ctr_mount *mounts;	/* bind mounts, config order */
	size_t n_mounts;
	/* from the runtime: its addresses (Docker assigns them while it starts) */
	struct ctr_net nets[CTR_MAX_NETS];
	size_t n_nets;
	int nets_pending;		/* attached to a network whose address is not assigned yet */
	uint64_t created_ns;		/* its cgroup appeared (boot ns), 0 before the agent */
	bool counts_gap;		/* the syscall counter was off for part of its life */
	bool setup_counts_gap;		/* ... for the runtime's first set-up syscalls */
	unsigned int policy_entries;	/* (enforce) its own policy entries in the kernel */
	uint64_t events;		/* (--metrics) its events through the pipeline */
	uint64_t alerts;		/* ... and how many were INSECURE */
	/* kept by the registry */
	enum ctr_meta_state meta;
	unsigned int meta_tries;
	int exited;			/* its cgroup was removed */
	unsigned int holds;		/* (pipeline) lookups its records wait for, besides metadata */
	char *cgroup_path;		/* inside the v2 hierarchy */
};

struct ctr_registry;

/* Returns NULL with errno set. */
struct ctr_registry *ctr_registry_new(void);
void ctr_registry_free(struct ctr_registry *r);

/*
 * Adds the container whose top cgroup is cgid and whose cgroup path is path
 * (inside the v2 hierarchy), metadata pending.  Returns the entry
 * (borrowed, valid until it is freed after its exit), NULL if path names no
 * container.  An existing entry is returned as it is.
 */
struct ctr_info *ctr_add(struct ctr_registry *r, uint64_t cgid, const char *path);

/* The container of top cgroup cgid, or NULL.  Borrowed. */
struct ctr_info *ctr_lookup(struct ctr_registry *r, uint64_t cgid);

/*
 * The running container that has address addr (util/netaddr.h form), or
 * NULL.  When no runtime gave the address, the network namespaces of the
 * containers without known addresses are asked (files in /proc each): for
 * rare events only.
 */
struct ctr_info *ctr_by_addr(struct ctr_registry *r, const uint8_t addr[16]);
/* The same from the addresses the runtimes gave only: no I/O, for every connect. */
struct ctr_info *ctr_by_runtime_addr(struct ctr_registry *r, const uint8_t addr[16]);

/* The container named name, or whose id starts with it (>= 4 chars), or NULL. */
struct ctr_info *ctr_find(struct ctr_registry *r, const char *name_or_id);

/* Calls cb for every container; stops when cb returns non-zero. */
void ctr_each(struct ctr_registry *r, int (*cb)(void *arg, struct ctr_info *c), void *arg);

/* Marks the container gone; the entry is freed after 256 more removals. */
void ctr_mark_exited(struct ctr_registry *r, uint64_t cgid);

/* Number of containers not exited. */
size_t ctr_count(struct ctr_registry *r);

/*
 * Walks the cgroup v2 tree under root and calls cb for every cgroup of a
 * container (top and nested), with its directory and the container's top
 * cgroup id; adds each container to r.  For containers started before the
 * agent.  Dot-named directories are walked too (a container may make
 * them); depth is bounded by VIGIL_CGROUP_SCAN_DEPTH.
 */
#define VIGIL_CGROUP_SCAN_DEPTH 64
typedef int (*ctr_scan_cb)(void *arg, const char *path, uint64_t cgid, uint64_t top_cgid);
int ctr_scan(struct ctr_registry *r, const char *root, ctr_scan_cb cb, void *arg);

/* The mount point of the cgroup v2 hierarchy, or NULL. Static storage. */
const char *cgroup2_root(void);

/* A new entry's configuration fields: unknown until a config is read. */
void ctr_info_init(struct ctr_info *c);
/* Frees the strings of c and clears it (for entries not in a registry). */
void ctr_info_fini(struct ctr_info *c);
/*
 * What learned baselines key an image by: its digest (two tags of one image
 * share it, a rebuilt image does not); else its name; else the container id.
 */
const char *ctr_image_key(const struct ctr_info *c);
/*
 * Moves what src knows and dst does not into dst (src keeps the rest and
 * must still be ctr_info_fini'd).  The identity fields of dst stay.
 */
void ctr_info_merge(struct ctr_info *dst, struct ctr_info *src);

/* ---- metadata (meta.c and the backends) ---- */

struct ctr_meta_config {
	const char *docker_socket;	/* NULL: /var/run/docker.sock */
	const char *oci_roots;		/* ':'-separated bundle roots; NULL: defaults */
	const char *podman_root;	/* podman's storage; NULL: /var/lib/containers/storage */
	int timeout_ms;			/* per runtime request */
};

struct ctr_meta;

/* A fetcher, owned by one thread.  NULL with errno set. */
struct ctr_meta *ctr_meta_new(const struct ctr_meta_config *cfg);
void ctr_meta_free(struct ctr_meta *m);

/*
 * Fills c (whose id and runtime are set) from every backend that knows it.
 * Returns CTR_META_DONE, or CTR_META_PARTIAL when a backend that should
 * have answered could not (the Docker socket exists but did not answer).
 * May block for up to the configured timeout: never call it on the event
 * path.
 */
enum ctr_meta_state ctr_meta_fetch(struct ctr_meta *m, struct ctr_info *c);

/*
 * For the command-line tools: scans the cgroup tree into r and fetches
 * every container's metadata now (blocking).  Returns the count or -errno.
 */
int ctr_scan_named(struct ctr_registry *r, const struct ctr_meta_config *cfg);

/* A runtime backend: one source of metadata. */
struct ctr_backend {
	const char *name;
	/* 0 filled or not known there, -EAGAIN it should know but did not answer */
	int (*fill)(struct ctr_meta *m, struct ctr_info *c);
};

/* Fills c from podman's containers.json (for tests): 0, -ENOENT not there, -EINVAL not JSON. */
int podman_containers_parse(const char *json, struct ctr_info *c);
/* Parses a Docker /containers/json answer into c (for tests). 0 or -errno. */
int docker_list_parse(const char *json, struct ctr_info *c);
/*
 * Parses an OCI config.json into c: annotations (Kubernetes names) fill
 * unknown fields; namespaces, capabilities, bind mounts and the root set
 * the configuration fields.  bundle (may be NULL) resolves a relative root.
 */
int oci_config_parse(const char *json, const char *bundle, struct ctr_info *c);

#endif
