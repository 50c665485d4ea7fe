/*
 * compile.c - rule sets: compilation of loaded elements (load.c) into
 * immutable expression trees; eval.c judges events with them, verdict.c
 * writes their outputs.
 *
 * Macros are compiled once and shared by the rules that use them; list
 * names inside value lists expand recursively; values are type-checked
 * against their field; `in` values become a sorted set.  Each rule's
 * possible evt.type values are inferred, so an event meets only the rules
 * that can match its type.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uthash.h>

#include "rules/lower.h"
#include "rules/rules.h"
#include "rules/ruleset_priv.h"
#include "rules/src.h"

struct cctx {
	struct rules_src *src;
	struct rules_diags *d;
	struct ruleset *rs;
	const char *file;
	char missing_field[128];	/* set when a field Vigil lacks was used */
	int failed;			/* an error was reported */
};

static struct expr *expr_new(struct cctx *cx, enum expr_kind kind)
{
	struct expr *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->kind = kind;
	e->arena_next = cx->rs->arena;
	cx->rs->arena = e;
	return e;
}

static const struct list_src *list_find(const struct rules_src *src, const char *name)
{
	size_t i;

	for (i = 0; i < src->n_lists; i++)
		if (!strcmp(src->lists[i].name, name))
			return &src->lists[i];
	return NULL;
}

static struct macro_src *macro_find(struct rules_src *src, const char *name)
{
	size_t i;

	for (i = 0; i < src->n_macros; i++)
		if (!strcmp(src->macros[i].name, name))
			return &src->macros[i];
	return NULL;
}

/*
 * Appends value v, or the items of the list named v (recursively).  A
 * list item is pasted into the condition as one token, as Falco does: an
 * item written with its own quotes ('"10.0.0.0/8"') is the quoted string.
 */
