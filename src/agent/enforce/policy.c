/*
 * policy.c - the lowered rules in the kernel's policy maps (see enforce.h).
 *
 * Entries are keyed by (container, hook); container 0 holds the rules for
 * every container.  A container gets entries of its own only for hooks
 * where its lowering differs from container 0's (a rule naming its image,
 * say), so most containers cost no map space at all.  Sets are shared by
 * content and counted; a set is written before the first entry that uses
 * it and removed after the last one is gone, so the kernel never looks in
 * a set that is not there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "bpf/maps.h"
#include "bpf/syscalls.h"
#include "enforce/enforce.h"
#include "util/log.h"

struct kset {
	uint64_t id;
	unsigned int refs;
	struct lset set;		/* a copy: what to delete */
	UT_hash_handle hh;
};

/* What one container (0: every container) has in the kernel. */
struct written {
	uint64_t ctr;
	uint32_t hooks[64];
	size_t n_hooks;
	uint64_t *sets;
	size_t n_sets;
	UT_hash_handle hh;
};

struct enforce {
	struct loader *ld;
	struct enforce_opts o;
	const struct ruleset *rs;
	uint32_t gen;
	struct lowered def;		/* the rules for every container */
	struct written *by_ctr;
	struct kset *sets;
	unsigned int kill_refs[VIGIL_NR_SYSCALLS];
	uint64_t kill_bits[VIGIL_NR_SYSCALLS / 64];
	/* rule names of the last two generations: records in flight name older rules */
	char **names[2];
	size_t n_names[2];
	uint32_t names_gen[2];
	size_t n_kernel, n_agent;
	int swept;
	struct synflood *syn;
};

static void names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct enforce *enforce_new(struct loader *ld, const struct enforce_opts *o)
{
	struct enforce *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->ld = ld;
	e->o = *o;
	if (o->syn_rate) {
		e->syn = synflood_new(ld, o);
		if (!e->syn)
			log_warnx("SYN flood detection: not started");
	}
	return e;
}

void enforce_free(struct enforce *e)
{
	struct written *w, *wt;
	struct kset *k, *kt;
	int i;

	if (!e)
		return;
	synflood_free(e->syn);
	HASH_ITER(hh, e->by_ctr, w, wt) {
		HASH_DEL(e->by_ctr, w);
		free(w->sets);
		free(w);
	}
	HASH_ITER(hh, e->sets, k, kt) {
		HASH_DEL(e->sets, k);
		free(k->set.items);
		free(k);
	}
	for (i = 0; i < 2; i++)
		names_free(e->names[i], e->n_names[i]);
	lowered_free(&e->def);
	free(e);
}

/* ---- sets ---- */

static void lpm_key(struct vigil_pol_lpm_key *k, uint64_t id, const struct lset_item *it, enum lset_kind kind)
{
	size_t n;

	memset(k, 0, sizeof(*k));
	k->set_lo = (uint32_t)id;
	k->set_hi = (uint32_t)(id >> 32);
	if (kind == LSET_ADDR) {
		memcpy(k->data, it->net.addr, 16);
		k->prefixlen = VIGIL_POL_LPM_BITS(0) + it->net.bits;
		return;
	}
	n = strnlen(it->path, VIGIL_POL_PATH - 1);
	memcpy(k->data, it->path, n);
	/* an exact path with its NUL; a prefix without */
	k->prefixlen = VIGIL_POL_LPM_BITS(it->prefix ? n : n + 1);
}

static int set_write(struct enforce *e, const struct lset *s, bool add)
{
	struct vigil_pol_lpm_key lk;
	struct vigil_pol_val_key vk;
	size_t i;
	int err = 0, r;

	for (i = 0; i < s->n; i++) {
		if (s->kind == LSET_VAL) {
			vk.set = s->id;
			vk.val = s->items[i].val;
			r = kmaps_pol_val(e->ld, &vk, add);
		} else {
			lpm_key(&lk, s->id, &s->items[i], s->kind);
			r = kmaps_pol_lpm(e->ld, &lk, add);
		}
		if (r && !err)
			err = r;
	}
	return err;
}

