/* Unit tests: the rule language - parser, compiler, evaluator, loader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bpf/decode.h"
#include "rules/rules.h"
#include "rules/cond.h"
#include "bpf/syscalls.h"
#include "records.h"

#ifndef FALCO_RULES
#define FALCO_RULES "../shared/falco/falco_rules.yaml"
#endif

/* ---- parser ---- */

static void test_parse_ok(void **state)
{
	static const char *const ok[] = {
		"proc.name = sh",
		"proc.name=sh and not fd.name startswith /etc",
		"(a or b) and not (c and d)",
		"proc.aname[2] in (bash, \"runc:[0:PARENT]\", 'x y')",
		"fd.name pmatch (/etc, /usr/bin) or evt.arg.flags contains O_TRUNC",
		"proc.name exists and not proc.pname exists",
		"evt.type in ()",
		"proc.cmdline contains \"a \\\"quoted\\\" word\"",
		"proc.tty != 0 and user.uid >= 1000 and user.uid < 60000",
		"not not not macro_name",
	};
	char err[256];
	struct cond_pos p = { 1, 1 };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct cond *c = cond_parse(ok[i], p, err, sizeof(err));

		if (!c)
			fail_msg("'%s' did not parse: %s", ok[i], err);
		cond_free(c);
	}
}

static void test_parse_errors_have_positions(void **state)
{
	static const struct { const char *text; const char *want; } bad[] = {
		{ "proc.name = ", "10:13: expected a value" },
		{ "(proc.name = sh", "10:16: expected ')'" },
		{ "proc.name in sh", "10:14: expected '('" },
		{ "proc.name = \"open", "10:13: unterminated string" },
		{ "proc.name = sh proc.pid = 1", "10:16: unexpected text" },
		{ "and", "10:1: expected a field or macro name" },
		{ "", "10:1: unexpected end of condition" },
		{ "proc.name in (a, )", "10:18: expected a value" },
		{ "a and\n  (b or", "11:8: unexpected end" },
	};
	char err[256];
	struct cond_pos p = { 10, 1 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cond *c = cond_parse(bad[i].text, p, err, sizeof(err));

		if (c)
			fail_msg("'%s' parsed", bad[i].text);
		if (strncmp(err, bad[i].want, strlen(bad[i].want)))
			fail_msg("'%s': got '%s', want '%s...'", bad[i].text, err, bad[i].want);
	}
}

/* ---- helpers: a rules file, an event ---- */

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/vigil-rules.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static struct ruleset *load_text(const char *text, struct rules_diags *d)
{
	const char *path = write_tmp(text);
	struct ruleset *rs = rules_load(&path, 1, d);

	unlink(path);
	return rs;
}

static struct rec_builder b;
static struct ctr_info ctr = { .id = "7c963ca76858a6ac8e1b3c1f0e29a1b7c9f2f1d4e5a6b7c8d9e0f1a2b3c4d5e6",
			       .name = "web1", .image = "registry.local:5000/team/app:1.2",
			       .mounts = (struct ctr_mount[]){ { "/etc", "/hostetc", NULL, 0 } }, .n_mounts = 1 };
static struct proc_info pinfo = { .pid = 4242, .ppid = 1, .comm = "cat", .exe = "/bin/busybox",
				  .argv = "cat\0/etc/shadow\0", .argv_len = 16 };
static struct event_view ev = { .rec = b.buf, .proc = &pinfo, .ctr = &ctr };

/* an openat of /etc/shadow (relative "shadow" from /etc), result fd 3 */
static void make_open(int64_t ret, uint64_t flags)
{
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));

	e->hdr.proc.ctr_cgroup_id = 99;
	e->hdr.proc.tty = 0x8801;
	e->nr = sys_nr("openat");
	e->ret = ret;
	e->args[0] = (uint64_t)-100;
	e->args[2] = flags;
	e->open_flags = flags;	/* as the kernel side records what was asked */
	rb_put(&b, &e->path, "shadow", 6);
	rb_put(&b, &e->dir, "/etc", 4);
	if (ret >= 0) {
		e->file.flags = VIGIL_FILE_PRESENT | VIGIL_FILE_ROOT_MNT;
		e->file.mode = 0100640;
		rb_put(&b, &e->file.path, "/etc/shadow", 11);
	}
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
}

