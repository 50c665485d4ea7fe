/* loader.c - feature probes, load, attach (see loader.h). */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "bpf/loader.h"
#include "bpf/persist.h"
#include "bpf/probe.h"
#include "bpf/syscalls.h"
#include "container/container.h"
#include "vigil.skel.h"

/* not in Debian 12's UAPI headers (Linux 6.7) */
#define VIGIL_BPF_CGROUP_UNIX_CONNECT 49

#define TRACEFS "/sys/kernel/tracing"
#define TRACEFS_MAGIC 0x74726163
#define BPFFS "/sys/fs/bpf"
#define BPF_FS_MAGIC_ 0xcafe4a11

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && log_verbose < 2)
		return 0;
	if (level == LIBBPF_INFO && log_verbose < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int mount_if_missing(const char *dir, long magic, const char *type)
{
	struct statfs st;

	if (!statfs(dir, &st) && st.f_type == magic)
		return 0;
	if (mount(type, dir, type, 0, NULL)) {
		log_warn("mount %s on %s", type, dir);
		return -errno;
	}
	log_info("mounted %s on %s", type, dir);
	return 0;
}

int loader_mount_fs(void)
{
	int err = mount_if_missing(TRACEFS, TRACEFS_MAGIC, "tracefs");

	return err ? err : mount_if_missing(BPFFS, BPF_FS_MAGIC_, "bpf");
}

static bool tracepoint_exists(const char *category, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s", category, name);
	return access(path, F_OK) == 0;
}

static bool btf_has_type(struct btf *btf, const char *name)
{
	return btf && btf__find_by_name(btf, name) >= 0;
}

/*
 * The host's mount namespace: an exec there is the runtime's own, one in
 * any other is a container's program (proc.bpf.c).  /proc/1 is the host's
 * init as long as the agent sees the host's pids (it must, to attribute
 * processes).  Where pid 1's namespaces are hidden (a sandboxed init),
 * kthreadd's are the kernel's initial ones.  The agent's own namespace is
 * the last resort: in a container or a unit with ProtectSystem= it is not
 * the host's, and runc's own execs would end a container's set-up.
 */
static __u32 host_mntns(void)
{
	struct stat st;

	if (!stat("/proc/1/ns/mnt", &st) || !stat("/proc/2/ns/mnt", &st) || !stat("/proc/self/ns/mnt", &st))
		return st.st_ino;
	log_warn("mount namespace (a container's set-up ends at its first exec)");
	return 0;
}

/* ia32 syscall numbers -> native ones, for counts and profile checks of 32-bit syscalls. */
static int fill_compat_map(struct loader *l)
{
	int fd = bpf_map__fd(l->skel->maps.compat_nr);
	__s32 native;
	__u32 i;

	for (i = 0; i < VIGIL_NR_SYSCALLS; i++) {
		native = sys_compat_to_native(i);
		if (bpf_map_update_elem(fd, &i, &native, BPF_ANY))
			return -errno;
	}
	return 0;
}

int loader_load(struct loader *l, const struct loader_opts *o)
{
	struct probe_result pr;
	struct btf *vmlinux;
	bool uring, capable;
	int err;

	memset(l, 0, sizeof(*l));
	l->pin_lock_fd = -1;
	libbpf_set_print(libbpf_log);
	if ((err = loader_mount_fs()))
		return err;
	probe_kernel(&pr);
	if (!probe_required_ok(&pr)) {
		log_warnx("this kernel (%s) lacks what Vigil needs:", pr.release);
		probe_print(&pr, stderr, true);
		return -ENOTSUP;
	}
	vmlinux = btf__load_vmlinux_btf();
	/* the io_uring hooks read the ops' own structs too */
	uring = pr.have[PROBE_IO_URING] && btf_has_type(vmlinux, "io_open") && btf_has_type(vmlinux, "io_connect");
	capable = pr.have[PROBE_CAP_CAPABLE];
	btf__free(vmlinux);
	l->lsm = pr.have[PROBE_LSM];
	snprintf(l->lsm_why, sizeof(l->lsm_why), "%s", pr.lsm_why);

	l->skel = vigil_bpf__open();
	if (!l->skel) {
		err = -errno;
		log_warn("opening the BPF object");
		return err;
	}
	l->skel->rodata->cfg_watch_host = o->watch_host;
	l->skel->rodata->cfg_agent_pid = o->agent_pid;
	l->skel->rodata->cfg_argv_max = o->argv_max;
	l->skel->rodata->cfg_env_max = o->env_max > VIGIL_ENV_MAX ? VIGIL_ENV_MAX : o->env_max;
	l->skel->rodata->cfg_dedup_ns = (__u64)o->dedup_ms * 1000000;
	l->skel->rodata->cfg_nr_brk = sys_nr("brk");
	l->skel->rodata->cfg_nr_mmap = sys_nr("mmap");
	l->skel->rodata->cfg_nr_mremap = sys_nr("mremap");
	l->skel->rodata->cfg_nr_creat = sys_nr("creat");
	l->skel->rodata->cfg_host_mntns = host_mntns();
	bpf_map__set_max_entries(l->skel->maps.events, o->ringbuf_mb << 20);
	if (o->max_containers)
		bpf_map__set_max_entries(l->skel->maps.ctr_cgroups, o->max_containers);
	bpf_program__set_autoload(l->skel->progs.vigil_sys_enter_count, o->syscall_counts);
	bpf_program__set_autoload(l->skel->progs.vigil_sys_exit_all, o->exit_dispatch);
	l->exit_dispatch = o->exit_dispatch;
	bpf_program__set_autoattach(l->skel->progs.vigil_sys_enter_count, !o->counts_on_demand);
	bpf_program__set_autoload(l->skel->progs.vigil_uring_create, uring);
	bpf_program__set_autoload(l->skel->progs.vigil_uring_submit, uring);
	bpf_program__set_autoload(l->skel->progs.vigil_uring_complete, uring);
	bpf_program__set_autoload(l->skel->progs.vigil_cap_capable, capable);
	l->capabilities = capable;
	/* the LSM tier: only where the probe loaded and attached one for real */
	l->lsm_loaded = l->lsm && o->lsm;
	bpf_program__set_autoload(l->skel->progs.vigil_lsm_ptrace, l->lsm_loaded);
	bpf_program__set_autoload(l->skel->progs.vigil_lsm_mount, l->lsm_loaded);
	bpf_program__set_autoload(l->skel->progs.vigil_lsm_move_mount, l->lsm_loaded);
	bpf_program__set_autoload(l->skel->progs.vigil_lsm_bpf, l->lsm_loaded);
	bpf_program__set_autoload(l->skel->progs.vigil_lsm_read_file, l->lsm_loaded);
	bpf_program__set_autoload(l->skel->progs.vigil_lsm_load_data, l->lsm_loaded);
	bpf_program__set_autoload(l->skel->progs.vigil_lsm_file_open, l->lsm_loaded);
	/* attached per syscall and per interface */
	bpf_program__set_autoattach(l->skel->progs.vigil_enforce_enter, false);
	bpf_program__set_autoattach(l->skel->progs.vigil_xdp_syn, false);
	/* attached per syscall by loader_attach() */
	bpf_program__set_autoattach(l->skel->progs.vigil_sys_exit, false);
	bpf_program__set_autoattach(l->skel->progs.vigil_sys_enter_path, false);
	/* cgroup hooks: attached by loader_attach() at the cgroup v2 root */
	bpf_program__set_autoattach(l->skel->progs.vigil_connect4, false);
	bpf_program__set_autoattach(l->skel->progs.vigil_connect6, false);
	bpf_program__set_autoattach(l->skel->progs.vigil_sendmsg4, false);
	bpf_program__set_autoattach(l->skel->progs.vigil_sendmsg6, false);
	bpf_program__set_autoattach(l->skel->progs.vigil_connect_unix, false);
	l->unix_connect = pr.have[PROBE_UNIX_CONNECT];
	if (l->unix_connect)
		bpf_program__set_expected_attach_type(l->skel->progs.vigil_connect_unix, VIGIL_BPF_CGROUP_UNIX_CONNECT);
	else
		bpf_program__set_autoload(l->skel->progs.vigil_connect_unix, false);

	l->pin = o->pin;
	if (l->pin) {
		l->pin_names = calloc(LOADER_MAX_PINS, sizeof(*l->pin_names));
		if (!l->pin_names)
			return -ENOMEM;
		if ((err = persist_prepare(l)))
			return err;
	}
	err = vigil_bpf__load(l->skel);
	if (err) {
		log_warnx("loading the BPF programs failed (%s); run with -vv for the verifier log",
			  strerror(-err));
		return err;
	}
	if ((err = fill_compat_map(l))) {
		log_warnx("compat syscall map: %s", strerror(-err));
		return err;
	}
	snprintf(l->hooks, sizeof(l->hooks),
		 "hooks: tp_btf sched_process_exec/fork/exit, tp_btf task_rename, tp_btf cgroup_mkdir/rmdir/attach_task, "
		 "cgroup connect4/6 sendmsg4/6%s at the cgroup v2 root%s%s%s, "
		 "reported syscalls: %s, enforcement: %s",
		 l->unix_connect ? " connect_unix" : "",
		 !o->syscall_counts ? "" : o->counts_on_demand ? ", tp_btf sys_enter (syscall counts, while needed)"
							       : ", tp_btf sys_enter (syscall counts)",
		 uring ? ", tp_btf io_uring_create/submit_req/complete" : ", io_uring: no BTF types",
		 capable ? ", tp_btf cap_capable" : ", capability use: no cap_capable tracepoint",
		 o->exit_dispatch ? "one tp_btf sys_exit program" : "syscalls:sys_exit_<name> each",
		 l->lsm_loaded ? "BPF LSM (refuses) + kill at syscall entry + cgroup connect hooks"
				: "kill at syscall entry + cgroup connect hooks (no BPF LSM: a killed syscall still runs)");
	return 0;
}

static int pin(struct bpf_map *map, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), VIGIL_PIN_DIR "/%s", name);
	unlink(path);	/* a previous agent that died */
	/* a path of its own beside --pin's (libbpf knows one pin path per map) */
	return bpf_obj_pin(bpf_map__fd(map), path) ? -errno : 0;
}

