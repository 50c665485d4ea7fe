/* container.c - the container registry (see container.h). */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "container/container.h"
#include "util/log.h"

#define DEFAULT_DOCKER_SOCKET "/var/run/docker.sock"
/* containerd task bundles (docker's own and system), CRI-O, podman */
#define DEFAULT_OCI_ROOTS \
	"/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby:" \
	"/run/containerd/io.containerd.runtime.v2.task/moby:" \
	"/run/containerd/io.containerd.runtime.v2.task/k8s.io:" \
	"/run/containerd/io.containerd.runtime.v2.task/default:" \
	"/run/containers/storage/overlay-containers/%s/userdata"
#define MAX_META_BYTES (4 << 20)
/* exited containers kept for late events before they are freed */
#define EXITED_KEEP 256

struct ctr_entry {
	struct ctr_info info;
	UT_hash_handle hh;
};

struct ctr_registry {
	struct ctr_entry *by_cgid;
	char *docker_socket;
	char *oci_roots;
	int timeout_ms;
	uint64_t exited[EXITED_KEEP];	/* ring of exited cgroup ids */
	unsigned int exited_next;
	CURL *curl;
};

struct ctr_registry *ctr_registry_new(const struct ctr_registry_config *cfg)
{
	struct ctr_registry *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->docker_socket = strdup(cfg && cfg->docker_socket ? cfg->docker_socket : DEFAULT_DOCKER_SOCKET);
	r->oci_roots = strdup(cfg && cfg->oci_roots ? cfg->oci_roots : DEFAULT_OCI_ROOTS);
	r->timeout_ms = cfg && cfg->timeout_ms > 0 ? cfg->timeout_ms : 2000;
	if (!r->docker_socket || !r->oci_roots) {
		ctr_registry_free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

void ctr_info_init(struct ctr_info *c)
{
	c->privileged = c->host_network = c->host_ipc = c->host_pid = CTR_UNKNOWN;
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
	free(c->profile_label);
	free(c->profile);
	memset(c, 0, sizeof(*c));
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
	if (r->curl)
		curl_easy_cleanup(r->curl);
	free(r->docker_socket);
	free(r->oci_roots);
	free(r);
}

struct membuf {
	char *p;
	size_t len;
};

static size_t membuf_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct membuf *m = arg;
	size_t n = size * nmemb;
	char *p;

	if (m->len + n > MAX_META_BYTES)
		return 0;	/* refuse absurd answers */
	p = realloc(m->p, m->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + m->len, data, n);
	m->p = p;
	m->len += n;
	m->p[m->len] = '\0';
	return n;
}

/* GET url over the Docker socket; returns the body (caller frees) or NULL. */
static char *docker_get(struct ctr_registry *r, const char *url)
{
	struct membuf m = { 0 };
	long status = 0;
	CURLcode rc;

	if (access(r->docker_socket, F_OK))
		return NULL;
	if (!r->curl && !(r->curl = curl_easy_init()))
		return NULL;
	curl_easy_reset(r->curl);
	curl_easy_setopt(r->curl, CURLOPT_UNIX_SOCKET_PATH, r->docker_socket);
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, membuf_write);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, &m);
	rc = curl_easy_perform(r->curl);
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK || status != 200) {
		log_debug("docker %s: %s (HTTP %ld)", url, curl_easy_strerror(rc), status);
		free(m.p);
		return NULL;
	}
	return m.p;
}

/*
 * The list endpoint reads Docker's in-memory view without taking the
 * container's lock, so it answers even while the container is starting
 * (inspect would wait for the start to finish).
 */
static void docker_fill(struct ctr_registry *r, struct ctr_info *c)
{
	char url[256];
	char *body;

	snprintf(url, sizeof(url),
		 "http://localhost/containers/json?all=1&filters=%%7B%%22id%%22%%3A%%5B%%22%s%%22%%5D%%7D",
		 c->id);
	body = docker_get(r, url);
	if (!body)
		return;
	if (docker_list_parse(body, c) == 0 && c->runtime == RT_UNKNOWN)
		c->runtime = RT_DOCKER;
	free(body);
}

static char *read_small_file(const char *path)
{
	struct membuf m = { 0 };
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (!membuf_write(buf, 1, n, &m)) {
			free(m.p);
			m.p = NULL;
			break;
		}
	close(fd);
	return m.p;
}

static void oci_fill(struct ctr_registry *r, struct ctr_info *c)
{
	char *roots = strdup(r->oci_roots), *save = NULL, *root, *json;
	char dir[512], path[600];

	if (!roots)
		return;
	for (root = strtok_r(roots, ":", &save); root; root = strtok_r(NULL, ":", &save)) {
		if (strstr(root, "%s"))
			snprintf(dir, sizeof(dir), root, c->id);
		else
			snprintf(dir, sizeof(dir), "%s/%s", root, c->id);
		snprintf(path, sizeof(path), "%s/config.json", dir);
		json = read_small_file(path);
		if (!json)
			continue;
		if (oci_config_parse(json, c))
			log_warnx("%s: not valid JSON, annotations ignored", path);
		free(json);
		break;
	}
	free(roots);
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
	memcpy(e->info.id, parsed.id, sizeof(e->info.id));
	oci_fill(r, &e->info);
	docker_fill(r, &e->info);
	HASH_ADD(hh, r->by_cgid, info.cgroup_id, sizeof(uint64_t), e);
	log_info("container %.12s: name=%s image=%s runtime=%s", e->info.id,
		 e->info.name ? e->info.name : "?", e->info.image ? e->info.image : "?",
		 ctr_runtime_name(e->info.runtime));
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

void ctr_mark_exited(struct ctr_registry *r, uint64_t cgid)
{
	struct ctr_entry *e;
	uint64_t old;

	HASH_FIND(hh, r->by_cgid, &cgid, sizeof(cgid), e);
	if (!e || e->info.exited)
		return;
	e->info.exited = 1;
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

	if (depth > 16)
		return 0;
	snprintf(path, sizeof(path), "%s%s", root, rel);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		uint64_t this_top = top;

		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", rel, d->d_name);
		snprintf(path, sizeof(path), "%s%s", root, child);
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
