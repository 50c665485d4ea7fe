/* field_fd.c - fd.*: the file or socket of the event (see fields.h). */
#include <stdio.h>
#include <string.h>

#include "bpf/decode.h"
#include "rules/field_priv.h"
#include "util/names.h"
#include "util/netaddr.h"
#include <sys/socket.h>
#include <sys/stat.h>
#include "util/pathutil.h"

static bool fd_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_sock *s = event_sock(fc->ev);
	char l[64], r[64];

	if (!s)
		return field_file_path(fc, out);
	if (s->family == VIGIL_AF_UNIX) {
		struct sv u = rec_sv(fc->ev->rec, s->unix_path);
		const struct proc_info *pi = fc->ev->proc;
		char raw[256];

		if (!u.p)
			return false;
		unix_path_str(u.p, u.len, raw, sizeof(raw));
		/* a relative name is relative to the caller's directory; /proc/self/root leads home */
		if (raw[0] != '@' && path_canonical(raw[0] == '/' || !pi ? NULL : pi->cwd,
						    raw[0] == '/' || !pi || !pi->cwd ? 0 : strlen(pi->cwd), raw,
						    strlen(raw), fhdr(fc)->proc.vpid, fc->scratch, sizeof(fc->scratch)) >= 0)
			return fstr(out, fc->scratch);
		return fscratch(fc, raw, strlen(raw), out);
	}
	snprintf(fc->scratch, sizeof(fc->scratch), "%s:%u->%s:%u", addr_str(s->family, s->laddr, l, sizeof(l)),
		 s->lport, addr_str(s->family, s->raddr, r, sizeof(r)), s->rport);
	return fstr(out, fc->scratch);
}

static bool fd_nameraw(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_hdr *h = fhdr(fc);
	struct sv v = { NULL, 0 };

	if (h->type == VIGIL_EV_SYSCALL)
		v = rec_sv(fc->ev->rec, ((const struct vigil_syscall_event *)fc->ev->rec)->path);
	else if (h->type == VIGIL_EV_URING)
		v = rec_sv(fc->ev->rec, ((const struct vigil_uring_event *)fc->ev->rec)->path);
	if (!v.p || v.len >= sizeof(fc->scratch))
		return field_file_path(fc, out);
	return fscratch(fc, v.p, v.len, out);
}

static bool split_path(struct field_ctx *fc, struct fval *out, bool want_file)
{
	char *slash;

	if (event_sock(fc->ev) || !field_file_path(fc, out))
		return false;
	snprintf(fc->scratch, sizeof(fc->scratch), "%s", fc->path);
	slash = strrchr(fc->scratch, '/');
	if (!slash)
		return false;
	if (want_file)
		return fstr(out, slash + 1);
	if (slash == fc->scratch)
		slash[1] = '\0';
	else
		*slash = '\0';
	return fstr(out, fc->scratch);
}

static bool fd_directory(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return split_path(fc, out, false);
}

static bool fd_filename(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return split_path(fc, out, true);
}

/* "4", "6", "u", "s" for sockets, "d" or "f" for files; missing for neither */
static const char *typechar(struct field_ctx *fc)
{
	const struct vigil_sock *s = event_sock(fc->ev);
	const struct vigil_file *file;
	bool is_open;

	if (s)
		return s->family == VIGIL_AF_INET ? "4" : s->family == VIGIL_AF_INET6 ? "6" :
		       s->family == VIGIL_AF_UNIX ? "u" : "s";
	field_open_flags(fc, &is_open);
	file = event_file(fc->ev);
	if (!is_open && !file)
		return NULL;
	return file && S_ISDIR(file->mode) ? "d" : "f";
}

static bool fd_typechar(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fstr(out, typechar(fc));
}

static bool fd_type(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const char *t = typechar(fc);

	if (!t)
		return false;
	switch (*t) {
	case '4': return fstr(out, "ipv4");
	case '6': return fstr(out, "ipv6");
	case 'u': return fstr(out, "unix");
	case 's': return fstr(out, "socket");
	case 'd': return fstr(out, "directory");
	default: return fstr(out, "file");
	}
}

static bool fd_num(struct field_ctx *fc, const char *arg, struct fval *out)
{
	bool is_open, ok;
	int64_t res;

	field_open_flags(fc, &is_open);
	if (!is_open && !event_sock(fc->ev))
		return false;
	res = field_result(fc, &ok);
	return fnum(out, res >= 0 ? res : -1);
}

/* Socket endpoints seen from a server: for accept the local end serves. */
static bool server_is_local(const struct field_ctx *fc)
{
	const char *t = field_evt_type(fc->ev);

	return !strcmp(t, "accept") || !strcmp(t, "accept4") || !strcmp(t, "bind") || !strcmp(t, "listen");
}

static bool sock_ip(struct field_ctx *fc, bool local, struct fval *out)
{
	const struct vigil_sock *s = event_sock(fc->ev);

	if (!s || (s->family != VIGIL_AF_INET && s->family != VIGIL_AF_INET6))
		return false;
	return fstr(out, addr_str(s->family, local ? s->laddr : s->raddr, fc->scratch, sizeof(fc->scratch)));
}