/*
 * Attaches the syscall event program to the sys_exit tracepoint of each
 * syscall wanted() accepts and detaches it from the others.  A syscall
 * tracepoint that is attached costs its syscall even when the program
 * returns at once, so the interest is decided by attaching.
 */
int loader_set_interest(struct loader *l, bool (*wanted)(const char *sys, void *arg), void *arg)
{
	const struct sys_desc *d;
	struct vigil_sys_spec spec;
	char tp[96];
	int i, nr, err, missing = 0;

	l->n_sys_links = 0;
	for (d = sys_descs, i = 0; d->name; d++, i++) {
		nr = sys_nr(d->name);
		snprintf(tp, sizeof(tp), "sys_exit_%s", d->tracepoint ? d->tracepoint : d->name);
		if (nr < 0 || nr >= VIGIL_NR_SYSCALLS || !tracepoint_exists("syscalls", tp)) {
			log_debug("syscall %s: not on this kernel, skipped", d->name);
			missing++;
			continue;
		}
		if (!wanted(d->name, arg)) {
			if (l->exit_dispatch) {
				/* the dispatcher reads the table: off there */
				memset(&spec, 0, sizeof(spec));
				bpf_map_update_elem(bpf_map__fd(l->skel->maps.sys_specs), &nr, &spec, BPF_ANY);
			}
			if (l->sys_links[i])
				persist_unlink(l, tp);
			bpf_link__destroy(l->sys_links[i]);
			l->sys_links[i] = NULL;
			if (l->enter_links[i]) {
				snprintf(tp, sizeof(tp), "sys_enter_%s", d->tracepoint ? d->tracepoint : d->name);
				persist_unlink(l, tp);
			}
			bpf_link__destroy(l->enter_links[i]);
			l->enter_links[i] = NULL;
			continue;
		}
		/* path syscalls: their paths are read at entry too */
		if ((d->spec.flags & VIGIL_SYS_ENTRY_PATHS) && !l->enter_links[i]) {
			snprintf(tp, sizeof(tp), "sys_enter_%s", d->tracepoint ? d->tracepoint : d->name);
			l->enter_links[i] = bpf_program__attach_tracepoint(l->skel->progs.vigil_sys_enter_path,
									   "syscalls", tp);
			if (!l->enter_links[i])
				log_warnx("attaching syscalls:%s: %s (its paths are read at exit only)", tp,
					  strerror(errno));
			persist_link(l, l->enter_links[i], tp);
			snprintf(tp, sizeof(tp), "sys_exit_%s", d->tracepoint ? d->tracepoint : d->name);
		}
		/* the dispatcher reads the table for every wanted syscall; a tracepoint is attached once */
		if (l->exit_dispatch || !l->sys_links[i]) {
			spec = d->spec;
			if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.sys_specs), &nr, &spec, BPF_ANY)) {
				err = -errno;
				log_warn("sys_specs[%s]", d->name);
				return err;
			}
		}
		if (!l->exit_dispatch && !l->sys_links[i]) {
			l->sys_links[i] = bpf_program__attach_tracepoint(l->skel->progs.vigil_sys_exit,
									 "syscalls", tp);
			if (!l->sys_links[i]) {
				err = -errno;
				log_warnx("attaching syscalls:%s: %s", tp, strerror(-err));
				return err;
			}
			persist_link(l, l->sys_links[i], tp);
		}
		l->n_sys_links++;
	}
	l->n_sys_missing = missing;
	return 0;
}

