/* lower.c - rules with an action, lowered for the kernel (see lower.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/decode.h"
#include "bpf/syscalls.h"
#include "rules/lower.h"
#include "rules/ruleset_priv.h"
#include "rules/src.h"
#include "util/names.h"
#include "util/netaddr.h"

/* ---- a residue: what is left of a condition for one event type ---- */

enum lk { LK_FALSE, LK_TRUE, LK_ATOM, LK_AND, LK_OR, LK_NOT, LK_OPAQUE, LK_CTR };

struct lnode {
	enum lk k;
	struct lnode *l, *r;
	struct vigil_pol_atom a;
	struct lnode *next;	/* allocation list */
};

enum cat { CAT_NONE, CAT_SYSCALL, CAT_EXEC, CAT_NET };

struct lctx {
	const struct ctr_info *ctr;	/* NULL: any container */
	const char *type;		/* the event type lowered for */
	enum cat cat;
	int nr;				/* CAT_SYSCALL */
	struct lowered *out;
	struct lnode *nodes;
	char opaque[128];		/* the first field that kept it out */
	bool nomem;
};

static struct lnode *node(struct lctx *x, enum lk k)
{
	struct lnode *n = calloc(1, sizeof(*n));

	if (!n) {
		x->nomem = true;
		return NULL;
	}
	n->k = k;
	n->next = x->nodes;
	x->nodes = n;
	return n;
}

static struct lnode *konst(struct lctx *x, bool v)
{
	return node(x, v ? LK_TRUE : LK_FALSE);
}

static struct lnode *opaque(struct lctx *x, const struct expr *e, const char *why)
{
	if (!x->opaque[0])
		snprintf(x->opaque, sizeof(x->opaque), "%s%s%s", e ? e->f->name : "", why ? " " : "", why ? why : "");
	return node(x, LK_OPAQUE);
}

static struct lnode *atom(struct lctx *x, __u8 kind, __u64 set, __u8 arg, bool neg)
{
	struct lnode *n = node(x, LK_ATOM);

	if (n) {
		n->a.kind = kind;
		n->a.set = set;
		n->a.arg = arg;
		n->a.neg = neg;
	}
	return n;
}

static struct lnode *mk2(struct lctx *x, enum lk k, struct lnode *a, struct lnode *b)
{
	struct lnode *n;

	if (!a || !b)
		return NULL;
	if (k == LK_AND) {
		if (a->k == LK_FALSE || b->k == LK_FALSE)
			return konst(x, false);
		if (a->k == LK_TRUE)
			return b;
		if (b->k == LK_TRUE)
			return a;
	} else {
		if (a->k == LK_TRUE || b->k == LK_TRUE)
			return konst(x, true);
		if (a->k == LK_FALSE)
			return b;
		if (b->k == LK_FALSE)
			return a;
	}
	if (!(n = node(x, k)))
		return NULL;
	n->l = a;
	n->r = b;
	return n;
}

static struct lnode *mk_not(struct lctx *x, struct lnode *a)
{
	struct lnode *n;

	if (!a)
		return NULL;
	if (a->k == LK_TRUE || a->k == LK_FALSE)
		return konst(x, a->k == LK_FALSE);
	if (a->k == LK_ATOM) {
		n = atom(x, a->a.kind, a->a.set, a->a.arg, !a->a.neg);
		return n;
	}
	if (!(n = node(x, LK_NOT)))
		return NULL;
	n->l = a;
	return n;
}

static bool contains(const struct lnode *n, enum lk k)
{
	if (!n)
		return false;
	if (n->k == k)
		return true;
	return contains(n->l, k) || contains(n->r, k);
}

/* ---- sets ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static uint64_t set_id(const struct lset *s)
{
	uint64_t h = fnv(0xcbf29ce484222325ULL, &s->kind, sizeof(s->kind));
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct lset_item *it = &s->items[i];

		if (s->kind == LSET_VAL)
			h = fnv(h, &it->val, sizeof(it->val));
		else if (s->kind == LSET_ADDR)
			h = fnv(h, &it->net, sizeof(it->net));
		else
			h = fnv(fnv(h, it->path, strlen(it->path) + 1), &it->prefix, sizeof(it->prefix));
	}
	return h;
}

/* Adds set s (its items are taken) to the output, or finds its twin; its id. */
static uint64_t set_add(struct lctx *x, struct lset *s)
{
	struct lowered *o = x->out;
	size_t i;

	s->id = set_id(s);
	for (i = 0; i < o->n_sets; i++)
		if (o->sets[i].id == s->id) {
			free(s->items);
			return s->id;
		}
	if (o->n_sets == o->cap_sets) {
		size_t cap = o->cap_sets ? 2 * o->cap_sets : 8;
		struct lset *v = realloc(o->sets, cap * sizeof(*v));

		if (!v) {
			x->nomem = true;
			free(s->items);
			return 0;
		}
		o->sets = v;
		o->cap_sets = cap;
	}
	o->sets[o->n_sets++] = *s;
	return s->id;
}

