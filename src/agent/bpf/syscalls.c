/* syscall_table.c - the syscalls Vigil reports (see syscall_table.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/syscalls.h"

#define N VIGIL_ARG_NONE
/* spec fields: flags, path, path dirfd, path2, path2 dirfd, fd, sockaddr, sockaddr len */
#define SPEC(fl, p, pd, p2, p2d, fd, sa, sal) { VIGIL_SYS_ON | (fl), p, pd, p2, p2d, fd, sa, sal }

const struct sys_desc sys_descs[] = {
	/* opens: the returned fd is resolved in the kernel; the user path is kept for failures */
	{ "open", SC_OPEN, "open", SPEC(VIGIL_SYS_RET_FD, 0, N, N, N, N, N, N), { NULL, "flags", "mode" } },
	{ "openat", SC_OPEN, "open", SPEC(VIGIL_SYS_RET_FD, 1, 0, N, N, N, N, N), { "dirfd", NULL, "flags", "mode" } },
	{ "openat2", SC_OPEN, "open", SPEC(VIGIL_SYS_RET_FD, 1, 0, N, N, N, N, N), { "dirfd", NULL, "how", "size" } },
	{ "creat", SC_OPEN, "open", SPEC(VIGIL_SYS_RET_FD, 0, N, N, N, N, N, N), { NULL, "mode" } },
	{ "open_by_handle_at", SC_OPEN, "open", SPEC(VIGIL_SYS_RET_FD, N, N, N, N, N, N, N), { "mount_fd", NULL, "flags" } },

	{ "execve", SC_EXEC, "exec", SPEC(VIGIL_SYS_FAILED_ONLY, 0, N, N, N, N, N, N), { 0 } },
	{ "execveat", SC_EXEC, "exec", SPEC(VIGIL_SYS_FAILED_ONLY, 1, 0, N, N, N, N, N), { "dirfd", NULL, NULL, NULL, "flags" } },

	{ "socket", SC_NET, "socket", SPEC(VIGIL_SYS_RET_FD, N, N, N, N, N, N, N), { "domain", "type", "protocol" } },
	{ "connect", SC_NET, "connect", SPEC(0, N, N, N, N, 0, 1, 2), { "fd" } },
	{ "accept", SC_NET, "accept", SPEC(VIGIL_SYS_RET_FD, N, N, N, N, N, N, N), { "fd" } },
	{ "accept4", SC_NET, "accept", SPEC(VIGIL_SYS_RET_FD, N, N, N, N, N, N, N), { "fd", NULL, NULL, "flags" } },
	{ "bind", SC_NET, "bind", SPEC(VIGIL_SYS_SOCKADDR_LOCAL, N, N, N, N, 0, 1, 2), { "fd" } },
	{ "listen", SC_NET, "listen", SPEC(0, N, N, N, N, 0, N, N), { "fd", "backlog" } },

	{ "unlink", SC_FILE, "unlink", SPEC(0, 0, N, N, N, N, N, N), { 0 } },
	{ "unlinkat", SC_FILE, "unlink", SPEC(0, 1, 0, N, N, N, N, N), { "dirfd", NULL, "flags" } },
	{ "rmdir", SC_FILE, "unlink", SPEC(0, 0, N, N, N, N, N, N), { 0 } },
	{ "rename", SC_FILE, "rename", SPEC(0, 0, N, 1, N, N, N, N), { 0 } },
	{ "renameat", SC_FILE, "rename", SPEC(0, 1, 0, 3, 2, N, N, N), { "olddirfd", NULL, "newdirfd" } },
	{ "renameat2", SC_FILE, "rename", SPEC(0, 1, 0, 3, 2, N, N, N), { "olddirfd", NULL, "newdirfd", NULL, "flags" } },
	{ "chmod", SC_FILE, "chmod", SPEC(0, 0, N, N, N, N, N, N), { NULL, "mode" } },
	{ "fchmod", SC_FILE, "chmod", SPEC(0, N, N, N, N, 0, N, N), { "fd", "mode" } },
	{ "fchmodat", SC_FILE, "chmod", SPEC(0, 1, 0, N, N, N, N, N), { "dirfd", NULL, "mode" } },
	{ "fchmodat2", SC_FILE, "chmod", SPEC(0, 1, 0, N, N, N, N, N), { "dirfd", NULL, "mode", "flags" } },
	/* link: path = the existing target, path2 = the new name */
	{ "link", SC_FILE, "link", SPEC(0, 0, N, 1, N, N, N, N), { 0 } },
	{ "linkat", SC_FILE, "link", SPEC(0, 1, 0, 3, 2, N, N, N), { "olddirfd", NULL, "newdirfd", NULL, "flags" } },
	/* symlink: path = the target text (not resolved), path2 = the new link */
	{ "symlink", SC_FILE, "symlink", SPEC(0, 0, N, 1, N, N, N, N), { 0 } },
	{ "symlinkat", SC_FILE, "symlink", SPEC(0, 0, N, 2, 1, N, N, N), { NULL, "newdirfd" } },
	{ "truncate", SC_FILE, "truncate", SPEC(0, 0, N, N, N, N, N, N), { NULL, "length" } },
	{ "ftruncate", SC_FILE, "truncate", SPEC(0, N, N, N, N, 0, N, N), { "fd", "length" } },
	{ "mkdir", SC_FILE, "mkdir", SPEC(0, 0, N, N, N, N, N, N), { NULL, "mode" } },
	{ "mkdirat", SC_FILE, "mkdir", SPEC(0, 1, 0, N, N, N, N, N), { "dirfd", NULL, "mode" } },

	{ "ptrace", SC_PRIV, "ptrace", SPEC(0, N, N, N, N, N, N, N), { "request", "pid", "addr" } },
	{ "init_module", SC_PRIV, "module", SPEC(0, N, N, N, N, N, N, N), { NULL, "len" } },
	{ "finit_module", SC_PRIV, "module", SPEC(0, N, N, N, N, 0, N, N), { "fd", NULL, "flags" } },
	{ "delete_module", SC_PRIV, "module", SPEC(0, 0, N, N, N, N, N, N), { NULL, "flags" } },
	/* mount: path = source, path2 = target */
	{ "mount", SC_PRIV, "mount", SPEC(0, 0, N, 1, N, N, N, N), { NULL, NULL, NULL, "flags" } },
	{ "umount2", SC_PRIV, "umount", SPEC(0, 0, N, N, N, N, N, N), { NULL, "flags" }, "umount" },
	{ "unshare", SC_PRIV, "unshare", SPEC(0, N, N, N, N, N, N, N), { "flags" } },
	{ "setns", SC_PRIV, "setns", SPEC(0, N, N, N, N, 0, N, N), { "fd", "nstype" } },
	{ "bpf", SC_PRIV, "bpf", SPEC(0, N, N, N, N, N, N, N), { "cmd", NULL, "size" } },
	{ "setuid", SC_PRIV, "setuid", SPEC(0, N, N, N, N, N, N, N), { "uid" } },
	{ "setgid", SC_PRIV, "setgid", SPEC(0, N, N, N, N, N, N, N), { "gid" } },
	{ "setreuid", SC_PRIV, "setuid", SPEC(0, N, N, N, N, N, N, N), { "ruid", "euid" } },
	{ "setregid", SC_PRIV, "setgid", SPEC(0, N, N, N, N, N, N, N), { "rgid", "egid" } },
	{ "setresuid", SC_PRIV, "setuid", SPEC(0, N, N, N, N, N, N, N), { "ruid_ptr", "euid_ptr", "suid_ptr" } },
	{ "setresgid", SC_PRIV, "setgid", SPEC(0, N, N, N, N, N, N, N), { "rgid_ptr", "egid_ptr", "sgid_ptr" } },
	{ "setfsuid", SC_PRIV, "setuid", SPEC(0, N, N, N, N, N, N, N), { "fsuid" } },
	{ "setfsgid", SC_PRIV, "setgid", SPEC(0, N, N, N, N, N, N, N), { "fsgid" } },
	{ "capset", SC_PRIV, "capset", SPEC(0, N, N, N, N, N, N, N), { 0 } },

	{ "dup2", SC_DUP, "dup_socket", SPEC(VIGIL_SYS_DUP_STDIO, N, N, N, N, 1, N, N), { "oldfd", "newfd" } },
	{ "dup3", SC_DUP, "dup_socket", SPEC(VIGIL_SYS_DUP_STDIO, N, N, N, N, 1, N, N), { "oldfd", "newfd", "flags" } },
	{ NULL, SC_NONE, NULL, { 0 }, { 0 }, NULL },
};

