/* field_evt.c - evt.*: the event itself (see fields.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "bpf/decode.h"
#include "bpf/syscalls.h"
#include "rules/field_priv.h"
#include "util/names.h"
#include "util/pathutil.h"

static bool evt_type(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fstr(out, field_evt_type(fc->ev));
}

/* A Vigil event is one whole syscall: the rules compiler folds evt.dir tests. */
static bool evt_dir(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fstr(out, "<");
}

static bool evt_res(struct field_ctx *fc, const char *arg, struct fval *out)
{
	bool ok;
	int64_t res = field_result(fc, &ok);

	return ok && fstr(out, res >= 0 ? "SUCCESS" : errno_name(-res));
}

static bool evt_rawres(struct field_ctx *fc, const char *arg, struct fval *out)
{
	bool ok;
	int64_t res = field_result(fc, &ok);

	return ok && fnum(out, res);
}

static bool evt_num(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fnum(out, fc->evt_num);
}

static bool evt_is_open_read(struct field_ctx *fc, const char *arg, struct fval *out)
{
	bool is_open;
	uint64_t flags = field_open_flags(fc, &is_open);

	return fbool(out, is_open && (flags & O_ACCMODE) != O_WRONLY);
}

static bool evt_is_open_write(struct field_ctx *fc, const char *arg, struct fval *out)
{
	bool is_open;
	uint64_t flags = field_open_flags(fc, &is_open);

	return fbool(out, is_open && ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT))));
}

static bool evt_is_open_exec(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fbool(out, false);
}

/*
 * A path argument by its name, as the kernel would resolve it: joined with
 * its directory, canonical.  symlink: target (the link's text, taken
 * relative to the link's own directory), linkpath; link and rename:
 * oldpath, newpath; mount: name (source), newpath (target).
 */
static bool path_arg(struct field_ctx *fc, const char *arg, bool symlink, struct fval *out)
{
	char link[4096], *slash;
	const struct vigil_hdr *h = fhdr(fc);
	struct vigil_str text = { 0, 0 };
	struct sv t;
	int n;

	if (symlink && !strcmp(arg, "target")) {
		if (h->type == VIGIL_EV_SYSCALL)
			text = ((const struct vigil_syscall_event *)fc->ev->rec)->path;
		else if (h->type == VIGIL_EV_URING)
			text = ((const struct vigil_uring_event *)fc->ev->rec)->path;
		t = rec_sv(fc->ev->rec, text);
		if (!t.p)
			return false;
		if (field_arg_path(fc, 1, link, sizeof(link)) < 0)
			link[0] = '\0';
		slash = strrchr(link, '/');
		if (slash)
			slash[slash == link ? 1 : 0] = '\0';
		n = path_canonical(link, strlen(link), t.p, t.len, h->proc.vpid, fc->scratch, sizeof(fc->scratch));
		return n >= 0 && fstr(out, fc->scratch);
	}
	if ((symlink && !strcmp(arg, "linkpath")) || !strcmp(arg, "newpath"))
		n = field_arg_path(fc, 1, fc->scratch, sizeof(fc->scratch));
	else if (!strcmp(arg, "oldpath") || !strcmp(arg, "name") || !strcmp(arg, "path"))
		n = field_arg_path(fc, 0, fc->scratch, sizeof(fc->scratch));
	else
		return false;
	return n >= 0 && fstr(out, fc->scratch);
}

/*
 * A mode as octal, then Falco's names of its bits ("4755 S_ISUID|S_IRWXU|..."):
 * startswith 4 and contains S_ISUID both say set-uid.
 */
static void mode_str(unsigned long long mode, char *buf, size_t len)
{
	static const struct { unsigned int bit; const char *name; } bits[] = {
		{ 04000, "S_ISUID" }, { 02000, "S_ISGID" }, { 01000, "S_ISVTX" },
		{ 0400, "S_IRUSR" }, { 0200, "S_IWUSR" }, { 0100, "S_IXUSR" },
		{ 040, "S_IRGRP" }, { 020, "S_IWGRP" }, { 010, "S_IXGRP" },
		{ 04, "S_IROTH" }, { 02, "S_IWOTH" }, { 01, "S_IXOTH" },
	};
	size_t n = snprintf(buf, len, "%04llo", mode), i;
	bool first = true;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]) && n < len; i++) {
		if (!(mode & bits[i].bit))
			continue;
		n += snprintf(buf + n, len - n, "%s%s", first ? " " : "|", bits[i].name);
		first = false;
	}
}

