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
#define SPEC(fl, p, pd, p2, p2d, fd, sa, sal) { VIGIL_SYS_ON | (fl), p, pd, p2, p2d, fd, sa, sal, N, { 0 } }
/* an open: its flags argument (N: implied, or openat2's struct read at entry) */
#define OPEN(p, pd, fa) { VIGIL_SYS_ON | VIGIL_SYS_RET_FD | VIGIL_SYS_OPEN, p, pd, N, N, N, N, N, fa, { 0 } }
/* path syscalls: their paths are read at entry as well (see sysevent.bpf.c) */
#define EP VIGIL_SYS_ENTRY_PATHS

const struct sys_desc sys_descs[] = {
	/* opens: the returned fd is resolved in the kernel; the user path is kept for failures */
	{ "open", SC_OPEN, "open", OPEN(0, N, 1), { NULL, "flags", "mode" } },
	{ "openat", SC_OPEN, "open", OPEN(1, 0, 2), { "dirfd", NULL, "flags", "mode" } },
	{ "openat2", SC_OPEN, "open", { VIGIL_SYS_ON | VIGIL_SYS_RET_FD | VIGIL_SYS_OPEN | EP, 1, 0, N, N, N, N, N, N, { 0 } },
	  { "dirfd", NULL, "how", "size" } },
	{ "creat", SC_OPEN, "open", OPEN(0, N, N), { NULL, "mode" } },
	{ "open_by_handle_at", SC_OPEN, "open", OPEN(N, N, 2), { "mount_fd", NULL, "flags" } },

	{ "execve", SC_EXEC, "exec", SPEC(VIGIL_SYS_FAILED_ONLY, 0, N, N, N, N, N, N), { 0 } },
	{ "execveat", SC_EXEC, "exec", SPEC(VIGIL_SYS_FAILED_ONLY, 1, 0, N, N, N, N, N), { "dirfd", NULL, NULL, NULL, "flags" } },

	{ "socket", SC_NET, "socket", SPEC(VIGIL_SYS_RET_FD, N, N, N, N, N, N, N), { "domain", "type", "protocol" } },
	{ "connect", SC_NET, "connect", SPEC(0, N, N, N, N, 0, 1, 2), { "fd" } },
	{ "accept", SC_NET, "accept", SPEC(VIGIL_SYS_RET_FD, N, N, N, N, N, N, N), { "fd" } },
	{ "accept4", SC_NET, "accept", SPEC(VIGIL_SYS_RET_FD, N, N, N, N, N, N, N), { "fd", NULL, NULL, "flags" } },
	{ "bind", SC_NET, "bind", SPEC(VIGIL_SYS_SOCKADDR_LOCAL, N, N, N, N, 0, 1, 2), { "fd" } },
	{ "listen", SC_NET, "listen", SPEC(0, N, N, N, N, 0, N, N), { "fd", "backlog" } },

	{ "unlink", SC_FILE, "unlink", SPEC(EP, 0, N, N, N, N, N, N), { 0 } },
	{ "unlinkat", SC_FILE, "unlink", SPEC(EP, 1, 0, N, N, N, N, N), { "dirfd", NULL, "flags" } },
	{ "rmdir", SC_FILE, "unlink", SPEC(EP, 0, N, N, N, N, N, N), { 0 } },
	{ "rename", SC_FILE, "rename", SPEC(EP, 0, N, 1, N, N, N, N), { 0 } },
	{ "renameat", SC_FILE, "rename", SPEC(EP, 1, 0, 3, 2, N, N, N), { "olddirfd", NULL, "newdirfd" } },
	{ "renameat2", SC_FILE, "rename", SPEC(EP, 1, 0, 3, 2, N, N, N), { "olddirfd", NULL, "newdirfd", NULL, "flags" } },
	{ "chmod", SC_FILE, "chmod", SPEC(EP, 0, N, N, N, N, N, N), { NULL, "mode" } },
	{ "fchmod", SC_FILE, "chmod", SPEC(0, N, N, N, N, 0, N, N), { "fd", "mode" } },
	{ "fchmodat", SC_FILE, "chmod", SPEC(EP, 1, 0, N, N, N, N, N), { "dirfd", NULL, "mode" } },
	{ "fchmodat2", SC_FILE, "chmod", SPEC(EP, 1, 0, N, N, N, N, N), { "dirfd", NULL, "mode", "flags" } },
	{ "chown", SC_FILE, "chown", SPEC(EP, 0, N, N, N, N, N, N), { NULL, "uid", "gid" } },
	{ "lchown", SC_FILE, "chown", SPEC(EP, 0, N, N, N, N, N, N), { NULL, "uid", "gid" } },
	{ "fchown", SC_FILE, "chown", SPEC(0, N, N, N, N, 0, N, N), { "fd", "uid", "gid" } },
	{ "fchownat", SC_FILE, "chown", SPEC(EP, 1, 0, N, N, N, N, N), { "dirfd", NULL, "uid", "gid", "flags" } },
	/* link: path = the existing target, path2 = the new name */
	{ "link", SC_FILE, "link", SPEC(EP, 0, N, 1, N, N, N, N), { 0 } },
	{ "linkat", SC_FILE, "link", SPEC(EP, 1, 0, 3, 2, N, N, N), { "olddirfd", NULL, "newdirfd", NULL, "flags" } },
	/* symlink: path = the target text (not resolved), path2 = the new link */
	{ "symlink", SC_FILE, "symlink", SPEC(EP, 0, N, 1, N, N, N, N), { 0 } },
	{ "symlinkat", SC_FILE, "symlink", SPEC(EP, 0, N, 2, 1, N, N, N), { NULL, "newdirfd" } },
	{ "truncate", SC_FILE, "truncate", SPEC(EP, 0, N, N, N, N, N, N), { NULL, "length" } },
	{ "ftruncate", SC_FILE, "truncate", SPEC(0, N, N, N, N, 0, N, N), { "fd", "length" } },
	/* setxattr: path2 is the attribute's name (security.capability is setcap's) */
	{ "setxattr", SC_FILE, "setxattr", SPEC(EP | VIGIL_SYS_STR2, 0, N, 1, N, N, N, N), { NULL, NULL, NULL, "size", "flags" } },
	{ "lsetxattr", SC_FILE, "setxattr", SPEC(EP | VIGIL_SYS_STR2, 0, N, 1, N, N, N, N), { NULL, NULL, NULL, "size", "flags" } },
	{ "fsetxattr", SC_FILE, "setxattr", SPEC(EP | VIGIL_SYS_STR2, N, N, 1, N, 0, N, N), { "fd", NULL, NULL, "size", "flags" } },
	{ "setxattrat", SC_FILE, "setxattr", SPEC(EP | VIGIL_SYS_STR2, 1, 0, 3, N, N, N, N), { "dirfd", NULL, "at_flags" } },
	{ "mkdir", SC_FILE, "mkdir", SPEC(EP, 0, N, N, N, N, N, N), { NULL, "mode" } },
	{ "mkdirat", SC_FILE, "mkdir", SPEC(EP, 1, 0, N, N, N, N, N), { "dirfd", NULL, "mode" } },

	{ "ptrace", SC_PRIV, "ptrace", SPEC(0, N, N, N, N, N, N, N), { "request", "pid", "addr" } },
	{ "init_module", SC_PRIV, "module", SPEC(0, N, N, N, N, N, N, N), { NULL, "len" } },
	{ "finit_module", SC_PRIV, "module", SPEC(0, N, N, N, N, 0, N, N), { "fd", NULL, "flags" } },
	{ "delete_module", SC_PRIV, "module", SPEC(EP, 0, N, N, N, N, N, N), { NULL, "flags" } },
	/* mount: path = source, path2 = target */
	{ "mount", SC_PRIV, "mount", SPEC(EP, 0, N, 1, N, N, N, N), { NULL, NULL, NULL, "flags" } },
	{ "umount2", SC_PRIV, "umount", SPEC(EP, 0, N, N, N, N, N, N), { NULL, "flags" }, "umount" },
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
	/* the new mount API: a filesystem made and attached without mount(2) */
	{ "fsopen", SC_PRIV, "mount", SPEC(EP, 0, N, N, N, N, N, N), { NULL, "flags" } },
	{ "fsmount", SC_PRIV, "mount", SPEC(0, N, N, N, N, 0, N, N), { "fd", "flags", "attr_flags" } },
	{ "move_mount", SC_PRIV, "mount", SPEC(EP, 1, 0, 3, 2, N, N, N), { "from_dfd", NULL, "to_dfd", NULL, "flags" } },
	{ "open_tree", SC_PRIV, "mount", SPEC(EP, 1, 0, N, N, N, N, N), { "dfd", NULL, "flags" } },
	{ "mount_setattr", SC_PRIV, "mount", SPEC(EP, 1, 0, N, N, N, N, N), { "dfd", NULL, "flags" } },
	{ "pivot_root", SC_PRIV, "mount", SPEC(EP, 0, N, 1, N, N, N, N), { 0 } },
	{ "chroot", SC_PRIV, "chroot", SPEC(EP, 0, N, N, N, N, N, N), { 0 } },
	/* page faults handled by a process: a kernel exploit's way to stop the kernel mid-copy */
	{ "userfaultfd", SC_PRIV, "userfaultfd", SPEC(0, N, N, N, N, N, N, N), { "flags" } },
	/* another process's memory, read or written without ptrace */
	{ "process_vm_readv", SC_PRIV, "process_vm", SPEC(0, N, N, N, N, N, N, N), { "pid", NULL, "liovcnt" } },
	{ "process_vm_writev", SC_PRIV, "process_vm", SPEC(0, N, N, N, N, N, N, N), { "pid", NULL, "liovcnt" } },
	{ "mknod", SC_FILE, "mknod", SPEC(EP, 0, N, N, N, N, N, N), { NULL, "mode", "dev" } },
	{ "mknodat", SC_FILE, "mknod", SPEC(EP, 1, 0, N, N, N, N, N), { "dirfd", NULL, "mode", "dev" } },

	{ "dup2", SC_DUP, "dup_socket", SPEC(VIGIL_SYS_DUP_STDIO, N, N, N, N, 1, N, N), { "oldfd", "newfd" } },
	{ "dup3", SC_DUP, "dup_socket", SPEC(VIGIL_SYS_DUP_STDIO, N, N, N, N, 1, N, N), { "oldfd", "newfd", "flags" } },
	{ NULL, SC_NONE, NULL, { 0 }, { 0 }, NULL },
};

