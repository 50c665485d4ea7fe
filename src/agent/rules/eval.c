/* eval.c - judging one event with a compiled rule set (see rules.h). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/ruleset_priv.h"

static bool pmatch(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n))
		return false;
	return !s[n] || s[n] == '/' || (n && prefix[n - 1] == '/');
}

static bool cmp_str(const struct expr *e, const char *s)
{
	size_t i, n = strlen(s);

	switch (e->op) {
	case OP_EQ: return !strcmp(s, e->vals[0]);
	case OP_NE: return strcmp(s, e->vals[0]) != 0;
	case OP_CONTAINS:
	case OP_BCONTAINS: return strstr(s, e->vals[0]) != NULL;
	case OP_ICONTAINS: return strcasestr(s, e->vals[0]) != NULL;
	case OP_STARTSWITH: return !strncmp(s, e->vals[0], strlen(e->vals[0]));
	case OP_ENDSWITH: {
		size_t k = strlen(e->vals[0]);

		return n >= k && !strcmp(s + n - k, e->vals[0]);
	}
	case OP_GLOB: return fnmatch(e->vals[0], s, 0) == 0;
	case OP_IN:
	case OP_INTERSECTS:
		return e->n_vals && bsearch(&s, e->vals, e->n_vals, sizeof(char *), rules_str_cmp) != NULL;
	case OP_PMATCH:
		for (i = 0; i < e->n_vals; i++)
			if (pmatch(s, e->vals[i]))
				return true;
		return false;
	default:
		return false;
	}
}

static bool cmp_num(const struct expr *e, int64_t v)
{
	size_t i;

	switch (e->op) {
	case OP_EQ: return v == e->nums[0];
	case OP_NE: return v != e->nums[0];
	case OP_LT: return v < e->nums[0];
	case OP_LE: return v <= e->nums[0];
	case OP_GT: return v > e->nums[0];
	case OP_GE: return v >= e->nums[0];
	case OP_IN:
		for (i = 0; i < e->n_vals; i++)
			if (v == e->nums[i])
				return true;
		return false;
	default:
		return false;
	}
}

static bool cmp_net(const struct expr *e, const char *s)
{
	uint8_t a[16];
	size_t i;
	bool in = false;

	if (!addr_parse16(s, a))
		return false;
	for (i = 0; !in && i < e->n_vals; i++)
		in = net_contains(&e->nets[i], a);
	return e->op == OP_NE ? !in : in;
}

bool rules_cmp_value(const struct expr *e, const struct fval *v)
{
	char tmp[8192];

	if (e->op == OP_EXISTS)
		return true;
	/* a network field's extractor gives the address as a string */
	switch (e->f->type == FT_NET ? FT_NET : v->type) {
	case FT_NUM:
		return cmp_num(e, v->n);
	case FT_BOOL:
		return (e->op == OP_EQ) == ((v->n != 0) == !strcmp(e->vals[0], "true"));
	case FT_NET:
		if (!v->s || v->len >= sizeof(tmp))
			return false;
		memcpy(tmp, v->s, v->len);
		tmp[v->len] = '\0';
		return cmp_net(e, tmp);
	default:
		/* values are C strings in practice; copy when not terminated */
		if (v->s[v->len] != '\0') {
			size_t k = v->len < sizeof(tmp) - 1 ? v->len : sizeof(tmp) - 1;

			memcpy(tmp, v->s, k);
			tmp[k] = '\0';
			return cmp_str(e, tmp);
		}
		return cmp_str(e, v->s);
	}
}

bool rules_cmp_field(const struct expr *e, struct field_ctx *fc, const char *arg)
{
	struct fval v;

	if (!field_get(e->f, arg, fc, &v))
		return e->na ? e->op != OP_NE : false;	/* missing: no match, unless asked for as "<NA>" */
	return rules_cmp_value(e, &v);
}

static bool eval(const struct expr *e, struct field_ctx *fc)
{
	char level[16];
	int i;

	switch (e->kind) {
	case X_AND: return eval(e->l, fc) && eval(e->r, fc);
	case X_OR: return eval(e->l, fc) || eval(e->r, fc);
	case X_NOT: return !eval(e->l, fc);
	case X_TRUE: return true;
	case X_CMP:
		if (e->f->pair) {
			bool c = rules_cmp_field(e, fc, "0"), sv = rules_cmp_field(e, fc, "1");

			return e->op == OP_NE ? c && sv : c || sv;
		}
		if (!e->any_ancestor)
			return rules_cmp_field(e, fc, e->arg);
		/* proc.aname = x: some ancestor is x */
		for (i = 1; i <= 16; i++) {
			snprintf(level, sizeof(level), "%d", i);
			if (rules_cmp_field(e, fc, level))
				return true;
		}
		return false;
	}
	return false;
}

size_t ruleset_eval(const struct ruleset *rs, struct field_ctx *fc, const struct rule **out, size_t max)
{
	const char *type = field_evt_type(fc->ev);
	struct type_index *t;
	size_t i = 0, j = 0, n = 0;

	HASH_FIND_STR(rs->by_type, type, t);
	/* merge the type's rules and the any-type rules, keeping file order */
	while (n < max && ((t && i < t->n) || j < rs->n_any)) {
		size_t r;

		if (t && i < t->n && (j >= rs->n_any || t->rules[i] < rs->any_rules[j]))
			r = t->rules[i++];
		else
			r = rs->any_rules[j++];
		if (eval(rs->rules[r].e, fc))
			out[n++] = &rs->rules[r];
	}
	return n;
}

const char *rule_name(const struct rule *r) { return r->name; }
const char *rule_reason(const struct rule *r) { return r->reason; }
enum rule_priority rule_priority(const struct rule *r) { return r->priority; }
enum rule_action rule_action(const struct rule *r) { return r->action; }

bool rule_burst(const struct rule *r, struct rule_burst *out)
{
	if (!r->burst.count)
		return false;
	*out = r->burst;
	return true;
}

bool rule_burst_value(const struct rule *r, struct field_ctx *fc, char *buf, size_t len)
{
	struct fval v;

	if (!r->burst_field || !field_get(r->burst_field, r->burst_arg, fc, &v))
		return false;
	if (v.type == FT_STR)
		snprintf(buf, len, "%.*s", (int)v.len, v.s);
	else
		snprintf(buf, len, "%lld", (long long)v.n);
	return true;
}

const char *rule_action_name(enum rule_action a)
{
	return a == RULE_KILL ? "kill" : a == RULE_DENY ? "deny" : "alert";
}

const char *priority_name(enum rule_priority p)
{
	static const char *const names[] = { "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING",
					     "NOTICE", "INFORMATIONAL", "DEBUG" };

	return p <= PRI_DEBUG ? names[p] : "UNKNOWN";
}

