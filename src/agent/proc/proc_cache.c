/* proc_cache.c - the process cache (see proc_cache.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uthash.h>

#include "abi/abi.h"
#include "proc/proc_cache.h"

struct proc_entry {
	struct proc_info info;
	UT_hash_handle hh;
};

struct proc_cache {
	struct proc_entry *by_pid;	/* uthash keeps insertion order: the oldest first */
	size_t count;
	size_t max;
	uint64_t evicted;
};

struct proc_cache *proc_cache_new(void)
{
	struct proc_cache *pc = calloc(1, sizeof(struct proc_cache));

	if (pc)
		pc->max = PROC_CACHE_MAX;
	return pc;
}

void proc_cache_set_max(struct proc_cache *pc, size_t max)
{
	pc->max = max ? max : 1;
}

uint64_t proc_cache_evicted(const struct proc_cache *pc)
{
	return pc->evicted;
}

static void entry_free(struct proc_entry *e)
{
	free(e->info.exe);
	free(e->info.argv);
	free(e->info.cwd);
	free(e->info.exe_origin);
	free(e->info.exe_package);
	free(e);
}

void proc_cache_free(struct proc_cache *pc)
{
	struct proc_entry *e, *tmp;

	if (!pc)
		return;
	HASH_ITER(hh, pc->by_pid, e, tmp) {
		HASH_DEL(pc->by_pid, e);
		entry_free(e);
	}
	free(pc);
}

static struct proc_entry *find(struct proc_cache *pc, uint32_t pid)
{
	struct proc_entry *e;

	HASH_FIND(hh, pc->by_pid, &pid, sizeof(pid), e);
	return e;
}

const struct proc_info *proc_cache_get(struct proc_cache *pc, uint32_t pid)
{
	struct proc_entry *e = find(pc, pid);

	return e ? &e->info : NULL;
}

/* The entry for pid, emptied (made if missing). */
static struct proc_entry *fresh(struct proc_cache *pc, uint32_t pid)
{
	struct proc_entry *e = find(pc, pid);

