/* syscall_set.c - syscall sets and seccomp profiles (see syscall_set.h). */
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/syscall_set.h"
#include "bpf/syscalls.h"

void sset_union(struct syscall_set *dst, const struct syscall_set *src)
{
	size_t i;

	for (i = 0; i < sizeof(dst->bits) / sizeof(dst->bits[0]); i++)
		dst->bits[i] |= src->bits[i];
}

int sset_count(const struct syscall_set *s)
{
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(s->bits) / sizeof(s->bits[0]); i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

/*
 * runc installs the filter and then, before execve of the entrypoint, still
 * synchronises with its parent (exec fifo, signals), runs Go runtime code
 * (threads, futexes, memory) and closes descriptors.  A recorded profile
 * already holds these (counting starts when the cgroup appears); the list
 * keeps profiles from other sources (merges, static analysis) usable.
 */
static const char *const runtime_baseline[] = {
	"execve", "execveat", "exit", "exit_group", "futex", "nanosleep", "clock_nanosleep",
	"sched_yield", "getpid", "gettid", "tgkill", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "sigaltstack", "mmap", "munmap", "mprotect", "madvise", "brk",
	"read", "write", "openat", "close", "close_range", "fstat", "newfstatat", "fcntl",
	"epoll_create1", "epoll_ctl", "epoll_pwait", "pipe2", "getppid", "capget", "capset",
	"prctl", "setgroups", "setresuid", "setresgid", "arch_prctl", "set_tid_address",
	"set_robust_list", "rseq", "clone", "clone3", "wait4", "waitid", "getrandom",
	"dup3", "fchdir", "chdir", "getcwd", "umask", "uname", "prlimit64", "fstatfs", "statfs",
	"getdents64", "readlinkat", "newfstatat", "setuid", "setgid", "setreuid", "setregid",
	"getuid", "getgid", "geteuid", "getegid", "getgroups", "access", "faccessat", "faccessat2",
	"stat", "lstat", NULL,
};

void sset_add_runtime_baseline(struct syscall_set *s)
{
	int i;

	for (i = 0; runtime_baseline[i]; i++)
		sset_add(s, sys_nr(runtime_baseline[i]));
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int profile_write(const struct syscall_set *s, FILE *out)
{
	const char *names[VIGIL_NR_SYSCALLS] = { 0 };
	json_t *root, *arches, *rule, *list;
	int i, n = 0, err;

	for (i = 0; i < VIGIL_NR_SYSCALLS; i++)
		if (sset_has(s, i))
			names[n++] = sys_name(i);
	qsort(names, n, sizeof(names[0]), name_cmp);

	root = json_object();
	json_object_set_new(root, "defaultAction", json_string("SCMP_ACT_ERRNO"));
	json_object_set_new(root, "defaultErrnoRet", json_integer(1));
	/* the native arch and the compat ones it can run (as Docker's own) */
	arches = json_array();
	json_array_append_new(arches, json_string("SCMP_ARCH_X86_64"));
	json_array_append_new(arches, json_string("SCMP_ARCH_X86"));
	json_array_append_new(arches, json_string("SCMP_ARCH_X32"));
	json_object_set_new(root, "architectures", arches);
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_string(names[i]));
	rule = json_object();
	json_object_set_new(rule, "names", list);
	json_object_set_new(rule, "action", json_string("SCMP_ACT_ALLOW"));
	list = json_array();
	json_array_append_new(list, rule);
	json_object_set_new(root, "syscalls", list);
	err = json_dumpf(root, out, JSON_INDENT(2)) ? -EIO : 0;
	if (!err && fputc('\n', out) == EOF)
		err = -EIO;
	json_decref(root);
	return err;
}

static int profile_from(json_t *root, const json_error_t *jerr, const char *path, struct syscall_set *s,
			int *unknown, char *err, size_t errlen);

int profile_read(const char *path, struct syscall_set *s, int *unknown, char *err, size_t errlen)
{
	json_error_t jerr;

	return profile_from(json_load_file(path, 0, &jerr), &jerr, path, s, unknown, err, errlen);
}

int profile_parse(const char *text, size_t len, const char *name, struct syscall_set *s, int *unknown,
		  char *err, size_t errlen)
{
	json_error_t jerr;

	return profile_from(json_loadb(text, len, 0, &jerr), &jerr, name, s, unknown, err, errlen);
}

static int profile_from(json_t *root, const json_error_t *jerr, const char *path, struct syscall_set *s,
			int *unknown, char *err, size_t errlen)
{
	json_t *rules, *rule, *names, *name;
	const char *def;
	size_t i, j;
	int nr;

	*unknown = 0;
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, jerr->line, jerr->column, jerr->text);
		return -EINVAL;
	}
	def = json_string_value(json_object_get(root, "defaultAction"));
	if (!def || !strcmp(def, "SCMP_ACT_ALLOW") || !strcmp(def, "SCMP_ACT_LOG")) {
		snprintf(err, errlen, "%s: defaultAction must deny (SCMP_ACT_ERRNO, _KILL, _TRAP)", path);
		json_decref(root);
		return -EINVAL;
	}
	rules = json_object_get(root, "syscalls");
	json_array_foreach(rules, i, rule) {
		const char *action = json_string_value(json_object_get(rule, "action"));

		if (!action || strcmp(action, "SCMP_ACT_ALLOW"))
			continue;
		names = json_object_get(rule, "names");
		json_array_foreach(names, j, name) {
			nr = json_is_string(name) ? sys_nr(json_string_value(name)) : -1;
			if (nr < 0 || nr >= VIGIL_NR_SYSCALLS)
				(*unknown)++;
			else
				sset_add(s, nr);
		}
	}
	json_decref(root);
	return 0;
}
