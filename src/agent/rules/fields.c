/* rules_fields.c - Falco's field names over Vigil's events (see rules_fields.h). */
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/decode.h"
#include "util/names.h"
#include "util/pathutil.h"
#include "rules/fields.h"
#include "bpf/syscalls.h"

enum {
	F_EVT_TYPE, F_EVT_DIR, F_EVT_RES, F_EVT_RAWRES, F_EVT_NUM, F_EVT_IS_OPEN_READ,
	F_EVT_IS_OPEN_WRITE, F_EVT_IS_OPEN_EXEC, F_EVT_ARG,
	F_PROC_NAME, F_PROC_EXE, F_PROC_EXEPATH, F_PROC_ARGS, F_PROC_CMDLINE, F_PROC_PID,
	F_PROC_VPID, F_PROC_PPID, F_PROC_PNAME, F_PROC_PEXE, F_PROC_PEXEPATH, F_PROC_PCMDLINE,
	F_PROC_ANAME, F_PROC_APID, F_PROC_TTY, F_PROC_CWD, F_PROC_UPPER, F_PROC_MEMFD, F_PROC_DURATION,
	F_THREAD_CAP_EFFECTIVE,
	F_USER_UID, F_USER_NAME, F_GROUP_GID,
	F_FD_NAME, F_FD_NAMERAW, F_FD_DIRECTORY, F_FD_FILENAME, F_FD_TYPECHAR, F_FD_TYPE,
	F_FD_NUM, F_FD_SIP, F_FD_SPORT, F_FD_CIP, F_FD_CPORT, F_FD_RIP, F_FD_RPORT, F_FD_LIP,
	F_FD_LPORT, F_FD_L4PROTO, F_FD_SOCKFAMILY, F_FD_HOST_MOUNT, F_FD_CONNECTED, F_FD_MOUNT_ROOT, F_FD_REMOTE_PRIVATE,
	F_CAP_IN_BASELINE, F_CTR_LEARNING, F_CTR_PRIVILEGED, F_CTR_HOST_NETWORK, F_CTR_HOST_IPC,
	F_CTR_MOUNTS, F_CTR_MOUNT_DEST, F_CTR_MOUNT_SOURCE,
	F_CTR_ID, F_CTR_IN_SETUP, F_CTR_RECENT_TARGETS, F_CTR_HOST_PIDNS, F_CTR_NAME, F_CTR_IMAGE, F_CTR_IMAGE_REPO, F_CTR_IMAGE_TAG,
	F_K8S_NS, F_K8S_POD,
};