static int add_expanded(struct cctx *cx, struct expr *e, const char *v, int depth, bool item)
{
	const struct list_src *l = list_find(cx->src, v);
	size_t i, n = strlen(v);
	char **vals;

	if (l && depth < 16) {
		for (i = 0; i < l->n; i++)
			if (l->items[i] && add_expanded(cx, e, l->items[i], depth + 1, true))
				return -ENOMEM;
		return 0;
	}
	vals = realloc(e->vals, (e->n_vals + 1) * sizeof(char *));
	if (!vals)
		return -ENOMEM;
	e->vals = vals;
	if (item && n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
		e->vals[e->n_vals] = strndup(v + 1, n - 2);
	else
		e->vals[e->n_vals] = strdup(v);
	if (!e->vals[e->n_vals])
		return -ENOMEM;
	e->n_vals++;
	return 0;
}

int rules_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct expr *compile(struct cctx *cx, struct cond *c);

static struct expr *compile_macro(struct cctx *cx, struct macro_src *m, struct cond_pos at)
{
	char err[512];
	struct cond *ast;
	struct expr *e;

	if (m->state == 2)
		return m->expr;
	if (m->state == 3) {
		/* failed before: for a missing field, say it again for this rule */
		if (m->expr)
			snprintf(cx->missing_field, sizeof(cx->missing_field), "%s", (const char *)m->expr);
		return NULL;
	}
	if (m->state == 1) {
		diag_add(cx->d, DIAG_ERROR, m->pos.file, at.line, at.col, "macro '%s' refers to itself (cycle)", m->name);
		cx->failed = 1;
		return NULL;
	}
	m->state = 1;
	ast = cond_parse(m->cond, m->cpos, err, sizeof(err));
	if (!ast) {
		diag_add(cx->d, DIAG_ERROR, m->pos.file, 0, 0, "macro '%s': %s", m->name, err);
		/* parse errors carry their own line:col; re-split for the file form */
		{
			struct rules_diag *last = &cx->d->items[cx->d->n - 1];
			int line, col;

			if (sscanf(err, "%d:%d:", &line, &col) == 2) {
				last->line = line;
				last->col = col;
			}
		}
		cx->failed = 1;
		m->state = 3;
		return NULL;
	}
	e = compile(cx, ast);
	cond_free(ast);
	if (!e) {
		m->state = 3;
		m->expr = cx->missing_field[0] ? strdup(cx->missing_field) : NULL;
		return NULL;
	}
	m->state = 2;
	m->expr = e;
	return e;
}

static int type_check(struct cctx *cx, struct cond *c, struct expr *e)
{
	size_t i;

	if (e->op == OP_EXISTS)
		return 0;
	if (!e->n_vals && e->op != OP_IN && e->op != OP_INTERSECTS && e->op != OP_PMATCH) {
		diag_add(cx->d, DIAG_ERROR, cx->file, c->pos.line, c->pos.col, "'%s %s' needs a value",
			 c->field, cond_op_name(e->op));
		return -1;
	}
	if (e->f->type == FT_NUM) {
		if (e->op != OP_EQ && e->op != OP_NE && e->op != OP_LT && e->op != OP_LE &&
		    e->op != OP_GT && e->op != OP_GE && e->op != OP_IN) {
			diag_add(cx->d, DIAG_ERROR, cx->file, c->pos.line, c->pos.col,
				 "type mismatch: %s is a number, '%s' compares strings", c->field, cond_op_name(e->op));
			return -1;
		}
		e->nums = calloc(e->n_vals + 1, sizeof(int64_t));
		for (i = 0; e->nums && i < e->n_vals; i++) {
			char *end;

			e->nums[i] = strtoll(e->vals[i], &end, 0);
			if (!*e->vals[i] || *end) {
				diag_add(cx->d, DIAG_ERROR, cx->file, c->pos.line, c->pos.col,
					 "type mismatch: %s is a number, '%s' is not", c->field, e->vals[i]);
				return -1;
			}
		}
	} else if (e->f->type == FT_NET) {
		if (e->op != OP_EQ && e->op != OP_NE && e->op != OP_IN) {
			diag_add(cx->d, DIAG_ERROR, cx->file, c->pos.line, c->pos.col,
				 "type mismatch: %s is a network match, use =, != or in", c->field);
			return -1;
		}
		e->nets = calloc(e->n_vals + 1, sizeof(*e->nets));
		for (i = 0; e->nets && i < e->n_vals; i++)
			if (!net_parse(e->vals[i], &e->nets[i])) {
				diag_add(cx->d, DIAG_ERROR, cx->file, c->pos.line, c->pos.col,
					 "%s: '%s' is not a network (10.0.0.0/8, 2001:db8::/32, or an address)",
					 c->field, e->vals[i]);
				return -1;
			}
	} else if (e->f->type == FT_BOOL) {
		if ((e->op != OP_EQ && e->op != OP_NE) || e->n_vals != 1 ||
		    (strcmp(e->vals[0], "true") && strcmp(e->vals[0], "false"))) {
			diag_add(cx->d, DIAG_ERROR, cx->file, c->pos.line, c->pos.col,
				 "type mismatch: %s is true or false", c->field);
			return -1;
		}
	} else if (e->op == OP_LT || e->op == OP_LE || e->op == OP_GT || e->op == OP_GE) {
		diag_add(cx->d, DIAG_ERROR, cx->file, c->pos.line, c->pos.col,
			 "type mismatch: %s is a string, '%s' compares numbers", c->field, cond_op_name(e->op));
		return -1;
	}
	if (e->f->type == FT_STR && (e->op == OP_IN || e->op == OP_INTERSECTS) && e->n_vals)
		qsort(e->vals, e->n_vals, sizeof(char *), rules_str_cmp);
	return 0;
}

static struct expr *compile(struct cctx *cx, struct cond *c)
{
	struct expr *e;
	const char *arg;
	int i;

	switch (c->kind) {
	case COND_AND:
	case COND_OR:
		e = expr_new(cx, c->kind == COND_AND ? X_AND : X_OR);
		if (!e || !(e->l = compile(cx, c->left)) || !(e->r = compile(cx, c->right)))
			return NULL;
		return e;
	case COND_NOT:
		e = expr_new(cx, X_NOT);
		if (!e || !(e->l = compile(cx, c->left)))
			return NULL;
		return e;
	case COND_TRUE:
		return expr_new(cx, X_TRUE);
	case COND_NAME: {
		struct macro_src *m = macro_find(cx->src, c->name);

		if (!m) {
			diag_add(cx->d, DIAG_ERROR, cx->file, c->pos.line, c->pos.col, "undefined macro '%s'", c->name);
			cx->failed = 1;
			return NULL;
		}
		return compile_macro(cx, m, c->pos);
	}
	case COND_CMP:
		break;
	default:
		return NULL;
	}
	e = expr_new(cx, X_CMP);
	if (!e)
		return NULL;
	e->f = field_lookup(c->field, &arg);
	if (!e->f) {
		/* Falco has it, Vigil does not: the rule is skipped, not an error */
		snprintf(cx->missing_field, sizeof(cx->missing_field), "%s", c->field);
		return NULL;
	}
	e->op = c->op;
	/*
	 * A Vigil event is one whole syscall, arguments and result: it is
	 * both Falco's enter (>) and exit (<) event, so evt.dir = > and
	 * evt.dir = < both hold.
	 */
	if (!strcmp(e->f->name, "evt.dir") && e->op == OP_EQ && c->n_values == 1 &&
	    (!strcmp(c->values[0], ">") || !strcmp(c->values[0], "<"))) {
		e->kind = X_TRUE;
		return e;
	}
	if (c->field_arg)
		e->arg = strdup(c->field_arg);
	else if (arg)
		e->arg = strdup(arg);
	if (e->f->takes_arg && !e->arg && !strcmp(e->f->name, "evt.arg")) {
		diag_add(cx->d, DIAG_ERROR, cx->file, c->pos.line, c->pos.col, "evt.arg needs a name: evt.arg.NAME");
		cx->failed = 1;
		return NULL;
	}
	e->any_ancestor = e->f->takes_arg && !e->arg && strcmp(e->f->name, "evt.arg");
	for (i = 0; i < c->n_values; i++)
		if (add_expanded(cx, e, c->values[i], c->values_are_list ? 0 : 16, false))
			return NULL;
	if (e->op == OP_EQ || e->op == OP_NE || e->op == OP_IN)
		for (i = 0; (size_t)i < e->n_vals && !e->na; i++)
			e->na = !strcmp(e->vals[i], "<NA>") || !strcmp(e->vals[i], "N/A");
	if (type_check(cx, c, e)) {
		cx->failed = 1;
		return NULL;
	}
	return e;
}

/* ---- evt.type inference ---- */

struct typeset {
	int any;
	char **v;
	size_t n;
};

static void ts_free(struct typeset *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static int ts_has(const struct typeset *t, const char *s)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], s))
			return 1;
	return 0;
}

