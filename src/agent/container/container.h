/*
 * container.h - cgroup id -> container, with its metadata.
 *
 * The kernel says which cgroups are containers (cgroup_mkdir); this registry
 * remembers, for each container's top cgroup, the container id parsed from
 * the cgroup path and metadata from the runtime: the Docker Engine API
 * (unix socket) and the OCI bundle's config.json (annotations; Kubernetes
 * names under containerd and CRI-O).  Metadata is fetched once, when the
 * container is added; a container removed quickly keeps what was found.
 */
#ifndef VIGIL_CONTAINER_H
#define VIGIL_CONTAINER_H

#include <stdint.h>
#include "container/cgroup_path.h"

/* The container's recent connect destinations, for scan detection. */
#define CTR_RECENT_TARGETS 64
#define CTR_RECENT_WINDOW_NS 10000000000ULL

struct ctr_targets {
	uint64_t key[CTR_RECENT_TARGETS];	/* address and port, hashed */
	uint64_t ts[CTR_RECENT_TARGETS];	/* boot-time ns */
	unsigned int next;
};

/* A bind mount from the OCI config: a host path seen inside the container. */
struct ctr_mount {
	char *source;			/* host path */
	char *dest;			/* path in the container */
	char *propagation;		/* "rprivate", ...; NULL when not set */
	int rw;
};

/* Tristate: the OCI config was not found, or says yes/no. */
enum ctr_flag { CTR_UNKNOWN = -1, CTR_NO = 0, CTR_YES = 1 };

struct ctr_info {
	uint64_t cgroup_id;		/* the container's top cgroup (v2 id) */
	char id[CTR_ID_LEN + 1];
	enum ctr_runtime runtime;
	/* owned strings, NULL when unknown */
	char *name;			/* without Docker's leading '/' */
	char *image;			/* as the user named it (repo:tag) */
	char *image_id;
	char *pod;			/* Kubernetes pod name */
	char *k8s_ns;			/* Kubernetes namespace */
	char *k8s_container;		/* Kubernetes container name */
	char *profile_label;		/* label vigil.profile: a seccomp profile path */
	char *profile;			/* profile its syscalls are checked against */
	int profile_armed;		/* the agent knows the check is armed */
	/* from the OCI runtime config (config.json), CTR_UNKNOWN without one */
	int privileged;			/* all capabilities and no masked paths */
	int host_network;		/* no network namespace of its own */
	int host_ipc;
	int host_pid;
	uint64_t cap_bounding;		/* bounding set the runtime asked for */
	struct ctr_mount *mounts;	/* bind mounts, config order */
	size_t n_mounts;
	uint64_t learn_from_ns;		/* capability learning starts (boot ns) */
	struct ctr_targets targets;	/* recent connects (agent-maintained) */
	int exited;			/* its cgroup was removed */
};

struct ctr_registry;

struct ctr_registry_config {
	const char *docker_socket;	/* NULL: /var/run/docker.sock */
	const char *oci_roots;		/* ':'-separated bundle roots; NULL: defaults */
	int timeout_ms;			/* per runtime request */
};

/* Returns NULL with errno set. */
struct ctr_registry *ctr_registry_new(const struct ctr_registry_config *cfg);
void ctr_registry_free(struct ctr_registry *r);

/*
 * Adds the container whose top cgroup is cgid and whose cgroup path is path
 * (inside the v2 hierarchy); fetches its metadata.  Returns the entry
 * (borrowed, valid until ctr_registry_free), NULL if path names no container.
 */
struct ctr_info *ctr_add(struct ctr_registry *r, uint64_t cgid, const char *path);

/* The container of top cgroup cgid, or NULL.  Borrowed. */
struct ctr_info *ctr_lookup(struct ctr_registry *r, uint64_t cgid);

/* The container named name, or whose id starts with it (>= 4 chars), or NULL. */
struct ctr_info *ctr_find(struct ctr_registry *r, const char *name_or_id);

/* Marks the container gone; the entry is freed after `keep` more removals. */
void ctr_mark_exited(struct ctr_registry *r, uint64_t cgid);

/*
 * Walks the cgroup v2 tree under root and calls cb for every cgroup of a
 * container (top and nested), with its directory and the container's top
 * cgroup id; adds each
 * container to r.  For containers started before the agent.
 */
typedef int (*ctr_scan_cb)(void *arg, const char *path, uint64_t cgid, uint64_t top_cgid);
int ctr_scan(struct ctr_registry *r, const char *root, ctr_scan_cb cb, void *arg);

/* The mount point of the cgroup v2 hierarchy, or NULL. Static storage. */
const char *cgroup2_root(void);

/* Records a connect destination at boot-time ns ts. */
void ctr_targets_add(struct ctr_targets *t, uint64_t key, uint64_t ts);
/* Distinct destinations within CTR_RECENT_WINDOW_NS before now. */
unsigned int ctr_targets_recent(const struct ctr_targets *t, uint64_t now);

/* A new entry's configuration fields: unknown until a config is read. */
void ctr_info_init(struct ctr_info *c);
/* Frees the strings of c and clears it (for entries not in a registry). */
void ctr_info_fini(struct ctr_info *c);

/* Parses a Docker /containers/json answer into c (for tests). 0 or -errno. */
int docker_list_parse(const char *json, struct ctr_info *c);
/*
 * Parses an OCI config.json into c: annotations (Kubernetes names) fill
 * unknown fields; namespaces, capabilities and bind mounts set the
 * configuration fields.
 */
int oci_config_parse(const char *json, struct ctr_info *c);

#endif
