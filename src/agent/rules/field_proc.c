/* field_proc.c - proc.*, thread.*, user.*, group.*: the process (see fields.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/decode.h"
#include "proc/identity.h"
#include "proc/users.h"
#include "rules/field_priv.h"
#include "util/names.h"

static const struct vigil_proc *P(const struct field_ctx *fc)
{
	return &fhdr(fc)->proc;
}

static bool proc_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fstr(out, field_comm(fc->comm, P(fc)->comm));
}

static bool proc_exe(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct proc_info *pi = fc->ev->proc;

	/* argv[0]: NUL-terminated in the cache */
	return pi && pi->argv && pi->argv_len && fstr(out, pi->argv);
}

static bool proc_exepath(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->proc && fstr(out, fc->ev->proc->exe);
}

static bool proc_args(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return field_join_args(fc, fc->ev->proc, 1, NULL, out);
}

static bool proc_cmdline(struct field_ctx *fc, const char *arg, struct fval *out)
{
	char comm[VIGIL_COMM_LEN + 1];

	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(P(fc)->comm), P(fc)->comm);
	return field_join_args(fc, fc->ev->proc, 1, comm, out);
}

static bool proc_pid(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fnum(out, P(fc)->pid);
}

static bool proc_vpid(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fnum(out, P(fc)->vpid);
}

static bool proc_ppid(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fnum(out, P(fc)->ppid);
}

static bool proc_pname(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fstr(out, field_comm(fc->pcomm, P(fc)->pcomm));
}

static bool proc_pexe(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct proc_info *pp = field_ancestor(fc, 1);

	return pp && pp->argv && fstr(out, pp->argv);
}

static bool proc_pexepath(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct proc_info *pp = field_ancestor(fc, 1);

	return pp && fstr(out, pp->exe);
}

static bool proc_pcmdline(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct proc_info *pp = field_ancestor(fc, 1);

	return pp && field_join_args(fc, pp, 1, pp->comm, out);
}

/* proc.aname[N] / proc.apid[N]: N generations up (0 = the process) */
static bool ancestor_field(struct field_ctx *fc, const char *arg, struct fval *out, bool pid)
{
	const struct proc_info *pp;
	int level = arg ? atoi(arg) : 1;

	if (level < 0 || level > 32)
		return false;
	if (level == 0)
		return pid ? fnum(out, P(fc)->pid) : fstr(out, field_comm(fc->comm, P(fc)->comm));
	/* the kernel's own record of the parent's name, not the cache's */
	if (level == 1 && !pid)
		return fstr(out, field_comm(fc->pcomm, P(fc)->pcomm));
	pp = field_ancestor(fc, level);
	if (!pp)
		return false;
	return pid ? fnum(out, pp->pid) : fstr(out, pp->comm);
}

/* proc.aexe[N] / proc.aexepath[N]: argv[0] and the executable's path, N generations up */
static bool ancestor_exe(struct field_ctx *fc, const char *arg, struct fval *out, bool path)
{
	const struct proc_info *pp;
	int level = arg ? atoi(arg) : 1;

	if (level < 0 || level > 32)
		return false;
	pp = level ? field_ancestor(fc, level) : fc->ev->proc;
	if (!pp)
		return false;
	if (path)
		return fstr(out, pp->exe);
	return pp->argv && pp->argv_len && fstr(out, pp->argv);
}

static bool proc_aexe(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return ancestor_exe(fc, arg, out, false);
}

static bool proc_aexepath(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return ancestor_exe(fc, arg, out, true);
}

/* The kernel's own: the process leads its process group (its session) */
static bool proc_is_vpgid_leader(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fbool(out, P(fc)->flags & VIGIL_PROC_PGRP_LEADER);
}

static bool proc_is_sid_leader(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fbool(out, P(fc)->flags & VIGIL_PROC_SID_LEADER);
}

static bool proc_aname(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return ancestor_field(fc, arg, out, false);
}

static bool proc_apid(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return ancestor_field(fc, arg, out, true);
}

static bool proc_tty(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fnum(out, P(fc)->tty);
}

static bool proc_cwd(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->proc && fstr(out, fc->ev->proc->cwd);
}

static bool proc_upper(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->proc && fbool(out, fc->ev->proc->exe_flags & VIGIL_FILE_OVL_UPPER);
}

static bool proc_memfd(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->proc && fbool(out, fc->ev->proc->exe_flags & VIGIL_FILE_MEMFD);
}

/* ns since the process started, at the event */
static bool proc_duration(struct field_ctx *fc, const char *arg, struct fval *out)
{
	uint64_t ts = fhdr(fc)->ts_ns, start = P(fc)->start_ns;

	return ts >= start && fnum(out, ts - start);
}

static bool thread_cap_effective(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fstr(out, caps_str(P(fc)->cap_effective, ' ', fc->scratch, sizeof(fc->scratch)));
}

/*
 * proc.env: at an exec, the environment the kernel laid out for the new
 * program (read only when a rule uses this field), NAME=value joined by
 * spaces as Falco shows it; missing on other events.
 */
