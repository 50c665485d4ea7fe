/* check.c - profile checks per container (see check.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "bpf/maps.h"
#include "seccomp/check.h"
#include "util/log.h"
#include "util/safefile.h"

struct cli_profile {
	char *container;
	char *path;
	struct syscall_set set;
};

struct attached {
	uint64_t cgid;
	char *name;
	bool armed;
	UT_hash_handle hh;
};

struct profile_checks {
	struct loader *ld;
	struct cli_profile *cli;
	size_t n_cli;
	struct attached *by_cgid;
};

struct profile_checks *profile_checks_new(struct loader *ld)
{
	struct profile_checks *pc = calloc(1, sizeof(*pc));

	if (pc)
		pc->ld = ld;
	return pc;
}

void profile_checks_free(struct profile_checks *pc)
{
	struct attached *a, *tmp;
	size_t i;

	if (!pc)
		return;
	for (i = 0; i < pc->n_cli; i++) {
		free(pc->cli[i].container);
		free(pc->cli[i].path);
	}
	free(pc->cli);
	HASH_ITER(hh, pc->by_cgid, a, tmp) {
		HASH_DEL(pc->by_cgid, a);
		free(a->name);
		free(a);
	}
	free(pc);
}

int profile_checks_add(struct profile_checks *pc, const char *container, const char *path)
{
	struct cli_profile *v = realloc(pc->cli, (pc->n_cli + 1) * sizeof(*v)), *p;
	char err[512];
	int unknown;

	if (!v)
		return -ENOMEM;
	pc->cli = v;
	p = &pc->cli[pc->n_cli];
	memset(p, 0, sizeof(*p));
	if (profile_read(path, &p->set, &unknown, err, sizeof(err))) {
		log_warnx("--profile %s=%s: %s", container, path, err);
		return -EINVAL;
	}
	p->container = strdup(container);
	p->path = strdup(path);
	if (!p->container || !p->path) {
		free(p->container);
		free(p->path);
		return -ENOMEM;
	}
	pc->n_cli++;
	return 0;
}

bool profile_checks_any(const struct profile_checks *pc)
{
	return pc->n_cli > 0;
}

void profile_checks_attach(struct profile_checks *pc, const struct ctr_info *c, const char *name,
			   const struct syscall_set *set, bool armed)
{
	struct attached *a;
	const char *who = c->name ? c->name : c->id;

	HASH_FIND(hh, pc->by_cgid, &c->cgroup_id, sizeof(c->cgroup_id), a);
	if (a)
		return;	/* one profile per container */
	if (kmaps_profile_set(pc->ld, c->cgroup_id, set->bits, armed)) {
		log_warn("container %s: profile %s not applied", who, name);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a || !(a->name = strdup(name))) {
		free(a);
		return;
	}
	a->cgid = c->cgroup_id;
	a->armed = armed;
	HASH_ADD(hh, pc->by_cgid, cgid, sizeof(a->cgid), a);
	log_info("container %s: checked against profile %s (%d syscalls)", who, name, sset_count(set));
}

bool profile_checks_container(struct profile_checks *pc, const struct ctr_info *c, bool armed)
{
	size_t i;

	for (i = 0; i < pc->n_cli; i++)
		if (c->name && !strcmp(pc->cli[i].container, c->name)) {
			profile_checks_attach(pc, c, pc->cli[i].path, &pc->cli[i].set, armed);
			return false;
		}
	return c->profile_label != NULL;
}

int profile_load_label(const char *dir, const char *name, struct syscall_set *set, char *err, size_t errlen)
{
	size_t len;
	char *text;
	int unknown, rc;

	/* a name in the directory, not a path of the label's choosing */
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(err, errlen, "label vigil.profile=%s: not a file name in %s", name, dir);
		return -EINVAL;
	}
	text = safefile_read_at(dir, name, SAFEFILE_BENEATH, PROFILE_MAX_BYTES, &len);
	if (!text) {
		rc = -errno;
		snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(-rc));
		return rc;
	}
	memset(set, 0, sizeof(*set));
	rc = profile_parse(text, len, name, set, &unknown, err, errlen);
	free(text);
	return rc;
}

void profile_checks_arm(struct profile_checks *pc, uint64_t cgid)
{
	struct attached *a;

	HASH_FIND(hh, pc->by_cgid, &cgid, sizeof(cgid), a);
	if (!a || a->armed)
		return;
	/*
	 * The kernel arms a profile at the container's first exec from its
	 * root filesystem; if that exec came before the profile was attached,
	 * arm it here (events arrive in order, so this exec is seen after).
	 */
	kmaps_profile_arm(pc->ld, cgid);
	a->armed = true;
}

const char *profile_checks_name(const struct profile_checks *pc, uint64_t cgid)
{
	struct attached *a;

	HASH_FIND(hh, pc->by_cgid, &cgid, sizeof(cgid), a);
	return a ? a->name : NULL;
}

void profile_checks_forget(struct profile_checks *pc, uint64_t cgid)
{
	struct attached *a;

	HASH_FIND(hh, pc->by_cgid, &cgid, sizeof(cgid), a);
	if (a) {
		HASH_DEL(pc->by_cgid, a);
		free(a->name);
		free(a);
	}
}