static const struct field_def fields[] = {
	{ "evt.type", FT_STR, F_EVT_TYPE, false },
	{ "evt.dir", FT_STR, F_EVT_DIR, false },
	{ "evt.res", FT_STR, F_EVT_RES, false },
	{ "evt.rawres", FT_NUM, F_EVT_RAWRES, false },
	{ "evt.num", FT_NUM, F_EVT_NUM, false },
	{ "evt.is_open_read", FT_BOOL, F_EVT_IS_OPEN_READ, false },
	{ "evt.is_open_write", FT_BOOL, F_EVT_IS_OPEN_WRITE, false },
	{ "evt.is_open_exec", FT_BOOL, F_EVT_IS_OPEN_EXEC, false },
	{ "evt.arg", FT_STR, F_EVT_ARG, true },
	{ "proc.name", FT_STR, F_PROC_NAME, false },
	{ "proc.exe", FT_STR, F_PROC_EXE, false },
	{ "proc.exepath", FT_STR, F_PROC_EXEPATH, false },
	{ "proc.args", FT_STR, F_PROC_ARGS, false },
	{ "proc.cmdline", FT_STR, F_PROC_CMDLINE, false },
	{ "proc.pid", FT_NUM, F_PROC_PID, false },
	{ "proc.vpid", FT_NUM, F_PROC_VPID, false },
	{ "proc.ppid", FT_NUM, F_PROC_PPID, false },
	{ "proc.pname", FT_STR, F_PROC_PNAME, false },
	{ "proc.pexe", FT_STR, F_PROC_PEXE, false },
	{ "proc.pexepath", FT_STR, F_PROC_PEXEPATH, false },
	{ "proc.pcmdline", FT_STR, F_PROC_PCMDLINE, false },
	{ "proc.aname", FT_STR, F_PROC_ANAME, true },
	{ "proc.apid", FT_NUM, F_PROC_APID, true },
	{ "proc.tty", FT_NUM, F_PROC_TTY, false },
	{ "proc.cwd", FT_STR, F_PROC_CWD, false },
	{ "proc.is_exe_upper_layer", FT_BOOL, F_PROC_UPPER, false },
	{ "proc.is_exe_from_memfd", FT_BOOL, F_PROC_MEMFD, false },
	{ "proc.duration", FT_NUM, F_PROC_DURATION, false },
	{ "thread.cap_effective", FT_STR, F_THREAD_CAP_EFFECTIVE, false },
	{ "user.uid", FT_NUM, F_USER_UID, false },
	{ "user.name", FT_STR, F_USER_NAME, false },
	{ "group.gid", FT_NUM, F_GROUP_GID, false },
	{ "fd.name", FT_STR, F_FD_NAME, false },
	{ "fd.nameraw", FT_STR, F_FD_NAMERAW, false },
	{ "fd.directory", FT_STR, F_FD_DIRECTORY, false },
	{ "fd.filename", FT_STR, F_FD_FILENAME, false },
	{ "fd.typechar", FT_STR, F_FD_TYPECHAR, false },
	{ "fd.type", FT_STR, F_FD_TYPE, false },
	{ "fd.num", FT_NUM, F_FD_NUM, false },
	{ "fd.sip", FT_STR, F_FD_SIP, false },
	{ "fd.sport", FT_NUM, F_FD_SPORT, false },
	{ "fd.cip", FT_STR, F_FD_CIP, false },
	{ "fd.cport", FT_NUM, F_FD_CPORT, false },
	{ "fd.rip", FT_STR, F_FD_RIP, false },
	{ "fd.rport", FT_NUM, F_FD_RPORT, false },
	{ "fd.lip", FT_STR, F_FD_LIP, false },
	{ "fd.lport", FT_NUM, F_FD_LPORT, false },
	{ "fd.l4proto", FT_STR, F_FD_L4PROTO, false },
	{ "fd.sockfamily", FT_STR, F_FD_SOCKFAMILY, false },
	{ "fd.is_host_mount", FT_BOOL, F_FD_HOST_MOUNT, false },
	{ "fd.connected", FT_BOOL, F_FD_CONNECTED, false },
	/* Vigil's own: the bound directory of a bind mount; a non-public peer */
	{ "fd.mount_root", FT_STR, F_FD_MOUNT_ROOT, false },
	{ "fd.remote_is_private", FT_BOOL, F_FD_REMOTE_PRIVATE, false },
	{ "container.id", FT_STR, F_CTR_ID, false },
	{ "container.in_setup", FT_BOOL, F_CTR_IN_SETUP, false },
	{ "container.recent_targets", FT_NUM, F_CTR_RECENT_TARGETS, false },
	{ "container.host_pid_namespace", FT_BOOL, F_CTR_HOST_PIDNS, false },
	{ "container.privileged", FT_BOOL, F_CTR_PRIVILEGED, false },
	{ "container.mounts", FT_STR, F_CTR_MOUNTS, false },
	/* [glob]: a bind mount's path inside, by host path; and the reverse */
	{ "container.mount.dest", FT_STR, F_CTR_MOUNT_DEST, true },
	{ "container.mount.source", FT_STR, F_CTR_MOUNT_SOURCE, true },
	/* Vigil's own: configuration from the OCI config, learned capabilities */
	{ "container.host_network", FT_BOOL, F_CTR_HOST_NETWORK, false },
	{ "container.host_ipc", FT_BOOL, F_CTR_HOST_IPC, false },
	{ "container.learning", FT_BOOL, F_CTR_LEARNING, false },
	{ "cap.in_baseline", FT_BOOL, F_CAP_IN_BASELINE, false },
	{ "container.name", FT_STR, F_CTR_NAME, false },
	{ "container.image", FT_STR, F_CTR_IMAGE, false },
	{ "container.image.repository", FT_STR, F_CTR_IMAGE_REPO, false },
	{ "container.image.tag", FT_STR, F_CTR_IMAGE_TAG, false },
	{ "k8s.ns.name", FT_STR, F_K8S_NS, false },
	{ "k8s.pod.name", FT_STR, F_K8S_POD, false },
};

const struct field_def *field_lookup(const char *name, const char **arg)
{
	size_t i, n;

	*arg = NULL;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		n = strlen(fields[i].name);
		if (!strncmp(name, fields[i].name, n)) {
			if (!name[n])
				return &fields[i];
			/* evt.arg.flags: the argument after the dot */
			if (fields[i].takes_arg && name[n] == '.' && name[n + 1]) {
				*arg = name + n + 1;
				return &fields[i];
			}
		}
	}
	return NULL;
}

static const struct vigil_hdr *hdr(const struct field_ctx *fc)
{
	return fc->ev->rec;
}

