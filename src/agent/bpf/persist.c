/*
 * persist.c - `vigil run --pin`: the kernel side outlives the agent.
 *
 * Every map (but the per-load settings) and every link is pinned under
 * VIGIL_PIN_KEEP.  An agent that dies (kill -9, a crash) or is replaced
 * (an upgrade) leaves its programs attached and its policy in force; the
 * ring buffer keeps what happens meanwhile, up to its size, with drops
 * counted.  The next agent with --pin reuses every map whose shape is
 * unchanged (policy entries, container marks, counts, the ring buffer with
 * the events of the gap), attaches its own programs, and only then
 * removes the old ones' links: for a moment both run (an event may come
 * twice), never neither.  An agent without --pin removes what an earlier
 * one left, after its own programs are attached; `vigil unpin` removes it
 * with no agent.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf/loader.h"
#include "bpf/persist.h"
#include "util/log.h"
#include "vigil.skel.h"

static int mkdirs(void)
{
	if ((mkdir(VIGIL_PIN_DIR, 0700) && errno != EEXIST) || (mkdir(VIGIL_PIN_KEEP, 0700) && errno != EEXIST) ||
	    (mkdir(VIGIL_PIN_KEEP "/maps", 0700) && errno != EEXIST) ||
	    (mkdir(VIGIL_PIN_KEEP "/links", 0700) && errno != EEXIST))
		return -errno;
	return 0;
}

/* A pinned map of the same shape as m: the new programs can use it as it is. */
static bool same_shape(const struct bpf_map *m, int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	return info.type == bpf_map__type(m) && info.key_size == bpf_map__key_size(m) &&
	       info.value_size == bpf_map__value_size(m) && info.max_entries == bpf_map__max_entries(m) &&
	       info.map_flags == bpf_map__map_flags(m);
}

/* The ABI of the agent that pinned: maps of another ABI are never reused. */
static bool same_abi(void)
{
	struct vigil_pin_info info;
	__u32 zero = 0;
	int fd = bpf_obj_get(VIGIL_PIN_KEEP "/maps/pin_info");
	bool ok;

	if (fd < 0)
		return false;
	ok = !bpf_map_lookup_elem(fd, &zero, &info) && info.abi_version == VIGIL_ABI_VERSION;
	close(fd);
	return ok;
}

int persist_prepare(struct loader *l)
{
	struct bpf_map *m;
	char path[256];
	bool abi_ok;
	int fd, err;

	if ((err = mkdirs())) {
		log_warnx("--pin: %s: %s", VIGIL_PIN_KEEP, strerror(-err));
		return err;
	}
	abi_ok = same_abi();
	bpf_object__for_each_map(m, l->skel->obj) {
		if (bpf_map__is_internal(m))
			continue;	/* the per-load settings (.rodata, .bss) are the new agent's */
		snprintf(path, sizeof(path), VIGIL_PIN_KEEP "/maps/%s", bpf_map__name(m));
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			bool reuse = abi_ok && same_shape(m, fd);

			close(fd);
			if (reuse) {
				l->n_reused++;
			} else {
				log_info("--pin: %s changed shape: a new one replaces it", bpf_map__name(m));
				unlink(path);
			}
		}
		/* libbpf reuses what is there, else creates and pins */
		if ((err = bpf_map__set_pin_path(m, path)))
			return err;
	}
	return 0;
}

/* The links this agent pinned, by name: the rest in the directory are an earlier agent's. */
static void mine_add(struct loader *l, const char *name)
{
	int i;

	for (i = 0; i < l->n_pin_names; i++)
		if (!strcmp(l->pin_names[i], name))
			return;
	if (l->n_pin_names < LOADER_MAX_PINS)
		snprintf(l->pin_names[l->n_pin_names++], sizeof(l->pin_names[0]), "%s", name);
}

