/*
 * Unit tests: rules with an action lowered for the kernel (rules/lower.c).
 * The lowering is checked against the rules themselves: for each event,
 * the kernel's decision (the lowered clauses, evaluated by the same atom
 * code the BPF side runs) must be the rules' verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bpf/decode.h"
#include "bpf/syscalls.h"
#include "rules/lower.h"
#include "rules/rules.h"
#include "records.h"

static const char *const policy_text =
	"- list: attach_requests\n"
	"  items: [PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_POKEDATA]\n"
	"- macro: container\n"
	"  condition: container.id != host\n"
	"- macro: runtime_setup\n"
	"  condition: (container.in_setup = true or proc.is_runtime = true)\n"
	"- rule: ptrace attach\n"
	"  condition: evt.type = ptrace and container and evt.arg.request in (attach_requests)\n"
	"  output: x\n"
	"  action: kill\n"
	"- rule: mount\n"
	"  condition: evt.type in (mount, fsmount) and container and not runtime_setup\n"
	"  output: x\n"
	"  action: kill\n"
	"- rule: outside\n"
	"  condition: >\n"
	"    evt.type = connect and container and fd.sockfamily = ip\n"
	"    and fd.rnet in (192.0.2.0/24, 2001:db8::/32) and fd.rport != 53\n"
	"  output: x\n"
	"  action: deny\n"
	"- rule: docker socket\n"
	"  condition: evt.type = connect and container and fd.name in (/var/run/docker.sock, /run/docker.sock)\n"
	"  output: x\n"
	"  action: deny\n"
	"- rule: not own network\n"
	"  condition: >\n"
	"    evt.type in (connect, sendto) and container.name = strict and fd.typechar in (4, 6)\n"
	"    and fd.remote_is_own_network = false\n"
	"  output: x\n"
	"  action: deny\n"
	"- rule: exec tmp\n"
	"  condition: >\n"
	"    evt.type in (execve, execveat) and evt.res = SUCCESS and container and not runtime_setup\n"
	"    and (proc.is_exe_from_memfd = true or proc.exepath pmatch (/tmp, /dev/shm))\n"
	"  output: x\n"
	"  action: kill\n"
	"- rule: bpf for one image\n"
	"  condition: evt.type = bpf and container.image = \"evil:1\"\n"
	"  output: x\n"
	"  action: kill\n"
	"- rule: by name\n"
	"  condition: evt.type = execve and proc.name = nc\n"
	"  output: x\n"
	"  action: kill\n"
	"- rule: alert only\n"
	"  condition: evt.type = ptrace\n"
	"  output: x\n";

static struct ruleset *load_text(const char *text, struct rules_diags *d)
{
	char path[] = "/tmp/vigil-lower.XXXXXX";
	const char *p = path;
	int fd = mkstemp(path);
	struct ruleset *rs;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rs = rules_load(&p, 1, d);
	unlink(path);
	return rs;
}

static int rule_index(const struct ruleset *rs, const char *name)
{
	const struct rule *r;
	size_t i;

	for (i = 0; (r = ruleset_rule(rs, i)); i++)
		if (!strcmp(rule_name(r), name))
			return (int)i;
	fail_msg("no rule %s", name);
	return -1;
}

static size_t clauses_of(const struct lowered *l, uint32_t hook, int rule)
{
	size_t i, n = 0;

	for (i = 0; i < l->n_cl; i++)
		n += l->cl[i].hook == hook && (rule < 0 || l->cl[i].c.rule == rule);
	return n;
}

static void test_shapes(void **state)
{
	struct rules_diags d = { 0 };
	struct ruleset *rs = load_text(policy_text, &d);
	struct lowered l;
	int ptrace = rule_index(rs, "ptrace attach");

	assert_non_null(rs);
	assert_int_equal(rules_lower(rs, NULL, &l), 0);
	/* ptrace: one clause on ptrace's own entry, the request a value set */
	assert_int_equal(clauses_of(&l, sys_nr("ptrace"), ptrace), 1);
	assert_true(l.rules[ptrace].hooks == LH_SYSCALL && !l.rules[ptrace].agent);
	/* mount and fsmount, each its own hook */
	assert_int_equal(clauses_of(&l, sys_nr("mount"), rule_index(rs, "mount")), 1);
	assert_int_equal(clauses_of(&l, sys_nr("fsmount"), rule_index(rs, "mount")), 1);
	assert_int_equal(clauses_of(&l, VIGIL_HOOK_NET, rule_index(rs, "outside")), 1);
	assert_int_equal(clauses_of(&l, VIGIL_HOOK_NET, rule_index(rs, "docker socket")), 1);
	/* execve and execveat lower alike: the exec hook sees both */
	assert_true(clauses_of(&l, VIGIL_HOOK_EXEC, rule_index(rs, "exec tmp")) >= 1);
	/* container-dependent: not for every container */
	assert_int_equal(clauses_of(&l, sys_nr("bpf"), -1), 0);
	assert_true(l.rules[rule_index(rs, "bpf for one image")].per_container);
	assert_true(l.rules[rule_index(rs, "not own network")].per_container);
	/* proc.name is the process's word: the agent kills after the event */
	assert_true(l.rules[rule_index(rs, "by name")].agent);
	assert_non_null(strstr(l.rules[rule_index(rs, "by name")].why, "proc.name"));
	assert_false(l.rules[rule_index(rs, "alert only")].action);
	lowered_free(&l);
	ruleset_free(rs);
	rules_diags_free(&d);
}