/*
 * The sock_addr hooks, once, at the root of the cgroup v2 hierarchy: every
 * cgroup below runs them (a link attaches with multi semantics), so a
 * container is covered from its first instruction with nothing to do when
 * it appears.
 */
static int attach_sock_hooks(struct loader *l)
{
	struct bpf_program *progs[] = { l->skel->progs.vigil_connect4, l->skel->progs.vigil_connect6,
					l->skel->progs.vigil_sendmsg4, l->skel->progs.vigil_sendmsg6,
					l->unix_connect ? l->skel->progs.vigil_connect_unix : NULL };
	const char *root = cgroup2_root();
	int fd, err = 0;
	size_t i;

	if (!root)
		return 0;	/* no v2 hierarchy: nothing is a container anyway */
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		log_warn("%s", root);
		return err;
	}
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (!progs[i])
			continue;
		l->sock_links[l->n_sock_links] = bpf_program__attach_cgroup(progs[i], fd);
		if (!l->sock_links[l->n_sock_links]) {
			err = -errno;
			log_warnx("attaching %s to %s: %s", bpf_program__name(progs[i]), root, strerror(-err));
			break;
		}
		l->n_sock_links++;
	}
	close(fd);
	return err;
}

int loader_attach(struct loader *l)
{
	struct vigil_pin_info info = { 0 };
	const struct sys_desc *d;
	struct timespec now;
	int err, n = 0;
	__u32 zero = 0;

	err = vigil_bpf__attach(l->skel);
	if (err) {
		log_warnx("attaching the BPF programs: %s", strerror(-err));
		return err;
	}
	if ((err = attach_sock_hooks(l)))
		return err;
	for (d = sys_descs; d->name; d++)
		n++;
	l->sys_links = calloc(n, sizeof(*l->sys_links));
	l->enter_links = calloc(n, sizeof(*l->enter_links));
	if (!l->sys_links || !l->enter_links)
		return -ENOMEM;
	l->n_sys_descs = n;

	/* a second agent (a test, a dry run) must not take the first's pins */
	l->pin_lock_fd = open(VIGIL_PIN_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (l->pin_lock_fd < 0 || flock(l->pin_lock_fd, LOCK_EX | LOCK_NB)) {
		log_warnx("another vigil agent owns %s: `vigil stats` and `vigil profile` read that one",
			  VIGIL_PIN_DIR);
		if (l->pin_lock_fd >= 0)
			close(l->pin_lock_fd);
		l->pin_lock_fd = -1;
		return 0;
	}
	if (mkdir(VIGIL_PIN_DIR, 0700) && errno != EEXIST) {
		log_warn("mkdir %s", VIGIL_PIN_DIR);
		return 0;	/* `vigil stats` will not work; the agent does */
	}
	info.abi_version = VIGIL_ABI_VERSION;
	info.agent_pid = getpid();
	clock_gettime(CLOCK_BOOTTIME, &now);
	info.started_ns = now.tv_sec * 1000000000ULL + now.tv_nsec;
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.pin_info), &zero, &info, BPF_ANY) ||
	    pin(l->skel->maps.pin_info, VIGIL_PIN_INFO) || pin(l->skel->maps.syscall_counts, VIGIL_PIN_COUNTS) ||
	    pin(l->skel->maps.ctr_cgroups, VIGIL_PIN_CGROUPS) || pin(l->skel->maps.stats, VIGIL_PIN_STATS))
		log_warn("pinning maps under %s (vigil stats unavailable)", VIGIL_PIN_DIR);
	else
		l->pinned = true;
	return 0;
}