	if (e) {
		free(e->info.exe);
		free(e->info.argv);
		free(e->info.cwd);
		free(e->info.exe_origin);
		free(e->info.exe_package);
		memset(&e->info, 0, sizeof(e->info));
		e->info.pid = pid;
		return e;
	}
	/* exit events can be lost: never grow without bound, drop the oldest */
	while (pc->count >= pc->max && pc->by_pid) {
		struct proc_entry *old = pc->by_pid;

		HASH_DEL(pc->by_pid, old);
		entry_free(old);
		pc->count--;
		pc->evicted++;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->info.pid = pid;
	HASH_ADD(hh, pc->by_pid, info.pid, sizeof(uint32_t), e);
	pc->count++;
	return e;
}

static char *dupn(const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int proc_cache_exec(struct proc_cache *pc, uint32_t pid, uint32_t ppid, const char *comm,
		    const char *exe, size_t exe_len, const char *argv, size_t argv_len,
		    int argv_truncated, const char *cwd, size_t cwd_len)
{
	struct proc_entry *e = fresh(pc, pid);

	if (!e)
		return -ENOMEM;
	e->info.ppid = ppid;
	snprintf(e->info.comm, sizeof(e->info.comm), "%s", comm ? comm : "");
	e->info.exe = dupn(exe, exe_len);
	e->info.argv = dupn(argv, argv_len);
	e->info.argv_len = e->info.argv ? argv_len : 0;
	e->info.argv_truncated = argv_truncated;
	e->info.cwd = dupn(cwd, cwd_len);
	return 0;
}

void proc_cache_set_exe_flags(struct proc_cache *pc, uint32_t pid, unsigned int flags)
{
	struct proc_entry *e = find(pc, pid);

	if (e)
		e->info.exe_flags = flags;
}

void proc_cache_set_place(struct proc_cache *pc, uint32_t pid, uint64_t ctr_cgroup_id, uint32_t vpid)
{
	struct proc_entry *e = find(pc, pid);

	if (!e)
		return;
	e->info.place_known = true;
	e->info.vpid = vpid;
	e->info.ctr_cgroup_id = ctr_cgroup_id;
}

void proc_cache_set_exec_caps(struct proc_cache *pc, uint32_t pid, uint64_t caps)
{
	struct proc_entry *e = find(pc, pid);

	if (!e)
		return;
	e->info.exec_caps = caps;
	e->info.exec_caps_known = true;
}

int proc_cache_fork(struct proc_cache *pc, uint32_t pid, uint32_t ppid, const char *comm)
{
	struct proc_entry *parent = find(pc, ppid), *e;
	struct proc_info copy = { 0 };

	if (parent) {
		copy = parent->info;	/* shallow; duplicated below */
	}
	e = fresh(pc, pid);
	if (!e)
		return -ENOMEM;
	e->info.ppid = ppid;
	snprintf(e->info.comm, sizeof(e->info.comm), "%s", comm ? comm : "");
	if (parent) {
		/* fresh() may have reallocated nothing: parent != e as pid != ppid */
		e->info.exe = copy.exe ? strdup(copy.exe) : NULL;
		e->info.argv = dupn(copy.argv, copy.argv_len);
		e->info.argv_len = e->info.argv ? copy.argv_len : 0;
		e->info.argv_truncated = copy.argv_truncated;
		e->info.cwd = copy.cwd ? strdup(copy.cwd) : NULL;
		e->info.exe_flags = copy.exe_flags;
		e->info.exec_caps = copy.exec_caps;
		e->info.exec_caps_known = copy.exec_caps_known;
		e->info.exe_origin = copy.exe_origin ? strdup(copy.exe_origin) : NULL;
		e->info.exe_package = copy.exe_package ? strdup(copy.exe_package) : NULL;
	}
	return 0;
}

void proc_cache_set_origin(struct proc_cache *pc, uint32_t pid, const char *origin, const char *package)
{
	struct proc_entry *e = find(pc, pid);

	if (!e)
		return;
	free(e->info.exe_origin);
	e->info.exe_origin = origin && *origin ? strdup(origin) : NULL;
	free(e->info.exe_package);
	e->info.exe_package = package && *package ? strdup(package) : NULL;
}

void proc_cache_set_padding(struct proc_cache *pc, uint32_t pid, uint64_t padding)
{
	struct proc_entry *e = find(pc, pid);

	if (e)
		e->info.exe_padding = padding;
}

void proc_cache_exit(struct proc_cache *pc, uint32_t pid)
{
	struct proc_entry *e = find(pc, pid);

	if (!e)
		return;
	HASH_DEL(pc->by_pid, e);
	entry_free(e);
	pc->count--;
}

size_t proc_cache_count(struct proc_cache *pc)
{
	return pc->count;
}

void proc_cache_each(struct proc_cache *pc, void (*fn)(void *arg, const struct proc_info *pi), void *arg)
{
	struct proc_entry *e, *tmp;

	HASH_ITER(hh, pc->by_pid, e, tmp)
		fn(arg, &e->info);
}

size_t proc_cache_sweep(struct proc_cache *pc, int (*alive)(uint32_t pid))
{
	struct proc_entry *e, *tmp;
	size_t n = 0;

	HASH_ITER(hh, pc->by_pid, e, tmp) {
		if (alive(e->info.pid))
			continue;
		HASH_DEL(pc->by_pid, e);
		entry_free(e);
		pc->count--;
		n++;
	}
	return n;
}

size_t proc_argv_join(const struct proc_info *pi, int skip, const char *prefix, char *buf, size_t cap)
{
	size_t n = 0, i = 0, len = pi->argv ? pi->argv_len : 0;
	int argi = 0;

	buf[0] = '\0';
	if (len && !pi->argv[len - 1])
		len--;
	if (prefix)
		n = snprintf(buf, cap, "%s", prefix);
	if (n >= cap)
		n = cap - 1;
	while (i < len && n + 2 < cap) {
		size_t start = i;

		while (i < len && pi->argv[i])
			i++;
		if (argi++ >= skip) {
			size_t k = i - start;

			if (n && n + 1 < cap)
				buf[n++] = ' ';
			if (n + k >= cap)
				k = cap - n - 1;
			memcpy(buf + n, pi->argv + start, k);
			n += k;
		}
		i++;
	}
	buf[n] = '\0';
	return n;
}

const char *proc_stat_read(const char *procfs, uint32_t pid, char *buf, size_t len)
{
	char path[PATH_MAX];
	const char *rp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/stat", procfs, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	if (!rp || !strchr(buf, '(') || rp < strchr(buf, '(')) {
		errno = EBADMSG;
		return NULL;
	}
	return rp;
}

/* readlink of /proc/PID/<what>, shown relative to the process's own root. */
static char *proc_link(const char *procfs, const char *pid, const char *what, const char *root)
{
	char path[PATH_MAX], buf[PATH_MAX];
	size_t rlen = root ? strlen(root) : 0;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", procfs, pid, what);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	/* a container's files appear under its root's host path: strip it */
	if (rlen > 1 && !strncmp(buf, root, rlen) && (buf[rlen] == '/' || !buf[rlen]))
		return strdup(buf[rlen] ? buf + rlen : "/");
	return strdup(buf);
}

static int seed_one(struct proc_cache *pc, const char *procfs, const char *pid_s)
{
	char path[PATH_MAX], stat[1024], argv[VIGIL_ARGV_MAX];
	char comm[16] = "", *root, *exe, *cwd;
	const char *lp, *rp;
	uint32_t pid = strtoul(pid_s, NULL, 10), ppid = 0;
	ssize_t n, alen = 0;
	int fd;

	/* "pid (comm) state ppid": comm may hold ')' */
	if (!(rp = proc_stat_read(procfs, pid, stat, sizeof(stat))))
		return -errno;
	lp = strchr(stat, '(');
	snprintf(comm, sizeof(comm), "%.*s", (int)(rp - lp - 1), lp + 1);
	sscanf(rp + 1, " %*c %u", &ppid);

	snprintf(path, sizeof(path), "%s/%s/cmdline", procfs, pid_s);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		alen = read(fd, argv, sizeof(argv));
		close(fd);
		if (alen < 0)
			alen = 0;
	}
	root = proc_link(procfs, pid_s, "root", NULL);
	exe = proc_link(procfs, pid_s, "exe", root);
	cwd = proc_link(procfs, pid_s, "cwd", root);
	/* the kernel argv area ends in NUL; the agent stores it without */
	if (alen > 0 && argv[alen - 1] == '\0')
		alen--;
	n = proc_cache_exec(pc, pid, ppid, comm, exe, exe ? strlen(exe) : 0, alen ? argv : NULL,
			    alen, alen == (ssize_t)sizeof(argv), cwd, cwd ? strlen(cwd) : 0);
	free(root);
	free(exe);
	free(cwd);
	return n;
}

int proc_cache_seed(struct proc_cache *pc, const char *procfs)
{
	struct dirent *d;
	DIR *dir = opendir(procfs);
	int n = 0;

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		if (seed_one(pc, procfs, d->d_name) == 0)
			n++;
	}
	closedir(dir);
	return n;
}
