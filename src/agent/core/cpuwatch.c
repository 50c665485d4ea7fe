/* cpuwatch.c - container processes that keep a CPU busy (see cpuwatch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uthash.h>

#include "abi/abi.h"
#include "core/cpuwatch.h"
#include "proc/proc_cache.h"

struct cpu_proc {
	uint32_t pid;
	uint64_t start_ticks;
	uint64_t prev_cpu_ns, prev_ns;
	uint64_t busy_since_ns;		/* 0: not busy in the last sample */
	uint64_t busy_cpu_ns;		/* its CPU time when the busy stretch began */
	bool reported;
	unsigned int gen;
	UT_hash_handle hh;
};

struct cpuwatch {
	uint64_t sustain_ns;
	unsigned int gen;
	struct cpu_proc *by_pid;
};

struct cpuwatch *cpuwatch_new(unsigned int sustain_s)
{
	struct cpuwatch *w = calloc(1, sizeof(*w));

	if (w)
		w->sustain_ns = (uint64_t)sustain_s * 1000000000ULL;
	return w;
}

void cpuwatch_free(struct cpuwatch *w)
{
	struct cpu_proc *p, *tmp;

	if (!w)
		return;
	HASH_ITER(hh, w->by_pid, p, tmp) {
		HASH_DEL(w->by_pid, p);
		free(p);
	}
	free(w);
}

bool cpuwatch_sample(struct cpuwatch *w, uint32_t pid, uint64_t start_ticks, uint64_t cpu_ns, uint64_t now_ns,
		     struct cpu_hog *hog)
{
	struct cpu_proc *p;
	uint64_t dt, dc, span;

	HASH_FIND(hh, w->by_pid, &pid, sizeof(pid), p);
	if (p && p->start_ticks != start_ticks) {
		/* the pid was reused: another process */
		HASH_DEL(w->by_pid, p);
		free(p);
		p = NULL;
	}
	if (!p) {
		if (!(p = calloc(1, sizeof(*p))))
			return false;
		p->pid = pid;
		p->start_ticks = start_ticks;
		p->prev_cpu_ns = cpu_ns;
		p->prev_ns = now_ns;
		p->gen = w->gen;
		HASH_ADD(hh, w->by_pid, pid, sizeof(uint32_t), p);
		return false;
	}
	p->gen = w->gen;
	if (now_ns <= p->prev_ns || cpu_ns < p->prev_cpu_ns)
		return false;
	dt = now_ns - p->prev_ns;
	dc = cpu_ns - p->prev_cpu_ns;
	if (dc * 100 >= dt * CPUWATCH_BUSY_PERCENT) {
		if (!p->busy_since_ns) {
			p->busy_since_ns = p->prev_ns;
			p->busy_cpu_ns = p->prev_cpu_ns;
		}
	} else {
		p->busy_since_ns = 0;
	}
	p->prev_ns = now_ns;
	p->prev_cpu_ns = cpu_ns;
	if (!p->busy_since_ns || p->reported || now_ns - p->busy_since_ns < w->sustain_ns)
		return false;
	p->reported = true;	/* once per process: a miner runs for hours */
	span = now_ns - p->busy_since_ns;
	hog->pid = pid;
	hog->start_ticks = start_ticks;
	hog->seconds = span / 1000000000ULL;
	hog->cpu_ns = cpu_ns - p->busy_cpu_ns;
	hog->percent = span ? hog->cpu_ns * 100 / span : 0;
	return true;
}

void cpuwatch_sweep(struct cpuwatch *w)
{
	struct cpu_proc *p, *tmp;

	HASH_ITER(hh, w->by_pid, p, tmp) {
		if (p->gen == w->gen)
			continue;
		HASH_DEL(w->by_pid, p);
		free(p);
	}
	w->gen++;
}

bool cpuwatch_read_stat(const char *procfs, uint32_t pid, uint64_t *cpu_ns, uint64_t *start_ticks)
{
	char buf[1024], *p, *save = NULL, *tok;
	unsigned long long utime = 0, stime = 0, start = 0;
	long hz = sysconf(_SC_CLK_TCK);
	int i;

	/* the fields follow the name's last ')' */
	p = (char *)proc_stat_read(procfs, pid, buf, sizeof(buf));
	if (!p || hz <= 0)
		return false;
	/* after ')': state is field 3, utime 14, stime 15, starttime 22 */
	for (i = 3, tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save), i++) {
		if (i == 14)
			utime = strtoull(tok, NULL, 10);
		else if (i == 15)
			stime = strtoull(tok, NULL, 10);
		else if (i == 22) {
			start = strtoull(tok, NULL, 10);
			break;
		}
	}
	if (i != 22)
		return false;
	*cpu_ns = (utime + stime) * (1000000000ULL / (unsigned long long)hz);
	*start_ticks = start;
	return true;
}

bool cpuwatch_read_status(const char *procfs, uint32_t pid, struct vigil_proc *out)
{
	char path[64], line[512];
	unsigned int a, b, c;
	unsigned long long cap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/status", procfs, pid);
	if (!(f = fopen(path, "re")))
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:\t", 6)) {
			size_t n = strcspn(line + 6, "\n");

			/* a name of 15 bytes at most, escaped by procfs */
			memset(out->comm, 0, sizeof(out->comm));
			memcpy(out->comm, line + 6, n < sizeof(out->comm) ? n : sizeof(out->comm) - 1);
		} else if (sscanf(line, "Uid:\t%u\t%u\t%u", &a, &b, &c) == 3) {
			out->uid = a;
			out->euid = b;
		} else if (sscanf(line, "Gid:\t%u", &a) == 1) {
			out->gid = a;
		} else if (sscanf(line, "PPid:\t%u", &a) == 1) {
			out->ppid = a;
		} else if (sscanf(line, "CapEff:\t%llx", &cap) == 1) {
			out->cap_effective = cap;
		} else if (sscanf(line, "CapPrm:\t%llx", &cap) == 1) {
			out->cap_permitted = cap;
		}
	}
	fclose(f);
	return true;
}