static void test_per_container(void **state)
{
	struct rules_diags d = { 0 };
	struct ruleset *rs = load_text(policy_text, &d);
	struct ctr_info evil = { .cgroup_id = 7, .id = "aaaaaaaaaaaa", .name = "x", .image = "evil:1" };
	struct ctr_info good = { .cgroup_id = 8, .id = "bbbbbbbbbbbb", .name = "strict", .image = "good:1" };
	struct lowered l;

	assert_int_equal(rules_lower(rs, &evil, &l), 0);
	assert_int_equal(clauses_of(&l, sys_nr("bpf"), rule_index(rs, "bpf for one image")), 1);
	assert_int_equal(clauses_of(&l, VIGIL_HOOK_NET, rule_index(rs, "not own network")), 0);
	/* the rules for every container are there too */
	assert_int_equal(clauses_of(&l, sys_nr("ptrace"), -1), 1);
	lowered_free(&l);
	assert_int_equal(rules_lower(rs, &good, &l), 0);
	assert_int_equal(clauses_of(&l, sys_nr("bpf"), -1), 0);
	/* connect and sendto: one clause each, their kinds apart */
	assert_int_equal(clauses_of(&l, VIGIL_HOOK_NET, rule_index(rs, "not own network")), 2);
	lowered_free(&l);
	ruleset_free(rs);
	rules_diags_free(&d);
}

static void expect_error(const char *text, const char *want, int line)
{
	struct rules_diags d = { 0 };
	struct ruleset *rs = load_text(text, &d);
	size_t i;
	bool found = false;

	assert_null(rs);
	for (i = 0; i < d.n; i++)
		if (strstr(d.items[i].msg, want) && d.items[i].line == line)
			found = true;
	if (!found)
		fail_msg("no error '%s' at line %d (first: %d: %s)", want, line, d.n ? d.items[0].line : 0,
			 d.n ? d.items[0].msg : "");
	rules_diags_free(&d);
}

static void test_errors(void **state)
{
	expect_error("- rule: a\n  condition: evt.type = open\n  output: x\n  action: deny\n",
		     "action deny refuses connects", 4);
	expect_error("- rule: a\n  condition: evt.type = connect and proc.name = curl\n  output: x\n  action: deny\n",
		     "proc.name is not known to the kernel", 4);
	expect_error("- rule: a\n  condition: evt.type = connect\n  output: x\n  action: block\n",
		     "unknown action 'block'", 4);
	expect_error("- rule: a\n  condition: fd.rnet in (10.0.0.0/33)\n  output: x\n",
		     "is not a network", 2);
}