const char *field_evt_type(const struct event_view *ev)
{
	const struct vigil_hdr *h = ev->rec;

	switch (h->type) {
	case VIGIL_EV_EXEC: return "execve";
	case VIGIL_EV_SYSCALL: return sys_name(((const struct vigil_syscall_event *)ev->rec)->nr);
	case VIGIL_EV_URING: {
		const struct vigil_uring_event *e = ev->rec;

		if (e->kind == VIGIL_URING_SETUP)
			return "io_uring_setup";
		/* io_uring's opens and connects are opens and connects to rules */
		return e->opcode == 16 ? "connect" : "openat";
	}
	case VIGIL_EV_FORK: return "clone";
	case VIGIL_EV_EXIT: return "procexit";
	case VIGIL_EV_PROFILE: return "profile_violation";
	case VIGIL_EV_CAPABLE: return "capability";
	case VIGIL_EV_CGROUP: return "container";
	}
	return "unknown";
}

static int64_t result(const struct field_ctx *fc, bool *ok)
{
	const struct vigil_hdr *h = hdr(fc);

	*ok = true;
	if (h->type == VIGIL_EV_SYSCALL)
		return ((const struct vigil_syscall_event *)fc->ev->rec)->ret;
	if (h->type == VIGIL_EV_URING)
		return ((const struct vigil_uring_event *)fc->ev->rec)->res;
	if (h->type == VIGIL_EV_EXEC)
		return 0;
	if (h->type == VIGIL_EV_CAPABLE)
		return ((const struct vigil_capable_event *)fc->ev->rec)->ret;
	*ok = false;
	return 0;
}

/* The file of the event, if any. */
static const struct vigil_file *event_file(const struct field_ctx *fc)
{
	const struct vigil_hdr *h = hdr(fc);
	const struct vigil_file *f = NULL;

	if (h->type == VIGIL_EV_SYSCALL)
		f = &((const struct vigil_syscall_event *)fc->ev->rec)->file;
	else if (h->type == VIGIL_EV_URING)
		f = &((const struct vigil_uring_event *)fc->ev->rec)->file;
	else if (h->type == VIGIL_EV_EXEC)
		f = &((const struct vigil_exec_event *)fc->ev->rec)->exe;
	return f && (f->flags & VIGIL_FILE_PRESENT) ? f : NULL;
}

static const struct vigil_sock *event_sock(const struct field_ctx *fc)
{
	const struct vigil_hdr *h = hdr(fc);
	const struct vigil_sock *s = NULL;

	if (h->type == VIGIL_EV_SYSCALL)
		s = &((const struct vigil_syscall_event *)fc->ev->rec)->sock;
	else if (h->type == VIGIL_EV_URING)
		s = &((const struct vigil_uring_event *)fc->ev->rec)->sock;
	return s && s->family ? s : NULL;
}

/* fd.name of a file event: the kernel's path, else the joined user path. */
static bool file_path(struct field_ctx *fc, struct fval *out)
{
	const struct vigil_hdr *h = hdr(fc);
	const struct vigil_file *f = event_file(fc);
	struct sv p;

	if (!fc->path_done) {
		fc->path_done = 1;
		if (f) {
			p = rec_sv(fc->ev->rec, f->path);
			if (p.p && p.len < sizeof(fc->path)) {
				memcpy(fc->path, p.p, p.len);
				fc->path[p.len] = '\0';
				fc->have_path = 1;
			}
		} else if (h->type == VIGIL_EV_SYSCALL) {
			const struct vigil_syscall_event *e = fc->ev->rec;
			struct sv up = rec_sv(e, e->path), dir = rec_sv(e, e->dir);

			if (up.p && path_join(dir.p, dir.len, up.p, up.len, fc->path, sizeof(fc->path)) >= 0)
				fc->have_path = 1;
		} else if (h->type == VIGIL_EV_URING) {
			const struct vigil_uring_event *e = fc->ev->rec;
			struct sv up = rec_sv(e, e->path);

			if (up.p && path_join(NULL, 0, up.p, up.len, fc->path, sizeof(fc->path)) >= 0)
				fc->have_path = 1;
		}
	}
	if (!fc->have_path)
		return false;
	out->s = fc->path;
	out->len = strlen(fc->path);
	return true;
}

static bool str(struct fval *out, const char *s)
{
	if (!s)
		return false;
	out->type = FT_STR;
	out->s = s;
	out->len = strlen(s);
	return true;
}

static bool num(struct fval *out, int64_t n)
{
	out->type = FT_NUM;
	out->n = n;
	return true;
}

static bool boolean(struct fval *out, bool b)
{
	out->type = FT_BOOL;
	out->n = b;
	return true;
}

/* argv (NUL-separated) from the cache: from `skip` on, joined by spaces into scratch. */
static bool join_args(struct field_ctx *fc, const struct proc_info *pi, int skip, const char *prefix,
		      struct fval *out)
{
	size_t n = 0, i = 0, len;
	int argi = 0;