static struct lset_item *set_push(struct lctx *x, struct lset *s)
{
	struct lset_item *v = realloc(s->items, (s->n + 1) * sizeof(*v));

	if (!v) {
		x->nomem = true;
		return NULL;
	}
	s->items = v;
	memset(&v[s->n], 0, sizeof(v[s->n]));
	return &v[s->n++];
}

/* ---- one comparison ---- */

/* For a boolean field: is the comparison true when the field is true? */
static bool bool_pos(const struct expr *e)
{
	return (e->op == OP_EQ) == !strcmp(e->vals[0], "true");
}

static struct lnode *bool_atom(struct lctx *x, const struct expr *e, __u8 kind, __u64 set)
{
	if (e->op == OP_EXISTS)
		return konst(x, true);
	return atom(x, kind, set, 0, !bool_pos(e));
}

static bool cmp_const_str(const struct expr *e, const char *s)
{
	struct fval v = { .type = FT_STR, .s = s, .len = strlen(s) };

	return rules_cmp_value(e, &v);
}

/* Fields whose value is a constant of the container (metadata, OCI config). */
static bool is_ctr_constant(const char *f)
{
	static const char *const names[] = {
		"container.id", "container.name", "container.image", "container.image.repository",
		"container.image.tag", "container.privileged", "container.host_network", "container.host_ipc",
		"container.mounts", "container.mount.dest", "container.mount.source", NULL,
	};
	int i;

	if (!strncmp(f, "k8s.", 4))
		return true;
	for (i = 0; names[i]; i++)
		if (!strcmp(f, names[i]))
			return true;
	return false;
}

static struct lnode *ctr_constant(struct lctx *x, const struct expr *e)
{
	struct vigil_hdr h = { .type = VIGIL_EV_EXEC };
	struct event_view ev = { .rec = &h };
	struct field_ctx *fc;
	bool r;
	size_t i;

	if (!x->ctr) {
		/* every container is not the host: `container` (container.id != host) holds */
		if (!strcmp(e->f->name, "container.id") && (e->op == OP_EQ || e->op == OP_NE) && e->n_vals == 1 &&
		    !strcmp(e->vals[0], "host"))
			return konst(x, e->op == OP_NE);
		if (!strcmp(e->f->name, "container.id") && e->op == OP_IN) {
			for (i = 0; i < e->n_vals && strcmp(e->vals[i], "host"); i++)
				;
			if (i == e->n_vals && !e->n_vals)
				return konst(x, false);
		}
		return node(x, LK_CTR);
	}
	fc = calloc(1, sizeof(*fc));
	if (!fc) {
		x->nomem = true;
		return NULL;
	}
	ev.ctr = x->ctr;
	h.proc.ctr_cgroup_id = x->ctr->cgroup_id;
	field_ctx_reset(fc, &ev, 0);
	r = rules_cmp_field(e, fc, e->arg);
	free(fc);
	return konst(x, r);
}

/* A path field compared with absolute paths (or "@abstract" unix names). */
static struct lnode *path_cmp(struct lctx *x, const struct expr *e)
{
	struct lset s = { .kind = LSET_PATH };
	struct lset_item *it;
	bool neg = false;
	size_t i;

	switch (e->op) {
	case OP_EQ:
	case OP_IN:
	case OP_STARTSWITH:
	case OP_PMATCH:
		break;
	case OP_NE:
		neg = true;
		break;
	default:
		return opaque(x, e, NULL);
	}
	for (i = 0; i < e->n_vals; i++) {
		const char *v = e->vals[i];
		size_t n = strlen(v);

		if ((v[0] != '/' && v[0] != '@') || n + 2 >= VIGIL_POL_PATH) {
			free(s.items);
			return opaque(x, e, "(a relative or long path)");
		}
		if (!(it = set_push(x, &s)))
			return NULL;
		snprintf(it->path, sizeof(it->path), "%s", v);
		it->prefix = e->op == OP_STARTSWITH || (e->op == OP_PMATCH && v[n - 1] == '/');
		if (e->op == OP_PMATCH && v[n - 1] != '/') {
			/* pmatch: the path itself, or anything below it */
			if (!(it = set_push(x, &s)))
				return NULL;
			snprintf(it->path, sizeof(it->path), "%s/", v);
			it->prefix = 1;
		}
	}
	if (!s.n)
		return konst(x, neg);
	return atom(x, VIGIL_A_PATH_SET, set_add(x, &s), 0, neg);
}