static bool evt_arg(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_hdr *h = fhdr(fc);
	bool is_open;
	uint64_t flags;

	if (!arg)
		return false;
	if (h->type == VIGIL_EV_CAPABLE) {
		const struct vigil_capable_event *e = fc->ev->rec;

		if (!strcmp(arg, "cap"))
			return fstr(out, cap_name(e->cap));
		if (!strcmp(arg, "syscall"))
			return e->syscall >= 0 && fstr(out, sys_name(e->syscall));
		return false;
	}
	if (h->type == VIGIL_EV_EXEC && !strcmp(arg, "flags")) {
		const struct vigil_exec_event *e = fc->ev->rec;
		size_t n = 0;

		fc->scratch[0] = '\0';
		if (e->exe.flags & VIGIL_FILE_OVL_UPPER)
			n += snprintf(fc->scratch + n, sizeof(fc->scratch) - n, "%sEXE_UPPER_LAYER", n ? "|" : "");
		if (e->exe.flags & VIGIL_FILE_MEMFD)
			n += snprintf(fc->scratch + n, sizeof(fc->scratch) - n, "%sEXE_FROM_MEMFD", n ? "|" : "");
		return fstr(out, fc->scratch);
	}
	if (h->type == VIGIL_EV_EXEC && (!strcmp(arg, "filename") || !strcmp(arg, "exe"))) {
		const struct vigil_exec_event *e = fc->ev->rec;
		struct sv v = rec_sv(e, e->filename);

		return fscratch(fc, v.p, v.len, out);
	}
	flags = field_open_flags(fc, &is_open);
	if (is_open && !strcmp(arg, "flags"))
		return fstr(out, open_flags_str(flags, '|', fc->scratch, sizeof(fc->scratch)));
	if (h->type == VIGIL_EV_URING) {
		const struct vigil_uring_event *e = fc->ev->rec;

		if (!strcmp(arg, "domain") && e->opcode == VIGIL_IORING_OP_SOCKET)
			return fstr(out, family_name(e->args[0]));
		return path_arg(fc, arg, e->opcode == VIGIL_IORING_OP_SYMLINKAT, out);
	}
	if (h->type == VIGIL_EV_CPU) {
		const struct vigil_cpu_event *e = fc->ev->rec;

		if (strcmp(arg, "percent") && strcmp(arg, "seconds"))
			return false;
		snprintf(fc->scratch, sizeof(fc->scratch), "%u", !strcmp(arg, "percent") ? e->percent : e->seconds);
		return fstr(out, fc->scratch);
	}
	if (h->type == VIGIL_EV_RENAME && !strcmp(arg, "name")) {
		const struct vigil_rename_event *e = fc->ev->rec;

		return fscratch(fc, e->newcomm, strnlen(e->newcomm, sizeof(e->newcomm)), out);
	}
	if (h->type == VIGIL_EV_FORK && !strcmp(arg, "flags")) {
		/* the namespaces the fork made; none: no flags to test */
		__u64 ns = ((const struct vigil_fork_event *)fc->ev->rec)->new_ns;

		return ns && fstr(out, ns_flags_str(ns, fc->scratch, sizeof(fc->scratch)));
	}
	if (h->type == VIGIL_EV_MIGRATE && !strcmp(arg, "to")) {
		const struct vigil_migrate_event *e = fc->ev->rec;

		snprintf(fc->scratch, sizeof(fc->scratch), "%llu%s", (unsigned long long)e->to_cgid,
			 e->to_ctr ? "" : " (host)");
		return fstr(out, fc->scratch);
	}
	if (h->type == VIGIL_EV_SYNFLOOD) {
		const struct vigil_synflood_event *e = fc->ev->rec;
		const __u8 *a = !strcmp(arg, "source") ? e->saddr : !strcmp(arg, "target") ? e->daddr : NULL;

		if (a)
			return fstr(out, addr_str(e->family, e->family == VIGIL_AF_INET ? a + 12 : a, fc->scratch,
						  sizeof(fc->scratch)));
		if (!strcmp(arg, "port") || !strcmp(arg, "syns")) {
			snprintf(fc->scratch, sizeof(fc->scratch), "%u", !strcmp(arg, "port") ? e->dport : e->count);
			return fstr(out, fc->scratch);
		}
		if (!strcmp(arg, "source_container"))
			return fc->ev->peer && fstr(out, fc->ev->peer->name ? fc->ev->peer->name : fc->ev->peer->id);
		return false;
	}
	if (h->type == VIGIL_EV_NOTICE) {
		const struct vigil_notice_event *e = fc->ev->rec;

		if (!strcmp(arg, "path")) {
			struct sv p = rec_sv(e, e->path);

			return fscratch(fc, p.p, p.len, out);
		}
		if (!strcmp(arg, "abi"))
			return fstr(out, e->abi == 1 ? "ia32" : "x32");
		if (!strcmp(arg, "nr")) {
			snprintf(fc->scratch, sizeof(fc->scratch), "%u", e->nr);
			return fstr(out, fc->scratch);
		}
		return false;
	}
	if (h->type == VIGIL_EV_SYSCALL) {
		const struct vigil_syscall_event *e = fc->ev->rec;
		const struct sys_desc *d = sys_desc_by_nr(e->nr);
		int i;

		if (!d)
			return false;
		if (!strcmp(arg, "request") && !strcmp(d->name, "ptrace"))
			return fstr(out, ptrace_request_name(e->args[0]));
		if (!strcmp(arg, "domain") && !strcmp(d->name, "socket"))
			return fstr(out, family_name(e->args[0]));
		if (!strcmp(arg, "name") && !strcmp(d->type, "setxattr")) {
			/* the attribute, as read at the syscall's entry */
			struct sv v = rec_sv(e, e->path2);

			return fscratch(fc, v.p, v.len, out);
		}
		if (path_arg(fc, arg, !strcmp(d->type, "symlink"), out))
			return true;
		for (i = 0; i < 6; i++)
			if (d->argnames[i] && !strcmp(d->argnames[i], arg)) {
				/* modes read best in octal: "4755" is set-uid rwxr-xr-x */
				if (!strcmp(arg, "mode"))
					mode_str(e->args[i] & 07777, fc->scratch, sizeof(fc->scratch));
				else
					snprintf(fc->scratch, sizeof(fc->scratch), "%lld", (long long)e->args[i]);
				return fstr(out, fc->scratch);
			}
	}
	return false;
}

