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
#include "bpf/probe.h"
#include "bpf/syscalls.h"
#include "vigil.skel.h"

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

	l->skel = vigil_bpf__open();
	if (!l->skel) {
		err = -errno;
		log_warn("opening the BPF object");
		return err;
	}
	l->skel->rodata->cfg_watch_host = o->watch_host;
	l->skel->rodata->cfg_agent_pid = o->agent_pid;
	l->skel->rodata->cfg_argv_max = o->argv_max;
	l->skel->rodata->cfg_dedup_ns = (__u64)o->dedup_ms * 1000000;
	l->skel->rodata->cfg_nr_brk = sys_nr("brk");
	l->skel->rodata->cfg_nr_mmap = sys_nr("mmap");
	l->skel->rodata->cfg_nr_mremap = sys_nr("mremap");
	bpf_map__set_max_entries(l->skel->maps.events, o->ringbuf_mb << 20);
	bpf_program__set_autoload(l->skel->progs.vigil_sys_enter_count, o->syscall_counts);
	bpf_program__set_autoload(l->skel->progs.vigil_uring_create, uring);
	bpf_program__set_autoload(l->skel->progs.vigil_uring_submit, uring);
	bpf_program__set_autoload(l->skel->progs.vigil_uring_complete, uring);
	bpf_program__set_autoload(l->skel->progs.vigil_cap_capable, capable);
	l->capabilities = capable;
	/* attached per syscall by loader_attach() */
	bpf_program__set_autoattach(l->skel->progs.vigil_sys_exit, false);

	err = vigil_bpf__load(l->skel);
	if (err) {
		log_warnx("loading the BPF programs failed (%s); run with -vv for the verifier log",
			  strerror(-err));
		return err;
	}
	snprintf(l->hooks, sizeof(l->hooks),
		 "hooks: tp_btf sched_process_exec/fork/exit, tp_btf cgroup_mkdir/rmdir%s%s%s, "
		 "lsm: %s",
		 o->syscall_counts ? ", tp_btf sys_enter (syscall counts)" : "",
		 uring ? ", tp_btf io_uring_create/submit_req/complete" : ", io_uring: no BTF types",
		 capable ? ", tp_btf cap_capable" : ", capability use: no cap_capable tracepoint",
		 l->lsm ? "available (not needed)" : "unavailable, tracepoints used");
	return 0;
}

static int pin(struct bpf_map *map, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), VIGIL_PIN_DIR "/%s", name);
	unlink(path);	/* a previous agent that died */
	return bpf_map__pin(map, path);
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
			if (l->sys_links[i]) {
				bpf_link__destroy(l->sys_links[i]);
				l->sys_links[i] = NULL;
			}
			continue;
		}
		if (!l->sys_links[i]) {
			spec = d->spec;
			if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.sys_specs), &nr, &spec, BPF_ANY)) {
				err = -errno;
				log_warn("sys_specs[%s]", d->name);
				return err;
			}
			l->sys_links[i] = bpf_program__attach_tracepoint(l->skel->progs.vigil_sys_exit,
									 "syscalls", tp);
			if (!l->sys_links[i]) {
				err = -errno;
				log_warnx("attaching syscalls:%s: %s", tp, strerror(-err));
				return err;
			}
		}
		l->n_sys_links++;
	}
	l->n_sys_missing = missing;
	return 0;
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
	for (d = sys_descs; d->name; d++)
		n++;
	l->sys_links = calloc(n, sizeof(*l->sys_links));
	if (!l->sys_links)
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

void loader_detach(struct loader *l)
{
	int i;

	for (i = 0; i < l->n_sys_descs; i++) {
		bpf_link__destroy(l->sys_links[i]);
		l->sys_links[i] = NULL;
	}
	l->n_sys_links = 0;
	if (l->skel)
		vigil_bpf__detach(l->skel);
}

void loader_close(struct loader *l)
{
	if (l->pinned) {
		bpf_map__unpin(l->skel->maps.pin_info, NULL);
		bpf_map__unpin(l->skel->maps.syscall_counts, NULL);
		bpf_map__unpin(l->skel->maps.ctr_cgroups, NULL);
		bpf_map__unpin(l->skel->maps.stats, NULL);
		rmdir(VIGIL_PIN_DIR);
	}
	/* only a loaded loader opened the lock (a zeroed one says fd 0) */
	if (l->skel && l->pin_lock_fd >= 0)
		close(l->pin_lock_fd);
	loader_detach(l);
	free(l->sys_links);
	vigil_bpf__destroy(l->skel);
	memset(l, 0, sizeof(*l));
}
