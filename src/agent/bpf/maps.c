/* maps.c - the agent's operations on the kernel side's maps (see maps.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf/kstats.h"
#include "bpf/maps.h"
#include "util/log.h"
#include "vigil.skel.h"

static int map_fd(const struct bpf_map *m)
{
	return bpf_map__fd(m);
}

/*
 * The processes of a cgroup that existed before the agent: their container
 * is recorded in their task storage (keyed by a pidfd), so a later move
 * out of it is seen as one.
 */
static void seed_tasks(struct loader *l, const char *dir, uint64_t top)
{
	struct vigil_task ts = { .ctr = top };
	char path[4200];
	FILE *f;
	int pid, pfd;

	snprintf(path, sizeof(path), "%s/cgroup.threads", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1) {
		pfd = syscall(SYS_pidfd_open, pid, 0);
		if (pfd < 0)
			continue;
		bpf_map_update_elem(map_fd(l->skel->maps.task_state), &pfd, &ts, BPF_NOEXIST);
		close(pfd);
	}
	fclose(f);
}

int kmaps_mark_cgroup(struct loader *l, const char *dir, uint64_t cgid, uint64_t top)
{
	/* already running: past the runtime's set-up */
	struct vigil_ctr_cgroup val = { .ctr_cgroup_id = top,
					.flags = cgid == top ? VIGIL_CTR_PROGRAM : VIGIL_CTR_NESTED };
	struct vigil_syscall_counts *zero;
	int ncpu = libbpf_num_possible_cpus(), dfd, err = 0;

	/* the table holds top cgroups only; a nested one has its mark alone */
	if (cgid == top && bpf_map_update_elem(map_fd(l->skel->maps.ctr_cgroups), &cgid, &val, BPF_ANY))
		return -errno;
	/* the mark on the cgroup itself, keyed by an fd of its directory */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || bpf_map_update_elem(map_fd(l->skel->maps.ctr_marks), &dfd, &val, BPF_ANY))
		err = -errno;
	if (dfd >= 0)
		close(dfd);
	seed_tasks(l, dir, top);
	if (cgid != top || ncpu <= 0)
		return err;
	zero = calloc(ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	bpf_map_update_elem(map_fd(l->skel->maps.syscall_counts), &cgid, zero, BPF_NOEXIST);
	free(zero);
	return err;
}

int kmaps_counts_read(struct loader *l, uint64_t cgid, uint64_t program[VIGIL_NR_SYSCALLS],
		      uint64_t setup[VIGIL_NR_SYSCALLS])
{
	return syscall_counts_read(map_fd(l->skel->maps.syscall_counts), cgid, program, setup);
}

int kmaps_counts_each(struct loader *l, int (*cb)(void *arg, uint64_t cgid), void *arg)
{
	int fd = map_fd(l->skel->maps.syscall_counts);
	uint64_t key, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (cb(arg, key))
			break;
	}
	return 0;
}

int kmaps_caps_read(struct loader *l, uint64_t cgid, struct vigil_cap_use *out)
{
	if (bpf_map_lookup_elem(map_fd(l->skel->maps.ctr_caps), &cgid, out)) {
		memset(out, 0, sizeof(*out));
		return -errno;
	}
	return 0;
}

int kmaps_profile_set(struct loader *l, uint64_t cgid, const uint64_t allow[VIGIL_NR_SYSCALLS / 64],
		      bool armed)
{
	struct vigil_profile_bits bits = { .armed = armed };

	memcpy(bits.allow, allow, sizeof(bits.allow));
	if (bpf_map_update_elem(map_fd(l->skel->maps.ctr_profiles), &cgid, &bits, BPF_ANY))
		return -errno;
	l->skel->bss->profiles_active = 1;	/* sys_enter checks profiles from now on */
	return 0;
}

int kmaps_profile_arm(struct loader *l, uint64_t cgid)
{
	int fd = map_fd(l->skel->maps.ctr_profiles);
	struct vigil_profile_bits bits;

	if (bpf_map_lookup_elem(fd, &cgid, &bits))
		return -errno;
	if (bits.armed)
		return 0;
	bits.armed = 1;
	return bpf_map_update_elem(fd, &cgid, &bits, BPF_EXIST) ? -errno : 0;
}

bool kmaps_program_started(struct loader *l, uint64_t cgid)
{
	struct vigil_ctr_cgroup val;

	if (bpf_map_lookup_elem(map_fd(l->skel->maps.ctr_cgroups), &cgid, &val))
		return false;
	return val.flags & VIGIL_CTR_PROGRAM;
}

