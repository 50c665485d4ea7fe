/* fields.c - field lookup across the class tables, and facts about events (see fields.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/decode.h"
#include "bpf/syscalls.h"
#include "core/activity.h"
#include "rules/field_priv.h"
#include "util/pathutil.h"

static const struct field_def *const classes[] = { field_evt, field_proc, field_fd, field_ctr, field_k8s };

const struct field_def *field_lookup(const char *name, const char **arg)
{
	const struct field_def *f;
	size_t i, n;

	*arg = NULL;
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		for (f = classes[i]; f->name; f++) {
			n = strlen(f->name);
			if (strncmp(name, f->name, n))
				continue;
			if (!name[n])
				return f;
			/* evt.arg.flags: the argument after the dot */
			if (f->takes_arg && name[n] == '.' && name[n + 1]) {
				*arg = name + n + 1;
				return f;
			}
		}
	return NULL;
}

bool field_true(struct field_ctx *fc, const char *name)
{
	const struct field_def *f;
	const char *arg;
	struct fval v;

	f = field_lookup(name, &arg);
	return f && field_get(f, arg, fc, &v) && v.type == FT_BOOL && v.n;
}

const char *uring_op_type(unsigned int op)
{
	switch (op) {
	case VIGIL_IORING_OP_OPENAT: return "openat";
	case VIGIL_IORING_OP_OPENAT2: return "openat2";
	case VIGIL_IORING_OP_CONNECT: return "connect";
	case VIGIL_IORING_OP_ACCEPT: return "accept";
	case VIGIL_IORING_OP_UNLINKAT: return "unlinkat";
	case VIGIL_IORING_OP_RENAMEAT: return "renameat";
	case VIGIL_IORING_OP_MKDIRAT: return "mkdirat";
	case VIGIL_IORING_OP_SYMLINKAT: return "symlinkat";
	case VIGIL_IORING_OP_LINKAT: return "linkat";
	case VIGIL_IORING_OP_SOCKET: return "socket";
	case VIGIL_IORING_OP_BIND: return "bind";
	case VIGIL_IORING_OP_LISTEN: return "listen";
	}
	return "io_uring_op";
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
		/* io_uring's ops are what their syscalls are to rules */
		return uring_op_type(e->opcode);
	}
	case VIGIL_EV_SOCK:
		return ((const struct vigil_sock_event *)ev->rec)->kind == VIGIL_SOCK_CONNECT ? "connect" : "sendto";
	case VIGIL_EV_MIGRATE: return "cgroup_migrate";
	case VIGIL_EV_NOTICE:
		return ((const struct vigil_notice_event *)ev->rec)->kind == VIGIL_NOTICE_CTR_TABLE_FULL ?
			"container_unwatched" : "compat_syscall";
	case VIGIL_EV_FORK: return "clone";
	case VIGIL_EV_EXIT: return "procexit";
	case VIGIL_EV_PROFILE: return "profile_violation";
	case VIGIL_EV_CAPABLE: return "capability";
	case VIGIL_EV_CGROUP: return "container";
	case VIGIL_EV_ENFORCE: return sys_name(((const struct vigil_enforce_event *)ev->rec)->nr);
	case VIGIL_EV_SYNFLOOD: return "syn_flood";
	case VIGIL_EV_RENAME: return "task_rename";
	case VIGIL_EV_CPU: return "cpu_usage";
	}
	return "unknown";
}

const struct vigil_file *event_file(const struct event_view *ev)
{
	const struct vigil_hdr *h = ev->rec;
	const struct vigil_file *f = NULL;

	if (h->type == VIGIL_EV_SYSCALL)
		f = &((const struct vigil_syscall_event *)ev->rec)->file;
	else if (h->type == VIGIL_EV_URING)
		f = &((const struct vigil_uring_event *)ev->rec)->file;
	else if (h->type == VIGIL_EV_EXEC)
		f = &((const struct vigil_exec_event *)ev->rec)->exe;
	return f && (f->flags & VIGIL_FILE_PRESENT) ? f : NULL;
}

const struct vigil_sock *event_sock(const struct event_view *ev)
{
	const struct vigil_hdr *h = ev->rec;
	const struct vigil_sock *s = NULL;

	if (h->type == VIGIL_EV_SYSCALL)
		s = &((const struct vigil_syscall_event *)ev->rec)->sock;
	else if (h->type == VIGIL_EV_URING)
		s = &((const struct vigil_uring_event *)ev->rec)->sock;
	else if (h->type == VIGIL_EV_SOCK)
		s = &((const struct vigil_sock_event *)ev->rec)->addr;
	return s && s->family ? s : NULL;
}

const struct vigil_sock *event_connect_sock(const struct event_view *ev)
{
	return strcmp(field_evt_type(ev), "connect") ? NULL : event_sock(ev);
}

