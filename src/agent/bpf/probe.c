/* probe.c - kernel features, from the kernel's own BTF (see probe.h). */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf/probe.h"
#include "container/container.h"

enum how { BY_ENUM, BY_FUNC, BY_TYPE, BY_PATH, BY_CGROUP2, BY_LSM };

static const struct feature {
	const char *what;
	enum how how;
	const char *name;	/* enum value, function, type or path */
	const char *since;
	bool required;
	const char *without;	/* optional ones: what is lost */
} features[PROBE_MAX] = {
	[PROBE_BTF] = { "kernel BTF (CONFIG_DEBUG_INFO_BTF)", BY_PATH, "/sys/kernel/btf/vmlinux", "5.4", true, NULL },
	[PROBE_RINGBUF] = { "BPF ring buffer", BY_ENUM, "BPF_MAP_TYPE_RINGBUF", "5.8", true, NULL },
	[PROBE_CGRP_STORAGE] = { "cgroup local storage", BY_ENUM, "BPF_MAP_TYPE_CGRP_STORAGE", "6.2", true, NULL },
	[PROBE_LOOP] = { "bpf_loop() helper", BY_ENUM, "BPF_FUNC_loop", "5.17", true, NULL },
	[PROBE_RDONLY_CAST] = { "bpf_rdonly_cast() kfunc", BY_FUNC, "bpf_rdonly_cast", "6.2", true, NULL },
	[PROBE_TP_BTF_SYSCALLS] = { "tp_btf sys_enter", BY_TYPE, "btf_trace_sys_enter", "5.5", true, NULL },
	[PROBE_TP_BTF_SCHED] = { "tp_btf sched_process_exec", BY_TYPE, "btf_trace_sched_process_exec", "5.5", true, NULL },
	[PROBE_TP_BTF_CGROUP] = { "tp_btf cgroup_mkdir", BY_TYPE, "btf_trace_cgroup_mkdir", "5.5", true, NULL },
	[PROBE_SYSCALL_TRACEPOINTS] = { "syscall tracepoints (CONFIG_FTRACE_SYSCALLS)", BY_PATH,
					"/sys/kernel/tracing/events/syscalls", "2.6.33", true, NULL },
	[PROBE_CGROUP2] = { "cgroup v2 hierarchy (unified or hybrid)", BY_CGROUP2, NULL, "4.5", true, NULL },
	[PROBE_IO_URING] = { "io_uring tracepoints", BY_TYPE, "btf_trace_io_uring_submit_req", "6.0", false,
			     "opens and connects made through io_uring are not seen" },
	[PROBE_CAP_CAPABLE] = { "capability:cap_capable tracepoint", BY_TYPE, "btf_trace_cap_capable", "6.14",
				false, "capability use is not reported" },
	[PROBE_UNIX_CONNECT] = { "cgroup/connect_unix hook", BY_ENUM, "BPF_CGROUP_UNIX_CONNECT", "6.7", false,
				  "a failed unix connect is reported with the caller's path" },
	[PROBE_LSM] = { "BPF LSM programs (load and attach)", BY_LSM, NULL, "5.7 with lsm=bpf", false,
			"a kill policy kills after the syscall instead of refusing it (docs/enforcement.md)" },
};

static bool btf_has_enum_value(const struct btf *btf, const char *value)
{
	__u32 i, n = btf__type_cnt(btf);
	const struct btf_type *t;
	const struct btf_enum *e;
	__u16 k;

	for (i = 1; i < n; i++) {
		t = btf__type_by_id(btf, i);
		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (k = 0; k < btf_vlen(t); k++)
			if (!strcmp(btf__name_by_offset(btf, e[k].name_off), value))
				return true;
	}
	return false;
}

/*
 * BPF LSM: listed among the active LSMs is not enough, loading or
 * attaching may still be refused (EPERM), so a two-instruction program on
 * file_open is loaded and attached for real, then dropped.
 */
