/*
 * lower.h - rules with an action, lowered into what the kernel decides on
 * its own (abi/policy.h): per hook, clauses of atoms over facts the hook
 * has when it runs, and the sets those atoms look in.
 *
 * A rule is partially evaluated for one event type at a time: evt.type
 * becomes a constant; the container's name, image, labels and
 * configuration become constants when the container is known; what the
 * hook knows (the syscall's arguments at its entry, the executable's
 * flags and path at exec, the destination at connect) becomes atoms;
 * anything else (a process name, a result, the agent's learned state)
 * keeps the rule out of the kernel, and the agent acts on it after the
 * event instead.  The residue is put in disjunctive normal form.
 *
 * With no container (c == NULL) only the rules that hold for every
 * container, whatever its metadata, are lowered: that entry applies from a
 * container's first instruction, before anything is known about it.
 */
#ifndef VIGIL_LOWER_H
#define VIGIL_LOWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/policy.h"
#include "container/container.h"
#include "core/event.h"
#include "rules/rules.h"

enum lset_kind { LSET_VAL, LSET_ADDR, LSET_PATH };

struct lset_item {
	uint64_t val;			/* LSET_VAL */
	struct net_prefix net;		/* LSET_ADDR */
	char path[VIGIL_POL_PATH];	/* LSET_PATH, NUL-terminated */
	int prefix;			/* LSET_PATH: any path that starts so */
};

struct lset {
	uint64_t id;			/* from its content: equal sets share an id */
	enum lset_kind kind;
	struct lset_item *items;
	size_t n;
};

struct lclause {
	uint32_t hook;			/* syscall number or VIGIL_HOOK_* */
	struct vigil_pol_clause c;
};

/* What the kernel can hook for a rule, by event type. */
#define LH_SYSCALL 1u
#define LH_EXEC 2u
#define LH_NET 4u

struct lrule {
	bool action;			/* the rule has one (kill, deny) */
	unsigned int hooks;		/* LH_*: lowered for these */
	bool agent;			/* some of its event types are left to the agent */
	bool per_container;		/* depends on the container's metadata */
	char why[256];			/* agent: the field or shape that kept it out */
};

struct lowered {
	struct lclause *cl;		/* rule order */
	size_t n_cl, cap_cl;
	struct lset *sets;
	size_t n_sets, cap_sets;
	struct lrule *rules;		/* by rule index */
	size_t n_rules;
};

int rules_lower(const struct ruleset *rs, const struct ctr_info *c, struct lowered *out);
void lowered_free(struct lowered *l);

/*
 * At load: `deny` on a rule the kernel cannot decide when a connect begins
 * (not a network rule, a field it does not have) is an error at the
 * rule's `action:` line.  Returns the number of errors added.
 */
size_t rules_lower_check(const struct ruleset *rs, struct rules_diags *d);

/* rs's rule i (clause.rule), or NULL. */
const struct rule *ruleset_rule(const struct ruleset *rs, size_t i);

/*
 * The same decision in user space: the first clause of hook that matches
 * f, or -1.  c gives the container's own networks.  For tests, and for
 * `vigil rules explain`.
 */
int lowered_eval(const struct lowered *l, uint32_t hook, const struct ctr_info *c, struct vigil_pol_facts *f);

/*
 * Facts of a decoded event as the kernel hook would have them; the hook
 * (a syscall number, VIGIL_HOOK_*) into *hook.  false when no hook sees
 * such an event.
 */
bool pol_facts_of_event(const struct event_view *ev, struct vigil_pol_facts *f, uint32_t *hook);

#endif