static struct lnode *addr_cmp(struct lctx *x, const struct expr *e, bool nets)
{
	struct lset s = { .kind = LSET_ADDR };
	struct lset_item *it;
	size_t i;

	if (e->op != OP_EQ && e->op != OP_IN && e->op != OP_NE)
		return opaque(x, e, NULL);
	for (i = 0; i < e->n_vals; i++) {
		struct net_prefix p;

		if (nets)
			p = e->nets[i];
		else if (!net_parse(e->vals[i], &p) || strchr(e->vals[i], '/'))
			continue;	/* never equal to an address */
		if (!(it = set_push(x, &s)))
			return NULL;
		it->net = p;
	}
	if (!s.n)
		return konst(x, e->op == OP_NE);
	return atom(x, VIGIL_A_ADDR_SET, set_add(x, &s), 0, e->op == OP_NE);
}

static struct lnode *port_cmp(struct lctx *x, const struct expr *e)
{
	struct lset s = { .kind = LSET_VAL };
	struct lset_item *it;
	int64_t v = e->n_vals ? e->nums[0] : 0;
	int64_t lo = 0, hi = 65535;
	size_t i;

	switch (e->op) {
	case OP_EQ:
	case OP_IN:
	case OP_NE:
		for (i = 0; i < e->n_vals; i++) {
			if (e->nums[i] < 0 || e->nums[i] > 65535)
				continue;
			if (!(it = set_push(x, &s)))
				return NULL;
			it->val = e->nums[i];
		}
		if (!s.n)
			return konst(x, e->op == OP_NE);
		return atom(x, VIGIL_A_PORT_SET, set_add(x, &s), 0, e->op == OP_NE);
	case OP_LT: hi = v - 1; break;
	case OP_LE: hi = v; break;
	case OP_GT: lo = v + 1; break;
	case OP_GE: lo = v; break;
	default:
		return opaque(x, e, NULL);
	}
	if (lo < 0)
		lo = 0;
	if (hi > 65535)
		hi = 65535;
	if (lo > hi)
		return konst(x, false);
	return atom(x, VIGIL_A_PORT_RANGE, (__u64)lo | ((__u64)hi << 16), 0, false);
}

/* The private ranges of fd.remote_is_private (field_fd.c addr_private), as networks. */
static uint64_t private_set(struct lctx *x)
{
	static const char *const nets[] = { "127.0.0.0/8", "10.0.0.0/8", "0.0.0.0/8", "172.16.0.0/12",
					    "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "::/120",
					    "fc00::/7", "fe80::/10", NULL };
	struct lset s = { .kind = LSET_ADDR };
	struct lset_item *it;
	int i;

	for (i = 0; nets[i]; i++) {
		if (!(it = set_push(x, &s)))
			return 0;
		net_parse(nets[i], &it->net);
	}
	return set_add(x, &s);
}

/* Families a sock_addr hook sees, and what fd.sockfamily / fd.type / fd.typechar say of each. */
static const struct {
	unsigned int family;
	const char *type, *typechar;
} net_families[] = { { AF_UNIX, "unix", "u" }, { AF_INET, "ipv4", "4" }, { AF_INET6, "ipv6", "6" } };

static struct lnode *family_cmp(struct lctx *x, const struct expr *e, int which)
{
	__u64 mask = 0, all = 0;
	size_t i;

	for (i = 0; i < sizeof(net_families) / sizeof(net_families[0]); i++) {
		const char *s = which == 0 ? sockfamily_name(net_families[i].family) :
				which == 1 ? net_families[i].type : net_families[i].typechar;

		all |= 1ULL << net_families[i].family;
		if (e->op == OP_EXISTS || cmp_const_str(e, s))
			mask |= 1ULL << net_families[i].family;
	}
	if (mask == all)
		return konst(x, true);
	if (!mask)
		return konst(x, false);
	return atom(x, VIGIL_A_FAMILY, mask, 0, false);
}

static struct lnode *l4_cmp(struct lctx *x, const struct expr *e)
{
	bool icmp = cmp_const_str(e, "icmp"), raw = cmp_const_str(e, "raw"), other = cmp_const_str(e, "other");
	__u64 mask = 0;

	if (e->op == OP_EXISTS)
		return atom(x, VIGIL_A_L4, VIGIL_L4_TCP | VIGIL_L4_UDP | VIGIL_L4_OTHER, 0, false);
	/* the kernel knows tcp, udp and "the rest": the rest must agree */
	if (icmp != raw || raw != other)
		return opaque(x, e, "(icmp, raw and other told apart)");
	if (cmp_const_str(e, "tcp"))
		mask |= VIGIL_L4_TCP;
	if (cmp_const_str(e, "udp"))
		mask |= VIGIL_L4_UDP;
	if (other)
		mask |= VIGIL_L4_OTHER;
	return atom(x, VIGIL_A_L4, mask, 0, false);
}