static const char *enter_tracepoint(int nr)
{
	static char tp[96];
	const struct sys_desc *d = sys_desc_by_nr(nr);

	snprintf(tp, sizeof(tp), "sys_enter_%s", d && d->tracepoint ? d->tracepoint : sys_name(nr));
	return tp;
}

int loader_set_kill_syscalls(struct loader *l, const uint64_t nrs[VIGIL_NR_SYSCALLS / 64])
{
	int nr, missing = 0;
	const char *tp;
	char name[96];

	l->n_kill_links = 0;
	for (nr = 0; nr < VIGIL_NR_SYSCALLS; nr++) {
		bool want = nrs[nr / 64] & (1ULL << (nr % 64));

		if (!want) {
			if (l->kill_links[nr]) {
				snprintf(name, sizeof(name), "kill-%s", sys_name(nr));
				persist_unlink(l, name);
			}
			bpf_link__destroy(l->kill_links[nr]);
			l->kill_links[nr] = NULL;
			continue;
		}
		if (!l->kill_links[nr]) {
			tp = enter_tracepoint(nr);
			if (!tracepoint_exists("syscalls", tp)) {
				/* the kernel was built without it (init_module without modules): ENOSYS anyway */
				log_info("kill at the entry of %s: not on this kernel (no syscalls:%s)", sys_name(nr), tp);
				missing++;
				continue;
			}
			l->kill_links[nr] = bpf_program__attach_tracepoint(l->skel->progs.vigil_enforce_enter,
									   "syscalls", tp);
			if (!l->kill_links[nr]) {
				log_warnx("attaching syscalls:%s: %s", tp, strerror(errno));
				missing++;
				continue;
			}
			snprintf(name, sizeof(name), "kill-%s", sys_name(nr));
			persist_link(l, l->kill_links[nr], name);
		}
		l->n_kill_links++;
	}
	return missing;
}