static size_t matches(struct ruleset *rs, const struct rule **m)
{
	static struct field_ctx fc;

	field_ctx_reset(&fc, &ev, 7);
	return ruleset_eval(rs, &fc, m, 8);
}

/* One rule with the given condition: does it match the current event? */
static int cond_matches(const char *cond)
{
	char text[4096];
	struct rules_diags d = { 0 };
	const struct rule *m[8];
	struct ruleset *rs;
	size_t n;

	snprintf(text, sizeof(text),
		 "- list: sens\n  items: [/etc/shadow, /etc/sudoers]\n"
		 "- list: outer\n  items: [sens, /etc/gshadow]\n"
		 "- list: quoted\n  items: ['\"/etc/shadow\"', \"'/x y'\"]\n"
		 "- macro: opening\n  condition: evt.type in (open, openat)\n"
		 "- rule: r\n  desc: d\n  condition: %s\n  output: o\n  priority: WARNING\n", cond);
	rs = load_text(text, &d);
	if (!rs) {
		rules_diags_print(&d, stderr);
		rules_diags_free(&d);
		return -1;
	}
	n = matches(rs, m);
	ruleset_free(rs);
	rules_diags_free(&d);
	return n == 1;
}

static void test_operators(void **state)
{
	static const struct { const char *cond; int want; } t[] = {
		{ "fd.name = /etc/shadow", 1 },
		{ "fd.name != /etc/shadow", 0 },
		{ "fd.name contains shad", 1 },
		{ "fd.name icontains SHAD", 1 },
		{ "fd.name startswith /etc/", 1 },
		{ "fd.name endswith dow", 1 },
		{ "fd.name glob \"/etc/sh*\"", 1 },
		{ "fd.name glob \"/usr/*\"", 0 },
		{ "fd.name in (/etc/passwd, /etc/shadow)", 1 },
		{ "fd.name in (sens)", 1 },			/* a list */
		{ "fd.name in (outer)", 1 },			/* a list of lists */
		{ "fd.name in (quoted)", 1 },			/* items with their own quotes, as Falco pastes them */
		{ "fd.name in ()", 0 },				/* empty list */
		{ "fd.name pmatch (/etc)", 1 },
		{ "fd.name pmatch (/et)", 0 },			/* components, not bytes */
		{ "fd.directory = /etc and fd.filename = shadow", 1 },
		{ "fd.nameraw = shadow", 1 },
		{ "fd.name exists", 1 },
		{ "fd.sip exists", 0 },				/* missing: no match */
		{ "fd.sip = 1.2.3.4", 0 },
		{ "not fd.sip = 1.2.3.4", 1 },
		{ "fd.num = 3 and fd.num >= 3 and fd.num < 4 and fd.num in (1, 3)", 1 },
		{ "evt.rawres > 3", 0 },
		{ "evt.res = SUCCESS", 1 },
		{ "evt.is_open_read = true and evt.is_open_write = false", 1 },
		{ "opening and fd.typechar = f", 1 },		/* a macro */
		{ "fd.is_blockdev = false", 1 },			/* a regular file's inode */
		{ "evt.type = connect", 0 },
		{ "proc.name = cat and proc.args = /etc/shadow and proc.cmdline = \"cat /etc/shadow\"", 1 },
		{ "proc.exepath = /bin/busybox and proc.exe = cat and proc.pid = 4242", 1 },
		{ "proc.pname = sh and proc.aname[1] = sh and proc.aname[0] = cat", 1 },
		{ "proc.tty != 0", 1 },
		{ "thread.cap_effective contains CAP_SYS_ADMIN", 1 },
		{ "thread.cap_permitted contains CAP_NET_RAW and not thread.cap_effective contains CAP_NET_RAW", 1 },
		{ "user.loginuid = -1 and not user.loginname exists", 1 },
		{ "proc.is_vpgid_leader = true and proc.is_sid_leader = false", 1 },
		{ "proc.aexe[0] = cat and proc.aexepath[0] = /bin/busybox", 1 },
		{ "fd.ip exists or fd.net = 0.0.0.0/0 or fd.port exists or fd.name_changed exists", 0 },	/* no socket */
		{ "proc.env exists", 0 },			/* not an exec */
		{ "container.id = 7c963ca76858 and container.name = web1", 1 },
		{ "container.privileged = false and container.host_network = false and container.host_ipc = false", 1 },
		{ "container.mount.dest[/etc] = /hostetc and container.mount.source[/host*] = /etc", 1 },
		{ "container.mount.dest[0] = /hostetc and container.mount.dest[1] exists", 0 },
		{ "container.mount.dest[/proc*] exists", 0 },
		{ "container.mounts = \"/etc:/hostetc::false:\"", 1 },
		{ "container.learning = false or cap.in_baseline = false", 0 },	/* not a capability event */
		{ "container.image.repository = registry.local:5000/team/app and container.image.tag = \"1.2\"", 1 },
		{ "k8s.ns.name exists", 0 },
		/* Falco's "<NA>": a field without a value */
		{ "k8s.ns.name in (\"<NA>\", \"N/A\") and k8s.ns.name = \"<NA>\"", 1 },
		{ "k8s.ns.name != \"N/A\" or k8s.ns.name contains \"<NA>\" or k8s.ns.name = x", 0 },
		{ "not container.mount.dest[/proc*] in (\"<NA>\",\"N/A\")", 0 },
		{ "not container.mount.dest[/etc] in (\"<NA>\",\"N/A\")", 1 },
		{ "evt.arg.flags contains O_RDONLY", 1 },
		{ "user.uid = 0 and user.name = root", 1 },
	};
	size_t i;

	make_open(3, O_RDONLY);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = cond_matches(t[i].cond);

		if (got != t[i].want)
			fail_msg("'%s': got %d, want %d", t[i].cond, got, t[i].want);
	}
}