/* evt.arg.NAME at a syscall's entry: the raw argument, for names that are its value. */
static struct lnode *arg_cmp(struct lctx *x, const struct expr *e)
{
	static const char *const path_names[] = { "target", "linkpath", "newpath", "oldpath", "name", "path", NULL };
	const struct sys_desc *d = sys_desc_by_nr(x->nr);
	struct lset s = { .kind = LSET_VAL };
	struct expr eq = *e;
	struct lset_item *it;
	const char *name = e->arg;
	uint64_t v, dom = 0;
	int i, argi = -1;

	if (!name || !d || (e->op != OP_EQ && e->op != OP_IN && e->op != OP_NE))
		return opaque(x, e, NULL);
	eq.op = e->op == OP_NE ? OP_EQ : e->op;
	if (!strcmp(name, "request") && !strcmp(d->name, "ptrace"))
		dom = 0x5000;
	else if (!strcmp(name, "domain") && !strcmp(d->name, "socket"))
		dom = 64;
	if (dom) {
		/* a symbolic name: every value named so (a value without a name has no field) */
		argi = 0;
		for (v = 0; v < dom; v++) {
			const char *vs = dom == 0x5000 ? ptrace_request_name(v) : family_name(v);

			if (!vs)
				continue;
			if (dom == 64 && !strcmp(vs, "other")) {
				if (cmp_const_str(&eq, vs)) {
					free(s.items);
					return opaque(x, e, "(\"other\" families)");
				}
				continue;
			}
			if (!cmp_const_str(&eq, vs))
				continue;
			if (!(it = set_push(x, &s)))
				return NULL;
			it->val = v;
		}
	} else {
		for (i = 0; path_names[i]; i++)
			if (!strcmp(name, path_names[i]))
				return opaque(x, e, "(a path argument: user memory at entry)");
		for (i = 0; i < 6; i++)
			if (d->argnames[i] && !strcmp(d->argnames[i], name))
				argi = i;
		if (argi < 0 || !strcmp(name, "mode"))
			return opaque(x, e, NULL);
		/* shown as "%lld": equal strings are equal numbers written so */
		for (i = 0; i < (int)e->n_vals; i++) {
			char *end, canon[32];
			long long n = strtoll(e->vals[i], &end, 10);

			snprintf(canon, sizeof(canon), "%lld", n);
			if (*end || strcmp(canon, e->vals[i]))
				continue;	/* never equal to a decimal number */
			if (!(it = set_push(x, &s)))
				return NULL;
			it->val = (uint64_t)n;
		}
	}
	if (!s.n)
		return konst(x, e->op == OP_NE);
	return atom(x, VIGIL_A_ARG_SET, set_add(x, &s), argi, e->op == OP_NE);
}

static struct lnode *lower_cmp(struct lctx *x, const struct expr *e)
{
	const char *f = e->f->name;

