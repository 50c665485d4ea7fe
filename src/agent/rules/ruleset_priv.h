/*
 * ruleset_priv.h - a compiled rule set, shared by compile.c (which builds
 * it), eval.c (which judges events with it) and verdict.c (which writes
 * its outputs); not for the rest of the agent.  Immutable once built.
 */
#ifndef VIGIL_RULESET_PRIV_H
#define VIGIL_RULESET_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>
#include "rules/cond.h"
#include "rules/rules.h"
#include "util/netaddr.h"

enum expr_kind { X_AND, X_OR, X_NOT, X_CMP, X_TRUE };

struct expr {
	enum expr_kind kind;
	struct expr *l, *r;
	const struct field_def *f;
	char *arg;
	enum cond_op op;
	char **vals;		/* sorted when op is in/intersects on strings */
	size_t n_vals;
	int64_t *nums;
	struct net_prefix *nets;	/* FT_NET: the values as networks */
	int any_ancestor;	/* proc.aname/proc.apid without [N]: any of them */
	/*
	 * =, != or in with "<NA>" or "N/A" among the values: Falco's words for
	 * a field without a value, which then compares as equal to them
	 */
	int na;
	struct expr *arena_next;
};

struct rule {
	char *name, *reason, *output;
	enum rule_priority priority;
	enum rule_action action;
	char *file;		/* where `action:` is (errors of its lowering) */
	int action_line, action_col;
	char **tags;
	size_t n_tags;
	struct expr *e;
	char **types;		/* evt.type values it can match; NULL with any_type */
	size_t n_types;
	int any_type;
	struct rule_burst burst;	/* count 0: fires on every match */
	const struct field_def *burst_field;
	char *burst_arg;
};

struct type_index {
	char *type;
	size_t *rules;
	size_t n, cap;
	UT_hash_handle hh;
};

struct ruleset {
	struct rule *rules;
	size_t n;
	size_t skipped;
	struct expr *arena;
	struct type_index *by_type;
	size_t *any_rules;
	size_t n_any;
};

int rules_str_cmp(const void *a, const void *b);
/* The comparison of e applied to a value (eval.c); and to field e->f of the event. */
bool rules_cmp_value(const struct expr *e, const struct fval *v);
bool rules_cmp_field(const struct expr *e, struct field_ctx *fc, const char *arg);

#endif