/*
 * fd.ip, fd.net, fd.port: either end; = and in when one end matches, !=
 * when neither does.  fd.name_changed on a connect.
 */
static void test_socket_pair_fields(void **state)
{
	static const struct { const char *cond; int want; } t[] = {
		{ "fd.ip = 172.17.0.2", 1 },			/* the client (local) end */
		{ "fd.ip = 10.0.0.5", 1 },			/* the server */
		{ "fd.ip = 10.0.0.6", 0 },
		{ "fd.ip != 10.0.0.5", 0 },			/* one end is: not "neither" */
		{ "fd.ip != \"0.0.0.0\"", 1 },
		{ "fd.ip in (9.9.9.9, 10.0.0.5)", 1 },
		{ "fd.net = \"127.0.0.0/8\"", 0 },
		{ "fd.net = 10.0.0.0/8 and fd.net = 172.16.0.0/12", 1 },
		{ "fd.net != 10.0.0.0/8", 0 },
		{ "fd.port = 443 and fd.port = 40000 and not fd.port = 22", 1 },
		{ "fd.port != 22", 1 },
		{ "fd.name_changed = true", 1 },
		{ "fd.sockfamily = ip and fd.typechar = 4", 1 },
		{ "fd.sip.name = kubernetes.default.svc.cluster.local and not fd.cip.name exists", 1 },
	};
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));
	size_t i;

	e->nr = sys_nr("connect");
	e->ret = 0;
	e->sock.family = VIGIL_AF_INET;
	e->sock.type = 1;
	e->sock.protocol = 6;
	e->sock.lport = 40000;
	e->sock.rport = 443;
	memcpy(e->sock.laddr, (uint8_t[]){ 172, 17, 0, 2 }, 4);
	memcpy(e->sock.raddr, (uint8_t[]){ 10, 0, 0, 5 }, 4);
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	/* the runtime's word: the pod's API service is at 10.0.0.5 */
	assert_true(addr_parse16("10.0.0.5", ctr.k8s_api));
	ctr.has_k8s_api = true;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = cond_matches(t[i].cond);

		if (got != t[i].want)
			fail_msg("'%s': got %d, want %d", t[i].cond, got, t[i].want);
	}
	ctr.has_k8s_api = false;
}