	if (!pi || !pi->argv)
		return false;
	len = pi->argv_len;
	if (len && !pi->argv[len - 1])
		len--;
	if (prefix)
		n = snprintf(fc->scratch, sizeof(fc->scratch), "%s", prefix);
	while (i < len && n + 2 < sizeof(fc->scratch)) {
		size_t start = i;

		while (i < len && pi->argv[i])
			i++;
		if (argi++ >= skip) {
			size_t k = i - start;

			if (n && n + 1 < sizeof(fc->scratch))
				fc->scratch[n++] = ' ';
			if (n + k >= sizeof(fc->scratch))
				k = sizeof(fc->scratch) - n - 1;
			memcpy(fc->scratch + n, pi->argv + start, k);
			n += k;
		}
		i++;
	}
	fc->scratch[n] = '\0';
	return str(out, fc->scratch);
}

/* The ancestor `level` generations up (0 = the process), from the cache. */
static const struct proc_info *ancestor(struct field_ctx *fc, int level)
{
	const struct proc_info *p;
	uint32_t pid = hdr(fc)->proc.pid;
	int i;

	if (!fc->procs)
		return level == 0 ? fc->ev->proc : NULL;
	p = proc_cache_get(fc->procs, pid);
	for (i = 0; p && i < level; i++) {
		if (p->ppid == p->pid || !p->ppid)
			return NULL;
		p = proc_cache_get(fc->procs, p->ppid);
	}
	return p;
}

static uint64_t open_flags(const struct field_ctx *fc, bool *is_open)
{
	const struct vigil_hdr *h = hdr(fc);

	*is_open = false;
	if (h->type == VIGIL_EV_URING) {
		const struct vigil_uring_event *e = fc->ev->rec;

		*is_open = e->kind == VIGIL_URING_OP && e->opcode != 16;
		return e->file.f_flags;
	}
	if (h->type == VIGIL_EV_SYSCALL) {
		const struct vigil_syscall_event *e = fc->ev->rec;
		const struct sys_desc *d = sys_desc_by_nr(e->nr);

		if (!d || d->cls != SC_OPEN)
			return 0;
		*is_open = true;
		return sys_open_flags(d, e);
	}
	return 0;
}

/*
 * container.mount.dest[GLOB] (a bind mount's path inside, by host path) and
 * container.mount.source[GLOB] (by path inside); a number picks the nth.
 */
static bool ctr_mount_field(const struct ctr_info *c, const char *arg, bool want_dest,
			    struct fval *out)
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
		return str(out, want_dest ? m->dest : m->source);
	}
	for (i = 0; i < c->n_mounts; i++) {
		m = &c->mounts[i];
		if (!fnmatch(arg, want_dest ? m->source : m->dest, 0))
			return str(out, want_dest ? m->dest : m->source);
	}
	return false;
}

/* Falco's shape: "source:dest:mode:rw:propagation", space-separated. */
static bool ctr_mounts_field(struct field_ctx *fc, const struct ctr_info *c, struct fval *out)
{
	size_t i, n = 0;
	int w;

	if (!c || c->privileged == CTR_UNKNOWN)
		return false;	/* no config read: unknown, not "none" */
	fc->scratch[0] = '\0';
	for (i = 0; i < c->n_mounts && n < sizeof(fc->scratch); i++) {
		const struct ctr_mount *m = &c->mounts[i];

		w = snprintf(fc->scratch + n, sizeof(fc->scratch) - n, "%s%s:%s::%s:%s", n ? " " : "",
			     m->source, m->dest, m->rw ? "true" : "false",
			     m->propagation ? m->propagation : "");
		if (w < 0)
			break;
		n += w;
	}
	return str(out, fc->scratch);
}

static bool tristate(struct fval *out, int v)
{
	return v != CTR_UNKNOWN && boolean(out, v == CTR_YES);
}