static void ts_add(struct typeset *t, char *s)
{
	char **v;

	if (ts_has(t, s) || !(v = realloc(t->v, (t->n + 1) * sizeof(char *))))
		return;
	t->v = v;
	t->v[t->n++] = s;
}

static struct typeset types_of(const struct expr *e)
{
	struct typeset a = { 0 }, b = { 0 }, out = { 0 };
	size_t i;

	switch (e->kind) {
	case X_CMP:
		if (!strcmp(e->f->name, "evt.type") && (e->op == OP_EQ || e->op == OP_IN)) {
			for (i = 0; i < e->n_vals; i++)
				ts_add(&out, e->vals[i]);
			return out;
		}
		out.any = 1;
		return out;
	case X_AND:
		a = types_of(e->l);
		b = types_of(e->r);
		if (a.any) {
			ts_free(&a);
			return b;
		}
		if (b.any) {
			ts_free(&b);
			return a;
		}
		for (i = 0; i < a.n; i++)
			if (ts_has(&b, a.v[i]))
				ts_add(&out, a.v[i]);
		ts_free(&a);
		ts_free(&b);
		return out;
	case X_OR:
		a = types_of(e->l);
		b = types_of(e->r);
		if (a.any || b.any) {
			ts_free(&a);
			ts_free(&b);
			out.any = 1;
			return out;
		}
		for (i = 0; i < b.n; i++)
			ts_add(&a, b.v[i]);
		ts_free(&b);
		return a;
	default:
		out.any = 1;	/* not (...) and constants: any type */
		return out;
	}
}