bool event_writes_file(const struct event_view *ev, const char *path)
{
	const struct vigil_file *f = event_file(ev);
	const struct vigil_hdr *h = ev->rec;
	struct field_ctx fc;
	bool is_open;
	uint64_t flags;
	struct sv p;

	if (!f || h->type == VIGIL_EV_EXEC)
		return false;
	memset(&fc, 0, sizeof(fc));
	fc.ev = ev;
	flags = field_open_flags(&fc, &is_open);
	if (!is_open || ((flags & O_ACCMODE) == O_RDONLY && !(flags & (O_TRUNC | O_CREAT))))
		return false;
	p = rec_sv(ev->rec, f->path);
	return p.p && p.len == strlen(path) && !memcmp(p.p, path, p.len);
}

bool file_is_host_mount(const struct vigil_file *fl)
{
	static const char *const virt[] = { "proc", "sysfs", "cgroup", "cgroup2", "devpts",
					    "mqueue", "devtmpfs", "nsfs", "pipefs", "sockfs",
					    "anon_inodefs", "bpf", "tracefs", "debugfs", "securityfs", NULL };
	int i;

	if (!(fl->flags & VIGIL_FILE_PRESENT) || (fl->flags & VIGIL_FILE_ROOT_MNT))
		return false;
	/* the host's own pseudo filesystem bound in (its /proc, say) is the host's */
	if (fl->flags & VIGIL_FILE_FOREIGN_NS)
		return true;
	for (i = 0; virt[i]; i++)
		if (!strncmp(fl->fstype, virt[i], sizeof(fl->fstype)))
			return false;
	if (!strncmp(fl->fstype, "tmpfs", sizeof(fl->fstype)))
		return fl->flags & VIGIL_FILE_BIND;
	return fl->flags & (VIGIL_FILE_BIND | VIGIL_FILE_BLOCKDEV_FS);
}

/* ---- helpers for the tables (field_priv.h) ---- */

bool fscratch(struct field_ctx *fc, const char *p, size_t n, struct fval *out)
{
	if (!p || n >= sizeof(fc->scratch))
		return false;
	memcpy(fc->scratch, p, n);
	fc->scratch[n] = '\0';
	return fstr(out, fc->scratch);
}

int64_t field_result(const struct field_ctx *fc, bool *ok)
{
	const struct vigil_hdr *h = fhdr(fc);

	*ok = true;
	if (h->type == VIGIL_EV_SYSCALL) {
		const struct vigil_syscall_event *e = fc->ev->rec;

		*ok = !(e->flags & VIGIL_SYSEV_NO_RESULT);
		return e->ret;
	}
	if (h->type == VIGIL_EV_URING) {
		const struct vigil_uring_event *e = fc->ev->rec;

		/* a submission whose completion never came has no result */
		*ok = e->kind != VIGIL_URING_SUBMIT;
		return e->res;
	}
	if (h->type == VIGIL_EV_EXEC)
		return 0;
	if (h->type == VIGIL_EV_CAPABLE)
		return ((const struct vigil_capable_event *)fc->ev->rec)->ret;
	*ok = false;
	return 0;
}

/* link and symlink make a new name: that is the event's file, the other path its target */
static bool names_new_file(const struct event_view *ev)
{
	const struct vigil_hdr *h = ev->rec;

	if (h->type == VIGIL_EV_SYSCALL) {
		const struct sys_desc *d = sys_desc_by_nr(((const struct vigil_syscall_event *)ev->rec)->nr);

		return d && (!strcmp(d->type, "link") || !strcmp(d->type, "symlink"));
	}
	if (h->type == VIGIL_EV_URING) {
		unsigned int op = ((const struct vigil_uring_event *)ev->rec)->opcode;

		return op == VIGIL_IORING_OP_LINKAT || op == VIGIL_IORING_OP_SYMLINKAT;
	}
	return false;
}

bool field_file_path(struct field_ctx *fc, struct fval *out)
{
	const struct vigil_file *f = event_file(fc->ev);
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
		} else if (field_arg_path(fc, names_new_file(fc->ev) ? 1 : 0, fc->path, sizeof(fc->path)) >= 0) {
			fc->have_path = 1;
		}
	}
	if (!fc->have_path)
		return false;
	return fstr(out, fc->path);
}

