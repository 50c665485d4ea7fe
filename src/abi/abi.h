/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * abi.h - the one header shared by Vigil's BPF programs and its agent.
 *
 * Every record the kernel side writes to the ring buffer starts with
 * struct vigil_hdr; its `size` is the whole record, `type` selects the body.
 * Variable-size data (paths, argv, addresses) sits after the fixed body in a
 * data area; the body refers to it by struct vigil_str {off, len}, with `off`
 * counted from the start of the record.  The agent checks every {off, len}
 * against `size` before it reads (src/agent/decode.c).
 *
 * Only fixed-width types, explicit padding, no pointers, no bool/pid_t.
 * Bump VIGIL_ABI_VERSION on any layout change.
 */
#ifndef VIGIL_ABI_H
#define VIGIL_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "abi/policy.h"

#define VIGIL_ABI_VERSION 8

#define VIGIL_COMM_LEN 16
#define VIGIL_FSTYPE_LEN 16
/* Upper bound of syscall numbers counted per container (x86_64 < 470). */
#define VIGIL_NR_SYSCALLS 512
/* A string area is half of the data area so masked offsets stay in bounds. */
#define VIGIL_DATA_HALF 8192
#define VIGIL_DATA_MAX (2 * VIGIL_DATA_HALF)
#define VIGIL_PATH_MAX 4096
#define VIGIL_ARGV_MAX 4096
#define VIGIL_ENV_MAX 2048	/* bytes of the environment kept when rules read proc.env */
#define VIGIL_PATH_DEPTH 48

/*
 * Numbers that cross the boundary.  They are Linux UAPI values (the BPF
 * side cannot include the UAPI headers next to vmlinux.h, the agent checks
 * them against those headers in src/agent/bpf/decode.c).
 */
#define VIGIL_AF_UNIX 1
#define VIGIL_AF_INET 2
#define VIGIL_AF_INET6 10
#define VIGIL_IORING_OP_CONNECT 16
#define VIGIL_IORING_OP_OPENAT 18
#define VIGIL_IORING_OP_OPENAT2 28
#define VIGIL_IORING_OP_ACCEPT 13
#define VIGIL_IORING_OP_RENAMEAT 35
#define VIGIL_IORING_OP_UNLINKAT 36
#define VIGIL_IORING_OP_MKDIRAT 37
#define VIGIL_IORING_OP_SYMLINKAT 38
#define VIGIL_IORING_OP_LINKAT 39
#define VIGIL_IORING_OP_SOCKET 45
#define VIGIL_IORING_OP_BIND 56		/* Linux 6.11 */
#define VIGIL_IORING_OP_LISTEN 57	/* Linux 6.11 */
#define VIGIL_CAP_SYS_MODULE 16
#define VIGIL_CAP_SYS_ADMIN 21
#define VIGIL_CAP_LAST 63	/* capabilities fit a __u64 bitmap */

enum vigil_event_type {
	VIGIL_EV_EXEC = 1,	/* successful exec (sched_process_exec) */
	VIGIL_EV_FORK = 2,	/* new process in a watched cgroup */
	VIGIL_EV_EXIT = 3,	/* process (thread group) exit */
	VIGIL_EV_SYSCALL = 4,	/* a syscall of interest returned */
	VIGIL_EV_URING = 5,	/* io_uring instance set up or op completed */
	VIGIL_EV_CGROUP = 6,	/* container cgroup created or removed */
	VIGIL_EV_PROFILE = 7,	/* first use of a syscall outside the container's profile */
	VIGIL_EV_CAPABLE = 8,	/* first use of a capability by a container's program */
	VIGIL_EV_MIGRATE = 9,	/* a task moved into or out of a container's cgroups */
	VIGIL_EV_SOCK = 10,	/* a connect or send began: the kernel's copy of the address */
	VIGIL_EV_NOTICE = 11,	/* the kernel side tells the agent: table full, 32-bit ABI used */
	VIGIL_EV_ENFORCE = 12,	/* a policy matched at a syscall's entry (abi/policy.h) */
	VIGIL_EV_SYNFLOOD = 13,	/* TCP SYNs from one source above the rate (XDP) */
	VIGIL_EV_RENAME = 14,	/* a task changed its name (prctl PR_SET_NAME, /proc/.../comm), not at exec */
	VIGIL_EV_CPU = 15,	/* (agent) a container process kept a CPU busy (core/cpuwatch.h) */
	VIGIL_EV_TYPE_MAX,
};