void kmaps_forget_container(struct loader *l, uint64_t cgid)
{
	bpf_map_delete_elem(map_fd(l->skel->maps.syscall_counts), &cgid);
	bpf_map_delete_elem(map_fd(l->skel->maps.ctr_profiles), &cgid);
	bpf_map_delete_elem(map_fd(l->skel->maps.ctr_caps), &cgid);
}

int kmaps_stats_read(struct loader *l, uint64_t out[VIGIL_STAT_MAX])
{
	return kstats_read(map_fd(l->skel->maps.stats), out);
}

int kmaps_events_fd(struct loader *l)
{
	return map_fd(l->skel->maps.events);
}

int kmaps_prog_each(struct loader *l, int (*cb)(void *arg, const char *name, uint64_t runs, uint64_t run_ns),
		    void *arg)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, l->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0)
			continue;	/* not loaded on this kernel */
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		n++;
		if (cb(arg, bpf_program__name(p), info.run_cnt, info.run_time_ns))
			break;
	}
	return n;
}

/* ---- enforcement (abi/policy.h) ---- */

static int upd(int fd, const void *k, const void *v)
{
	return bpf_map_update_elem(fd, k, v, BPF_ANY) ? -errno : 0;
}

static int del(int fd, const void *k)
{
	return bpf_map_delete_elem(fd, k) && errno != ENOENT ? -errno : 0;
}

int kmaps_policy_put(struct loader *l, uint64_t ctr, uint32_t hook, const struct vigil_pol_entry *e)
{
	struct vigil_pol_key k = { .ctr = ctr, .hook = hook };

	return upd(map_fd(l->skel->maps.policy), &k, e);
}

int kmaps_policy_del(struct loader *l, uint64_t ctr, uint32_t hook)
{
	struct vigil_pol_key k = { .ctr = ctr, .hook = hook };

	return del(map_fd(l->skel->maps.policy), &k);
}

int kmaps_pol_lpm(struct loader *l, const struct vigil_pol_lpm_key *k, bool add)
{
	__u8 one = 1;

	return add ? upd(map_fd(l->skel->maps.pol_lpm), k, &one) : del(map_fd(l->skel->maps.pol_lpm), k);
}

int kmaps_pol_val(struct loader *l, const struct vigil_pol_val_key *k, bool add)
{
	__u8 one = 1;

	return add ? upd(map_fd(l->skel->maps.pol_vals), k, &one) : del(map_fd(l->skel->maps.pol_vals), k);
}

int kmaps_pol_cfg(struct loader *l, const struct vigil_pol_cfg *c)
{
	__u32 zero = 0;

	return upd(map_fd(l->skel->maps.pol_cfg), &zero, c);
}

int kmaps_syn_cfg(struct loader *l, uint32_t rate, uint32_t window_ms, uint64_t block_ns, bool enforce)
{
	/* struct syn_cfg of net/synflood.bpf.c */
	struct {
		__u32 rate, window_ms;
		__u64 block_ns;
		__u32 enforce, pad;
	} c = { rate, window_ms, block_ns, enforce, 0 };
	__u32 zero = 0;

	if (bpf_map__value_size(l->skel->maps.syn_cfg) != sizeof(c))
		return -EINVAL;
	return upd(map_fd(l->skel->maps.syn_cfg), &zero, &c);
}

/* Calls cb with every key of map fd (collected first: cb may delete). */
static int keys_each(int fd, size_t key_size, int (*cb)(void *arg, const void *key), void *arg)
{
	size_t n = 0, cap = 0, i;
	char *keys = NULL, *prev = NULL, *k;
	int err = 0;

	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			k = realloc(keys, cap * key_size);
			if (!k) {
				free(keys);
				return -ENOMEM;
			}
			keys = k;
		}
		prev = n ? keys + (n - 1) * key_size : NULL;
		if (bpf_map_get_next_key(fd, prev, keys + n * key_size))
			break;
		n++;
	}
	for (i = 0; i < n && !err; i++)
		err = cb(arg, keys + i * key_size);
	free(keys);
	return err;
}

int kmaps_policy_each(struct loader *l, int (*cb)(void *arg, const void *key), void *arg)
{
	return keys_each(map_fd(l->skel->maps.policy), sizeof(struct vigil_pol_key), cb, arg);
}

int kmaps_pol_lpm_each(struct loader *l, int (*cb)(void *arg, const void *key), void *arg)
{
	return keys_each(map_fd(l->skel->maps.pol_lpm), sizeof(struct vigil_pol_lpm_key), cb, arg);
}

int kmaps_pol_val_each(struct loader *l, int (*cb)(void *arg, const void *key), void *arg)
{
	return keys_each(map_fd(l->skel->maps.pol_vals), sizeof(struct vigil_pol_val_key), cb, arg);
}