	if (e->any_ancestor || e->f->pair)
		return opaque(x, e, NULL);
	if (!strcmp(f, "evt.type"))
		return konst(x, e->op == OP_EXISTS || cmp_const_str(e, x->type));
	if (is_ctr_constant(f))
		return ctr_constant(x, e);
	if (!strcmp(f, "container.in_setup"))
		return bool_atom(x, e, VIGIL_A_SETUP, 0);
	if (!strcmp(f, "proc.is_runtime"))
		return bool_atom(x, e, VIGIL_A_RUNTIME, 0);
	switch (x->cat) {
	case CAT_EXEC:
		/* sched_process_exec: the exec succeeded */
		if (!strcmp(f, "evt.res"))
			return konst(x, e->op == OP_EXISTS || cmp_const_str(e, "SUCCESS"));
		if (!strcmp(f, "evt.rawres")) {
			struct fval v = { .type = FT_NUM, .n = 0 };

			return konst(x, rules_cmp_value(e, &v));
		}
		if (!strcmp(f, "proc.is_exe_upper_layer"))
			return bool_atom(x, e, VIGIL_A_EXE_FLAGS, VIGIL_FILE_OVL_UPPER);
		if (!strcmp(f, "proc.is_exe_from_memfd"))
			return bool_atom(x, e, VIGIL_A_EXE_FLAGS, VIGIL_FILE_MEMFD);
		if (!strcmp(f, "proc.exepath"))
			return e->op == OP_EXISTS ? konst(x, true) : path_cmp(x, e);
		break;
	case CAT_NET:
		if (!strcmp(f, "fd.sockfamily"))
			return family_cmp(x, e, 0);
		if (!strcmp(f, "fd.type"))
			return family_cmp(x, e, 1);
		if (!strcmp(f, "fd.typechar"))
			return family_cmp(x, e, 2);
		if (!strcmp(f, "fd.l4proto"))
			return l4_cmp(x, e);
		/* a connect's or send's server is its remote end */
		if (!strcmp(f, "fd.rip") || !strcmp(f, "fd.sip"))
			return addr_cmp(x, e, false);
		if (!strcmp(f, "fd.rnet") || !strcmp(f, "fd.snet"))
			return addr_cmp(x, e, true);
		if (!strcmp(f, "fd.rport") || !strcmp(f, "fd.sport"))
			return port_cmp(x, e);
		if (!strcmp(f, "fd.name") && e->op != OP_EXISTS)
			return path_cmp(x, e);
		if (!strcmp(f, "fd.remote_is_private"))
			return e->op == OP_EXISTS ? atom(x, VIGIL_A_FAMILY, (1ULL << AF_INET) | (1ULL << AF_INET6), 0, false)
						  : atom(x, VIGIL_A_ADDR_SET, private_set(x), 0, !bool_pos(e));
		if (!strcmp(f, "fd.remote_is_own_network"))
			return e->op == OP_EXISTS ? atom(x, VIGIL_A_FAMILY, (1ULL << AF_INET) | (1ULL << AF_INET6), 0, false)
						  : atom(x, VIGIL_A_ADDR_OWN, 0, 0, !bool_pos(e));
		break;
	case CAT_SYSCALL:
		if (!strcmp(f, "evt.arg"))
			return arg_cmp(x, e);
		break;
	default:
		break;
	}
	return opaque(x, e, NULL);
}

static struct lnode *residue(struct lctx *x, const struct expr *e)
{
	switch (e->kind) {
	case X_TRUE:
		return konst(x, true);
	case X_AND:
		return mk2(x, LK_AND, residue(x, e->l), residue(x, e->r));
	case X_OR:
		return mk2(x, LK_OR, residue(x, e->l), residue(x, e->r));
	case X_NOT:
		return mk_not(x, residue(x, e->l));
	case X_CMP:
		return lower_cmp(x, e);
	}
	return NULL;
}

/* ---- disjunctive normal form ---- */

struct dclause {
	struct vigil_pol_atom a[VIGIL_POL_ATOMS];
	int n;
};

struct dnf {
	struct dclause *v;
	size_t n;
	bool overflow;
};

#define DNF_MAX 64

static bool same_atom(const struct vigil_pol_atom *a, const struct vigil_pol_atom *b)
{
	return a->kind == b->kind && a->arg == b->arg && a->set == b->set;
}

static void dnf_push(struct dnf *d, const struct dclause *c)
{
	struct dclause *v;

	if (d->n >= DNF_MAX) {
		d->overflow = true;
		return;
	}
	v = realloc(d->v, (d->n + 1) * sizeof(*v));
	if (!v) {
		d->overflow = true;
		return;
	}
	d->v = v;
	d->v[d->n++] = *c;
}

/* a and b together; false when contradictory (x and not x) or too long. */
static bool clause_join(const struct dclause *a, const struct dclause *b, struct dclause *out, bool *overflow)
{
	int i, j;

	*out = *a;
	for (j = 0; j < b->n; j++) {
		bool dup = false;

		for (i = 0; i < out->n; i++) {
			if (!same_atom(&out->a[i], &b->a[j]))
				continue;
			if (out->a[i].neg != b->a[j].neg)
				return false;
			dup = true;
		}
		if (dup)
			continue;
		if (out->n == VIGIL_POL_ATOMS) {
			*overflow = true;
			return false;
		}
		out->a[out->n++] = b->a[j];
	}
	return true;
}