static bool proc_env(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_exec_event *e = fc->ev->rec;
	struct sv v;
	size_t i, n;

	if (fhdr(fc)->type != VIGIL_EV_EXEC || !e->env.off)
		return false;
	v = rec_sv(e, e->env);
	n = v.len < sizeof(fc->scratch) - 1 ? v.len : sizeof(fc->scratch) - 1;
	while (n && !v.p[n - 1])
		n--;
	for (i = 0; i < n; i++)
		fc->scratch[i] = v.p[i] ? v.p[i] : ' ';
	fc->scratch[n] = '\0';
	out->type = FT_STR;
	out->s = fc->scratch;
	out->len = n;
	return true;
}

static bool thread_cap_permitted(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fstr(out, caps_str(P(fc)->cap_permitted, ' ', fc->scratch, sizeof(fc->scratch)));
}

/* The audit login uid, which no setuid changes: -1 when no login set it (a daemon's) */
static bool user_loginuid(struct field_ctx *fc, const char *arg, struct fval *out)
{
	uint32_t u = P(fc)->loginuid;

	return fnum(out, u == UINT32_MAX ? -1 : (int64_t)u);
}

static bool user_loginname(struct field_ctx *fc, const char *arg, struct fval *out)
{
	uint32_t u = P(fc)->loginuid;

	if (u == UINT32_MAX)
		return false;
	if (u == 0)
		return fstr(out, "root");
	return fstr(out, user_table_name(fc->ev->users, u));
}

static bool user_uid(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fnum(out, P(fc)->uid);
}

/*
 * The name of the uid in the event's container: its own /etc/passwd, read
 * off the event path (proc/users.h).  Root is root everywhere; elsewhere
 * an unknown name is missing.
 */
static bool user_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	if (P(fc)->uid == 0)
		return fstr(out, "root");
	return fstr(out, user_table_name(fc->ev->users, P(fc)->uid));
}

/*
 * Vigil's own: the program the process runs, by kernel facts and bytes
 * (proc/identity.h): a renamed copy of bash is "bash", busybox is its
 * applet.  proc.name is what the process calls itself.
 */
static bool name_of(struct field_ctx *fc, const struct proc_info *pi, struct fval *out)
{
	if (!pi || !pi->exe)
		return false;
	return fstr(out, identity_name(pi->exe, pi->exe_origin, pi->argv, fc->scratch, sizeof(fc->scratch)));
}

static bool proc_exe_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return name_of(fc, fc->ev->proc, out);
}

static bool proc_pexe_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return name_of(fc, field_ancestor(fc, 1), out);
}

/* Vigil's own: the image program whose bytes a new executable has ("" none) */
static bool proc_exe_origin(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct proc_info *pi = fc->ev->proc;

	return pi && pi->exe && fstr(out, pi->exe_origin ? pi->exe_origin : "");
}

/* Vigil's own: the installed package the executable belongs to, by the container's package database ("" none) */
static bool proc_exe_package(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct proc_info *pi = fc->ev->proc;

	return pi && pi->exe && fstr(out, pi->exe_package ? pi->exe_package : "");
}

/* Vigil's own: the executable is a copy of an image program under another name (identity_renamed) */
static bool proc_exe_renamed(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct proc_info *pi = fc->ev->proc;

	return pi && pi->exe && fbool(out, identity_renamed(pi->exe, pi->exe_origin));
}

/* Vigil's own: bytes the executable carries past its ELF image (0 when its file was not read: an image's own) */
static bool proc_exe_padding(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct proc_info *pi = fc->ev->proc;

	return pi && pi->exe && fnum(out, pi->exe_padding);
}

/* Vigil's own: the task entered the container from outside and has not run a program since */
static bool proc_is_runtime(struct field_ctx *fc, const char *arg, struct fval *out)
{
	/* an exec ends it: what runs then is the container's program (a docker exec's command) */
	return fbool(out, P(fc)->flags & VIGIL_PROC_RUNTIME);
}

/*
 * Vigil's own: this exec is the program the runtime started in the
 * container (docker exec, kubectl exec, a health check), the task having
 * entered it from outside; decided in the kernel at the exec.
 */
static bool proc_from_runtime(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fhdr(fc)->type == VIGIL_EV_EXEC &&
	       fbool(out, ((const struct vigil_exec_event *)fc->ev->rec)->flags & VIGIL_EXEC_FROM_RUNTIME);
}

/* Vigil's own: at the exec, which of stdin/stdout/stderr were sockets (bits 0..2) */
static bool proc_stdio_sockets(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fhdr(fc)->type == VIGIL_EV_EXEC &&
	       fnum(out, ((const struct vigil_exec_event *)fc->ev->rec)->stdio_sockets);
}

/*
 * Vigil's own: the program joined to this exec by a pipe or a file, by
 * the kernel's inodes (fields.h, field_stdio_peer): .name is its program
 * by kernel facts, .cmdline that and its arguments.
 */
static bool stdio_peer(struct field_ctx *fc, enum stdio_peer which, bool cmdline, struct fval *out)
{
	const struct stdio_use *u = field_stdio_peer(fc->ev, which);

	return u && fscratch(fc, cmdline ? u->cmdline : u->name, strlen(cmdline ? u->cmdline : u->name), out);
}