/* proc.env at an exec: the environment the kernel laid out, NAME=value by spaces */
static void test_env_field(void **state)
{
	static const char env[] = "PATH=/bin\0HTTP_PROXY=http://10.0.0.1:3128\0GLIBC_TUNABLES=glibc.x=1\0";
	struct vigil_exec_event *e = rb_start(&b, VIGIL_EV_EXEC, sizeof(*e));

	rb_put(&b, &e->env, env, sizeof(env) - 1);
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	assert_int_equal(cond_matches("proc.env icontains http_proxy and proc.env contains GLIBC_TUNABLES"), 1);
	assert_int_equal(cond_matches("proc.env = \"PATH=/bin HTTP_PROXY=http://10.0.0.1:3128 GLIBC_TUNABLES=glibc.x=1\""), 1);
	assert_int_equal(cond_matches("proc.env contains LD_PRELOAD"), 0);
}

/* proc.from_runtime: the exec's own flag from the kernel; proc.exe_package: the package database's answer */
static void test_exec_provenance_fields(void **state)
{
	struct vigil_exec_event *e = rb_start(&b, VIGIL_EV_EXEC, sizeof(*e));

	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	assert_int_equal(cond_matches("proc.from_runtime = false"), 1);
	assert_int_equal(cond_matches("proc.exe_package = \"\""), 1);
	e->flags |= VIGIL_EXEC_FROM_RUNTIME;
	pinfo.exe_package = "gcc-12";
	assert_int_equal(cond_matches("proc.from_runtime = true and proc.exe_package = gcc-12"), 1);
	pinfo.exe_package = NULL;
	make_open(3, O_RDONLY);
	assert_int_equal(cond_matches("proc.from_runtime exists"), 0);	/* exec events only */
}

/* Programs joined by a pipe or a file, by inode; a rename's and a CPU sample's arguments */
static void test_stdio_and_agent_event_fields(void **state)
{
	static struct ctr_activity act;
	struct stdio_use u = { .ts = 500000000ULL, .ino = 555, .dev = 3, .pid = 100, .fd = 1,
			       .kind = VIGIL_STDIO_PIPE, .name = "base64", .cmdline = "base64 -d" };
	struct vigil_exec_event *e = rb_start(&b, VIGIL_EV_EXEC, sizeof(*e));
	struct vigil_rename_event *r;
	struct vigil_cpu_event *c;

	memset(&act, 0, sizeof(act));
	activity_stdio(&act, &u);
	u.ino = 777;
	u.dev = 9;
	u.kind = VIGIL_STDIO_FILE;
	snprintf(u.cmdline, sizeof(u.cmdline), "base64 -d /work/enc");
	activity_stdio(&act, &u);
	ev.act = &act;
	e->stdio[0].kind = VIGIL_STDIO_PIPE;
	e->stdio[0].ino = 555;
	e->stdio[0].dev = 12;	/* pipes match by inode: pipefs has one superblock */
	e->exe.flags = VIGIL_FILE_PRESENT;
	e->exe.dev = 9;
	e->exe.ino = 777;
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	assert_int_equal(cond_matches("proc.stdin_writer.name = base64 and proc.stdin_writer.cmdline = \"base64 -d\""), 1);
	assert_int_equal(cond_matches("proc.exe_writer.cmdline = \"base64 -d /work/enc\""), 1);
	assert_int_equal(cond_matches("proc.stdout_reader.name exists"), 0);
	/* a file on another filesystem with the same inode number is another file */
	e->exe.dev = 10;
	assert_int_equal(cond_matches("proc.exe_writer.name exists"), 0);
	/* the process's own streams are not its peer's */
	e->hdr.proc.pid = 100;
	assert_int_equal(cond_matches("proc.stdin_writer.name exists"), 0);
	e->hdr.proc.pid = 4242;
	/* a minute later the pipe is no one's */
	e->hdr.ts_ns = 500000000ULL + CTR_STDIO_WINDOW_NS + 1;
	assert_int_equal(cond_matches("proc.stdin_writer.name exists"), 0);
	e->hdr.ts_ns = 1000000000ULL;
	/* the start-up: the first exec opens it, later programs are not in it; seeded processes are */
	activity_exec(&act, "/usr/sbin/nginx", 1000000000ULL, 1);
	activity_exec(&act, "/tmp/xmrig", 1000000000ULL + CTR_STARTUP_NS + 1, 1);
	pinfo.exec_caps_known = true;
	pinfo.exe = "/usr/sbin/nginx";
	assert_int_equal(cond_matches("proc.exe_from_startup = true"), 1);
	pinfo.exe = "/tmp/xmrig";
	assert_int_equal(cond_matches("proc.exe_from_startup = false"), 1);
	pinfo.exec_caps_known = false;
	assert_int_equal(cond_matches("proc.exe_from_startup = true"), 1);
	pinfo.exe = "/bin/busybox";
	ev.act = NULL;

	r = rb_start(&b, VIGIL_EV_RENAME, sizeof(*r));
	memcpy(r->newcomm, "kworker/0:1", 11);
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	assert_int_equal(cond_matches("evt.type = task_rename and evt.arg.name startswith kworker and proc.name = cat"), 1);

	c = rb_start(&b, VIGIL_EV_CPU, sizeof(*c));
	c->percent = 99;
	c->seconds = 120;
	rb_finish(&b);
	assert_int_equal(cond_matches("evt.type = cpu_usage and evt.arg.percent = 99 and evt.arg.seconds = 120"), 1);
}