static bool evt_arg(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_hdr *h = hdr(fc);
	bool is_open;
	uint64_t flags;

	if (!arg)
		return false;
	if (h->type == VIGIL_EV_CAPABLE) {
		const struct vigil_capable_event *e = fc->ev->rec;

		if (!strcmp(arg, "cap"))
			return str(out, cap_name(e->cap));
		if (!strcmp(arg, "syscall"))
			return e->syscall >= 0 && str(out, sys_name(e->syscall));
		return false;
	}
	if (h->type == VIGIL_EV_EXEC && !strcmp(arg, "flags")) {
		const struct vigil_exec_event *e = fc->ev->rec;
		size_t n = 0;

		fc->scratch[0] = '\0';
		if (e->exe.flags & VIGIL_FILE_OVL_UPPER)
			n += snprintf(fc->scratch + n, sizeof(fc->scratch) - n, "%sEXE_UPPER_LAYER", n ? "|" : "");
		if (e->exe.flags & VIGIL_FILE_MEMFD)
			n += snprintf(fc->scratch + n, sizeof(fc->scratch) - n, "%sEXE_FROM_MEMFD", n ? "|" : "");
		return str(out, fc->scratch);
	}
	if (h->type == VIGIL_EV_EXEC && (!strcmp(arg, "filename") || !strcmp(arg, "exe"))) {
		const struct vigil_exec_event *e = fc->ev->rec;
		struct sv v = rec_sv(e, e->filename);

		if (!v.p || v.len >= sizeof(fc->scratch))
			return false;
		memcpy(fc->scratch, v.p, v.len);
		fc->scratch[v.len] = '\0';
		return str(out, fc->scratch);
	}
	flags = open_flags(fc, &is_open);
	if (is_open && !strcmp(arg, "flags"))
		return str(out, open_flags_str(flags, '|', fc->scratch, sizeof(fc->scratch)));
	if (h->type == VIGIL_EV_SYSCALL) {
		const struct vigil_syscall_event *e = fc->ev->rec;
		const struct sys_desc *d = sys_desc_by_nr(e->nr);
		struct sv v = { NULL, 0 };
		int i;

		if (!d)
			return false;
		if (!strcmp(arg, "request") && !strcmp(d->name, "ptrace"))
			return str(out, ptrace_request_name(e->args[0]));
		if (!strcmp(arg, "domain") && !strcmp(d->name, "socket"))
			return str(out, family_name(e->args[0]));
		/* symlink: target (text), linkpath; link: oldpath, newpath; rename: oldpath, newpath */
		if (!strcmp(arg, "target") && !strcmp(d->type, "symlink"))
			v = rec_sv(e, e->path);
		else if (!strcmp(arg, "linkpath") && !strcmp(d->type, "symlink"))
			v = rec_sv(e, e->path2);
		else if (!strcmp(arg, "oldpath") || !strcmp(arg, "name") || !strcmp(arg, "path"))
			v = rec_sv(e, e->path);
		else if (!strcmp(arg, "newpath"))
			v = rec_sv(e, e->path2);
		if (v.p && v.len < sizeof(fc->scratch)) {
			memcpy(fc->scratch, v.p, v.len);
			fc->scratch[v.len] = '\0';
			return str(out, fc->scratch);
		}
		for (i = 0; i < 6; i++)
			if (d->argnames[i] && !strcmp(d->argnames[i], arg)) {
				/* modes read best in octal: "4755" is set-uid rwxr-xr-x */
				if (!strcmp(arg, "mode"))
					snprintf(fc->scratch, sizeof(fc->scratch), "%04llo",
						 (unsigned long long)e->args[i] & 07777);
				else
					snprintf(fc->scratch, sizeof(fc->scratch), "%lld", (long long)e->args[i]);
				return str(out, fc->scratch);
			}
	}
	return false;
}

/* Loopback, RFC 1918, CGNAT, link-local, unique-local, unspecified: not the internet. */
static bool addr_private(const struct vigil_sock *s)
{
	const uint8_t *a = s->raddr;
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (s->family == AF_INET6 && !memcmp(a, v4mapped, 12))
		a += 12;	/* an IPv4 peer of a dual-stack socket */
	else if (s->family == AF_INET6) {
		static const uint8_t zero[16];

		return !memcmp(a, zero, 15) ||			/* :: and ::1 */
		       (a[0] & 0xfe) == 0xfc ||			/* fc00::/7 */
		       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);	/* fe80::/10 */
	}
	return a[0] == 127 || a[0] == 10 || a[0] == 0 ||
	       (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	       (a[0] == 192 && a[1] == 168) ||
	       (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64);
}

/* Socket endpoints seen from a server: for accept the local end serves. */
static bool sock_is_server_local(const struct field_ctx *fc)
{
	const char *t = field_evt_type(fc->ev);

	return !strcmp(t, "accept") || !strcmp(t, "accept4") || !strcmp(t, "bind") || !strcmp(t, "listen");
}

static bool sock_ip(struct field_ctx *fc, const struct vigil_sock *s, bool local, struct fval *out)
{
	if (!s || (s->family != AF_INET && s->family != AF_INET6))
		return false;
	return str(out, addr_str(s->family, local ? s->laddr : s->raddr, fc->scratch, sizeof(fc->scratch)));
}

/*
 * The user name of uid in the event's container: its /etc/passwd, read
 * through /proc/PID/root (the container's view), cached per container.
 * Root is root everywhere; elsewhere unknown names are missing.
 */