int loader_xdp_attach(struct loader *l, int ifindex)
{
	struct bpf_link *link;
	char name[32];

	if (loader_xdp_attached(l, ifindex))
		return 0;
	if (l->n_xdp == LOADER_MAX_XDP)
		return -ENOSPC;
	snprintf(name, sizeof(name), "xdp-%d", ifindex);
	/* an interface has one XDP link: an earlier agent's is given the new program */
	link = persist_take_link(l, name);
	if (link && bpf_link__update_program(link, l->skel->progs.vigil_xdp_syn)) {
		bpf_link__destroy(link);
		link = NULL;
	}
	if (!link)
		link = bpf_program__attach_xdp(l->skel->progs.vigil_xdp_syn, ifindex);
	if (!link)
		return -errno;
	persist_link(l, link, name);
	l->xdp[l->n_xdp].ifindex = ifindex;
	l->xdp[l->n_xdp].link = link;
	l->n_xdp++;
	return 0;
}

bool loader_xdp_attached(const struct loader *l, int ifindex)
{
	int i;

	for (i = 0; i < l->n_xdp; i++)
		if (l->xdp[i].ifindex == ifindex)
			return true;
	return false;
}

void loader_xdp_detach(struct loader *l, int ifindex)
{
	int i;

	for (i = 0; i < l->n_xdp; i++)
		if (l->xdp[i].ifindex == ifindex) {
			bpf_link__destroy(l->xdp[i].link);
			l->xdp[i] = l->xdp[--l->n_xdp];
			return;
		}
}