uint64_t field_open_flags(const struct field_ctx *fc, bool *is_open)
{
	const struct vigil_hdr *h = fhdr(fc);

	*is_open = false;
	if (h->type == VIGIL_EV_URING) {
		const struct vigil_uring_event *e = fc->ev->rec;

		*is_open = e->kind != VIGIL_URING_SETUP &&
			   (e->opcode == VIGIL_IORING_OP_OPENAT || e->opcode == VIGIL_IORING_OP_OPENAT2);
		return e->open_flags;
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

int field_arg_path(struct field_ctx *fc, int which, char *out, size_t len)
{
	const struct vigil_hdr *h = fhdr(fc);
	struct sv p = { NULL, 0 }, d = { NULL, 0 };

	if (h->type == VIGIL_EV_SYSCALL) {
		const struct vigil_syscall_event *e = fc->ev->rec;

		p = rec_sv(e, which ? e->path2 : e->path);
		d = rec_sv(e, which ? e->dir2 : e->dir);
	} else if (h->type == VIGIL_EV_URING) {
		const struct vigil_uring_event *e = fc->ev->rec;

		p = rec_sv(e, which ? e->path2 : e->path);
		d = rec_sv(e, which ? e->dir2 : e->dir);
	}
	if (!p.p)
		return -ENOENT;
	return path_canonical(d.p, d.len, p.p, p.len, h->proc.vpid, out, len);
}

const struct proc_info *field_ancestor(struct field_ctx *fc, int level)
{
	const struct proc_info *p;
	uint32_t pid = fhdr(fc)->proc.pid;
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

/* Generations walked at most: a bound for a table a bug (or a pid reuse) loops */
#define ANCESTRY_WALK 256

void field_ancestry(struct field_ctx *fc, struct ancestry *a)
{
	const struct vigil_hdr *h = fhdr(fc);
	uint64_t ctr = h->proc.ctr_cgroup_id;
	uint32_t pid = h->proc.ppid, child = h->proc.pid, top_vpid = h->proc.vpid;
	size_t beyond = 0, steps;

	a->n = 0;
	a->skipped = 0;
	a->root = ANCESTRY_UNKNOWN;
	if (!fc->procs)
		return;
	for (steps = 0; steps < ANCESTRY_WALK; steps++) {
		const struct proc_info *q;

		if (!pid || pid == child) {
			if (!ctr)
				a->root = ANCESTRY_HOST;
			break;
		}
		q = proc_cache_get(fc->procs, pid);
		/*
		 * A container's parent is outside it when the kernel placed it
		 * elsewhere, or never reported it: every fork and exec in a
		 * container is reported, so only host processes (the runtime's
		 * shim) are missing or known only from the start-up scan.
		 */
		if (ctr && (!q || !q->place_known || q->ctr_cgroup_id != ctr)) {
			/* the last one shown (or the process itself) heads the container's tree */
			if (top_vpid == 1)
				a->root = ANCESTRY_ENTRYPOINT;
			else if (top_vpid)
				a->root = ANCESTRY_ENTERED;
			break;
		}
		if (!q) {
			if (!ctr && pid == 1)
				a->root = ANCESTRY_HOST;	/* init, not in the table: the top */
			break;
		}
		if (a->n < ANCESTRY_MAX)
			a->p[a->n++] = q;
		else
			a->p[ANCESTRY_MAX] = q, beyond++;
		top_vpid = q->place_known ? q->vpid : 0;
		child = pid;
		pid = q->ppid;
	}
	if (beyond) {
		a->n = ANCESTRY_MAX + 1;
		a->skipped = beyond - 1;
	}
}

const char *ancestry_root_name(enum ancestry_root r)
{
	switch (r) {
	case ANCESTRY_ENTRYPOINT:
		return "entrypoint";
	case ANCESTRY_ENTERED:
		return "entered";
	case ANCESTRY_HOST:
		return "host";
	default:
		return "unknown";
	}
}

bool field_join_args(struct field_ctx *fc, const struct proc_info *pi, int skip, const char *prefix,
		     struct fval *out)
{
	if (!pi || !pi->argv)
		return false;
	proc_argv_join(pi, skip, prefix, fc->scratch, sizeof(fc->scratch));
	return fstr(out, fc->scratch);
}

const char *field_comm(char buf[VIGIL_COMM_LEN + 1], const char *comm)
{
	memcpy(buf, comm, VIGIL_COMM_LEN);
	buf[VIGIL_COMM_LEN] = '\0';
	return buf[0] ? buf : NULL;
}

const struct stdio_use *field_stdio_peer(const struct event_view *ev, enum stdio_peer which)
{
	const struct vigil_exec_event *e = ev->rec;
	const struct vigil_stdio_end *s;
	uint32_t pid = e->hdr.proc.pid;
	uint64_t now = e->hdr.ts_ns;

	if (e->hdr.type != VIGIL_EV_EXEC || !ev->act)
		return NULL;
	switch (which) {
	case STDIO_PEER_STDIN_WRITER:
		s = &e->stdio[0];
		return s->kind == VIGIL_STDIO_PIPE ?
			activity_stdio_find(ev->act, 1, VIGIL_STDIO_PIPE, s->dev, s->ino, pid, now) : NULL;
	case STDIO_PEER_STDOUT_READER:
		s = &e->stdio[1];
		return s->kind == VIGIL_STDIO_PIPE ?
			activity_stdio_find(ev->act, 0, VIGIL_STDIO_PIPE, s->dev, s->ino, pid, now) : NULL;
	case STDIO_PEER_EXE_WRITER:
		return e->exe.flags & VIGIL_FILE_PRESENT ?
			activity_stdio_find(ev->act, 1, VIGIL_STDIO_FILE, e->exe.dev, e->exe.ino, pid, now) : NULL;
	}
	return NULL;
}