static void to_dnf(const struct lnode *n, bool neg, struct dnf *out)
{
	struct dnf a = { 0 }, b = { 0 };
	struct dclause c = { .n = 0 }, j;
	bool conj;
	size_t i, k;

	switch (n->k) {
	case LK_TRUE:
	case LK_FALSE:
		if ((n->k == LK_TRUE) != neg)
			dnf_push(out, &c);	/* the empty clause: true */
		return;
	case LK_ATOM:
		c.a[0] = n->a;
		c.a[0].neg ^= neg;
		c.n = 1;
		dnf_push(out, &c);
		return;
	case LK_NOT:
		to_dnf(n->l, !neg, out);
		return;
	case LK_AND:
	case LK_OR:
		conj = (n->k == LK_AND) != neg;
		to_dnf(n->l, neg, &a);
		to_dnf(n->r, neg, &b);
		if (conj) {
			for (i = 0; i < a.n; i++)
				for (k = 0; k < b.n; k++)
					if (clause_join(&a.v[i], &b.v[k], &j, &out->overflow))
						dnf_push(out, &j);
		} else {
			for (i = 0; i < a.n; i++)
				dnf_push(out, &a.v[i]);
			for (k = 0; k < b.n; k++)
				dnf_push(out, &b.v[k]);
		}
		out->overflow |= a.overflow || b.overflow;
		free(a.v);
		free(b.v);
		return;
	default:
		out->overflow = true;	/* opaque: never reaches here */
		return;
	}
}

/* ---- rules ---- */

static enum cat category(const char *type, int *nr, __u8 *kind)
{
	*kind = 0;
	if (!strcmp(type, "execve") || !strcmp(type, "execveat"))
		return CAT_EXEC;
	if (!strcmp(type, "connect")) {
		*kind = VIGIL_NET_CONNECT;
		return CAT_NET;
	}
	if (!strcmp(type, "sendto") || !strcmp(type, "sendmsg") || !strcmp(type, "sendmmsg")) {
		*kind = VIGIL_NET_SEND;
		return CAT_NET;
	}
	*nr = sys_nr(type);
	return *nr >= 0 && *nr < VIGIL_NR_SYSCALLS ? CAT_SYSCALL : CAT_NONE;
}

static int push_clause(struct lowered *o, uint32_t hook, size_t rule, __u8 action, const struct dclause *d)
{
	struct lclause *c;

	if (o->n_cl == o->cap_cl) {
		size_t cap = o->cap_cl ? 2 * o->cap_cl : 16;
		struct lclause *v = realloc(o->cl, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->cl = v;
		o->cap_cl = cap;
	}
	c = &o->cl[o->n_cl++];
	memset(c, 0, sizeof(*c));
	c->hook = hook;
	c->c.rule = rule;
	c->c.action = action;
	c->c.n = d->n;
	memcpy(c->c.a, d->a, sizeof(d->a));
	return 0;
}

static size_t hook_count(const struct lowered *o, uint32_t hook)
{
	size_t i, n = 0;

	for (i = 0; i < o->n_cl; i++)
		n += o->cl[i].hook == hook;
	return n;
}

static void free_nodes(struct lctx *x)
{
	struct lnode *n, *next;

	for (n = x->nodes; n; n = next) {
		next = n->next;
		free(n);
	}
	x->nodes = NULL;
}

/* Lowers rule i for one type; 1 lowered (or nothing to lower), 0 left to the agent, -ENOMEM. */
static int lower_type(struct lctx *x, const struct rule *r, size_t i, const char *type, struct lrule *lr)
{
	struct dnf d = { 0 };
	struct lnode *res;
	__u8 kind, action = r->action == RULE_DENY ? VIGIL_ACT_DENY : VIGIL_ACT_KILL;
	uint32_t hook;
	size_t k, before = x->out->n_cl;
	int nr = -1, err = 0;

	x->type = type;
	x->cat = category(type, &nr, &kind);
	x->nr = nr;
	x->opaque[0] = '\0';
	if (x->cat == CAT_NONE) {
		snprintf(lr->why, sizeof(lr->why), "evt.type %s is not a syscall, exec or connect the kernel hooks", type);
		return 0;
	}
	res = residue(x, r->e);
	if (x->nomem)
		return -ENOMEM;
	if (!res || res->k == LK_FALSE)
		return 1;
	if (contains(res, LK_OPAQUE)) {
		snprintf(lr->why, sizeof(lr->why), "%s: %s is not known to the kernel %s", type, x->opaque,
			 x->cat == CAT_EXEC ? "at exec" : x->cat == CAT_NET ? "when a connect begins" :
			 "at the syscall's entry");
		return 0;
	}
	if (contains(res, LK_CTR)) {
		lr->per_container = true;
		return 1;	/* lowered per container, once it is known */
	}
	to_dnf(res, false, &d);
	if (d.overflow || d.n > VIGIL_POL_CLAUSES) {
		snprintf(lr->why, sizeof(lr->why), "%s: the condition needs more than %d clauses of %d facts", type,
			 VIGIL_POL_CLAUSES, VIGIL_POL_ATOMS);
		free(d.v);
		return 0;
	}
	hook = x->cat == CAT_EXEC ? VIGIL_HOOK_EXEC : x->cat == CAT_NET ? VIGIL_HOOK_NET : (uint32_t)nr;
	for (k = 0; k < d.n && !err; k++) {
		struct dclause c = d.v[k];

		if (kind) {
			struct dclause kc = { .n = 1 }, j;
			bool of = false;

			kc.a[0].kind = VIGIL_A_KIND;
			kc.a[0].set = kind;
			if (!clause_join(&c, &kc, &j, &of)) {
				if (!of)
					continue;
				snprintf(lr->why, sizeof(lr->why), "%s: a clause needs more than %d facts", type,
					 VIGIL_POL_ATOMS);
				x->out->n_cl = before;
				free(d.v);
				return 0;
			}
			c = j;
		}
		if (!c.n) {
			c.a[0].kind = VIGIL_A_TRUE;
			c.n = 1;
		}
		err = push_clause(x->out, hook, i, action, &c);
	}
	free(d.v);
	if (err)
		return err;
	if (hook_count(x->out, hook) > VIGIL_POL_CLAUSES) {
		x->out->n_cl = before;
		snprintf(lr->why, sizeof(lr->why), "%s: more than %d clauses of all rules on this hook", type,
			 VIGIL_POL_CLAUSES);
		return 0;
	}
	lr->hooks |= x->cat == CAT_EXEC ? LH_EXEC : x->cat == CAT_NET ? LH_NET : LH_SYSCALL;
	return 1;
}

int rules_lower(const struct ruleset *rs, const struct ctr_info *c, struct lowered *out)
{
	struct lctx x = { .ctr = c, .out = out };
	size_t i, t;
	int rc;

	memset(out, 0, sizeof(*out));
	out->rules = calloc(rs->n + 1, sizeof(*out->rules));
	if (!out->rules)
		return -ENOMEM;
	out->n_rules = rs->n;
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];
		struct lrule *lr = &out->rules[i];

		if (r->action == RULE_ALERT)
			continue;
		lr->action = true;
		if (r->any_type) {
			lr->agent = true;
			snprintf(lr->why, sizeof(lr->why), "the condition does not say which evt.type it is about");
			continue;
		}
		for (t = 0; t < r->n_types; t++) {
			rc = lower_type(&x, r, i, r->types[t], lr);
			free_nodes(&x);
			if (rc < 0) {
				lowered_free(out);
				return rc;
			}
			if (!rc)
				lr->agent = true;
		}
	}
	return 0;
}