static bool evt_args_changed(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fhdr(fc)->type == VIGIL_EV_SYSCALL &&
	       fbool(out, ((const struct vigil_syscall_event *)fc->ev->rec)->flags & VIGIL_SYSEV_ARG_RACED);
}

/* Vigil's own: what a burst rule counted, listed in the alert that completes the burst */
static bool burst_items(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->burst_items[0] && fstr(out, fc->burst_items);
}

const struct field_def field_evt[] = {
	{ "evt.type", FT_STR, evt_type, false },
	{ "evt.dir", FT_STR, evt_dir, false },
	{ "evt.res", FT_STR, evt_res, false },
	{ "evt.rawres", FT_NUM, evt_rawres, false },
	{ "evt.num", FT_NUM, evt_num, false },
	{ "evt.is_open_read", FT_BOOL, evt_is_open_read, false },
	{ "evt.is_open_write", FT_BOOL, evt_is_open_write, false },
	{ "evt.is_open_exec", FT_BOOL, evt_is_open_exec, false },
	{ "evt.arg", FT_STR, evt_arg, true },
	/* Vigil's own: a user argument changed while the syscall ran (the race of an evasion) */
	{ "evt.args_changed", FT_BOOL, evt_args_changed, false },
	{ "burst.items", FT_STR, burst_items, false },
	{ NULL },
};