static const char *user_name(struct field_ctx *fc, const struct vigil_proc *p)
{
	struct user_cache_entry *u;
	char path[64], line[512];
	unsigned int i;
	FILE *f;

	if (p->uid == 0)
		return "root";
	if (!p->ctr_cgroup_id)
		return NULL;
	for (i = 0; i < USER_CACHE; i++) {
		u = &fc->users[i];
		if (u->ctr_cgroup_id == p->ctr_cgroup_id && u->uid == p->uid)
			return u->name[0] ? u->name : NULL;
	}
	/* the process may be gone by now; its parent sees the same files */
	snprintf(path, sizeof(path), "/proc/%u/root/etc/passwd", p->pid);
	f = fopen(path, "re");
	if (!f) {
		snprintf(path, sizeof(path), "/proc/%u/root/etc/passwd", p->ppid);
		f = fopen(path, "re");
	}
	if (!f)
		return NULL;	/* not cached: a later event may succeed */
	u = &fc->users[fc->users_next++ % USER_CACHE];
	memset(u, 0, sizeof(*u));
	u->ctr_cgroup_id = p->ctr_cgroup_id;
	u->uid = p->uid;
	while (fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *pw = strtok(NULL, ":"), *id = strtok(NULL, ":");

		if (name && pw && id && strtoul(id, NULL, 10) == p->uid) {
			snprintf(u->name, sizeof(u->name), "%s", name);
			break;
		}
	}
	fclose(f);
	return u->name[0] ? u->name : NULL;
}

/* comm as a C string; the record's bytes may lack a NUL */
static const char *comm_str(char buf[VIGIL_COMM_LEN + 1], const char *comm)
{
	memcpy(buf, comm, VIGIL_COMM_LEN);
	buf[VIGIL_COMM_LEN] = '\0';
	return buf[0] ? buf : NULL;
}