/* A mode reads as octal and as Falco's bit names: Vigil's startswith and Falco's contains both work */
static void test_mode_arg(void **state)
{
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));

	e->nr = sys_nr("fchmodat");
	e->args[0] = (uint64_t)-100;
	e->args[2] = 0104755;	/* the file type bits are not the mode's */
	rb_put(&b, &e->path, "/tmp/x", 6);
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	assert_int_equal(cond_matches("evt.arg.mode = \"4755 S_ISUID|S_IRUSR|S_IWUSR|S_IXUSR|S_IRGRP|S_IXGRP|S_IROTH|S_IXOTH\""), 1);
	assert_int_equal(cond_matches("evt.arg.mode startswith 4 and evt.arg.mode contains S_ISUID"), 1);
	assert_int_equal(cond_matches("evt.arg.mode contains S_ISGID"), 0);
	e->args[2] = 0;
	assert_int_equal(cond_matches("evt.arg.mode = 0000"), 1);
}

static void test_failed_open_fields(void **state)
{
	make_open(-13, O_WRONLY | O_TRUNC);
	assert_int_equal(cond_matches("evt.res = EACCES and evt.rawres = -13 and fd.num = -1"), 1);
	assert_int_equal(cond_matches("fd.name = /etc/shadow"), 1);	/* joined from dir + nameraw */
	assert_int_equal(cond_matches("evt.is_open_write = true and evt.arg.flags contains O_TRUNC"), 1);
}

/*
 * container.host_pid_namespace: the runtime's configuration when known;
 * else the pids of a program from the container's root filesystem, never
 * of runc's init (host namespace until its child enters the container's).
 */
static void test_host_pidns_field(void **state)
{
	struct vigil_syscall_event *e = (struct vigil_syscall_event *)b.buf;
	const char *yes = "container.host_pid_namespace = true";
	const char *no = "container.host_pid_namespace = false";

	make_open(3, O_RDONLY);
	e->hdr.proc.pid = 500;
	e->hdr.proc.vpid = 500;
	ctr.host_pid = CTR_UNKNOWN;
	pinfo.exe_flags = 0;			/* runc init, from the host */
	assert_int_equal(cond_matches(yes), 0);
	assert_int_equal(cond_matches(no), 0);
	pinfo.exe_flags = VIGIL_FILE_ROOT_MNT;	/* the container's own program */
	assert_int_equal(cond_matches(yes), 1);
	e->hdr.proc.vpid = 1;
	assert_int_equal(cond_matches(no), 1);
	ctr.host_pid = CTR_YES;			/* configuration wins */
	assert_int_equal(cond_matches(yes), 1);
	ctr.host_pid = CTR_NO;
	e->hdr.proc.vpid = 500;
	assert_int_equal(cond_matches(no), 1);
	pinfo.exe_flags = 0;
}

