/*
 * fields.h - the fields of an event (Falco's names), one table per class:
 *
 *   field_evt.c   evt.*     the event: type, result, arguments
 *   field_proc.c  proc.*, thread.*, user.*, group.*   the process
 *   field_fd.c    fd.*      the file or socket
 *   field_ctr.c   container.*, cap.*   the container and its learned baseline
 *   field_k8s.c   k8s.*     Kubernetes names of the container
 *
 * Each entry is {name, type, extractor}.  The rules compile against these
 * tables and the output (output/event_json.c, event_text.c) writes derived
 * values through the same extractors, so a rule and the JSON can never
 * disagree about, say, whether a file is on a host mount.
 */
#ifndef VIGIL_FIELDS_H
#define VIGIL_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/abi.h"
#include "core/event.h"
#include "proc/proc_cache.h"

/* FT_NET: an IP address as a string, compared (=, !=, in) with networks ("10.0.0.0/8") */
enum field_type { FT_STR, FT_NUM, FT_BOOL, FT_NET };

struct fval {
	enum field_type type;
	const char *s;			/* FT_STR: not NUL-terminated necessarily */
	size_t len;
	int64_t n;			/* FT_NUM, FT_BOOL */
};

/* Everything a field may read, for one event.  Per-event caches inside. */
struct field_ctx {
	const struct event_view *ev;
	struct proc_cache *procs;	/* ancestors; may be NULL */
	uint64_t evt_num;
	/* per-event caches */
	int path_done;
	char path[8192];
	int have_path;
	char scratch[8192];		/* the current value when it is built */
	char comm[VIGIL_COMM_LEN + 1];	/* NUL-terminated copies: records are untrusted */
	char pcomm[VIGIL_COMM_LEN + 1];
	char burst_items[512];		/* set by the agent when a burst rule fires (burst.h), cleared when it judges the next event */
};

/*
 * Extracts the field (arg: "2" of proc.aname[2], "flags" of evt.arg.flags)
 * into *out.  Returns true when the event has the field; a missing field
 * makes every comparison on it false (and `exists` false).
 */
typedef bool (*field_fn)(struct field_ctx *fc, const char *arg, struct fval *out);

struct field_def {
	const char *name;
	enum field_type type;
	field_fn get;
	bool takes_arg;		/* proc.aname[N], evt.arg.NAME */
	/*
	 * fd.ip, fd.net: either end of the socket (get's arg "0" the client,
	 * "1" the server); = and in hold when one end does, != when neither does
	 */
	bool pair;
};

/* The tables, each ended by a NULL name. */
extern const struct field_def field_evt[], field_proc[], field_fd[], field_ctr[], field_k8s[];

/* Readies fc for a new event: only the small per-event state is cleared. */
static inline void field_ctx_reset(struct field_ctx *fc, const struct event_view *ev, uint64_t evt_num)
{
	fc->ev = ev;
	fc->evt_num = evt_num;
	fc->path_done = 0;
	fc->have_path = 0;
}

/*
 * An alert's story: the process's ancestors as the kernel reported them
 * (real_parent at each fork and exec, kept in the process table), parent
 * first, up to ANCESTRY_MAX; past that, the generations in between are
 * counted and the root is kept last.  The walk stops at the container's
 * edge: the first ancestor in another container or on the host (the
 * runtime's shim) is not shown, and the last one shown is where the
 * container's tree starts, its entrypoint (pid 1 inside) or a process that
 * entered it (docker exec).  A process known only from the start-up scan
 * of /proc (older than the agent) cannot be placed, so a chain in a
 * container stops before it, its root "unknown" unless that is pid 1.
 */
#define ANCESTRY_MAX 8
enum ancestry_root {
	ANCESTRY_UNKNOWN,	/* a parent the table does not hold (older than the agent, or lost) */
	ANCESTRY_ENTRYPOINT,	/* the container's pid 1 */
	ANCESTRY_ENTERED,	/* not pid 1, its parent outside the container: a docker exec */
	ANCESTRY_HOST,		/* a host process: the walk reached pid 1 */
};
struct ancestry {
	const struct proc_info *p[ANCESTRY_MAX + 1];	/* borrowed from fc->procs */
	size_t n;
	size_t skipped;		/* generations left out between p[n - 2] and the root */
	enum ancestry_root root;
};
void field_ancestry(struct field_ctx *fc, struct ancestry *a);

/*
 * The program an exec is joined to by a stream, as the kernel has it
 * (core/activity.h): the recent exec whose stdout is the pipe this one
 * reads, whose stdin is the pipe this one writes, or whose stdout was the
 * file this one runs.  NULL when none, or ev is not an exec.
 */
enum stdio_peer { STDIO_PEER_STDIN_WRITER, STDIO_PEER_STDOUT_READER, STDIO_PEER_EXE_WRITER };
struct stdio_use;
const struct stdio_use *field_stdio_peer(const struct event_view *ev, enum stdio_peer which);
const char *ancestry_root_name(enum ancestry_root r);

/* The definition of a field name ("evt.arg.flags" matches "evt.arg"), or NULL. */
const struct field_def *field_lookup(const char *name, const char **arg);

static inline bool field_get(const struct field_def *f, const char *arg, struct field_ctx *fc,
			     struct fval *out)
{
	out->type = f->type;
	out->s = NULL;
	out->len = 0;
	out->n = 0;
	return f->get(fc, arg, out);
}

/* A boolean field by name (output helpers); false when missing. */
bool field_true(struct field_ctx *fc, const char *name);

/* ---- facts about an event, shared by the extractors and the output ---- */

/* The syscall an io_uring op stands for ("unlinkat", ...). */
const char *uring_op_type(unsigned int op);
/* The event's evt.type value, as the kernel names the syscall. */
const char *field_evt_type(const struct event_view *ev);
/* The event's file (opened, described, or the executable), or NULL. */
const struct vigil_file *event_file(const struct event_view *ev);
/* The event's socket, or NULL. */
const struct vigil_sock *event_sock(const struct event_view *ev);
/* The socket of a connect (syscall or io_uring), or NULL. */
const struct vigil_sock *event_connect_sock(const struct event_view *ev);
/* Is the event a successful open for writing of path (as the kernel resolved it)? */
bool event_writes_file(const struct event_view *ev, const char *path);
/*
 * Is f on a filesystem of the host rather than the container's own?
 * Kernel-virtual filesystems of the container's own namespaces are not; a
 * tmpfs is only when bound in; anything else is when it is a bind mount or
 * sits on a block device (volumes, -v binds, /etc/hosts).
 */
bool file_is_host_mount(const struct vigil_file *f);
/* Is s's remote address loopback or on one of c's networks? */
bool addr_in_own_networks(const struct ctr_info *c, const struct vigil_sock *s);

#endif
