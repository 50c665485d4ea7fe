/*
 * proc_cache.h - what the agent knows of each process (pid = host tgid):
 * executable, argv and cwd from exec events, inherited on fork, seeded from
 * /proc at start-up so processes older than the agent are named too.
 */
#ifndef VIGIL_PROC_CACHE_H
#define VIGIL_PROC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proc_info {
	uint32_t pid;
	uint32_t ppid;
	char comm[16];
	char *exe;		/* owned; as the process sees it */
	char *argv;		/* owned; NUL-separated, argv_len bytes */
	size_t argv_len;
	int argv_truncated;
	char *cwd;		/* owned */
	unsigned int exe_flags;	/* enum vigil_file_flags of the executable */
	char *exe_origin;	/* owned: the image program whose bytes it has (identity.h), or NULL */
	char *exe_package;	/* owned: the installed package the executable belongs to (pkgdb.h), or NULL */
	uint64_t exe_padding;	/* bytes past its ELF image, when the file was read (identity.h) */
	uint64_t exec_caps;	/* effective capabilities when it ran its program */
	bool exec_caps_known;	/* false for a process seeded from procfs */
	/* where the kernel last saw it (exec or fork); unknown when seeded from procfs */
	bool place_known;
	uint32_t vpid;		/* in its own pid namespace */
	uint64_t ctr_cgroup_id;	/* its container's top cgroup, 0 = host */
};

struct proc_cache;

/* Entries at most, by default: the oldest goes first past it. */
#define PROC_CACHE_MAX 65536

struct proc_cache *proc_cache_new(void);
void proc_cache_set_max(struct proc_cache *pc, size_t max);
/* Entries dropped to stay under the bound. */
uint64_t proc_cache_evicted(const struct proc_cache *pc);
/* Drops the processes alive() says are gone (their exit was lost); returns how many. */
size_t proc_cache_sweep(struct proc_cache *pc, int (*alive)(uint32_t pid));
void proc_cache_free(struct proc_cache *pc);

/*
 * Its argv from the skip'th string on, space-separated, after prefix (may
 * be NULL), into buf: cut to fit, NUL-terminated.  Returns the length.
 */
size_t proc_argv_join(const struct proc_info *pi, int skip, const char *prefix, char *buf, size_t cap);

/*
 * Reads procfs/PID/stat into buf (NUL-terminated); returns its last ')',
 * after which the fields that follow the name begin (the name may hold
 * anything, ')' too), or NULL with errno.
 */
const char *proc_stat_read(const char *procfs, uint32_t pid, char *buf, size_t len);

/* Borrowed; valid until the next call that changes the cache. */
const struct proc_info *proc_cache_get(struct proc_cache *pc, uint32_t pid);

/* Records an exec; strings are copied.  argv is NUL-separated. */
int proc_cache_exec(struct proc_cache *pc, uint32_t pid, uint32_t ppid, const char *comm,
		    const char *exe, size_t exe_len, const char *argv, size_t argv_len,
		    int argv_truncated, const char *cwd, size_t cwd_len);

/* Sets the executable's flags (upper layer, memfd) after proc_cache_exec. */
void proc_cache_set_exe_flags(struct proc_cache *pc, uint32_t pid, unsigned int flags);

/* Sets the effective capabilities it had at exec (kept by its children). */
void proc_cache_set_exec_caps(struct proc_cache *pc, uint32_t pid, uint64_t caps);

/* Records where the kernel saw it: its container and its pid inside. */
void proc_cache_set_place(struct proc_cache *pc, uint32_t pid, uint64_t ctr_cgroup_id, uint32_t vpid);

/* Sets the image program the executable's bytes match (proc/identity.h); copied. */
void proc_cache_set_origin(struct proc_cache *pc, uint32_t pid, const char *origin, const char *package);
/* Sets the bytes the executable carries past its ELF image. */
void proc_cache_set_padding(struct proc_cache *pc, uint32_t pid, uint64_t padding);

/* A new process: copies what the parent had (it runs the same program). */
int proc_cache_fork(struct proc_cache *pc, uint32_t pid, uint32_t ppid, const char *comm);

void proc_cache_exit(struct proc_cache *pc, uint32_t pid);

/* Seeds from procfs (normally "/proc"); returns the count or -errno. */
int proc_cache_seed(struct proc_cache *pc, const char *procfs);

size_t proc_cache_count(struct proc_cache *pc);
/* Calls fn for each process, oldest first; fn must not change the cache. */
void proc_cache_each(struct proc_cache *pc, void (*fn)(void *arg, const struct proc_info *pi), void *arg);

#endif
