/* registry.c - the table of containers (see container.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "container/container.h"
#include "util/log.h"

/* exited containers kept for late events before they are freed */
#define EXITED_KEEP 256

struct ctr_entry {
	struct ctr_info info;
	UT_hash_handle hh;
};

struct ctr_registry {
	struct ctr_entry *by_cgid;
	uint64_t exited[EXITED_KEEP];	/* ring of exited cgroup ids */
	unsigned int exited_next;
	size_t live;
};

struct ctr_registry *ctr_registry_new(void)
{
	return calloc(1, sizeof(struct ctr_registry));
}

void ctr_info_init(struct ctr_info *c)
{
	c->privileged = c->host_network = c->host_ipc = c->host_pid = CTR_UNKNOWN;
}

const char *ctr_image_key(const struct ctr_info *c)
{
	if (c->image_id && *c->image_id)
		return c->image_id;
	return c->image && *c->image ? c->image : c->id;
}

void ctr_info_fini(struct ctr_info *c)
{
	size_t i;

	for (i = 0; i < c->n_mounts; i++) {
		free(c->mounts[i].source);
		free(c->mounts[i].dest);
		free(c->mounts[i].propagation);
	}
	free(c->mounts);
	free(c->name);
	free(c->image);
	free(c->image_id);
	free(c->pod);
	free(c->k8s_ns);
	free(c->k8s_container);
	free(c->k8s_pod_uid);
	free(c->profile_label);
	free(c->rootfs);
	free(c->cgroup_path);
	memset(c, 0, sizeof(*c));
}

static void take(char **dst, char **src)
{
	if (!*dst && *src) {
		*dst = *src;
		*src = NULL;
	}
}

void ctr_info_merge(struct ctr_info *dst, struct ctr_info *src)
{
	take(&dst->name, &src->name);
	take(&dst->image, &src->image);
	take(&dst->image_id, &src->image_id);
	take(&dst->pod, &src->pod);
	take(&dst->k8s_ns, &src->k8s_ns);
	take(&dst->k8s_container, &src->k8s_container);
	take(&dst->k8s_pod_uid, &src->k8s_pod_uid);
	take(&dst->profile_label, &src->profile_label);
	take(&dst->rootfs, &src->rootfs);
	if (dst->runtime == RT_UNKNOWN)
		dst->runtime = src->runtime;
	if (!dst->has_k8s_api && src->has_k8s_api) {
		memcpy(dst->k8s_api, src->k8s_api, 16);
		dst->has_k8s_api = true;
	}
	if (dst->privileged == CTR_UNKNOWN && src->privileged != CTR_UNKNOWN) {
		dst->privileged = src->privileged;
		dst->host_network = src->host_network;
		dst->host_ipc = src->host_ipc;
		dst->host_pid = src->host_pid;
		dst->cap_bounding = src->cap_bounding;
	}
	/* a later answer knows addresses an early one, during the start, did not */
	if (src->n_nets) {
		memcpy(dst->nets, src->nets, sizeof(dst->nets));
		dst->n_nets = src->n_nets;
	}
	dst->nets_pending = src->nets_pending;
	if (!dst->mounts && src->mounts) {
		dst->mounts = src->mounts;
		dst->n_mounts = src->n_mounts;
		src->mounts = NULL;
		src->n_mounts = 0;
	}
}

void ctr_registry_free(struct ctr_registry *r)
{
	struct ctr_entry *e, *tmp;

	if (!r)
		return;
	HASH_ITER(hh, r->by_cgid, e, tmp) {
		HASH_DEL(r->by_cgid, e);
		ctr_info_fini(&e->info);
		free(e);
	}
	free(r);
}

struct ctr_info *ctr_lookup(struct ctr_registry *r, uint64_t cgid)
{
	struct ctr_entry *e;

	HASH_FIND(hh, r->by_cgid, &cgid, sizeof(cgid), e);
	return e ? &e->info : NULL;
}

struct ctr_info *ctr_add(struct ctr_registry *r, uint64_t cgid, const char *path)
{
	struct cgroup_ctr parsed;
	struct ctr_entry *e;

	if (!cgroup_path_parse(path, strlen(path), &parsed))
		return NULL;
	HASH_FIND(hh, r->by_cgid, &cgid, sizeof(cgid), e);
	if (e)
		return &e->info;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	ctr_info_init(&e->info);
	e->info.cgroup_id = cgid;
	e->info.runtime = parsed.runtime;
	e->info.meta = CTR_META_PENDING;
	e->info.cgroup_path = strdup(path);
	memcpy(e->info.id, parsed.id, sizeof(e->info.id));
	HASH_ADD(hh, r->by_cgid, info.cgroup_id, sizeof(uint64_t), e);
	r->live++;
	return &e->info;
}

struct ctr_info *ctr_find(struct ctr_registry *r, const char *name_or_id)
{
	size_t n = strlen(name_or_id);
	struct ctr_entry *e, *tmp;

	HASH_ITER(hh, r->by_cgid, e, tmp) {
		if (e->info.name && !strcmp(e->info.name, name_or_id))
			return &e->info;
		if (n >= 4 && n <= CTR_ID_LEN && !strncmp(e->info.id, name_or_id, n))
			return &e->info;
	}
	return NULL;
}