/* Why the kernel side lost or shortened something; see docs/events.md. */
enum vigil_stat {
	VIGIL_STAT_EVENTS = 0,		/* records written */
	VIGIL_STAT_RB_FULL,		/* ring buffer full: event dropped */
	VIGIL_STAT_PATH_TRUNC,		/* path deeper/longer than the walk */
	VIGIL_STAT_ARGV_TRUNC,		/* argv longer than VIGIL_ARGV_MAX */
	VIGIL_STAT_DATA_TRUNC,		/* data area full: a string left out */
	VIGIL_STAT_CTR_MAP_FULL,	/* container cgroup table full */
	VIGIL_STAT_COUNTS_MISS,		/* no syscall-count slot for a container */
	VIGIL_STAT_READ_FAIL,		/* a kernel/user read failed */
	VIGIL_STAT_OPEN_REPEAT,		/* identical open aggregated (see dedup) */
	VIGIL_STAT_ARG_RACED,		/* a syscall's user argument changed while it ran */
	VIGIL_STAT_COMPAT,		/* syscalls of a 32-bit ABI in a container */
	VIGIL_STAT_POL_MATCH,		/* a policy clause matched (audit or enforce) */
	VIGIL_STAT_POL_ACTED,		/* ... and the kernel killed or refused */
	VIGIL_STAT_POL_BUSY,		/* no policy slot free on the CPU: refused, to be safe */
	VIGIL_STAT_SYN_DROP,		/* SYNs dropped from a flooding source */
	VIGIL_STAT_MAX,
};

struct vigil_str {
	__u16 off;	/* from the start of the record; 0 = absent */
	__u16 len;	/* bytes, without a terminating NUL */
};

/* Process context carried by every record. */
struct vigil_proc {
	__u32 pid;		/* host tgid */
	__u32 tid;		/* host tid */
	__u32 ppid;		/* host tgid of real_parent */
	__u32 vpid;		/* tgid in the process's own pid namespace */
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 tty;		/* encoded dev_t of the controlling tty, 0 = none */
	__u32 flags;		/* enum vigil_proc_flags */
	__u32 loginuid;		/* the audit login uid (-1: never logged in, or no audit) */
	__u64 cap_effective;
	__u64 cap_permitted;
	__u64 start_ns;		/* thread-group start, boot-time ns */
	__u64 cgroup_id;	/* the task's cgroup v2 id */
	__u64 ctr_cgroup_id;	/* container's top cgroup id, 0 = host */
	char comm[VIGIL_COMM_LEN];
	char pcomm[VIGIL_COMM_LEN];
};

enum vigil_proc_flags {
	/* the container's program has not started: the runtime is setting it up */
	VIGIL_PROC_CTR_SETUP = 1 << 0,
	/*
	 * the task entered the container's cgroup from outside it (the runtime
	 * joining it, as for `docker exec`) and has not run a program since;
	 * decided by the kernel, not from names a process gives itself
	 */
	VIGIL_PROC_RUNTIME = 1 << 1,
	/* the thread group leads its process group (its pid is the pgid) */
	VIGIL_PROC_PGRP_LEADER = 1 << 2,
	/* ... and its session */
	VIGIL_PROC_SID_LEADER = 1 << 3,
};

/* Per task, in task storage (not a record: kernel side only). */
struct vigil_task {
	__u32 flags;		/* enum vigil_proc_flags: VIGIL_PROC_RUNTIME */
	__u32 pad;
	__u64 ctr;		/* the container it was last seen in (top cgroup), 0 = host */
};

struct vigil_hdr {
	__u16 version;		/* VIGIL_ABI_VERSION */
	__u16 type;		/* enum vigil_event_type */
	__u32 size;		/* whole record, bytes */
	__u64 ts_ns;		/* boot-time ns */
	struct vigil_proc proc;
};

