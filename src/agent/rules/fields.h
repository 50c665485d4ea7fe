/*
 * rules_fields.h - the fields rules can test (Falco's names), extracted
 * from an event and what the agent knows around it.
 */
#ifndef VIGIL_RULES_FIELDS_H
#define VIGIL_RULES_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/abi.h"
#include "output/format.h"
#include "proc/proc_cache.h"

enum field_type { FT_STR, FT_NUM, FT_BOOL };

struct field_def {
	const char *name;
	enum field_type type;
	int id;
	bool takes_arg;		/* proc.aname[N], evt.arg.NAME */
};

/* The definition of a field name ("evt.arg.flags" matches "evt.arg"), or NULL. */
const struct field_def *field_lookup(const char *name, const char **arg);

/* uid -> user name, per container: read from its own /etc/passwd. */
#define USER_CACHE 64

struct user_cache_entry {
	uint64_t ctr_cgroup_id;		/* 0 = empty slot */
	uint32_t uid;
	char name[33];			/* "" = not found there */
};

/* Everything a field may read, for one event.  Lazily filled caches inside. */
struct field_ctx {
	struct user_cache_entry users[USER_CACHE];	/* survives across events */
	unsigned int users_next;
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
};

/* Readies fc for a new event: only the small per-event state is cleared. */
static inline void field_ctx_reset(struct field_ctx *fc, const struct event_view *ev, uint64_t evt_num)
{
	fc->ev = ev;
	fc->evt_num = evt_num;
	fc->path_done = 0;
	fc->have_path = 0;
}

struct fval {
	enum field_type type;
	const char *s;			/* FT_STR: not NUL-terminated necessarily */
	size_t len;
	int64_t n;			/* FT_NUM, FT_BOOL */
};

/*
 * Extracts field id (with arg for the indexed ones) into *out.  Returns
 * true when the event has the field; a missing field makes every
 * comparison on it false (and `exists` false).
 */
bool field_get(const struct field_def *f, const char *arg, struct field_ctx *fc, struct fval *out);

/* The event's evt.type value, as the kernel names the syscall. */
const char *field_evt_type(const struct event_view *ev);

#endif
