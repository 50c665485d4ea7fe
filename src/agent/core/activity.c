/* activity.c - recent per-container activity (see activity.h). */
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "abi/abi.h"
#include "core/activity.h"
#include "util/hash.h"

struct act_entry {
	struct ctr_activity a;
	UT_hash_handle hh;
};

struct activity {
	struct act_entry *by_cgid;
};

struct activity *activity_new(void)
{
	return calloc(1, sizeof(struct activity));
}

void activity_free(struct activity *a)
{
	struct act_entry *e, *tmp;

	if (!a)
		return;
	HASH_ITER(hh, a->by_cgid, e, tmp) {
		HASH_DEL(a->by_cgid, e);
		free(e);
	}
	free(a);
}

struct ctr_activity *activity_of(struct activity *a, uint64_t cgid)
{
	struct act_entry *e;

	HASH_FIND(hh, a->by_cgid, &cgid, sizeof(cgid), e);
	if (e)
		return &e->a;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->a.cgid = cgid;
	HASH_ADD(hh, a->by_cgid, a.cgid, sizeof(uint64_t), e);
	return &e->a;
}

void activity_forget(struct activity *a, uint64_t cgid)
{
	struct act_entry *e;

	HASH_FIND(hh, a->by_cgid, &cgid, sizeof(cgid), e);
	if (e) {
		HASH_DEL(a->by_cgid, e);
		free(e);
	}
}

void activity_connect(struct ctr_activity *c, const uint8_t addr[16], uint16_t port, uint64_t ts)
{
	unsigned int i = c->next++ % CTR_RECENT_TARGETS;
	uint64_t key = fnv1a_bytes(FNV1A_INIT, addr, 16);

	/* and the port */
	key = (key ^ port) * 0x100000001b3ull;
	c->key[i] = key;
	c->ts[i] = ts;
}

unsigned int activity_recent_targets(const struct ctr_activity *c, uint64_t now)
{
	unsigned int i, j, n = 0;

	/* 64 entries: a quadratic distinct count is cheaper than a hash here */
	for (i = 0; i < CTR_RECENT_TARGETS; i++) {
		if (!c->ts[i] || c->ts[i] > now || now - c->ts[i] > CTR_RECENT_WINDOW_NS)
			continue;
		for (j = 0; j < i; j++)
			if (c->key[j] == c->key[i] && c->ts[j] && c->ts[j] <= now &&
			    now - c->ts[j] <= CTR_RECENT_WINDOW_NS)
				break;
		if (j == i)
			n++;
	}
	return n;
}

void activity_stdio(struct ctr_activity *c, const struct stdio_use *u)
{
	c->stdio[c->stdio_next++ % CTR_RECENT_STDIO] = *u;
}

const struct stdio_use *activity_stdio_find(const struct ctr_activity *c, unsigned int fd, unsigned int kind,
					    uint32_t dev, uint64_t ino, uint32_t not_pid, uint64_t now)
{
	unsigned int k;

	/* newest first: the ring's last write is at stdio_next - 1 */
	for (k = 1; k <= CTR_RECENT_STDIO; k++) {
		const struct stdio_use *u = &c->stdio[(c->stdio_next - k) % CTR_RECENT_STDIO];

		/* two CPUs' records may come a little out of order: a later one is recent */
		if (!u->ts || (u->ts < now && now - u->ts > CTR_STDIO_WINDOW_NS))
			continue;
		if (u->fd != fd || u->kind != kind || u->ino != ino || u->pid == not_pid)
			continue;
		if (kind != VIGIL_STDIO_PIPE && u->dev != dev)
			continue;
		return u;
	}
	return NULL;
}

void activity_exec(struct ctr_activity *c, const char *exe, uint64_t ts, uint64_t created_ns)
{
	uint64_t h;
	unsigned int i;

	if (!c->startup_until_ns)
		c->startup_until_ns = created_ns ? ts + CTR_STARTUP_NS : 1;
	if (!exe || ts > c->startup_until_ns)
		return;
	h = fnv1a_str(exe);
	for (i = 0; i < c->n_startup_exe; i++)
		if (c->startup_exe[i] == h)
			return;
	if (c->n_startup_exe < CTR_STARTUP_EXES)
		c->startup_exe[c->n_startup_exe++] = h;
}

bool activity_startup_exe(const struct ctr_activity *c, const char *exe)
{
	uint64_t h;
	unsigned int i;

	if (!exe)
		return false;
	h = fnv1a_str(exe);
	for (i = 0; i < c->n_startup_exe; i++)
		if (c->startup_exe[i] == h)
			return true;
	return false;
}
