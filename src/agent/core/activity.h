/*
 * activity.h - what each container did recently, for rules that look at
 * more than one event: the distinct destinations it connected to in the
 * last CTR_RECENT_WINDOW_NS (port scans).  Keyed by the container's top
 * cgroup; main thread only.
 */
#ifndef VIGIL_ACTIVITY_H
#define VIGIL_ACTIVITY_H

#include <stdbool.h>
#include <stdint.h>

#define CTR_RECENT_TARGETS 64
#define CTR_RECENT_WINDOW_NS 10000000000ULL

/*
 * The standard streams of the container's recent execs: a decoder whose
 * stdout is the pipe a shell reads, or the file a program is then run
 * from.  Joined by the kernel's inode, not by what the programs print.
 */
#define CTR_RECENT_STDIO 32
#define CTR_STDIO_WINDOW_NS 60000000000ULL
#define CTR_STDIO_CMDLINE 192

struct stdio_use {
	uint64_t ts;		/* boot-time ns of the exec; 0 = empty slot */
	uint64_t ino;
	uint32_t dev;
	uint32_t pid;
	uint8_t fd;		/* 0 stdin, 1 stdout */
	uint8_t kind;		/* enum vigil_stdio_kind */
	char name[32];		/* the program, by kernel facts (proc.exe_name) */
	char cmdline[CTR_STDIO_CMDLINE];	/* name and arguments */
};

/*
 * The executables the container ran in its first CTR_STARTUP_NS: its
 * entrypoint, the servers and workers it starts.  A container that was
 * running before the agent has no start-up seen (its processes then are
 * the ones seeded from /proc).
 */
#define CTR_STARTUP_NS 30000000000ULL
#define CTR_STARTUP_EXES 64

struct ctr_activity {
	uint64_t startup_exe[CTR_STARTUP_EXES];	/* paths, hashed */
	unsigned int n_startup_exe;
	uint64_t startup_until_ns;		/* 0: no exec seen yet; 1: none to see */
	uint64_t cgid;
	uint64_t key[CTR_RECENT_TARGETS];	/* address and port, hashed */
	uint64_t ts[CTR_RECENT_TARGETS];	/* boot-time ns */
	unsigned int next;
	struct stdio_use stdio[CTR_RECENT_STDIO];
	unsigned int stdio_next;
};

struct activity;

struct activity *activity_new(void);
void activity_free(struct activity *a);

/* The container's record, made on first use (NULL only without memory). */
struct ctr_activity *activity_of(struct activity *a, uint64_t cgid);
void activity_forget(struct activity *a, uint64_t cgid);

/* Records a connect to (family, 16-byte address, port) at boot-time ns ts. */
void activity_connect(struct ctr_activity *c, const uint8_t addr[16], uint16_t port, uint64_t ts);
/* Distinct destinations within CTR_RECENT_WINDOW_NS before now. */
unsigned int activity_recent_targets(const struct ctr_activity *c, uint64_t now);

/* Records an exec of exe at ts in a container whose cgroup appeared at created_ns (0: before the agent). */
void activity_exec(struct ctr_activity *c, const char *exe, uint64_t ts, uint64_t created_ns);
/* Did the container run exe in its start-up? */
bool activity_startup_exe(const struct ctr_activity *c, const char *exe);

/* Records one standard stream of an exec (copied). */
void activity_stdio(struct ctr_activity *c, const struct stdio_use *u);
/*
 * The newest exec within CTR_STDIO_WINDOW_NS before now, of another
 * process than not_pid, whose fd is (kind, dev, ino); NULL when none.
 * A pipe matches by inode alone (pipefs has one superblock).
 */
const struct stdio_use *activity_stdio_find(const struct ctr_activity *c, unsigned int fd, unsigned int kind,
					    uint32_t dev, uint64_t ino, uint32_t not_pid, uint64_t now);

#endif
