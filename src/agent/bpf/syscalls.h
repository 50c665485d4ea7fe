/*
 * syscall_table.h - the syscalls Vigil reports, what their arguments are,
 * and syscall names (from libseccomp, never a hand-written number table).
 */
#ifndef VIGIL_SYSCALL_TABLE_H
#define VIGIL_SYSCALL_TABLE_H

#include <stdint.h>
#include "abi/abi.h"

/* What kind of event a syscall produces, for output and rules. */
enum sys_class {
	SC_NONE = 0,
	SC_OPEN,	/* "open" */
	SC_EXEC,	/* "exec" (failed execs; successes come from the exec hook) */
	SC_NET,		/* "connect", "accept", "bind", "listen" */
	SC_FILE,	/* "file": unlink, rename, chmod, link, symlink, truncate, mkdir */
	SC_PRIV,	/* "privilege": ptrace, modules, mount, ns, bpf, set*id, capset */
	SC_DUP,		/* "dup_socket": a socket dup'ed onto stdin/out/err */
};

struct sys_desc {
	const char *name;		/* libseccomp / kernel name */
	enum sys_class cls;
	const char *type;		/* event "type" key in the output */
	struct vigil_sys_spec spec;	/* handed to the kernel */
	const char *const argnames[6];	/* names of the raw args shown, NULL = not shown */
	const char *tracepoint;		/* kernel's name when not `name` (umount2: "umount") */
};

/* The table, terminated by name == NULL. */
extern const struct sys_desc sys_descs[];

/* Descriptor of a native syscall number, or NULL if Vigil does not report it. */
const struct sys_desc *sys_desc_by_nr(int nr);

/*
 * The flags an open-family event asked for, as the kernel side recorded
 * them: the flags argument, creat's implied O_CREAT|O_WRONLY|O_TRUNC,
 * openat2's open_how.flags read at entry (never the opened file's f_flags,
 * where the kernel has cleared O_TRUNC and O_CREAT).
 */
uint64_t sys_open_flags(const struct sys_desc *d, const struct vigil_syscall_event *e);

/*
 * The native syscall of the same name as ia32 syscall ia32_nr, -1 when
 * there is none (libseccomp's tables).  For the kernel side's map.
 */
int sys_compat_to_native(int ia32_nr);

/* Native syscall number of name, or a negative errno. */
int sys_nr(const char *name);

/* Name of a native syscall number ("sys_N" if libseccomp has none); static storage. */
const char *sys_name(int nr);

#endif