static void expect_diag(const char *text, const char *want)
{
	struct rules_diags d = { 0 };
	struct ruleset *rs = load_text(text, &d);
	size_t i;
	int found = 0;

	for (i = 0; i < d.n; i++)
		if (strstr(d.items[i].msg, want))
			found = 1;
	if (!found) {
		rules_diags_print(&d, stderr);
		fail_msg("no diagnostic containing '%s'", want);
	}
	ruleset_free(rs);
	rules_diags_free(&d);
}

static void test_burst_errors(void **state)
{
	static const char head[] = "- rule: r\n  condition: proc.name = x\n  output: o\n  priority: INFO\n";
	static const struct { const char *tail, *want; } cases[] = {
		{ "  burst: {count: many}\n", "burst count must be a whole number from 2 to 64" },
		{ "  burst: {count: 3, window: -5}\n", "burst window must be a whole number" },
		{ "  burst: {count: 3, by: planet}\n", "burst by 'planet' (session, container)" },
		{ "  burst: {window: 3}\n", "burst needs a count" },
		{ "  burst: 4\n", "burst must be a mapping" },
		{ "  burst: {count: 3, distinct: no.such.field}\n", "burst distinct: unknown field 'no.such.field'" },
		{ "  action: kill\n  burst: {count: 3}\n", "a burst rule only alerts" },
	};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, cases[i].tail);
		expect_diag(text, cases[i].want);
	}
}

static void test_compile_errors(void **state)
{
	expect_diag("- rule: r\n  condition: nosuchmacro and proc.name = x\n  output: o\n  priority: INFO\n",
		    "undefined macro 'nosuchmacro'");
	expect_diag("- macro: a\n  condition: b\n- macro: b\n  condition: a\n"
		    "- rule: r\n  condition: a\n  output: o\n  priority: INFO\n", "cycle");
	expect_diag("- rule: r\n  condition: proc.pid = abc\n  output: o\n  priority: INFO\n",
		    "type mismatch: proc.pid is a number, 'abc' is not");
	expect_diag("- rule: r\n  condition: proc.name > 3\n  output: o\n  priority: INFO\n",
		    "type mismatch: proc.name is a string");
	expect_diag("- rule: r\n  condition: evt.is_open_read = maybe\n  output: o\n  priority: INFO\n",
		    "is true or false");
	expect_diag("- rule: r\n  condition: proc.name = x\n  output: o\n  priority: LOUD\n", "unknown priority");
	expect_diag("- rule: r\n  condition: proc.nme = x\n  output: o\n  priority: INFO\n",
		    "rule 'r' skipped: field 'proc.nme' is not supported");
	expect_diag("- list: l\n  items: [a]\n  append: true\n- list: m\n  append: true\n  items: [b]\n",
		    "append to a list not defined before");
	expect_diag("- rule: r\n  condition: (proc.name = x\n  output: o\n  priority: INFO\n", "expected ')'");
	expect_diag("key: value\n", "a rules file is a list");
	expect_diag("- rule: [unclosed\n", "YAML");
}

/* The position of a diagnostic is the file's line and column. */
static void test_error_position(void **state)
{
	struct rules_diags d = { 0 };
	struct ruleset *rs = load_text("- list: x\n  items: [a]\n\n- rule: r\n  desc: d\n"
				       "  condition: proc.name = a and proc.pid = nope\n  output: o\n  priority: INFO\n",
				       &d);

	assert_null(rs);
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.items[0].line, 6);
	assert_true(d.items[0].col >= 14);
	rules_diags_free(&d);
}