/* Where a file lives, from its struct file / struct path. */
enum vigil_file_flags {
	VIGIL_FILE_PRESENT = 1 << 0,	/* the fields below are valid */
	VIGIL_FILE_ROOT_MNT = 1 << 1,	/* on the process's root mount */
	VIGIL_FILE_BIND = 1 << 2,	/* mount root is not its fs root */
	VIGIL_FILE_OVL_UPPER = 1 << 3,	/* overlayfs inode with an upper */
	VIGIL_FILE_OVL_LOWER = 1 << 4,	/* overlayfs inode with a lower */
	VIGIL_FILE_MEMFD = 1 << 5,	/* memfd_create() file */
	VIGIL_FILE_PATH_TRUNC = 1 << 6,
	VIGIL_FILE_BLOCKDEV_FS = 1 << 7,/* fs backed by a block device */
	/* a procfs of another pid namespace than the task's: the host's /proc bound in */
	VIGIL_FILE_FOREIGN_NS = 1 << 8,
};

struct vigil_file {
	__u32 flags;		/* enum vigil_file_flags */
	__u32 mode;		/* inode i_mode */
	__u64 ino;
	__u32 dev;		/* superblock s_dev (kernel encoding) */
	__u32 f_flags;		/* struct file f_flags, when opened */
	char fstype[VIGIL_FSTYPE_LEN];
	struct vigil_str path;		/* absolute, as the process sees it */
	struct vigil_str mnt_source;	/* mount device name */
	struct vigil_str mnt_root;	/* bind-mount source inside its fs */
	__u32 pad;
};

/* Socket endpoints, network byte order for addresses, host for ports. */
struct vigil_sock {
	__u16 family;		/* AF_INET, AF_INET6, AF_UNIX; 0 = absent */
	__u16 type;		/* SOCK_STREAM ... */
	__u16 protocol;		/* IPPROTO_TCP ... */
	__u16 lport;
	__u16 rport;
	__u16 pad;
	__u8 laddr[16];
	__u8 raddr[16];
	struct vigil_str unix_path;
};

/* What the agent tells the kernel about one syscall number. */
enum vigil_sys_flags {
	VIGIL_SYS_ON = 1 << 0,
	VIGIL_SYS_FAILED_ONLY = 1 << 1,	/* report only ret < 0 (execve) */
	VIGIL_SYS_RET_FD = 1 << 2,	/* ret >= 0 is a new fd to describe */
	VIGIL_SYS_DUP_STDIO = 1 << 3,	/* report only a socket dup'ed to 0..2 */
	VIGIL_SYS_SOCKADDR_LOCAL = 1 << 4,/* the sockaddr is the local end (bind) */
	VIGIL_SYS_ENTRY_PATHS = 1 << 5,	/* read the path args at entry (sys_enter_<name>) */
	VIGIL_SYS_OPEN = 1 << 6,	/* an open: flags_arg says what the caller asked for */
	VIGIL_SYS_STR2 = 1 << 7,	/* path2_arg is a name, not a path (setxattr's attribute) */
};

#define VIGIL_ARG_NONE 0xff

struct vigil_sys_spec {
	__u8 flags;		/* enum vigil_sys_flags */
	__u8 path_arg;		/* user path string, or VIGIL_ARG_NONE */
	__u8 path_dirfd_arg;	/* dirfd for path_arg (AT_FDCWD = cwd) */
	__u8 path2_arg;		/* second path (rename, link, symlink) */
	__u8 path2_dirfd_arg;
	__u8 fd_arg;		/* an fd to describe (file or socket) */
	__u8 sockaddr_arg;	/* user struct sockaddr * */
	__u8 sockaddr_len_arg;
	__u8 flags_arg;		/* opens: the flags argument; VIGIL_ARG_NONE: implied or in a struct */
	__u8 pad[3];
};

