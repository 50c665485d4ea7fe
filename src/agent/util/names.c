/* names.c - symbolic names for numbers in events (see names.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "util/names.h"

const char *errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "EUNKNOWN";
}

/* The names of open flags, in order; returns how many were written to names. */
static size_t open_flag_names(uint64_t flags, const char *names[32])
{
	static const struct { uint64_t bit; const char *name; } bits[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
		{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_DSYNC, "O_DSYNC" }, { O_DIRECT, "O_DIRECT" }, { O_LARGEFILE, "O_LARGEFILE" },
		{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
		{ O_PATH, "O_PATH" },
	};
	size_t i, n = 0;

	switch (flags & O_ACCMODE) {
	case O_RDONLY: names[n++] = "O_RDONLY"; break;
	case O_WRONLY: names[n++] = "O_WRONLY"; break;
	default: names[n++] = "O_RDWR"; break;
	}
	if ((flags & O_TMPFILE) == O_TMPFILE)
		names[n++] = "O_TMPFILE";
	else if (flags & O_DIRECTORY)
		names[n++] = "O_DIRECTORY";
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (flags & bits[i].bit)
			names[n++] = bits[i].name;
	return n;
}

static const char *join(const char *const *names, size_t n, char sep, char *buf, size_t len)
{
	size_t i, used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? (char[]){ sep, 0 } : "", names[i]);
	return buf;
}

static void names_json(struct jw *w, const char *key, const char *const *names, size_t n)
{
	size_t i;

	jw_arr_open(w, key);
	for (i = 0; i < n; i++)
		jw_str(w, NULL, names[i]);
	jw_arr_close(w);
}

void open_flags_json(struct jw *w, const char *key, uint64_t flags)
{
	const char *names[32];

	names_json(w, key, names, open_flag_names(flags, names));
}

const char *open_flags_str(uint64_t flags, char sep, char *buf, size_t len)
{
	const char *names[32];

	return join(names, open_flag_names(flags, names), sep, buf, len);
}

/* "CAP_CHOWN", ... from libcap, made once: cap_to_name() allocates. */
static char cap_names[64][32];
static pthread_once_t cap_names_once = PTHREAD_ONCE_INIT;

static void cap_names_build(void)
{
	unsigned int i;
	char *n, *p;

	for (i = 0; i < 64; i++) {
		n = cap_to_name(i);	/* "cap_chown", or a number it does not know */
		snprintf(cap_names[i], sizeof(cap_names[i]), "%s", n ? n : "?");
		cap_free(n);
		for (p = cap_names[i]; *p; p++)
			*p = toupper((unsigned char)*p);
	}
}

static size_t cap_set_names(uint64_t caps, const char *names[64])
{
	unsigned int i;
	size_t n = 0;

	pthread_once(&cap_names_once, cap_names_build);
	for (i = 0; i < 64; i++)
		if (caps & (1ULL << i))
			names[n++] = cap_names[i];
	return n;
}

int cap_number(const char *name)
{
	unsigned int i;

	if (!name)
		return -1;
	pthread_once(&cap_names_once, cap_names_build);
	for (i = 0; i < 64; i++)
		if (cap_names[i][0] != '?' && !strcasecmp(cap_names[i], name))
			return i;
	return -1;
}

const char *cap_name(int cap)
{
	if (cap < 0 || cap > 63)
		return "?";
	pthread_once(&cap_names_once, cap_names_build);
	return cap_names[cap];
}

void caps_json(struct jw *w, const char *key, uint64_t caps)
{
	const char *names[64];

	names_json(w, key, names, cap_set_names(caps, names));
}

const char *caps_str(uint64_t caps, char sep, char *buf, size_t len)
{
	const char *names[64];

	return join(names, cap_set_names(caps, names), sep, buf, len);
}

const char *sockfamily_name(unsigned int family)
{
	if (family == AF_INET || family == AF_INET6)
		return "ip";
	if (family == AF_UNIX)
		return "unix";
	return family_name(family);
}

const char *family_name(unsigned int family)
{
	switch (family) {
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_UNIX: return "AF_UNIX";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	case AF_VSOCK: return "AF_VSOCK";
	case AF_ALG: return "AF_ALG";
	}
	return "other";
}

const char *l4proto_name(unsigned int type, unsigned int protocol)
{
	if (protocol == IPPROTO_TCP || (protocol == 0 && type == SOCK_STREAM))
		return "tcp";
	if (protocol == IPPROTO_UDP || (protocol == 0 && type == SOCK_DGRAM))
		return "udp";
	if (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6)
		return "icmp";
	if (type == SOCK_RAW)
		return "raw";
	return "other";
}

const char *addr_str(unsigned int family, const uint8_t *addr, char *buf, size_t len)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	/* a dual-stack socket's IPv4 peer: show it as IPv4 */
	if (family == AF_INET6 && !memcmp(addr, v4mapped, sizeof(v4mapped)))
		return addr_str(AF_INET, addr + 12, buf, len);
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *ns_flags_str(uint64_t flags, char *buf, size_t len)
{
	static const struct { uint64_t bit; const char *name; } ns[] = {
		{ CLONE_NEWNS, "CLONE_NEWNS" }, { CLONE_NEWUTS, "CLONE_NEWUTS" },
		{ CLONE_NEWIPC, "CLONE_NEWIPC" }, { CLONE_NEWUSER, "CLONE_NEWUSER" },
		{ CLONE_NEWPID, "CLONE_NEWPID" }, { CLONE_NEWNET, "CLONE_NEWNET" },
		{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" }, { 0x00000080 /* CLONE_NEWTIME */, "CLONE_NEWTIME" },
		{ CLONE_FILES, "CLONE_FILES" }, { CLONE_FS, "CLONE_FS" },
		{ CLONE_SYSVSEM, "CLONE_SYSVSEM" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		if (flags & ns[i].bit)
			used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 used ? "|" : "", ns[i].name);
	if (!used)
		snprintf(buf, len, "0");
	return buf;
}

const char *unix_path_str(const char *p, size_t n, char *buf, size_t len)
{
	size_t k;
	int abstract = n > 0 && p[0] == '\0';

	if (abstract) {
		p++;
		n--;
	}
	for (k = 0; k < n && p[k]; k++)
		;
	snprintf(buf, len, "%s%.*s", abstract ? "@" : "", (int)k, p);
	return buf;
}

const char *ptrace_request_name(uint64_t req)
{
	switch (req) {
	case PTRACE_TRACEME: return "PTRACE_TRACEME";
	case PTRACE_PEEKTEXT: return "PTRACE_PEEKTEXT";
	case PTRACE_PEEKDATA: return "PTRACE_PEEKDATA";
	case PTRACE_POKETEXT: return "PTRACE_POKETEXT";
	case PTRACE_POKEDATA: return "PTRACE_POKEDATA";
	case PTRACE_CONT: return "PTRACE_CONT";
	case PTRACE_KILL: return "PTRACE_KILL";
	case PTRACE_ATTACH: return "PTRACE_ATTACH";
	case PTRACE_DETACH: return "PTRACE_DETACH";
	case PTRACE_SEIZE: return "PTRACE_SEIZE";
	case PTRACE_GETREGS: return "PTRACE_GETREGS";
	case PTRACE_SETREGS: return "PTRACE_SETREGS";
	}
	return NULL;
}
