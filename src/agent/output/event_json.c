/* event_json.c - an event as one JSON object, stable keys (see format.h, docs/events.md). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <time.h>

#include "bpf/decode.h"
#include "output/format.h"
#include "output/format_priv.h"
#include "proc/identity.h"
#include "rules/fields.h"
#include "util/names.h"
#include "util/pathutil.h"
#include "bpf/syscalls.h"

#define AT_FDCWD_VAL -100

/*
 * Called twice per event (event and process start): the date part is cached
 * per second in two slots, the nanoseconds written by hand.
 */
void time_rfc3339(int64_t real_ns, char *buf, size_t len)
{
	static __thread struct { time_t sec; char text[24]; size_t n; } slot[2];
	static __thread unsigned int next;
	time_t sec = real_ns / 1000000000LL;
	long ns = real_ns % 1000000000LL;
	unsigned int i;
	struct tm tm;
	char *p;

	if (len < 32) {
		if (len)
			buf[0] = '\0';
		return;
	}
	for (i = 0; i < 2 && slot[i].sec != sec; i++)
		;
	if (i == 2 || !slot[i].n) {
		i = next++ & 1;
		gmtime_r(&sec, &tm);
		slot[i].n = strftime(slot[i].text, sizeof(slot[i].text), "%Y-%m-%dT%H:%M:%S", &tm);
		slot[i].sec = sec;
	}
	memcpy(buf, slot[i].text, slot[i].n);
	p = buf + slot[i].n;
	*p++ = '.';
	for (i = 9; i-- > 0; ns /= 10)
		p[i] = '0' + ns % 10;
	p[9] = 'Z';
	p[10] = '\0';
}

const struct vigil_hdr *hdr_of(const void *rec)
{
	return rec;
}

const char *event_type_name(const void *rec)
{
	const struct vigil_hdr *h = hdr_of(rec);

	switch (h->type) {
	case VIGIL_EV_EXEC: return "exec";
	case VIGIL_EV_FORK: return "fork";
	case VIGIL_EV_EXIT: return "exit";
	case VIGIL_EV_URING: return "io_uring";
	case VIGIL_EV_CGROUP:
		return ((const struct vigil_cgroup_event *)rec)->kind == VIGIL_CGROUP_MKDIR ?
			"container_start" : "container_exit";
	case VIGIL_EV_PROFILE: return "profile_violation";
	case VIGIL_EV_CAPABLE: return "capability";
	case VIGIL_EV_MIGRATE: return "cgroup_migrate";
	case VIGIL_EV_SOCK:
		return ((const struct vigil_sock_event *)rec)->kind == VIGIL_SOCK_CONNECT ? "connect" : "sendto";
	case VIGIL_EV_NOTICE:
		return ((const struct vigil_notice_event *)rec)->kind == VIGIL_NOTICE_CTR_TABLE_FULL ?
			"container_unwatched" : "compat_syscall";
	case VIGIL_EV_ENFORCE: return "enforce";
	case VIGIL_EV_SYNFLOOD: return "syn_flood";
	case VIGIL_EV_RENAME: return "rename";
	case VIGIL_EV_CPU: return "cpu_usage";
	case VIGIL_EV_SYSCALL: {
		const struct sys_desc *d = sys_desc_by_nr(((const struct vigil_syscall_event *)rec)->nr);

		return d ? d->type : "syscall";
	}
	}
	return "unknown";
}

enum sink_family event_family(const void *rec)
{
	const struct vigil_hdr *h = hdr_of(rec);
	const struct sys_desc *d;

	switch (h->type) {
	case VIGIL_EV_EXEC:
	case VIGIL_EV_FORK:
	case VIGIL_EV_EXIT:
	case VIGIL_EV_RENAME:
	case VIGIL_EV_CPU:
		return SINK_EXEC;
	case VIGIL_EV_URING:
		return SINK_FILE;
	case VIGIL_EV_SOCK:
	case VIGIL_EV_SYNFLOOD:
		return SINK_NET;
	case VIGIL_EV_CAPABLE:
	case VIGIL_EV_MIGRATE:
	case VIGIL_EV_ENFORCE:
		return SINK_PRIV;
	case VIGIL_EV_SYSCALL:
		d = sys_desc_by_nr(((const struct vigil_syscall_event *)rec)->nr);
		switch (d ? d->cls : SC_NONE) {
		case SC_OPEN:
		case SC_FILE:
			return SINK_FILE;
		case SC_EXEC:
			return SINK_EXEC;
		case SC_NET:
		case SC_DUP:
			return SINK_NET;
		default:
			return SINK_PRIV;
		}
	}
	return SINK_SYSCALL;	/* container lifecycle, profile violations, notices */
}