enum vigil_sysev_flags {
	/* a user string read at entry was different at exit: what the kernel used is uncertain */
	VIGIL_SYSEV_ARG_RACED = 1 << 0,
	/* a user string could not be read at entry (the page was not there) */
	VIGIL_SYSEV_ARG_UNREAD = 1 << 1,
	/* the socket address is the kernel's copy, taken when the connect began */
	VIGIL_SYSEV_ADDR_KERNEL = 1 << 2,
	/* the unix socket path is the peer's bound path, resolved by the kernel */
	VIGIL_SYSEV_UNIX_PEER = 1 << 3,
	/* (agent) made from a kill at the syscall's entry: the syscall's own return was not seen */
	VIGIL_SYSEV_NO_RESULT = 1 << 4,
};

struct vigil_syscall_event {
	struct vigil_hdr hdr;
	__u32 nr;
	__u32 repeats;		/* identical opens aggregated since the last report */
	__u32 flags;		/* enum vigil_sysev_flags */
	__u32 open_flags;	/* opens: the flags the caller asked for (O_TRUNC survives) */
	__s64 ret;
	__u64 args[6];
	struct vigil_str path;		/* user string of path_arg */
	struct vigil_str dir;		/* resolved dirfd / cwd for a relative path */
	struct vigil_str path2;
	struct vigil_str dir2;
	struct vigil_file file;		/* fd_arg or the returned fd */
	struct vigil_sock sock;
	struct vigil_pol_outcome pol;	/* a unix connect's peer matched a policy */
};

enum vigil_exec_flags {
	VIGIL_EXEC_ARGV_TRUNC = 1 << 0,
	/* the exec ended the runtime's part: the task had entered from outside */
	VIGIL_EXEC_FROM_RUNTIME = 1 << 1,
	/* the environment was longer than the agent asked for (cfg_env_max) */
	VIGIL_EXEC_ENV_TRUNC = 1 << 2,
};

/* What a standard stream was at an exec: a pipe joins two programs, a file a program's output. */
enum vigil_stdio_kind {
	VIGIL_STDIO_OTHER = 0,		/* a tty, a socket, /dev/null, closed */
	VIGIL_STDIO_PIPE = 1,		/* a pipe or FIFO */
	VIGIL_STDIO_FILE = 2,		/* a regular file */
};

struct vigil_stdio_end {
	__u64 ino;		/* the pipe's or the file's inode */
	__u32 dev;		/* its superblock's s_dev */
	__u32 kind;		/* enum vigil_stdio_kind */
};

struct vigil_exec_event {
	struct vigil_hdr hdr;
	__u32 flags;		/* enum vigil_exec_flags */
	__u32 old_pid;		/* tid that called exec */
	struct vigil_file exe;		/* resolved from the kernel's file */
	struct vigil_str filename;	/* as passed to execve */
	struct vigil_str argv;		/* NUL-separated */
	struct vigil_str cwd;
	struct vigil_str env;		/* NUL-separated, as exec left it; only when a rule reads proc.env */
	__u32 stdio_sockets;	/* bit n: fd n (0..2) is a socket at the exec */
	__u32 sid;		/* host pid of the task's session leader (the kernel's session) */
	struct vigil_sock stdio_sock;	/* the first of them */
	struct vigil_pol_outcome pol;	/* the exec policy's decision */
	struct vigil_stdio_end stdio[2];	/* fds 0 and 1 at the exec */
};

/* Namespaces a fork made (bit per CLONE_NEW* flag, as in clone(2)). */
struct vigil_fork_event {
	struct vigil_hdr hdr;	/* hdr.proc is the child */
	__u64 new_ns;		/* CLONE_NEWNS | CLONE_NEWUSER ...: the child's differ from its parent's */
};

struct vigil_exit_event {
	struct vigil_hdr hdr;
	__s32 exit_code;	/* task->exit_code: status << 8 | signal */
	__u32 pad;
};

/*
 * io_uring: an op is reported when it is submitted, with what the kernel
 * copied from the submission (paths, flags), and again when it completes;
 * the agent joins the two by req.  An op that never completes visibly
 * (IOSQE_CQE_SKIP_SUCCESS, a CQ overflow) is still seen at submission.
 */
enum vigil_uring_kind {
	VIGIL_URING_SETUP = 1,
	VIGIL_URING_OP = 2,		/* completed */
	VIGIL_URING_SUBMIT = 3,		/* submitted */
};

