/* event_text.c - an event as one text line: Event/Container/Process (see format.h). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "bpf/decode.h"
#include "bpf/syscalls.h"
#include "output/format.h"
#include "output/format_priv.h"
#include "rules/fields.h"
#include "util/names.h"

struct sb {
	char *buf;
	size_t len, cap;
};

static void sb_printf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->len >= s->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len = s->len + n < s->cap ? s->len + n : s->cap - 1;
}

/* Printable bytes as they are, the others as \xNN. */
static void sb_quoted(struct sb *s, const char *p, size_t n, char nul_as)
{
	size_t i;

	for (i = 0; i < n && s->len + 5 < s->cap; i++) {
		unsigned char c = p[i];

		if (!c && nul_as)
			s->buf[s->len++] = nul_as;
		else if (c >= 0x20 && c < 0x7f && c != '\\')
			s->buf[s->len++] = c;
		else
			s->len += snprintf(s->buf + s->len, s->cap - s->len, "\\x%02x", c);
	}
	s->buf[s->len] = '\0';
}

static void sb_str(struct sb *s, const char *str)
{
	sb_quoted(s, str, strlen(str), 0);
}

/* Event:{...} args: the detail of the event's own kind */
static void text_args(struct sb *s, struct field_ctx *fc)
{
	const struct event_view *ev = fc->ev;
	const struct vigil_hdr *h = hdr_of(ev->rec);
	const struct vigil_file *fl = NULL;
	const struct vigil_sock *sk = NULL;
	char a[64], flags[512];

	if (h->type == VIGIL_EV_EXEC) {
		const struct vigil_exec_event *e = ev->rec;
		struct sv fn = rec_sv(e, e->filename);

		sb_printf(s, "filename=");
		sb_quoted(s, fn.p, fn.len, 0);
		fl = &e->exe;
		sb_printf(s, " exe=");
	} else if (h->type == VIGIL_EV_SYSCALL) {
		const struct vigil_syscall_event *e = ev->rec;
		const struct sys_desc *d = sys_desc_by_nr(e->nr);
		char p1[VIGIL_PATH_MAX * 2];
		struct sv p = joined_path(e, e->path, e->dir, p1, sizeof(p1));

		fl = &e->file;
		sk = &e->sock;
		if (d && d->cls == SC_OPEN)
			sb_printf(s, "flags=%s ", open_flags_str(sys_open_flags(d, e), '|', flags, sizeof(flags)));
		if (!(fl->flags & VIGIL_FILE_PRESENT) && p.p) {
			sb_printf(s, "path=");
			sb_quoted(s, p.p, p.len, 0);
		}
		if (fl->flags & VIGIL_FILE_PRESENT)
			sb_printf(s, "path=");
	} else if (h->type == VIGIL_EV_URING) {
		const struct vigil_uring_event *e = ev->rec;

		sb_printf(s, "op=%s ", e->kind == VIGIL_URING_SETUP ? "setup" : uring_op_name(e->opcode));
		fl = &e->file;
		sk = &e->sock;
		if (fl->flags & VIGIL_FILE_PRESENT)
			sb_printf(s, "path=");
	} else if (h->type == VIGIL_EV_PROFILE) {
		sb_printf(s, "profile=");
		sb_str(s, ev->profile ? ev->profile : "?");
	} else if (h->type == VIGIL_EV_SYNFLOOD) {
		const struct vigil_synflood_event *e = ev->rec;
		char d[64];

		sb_printf(s, "source=%s target=%s:%u syns=%u limit=%u/s%s%s%s",
			  addr_str(e->family, e->family == VIGIL_AF_INET ? e->saddr + 12 : e->saddr, a, sizeof(a)),
			  addr_str(e->family, e->family == VIGIL_AF_INET ? e->daddr + 12 : e->daddr, d, sizeof(d)),
			  e->dport, e->count, e->rate, e->flags & VIGIL_SYN_DROPPING ? " dropping" : "",
			  ev->peer ? " source_container=" : "", "");
		if (ev->peer)
			sb_str(s, ev->peer->name ? ev->peer->name : ev->peer->id);
	} else if (h->type == VIGIL_EV_RENAME) {
		const struct vigil_rename_event *e = ev->rec;

		sb_printf(s, "from=");
		sb_quoted(s, h->proc.comm, strnlen(h->proc.comm, sizeof(h->proc.comm)), 0);
		sb_printf(s, " to=");
		sb_quoted(s, e->newcomm, strnlen(e->newcomm, sizeof(e->newcomm)), 0);
		if (e->thread)
			sb_printf(s, " thread");
	} else if (h->type == VIGIL_EV_CPU) {
		const struct vigil_cpu_event *e = ev->rec;

		sb_printf(s, "cpu=%u%% for %u s", e->percent, e->seconds);
	} else if (h->type == VIGIL_EV_CAPABLE) {
		const struct vigil_capable_event *e = ev->rec;

		sb_printf(s, "cap=%s%s", cap_name(e->cap),
			  ev->cap_learning ? " learning" : ev->cap_in_baseline ? " in_baseline" : " new");
	}
	if (fl && (fl->flags & VIGIL_FILE_PRESENT)) {
		struct sv p = rec_sv(ev->rec, fl->path);

		sb_quoted(s, p.p, p.len, 0);
		if (field_true(fc, "fd.is_host_mount"))
			sb_printf(s, " host_mount=yes");
	}
	if (sk && sk->family == VIGIL_AF_UNIX) {
		struct sv u = rec_sv(ev->rec, sk->unix_path);
		char path[128];

		if (u.p) {
			sb_printf(s, "unix=");
			sb_str(s, unix_path_str(u.p, u.len, path, sizeof(path)));
		}
	} else if (sk && sk->family) {
		sb_printf(s, "remote=%s:%u", addr_str(sk->family, sk->raddr, a, sizeof(a)), sk->rport);
		sb_printf(s, " local=%s:%u", addr_str(sk->family, sk->laddr, a, sizeof(a)), sk->lport);
	}
}