bool field_get(const struct field_def *f, const char *arg, struct field_ctx *fc, struct fval *out)
{
	const struct vigil_proc *p = &hdr(fc)->proc;
	const struct proc_info *pi = fc->ev->proc, *pp;
	const struct ctr_info *c = fc->ev->ctr;
	const struct vigil_sock *s;
	const struct vigil_file *file;
	bool ok, is_open;
	int64_t res;
	uint64_t flags;
	char *slash;
	int level;

	memset(out, 0, sizeof(*out));
	switch (f->id) {
	case F_EVT_TYPE: return str(out, field_evt_type(fc->ev));
	case F_EVT_DIR: return str(out, "<");
	case F_EVT_RES:
		res = result(fc, &ok);
		if (!ok)
			return false;
		return str(out, res >= 0 ? "SUCCESS" : errno_name(-res));
	case F_EVT_RAWRES:
		res = result(fc, &ok);
		return ok && num(out, res);
	case F_EVT_NUM: return num(out, fc->evt_num);
	case F_EVT_IS_OPEN_READ:
		flags = open_flags(fc, &is_open);
		return boolean(out, is_open && (flags & O_ACCMODE) != O_WRONLY);
	case F_EVT_IS_OPEN_WRITE:
		flags = open_flags(fc, &is_open);
		return boolean(out, is_open && ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT))));
	case F_EVT_IS_OPEN_EXEC:
		return boolean(out, false);
	case F_EVT_ARG: return evt_arg(fc, arg, out);
	case F_PROC_NAME: return str(out, comm_str(fc->comm, p->comm));
	case F_PROC_EXE:
		if (!pi || !pi->argv || !pi->argv_len)
			return false;
		return str(out, pi->argv);	/* argv[0]: NUL-terminated in the cache */
	case F_PROC_EXEPATH: return str(out, pi ? pi->exe : NULL);
	case F_PROC_ARGS: return join_args(fc, pi, 1, NULL, out);
	case F_PROC_CMDLINE: {
		char comm[VIGIL_COMM_LEN + 1];

		snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(p->comm), p->comm);
		return join_args(fc, pi, 1, comm, out);
	}
	case F_PROC_PID: return num(out, p->pid);
	case F_PROC_VPID: return num(out, p->vpid);
	case F_PROC_PPID: return num(out, p->ppid);
	case F_PROC_PNAME: return str(out, comm_str(fc->pcomm, p->pcomm));
	case F_PROC_PEXE:
		pp = ancestor(fc, 1);
		return pp && pp->argv && str(out, pp->argv);
	case F_PROC_PEXEPATH:
		pp = ancestor(fc, 1);
		return pp && str(out, pp->exe);
	case F_PROC_PCMDLINE:
		pp = ancestor(fc, 1);
		if (!pp)
			return false;
		return join_args(fc, pp, 1, pp->comm, out);
	case F_PROC_ANAME:
	case F_PROC_APID:
		level = arg ? atoi(arg) : 1;
		if (level < 0 || level > 32)
			return false;
		if (level == 0) {
			return f->id == F_PROC_APID ? num(out, p->pid)
						    : str(out, comm_str(fc->comm, p->comm));
		}
		if (level == 1 && f->id == F_PROC_ANAME)
			return str(out, comm_str(fc->pcomm, p->pcomm));
		pp = ancestor(fc, level);
		if (!pp)
			return false;
		return f->id == F_PROC_APID ? num(out, pp->pid) : str(out, pp->comm);
	case F_PROC_TTY: return num(out, p->tty);
	case F_PROC_CWD: return str(out, pi ? pi->cwd : NULL);
	case F_PROC_UPPER: return pi && boolean(out, pi->exe_flags & VIGIL_FILE_OVL_UPPER);
	case F_PROC_MEMFD: return pi && boolean(out, pi->exe_flags & VIGIL_FILE_MEMFD);
	case F_PROC_DURATION:	/* ns since the process started, at the event */
		return hdr(fc)->ts_ns >= p->start_ns && num(out, hdr(fc)->ts_ns - p->start_ns);
	case F_THREAD_CAP_EFFECTIVE:
		return str(out, caps_str(p->cap_effective, ' ', fc->scratch, sizeof(fc->scratch)));
	case F_USER_UID: return num(out, p->uid);
	case F_USER_NAME: return str(out, user_name(fc, p));
	case F_GROUP_GID: return num(out, p->gid);
	case F_FD_NAME:
		if ((s = event_sock(fc))) {
			char l[64], r[64];

			if (s->family == AF_UNIX) {
				struct sv u = rec_sv(fc->ev->rec, s->unix_path);

				if (!u.p)
					return false;
				return str(out, unix_path_str(u.p, u.len, fc->scratch, sizeof(fc->scratch)));
			}
			snprintf(fc->scratch, sizeof(fc->scratch), "%s:%u->%s:%u",
				 addr_str(s->family, s->laddr, l, sizeof(l)), s->lport,
				 addr_str(s->family, s->raddr, r, sizeof(r)), s->rport);
			return str(out, fc->scratch);
		}
		return file_path(fc, out);
	case F_FD_NAMERAW: {
		const struct vigil_hdr *h = hdr(fc);
		struct sv v = { NULL, 0 };

		if (h->type == VIGIL_EV_SYSCALL)
			v = rec_sv(fc->ev->rec, ((const struct vigil_syscall_event *)fc->ev->rec)->path);
		else if (h->type == VIGIL_EV_URING)
			v = rec_sv(fc->ev->rec, ((const struct vigil_uring_event *)fc->ev->rec)->path);
		if (!v.p || v.len >= sizeof(fc->scratch))
			return file_path(fc, out);
		memcpy(fc->scratch, v.p, v.len);
		fc->scratch[v.len] = '\0';
		return str(out, fc->scratch);
	}
	case F_FD_DIRECTORY:
	case F_FD_FILENAME:
		if (event_sock(fc) || !file_path(fc, out))
			return false;
		snprintf(fc->scratch, sizeof(fc->scratch), "%s", fc->path);
		slash = strrchr(fc->scratch, '/');
		if (!slash)
			return false;
		if (f->id == F_FD_FILENAME)
			return str(out, slash + 1);
		if (slash == fc->scratch)
			slash[1] = '\0';
		else
			*slash = '\0';
		return str(out, fc->scratch);
	case F_FD_TYPECHAR:
	case F_FD_TYPE:
		if ((s = event_sock(fc))) {
			const char *t = s->family == AF_INET ? "4" : s->family == AF_INET6 ? "6" :
					s->family == AF_UNIX ? "u" : "s";

			if (f->id == F_FD_TYPECHAR)
				return str(out, t);
			return str(out, *t == '4' ? "ipv4" : *t == '6' ? "ipv6" : *t == 'u' ? "unix" : "socket");
		}
		open_flags(fc, &is_open);
		file = event_file(fc);
		if (!is_open && !file)
			return false;
		if (file && (file->mode & 0170000) == 0040000)
			return str(out, f->id == F_FD_TYPECHAR ? "d" : "directory");
		return str(out, f->id == F_FD_TYPECHAR ? "f" : "file");
	case F_FD_NUM:
		open_flags(fc, &is_open);
		if (!is_open && !event_sock(fc))
			return false;
		res = result(fc, &ok);
		return num(out, res >= 0 ? res : -1);
	case F_FD_SIP:
		s = event_sock(fc);
		return sock_ip(fc, s, sock_is_server_local(fc), out);
	case F_FD_CIP:
		s = event_sock(fc);
		return sock_ip(fc, s, !sock_is_server_local(fc), out);
	case F_FD_RIP:
		return sock_ip(fc, event_sock(fc), false, out);
	case F_FD_LIP:
		return sock_ip(fc, event_sock(fc), true, out);
	case F_FD_SPORT:
		s = event_sock(fc);
		return s && num(out, sock_is_server_local(fc) ? s->lport : s->rport);
	case F_FD_CPORT:
		s = event_sock(fc);
		return s && num(out, sock_is_server_local(fc) ? s->rport : s->lport);
	case F_FD_RPORT:
		s = event_sock(fc);
		return s && num(out, s->rport);
	case F_FD_LPORT:
		s = event_sock(fc);
		return s && num(out, s->lport);
	case F_FD_L4PROTO:
		s = event_sock(fc);
		return s && s->family != AF_UNIX && str(out, l4proto_name(s->type, s->protocol));
	case F_FD_SOCKFAMILY:
		s = event_sock(fc);
		return s && str(out, family_name(s->family));
	case F_FD_HOST_MOUNT:
		file = event_file(fc);
		return file && boolean(out, !(file->flags & VIGIL_FILE_ROOT_MNT) &&
				       (file->flags & (VIGIL_FILE_BIND | VIGIL_FILE_BLOCKDEV_FS)));
	case F_FD_CONNECTED: {
		const char *t = field_evt_type(fc->ev);

		s = event_sock(fc);
		if (!s)
			return false;
		res = result(fc, &ok);
		return boolean(out, ok && res >= 0 && (!strcmp(t, "connect") || !strncmp(t, "accept", 6)));
	}
	case F_CTR_ID:
		if (!c)
			return str(out, "host");
		snprintf(fc->scratch, sizeof(fc->scratch), "%.12s", c->id);
		return str(out, fc->scratch);
	case F_FD_MOUNT_ROOT: {
		struct sv r;

		file = event_file(fc);
		if (!file || !(file->flags & VIGIL_FILE_BIND))
			return false;
		r = rec_sv(fc->ev->rec, file->mnt_root);
		if (!r.p || r.len >= sizeof(fc->scratch))
			return false;
		memcpy(fc->scratch, r.p, r.len);
		fc->scratch[r.len] = '\0';
		return str(out, fc->scratch);
	}
	case F_FD_REMOTE_PRIVATE:
		s = event_sock(fc);
		return s && (s->family == AF_INET || s->family == AF_INET6) && boolean(out, addr_private(s));
	case F_CTR_IN_SETUP: return boolean(out, p->flags & VIGIL_PROC_CTR_SETUP);
	case F_CTR_RECENT_TARGETS:
		return c && num(out, ctr_targets_recent(&c->targets, hdr(fc)->ts_ns));
	case F_CTR_HOST_PIDNS:
		if (!c)
			return false;
		if (c->host_pid != CTR_UNKNOWN)	/* the runtime's configuration says */
			return tristate(out, c->host_pid);
		/*
		 * Else the process's own pids: in the host's pid namespace its
		 * pid is its host pid.  Only for a program of the container's
		 * root filesystem: runc's init runs in the host's namespace
		 * until its child enters the container's.
		 */
		return pi && (pi->exe_flags & VIGIL_FILE_ROOT_MNT) && boolean(out, p->vpid == p->pid);
	case F_CTR_PRIVILEGED: return c && tristate(out, c->privileged);
	case F_CTR_HOST_NETWORK: return c && tristate(out, c->host_network);
	case F_CTR_HOST_IPC: return c && tristate(out, c->host_ipc);
	case F_CTR_MOUNTS: return ctr_mounts_field(fc, c, out);
	case F_CTR_MOUNT_DEST: return ctr_mount_field(c, arg, true, out);
	case F_CTR_MOUNT_SOURCE: return ctr_mount_field(c, arg, false, out);
	case F_CTR_LEARNING:
		return c && hdr(fc)->type == VIGIL_EV_CAPABLE && boolean(out, fc->ev->cap_learning);
	case F_CAP_IN_BASELINE:
		return hdr(fc)->type == VIGIL_EV_CAPABLE && boolean(out, fc->ev->cap_in_baseline);
	case F_CTR_NAME: return c ? str(out, c->name) : str(out, "host");
	case F_CTR_IMAGE: return c && str(out, c->image);
	case F_CTR_IMAGE_REPO:
	case F_CTR_IMAGE_TAG: {
		const char *colon, *slash2;

		if (!c || !c->image)
			return false;
		/* repo[:tag][@digest]: the tag's colon is after the last slash */
		snprintf(fc->scratch, sizeof(fc->scratch), "%s", c->image);
		slash2 = strrchr(fc->scratch, '/');
		colon = strrchr(slash2 ? slash2 : fc->scratch, ':');
		if (f->id == F_CTR_IMAGE_TAG)
			return colon ? str(out, colon + 1) : str(out, "latest");
		if (colon)
			fc->scratch[colon - fc->scratch] = '\0';
		return str(out, fc->scratch);
	}
	case F_K8S_NS: return c && str(out, c->k8s_ns);
	case F_K8S_POD: return c && str(out, c->pod);
	}
	return false;
}