struct vigil_uring_event {
	struct vigil_hdr hdr;
	__u32 kind;		/* enum vigil_uring_kind */
	__u32 opcode;		/* IORING_OP_* */
	__s64 res;		/* completion result (VIGIL_URING_OP) */
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 setup_flags;
	__s32 dfd;
	struct vigil_str path;	/* the path as the kernel copied it */
	struct vigil_str path2;	/* rename/link: the new path */
	struct vigil_str dir;	/* a relative path's directory (dfd or cwd), resolved */
	struct vigil_str dir2;
	__s32 dfd2;
	__u32 sqe_flags;	/* IOSQE_* */
	__u64 req;		/* joins submission and completion */
	__u32 open_flags;	/* openat/openat2: the flags asked for */
	__u32 file_slot;	/* a fixed-file slot + 1 the op opens into, 0 = a plain fd */
	__u64 args[3];		/* socket: domain, type, protocol; mkdir: mode; unlink: flags */
	struct vigil_file file;	/* the opened file, on success */
	struct vigil_sock sock;	/* connect destination */
};

enum vigil_cgroup_kind {
	VIGIL_CGROUP_MKDIR = 1,
	VIGIL_CGROUP_RMDIR = 2,
};

struct vigil_cgroup_event {
	struct vigil_hdr hdr;
	__u32 kind;		/* enum vigil_cgroup_kind */
	__u32 level;
	__u64 id;		/* the cgroup's id */
	__u64 ctr_id;		/* container top cgroup it belongs to */
	struct vigil_str path;	/* path inside the cgroup v2 hierarchy */
	__u32 pad;
};

/* A task moved between cgroups so that its container changed (hdr.proc: the task). */
struct vigil_migrate_event {
	struct vigil_hdr hdr;	/* proc.ctr_cgroup_id: where it was */
	__u64 from_cgid;
	__u64 from_ctr;		/* 0: the host */
	__u64 to_cgid;
	__u64 to_ctr;		/* 0: the host */
};

enum vigil_sock_kind {
	VIGIL_SOCK_CONNECT = 1,		/* connect(), or a TCP fast open send */
	VIGIL_SOCK_SENDMSG = 2,		/* a datagram to an address */
};

/*
 * A connect or send began (cgroup sock_addr hooks): the destination as the
 * kernel copied it, before anything was sent.  The syscall's own record, if
 * any, follows when it returns; the agent joins them by sock.
 */
struct vigil_sock_event {
	struct vigil_hdr hdr;
	__u32 kind;		/* enum vigil_sock_kind */
	__u32 nr;		/* the syscall that began it, -1 none (io_uring worker) */
	__u64 sock;		/* the socket, to join the syscall's record */
	struct vigil_sock addr;	/* family, type, protocol, remote (and unix_path) */
	struct vigil_pol_outcome pol;	/* the network policy's decision */
};

/*
 * A policy matched at a syscall's entry (enforce/syscall.bpf.c): the
 * process was sent SIGKILL before the syscall ran (the syscall itself
 * still runs: see docs/enforcement.md).  The syscall's own record, if it
 * is reported, follows; the agent joins them by thread and number.
 */
struct vigil_enforce_event {
	struct vigil_hdr hdr;
	__u32 nr;		/* native syscall number */
	__u32 abi;		/* 0 native, 1 ia32, 2 x32 */
	struct vigil_pol_outcome pol;
	__u64 args[6];
};

enum vigil_synflood_flags {
	VIGIL_SYN_DROPPING = 1 << 0,	/* enforce: this source's SYNs are dropped for a while */
};

/*
 * A task renamed itself after its exec (task_rename, outside an exec):
 * hdr.proc.comm is the name it had, newcomm the one it took.
 */
struct vigil_rename_event {
	struct vigil_hdr hdr;
	char newcomm[VIGIL_COMM_LEN];
	__u32 thread;		/* 1: a thread other than the group's leader */
	__u32 pad;
};

/*
 * Made by the agent, never by the kernel side: a process that used at
 * least CPUWATCH_BUSY_PERCENT of a CPU for `seconds`, as the kernel
 * accounted it (/proc/PID/stat).  hdr.proc is read from /proc.
 */