static void test_append_override_exceptions(void **state)
{
	const char *a = "- list: shells\n  items: [sh]\n"
			"- rule: r\n  condition: proc.name in (shells)\n  output: o\n  priority: NOTICE\n"
			"- rule: off\n  condition: proc.name = cat\n  output: o\n  priority: INFO\n  enabled: false\n";
	const char *bfile = "- list: shells\n  items: [cat]\n  append: true\n"
			    "- rule: r\n  condition: and proc.pid = 4242\n  override:\n    condition: append\n";
	char pa[64], pb[64];
	const char *paths[2] = { pa, pb };
	struct rules_diags d = { 0 };
	const struct rule *m[8];
	struct ruleset *rs;

	snprintf(pa, sizeof(pa), "%s", write_tmp(a));
	snprintf(pb, sizeof(pb), "%s", write_tmp(bfile));
	make_open(3, O_RDONLY);
	rs = rules_load(paths, 2, &d);
	unlink(pa);
	unlink(pb);
	if (!rs)
		rules_diags_print(&d, stderr);
	assert_non_null(rs);
	assert_int_equal(ruleset_rule_count(rs), 1);	/* 'off' is disabled */
	assert_int_equal(matches(rs, m), 1);		/* cat via the appended list, pid appended */
	assert_string_equal(rule_name(m[0]), "r");
	ruleset_free(rs);
	rules_diags_free(&d);

	/* exceptions exclude what they name */
	rs = load_text("- rule: r\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"
		       "  exceptions:\n  - name: cat_reads\n    fields: [proc.name, fd.name]\n"
		       "    comps: [=, startswith]\n    values:\n    - [cat, /etc/]\n", &d);
	assert_non_null(rs);
	assert_int_equal(matches(rs, m), 0);
	ruleset_free(rs);
	rs = load_text("- rule: r\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"
		       "  exceptions:\n  - name: others\n    fields: proc.name\n    comps: in\n    values: [ls, find]\n", &d);
	assert_non_null(rs);
	assert_int_equal(matches(rs, m), 1);
	ruleset_free(rs);
	rules_diags_free(&d);
}

static void test_output_and_verdict(void **state)
{
	struct rules_diags d = { 0 };
	struct ruleset *rs = load_text(
		"- rule: Shadow read\n  condition: fd.name = /etc/shadow\n"
		"  output: \"%proc.name read %fd.name in %container.name (missing=%fd.sip)\"\n"
		"  priority: warning\n  reason: opening shadow\n  tags: [file, T1552]\n"
		"- rule: Any open\n  condition: evt.type = openat\n  output: x\n  priority: critical\n", &d);
	const struct rule *m[8];
	static struct field_ctx fc;
	char out[256];
	struct jw w;
	size_t n;

	assert_non_null(rs);
	make_open(3, O_RDONLY);
	field_ctx_reset(&fc, &ev, 1);
	n = ruleset_eval(rs, &fc, m, 8);
	assert_int_equal(n, 2);
	rule_output(m[0], &fc, out, sizeof(out));
	assert_string_equal(out, "cat read /etc/shadow in web1 (missing=<NA>)");
	jw_init(&w);
	jw_obj_open(&w, NULL);
	rules_verdict_json(&w, m, n, &fc);
	jw_obj_close(&w);
	assert_non_null(strstr(w.buf, "\"verdict\":\"INSECURE\""));
	assert_non_null(strstr(w.buf, "\"rule\":\"Shadow read\""));
	assert_non_null(strstr(w.buf, "\"reasons\":\"Unsafe:[opening shadow], [Any open]\""));
	assert_non_null(strstr(w.buf, "\"priority\":\"CRITICAL\""));	/* the highest */
	assert_non_null(strstr(w.buf, "\"output_fields\":{\"proc.name\":\"cat\",\"fd.name\":\"/etc/shadow\""));
	assert_non_null(strstr(w.buf, "\"fd.sip\":null"));
	jw_free(&w);
	ruleset_free(rs);
	rules_diags_free(&d);
}

/*
 * Falco's stable, incubating and sandbox rules load as they are, each file
 * alone (as a user adds one); rules whose fields Vigil lacks are skipped
 * with a warning, and none may be.
 */