static void json_sv(struct jw *w, const char *key, struct sv v)
{
	if (v.p)
		jw_strn(w, key, v.p, v.len);
}

/* argv is NUL-separated; the kernel's copy ends in a NUL we do not show. */
size_t argv_trim(const char *argv, size_t len)
{
	return len > 0 && argv[len - 1] == '\0' ? len - 1 : len;
}

/*
 * A flag that is almost always false, written only when true: an open event
 * carries a dozen of them, and every byte of an event is copied, hashed into
 * the log chain and stored.  Absent means false (docs/events.md).
 */
static void json_flag(struct jw *w, const char *key, bool v)
{
	if (v)
		jw_bool(w, key, true);
}

/* The path as the process passed it, when that is not the path itself. */
static void json_nameraw(struct jw *w, struct sv raw, struct sv path)
{
	if (raw.p && (!path.p || raw.len != path.len || memcmp(raw.p, path.p, raw.len)))
		json_sv(w, "nameraw", raw);
}

static void json_argv(struct jw *w, const char *argv, size_t len)
{
	size_t i = 0, start;
	bool valid = true;

	jw_arr_open(w, "args");
	while (argv && i < len) {
		start = i;
		while (i < len && argv[i])
			i++;
		jw_strn(w, NULL, argv + start, i - start);
		valid = valid && jw_utf8_valid(argv + start, i - start);
		i++;
	}
	jw_arr_close(w);
	if (valid)
		return;
	/* an element held bytes that are not UTF-8: every element's exact bytes, in order */
	jw_arr_open(w, "args_b64");
	for (i = 0; argv && i < len; i++) {
		start = i;
		while (i < len && argv[i])
			i++;
		jw_b64(w, NULL, argv + start, i - start);
	}
	jw_arr_close(w);
}

/* "cmdline": argv joined by spaces, as Falco's proc.cmdline */
static void json_cmdline(struct jw *w, const char *argv, size_t len)
{
	char buf[VIGIL_ARGV_MAX + 1];
	size_t i, n = len < VIGIL_ARGV_MAX ? len : VIGIL_ARGV_MAX;

	for (i = 0; i < n; i++)
		buf[i] = argv[i] ? argv[i] : ' ';
	jw_strn(w, "cmdline", buf, n);
}