struct vigil_cpu_event {
	struct vigil_hdr hdr;
	__u32 percent;		/* of one CPU over the stretch */
	__u32 seconds;
	__u64 cpu_ns;
};

/* One source sent more TCP SYNs than the rate allows (net/synflood.bpf.c). */
struct vigil_synflood_event {
	struct vigil_hdr hdr;	/* proc: zero (softirq) */
	__u32 ifindex;		/* where they came in */
	__u32 flags;		/* enum vigil_synflood_flags */
	__u16 family;
	__u16 dport;		/* of the SYN that crossed the rate */
	__u32 count;		/* SYNs in the window */
	__u32 rate;		/* the limit, SYNs per second */
	__u32 pad;
	__u8 saddr[16];		/* IPv4 as its IPv4-mapped IPv6 address */
	__u8 daddr[16];
};

enum vigil_notice_kind {
	VIGIL_NOTICE_CTR_TABLE_FULL = 1,	/* a new container's cgroup could not be marked */
	VIGIL_NOTICE_COMPAT_ABI = 2,		/* a container made a 32-bit (ia32/x32) syscall */
};

struct vigil_notice_event {
	struct vigil_hdr hdr;
	__u32 kind;		/* enum vigil_notice_kind */
	__u32 nr;		/* COMPAT_ABI: the syscall number in that ABI */
	__u64 cgid;		/* TABLE_FULL: the cgroup left unwatched */
	__u32 abi;		/* COMPAT_ABI: 1 ia32, 2 x32 */
	__u32 pad;
	struct vigil_str path;	/* TABLE_FULL: its path */
	__u32 pad2;
};

/*
 * Open aggregation: a process opening the same file with the same access
 * again within cfg_dedup_ns is counted, not reported; the count rides on the
 * next report of that open (vigil_syscall_event.repeats).
 */
struct vigil_open_key {
	__u64 start_ns;		/* process start: pids are reused */
	__u64 exec_id;		/* exec generation: a new program is a new opener */
	__u64 ino;
	__u32 tgid;
	__u32 dev;
	__u32 flags;		/* as asked for: O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND */
	__u32 nr;
};

struct vigil_open_seen {
	__u64 last_report_ns;
	__u64 repeats;
};

/* A container's seccomp profile as the kernel checks it (key: top cgroup). */
struct vigil_profile_bits {
	__u64 allow[VIGIL_NR_SYSCALLS / 64];
	__u64 reported[VIGIL_NR_SYSCALLS / 64];	/* set by the kernel: once each */
	/*
	 * Checked only once the container's own program runs (an exec from its
	 * root filesystem), not while the runtime sets it up.
	 */
	__u32 armed;
	__u32 pad;
};

struct vigil_profile_event {
	struct vigil_hdr hdr;
	__u32 nr;
	__u32 pad;
};

/*
 * Capabilities a container's program was granted (key: top cgroup).  The
 * kernel reports each capability's first grant once; a check that failed
 * is only counted here (routine no-audit probes, such as mmap's
 * CAP_SYS_ADMIN test, fail in every unprivileged container).
 */
struct vigil_cap_use {
	__u64 granted;		/* bit n: capability n was granted */
	__u64 denied;		/* bit n: a check of capability n failed */
};

struct vigil_capable_event {
	struct vigil_hdr hdr;
	__s32 cap;		/* CAP_* number */
	__s32 ret;		/* 0: granted */
	__s64 syscall;		/* the syscall that needed it, -1 = none */
};

/* Value of the container-cgroup table (key: cgroup v2 id). */
enum vigil_ctr_flags {
	/* (top cgroup only) the container's own program has started: an exec
	 * from its root filesystem; before that the runtime sets it up */
	VIGIL_CTR_PROGRAM = 1 << 0,
	/* a cgroup below the container's top one */
	VIGIL_CTR_NESTED = 1 << 1,
	/* (top cgroup only) a 32-bit syscall ABI was used: reported once */
	VIGIL_CTR_COMPAT = 1 << 2,
};

struct vigil_ctr_cgroup {
	__u64 ctr_cgroup_id;	/* top cgroup of the container */
	__u32 flags;		/* enum vigil_ctr_flags */
	__u32 pad;
};