void loader_detach(struct loader *l)
{
	int i;

	for (i = 0; i < VIGIL_NR_SYSCALLS; i++) {
		bpf_link__destroy(l->kill_links[i]);
		l->kill_links[i] = NULL;
	}
	l->n_kill_links = 0;
	for (i = 0; i < l->n_xdp; i++)
		bpf_link__destroy(l->xdp[i].link);
	l->n_xdp = 0;

	for (i = 0; i < l->n_sys_descs; i++) {
		bpf_link__destroy(l->sys_links[i]);
		l->sys_links[i] = NULL;
		bpf_link__destroy(l->enter_links[i]);
		l->enter_links[i] = NULL;
	}
	l->n_sys_links = 0;
	for (i = 0; i < l->n_sock_links; i++) {
		bpf_link__destroy(l->sock_links[i]);
		l->sock_links[i] = NULL;
	}
	l->n_sock_links = 0;
	if (l->skel)
		vigil_bpf__detach(l->skel);
}

void loader_close(struct loader *l)
{
	if (l->pinned) {
		unlink(VIGIL_PIN_DIR "/" VIGIL_PIN_INFO);
		unlink(VIGIL_PIN_DIR "/" VIGIL_PIN_COUNTS);
		unlink(VIGIL_PIN_DIR "/" VIGIL_PIN_CGROUPS);
		unlink(VIGIL_PIN_DIR "/" VIGIL_PIN_STATS);
		rmdir(VIGIL_PIN_DIR);	/* not while --pin keeps its own there */
	}
	/* only a loaded loader opened the lock (a zeroed one says fd 0) */
	if (l->skel && l->pin_lock_fd >= 0)
		close(l->pin_lock_fd);
	loader_detach(l);
	free(l->sys_links);
	free(l->enter_links);
	free(l->pin_names);
	vigil_bpf__destroy(l->skel);
	memset(l, 0, sizeof(*l));
}

#define COUNTER_LINK "vigil_sys_enter_count"	/* its pin's name: the program's, as persist_finish gives it */

int loader_counter_set(struct loader *l, bool on)
{
	struct bpf_link **link = &l->skel->links.vigil_sys_enter_count;
	long err;

	if (bpf_program__fd(l->skel->progs.vigil_sys_enter_count) < 0 || on == (*link != NULL))
		return 0;
	if (!on) {
		persist_unlink(l, COUNTER_LINK);	/* a pinned link would outlive the fd */
		bpf_link__destroy(*link);
		*link = NULL;
		return 0;
	}
	*link = bpf_program__attach(l->skel->progs.vigil_sys_enter_count);
	if ((err = libbpf_get_error(*link))) {
		*link = NULL;
		return (int)err;
	}
	persist_link(l, *link, COUNTER_LINK);
	return 0;
}

bool loader_counter_on(const struct loader *l)
{
	return l->skel && l->skel->links.vigil_sys_enter_count;
}

int loader_persist(struct loader *l)
{
	return persist_finish(l);
}