void lowered_free(struct lowered *l)
{
	size_t i;

	for (i = 0; i < l->n_sets; i++)
		free(l->sets[i].items);
	free(l->sets);
	free(l->cl);
	free(l->rules);
	memset(l, 0, sizeof(*l));
}

const struct rule *ruleset_rule(const struct ruleset *rs, size_t i)
{
	return rs && i < rs->n ? &rs->rules[i] : NULL;
}

size_t rules_lower_check(const struct ruleset *rs, struct rules_diags *d)
{
	struct lowered l;
	size_t i, t, errors = 0;

	if (rules_lower(rs, NULL, &l))
		return 0;
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];
		bool net = !r->any_type;

		if (r->action != RULE_DENY)
			continue;
		for (t = 0; net && t < r->n_types; t++) {
			int nr;
			__u8 kind;

			net = category(r->types[t], &nr, &kind) == CAT_NET;
		}
		if (!net) {
			diag_add(d, DIAG_ERROR, r->file, r->action_line, r->action_col,
				 "rule '%s': action deny refuses connects and sends; its evt.type must be connect, "
				 "sendto, sendmsg (use kill for other events)", r->name);
			errors++;
		} else if (l.rules[i].agent) {
			diag_add(d, DIAG_ERROR, r->file, r->action_line, r->action_col,
				 "rule '%s': action deny needs a condition the kernel can decide: %s", r->name,
				 l.rules[i].why);
			errors++;
		}
	}
	lowered_free(&l);
	return errors;
}

/* ---- the same decision in user space ---- */

struct ueval {
	const struct lowered *l;
	const struct ctr_info *c;
};

static __thread const struct ueval *ue;

static const struct lset *set_by_id(uint64_t id)
{
	size_t i;

	for (i = 0; i < ue->l->n_sets; i++)
		if (ue->l->sets[i].id == id)
			return &ue->l->sets[i];
	return NULL;
}

static bool u_lpm(const struct vigil_pol_lpm_key *k)
{
	uint64_t id = k->set_lo | ((uint64_t)k->set_hi << 32);
	const struct lset *s;
	size_t i;

	if (!(s = set_by_id(id)))
		return false;
	for (i = 0; i < s->n; i++) {
		const struct lset_item *it = &s->items[i];

		if (s->kind == LSET_ADDR && net_contains(&it->net, k->data))
			return true;
		if (s->kind == LSET_PATH && (it->prefix ? !strncmp((const char *)k->data, it->path, strlen(it->path))
							: !strcmp((const char *)k->data, it->path)))
			return true;
	}
	return false;
}