static bool persist_mine(const struct loader *l, const char *name)
{
	int i;

	for (i = 0; i < l->n_pin_names; i++)
		if (!strcmp(l->pin_names[i], name))
			return true;
	return false;
}

static void link_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, VIGIL_PIN_KEEP "/links/%s", name);
}

void persist_link(struct loader *l, struct bpf_link *link, const char *name)
{
	char path[256], tmp[300];

	if (!l->pin || !link)
		return;
	link_path(path, sizeof(path), name);
	/* pinned beside the old one, then put in its place: the old link goes in one step */
	/* bpffs allows no dot in a name */
	snprintf(tmp, sizeof(tmp), VIGIL_PIN_KEEP "/links/new-%s", name);
	unlink(tmp);
	if (bpf_link__pin(link, tmp)) {
		log_warn("--pin: %s", tmp);
		return;
	}
	if (rename(tmp, path)) {
		log_warn("--pin: %s", path);
		return;
	}
	mine_add(l, name);
}

void persist_unlink(struct loader *l, const char *name)
{
	char path[256];
	int i;

	if (!l->pin)
		return;
	link_path(path, sizeof(path), name);
	unlink(path);
	for (i = 0; i < l->n_pin_names; i++)
		if (!strcmp(l->pin_names[i], name)) {
			memcpy(l->pin_names[i], l->pin_names[--l->n_pin_names], sizeof(l->pin_names[i]));
			return;
		}
}

struct bpf_link *persist_take_link(struct loader *l, const char *name)
{
	char path[256];

	if (!l->pin)
		return NULL;
	link_path(path, sizeof(path), name);
	return bpf_link__open(path);
}

int persist_finish(struct loader *l)
{
	const struct bpf_object_skeleton *s = l->skel->skeleton;
	char keep[300], path[600];
	struct dirent *d;
	DIR *dir;
	int i, removed = 0;

	/* the skeleton's own links, by program name */
	for (i = 0; l->pin && i < s->prog_cnt; i++)
		if (*s->progs[i].link)
			persist_link(l, *s->progs[i].link, s->progs[i].name);
	for (i = 0; l->pin && i < l->n_sock_links; i++) {
		snprintf(keep, sizeof(keep), "sock-%d", i);
		persist_link(l, l->sock_links[i], keep);
	}
	/* an earlier agent's links this one did not take over */
	dir = opendir(VIGIL_PIN_KEEP "/links");
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		if (l->pin && persist_mine(l, d->d_name))
			continue;	/* (a "new-" file is never one of ours: left by a crash mid-pin) */
		snprintf(path, sizeof(path), VIGIL_PIN_KEEP "/links/%s", d->d_name);
		if (!unlink(path))
			removed++;
	}
	if (dir)
		closedir(dir);
	if (!l->pin) {
		/* an agent without --pin owns nothing past its life: the old maps go too */
		dir = opendir(VIGIL_PIN_KEEP "/maps");
		while (dir && (d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), VIGIL_PIN_KEEP "/maps/%s", d->d_name);
			unlink(path);
		}
		if (dir)
			closedir(dir);
		rmdir(VIGIL_PIN_KEEP "/maps");
		rmdir(VIGIL_PIN_KEEP "/links");
		rmdir(VIGIL_PIN_KEEP);
	}
	if (removed)
		log_info("%d hook(s) an earlier agent had left pinned: replaced", removed);
	return 0;
}

int persist_clear(void)
{
	static const char *const dirs[] = { VIGIL_PIN_KEEP "/links", VIGIL_PIN_KEEP "/maps", NULL };
	char path[600];
	struct dirent *d;
	int i, n = 0;
	DIR *dir;

	for (i = 0; dirs[i]; i++) {
		if (!(dir = opendir(dirs[i])))
			continue;
		while ((d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], d->d_name);
			if (!unlink(path))
				n++;
		}
		closedir(dir);
		rmdir(dirs[i]);
	}
	rmdir(VIGIL_PIN_KEEP);
	return n;
}
