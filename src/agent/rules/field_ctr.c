/*
 * field_ctr.c - container.*, cap.*: the container (metadata and the OCI
 * configuration its runtime was given) and its learned baseline; and
 * field_k8s.c's k8s.* (Kubernetes names).  See fields.h.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/field_priv.h"

static const struct ctr_info *C(const struct field_ctx *fc)
{
	return fc->ev->ctr;
}

static bool tristate(struct fval *out, int v)
{
	return v != CTR_UNKNOWN && fbool(out, v == CTR_YES);
}

static bool ctr_id(struct field_ctx *fc, const char *arg, struct fval *out)
{
	if (!C(fc))
		return fstr(out, "host");
	snprintf(fc->scratch, sizeof(fc->scratch), "%.12s", C(fc)->id);
	return fstr(out, fc->scratch);
}

static bool ctr_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return C(fc) ? fstr(out, C(fc)->name) : fstr(out, "host");
}

static bool ctr_image(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return C(fc) && fstr(out, C(fc)->image);
}

/* repo[:tag][@digest]: the tag's colon is after the last slash */
static bool image_part(struct field_ctx *fc, struct fval *out, bool tag)
{
	const char *colon, *slash;

	if (!C(fc) || !C(fc)->image)
		return false;
	snprintf(fc->scratch, sizeof(fc->scratch), "%s", C(fc)->image);
	slash = strrchr(fc->scratch, '/');
	colon = strrchr(slash ? slash : fc->scratch, ':');
	if (tag)
		return colon ? fstr(out, colon + 1) : fstr(out, "latest");
	if (colon)
		fc->scratch[colon - fc->scratch] = '\0';
	return fstr(out, fc->scratch);
}

static bool ctr_image_repo(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return image_part(fc, out, false);
}

static bool ctr_image_tag(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return image_part(fc, out, true);
}

static bool ctr_in_setup(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fbool(out, fhdr(fc)->proc.flags & VIGIL_PROC_CTR_SETUP);
}

static bool ctr_recent_targets(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->act && fnum(out, activity_recent_targets(fc->ev->act, fhdr(fc)->ts_ns));
}

static bool ctr_host_pidns(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_proc *p = &fhdr(fc)->proc;
	const struct proc_info *pi = fc->ev->proc;

	if (!C(fc))
		return false;
	if (C(fc)->host_pid != CTR_UNKNOWN)	/* the runtime's configuration says */
		return tristate(out, C(fc)->host_pid);
	/*
	 * Else the process's own pids: in the host's pid namespace its pid is
	 * its host pid.  Only for a program of the container's root
	 * filesystem: runc's init runs in the host's namespace until its
	 * child enters the container's.
	 */
	return pi && (pi->exe_flags & VIGIL_FILE_ROOT_MNT) && fbool(out, p->vpid == p->pid);
}

static bool ctr_privileged(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return C(fc) && tristate(out, C(fc)->privileged);
}

static bool ctr_host_network(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return C(fc) && tristate(out, C(fc)->host_network);
}

static bool ctr_host_ipc(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return C(fc) && tristate(out, C(fc)->host_ipc);
}

/* Falco's shape: "source:dest:mode:rw:propagation", space-separated. */
static bool ctr_mounts(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct ctr_info *c = C(fc);
	size_t i, n = 0;
	int w;

	if (!c || c->privileged == CTR_UNKNOWN)
		return false;	/* no config read: unknown, not "none" */
	fc->scratch[0] = '\0';
	for (i = 0; i < c->n_mounts && n < sizeof(fc->scratch); i++) {
		const struct ctr_mount *m = &c->mounts[i];

		w = snprintf(fc->scratch + n, sizeof(fc->scratch) - n, "%s%s:%s::%s:%s", n ? " " : "", m->source,
			     m->dest, m->rw ? "true" : "false", m->propagation ? m->propagation : "");
		if (w < 0)
			break;
		n += w;
	}
	return fstr(out, fc->scratch);
}

/*
 * container.mount.dest[GLOB] (a bind mount's path inside, by host path) and
 * container.mount.source[GLOB] (by path inside); a number picks the nth.
 */
static bool mount_field(const struct ctr_info *c, const char *arg, bool want_dest, struct fval *out)
{
	const struct ctr_mount *m;
	char *end;
	size_t i;
	long idx;

	if (!c || !arg)
		return false;
	idx = strtol(arg, &end, 10);
	if (*arg && !*end) {
		if (idx < 0 || (size_t)idx >= c->n_mounts)
			return false;
		m = &c->mounts[idx];
		return fstr(out, want_dest ? m->dest : m->source);
	}
	for (i = 0; i < c->n_mounts; i++) {
		m = &c->mounts[i];
		if (!fnmatch(arg, want_dest ? m->source : m->dest, 0))
			return fstr(out, want_dest ? m->dest : m->source);
	}
	return false;
}

static bool ctr_mount_dest(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return mount_field(C(fc), arg, true, out);
}

static bool ctr_mount_source(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return mount_field(C(fc), arg, false, out);
}

static bool ctr_learning(struct field_ctx *fc, const char *arg, struct fval *out)
{
	if (!C(fc))
		return false;
	if (fhdr(fc)->type == VIGIL_EV_CAPABLE)
		return fbool(out, fc->ev->cap_learning);
	return fc->ev->novelty_judged && fbool(out, fc->ev->novelty_learning);
}

/* anomaly.*: a behaviour (exec, write, listen, connect) new for the image (learn/novelty.h) */
static bool anomaly_new(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return C(fc) && fbool(out, fc->ev->novel_kind != NULL);
}

static bool anomaly_kind(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->novel_kind && fstr(out, fc->ev->novel_kind);
}

static bool anomaly_what(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->novel_kind && fstr(out, fc->ev->novel_what);
}

static bool cap_in_baseline(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fhdr(fc)->type == VIGIL_EV_CAPABLE && fbool(out, fc->ev->cap_in_baseline);
}

const struct field_def field_ctr[] = {
	{ "container.id", FT_STR, ctr_id, false },
	{ "container.name", FT_STR, ctr_name, false },
	{ "container.image", FT_STR, ctr_image, false },
	{ "container.image.repository", FT_STR, ctr_image_repo, false },
	{ "container.image.tag", FT_STR, ctr_image_tag, false },
	{ "container.in_setup", FT_BOOL, ctr_in_setup, false },
	{ "container.recent_targets", FT_NUM, ctr_recent_targets, false },
	{ "container.host_pid_namespace", FT_BOOL, ctr_host_pidns, false },
	{ "container.privileged", FT_BOOL, ctr_privileged, false },
	{ "container.mounts", FT_STR, ctr_mounts, false },
	/* [glob]: a bind mount's path inside, by host path; and the reverse */
	{ "container.mount.dest", FT_STR, ctr_mount_dest, true },
	{ "container.mount.source", FT_STR, ctr_mount_source, true },
	/* Vigil's own: configuration from the OCI config, learned capabilities */
	{ "container.host_network", FT_BOOL, ctr_host_network, false },
	{ "container.host_ipc", FT_BOOL, ctr_host_ipc, false },
	{ "container.learning", FT_BOOL, ctr_learning, false },
	{ "cap.in_baseline", FT_BOOL, cap_in_baseline, false },
	{ "anomaly.new", FT_BOOL, anomaly_new, false },
	{ "anomaly.kind", FT_STR, anomaly_kind, false },
	{ "anomaly.what", FT_STR, anomaly_what, false },
	{ NULL },
};