/* ---- the kernel's decision against the rules' ---- */

static struct rec_builder b;
static struct ctr_info ctr = { .cgroup_id = 99, .id = "7c963ca76858a6ac8e1b3c1f0e29a1b7c9f2f1d4e5a6b7c8d9e0f1a2b",
			       .name = "strict", .image = "evil:1" };
static struct proc_info pinfo = { .pid = 4242, .ppid = 1, .comm = "x", .exe = "/bin/x" };
static struct event_view ev = { .rec = b.buf, .proc = &pinfo, .ctr = &ctr };

static bool rules_say(struct ruleset *rs, const char *name)
{
	static struct field_ctx fc;
	const struct rule *m[16];
	size_t n, i;

	field_ctx_reset(&fc, &ev, 1);
	n = ruleset_eval(rs, &fc, m, 16);
	for (i = 0; i < n; i++)
		if (!strcmp(rule_name(m[i]), name))
			return true;
	return false;
}

static bool kernel_says(struct ruleset *rs, const struct lowered *l, const char *name)
{
	struct vigil_pol_facts f;
	uint32_t hook;
	int i;

	if (!pol_facts_of_event(&ev, &f, &hook))
		return false;
	i = lowered_eval(l, hook, &ctr, &f);
	return i >= 0 && !strcmp(rule_name(ruleset_rule(rs, l->cl[i].c.rule)), name);
}

static void agree(struct ruleset *rs, const struct lowered *l, const char *rule, bool want, const char *what)
{
	bool r = rules_say(rs, rule), k = kernel_says(rs, l, rule);

	if (r != want || k != want)
		fail_msg("%s: rules %d, kernel %d, want %d", what, r, k, want);
}

static void make_ptrace(uint64_t request, uint32_t flags)
{
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));

	e->hdr.proc.ctr_cgroup_id = 99;
	e->hdr.proc.flags = flags;
	e->nr = sys_nr("ptrace");
	e->args[0] = request;
	e->args[1] = 1;
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
}

static void make_mount(uint32_t flags)
{
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));

	e->hdr.proc.ctr_cgroup_id = 99;
	e->hdr.proc.flags = flags;
	e->nr = sys_nr("mount");
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
}

static void make_exec(const char *exe, uint32_t file_flags, uint32_t proc_flags)
{
	struct vigil_exec_event *e = rb_start(&b, VIGIL_EV_EXEC, sizeof(*e));

	e->hdr.proc.ctr_cgroup_id = 99;
	e->hdr.proc.flags = proc_flags;
	e->exe.flags = VIGIL_FILE_PRESENT | file_flags;
	rb_put(&b, &e->exe.path, exe, strlen(exe));
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	pinfo.exe = (char *)exe;
	pinfo.exe_flags = e->exe.flags;
}

static void make_connect(int family, const char *addr, uint16_t port, const char *unix_path)
{
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));
	uint8_t a16[16];

	e->hdr.proc.ctr_cgroup_id = 99;
	e->nr = sys_nr("connect");
	e->ret = -115;
	e->sock.family = family;
	e->sock.type = 1;
	e->sock.rport = port;
	if (addr) {
		assert_true(addr_parse16(addr, a16));
		memcpy(e->sock.raddr, family == VIGIL_AF_INET ? a16 + 12 : a16, family == VIGIL_AF_INET ? 4 : 16);
	}
	if (unix_path)
		rb_put(&b, &e->sock.unix_path, unix_path, strlen(unix_path));
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
}