uint64_t sys_open_flags(const struct sys_desc *d, const struct vigil_syscall_event *e)
{
	(void)d;
	/* what the caller asked for, as the kernel side recorded it (O_TRUNC included) */
	return e->open_flags;
}

int sys_compat_to_native(int ia32_nr)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, ia32_nr);
	int nr;

	if (!name)
		return -1;
	nr = sys_nr(name);
	free(name);
	return nr < 0 ? -1 : nr;
}

/*
 * Syscalls newer than the libseccomp Vigil is built with (2.5.4 on Debian
 * 12 knows none of these), by their x86_64 numbers in the kernel's table.
 * Without them a process could set file capabilities with setxattrat and
 * go unreported; a kernel that lacks one has no tracepoint for it either.
 */
static const struct { const char *name; int nr; } newer_syscalls[] = {
#if defined(__x86_64__)
	{ "setxattrat", 463 },
	{ "getxattrat", 464 },
	{ "listxattrat", 465 },
	{ "removexattrat", 466 },
#endif
	{ NULL, -1 },
};

int sys_nr(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name), i;

	if (nr != __NR_SCMP_ERROR && nr >= 0)
		return nr;
	for (i = 0; newer_syscalls[i].name; i++)
		if (!strcmp(newer_syscalls[i].name, name))
			return newer_syscalls[i].nr;
	return -ENOENT;
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
		for (int i = 0; !names[nr] && newer_syscalls[i].name; i++)
			if (newer_syscalls[i].nr == nr)
				names[nr] = strdup(newer_syscalls[i].name);
		/* numbers libseccomp does not know keep a unique name */
		if (!names[nr] && asprintf(&names[nr], "sys_%d", nr) < 0)
			names[nr] = NULL;
	}
	n = names[nr];
	pthread_mutex_unlock(&names_lock);
	return n ? n : "unknown";
}