static const struct lset *find_set(const struct lowered *l, uint64_t id)
{
	size_t i;

	for (i = 0; i < l->n_sets; i++)
		if (l->sets[i].id == id)
			return &l->sets[i];
	return NULL;
}

static int set_ref(struct enforce *e, const struct lset *s)
{
	struct kset *k;
	int err;

	HASH_FIND(hh, e->sets, &s->id, sizeof(s->id), k);
	if (k) {
		k->refs++;
		return 0;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->id = s->id;
	k->refs = 1;
	k->set = *s;
	k->set.items = malloc((s->n ? s->n : 1) * sizeof(*s->items));
	if (!k->set.items) {
		free(k);
		return -ENOMEM;
	}
	memcpy(k->set.items, s->items, s->n * sizeof(*s->items));
	if ((err = set_write(e, s, true))) {
		set_write(e, s, false);
		free(k->set.items);
		free(k);
		return err;
	}
	HASH_ADD(hh, e->sets, id, sizeof(k->id), k);
	return 0;
}

static void set_unref(struct enforce *e, uint64_t id)
{
	struct kset *k;

	HASH_FIND(hh, e->sets, &id, sizeof(id), k);
	if (!k || --k->refs)
		return;
	set_write(e, &k->set, false);
	HASH_DEL(e->sets, k);
	free(k->set.items);
	free(k);
}

/* ---- entries ---- */

/* The entry of hook from l's clauses (rule order); false when l has none. */
static bool entry_of(const struct lowered *l, uint32_t hook, uint32_t gen, struct vigil_pol_entry *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->gen = gen;
	for (i = 0; i < l->n_cl && out->n < VIGIL_POL_CLAUSES; i++)
		if (l->cl[i].hook == hook)
			out->c[out->n++] = l->cl[i].c;
	return out->n > 0;
}

static bool has_hook(const uint32_t *hooks, size_t n, uint32_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (hooks[i] == h)
			return true;
	return false;
}

static void kill_ref(struct enforce *e, uint32_t hook, int d)
{
	if (hook >= VIGIL_NR_SYSCALLS)
		return;
	e->kill_refs[hook] += d;
	if (e->kill_refs[hook])
		e->kill_bits[hook / 64] |= 1ULL << (hook % 64);
	else
		e->kill_bits[hook / 64] &= ~(1ULL << (hook % 64));
}

static void update_cfg(struct enforce *e)
{
	struct vigil_pol_cfg cfg = { .enforce = e->o.enforce, .gen = e->gen, .active = HASH_COUNT(e->by_ctr) > 0 };
	int missing;

	if (kmaps_pol_cfg(e->ld, &cfg))
		log_warnx("enforcement switch: not written");
	missing = loader_set_kill_syscalls(e->ld, e->kill_bits);
	if (missing < 0)
		log_warnx("kill at syscall entry: %s", strerror(-missing));
}

/*
 * Writes l as container ctr's entries (ctr 0: every container's), leaving
 * out hooks where base (container 0's) says the same.  Entries are put
 * before the old ones go, so the kernel is never without one.
 */
static int apply(struct enforce *e, uint64_t ctr, const struct lowered *l, const struct lowered *base)
{
	struct written *w, nw = { .ctr = ctr };
	struct vigil_pol_entry ent, bent;
	uint64_t *sets = NULL;
	size_t i, j, n_sets = 0;
	int err = 0;

	HASH_FIND(hh, e->by_ctr, &ctr, sizeof(ctr), w);
	/* the hooks and the sets their clauses use */
	for (i = 0; i < l->n_cl; i++) {
		uint32_t h = l->cl[i].hook;

		if (has_hook(nw.hooks, nw.n_hooks, h))
			continue;
		if (nw.n_hooks == sizeof(nw.hooks) / sizeof(nw.hooks[0])) {
			log_warnx("enforcement: more than %zu hooks for one container; the rest by the agent",
				  nw.n_hooks);
			break;
		}
		entry_of(l, h, e->gen, &ent);
		if (base && entry_of(base, h, e->gen, &bent) && !memcmp(&ent, &bent, sizeof(ent)))
			continue;	/* container 0's entry says the same */
		nw.hooks[nw.n_hooks++] = h;
		for (j = 0; j < ent.n; j++) {
			int k;

			for (k = 0; k < ent.c[j].n; k++) {
				__u8 kind = ent.c[j].a[k].kind;
				uint64_t id = ent.c[j].a[k].set;
				size_t s;

				if (kind != VIGIL_A_ARG_SET && kind != VIGIL_A_PATH_SET && kind != VIGIL_A_PORT_SET &&
				    kind != VIGIL_A_ADDR_SET)
					continue;
				for (s = 0; s < n_sets && sets[s] != id; s++)
					;
				if (s < n_sets)
					continue;
				uint64_t *v = realloc(sets, (n_sets + 1) * sizeof(*v));

				if (!v) {
					free(sets);
					return -ENOMEM;
				}
				sets = v;
				sets[n_sets++] = id;
			}
		}
	}
	for (i = 0; i < n_sets && !err; i++) {
		const struct lset *s = find_set(l, sets[i]);

		err = s ? set_ref(e, s) : -ENOENT;
		if (err) {
			while (i--)
				set_unref(e, sets[i]);
			free(sets);
			return err;
		}
	}
	for (i = 0; i < nw.n_hooks; i++) {
		entry_of(l, nw.hooks[i], e->gen, &ent);
		if ((err = kmaps_policy_put(e->ld, ctr, nw.hooks[i], &ent)))
			log_warnx("policy entry %llu/%u: %s", (unsigned long long)ctr, nw.hooks[i], strerror(-err));
		kill_ref(e, nw.hooks[i], +1);
	}
	if (w) {
		for (i = 0; i < w->n_hooks; i++) {
			if (!has_hook(nw.hooks, nw.n_hooks, w->hooks[i]))
				kmaps_policy_del(e->ld, ctr, w->hooks[i]);
			kill_ref(e, w->hooks[i], -1);
		}
		for (i = 0; i < w->n_sets; i++)
			set_unref(e, w->sets[i]);
		free(w->sets);
		memcpy(w->hooks, nw.hooks, sizeof(nw.hooks));
		w->n_hooks = nw.n_hooks;
	} else if (nw.n_hooks) {
		if (!(w = calloc(1, sizeof(*w)))) {
			free(sets);
			return -ENOMEM;
		}
		*w = nw;
		HASH_ADD(hh, e->by_ctr, ctr, sizeof(w->ctr), w);
	}
	if (w) {
		w->sets = sets;
		w->n_sets = n_sets;
		if (!w->n_hooks) {
			HASH_DEL(e->by_ctr, w);
			free(w->sets);
			free(w);
		}
	} else {
		free(sets);
	}
	return 0;
}

static void keep_names(struct enforce *e, const struct ruleset *rs)
{
	unsigned int slot = e->gen % 2;
	const struct rule *r;
	size_t i, n = 0;

	names_free(e->names[slot], e->n_names[slot]);
	while (ruleset_rule(rs, n))
		n++;
	e->names[slot] = calloc(n + 1, sizeof(char *));
	e->n_names[slot] = 0;
	for (i = 0; e->names[slot] && (r = ruleset_rule(rs, i)); i++)
		e->names[slot][e->n_names[slot]++] = strdup(rule_name(r));
	e->names_gen[slot] = e->gen;
}

int enforce_rules(struct enforce *e, const struct ruleset *rs)
{
	struct lowered l;
	size_t i;
	int err;

	e->rs = rs;
	e->gen++;
	keep_names(e, rs);
	if ((err = rules_lower(rs, NULL, &l)))
		return err;
	err = apply(e, 0, &l, NULL);
	lowered_free(&e->def);
	e->def = l;
	e->n_kernel = e->n_agent = 0;
	for (i = 0; i < l.n_rules; i++) {
		if (!l.rules[i].action)
			continue;
		if (l.rules[i].hooks || l.rules[i].per_container)
			e->n_kernel++;
		if (l.rules[i].agent)
			e->n_agent++;
	}
	update_cfg(e);
	return err;
}

int enforce_container(struct enforce *e, const struct ctr_info *c)
{
	struct written *w;
	struct lowered l;
	int err;

	if (!e || !e->rs || !(e->n_kernel))
		return 0;
	if ((err = rules_lower(e->rs, c, &l)))
		return err;
	err = apply(e, c->cgroup_id, &l, &e->def);
	lowered_free(&l);
	HASH_FIND(hh, e->by_ctr, &c->cgroup_id, sizeof(c->cgroup_id), w);
	update_cfg(e);
	return err ? err : w ? (int)w->n_hooks : 0;
}

void enforce_forget(struct enforce *e, uint64_t cgid)
{
	struct written *w;
	size_t i;

	if (!e)
		return;
	HASH_FIND(hh, e->by_ctr, &cgid, sizeof(cgid), w);
	if (!w || !cgid)
		return;
	for (i = 0; i < w->n_hooks; i++) {
		kmaps_policy_del(e->ld, cgid, w->hooks[i]);
		kill_ref(e, w->hooks[i], -1);
	}
	for (i = 0; i < w->n_sets; i++)
		set_unref(e, w->sets[i]);
	HASH_DEL(e->by_ctr, w);
	free(w->sets);
	free(w);
	update_cfg(e);
}

const char *enforce_rule_name(const struct enforce *e, const struct vigil_pol_outcome *o)
{
	int i;

	for (i = 0; i < 2; i++)
		if (e->names[i] && e->names_gen[i] == o->gen && o->rule < e->n_names[i])
			return e->names[i][o->rule];
	return NULL;
}

const struct lrule *enforce_rule_info(const struct enforce *e, size_t i)
{
	return i < e->def.n_rules ? &e->def.rules[i] : NULL;
}

bool enforce_acting(const struct enforce *e)
{
	return e && e->o.enforce;
}

void enforce_describe(const struct enforce *e, char *buf, size_t len)
{
	size_t n = 0, nr;
	int k;

	n += snprintf(buf + n, len - n, "%s; %zu rule(s) with an action decided in the kernel, %zu by the agent",
		      e->o.enforce ? "enforcing" : "audit mode (--enforce to act)", e->n_kernel, e->n_agent);
	for (nr = 0, k = 0; nr < VIGIL_NR_SYSCALLS && n < len; nr++)
		if (e->ld->kill_links[nr])
			n += snprintf(buf + n, len - n, "%s%s", k++ ? "," : "; kill at entry of ", sys_name(nr));
}

/* Every turn of the agent's loop: cheap (one recv) when nothing changed. */
void enforce_poll(struct enforce *e)
{
	if (e && e->syn)
		synflood_poll(e->syn);
}

void enforce_tick(struct enforce *e)
{
	if (e && e->syn)
		synflood_scan(e->syn);
}

static int sweep_policy(void *arg, const void *key)
{
	struct enforce *e = arg;
	const struct vigil_pol_key *k = key;
	struct written *w;

	HASH_FIND(hh, e->by_ctr, &k->ctr, sizeof(k->ctr), w);
	if (w && has_hook(w->hooks, w->n_hooks, k->hook))
		return 0;
	kmaps_policy_del(e->ld, k->ctr, k->hook);
	e->swept++;
	return 0;
}

static bool set_live(struct enforce *e, uint64_t id)
{
	struct kset *k;

	HASH_FIND(hh, e->sets, &id, sizeof(id), k);
	return k != NULL;
}

static int sweep_lpm(void *arg, const void *key)
{
	struct enforce *e = arg;
	const struct vigil_pol_lpm_key *k = key;

	if (set_live(e, k->set_lo | ((uint64_t)k->set_hi << 32)))
		return 0;
	kmaps_pol_lpm(e->ld, k, false);
	e->swept++;
	return 0;
}

static int sweep_val(void *arg, const void *key)
{
	struct enforce *e = arg;
	const struct vigil_pol_val_key *k = key;

	if (set_live(e, k->set))
		return 0;
	kmaps_pol_val(e->ld, k, false);
	e->swept++;
	return 0;
}

int enforce_sweep(struct enforce *e)
{
	if (!e)
		return 0;
	e->swept = 0;
	/* entries first: no entry may name a set that is gone */
	kmaps_policy_each(e->ld, sweep_policy, e);
	kmaps_pol_lpm_each(e->ld, sweep_lpm, e);
	kmaps_pol_val_each(e->ld, sweep_val, e);
	return e->swept;
}