static void test_agreement(void **state)
{
	struct rules_diags d = { 0 };
	struct ruleset *rs = load_text(policy_text, &d);
	struct lowered l;

	assert_non_null(rs);
	ctr.nets[0].net = (struct net_prefix){ { 0 }, 0 };
	assert_true(net_make("10.9.0.0", 16, &ctr.nets[0].net));
	ctr.n_nets = 1;
	assert_int_equal(rules_lower(rs, &ctr, &l), 0);

	make_ptrace(16, 0);	/* PTRACE_ATTACH */
	agree(rs, &l, "ptrace attach", true, "PTRACE_ATTACH");
	make_ptrace(0, 0);	/* PTRACE_TRACEME */
	agree(rs, &l, "ptrace attach", false, "PTRACE_TRACEME");
	make_ptrace(0x4206, 0);	/* PTRACE_SEIZE */
	agree(rs, &l, "ptrace attach", true, "PTRACE_SEIZE");
	make_ptrace(0x4242, 0);	/* no name */
	agree(rs, &l, "ptrace attach", false, "an unnamed request");

	make_mount(0);
	agree(rs, &l, "mount", true, "mount in a running container");
	make_mount(VIGIL_PROC_CTR_SETUP);
	agree(rs, &l, "mount", false, "mount while the runtime sets up");
	make_mount(VIGIL_PROC_RUNTIME);
	agree(rs, &l, "mount", false, "mount by the runtime (docker exec)");

	make_exec("/tmp/x", VIGIL_FILE_OVL_UPPER, 0);
	agree(rs, &l, "exec tmp", true, "exec from /tmp");
	make_exec("/tmp", 0, 0);
	agree(rs, &l, "exec tmp", true, "exec of /tmp itself (pmatch)");
	make_exec("/tmpfoo/x", 0, 0);
	agree(rs, &l, "exec tmp", false, "exec from /tmpfoo");
	make_exec("/memfd:x (deleted)", VIGIL_FILE_MEMFD, 0);
	agree(rs, &l, "exec tmp", true, "exec from memfd");
	make_exec("/bin/sh", 0, 0);
	agree(rs, &l, "exec tmp", false, "exec from the image");
	make_exec("/tmp/x", 0, VIGIL_PROC_CTR_SETUP);
	agree(rs, &l, "exec tmp", false, "the entrypoint itself");

	make_connect(VIGIL_AF_INET, "192.0.2.7", 80, NULL);
	agree(rs, &l, "outside", true, "TEST-NET port 80");
	make_connect(VIGIL_AF_INET, "192.0.2.7", 53, NULL);
	agree(rs, &l, "outside", false, "TEST-NET port 53");
	make_connect(VIGIL_AF_INET6, "2001:db8::1", 443, NULL);
	agree(rs, &l, "outside", true, "IPv6 documentation prefix");
	make_connect(VIGIL_AF_INET6, "::ffff:192.0.2.9", 443, NULL);
	/* a dual-stack socket's IPv4 peer is that IPv4 address: its networks apply */
	agree(rs, &l, "outside", true, "an IPv4-mapped peer in 192.0.2.0/24");
	make_connect(VIGIL_AF_INET, "198.51.100.1", 80, NULL);
	agree(rs, &l, "outside", false, "another network");

	make_connect(VIGIL_AF_UNIX, NULL, 0, "/run/docker.sock");
	agree(rs, &l, "docker socket", true, "the docker socket");
	make_connect(VIGIL_AF_UNIX, NULL, 0, "/run/other.sock");
	agree(rs, &l, "docker socket", false, "another socket");

	make_connect(VIGIL_AF_INET, "10.9.3.4", 80, NULL);
	agree(rs, &l, "not own network", false, "the container's own network");
	make_connect(VIGIL_AF_INET, "127.0.0.1", 80, NULL);
	agree(rs, &l, "not own network", false, "loopback");
	make_connect(VIGIL_AF_INET, "10.10.0.1", 80, NULL);
	agree(rs, &l, "not own network", true, "next door's network");

	lowered_free(&l);
	ruleset_free(rs);
	rules_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_per_container),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_agreement),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