void ctr_each(struct ctr_registry *r, int (*cb)(void *arg, struct ctr_info *c), void *arg)
{
	struct ctr_entry *e, *tmp;

	HASH_ITER(hh, r->by_cgid, e, tmp)
		if (cb(arg, &e->info))
			break;
}

size_t ctr_count(struct ctr_registry *r)
{
	return r->live;
}

void ctr_mark_exited(struct ctr_registry *r, uint64_t cgid)
{
	struct ctr_entry *e;
	uint64_t old;

	HASH_FIND(hh, r->by_cgid, &cgid, sizeof(cgid), e);
	if (!e || e->info.exited)
		return;
	e->info.exited = 1;
	r->live--;
	/* free the oldest exited container once the ring wraps */
	old = r->exited[r->exited_next];
	r->exited[r->exited_next] = cgid;
	r->exited_next = (r->exited_next + 1) % EXITED_KEEP;
	if (!old)
		return;
	HASH_FIND(hh, r->by_cgid, &old, sizeof(old), e);
	if (e && e->info.exited) {
		HASH_DEL(r->by_cgid, e);
		ctr_info_fini(&e->info);
		free(e);
	}
}

const char *cgroup2_root(void)
{
	static char root[256];
	struct mntent *m;
	FILE *f;

	if (root[0])
		return root;
	f = setmntent("/proc/self/mounts", "r");
	if (!f)
		return NULL;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(root, sizeof(root), "%s", m->mnt_dir);
			break;
		}
	endmntent(f);
	return root[0] ? root : NULL;
}

/* cgroup v2 ids are the inode numbers of the cgroup directories. */
static int scan_dir(struct ctr_registry *r, const char *root, const char *rel,
		    uint64_t top, int depth, ctr_scan_cb cb, void *arg)
{
	char path[4096], child[4096];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int n = 0;

	if (depth > VIGIL_CGROUP_SCAN_DEPTH)
		return 0;
	snprintf(path, sizeof(path), "%s%s", root, rel);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		uint64_t this_top = top;

		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", rel, d->d_name) >= sizeof(child))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s%s", root, child) >= sizeof(path))
			continue;
		if (stat(path, &st))
			continue;
		if (!this_top && ctr_add(r, st.st_ino, child))
			this_top = st.st_ino;
		if (this_top) {
			cb(arg, path, st.st_ino, this_top);
			n++;
		}
		n += scan_dir(r, root, child, this_top, depth + 1, cb, arg);
	}
	closedir(dir);
	return n;
}

int ctr_scan(struct ctr_registry *r, const char *root, ctr_scan_cb cb, void *arg)
{
	return scan_dir(r, root, "", 0, 0, cb, arg);
}

/*
 * Is addr (IPv4, 16-byte form) a local address of the network namespace of
 * a process of container c?  The kernel's own table (/proc/PID/net/fib_trie:
 * "|-- a.b.c.d" then "/32 host LOCAL"), for a container whose runtime has
 * not said its addresses yet.
 */
static bool netns_has_local(const struct ctr_info *c, const uint8_t addr[16])
{
	char path[4200], line[256], last[64] = "";
	const char *root = cgroup2_root();
	uint8_t a[16];
	unsigned int pid = 0;
	bool found = false;
	FILE *f;

	if (!root || !c->cgroup_path)
		return false;
	snprintf(path, sizeof(path), "%s%s/cgroup.procs", root, c->cgroup_path);
	if (!(f = fopen(path, "re")))
		return false;
	if (fscanf(f, "%u", &pid) != 1)
		pid = 0;
	fclose(f);
	if (!pid)
		return false;
	snprintf(path, sizeof(path), "/proc/%u/net/fib_trie", pid);
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "|-- ");

		if (p) {
			snprintf(last, sizeof(last), "%s", p + 4);
			last[strcspn(last, " \n")] = '\0';
		} else if (strstr(line, "/32 host LOCAL") && addr_parse16(last, a) && !memcmp(a, addr, 16)) {
			found = true;
		}
	}
	fclose(f);
	return found;
}

struct ctr_info *ctr_by_runtime_addr(struct ctr_registry *r, const uint8_t addr[16])
{
	struct ctr_entry *e, *tmp;
	size_t i;

	HASH_ITER(hh, r->by_cgid, e, tmp) {
		if (e->info.exited)
			continue;
		for (i = 0; i < e->info.n_nets; i++)
			if (!memcmp(e->info.nets[i].ip, addr, 16))
				return &e->info;
	}
	return NULL;
}

struct ctr_info *ctr_by_addr(struct ctr_registry *r, const uint8_t addr[16])
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct ctr_info *c = ctr_by_runtime_addr(r, addr);
	struct ctr_entry *e, *tmp;

	if (c)
		return c;
	/* addresses the runtime has not told yet: ask the kernel, for containers attached to a network */
	if (memcmp(addr, v4mapped, 12))
		return NULL;
	HASH_ITER(hh, r->by_cgid, e, tmp)
		if (!e->info.exited && (e->info.nets_pending || !e->info.n_nets) && netns_has_local(&e->info, addr))
			return &e->info;
	return NULL;
}