static bool proc_stdin_writer_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return stdio_peer(fc, STDIO_PEER_STDIN_WRITER, false, out);
}

static bool proc_stdin_writer_cmdline(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return stdio_peer(fc, STDIO_PEER_STDIN_WRITER, true, out);
}

static bool proc_stdout_reader_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return stdio_peer(fc, STDIO_PEER_STDOUT_READER, false, out);
}

static bool proc_stdout_reader_cmdline(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return stdio_peer(fc, STDIO_PEER_STDOUT_READER, true, out);
}

static bool proc_exe_writer_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return stdio_peer(fc, STDIO_PEER_EXE_WRITER, false, out);
}

static bool proc_exe_writer_cmdline(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return stdio_peer(fc, STDIO_PEER_EXE_WRITER, true, out);
}

/*
 * Vigil's own: the program is one the container ran in its first 30 s
 * (core/activity.h), or the process was running when Vigil started: the
 * container's own servers and workers, not something started in it later.
 */
static bool proc_exe_from_startup(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct proc_info *pi = fc->ev->proc;

	if (!pi || !pi->exe)
		return false;
	if (!pi->exec_caps_known)
		return fbool(out, true);	/* seeded from /proc: running before the agent */
	return fbool(out, fc->ev->act && activity_startup_exe(fc->ev->act, pi->exe));
}

static bool group_gid(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fnum(out, P(fc)->gid);
}

const struct field_def field_proc[] = {
	{ "proc.name", FT_STR, proc_name, false },
	{ "proc.exe", FT_STR, proc_exe, false },
	{ "proc.exepath", FT_STR, proc_exepath, false },
	{ "proc.args", FT_STR, proc_args, false },
	{ "proc.cmdline", FT_STR, proc_cmdline, false },
	{ "proc.pid", FT_NUM, proc_pid, false },
	{ "proc.vpid", FT_NUM, proc_vpid, false },
	{ "proc.ppid", FT_NUM, proc_ppid, false },
	{ "proc.pname", FT_STR, proc_pname, false },
	{ "proc.pexe", FT_STR, proc_pexe, false },
	{ "proc.pexepath", FT_STR, proc_pexepath, false },
	{ "proc.pcmdline", FT_STR, proc_pcmdline, false },
	{ "proc.aname", FT_STR, proc_aname, true },
	{ "proc.apid", FT_NUM, proc_apid, true },
	{ "proc.aexe", FT_STR, proc_aexe, true },
	{ "proc.aexepath", FT_STR, proc_aexepath, true },
	{ "proc.is_vpgid_leader", FT_BOOL, proc_is_vpgid_leader, false },
	{ "proc.is_sid_leader", FT_BOOL, proc_is_sid_leader, false },
	{ "proc.tty", FT_NUM, proc_tty, false },
	{ "proc.cwd", FT_STR, proc_cwd, false },
	{ "proc.is_exe_upper_layer", FT_BOOL, proc_upper, false },
	{ "proc.is_exe_from_memfd", FT_BOOL, proc_memfd, false },
	{ "proc.duration", FT_NUM, proc_duration, false },
	{ "proc.is_runtime", FT_BOOL, proc_is_runtime, false },
	{ "proc.exe_name", FT_STR, proc_exe_name, false },
	{ "proc.pexe_name", FT_STR, proc_pexe_name, false },
	{ "proc.exe_origin", FT_STR, proc_exe_origin, false },
	{ "proc.exe_package", FT_STR, proc_exe_package, false },
	{ "proc.exe_padding", FT_NUM, proc_exe_padding, false },
	{ "proc.exe_renamed", FT_BOOL, proc_exe_renamed, false },
	{ "proc.stdio_sockets", FT_NUM, proc_stdio_sockets, false },
	{ "proc.from_runtime", FT_BOOL, proc_from_runtime, false },
	{ "proc.exe_from_startup", FT_BOOL, proc_exe_from_startup, false },
	{ "proc.stdin_writer.name", FT_STR, proc_stdin_writer_name, false },
	{ "proc.stdin_writer.cmdline", FT_STR, proc_stdin_writer_cmdline, false },
	{ "proc.stdout_reader.name", FT_STR, proc_stdout_reader_name, false },
	{ "proc.stdout_reader.cmdline", FT_STR, proc_stdout_reader_cmdline, false },
	{ "proc.exe_writer.name", FT_STR, proc_exe_writer_name, false },
	{ "proc.exe_writer.cmdline", FT_STR, proc_exe_writer_cmdline, false },
	{ "proc.env", FT_STR, proc_env, false },
	{ "thread.cap_effective", FT_STR, thread_cap_effective, false },
	{ "thread.cap_permitted", FT_STR, thread_cap_permitted, false },
	{ "user.uid", FT_NUM, user_uid, false },
	{ "user.loginuid", FT_NUM, user_loginuid, false },
	{ "user.loginname", FT_STR, user_loginname, false },
	{ "user.name", FT_STR, user_name, false },
	{ "group.gid", FT_NUM, group_gid, false },
	{ NULL },
};