static bool result_of(const struct event_view *ev, int64_t *ret)
{
	const struct vigil_hdr *h = hdr_of(ev->rec);

	if (h->type == VIGIL_EV_SYSCALL) {
		if (((const struct vigil_syscall_event *)ev->rec)->flags & VIGIL_SYSEV_NO_RESULT)
			return false;
		*ret = ((const struct vigil_syscall_event *)ev->rec)->ret;
	} else if (h->type == VIGIL_EV_URING)
		*ret = ((const struct vigil_uring_event *)ev->rec)->res;
	else if (h->type == VIGIL_EV_EXEC)
		*ret = 0;
	else
		return false;
	return true;
}

/* An alert's ancestry in one line, the root first: ", Ancestry:{nginx[1] > bash[7] > shred[9]}" */
static void text_ancestry(struct sb *s, struct field_ctx *fc)
{
	const struct vigil_hdr *h = hdr_of(fc->ev->rec);
	struct ancestry a;
	size_t i;

	field_ancestry(fc, &a);
	if (!a.n && a.root == ANCESTRY_UNKNOWN)
		return;
	sb_printf(s, ", Ancestry:{%s: ", ancestry_root_name(a.root));
	for (i = a.n; i-- > 0;) {
		const struct proc_info *q = a.p[i];

		if (q->exe)
			sb_str(s, q->exe);
		else
			sb_quoted(s, q->comm, strnlen(q->comm, sizeof(q->comm)), 0);
		sb_printf(s, "[%u] > ", q->pid);
		if (i == ANCESTRY_MAX && a.skipped)
			sb_printf(s, "(%zu more) > ", a.skipped);
	}
	if (fc->ev->proc && fc->ev->proc->exe)
		sb_str(s, fc->ev->proc->exe);
	else
		sb_quoted(s, h->proc.comm, strnlen(h->proc.comm, sizeof(h->proc.comm)), 0);
	sb_printf(s, "[%u]}", h->proc.pid);
}