/* An alert's "ancestry": the parent first, the root of the container's tree last. */
static void json_ancestry(struct jw *w, struct field_ctx *fc)
{
	struct ancestry a;
	size_t i;

	field_ancestry(fc, &a);
	if (!a.n && a.root == ANCESTRY_UNKNOWN)
		return;
	jw_arr_open(w, "ancestry");
	for (i = 0; i < a.n; i++) {
		const struct proc_info *q = a.p[i];

		jw_obj_open(w, NULL);
		jw_uint(w, "pid", q->pid);
		if (q->place_known)
			jw_uint(w, "vpid", q->vpid);
		if (q->exe)
			jw_str(w, "exe", q->exe);
		if (q->argv)
			json_argv(w, q->argv, argv_trim(q->argv, q->argv_len));
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_str(w, "ancestry_root", ancestry_root_name(a.root));
	if (a.skipped)
		jw_uint(w, "ancestry_skipped", a.skipped);
}

static void json_process(struct jw *w, const struct fmt_ctx *f, const struct event_view *ev, bool full)
{
	const struct vigil_proc *p = &hdr_of(ev->rec)->proc;
	const struct proc_info *pi = ev->proc;
	char ts[48];

	jw_obj_open(w, "process");
	jw_uint(w, "pid", p->pid);
	jw_uint(w, "tid", p->tid);
	jw_uint(w, "vpid", p->vpid);
	jw_uint(w, "ppid", p->ppid);
	jw_strn(w, "name", p->comm, strnlen(p->comm, sizeof(p->comm)));
	jw_strn(w, "pname", p->pcomm, strnlen(p->pcomm, sizeof(p->pcomm)));
	if (pi && pi->exe) {
		char name[256];

		jw_str(w, "exe", pi->exe);
		/* what it is, by kernel facts and bytes (proc.exe_name), not what it calls itself */
		jw_str(w, "exe_name", identity_name(pi->exe, pi->exe_origin, pi->argv, name, sizeof(name)));
		if (pi->exe_origin)
			jw_str(w, "exe_origin", pi->exe_origin);
		if (pi->exe_package)
			jw_str(w, "exe_package", pi->exe_package);
	}
	if (pi && pi->argv) {
		size_t n = argv_trim(pi->argv, pi->argv_len);

		json_argv(w, pi->argv, n);
		json_cmdline(w, pi->argv, n);
		json_flag(w, "args_truncated", pi->argv_truncated);
	}
	if (pi && pi->cwd)
		jw_str(w, "cwd", pi->cwd);
	jw_uint(w, "uid", p->uid);
	jw_uint(w, "gid", p->gid);
	jw_uint(w, "euid", p->euid);
	/*
	 * Up to 40 names: written at exec, in an alert, and whenever they differ
	 * from what the process had at its exec; absent, they are the exec's.
	 */
	if (full || !pi || !pi->exec_caps_known || pi->exec_caps != p->cap_effective)
		caps_json(w, "caps", p->cap_effective);
	if (p->tty)
		jw_uint(w, "tty", p->tty);
	if (p->ctr_cgroup_id) {
		json_flag(w, "runtime_setup", p->flags & VIGIL_PROC_CTR_SETUP);
		json_flag(w, "runtime", p->flags & VIGIL_PROC_RUNTIME);
	}
	time_rfc3339(p->start_ns + f->boot_to_real_ns, ts, sizeof(ts));
	jw_str(w, "start_time", ts);
	jw_obj_close(w);
}

/*
 * The full id and the image's digest are the same on every event of a
 * container: written in its container events, at exec and in alerts;
 * elsewhere the short id, name and image say whose event it is.
 */
static void container_obj(struct jw *w, const struct ctr_info *c, bool full)
{
	jw_obj_open(w, "container");
	if (!c) {
		jw_str(w, "id", "host");
		jw_str(w, "name", "host");
		jw_null(w, "image");
		jw_obj_close(w);
		return;
	}
	jw_strn(w, "id", c->id, 12);
	if (full)
		jw_str(w, "full_id", c->id);
	jw_str(w, "name", c->name);
	jw_str(w, "image", c->image);
	if (full && c->image_id)
		jw_str(w, "image_id", c->image_id);
	jw_str(w, "runtime", ctr_runtime_name(c->runtime));
	if (c->pod || c->k8s_ns) {
		jw_obj_open(w, "k8s");
		jw_str(w, "pod", c->pod);
		jw_str(w, "namespace", c->k8s_ns);
		jw_str(w, "container", c->k8s_container);
		if (c->k8s_pod_uid)
			jw_str(w, "pod_uid", c->k8s_pod_uid);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

void json_container(struct jw *w, const struct ctr_info *c)
{
	container_obj(w, c, true);
}

/* The one answer to "on a host mount?": fd.is_host_mount's, as the rules see it. */
static bool host_mount(struct field_ctx *fc)
{
	static const struct field_def *f;
	const char *arg;
	struct fval v;

	if (!f)
		f = field_lookup("fd.is_host_mount", &arg);
	return f && field_get(f, NULL, fc, &v) && v.n;
}

/* The fields of a struct vigil_file, inside the currently open object. */
static void json_file_fields(struct jw *w, struct field_ctx *fc, const struct vigil_file *fl)
{
	jw_uint(w, "ino", fl->ino);
	jw_uint(w, "dev", fl->dev);
	jw_uint(w, "mode", fl->mode);
	jw_strn(w, "fstype", fl->fstype, strnlen(fl->fstype, sizeof(fl->fstype)));
	json_flag(w, "path_truncated", fl->flags & VIGIL_FILE_PATH_TRUNC);
	jw_obj_open(w, "mount");
	json_flag(w, "container_root", fl->flags & VIGIL_FILE_ROOT_MNT);
	json_flag(w, "bind", fl->flags & VIGIL_FILE_BIND);
	json_flag(w, "host", host_mount(fc));
	json_sv(w, "source", rec_sv(fc->ev->rec, fl->mnt_source));
	json_sv(w, "root", rec_sv(fc->ev->rec, fl->mnt_root));
	jw_obj_close(w);
	if (!strncmp(fl->fstype, "overlay", sizeof(fl->fstype))) {
		json_flag(w, "upper_layer", fl->flags & VIGIL_FILE_OVL_UPPER);
		json_flag(w, "lower_layer", fl->flags & VIGIL_FILE_OVL_LOWER);
	}
}

/* A user path joined to its kernel-resolved directory, into buf. */
struct sv joined_path(const void *rec, struct vigil_str path, struct vigil_str dir,
			     char *buf, size_t len)
{
	struct sv p = rec_sv(rec, path), d = rec_sv(rec, dir), out = { NULL, 0 };
	int n;

	if (!p.p)
		return out;
	/* as the rules see it: /proc/self/root/etc/x is /etc/x */
	n = path_canonical(d.p, d.len, p.p, p.len, hdr_of(rec)->proc.vpid, buf, len);
	out.p = buf;
	out.len = n < 0 ? strlen(buf) : (size_t)n;
	return out;
}

static void json_sock(struct jw *w, const void *rec, const struct vigil_sock *s)
{
	char a[64];

	if (!s->family)
		return;
	jw_obj_open(w, "net");
	jw_str(w, "family", family_name(s->family));
	if (s->family == AF_UNIX) {
		struct sv u = rec_sv(rec, s->unix_path);
		char path[128];

		if (u.p)
			jw_str(w, "unix_path", unix_path_str(u.p, u.len, path, sizeof(path)));
	} else {
		jw_str(w, "proto", l4proto_name(s->type, s->protocol));
		jw_obj_open(w, "local");
		jw_str(w, "ip", addr_str(s->family, s->laddr, a, sizeof(a)));
		jw_uint(w, "port", s->lport);
		jw_obj_close(w);
		jw_obj_open(w, "remote");
		jw_str(w, "ip", addr_str(s->family, s->raddr, a, sizeof(a)));
		jw_uint(w, "port", s->rport);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

static void json_result(struct jw *w, int64_t ret)
{
	jw_int(w, "result", ret);
	if (ret < 0 && ret > -4096)
		jw_str(w, "errno", errno_name(-ret));
}

/* The programs a pipe or a file joins to this one (fields.h), when the container ran any lately. */
static void json_stdio_peers(struct jw *w, struct field_ctx *fc)
{
	static const struct { enum stdio_peer which; const char *key; } peers[] = {
		{ STDIO_PEER_STDIN_WRITER, "stdin_from" },
		{ STDIO_PEER_STDOUT_READER, "stdout_to" },
		{ STDIO_PEER_EXE_WRITER, "exe_written_by" },
	};
	const struct stdio_use *u;
	size_t i;

	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++)
		if ((u = field_stdio_peer(fc->ev, peers[i].which)))
			jw_str(w, peers[i].key, u->cmdline);
}

static void json_exec(struct jw *w, struct field_ctx *fc, const struct vigil_exec_event *e)
{
	struct sv exe = rec_sv(e, e->exe.path);
	bool tmp = exe.p && ((exe.len > 5 && !memcmp(exe.p, "/tmp/", 5)) ||
			     (exe.len > 9 && !memcmp(exe.p, "/dev/shm/", 9)));

	jw_str(w, "syscall", "execve");
	json_result(w, 0);
	jw_obj_open(w, "exec");
	json_sv(w, "filename", rec_sv(e, e->filename));
	json_sv(w, "exe", exe);
	json_flag(w, "upper_layer", e->exe.flags & VIGIL_FILE_OVL_UPPER);
	json_flag(w, "from_memfd", e->exe.flags & VIGIL_FILE_MEMFD);
	json_flag(w, "from_tmp", tmp);
	json_flag(w, "args_truncated", e->flags & VIGIL_EXEC_ARGV_TRUNC);
	/* started by a task that entered the container from outside: the entrypoint, a docker exec */
	json_flag(w, "from_runtime", e->flags & VIGIL_EXEC_FROM_RUNTIME);
	if (e->stdio_sockets) {
		jw_arr_open(w, "stdio_sockets");
		for (int fd = 0; fd < 3; fd++)
			if (e->stdio_sockets & (1u << fd))
				jw_int(w, NULL, fd);
		jw_arr_close(w);
	}
	json_stdio_peers(w, fc);
	if (fc->ev->proc && fc->ev->proc->exe_padding)
		jw_uint(w, "padding", fc->ev->proc->exe_padding);	/* bytes past its ELF image */
	jw_obj_open(w, "file");
	json_file_fields(w, fc, &e->exe);
	jw_obj_close(w);
	jw_obj_close(w);
	if (e->stdio_sockets)
		json_sock(w, e, &e->stdio_sock);
}

static void json_raw_args(struct jw *w, const struct sys_desc *d, const __u64 *args)
{
	int i;

	jw_obj_open(w, "args");
	for (i = 0; i < 6; i++) {
		if (!d->argnames[i])
			continue;
		/* fds and pids are C ints: AT_FDCWD is -100, not 4294967196 */
		if (strstr(d->argnames[i], "fd") || !strcmp(d->argnames[i], "pid"))
			jw_int(w, d->argnames[i], (int32_t)args[i]);
		else
			jw_int(w, d->argnames[i], (int64_t)args[i]);
	}
	jw_obj_close(w);
}

static void json_syscall(struct jw *w, struct field_ctx *fc, const struct vigil_syscall_event *e)
{
	const struct sys_desc *d = sys_desc_by_nr(e->nr);
	char p1[VIGIL_PATH_MAX * 2], p2[VIGIL_PATH_MAX * 2], buf[256];
	struct sv path = joined_path(e, e->path, e->dir, p1, sizeof(p1));
	struct sv path2 = joined_path(e, e->path2, e->dir2, p2, sizeof(p2));
	bool have_file = e->file.flags & VIGIL_FILE_PRESENT;
	const char *name;

	jw_str(w, "syscall", sys_name(e->nr));
	if (e->flags & VIGIL_SYSEV_NO_RESULT)
		jw_null(w, "result");	/* killed at its entry: its return was not seen */
	else
		json_result(w, e->ret);
	if (e->flags & (VIGIL_SYSEV_ARG_RACED | VIGIL_SYSEV_ARG_UNREAD)) {
		/* the caller changed its argument while the syscall ran: an evasion attempt */
		jw_bool(w, "args_changed", e->flags & VIGIL_SYSEV_ARG_RACED);
		jw_bool(w, "args_unreadable", e->flags & VIGIL_SYSEV_ARG_UNREAD);
	}
	if (!d)
		return;
	json_raw_args(w, d, e->args);

	switch (d->cls) {
	case SC_OPEN:
	case SC_EXEC:
		jw_obj_open(w, "file");
		/* the kernel's path of the opened file when there is one */
		if (have_file)
			json_sv(w, "path", rec_sv(e, e->file.path));
		else
			json_sv(w, "path", path);
		jw_bool(w, "resolved", have_file);
		json_nameraw(w, rec_sv(e, e->path), have_file ? rec_sv(e, e->file.path) : path);
		if (d->cls == SC_OPEN) {
			uint64_t flags = sys_open_flags(d, e);

			open_flags_json(w, "flags", flags);
			jw_uint(w, "flags_raw", flags);
			if (e->repeats)
				jw_uint(w, "repeats", e->repeats);
			if (flags & O_CREAT)
				jw_uint(w, "create_mode", !strcmp(d->name, "open") ? e->args[2] :
					!strcmp(d->name, "creat") ? e->args[1] : e->args[3]);
		}
		if (have_file)
			json_file_fields(w, fc, &e->file);
		jw_obj_close(w);
		break;
	case SC_FILE:
		jw_obj_open(w, "file");
		if (!strcmp(d->type, "symlink")) {
			/* the target text is stored as given; the link is path2 */
			json_sv(w, "path", path2);
			json_sv(w, "target", rec_sv(e, e->path));
		} else if (!strcmp(d->type, "link")) {
			json_sv(w, "path", path2);
			json_sv(w, "target", path);
		} else if (!strcmp(d->type, "rename")) {
			json_sv(w, "path", path);
			json_sv(w, "new_path", path2);
		} else if (have_file) {
			json_sv(w, "path", rec_sv(e, e->file.path));
		} else {
			json_sv(w, "path", path);
		}
		if (!strcmp(d->type, "setxattr"))
			json_sv(w, "xattr", rec_sv(e, e->path2));
		if (!strcmp(d->type, "chown")) {
			/* -1 leaves it as it is */
			int k = !strcmp(d->name, "fchownat") ? 2 : 1;

			jw_int(w, "uid", (int32_t)e->args[k]);
			jw_int(w, "gid", (int32_t)e->args[k + 1]);
		}
		if (!strcmp(d->type, "chmod")) {
			uint64_t mode = !strcmp(d->name, "chmod") || !strcmp(d->name, "fchmod") ?
					e->args[1] : e->args[2];

			jw_uint(w, "mode", mode & 07777);
			jw_bool(w, "setuid", mode & 04000);
			jw_bool(w, "setgid", mode & 02000);
		}
		if (have_file)
			json_file_fields(w, fc, &e->file);
		jw_obj_close(w);
		break;
	case SC_NET:
		json_sock(w, e, &e->sock);
		break;
	case SC_DUP:
		jw_uint(w, "newfd", e->args[1]);
		json_sock(w, e, &e->sock);
		break;
	case SC_PRIV:
		jw_obj_open(w, "detail");
		if (!strcmp(d->type, "ptrace")) {
			name = ptrace_request_name(e->args[0]);
			if (name)
				jw_str(w, "request", name);
			jw_int(w, "target_pid", (int64_t)e->args[1]);
		} else if (!strcmp(d->type, "unshare")) {
			jw_str(w, "namespaces", ns_flags_str(e->args[0], buf, sizeof(buf)));
		} else if (!strcmp(d->type, "setns")) {
			jw_str(w, "namespaces", ns_flags_str(e->args[1], buf, sizeof(buf)));
			if (have_file)
				json_sv(w, "ns_file", rec_sv(e, e->file.path));
		} else if (!strcmp(d->type, "mount")) {
			json_sv(w, "source", rec_sv(e, e->path));
			json_sv(w, "target", path2);
		} else if (!strcmp(d->type, "umount") || !strcmp(d->name, "delete_module")) {
			json_sv(w, "target", path);
		} else if (!strcmp(d->name, "finit_module") && have_file) {
			json_sv(w, "file", rec_sv(e, e->file.path));
		}
		jw_obj_close(w);
		break;
	default:
		break;
	}
}

const char *uring_op_name(unsigned int op)
{
	return uring_op_type(op);
}

/* A path argument as the rules see it (joined, canonical), under key. */
static void json_arg_path(struct jw *w, struct field_ctx *fc, const char *key, const char *arg)
{
	const struct field_def *f;
	const char *a;
	struct fval v;
	char name[64];

	snprintf(name, sizeof(name), "evt.arg.%s", arg);
	f = field_lookup(name, &a);
	if (f && field_get(f, a, fc, &v) && v.type == FT_STR)
		jw_strn(w, key, v.s, v.len);
}

static void json_uring(struct jw *w, struct field_ctx *fc, const struct vigil_uring_event *e)
{
	char flags[512];

	jw_obj_open(w, "io_uring");
	if (e->kind == VIGIL_URING_SETUP) {
		jw_str(w, "op", "setup");
		jw_uint(w, "sq_entries", e->sq_entries);
		jw_uint(w, "cq_entries", e->cq_entries);
		jw_uint(w, "flags", e->setup_flags);
		jw_obj_close(w);
		json_result(w, e->res);
		return;
	}
	jw_str(w, "op", uring_op_name(e->opcode));
	/* a submission whose completion never came (IOSQE_CQE_SKIP_SUCCESS, a CQ overflow) */
	jw_bool(w, "completed", e->kind == VIGIL_URING_OP);
	jw_uint(w, "sqe_flags", e->sqe_flags);
	if (e->file_slot)
		jw_uint(w, "fixed_file_slot", e->file_slot - 1);
	jw_obj_close(w);
	if (e->kind == VIGIL_URING_OP)
		json_result(w, e->res);
	else
		jw_null(w, "result");
	switch (e->opcode) {
	case VIGIL_IORING_OP_CONNECT:
	case VIGIL_IORING_OP_ACCEPT:
	case VIGIL_IORING_OP_BIND:
	case VIGIL_IORING_OP_LISTEN:
		json_sock(w, e, &e->sock);
		return;
	case VIGIL_IORING_OP_SOCKET:
		jw_obj_open(w, "args");
		jw_str(w, "domain", family_name(e->args[0]));
		jw_uint(w, "type", e->args[1]);
		jw_uint(w, "protocol", e->args[2]);
		jw_obj_close(w);
		return;
	}
	jw_obj_open(w, "file");
	if (e->file.flags & VIGIL_FILE_PRESENT) {
		json_sv(w, "path", rec_sv(e, e->file.path));
		jw_bool(w, "resolved", true);
	} else {
		json_arg_path(w, fc, "path", "path");
		jw_bool(w, "resolved", false);
	}
	json_sv(w, "nameraw", rec_sv(e, e->path));
	if (e->opcode == VIGIL_IORING_OP_OPENAT || e->opcode == VIGIL_IORING_OP_OPENAT2) {
		open_flags_json(w, "flags", e->open_flags);
		jw_uint(w, "flags_raw", e->open_flags);
	} else if (e->opcode == VIGIL_IORING_OP_RENAMEAT) {
		json_arg_path(w, fc, "new_path", "newpath");
	} else if (e->opcode == VIGIL_IORING_OP_LINKAT) {
		json_arg_path(w, fc, "path", "newpath");
		json_arg_path(w, fc, "target", "oldpath");
	} else if (e->opcode == VIGIL_IORING_OP_SYMLINKAT) {
		json_arg_path(w, fc, "path", "linkpath");
		json_sv(w, "target", rec_sv(e, e->path));
	}
	(void)flags;
	if (e->file.flags & VIGIL_FILE_PRESENT)
		json_file_fields(w, fc, &e->file);
	jw_obj_close(w);
}

void event_json(struct jw *w, const struct fmt_ctx *f, struct field_ctx *fc)
{
	event_json_open(w, f, fc, false);
	jw_obj_close(w);
}

void event_json_open(struct jw *w, const struct fmt_ctx *f, struct field_ctx *fc, bool alert)
{
	const struct event_view *ev = fc->ev;
	const struct vigil_hdr *h = hdr_of(ev->rec);
	char ts[48];

	jw_reset(w);
	jw_obj_open(w, NULL);
	time_rfc3339(h->ts_ns + f->boot_to_real_ns, ts, sizeof(ts));
	jw_str(w, "time", ts);
	jw_str(w, "type", event_type_name(ev->rec));
	jw_str(w, "host", f->host);
	switch (h->type) {
	case VIGIL_EV_EXEC:
		json_exec(w, fc, ev->rec);
		break;
	case VIGIL_EV_SYSCALL:
		json_syscall(w, fc, ev->rec);
		break;
	case VIGIL_EV_URING:
		json_uring(w, fc, ev->rec);
		break;
	case VIGIL_EV_PROFILE: {
		/* decided in the kernel: this is a verdict, not only an event */
		const struct vigil_profile_event *e = ev->rec;
		const char *prof = ev->profile ? ev->profile : "?";
		char out[512];

		jw_str(w, "syscall", sys_name(e->nr));
		jw_str(w, "verdict", "INSECURE");
		jw_str(w, "rule", "syscall outside profile");
		jw_str(w, "priority", "WARNING");
		jw_str(w, "profile", prof);
		snprintf(out, sizeof(out), "Unsafe:[syscall outside profile: %s] syscall=%s", prof,
			 sys_name(e->nr));
		jw_str(w, "output", out);
		break;
	}
	case VIGIL_EV_CAPABLE: {
		const struct vigil_capable_event *e = ev->rec;

		jw_obj_open(w, "capability");
		jw_str(w, "name", cap_name(e->cap));
		jw_bool(w, "granted", e->ret == 0);
		if (e->syscall >= 0)
			jw_str(w, "syscall", sys_name(e->syscall));
		jw_bool(w, "learning", ev->cap_learning);
		jw_bool(w, "in_baseline", ev->cap_in_baseline);
		jw_obj_close(w);
		break;
	}
	case VIGIL_EV_FORK: {
		const struct vigil_fork_event *e = ev->rec;
		char ns[256];

		if (e->new_ns)
			jw_str(w, "new_namespaces", ns_flags_str(e->new_ns, ns, sizeof(ns)));
		break;
	}
	case VIGIL_EV_SOCK: {
		const struct vigil_sock_event *e = ev->rec;

		/* an attempt whose syscall has not returned (yet): the kernel's copy of where to */
		jw_null(w, "result");
		jw_bool(w, "in_progress", e->kind == VIGIL_SOCK_CONNECT);
		json_sock(w, e, &e->addr);
		break;
	}
	case VIGIL_EV_MIGRATE: {
		const struct vigil_migrate_event *e = ev->rec;

		jw_obj_open(w, "migrate");
		jw_uint(w, "to_cgroup", e->to_cgid);
		jw_bool(w, "to_host", e->to_ctr == 0);
		jw_uint(w, "to_container_cgroup", e->to_ctr);
		jw_obj_close(w);
		break;
	}
	case VIGIL_EV_SYNFLOOD: {
		const struct vigil_synflood_event *e = ev->rec;
		char src[64], dst[64], ifname[IF_NAMESIZE] = "";

		jw_obj_open(w, "syn_flood");
		jw_str(w, "source", addr_str(e->family, e->family == VIGIL_AF_INET ? e->saddr + 12 : e->saddr, src, sizeof(src)));
		jw_str(w, "target", addr_str(e->family, e->family == VIGIL_AF_INET ? e->daddr + 12 : e->daddr, dst, sizeof(dst)));
		jw_uint(w, "port", e->dport);
		jw_uint(w, "syns", e->count);
		jw_uint(w, "rate_limit", e->rate);
		if (if_indextoname(e->ifindex, ifname))
			jw_str(w, "interface", ifname);
		jw_bool(w, "dropping", e->flags & VIGIL_SYN_DROPPING);
		if (ev->peer)
			jw_str(w, "source_container", ev->peer->name ? ev->peer->name : ev->peer->id);
		jw_obj_close(w);
		/* no process: softirq context; the container block is the target's */
		json_container(w, ev->ctr);
		return;
	}
	case VIGIL_EV_NOTICE: {
		const struct vigil_notice_event *e = ev->rec;

		jw_obj_open(w, "notice");
		if (e->kind == VIGIL_NOTICE_CTR_TABLE_FULL) {
			jw_uint(w, "cgroup", e->cgid);
			json_sv(w, "cgroup_path", rec_sv(e, e->path));
		} else {
			jw_str(w, "abi", e->abi == 1 ? "ia32" : "x32");
			jw_uint(w, "nr", e->nr);
		}
		jw_obj_close(w);
		break;
	}
	case VIGIL_EV_CPU: {
		const struct vigil_cpu_event *e = ev->rec;

		jw_obj_open(w, "cpu");
		jw_uint(w, "percent", e->percent);
		jw_uint(w, "seconds", e->seconds);
		jw_uint(w, "cpu_ms", e->cpu_ns / 1000000);
		jw_obj_close(w);
		break;
	}
	case VIGIL_EV_RENAME: {
		const struct vigil_rename_event *e = ev->rec;

		jw_obj_open(w, "rename");
		jw_strn(w, "from", h->proc.comm, strnlen(h->proc.comm, sizeof(h->proc.comm)));
		jw_strn(w, "to", e->newcomm, strnlen(e->newcomm, sizeof(e->newcomm)));
		jw_bool(w, "thread", e->thread);
		jw_obj_close(w);
		break;
	}
	case VIGIL_EV_EXIT: {
		const struct vigil_exit_event *e = ev->rec;

		jw_int(w, "exit_code", (e->exit_code >> 8) & 0xff);
		jw_int(w, "signal", e->exit_code & 0x7f);
		break;
	}
	default:
		break;
	}
	json_process(w, f, ev, alert || h->type == VIGIL_EV_EXEC);
	if (alert)
		json_ancestry(w, fc);
	container_obj(w, ev->ctr, alert || h->type == VIGIL_EV_EXEC);
	if (ev->novel_kind) {
		/* new for the image: what its learned behaviour does not hold */
		jw_obj_open(w, "anomaly");
		jw_str(w, "kind", ev->novel_kind);
		jw_str(w, "what", ev->novel_what);
		jw_obj_close(w);
	}
}


void json_ctr_config(struct jw *w, const struct ctr_info *c)
{
	size_t i;

	if (c->privileged == CTR_UNKNOWN)
		return;	/* no OCI config found */
	jw_obj_open(w, "config");
	jw_bool(w, "privileged", c->privileged == CTR_YES);
	jw_bool(w, "host_network", c->host_network == CTR_YES);
	jw_bool(w, "host_pid", c->host_pid == CTR_YES);
	jw_bool(w, "host_ipc", c->host_ipc == CTR_YES);
	caps_json(w, "cap_bounding", c->cap_bounding);
	jw_arr_open(w, "bind_mounts");
	for (i = 0; i < c->n_mounts; i++) {
		jw_obj_open(w, NULL);
		jw_str(w, "source", c->mounts[i].source);
		jw_str(w, "dest", c->mounts[i].dest);
		jw_bool(w, "rw", c->mounts[i].rw);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

uint64_t syscall_counts_json(struct jw *w, const char *key, const uint64_t n[VIGIL_NR_SYSCALLS])
{
	uint64_t total = 0;
	int i;

	jw_obj_open(w, key);
	for (i = 0; i < VIGIL_NR_SYSCALLS; i++) {
		if (!n[i])
			continue;
		jw_uint(w, sys_name(i), n[i]);
		total += n[i];
	}
	jw_obj_close(w);
	return total;
}