static bool fd_sip(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return sock_ip(fc, server_is_local(fc), out);
}

/*
 * fd.sip.name, fd.cip.name, fd.rip.name, fd.lip.name: the name of that
 * end's address, where Vigil knows it from what the runtime (not the
 * container) said: the Kubernetes API service the kubelet gave the pod.
 * No DNS answers are read, so other addresses have no name (missing).
 */
static bool ip_name(struct field_ctx *fc, bool local, struct fval *out)
{
	const struct vigil_sock *s = event_sock(fc->ev);
	const struct ctr_info *c = fc->ev->ctr;
	uint8_t a[16];

	if (!s || !c || !c->has_k8s_api || (s->family != VIGIL_AF_INET && s->family != VIGIL_AF_INET6))
		return false;
	addr_to16(s->family, local ? s->laddr : s->raddr, a);
	return !memcmp(a, c->k8s_api, 16) && fstr(out, "kubernetes.default.svc.cluster.local");
}

static bool fd_sip_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return ip_name(fc, server_is_local(fc), out);
}

static bool fd_cip_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return ip_name(fc, !server_is_local(fc), out);
}

static bool fd_rip_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return ip_name(fc, false, out);
}

static bool fd_lip_name(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return ip_name(fc, true, out);
}

static bool fd_cip(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return sock_ip(fc, !server_is_local(fc), out);
}

/* fd.ip, fd.net: arg "0" the client's end, "1" the server's (rules/fields.h: pair) */
static bool fd_ip(struct field_ctx *fc, const char *arg, struct fval *out)
{
	bool server = arg && arg[0] == '1';

	return sock_ip(fc, server == server_is_local(fc), out);
}

/*
 * fd.name_changed: the event gave its socket a new peer: a connect or an
 * accept, or a send with an address of its own (reported only for the
 * first send to a peer), as Falco's tuple change is.
 */
static bool fd_name_changed(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const char *t = field_evt_type(fc->ev);
	const struct vigil_sock *s = event_sock(fc->ev);
	bool ok;
	int64_t res = field_result(fc, &ok);

	if (!s)
		return false;
	return fbool(out, (!ok || res >= 0 || res == -115 /* EINPROGRESS */) &&
			  (!strcmp(t, "connect") || !strncmp(t, "accept", 6) || !strcmp(t, "sendto") ||
			   !strcmp(t, "sendmsg") || !strcmp(t, "sendmmsg")));
}

static bool fd_rip(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return sock_ip(fc, false, out);
}

static bool fd_lip(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return sock_ip(fc, true, out);
}

static bool sock_port(struct field_ctx *fc, bool local, struct fval *out)
{
	const struct vigil_sock *s = event_sock(fc->ev);

	return s && fnum(out, local ? s->lport : s->rport);
}

static bool fd_sport(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return sock_port(fc, server_is_local(fc), out);
}

static bool fd_cport(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return sock_port(fc, !server_is_local(fc), out);
}

/* fd.port: either end's port (a pair, as fd.ip) */
static bool fd_port(struct field_ctx *fc, const char *arg, struct fval *out)
{
	bool server = arg && arg[0] == '1';

	return sock_port(fc, server == server_is_local(fc), out);
}

static bool fd_rport(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return sock_port(fc, false, out);
}

static bool fd_lport(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return sock_port(fc, true, out);
}

static bool fd_l4proto(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_sock *s = event_sock(fc->ev);

	return s && s->family != VIGIL_AF_UNIX && fstr(out, l4proto_name(s->type, s->protocol));
}

static bool fd_sockfamily(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_sock *s = event_sock(fc->ev);

	return s && fstr(out, sockfamily_name(s->family));
}

/* the file opened is a block device: a disk, not a file on one */
static bool fd_is_blockdev(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_file *f = event_file(fc->ev);

	return f && f->mode && fbool(out, S_ISBLK(f->mode));
}

static bool fd_is_host_mount(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_file *f = event_file(fc->ev);

	return f && fbool(out, file_is_host_mount(f));
}

static bool fd_connected(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const char *t = field_evt_type(fc->ev);
	bool ok;
	int64_t res;

	if (!event_sock(fc->ev))
		return false;
	res = field_result(fc, &ok);
	return fbool(out, ok && res >= 0 && (!strcmp(t, "connect") || !strncmp(t, "accept", 6)));
}

/* Vigil's own: the bound directory of a bind mount (a host path, for host mounts) */
static bool fd_mount_root(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_file *f = event_file(fc->ev);
	struct sv r;

	if (!f || !(f->flags & VIGIL_FILE_BIND))
		return false;
	r = rec_sv(fc->ev->rec, f->mnt_root);
	return fscratch(fc, r.p, r.len, out);
}