/* ---- exceptions: compiled from text, as `and not (...)` ---- */

static void append_quoted(char *buf, size_t len, size_t *n, const char *v)
{
	*n += snprintf(buf + *n, *n < len ? len - *n : 0, "\"");
	for (; *v && *n + 3 < len; v++) {
		if (*v == '"' || *v == '\\')
			buf[(*n)++] = '\\';
		buf[(*n)++] = *v;
	}
	*n += snprintf(buf + *n, *n < len ? len - *n : 0, "\"");
}

/* The text of "(row1) or (row2) ..." for one exception, or NULL if it has no values. */
static char *exception_text(const struct exception_src *x)
{
	size_t len = 65536, n = 0, r, f;
	char *buf = malloc(len);

	if (!buf || !x->n_fields || !x->n_rows)
		goto empty;
	buf[0] = '\0';
	if (!x->fields_is_list) {
		/* fields: proc.name, comps: in, values: [a, b] */
		const char *comp = x->n_comps ? x->comps[0] : "in";

		if (!x->row_len[0])
			goto empty;
		n += snprintf(buf + n, len - n, "%s %s (", x->fields[0], comp);
		for (f = 0; f < x->row_len[0]; f++) {
			if (f)
				n += snprintf(buf + n, n < len ? len - n : 0, ", ");
			append_quoted(buf, len, &n, x->rows[0][f]);
		}
		n += snprintf(buf + n, n < len ? len - n : 0, ")");
		return buf;
	}
	for (r = 0; r < x->n_rows; r++) {
		n += snprintf(buf + n, n < len ? len - n : 0, "%s(", r ? " or " : "");
		for (f = 0; f < x->n_fields && f < x->row_len[r]; f++) {
			const char *comp = f < x->n_comps ? x->comps[f] : "=";

			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s %s ", f ? " and " : "", x->fields[f], comp);
			if (!strcmp(comp, "in") || !strcmp(comp, "pmatch") || !strcmp(comp, "intersects")) {
				n += snprintf(buf + n, n < len ? len - n : 0, "(");
				append_quoted(buf, len, &n, x->rows[r][f]);
				n += snprintf(buf + n, n < len ? len - n : 0, ")");
			} else {
				append_quoted(buf, len, &n, x->rows[r][f]);
			}
		}
		n += snprintf(buf + n, n < len ? len - n : 0, ")");
	}
	if (n >= len)
		goto empty;
	return buf;
empty:
	free(buf);
	return NULL;
}

static struct expr *with_exceptions(struct cctx *cx, const struct rule_src *r, struct expr *e)
{
	char err[512];
	size_t i;

	for (i = 0; e && i < r->n_exc; i++) {
		char *text = exception_text(&r->exc[i]);
		struct cond_pos at = { r->exc[i].pos.line, r->exc[i].pos.col };
		struct cond *ast;
		struct expr *x, *not_, *and_;

		if (!text)
			continue;	/* an exception with no values excludes nothing */
		ast = cond_parse(text, at, err, sizeof(err));
		free(text);
		if (!ast) {
			diag_add(cx->d, DIAG_ERROR, r->pos.file, at.line, at.col, "rule '%s': exception '%s': %s",
				 r->name, r->exc[i].name, err);
			cx->failed = 1;
			return NULL;
		}
		x = compile(cx, ast);
		cond_free(ast);
		if (!x)
			return NULL;
		not_ = expr_new(cx, X_NOT);
		and_ = expr_new(cx, X_AND);
		if (!not_ || !and_)
			return NULL;
		not_->l = x;
		and_->l = e;
		and_->r = not_;
		e = and_;
	}
	return e;
}