/* Per container, per CPU: syscalls of the runtime's set-up, then of the program. */
struct vigil_syscall_counts {
	__u64 setup[VIGIL_NR_SYSCALLS];
	__u64 program[VIGIL_NR_SYSCALLS];
};

/*
 * The layout both sides compile against.  A change here that moves a byte
 * fails the build on both sides until VIGIL_ABI_VERSION and these numbers
 * are updated together.
 */
#define VIGIL_LAYOUT(t, size) \
	_Static_assert(sizeof(struct t) == (size), "struct " #t ": layout changed, bump VIGIL_ABI_VERSION")
#define VIGIL_OFFSET(t, f, off) \
	_Static_assert(__builtin_offsetof(struct t, f) == (off), "struct " #t "." #f ": layout changed")

VIGIL_LAYOUT(vigil_str, 4);
VIGIL_LAYOUT(vigil_proc, 112);
VIGIL_LAYOUT(vigil_hdr, 128);
VIGIL_OFFSET(vigil_hdr, proc, 16);
VIGIL_LAYOUT(vigil_file, 56);
VIGIL_LAYOUT(vigil_sock, 48);
VIGIL_LAYOUT(vigil_sys_spec, 12);
VIGIL_LAYOUT(vigil_syscall_event, 336);
VIGIL_OFFSET(vigil_syscall_event, pol, 320);
VIGIL_OFFSET(vigil_syscall_event, path, 200);
VIGIL_OFFSET(vigil_syscall_event, file, 216);
VIGIL_OFFSET(vigil_syscall_event, sock, 272);
VIGIL_LAYOUT(vigil_exec_event, 312);
VIGIL_OFFSET(vigil_exec_event, stdio, 280);
VIGIL_OFFSET(vigil_exec_event, pol, 264);
VIGIL_OFFSET(vigil_exec_event, exe, 136);
VIGIL_OFFSET(vigil_exec_event, filename, 192);
VIGIL_OFFSET(vigil_exec_event, stdio_sock, 216);
VIGIL_LAYOUT(vigil_fork_event, 136);
VIGIL_LAYOUT(vigil_exit_event, 136);
VIGIL_LAYOUT(vigil_rename_event, 152);
VIGIL_LAYOUT(vigil_cpu_event, 144);
VIGIL_LAYOUT(vigil_uring_event, 328);
VIGIL_OFFSET(vigil_uring_event, path, 160);
VIGIL_OFFSET(vigil_uring_event, req, 184);
VIGIL_OFFSET(vigil_uring_event, file, 224);
VIGIL_OFFSET(vigil_uring_event, sock, 280);
VIGIL_LAYOUT(vigil_cgroup_event, 160);
VIGIL_OFFSET(vigil_cgroup_event, path, 152);
VIGIL_LAYOUT(vigil_migrate_event, 160);
VIGIL_LAYOUT(vigil_sock_event, 208);
VIGIL_OFFSET(vigil_sock_event, pol, 192);
VIGIL_LAYOUT(vigil_enforce_event, 200);
VIGIL_OFFSET(vigil_enforce_event, args, 152);
VIGIL_LAYOUT(vigil_synflood_event, 184);
VIGIL_OFFSET(vigil_sock_event, addr, 144);
VIGIL_LAYOUT(vigil_notice_event, 160);
VIGIL_OFFSET(vigil_notice_event, path, 152);
VIGIL_LAYOUT(vigil_open_key, 40);
VIGIL_LAYOUT(vigil_open_seen, 16);
VIGIL_LAYOUT(vigil_profile_bits, 136);
VIGIL_LAYOUT(vigil_profile_event, 136);
VIGIL_LAYOUT(vigil_cap_use, 16);
VIGIL_LAYOUT(vigil_capable_event, 144);
VIGIL_OFFSET(vigil_capable_event, syscall, 136);
VIGIL_LAYOUT(vigil_ctr_cgroup, 16);
VIGIL_LAYOUT(vigil_task, 16);
VIGIL_LAYOUT(vigil_syscall_counts, 2 * 8 * VIGIL_NR_SYSCALLS);

#endif /* VIGIL_ABI_H */