static bool lsm_usable(const struct btf *btf, char *why, size_t len)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_LSM_MAC);
	char buf[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "r");
	int id, fd, link;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	if (!strstr(buf, "bpf")) {
		snprintf(why, len, "\"bpf\" is not among the active LSMs (lsm= boot option)");
		return false;
	}
	id = btf ? btf__find_by_name_kind(btf, "bpf_lsm_file_open", BTF_KIND_FUNC) : -1;
	if (id <= 0) {
		snprintf(why, len, "no bpf_lsm_file_open in the kernel's BTF");
		return false;
	}
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_LSM, "vigil_probe", "GPL", insns, 2, &opts);
	if (fd < 0) {
		snprintf(why, len, "loading refused: %s", strerror(errno));
		return false;
	}
	link = bpf_link_create(fd, 0, BPF_LSM_MAC, NULL);
	if (link < 0)
		snprintf(why, len, "attaching refused: %s", strerror(errno));
	else
		close(link);
	close(fd);
	return link >= 0;
}

void probe_kernel(struct probe_result *r)
{
	struct btf *btf = NULL;
	struct utsname u;
	int i;

	memset(r, 0, sizeof(*r));
	if (!uname(&u))
		snprintf(r->release, sizeof(r->release), "%s", u.release);
	if (!access(features[PROBE_BTF].name, R_OK))
		btf = btf__load_vmlinux_btf();
	for (i = 0; i < PROBE_MAX; i++) {
		const struct feature *f = &features[i];

		switch (f->how) {
		case BY_ENUM:
			r->have[i] = btf && btf_has_enum_value(btf, f->name);
			break;
		case BY_FUNC:
			r->have[i] = btf && btf__find_by_name_kind(btf, f->name, BTF_KIND_FUNC) > 0;
			break;
		case BY_TYPE:
			r->have[i] = btf && btf__find_by_name(btf, f->name) > 0;
			break;
		case BY_PATH:
			r->have[i] = !access(f->name, F_OK);
			break;
		case BY_CGROUP2:
			r->have[i] = cgroup2_root() != NULL;
			break;
		case BY_LSM:
			r->have[i] = lsm_usable(btf, r->lsm_why, sizeof(r->lsm_why));
			break;
		}
	}
	btf__free(btf);
}

bool probe_required_ok(const struct probe_result *r)
{
	int i;

	for (i = 0; i < PROBE_MAX; i++)
		if (features[i].required && !r->have[i])
			return false;
	return true;
}

void probe_print(const struct probe_result *r, FILE *f, bool only_missing)
{
	int i;

	for (i = 0; i < PROBE_MAX; i++) {
		const struct feature *ft = &features[i];

		if (only_missing && r->have[i])
			continue;
		fprintf(f, "  %-8s %-46s Linux %s%s%s%s\n", r->have[i] ? "ok" : ft->required ? "MISSING" : "absent",
			ft->what, ft->since, ft->required ? ", required" : "",
			!r->have[i] && ft->without ? ": " : "", !r->have[i] && ft->without ? ft->without : "");
		if (i == PROBE_LSM && !r->have[i] && r->lsm_why[0])
			fprintf(f, "  %-8s %-46s (%s)\n", "", "", r->lsm_why);
	}
}

/*
 * Can a process here make 32-bit syscalls?  Only the sys_enter hook sees
 * them (the syscalls:* tracepoints skip those ABIs), so the syscall
 * counter must stay attached where they run.  Tried, not guessed from the
 * kernel's configuration: a child makes ia32 getpid through int 0x80 (a
 * kernel without ia32 emulation, or booted with ia32_emulation=0, or a
 * hypervisor that refuses the gate, kills it with SIGSEGV), and the
 * process tries an x32 getpid (ENOSYS without x32).
 */
bool probe_compat_abi(char *why, size_t len)
{
#if defined(__x86_64__)
	int status = 0;
	long r;
	pid_t pid;

	errno = 0;
	r = syscall(0x40000000L | SYS_getpid);	/* __X32_SYSCALL_BIT */
	if (r == getpid()) {
		snprintf(why, len, "x32 syscalls run here");
		return true;
	}
	pid = fork();
	if (pid == 0) {
		long ret = 20;	/* __NR_getpid in the ia32 table */

		__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
		_exit(ret > 0 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		snprintf(why, len, "could not be tried (%s): taken as possible", strerror(errno));
		return true;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(why, len, "ia32 syscalls (int 0x80) run here");
		return true;
	}
	snprintf(why, len, "neither ia32 (int 0x80 %s) nor x32 syscalls run here",
		 WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "fails");
	return false;
#else
	snprintf(why, len, "no 32-bit syscall ABI is checked on this architecture");
	return false;
#endif
}