static void index_add(struct ruleset *rs, const char *type, size_t rule)
{
	struct type_index *t;

	HASH_FIND_STR(rs->by_type, type, t);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return;
		t->type = strdup(type);
		HASH_ADD_KEYPTR(hh, rs->by_type, t->type, strlen(t->type), t);
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8, *v = realloc(t->rules, cap * sizeof(size_t));

		if (!v)
			return;
		t->rules = v;
		t->cap = cap;
	}
	t->rules[t->n++] = rule;
}

static int compile_rule(struct cctx *cx, const struct rule_src *r)
{
	struct rule *out = &cx->rs->rules[cx->rs->n];
	struct typeset ts;
	char err[512];
	struct cond *ast;
	struct expr *e;
	size_t i;

	cx->file = r->pos.file;
	cx->missing_field[0] = '\0';
	ast = cond_parse(r->cond, r->cpos, err, sizeof(err));
	if (!ast) {
		int line = r->cpos.line, col = r->cpos.col;

		sscanf(err, "%d:%d:", &line, &col);
		diag_add(cx->d, DIAG_ERROR, r->pos.file, line, col, "rule '%s': %s", r->name,
			 strchr(err, ' ') ? strchr(err, ' ') + 1 : err);
		cx->failed = 1;
		return -1;
	}
	e = compile(cx, ast);
	cond_free(ast);
	e = with_exceptions(cx, r, e);
	if (!e) {
		if (cx->missing_field[0]) {
			diag_add(cx->d, DIAG_WARNING, r->pos.file, r->pos.line, r->pos.col,
				 "rule '%s' skipped: field '%s' is not supported by Vigil", r->name, cx->missing_field);
			cx->rs->skipped++;
		}
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (r->burst_count) {
		const char *arg = NULL;
		const struct field_def *f = field_lookup(r->burst_distinct, &arg);

		if (!f) {
			diag_add(cx->d, DIAG_ERROR, r->burst_pos.file, r->burst_pos.line, r->burst_pos.col,
				 "rule '%s': burst distinct: unknown field '%s'", r->name, r->burst_distinct);
			cx->failed = 1;
			return -1;
		}
		if (r->action != RULE_ALERT) {
			diag_add(cx->d, DIAG_ERROR, r->burst_pos.file, r->burst_pos.line, r->burst_pos.col,
				 "rule '%s': a burst rule only alerts (its action is decided after the event)", r->name);
			cx->failed = 1;
			return -1;
		}
		out->burst.count = r->burst_count;
		out->burst.window_ns = (uint64_t)r->burst_window_s * 1000000000ull;
		out->burst.by = r->burst_by;
		out->burst_field = f;
		out->burst_arg = arg ? strdup(arg) : NULL;
	}
	out->name = strdup(r->name);
	out->reason = strdup(r->reason ? r->reason : r->name);
	out->output = strdup(r->output ? r->output : r->name);
	out->priority = r->priority;
	out->action = r->action;
	if (r->action != RULE_ALERT) {
		out->file = strdup(r->action_pos.file ? r->action_pos.file : r->pos.file);
		out->action_line = r->action_pos.line;
		out->action_col = r->action_pos.col;
	}
	out->e = e;
	out->tags = calloc(r->n_tags + 1, sizeof(char *));
	for (i = 0; out->tags && i < r->n_tags; i++)
		out->tags[out->n_tags++] = strdup(r->tags[i]);
	ts = types_of(e);
	out->any_type = ts.any;
	out->n_types = ts.n;
	out->types = calloc(ts.n + 1, sizeof(char *));
	for (i = 0; out->types && i < ts.n; i++)
		out->types[i] = strdup(ts.v[i]);
	ts_free(&ts);
	if (out->any_type) {
		cx->rs->any_rules[cx->rs->n_any++] = cx->rs->n;
	} else {
		for (i = 0; i < out->n_types; i++)
			index_add(cx->rs, out->types[i], cx->rs->n);
	}
	cx->rs->n++;
	return 0;
}

struct ruleset *rules_load(const char *const *paths, size_t n, struct rules_diags *diags)
{
	struct rules_src src = { 0 };
	struct ruleset *rs = calloc(1, sizeof(*rs));
	struct cctx cx = { .src = &src, .d = diags, .rs = rs };
	size_t i;

	if (!rs)
		return NULL;
	for (i = 0; i < n; i++)
		if (rules_src_load_file(&src, paths[i], diags) == -ENOMEM)
			break;
	rs->rules = calloc(src.n_rules + 1, sizeof(*rs->rules));
	rs->any_rules = calloc(src.n_rules + 1, sizeof(size_t));
	for (i = 0; rs->rules && rs->any_rules && i < src.n_rules; i++) {
		if (!src.rules[i].enabled || !src.rules[i].cond)
			continue;
		compile_rule(&cx, &src.rules[i]);
	}
	/* macros no rule used are still checked, so `rules check` sees their errors */
	for (i = 0; i < src.n_macros; i++)
		if (!src.macros[i].state) {
			struct cond_pos at = { src.macros[i].pos.line, src.macros[i].pos.col };

			cx.file = src.macros[i].pos.file;
			cx.missing_field[0] = '\0';
			compile_macro(&cx, &src.macros[i], at);
		}
	for (i = 0; i < src.n_macros; i++)
		if (src.macros[i].state == 3)
			free(src.macros[i].expr);	/* the missing-field name */
	rules_src_free(&src);
	if (!diags->errors)
		rules_lower_check(rs, diags);
	if (diags->errors) {
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

void ruleset_free(struct ruleset *rs)
{
	struct type_index *t, *tmp;
	struct expr *e, *next;
	size_t i, k;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++) {
		struct rule *r = &rs->rules[i];

		free(r->name);
		free(r->reason);
		free(r->output);
		free(r->file);
		free(r->burst_arg);
		for (k = 0; k < r->n_tags; k++)
			free(r->tags[k]);
		free(r->tags);
		for (k = 0; k < r->n_types; k++)
			free(r->types[k]);
		free(r->types);
	}
	for (e = rs->arena; e; e = next) {
		next = e->arena_next;
		for (k = 0; k < e->n_vals; k++)
			free(e->vals[k]);
		free(e->vals);
		free(e->nums);
		free(e->nets);
		free(e->arg);
		free(e);
	}
	HASH_ITER(hh, rs->by_type, t, tmp) {
		HASH_DEL(rs->by_type, t);
		free(t->type);
		free(t->rules);
		free(t);
	}
	free(rs->any_rules);
	free(rs->rules);
	free(rs);
}

size_t ruleset_rule_count(const struct ruleset *rs)
{
	return rs->n;
}

bool ruleset_uses_field(const struct ruleset *rs, const char *name)
{
	const struct expr *e;
	char ref[96];
	size_t i, n;

	for (e = rs->arena; e; e = e->arena_next)
		if (e->kind == X_CMP && e->f && !strcmp(e->f->name, name))
			return true;
	/* an output's %name (not a longer name that starts with it) */
	n = (size_t)snprintf(ref, sizeof(ref), "%%%s", name);
	if (n >= sizeof(ref))
		return false;
	for (i = 0; i < rs->n; i++) {
		const char *out = rs->rules[i].output, *p;

		if (!out)
			continue;
		for (p = strstr(out, ref); p; p = strstr(p, ref)) {
			p += n;
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '[')
				return true;
		}
	}
	return false;
}

size_t ruleset_skipped_count(const struct ruleset *rs)
{
	return rs->skipped;
}

size_t ruleset_event_types(const struct ruleset *rs, const char **names, size_t max)
{
	struct type_index *t, *tmp;
	size_t n = 0;

	if (rs->n_any && n < max)
		names[n++] = "*";
	HASH_ITER(hh, rs->by_type, t, tmp)
		if (n < max)
			names[n++] = t->type;
	return n;
}