static bool u_val(const struct vigil_pol_val_key *k)
{
	const struct lset *s = set_by_id(k->set);
	size_t i;

	for (i = 0; s && i < s->n; i++)
		if (s->items[i].val == k->val)
			return true;
	return false;
}

static bool u_own(const struct vigil_pol_facts *f)
{
	struct vigil_sock so = { .family = VIGIL_AF_INET6 };

	memcpy(so.raddr, f->addr_key.data, 16);
	return addr_in_own_networks(ue->c, &so);
}

#undef POL_INLINE
#define POL_INLINE inline
#define POL_LPM_HAS(k) u_lpm(k)
#define POL_VAL_HAS(k) u_val(k)
#define POL_OWN_HAS(f) u_own(f)
#include "abi/policy_eval.h"

int lowered_eval(const struct lowered *l, uint32_t hook, const struct ctr_info *c, struct vigil_pol_facts *f)
{
	struct ueval u = { l, c };
	size_t i;
	int j, acc;

	ue = &u;
	f->ctr = c ? c->cgroup_id : 0;
	for (i = 0; i < l->n_cl; i++) {
		const struct vigil_pol_clause *cl = &l->cl[i].c;

		if (l->cl[i].hook != hook)
			continue;
		acc = POL_TRUE;
		for (j = 0; j < cl->n && j < VIGIL_POL_ATOMS; j++)
			acc = pol_and(acc, pol_atom_eval(&cl->a[j], f));
		if (acc == POL_TRUE && cl->n) {
			ue = NULL;
			return (int)i;
		}
	}
	ue = NULL;
	return -1;
}

static void facts_path(struct vigil_pol_facts *f, const char *p, size_t n)
{
	if (n > VIGIL_POL_PATH - 1)
		n = VIGIL_POL_PATH - 1;
	memcpy(f->path_key.data, p, n);
	f->path_key.data[n] = 0;
	f->path_len = n + 1;
}

static __u8 l4_of(unsigned int type, unsigned int protocol)
{
	if (protocol == 6 || (protocol == 0 && type == SOCK_STREAM))
		return VIGIL_L4_TCP;
	if (protocol == 17 || (protocol == 0 && type == SOCK_DGRAM))
		return VIGIL_L4_UDP;
	return VIGIL_L4_OTHER;
}

bool pol_facts_of_event(const struct event_view *ev, struct vigil_pol_facts *f, uint32_t *hook)
{
	const struct vigil_hdr *h = ev->rec;
	const struct vigil_sock *s;
	const char *type;
	struct sv p;

	memset(f, 0, sizeof(*f));
	f->proc_flags = h->proc.flags & (VIGIL_PROC_CTR_SETUP | VIGIL_PROC_RUNTIME);
	if (h->type == VIGIL_EV_EXEC) {
		const struct vigil_exec_event *e = ev->rec;

		*hook = VIGIL_HOOK_EXEC;
		f->exe_flags = e->exe.flags;
		p = rec_sv(e, e->exe.path);
		if (p.p)
			facts_path(f, p.p, p.len);
		return true;
	}
	type = field_evt_type(ev);
	if (h->type == VIGIL_EV_SYSCALL && strcmp(type, "connect") && strncmp(type, "send", 4)) {
		const struct vigil_syscall_event *e = ev->rec;

		*hook = e->nr;
		memcpy(f->args, e->args, sizeof(f->args));
		f->has_args = 1;
		return true;
	}
	if (!(s = event_connect_sock(ev)) && !(s = event_sock(ev)))
		return false;
	*hook = VIGIL_HOOK_NET;
	f->family = s->family;
	f->kind = !strcmp(type, "connect") ? VIGIL_NET_CONNECT : VIGIL_NET_SEND;
	f->rport = s->rport;
	f->l4 = l4_of(s->type, s->protocol);
	if (s->family == VIGIL_AF_INET || s->family == VIGIL_AF_INET6)
		addr_to16(s->family == VIGIL_AF_INET ? AF_INET : AF_INET6, s->raddr, f->addr_key.data);
	p = rec_sv(ev->rec, s->unix_path);
	if (s->family == VIGIL_AF_UNIX && p.p && p.len) {
		char buf[VIGIL_POL_PATH];

		unix_path_str(p.p, p.len, buf, sizeof(buf));
		if (buf[0] == '/' || buf[0] == '@')
			facts_path(f, buf, strlen(buf));
		else
			f->path_len = VIGIL_POL_PATH_UNKNOWN;
	}
	return true;
}