uint64_t sys_open_flags(const struct sys_desc *d, const struct vigil_syscall_event *e)
{
	if (!strcmp(d->name, "open"))
		return e->args[1];
	if (!strcmp(d->name, "openat"))
		return e->args[2];
	if (!strcmp(d->name, "creat"))
		return O_CREAT | O_WRONLY | O_TRUNC;
	return e->file.f_flags;
}

int sys_nr(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	return nr == __NR_SCMP_ERROR || nr < 0 ? -ENOENT : nr;
}

/* nr -> descriptor, built once from the names */
static const struct sys_desc *by_nr[VIGIL_NR_SYSCALLS];
static pthread_once_t by_nr_once = PTHREAD_ONCE_INIT;

static void by_nr_build(void)
{
	const struct sys_desc *d;
	int nr;

	for (d = sys_descs; d->name; d++) {
		nr = sys_nr(d->name);
		if (nr >= 0 && nr < VIGIL_NR_SYSCALLS)
			by_nr[nr] = d;
	}
}

const struct sys_desc *sys_desc_by_nr(int nr)
{
	pthread_once(&by_nr_once, by_nr_build);
	if (nr < 0 || nr >= VIGIL_NR_SYSCALLS)
		return NULL;
	return by_nr[nr];
}

/* nr -> name, cached: libseccomp allocates on every call */
static char *names[VIGIL_NR_SYSCALLS];
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

const char *sys_name(int nr)
{
	const char *n;

	if (nr < 0 || nr >= VIGIL_NR_SYSCALLS)
		return "unknown";
	pthread_mutex_lock(&names_lock);
	if (!names[nr]) {
		names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		/* numbers libseccomp does not know keep a unique name */
		if (!names[nr] && asprintf(&names[nr], "sys_%d", nr) < 0)
			names[nr] = NULL;
	}
	n = names[nr];
	pthread_mutex_unlock(&names_lock);
	return n ? n : "unknown";
}