size_t event_text(char *buf, size_t len, const struct fmt_ctx *f, struct field_ctx *fc, const char *verdict)
{
	const struct event_view *ev = fc->ev;
	const struct vigil_hdr *h = hdr_of(ev->rec);
	struct sb s = { buf, 0, len };
	int64_t real = h->ts_ns + f->boot_to_real_ns, ret;
	time_t sec = real / 1000000000LL;
	char ts[32], caps[1024];
	struct tm tm;

	if (!len)
		return 0;
	buf[0] = '\0';
	gmtime_r(&sec, &tm);
	strftime(ts, sizeof(ts), "%Y/%m/%d %H:%M:%S", &tm);
	sb_printf(&s, "%s ", ts);
	if (verdict)
		sb_printf(&s, "%s, ", verdict);
	sb_printf(&s, "Event:{host:%s, type: %s", f->host, event_type_name(ev->rec));
	if (h->type == VIGIL_EV_SYSCALL)
		sb_printf(&s, ", syscall: %s", sys_name(((const struct vigil_syscall_event *)ev->rec)->nr));
	else if (h->type == VIGIL_EV_EXEC)
		sb_printf(&s, ", syscall: execve");
	else if (h->type == VIGIL_EV_PROFILE)
		sb_printf(&s, ", syscall: %s", sys_name(((const struct vigil_profile_event *)ev->rec)->nr));
	else if (h->type == VIGIL_EV_CAPABLE && ((const struct vigil_capable_event *)ev->rec)->syscall >= 0)
		sb_printf(&s, ", syscall: %s", sys_name(((const struct vigil_capable_event *)ev->rec)->syscall));
	sb_printf(&s, ", args: ");
	text_args(&s, fc);
	if (result_of(ev, &ret)) {
		sb_printf(&s, ", result: %lld", (long long)ret);
		if (ret < 0 && ret > -4096)
			sb_printf(&s, " (%s)", errno_name(-ret));
	}
	if (ev->ctr) {
		sb_printf(&s, "}, Container:{image: ");
		sb_str(&s, ev->ctr->image ? ev->ctr->image : "?");
		sb_printf(&s, ", id: %.12s, name: ", ev->ctr->id);
		sb_str(&s, ev->ctr->name ? ev->ctr->name : "?");
		sb_printf(&s, "}");
	} else {
		sb_printf(&s, "}, Container:{id: host}");
	}
	/* comm is the process's own choice of bytes: quoted like argv */
	sb_printf(&s, ", Process:{proc: ");
	sb_quoted(&s, h->proc.comm, strnlen(h->proc.comm, sizeof(h->proc.comm)), 0);
	sb_printf(&s, ", pid: %u, vpid: %u, parent: ", h->proc.pid, h->proc.vpid);
	sb_quoted(&s, h->proc.pcomm, strnlen(h->proc.pcomm, sizeof(h->proc.pcomm)), 0);
	sb_printf(&s, ", args: ");
	if (ev->proc && ev->proc->argv)
		sb_quoted(&s, ev->proc->argv, argv_trim(ev->proc->argv, ev->proc->argv_len), ' ');
	sb_printf(&s, ", uid: %u, caps: %s}", h->proc.uid, caps_str(h->proc.cap_effective, ' ', caps, sizeof(caps)));
	if (verdict && strcmp(verdict, "[NORMAL]"))
		text_ancestry(&s, fc);
	return s.len;
}

size_t text_safe(char *buf, size_t len, const char *str)
{
	struct sb s = { buf, 0, len };

	if (!len)
		return 0;
	buf[0] = '\0';
	sb_str(&s, str);
	return s.len;
}
