/*
 * field_priv.h - helpers shared by the field tables (field_*.c); not for
 * the rest of the agent.
 */
#ifndef VIGIL_FIELD_PRIV_H
#define VIGIL_FIELD_PRIV_H

#include <string.h>
#include "rules/fields.h"

static inline const struct vigil_hdr *fhdr(const struct field_ctx *fc)
{
	return fc->ev->rec;
}

static inline bool fstr(struct fval *out, const char *s)
{
	if (!s)
		return false;
	out->type = FT_STR;
	out->s = s;
	out->len = strlen(s);
	return true;
}

static inline bool fnum(struct fval *out, int64_t n)
{
	out->type = FT_NUM;
	out->n = n;
	return true;
}

static inline bool fbool(struct fval *out, bool b)
{
	out->type = FT_BOOL;
	out->n = b;
	return true;
}

/* Copies n bytes into fc->scratch as a C string (false when they do not fit). */
bool fscratch(struct field_ctx *fc, const char *p, size_t n, struct fval *out);

/* The syscall's result (exec 0), false for events without one. */
int64_t field_result(const struct field_ctx *fc, bool *ok);
/*
 * Path argument which (0, 1) of a syscall or io_uring event: joined with
 * the directory the kernel resolved, made canonical (util/pathutil.h), into
 * out.  Its length, or -errno.
 */
int field_arg_path(struct field_ctx *fc, int which, char *out, size_t len);
/* fd.name of a file event: the kernel's path, else the joined user path. */
bool field_file_path(struct field_ctx *fc, struct fval *out);
/* The flags an open asked for; *is_open says whether it was an open. */
uint64_t field_open_flags(const struct field_ctx *fc, bool *is_open);
/* The process `level` generations up (0 = itself), from the cache. */
const struct proc_info *field_ancestor(struct field_ctx *fc, int level);
/* argv from `skip` on, joined by spaces after prefix, into scratch. */
bool field_join_args(struct field_ctx *fc, const struct proc_info *pi, int skip, const char *prefix,
		     struct fval *out);
/* comm as a C string; the record's bytes may lack a NUL */
const char *field_comm(char buf[VIGIL_COMM_LEN + 1], const char *comm);

#endif