/* Loopback, RFC 1918, CGNAT, link-local, unique-local, unspecified: not the internet. */
static bool addr_private(const struct vigil_sock *s)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *a = s->raddr;

	if (s->family == VIGIL_AF_INET6 && !memcmp(a, v4mapped, 12)) {
		a += 12;	/* an IPv4 peer of a dual-stack socket */
	} else if (s->family == VIGIL_AF_INET6) {
		static const uint8_t zero[16];

		return !memcmp(a, zero, 15) ||			/* :: and ::1 */
		       (a[0] & 0xfe) == 0xfc ||			/* fc00::/7 */
		       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);	/* fe80::/10 */
	}
	return a[0] == 127 || a[0] == 10 || a[0] == 0 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	       (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64);
}

static bool fd_remote_is_private(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_sock *s = event_sock(fc->ev);

	return s && (s->family == VIGIL_AF_INET || s->family == VIGIL_AF_INET6) && fbool(out, addr_private(s));
}

/*
 * Vigil's own: the remote address is on one of the container's networks
 * (its own subnets, as its runtime assigned them) or loopback; what the
 * kernel's policy checks as VIGIL_A_ADDR_OWN.
 */
bool addr_in_own_networks(const struct ctr_info *c, const struct vigil_sock *s)
{
	static const struct net_prefix loop4 = { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127 }, 104 };
	static const struct net_prefix loop6 = { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128 };
	uint8_t a[16];
	size_t i;

	addr_to16(s->family == VIGIL_AF_INET ? AF_INET : AF_INET6, s->raddr, a);
	if (net_contains(&loop4, a) || net_contains(&loop6, a))
		return true;
	for (i = 0; c && i < c->n_nets; i++)
		if (net_contains(&c->nets[i].net, a))
			return true;
	return false;
}

static bool fd_remote_is_own(struct field_ctx *fc, const char *arg, struct fval *out)
{
	const struct vigil_sock *s = event_sock(fc->ev);

	/* the kernel looked, at the connect: the caller's interfaces, not the runtime's word */
	if (s && (fc->ev->pol.flags & VIGIL_POL_OWN_KNOWN))
		return fbool(out, fc->ev->pol.flags & VIGIL_POL_OWN);
	return s && (s->family == VIGIL_AF_INET || s->family == VIGIL_AF_INET6) && fc->ev->ctr &&
	       fbool(out, addr_in_own_networks(fc->ev->ctr, s));
}

const struct field_def field_fd[] = {
	{ "fd.name", FT_STR, fd_name, false },
	{ "fd.nameraw", FT_STR, fd_nameraw, false },
	{ "fd.directory", FT_STR, fd_directory, false },
	{ "fd.filename", FT_STR, fd_filename, false },
	{ "fd.typechar", FT_STR, fd_typechar, false },
	{ "fd.type", FT_STR, fd_type, false },
	{ "fd.num", FT_NUM, fd_num, false },
	{ "fd.sip", FT_STR, fd_sip, false },
	{ "fd.sip.name", FT_STR, fd_sip_name, false },
	{ "fd.sport", FT_NUM, fd_sport, false },
	{ "fd.cip", FT_STR, fd_cip, false },
	{ "fd.cip.name", FT_STR, fd_cip_name, false },
	{ "fd.cport", FT_NUM, fd_cport, false },
	{ "fd.ip", FT_STR, fd_ip, false, true },
	{ "fd.rip", FT_STR, fd_rip, false },
	{ "fd.rip.name", FT_STR, fd_rip_name, false },
	{ "fd.port", FT_NUM, fd_port, false, true },
	{ "fd.rport", FT_NUM, fd_rport, false },
	{ "fd.lip", FT_STR, fd_lip, false },
	{ "fd.lip.name", FT_STR, fd_lip_name, false },
	{ "fd.lport", FT_NUM, fd_lport, false },
	{ "fd.l4proto", FT_STR, fd_l4proto, false },
	{ "fd.sockfamily", FT_STR, fd_sockfamily, false },
	{ "fd.is_host_mount", FT_BOOL, fd_is_host_mount, false },
	{ "fd.is_blockdev", FT_BOOL, fd_is_blockdev, false },
	{ "fd.connected", FT_BOOL, fd_connected, false },
	{ "fd.name_changed", FT_BOOL, fd_name_changed, false },
	{ "fd.mount_root", FT_STR, fd_mount_root, false },
	{ "fd.remote_is_private", FT_BOOL, fd_remote_is_private, false },
	{ "fd.remote_is_own_network", FT_BOOL, fd_remote_is_own, false },
	/* networks: fd.rnet in (10.0.0.0/8, 2001:db8::/32) */
	{ "fd.net", FT_NET, fd_ip, false, true },
	{ "fd.rnet", FT_NET, fd_rip, false },
	{ "fd.snet", FT_NET, fd_sip, false },
	{ "fd.cnet", FT_NET, fd_cip, false },
	{ "fd.lnet", FT_NET, fd_lip, false },
	{ NULL },
};