static void test_falco_rules_load(void **state)
{
	static const struct { const char *file; int rules; } t[] = {
		{ "falco_rules.yaml", 25 },
		{ "falco-incubating_rules.yaml", 31 },
		{ "falco-sandbox_rules.yaml", 25 },
	};
	char dir[512], path[600];
	const char *p = path, *slash;
	size_t i;

	slash = strrchr(FALCO_RULES, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - FALCO_RULES), FALCO_RULES);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct rules_diags d = { 0 };
		struct ruleset *rs;

		snprintf(path, sizeof(path), "%s/%s", dir, t[i].file);
		if (access(path, R_OK))
			skip();
		rs = rules_load(&p, 1, &d);
		if (!rs || d.warnings)
			rules_diags_print(&d, stderr);
		assert_non_null(rs);
		assert_int_equal(d.errors, 0);
		if (ruleset_rule_count(rs) + ruleset_skipped_count(rs) != (size_t)t[i].rules || ruleset_skipped_count(rs))
			fail_msg("%s: %zu loaded, %zu skipped, want %d loaded", t[i].file, ruleset_rule_count(rs),
				 ruleset_skipped_count(rs), t[i].rules);
		ruleset_free(rs);
		rules_diags_free(&d);
	}
}

/*
 * The rules Falco ships disabled load too when a user enables them (an
 * override file after Falco's): 92 of the three files' 93.  The one left,
 * "Java Process Class File Download", reads evt.buffer, the bytes a read
 * returned, which Vigil does not copy out of the kernel.
 */
static void test_falco_disabled_rules_enable(void **state)
{
	static const char *files[] = { "falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml" };
	char dir[512], paths[4][600], line[1024], name[1024] = "", *over = NULL;
	const char *p[4], *slash = strrchr(FALCO_RULES, '/');
	size_t i, olen = 0, disabled = 0;
	struct rules_diags d = { 0 };
	struct ruleset *rs;
	FILE *f, *o;

	/* skipped before anything is allocated: a skip leaves the test at once */
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - FALCO_RULES), FALCO_RULES);
	for (i = 0; i < 3; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, files[i]);
		p[i] = paths[i];
		if (access(paths[i], R_OK))
			skip();
	}
	o = open_memstream(&over, &olen);
	assert_non_null(o);
	for (i = 0; i < 3; i++) {
		f = fopen(paths[i], "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "- rule: ", 8)) {
				snprintf(name, sizeof(name), "%s", line + 8);
				name[strcspn(name, "\n")] = '\0';
			} else if (name[0] && !strncmp(line, "  enabled: false", 16)) {
				fprintf(o, "- rule: %s\n  enabled: true\n  override:\n    enabled: replace\n", name);
				disabled++;
			}
		}
		fclose(f);
	}
	fclose(o);
	assert_int_equal(disabled, 12);
	snprintf(paths[3], sizeof(paths[3]), "%s", write_tmp(over));
	p[3] = paths[3];
	rs = rules_load(p, 4, &d);
	unlink(paths[3]);
	free(over);
	if (!rs || d.warnings)
		rules_diags_print(&d, stderr);
	assert_non_null(rs);
	assert_int_equal(ruleset_skipped_count(rs), 1);
	assert_int_equal(ruleset_rule_count(rs), 92);
	ruleset_free(rs);
	rules_diags_free(&d);
}

static void test_default_policy_loads(void **state)
{
	const char *path = "rules/vigil_rules.yaml";
	struct rules_diags d = { 0 };
	struct ruleset *rs = rules_load(&path, 1, &d);

	if (!rs)
		rules_diags_print(&d, stderr);
	assert_non_null(rs);
	assert_int_equal(d.errors + d.warnings, 0);
	assert_true(ruleset_rule_count(rs) >= 20);
	ruleset_free(rs);
	rules_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors_have_positions),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_failed_open_fields),
		cmocka_unit_test(test_socket_pair_fields),
		cmocka_unit_test(test_env_field),
		cmocka_unit_test(test_exec_provenance_fields),
		cmocka_unit_test(test_stdio_and_agent_event_fields),
		cmocka_unit_test(test_mode_arg),
		cmocka_unit_test(test_burst_errors),
		cmocka_unit_test(test_host_pidns_field),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_error_position),
		cmocka_unit_test(test_append_override_exceptions),
		cmocka_unit_test(test_output_and_verdict),
		cmocka_unit_test(test_falco_rules_load),
		cmocka_unit_test(test_falco_disabled_rules_enable),
		cmocka_unit_test(test_default_policy_loads),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
