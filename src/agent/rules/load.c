/*
 * rules_load.c - YAML rule files into struct rules_src (libyaml's document
 * API, which keeps every node's line and column), with Falco's append and
 * override semantics across files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "rules/src.h"

void diag_add(struct rules_diags *d, enum diag_severity sev, const char *file, int line, int col,
	      const char *fmt, ...)
{
	struct rules_diag *it;
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct rules_diag *items = realloc(d->items, cap * sizeof(*items));

		if (!items)
			return;
		d->items = items;
		d->cap = cap;
	}
	it = &d->items[d->n++];
	it->severity = sev;
	it->file = strdup(file ? file : "-");
	it->line = line;
	it->col = col;
	it->msg = strdup(msg);
	if (sev == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

void rules_diags_free(struct rules_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

void rules_diags_print(const struct rules_diags *d, FILE *f)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(f, "%s:%d:%d: %s: %s\n", d->items[i].file, d->items[i].line, d->items[i].col,
			d->items[i].severity == DIAG_ERROR ? "error" : "warning", d->items[i].msg);
}

int priority_parse(const char *s, enum rule_priority *out)
{
	static const char *const names[] = { "emergency", "alert", "critical", "error", "warning",
					     "notice", "informational", "debug" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i])) {
			*out = i;
			return 0;
		}
	if (!strcasecmp(s, "info")) {
		*out = PRI_INFORMATIONAL;
		return 0;
	}
	return -EINVAL;
}

/* ---- YAML helpers ---- */

struct ydoc {
	yaml_document_t doc;
	const char *file;
	struct rules_diags *d;
};

static struct src_pos pos_of(const struct ydoc *y, const yaml_node_t *n)
{
	struct src_pos p = { y->file, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1 };

	return p;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(struct ydoc *y, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(&y->doc, p->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(&y->doc, p->value);
	}
	return NULL;
}

/*
 * Where a condition's text starts in the file.  For a block scalar (> or |)
 * the text begins on the next line, indented; folding joins its lines, so
 * later positions in it are approximate.
 */
static struct cond_pos text_pos(const yaml_node_t *n)
{
	struct cond_pos p = { (int)n->start_mark.line + 1, (int)n->start_mark.column + 1 };

	if (n->data.scalar.style == YAML_FOLDED_SCALAR_STYLE || n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE) {
		p.line++;
		p.col = (int)n->end_mark.column + 1;
	} else if (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		   n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		p.col++;
	}
	return p;
}

/* A sequence of scalars (or one scalar) as strings; NULL-terminated count in *n. */
static char **strings(struct ydoc *y, yaml_node_t *n, size_t *count, const char *what)
{
	yaml_node_item_t *it;
	char **out;
	size_t i = 0;

	*count = 0;
	if (!n)
		return NULL;
	if (n->type == YAML_SCALAR_NODE) {
		out = calloc(1, sizeof(char *));
		if (out) {
			out[0] = strdup(scalar(n));
			*count = 1;
		}
		return out;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		struct src_pos p = pos_of(y, n);

		diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col, "%s must be a list", what);
		return NULL;
	}
	out = calloc(n->data.sequence.items.top - n->data.sequence.items.start + 1, sizeof(char *));
	for (it = n->data.sequence.items.start; out && it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(&y->doc, *it);

		if (!scalar(v)) {
			struct src_pos p = pos_of(y, v);

			diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col, "%s items must be scalars", what);
			continue;
		}
		out[i++] = strdup(scalar(v));
	}
	*count = i;
	return out;
}

static void strings_free(char **s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		free(s[i]);
	free(s);
}

#define GROW(arr, n, cap) do { \
	if ((n) == (cap)) { \
		size_t c_ = (cap) ? (cap) * 2 : 16; \
		void *p_ = realloc((arr), c_ * sizeof(*(arr))); \
		if (!p_) \
			return -ENOMEM; \
		(arr) = p_; \
		(cap) = c_; \
	} \
} while (0)

/* override: {condition: append} and friends; append: true means append all */
static const char *override_of(struct ydoc *y, yaml_node_t *item, const char *key)
{
	yaml_node_t *ov = map_get(y, item, "override");
	const char *app = scalar(map_get(y, item, "append"));

	if (ov)
		return scalar(map_get(y, ov, key));
	if (app && !strcmp(app, "true"))
		return "append";
	return NULL;
}

/* `action: alert|kill|deny`; anything else is an error at its position. */
static void action_parse(struct ydoc *y, yaml_node_t *item, struct rule_src *r)
{
	yaml_node_t *n = map_get(y, item, "action");
	const char *s = scalar(n);
	struct src_pos p;

	if (!n)
		return;
	p = pos_of(y, n);
	if (s && !strcmp(s, "alert"))
		r->action = RULE_ALERT;
	else if (s && !strcmp(s, "kill"))
		r->action = RULE_KILL;
	else if (s && !strcmp(s, "deny"))
		r->action = RULE_DENY;
	else {
		diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col, "rule '%s': unknown action '%s' (alert, kill, deny)",
			 r->name, s ? s : "(not a word)");
		return;
	}
	r->action_pos = p;
}

/* A whole number in [lo, hi] at node n, else an error naming what. */
static bool uint_in(struct ydoc *y, const char *rule, yaml_node_t *n, const char *what, unsigned int lo,
		    unsigned int hi, unsigned int *out)
{
	const char *s = scalar(n);
	struct src_pos p = pos_of(y, n);
	char *end;
	unsigned long v;

	errno = 0;
	v = s ? strtoul(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || v < lo || v > hi || *s == '-') {
		diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col, "rule '%s': burst %s must be a whole number from %u to %u",
			 rule, what, lo, hi);
		return false;
	}
	*out = (unsigned int)v;
	return true;
}

/*
 * `burst: {count: N, window: SECONDS, by: session|container, distinct: FIELD}`:
 * the rule fires once N distinct values of FIELD (default proc.exe_name)
 * match within the window, in one session or one container, and lists them.
 */
static void burst_parse(struct ydoc *y, yaml_node_t *item, struct rule_src *r)
{
	yaml_node_t *n = map_get(y, item, "burst"), *v;
	struct src_pos p;
	const char *s;

	if (!n)
		return;
	p = pos_of(y, n);
	if (n->type != YAML_MAPPING_NODE) {
		diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col,
			 "rule '%s': burst must be a mapping {count, window, by, distinct}", r->name);
		return;
	}
	r->burst_pos = p;
	r->burst_window_s = 60;
	r->burst_by = BURST_BY_SESSION;
	if (!(v = map_get(y, n, "count"))) {
		diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col, "rule '%s': burst needs a count", r->name);
		return;
	}
	if (!uint_in(y, r->name, v, "count", 2, 64, &r->burst_count) ||
	    ((v = map_get(y, n, "window")) && !uint_in(y, r->name, v, "window", 1, 86400, &r->burst_window_s))) {
		r->burst_count = 0;
		return;
	}
	if ((v = map_get(y, n, "by"))) {
		s = scalar(v);
		if (s && !strcmp(s, "session")) {
			r->burst_by = BURST_BY_SESSION;
		} else if (s && !strcmp(s, "container")) {
			r->burst_by = BURST_BY_CONTAINER;
		} else {
			struct src_pos vp = pos_of(y, v);

			diag_add(y->d, DIAG_ERROR, vp.file, vp.line, vp.col,
				 "rule '%s': burst by '%s' (session, container)", r->name, s ? s : "(not a word)");
			r->burst_count = 0;
			return;
		}
	}
	s = scalar(map_get(y, n, "distinct"));
	r->burst_distinct = strdup(s ? s : "proc.exe_name");
}

static int load_list(struct rules_src *src, struct ydoc *y, yaml_node_t *item, const char *name)
{
	struct src_pos p = pos_of(y, item);
	const char *how = override_of(y, item, "items");
	size_t n, i, k;
	char **items = strings(y, map_get(y, item, "items"), &n, "items");

	for (i = 0; i < src->n_lists; i++)
		if (!strcmp(src->lists[i].name, name))
			break;
	if (i < src->n_lists && how && !strcmp(how, "append")) {
		char **all = realloc(src->lists[i].items, (src->lists[i].n + n) * sizeof(char *) + 1);

		if (!all) {
			strings_free(items, n);
			return -ENOMEM;
		}
		for (k = 0; k < n; k++)
			all[src->lists[i].n + k] = items[k];
		src->lists[i].items = all;
		src->lists[i].n += n;
		free(items);
		return 0;
	}
	if (how && !strcmp(how, "append"))
		diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col, "list '%s': append to a list not defined before", name);
	if (i < src->n_lists) {	/* a redefinition replaces */
		strings_free(src->lists[i].items, src->lists[i].n);
	} else {
		GROW(src->lists, src->n_lists, src->cap_lists);
		i = src->n_lists++;
		src->lists[i].name = strdup(name);
	}
	src->lists[i].items = items;
	src->lists[i].n = n;
	src->lists[i].pos = p;
	return 0;
}

/* "old" + " " + "new", for appended conditions */
static char *concat(const char *a, const char *b)
{
	size_t la = a ? strlen(a) : 0, lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	memcpy(s, a ? a : "", la);
	s[la] = ' ';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

static int load_macro(struct rules_src *src, struct ydoc *y, yaml_node_t *item, const char *name)
{
	struct src_pos p = pos_of(y, item);
	yaml_node_t *cn = map_get(y, item, "condition");
	const char *how = override_of(y, item, "condition");
	size_t i;

	if (!scalar(cn)) {
		diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col, "macro '%s' has no condition", name);
		return 0;
	}
	for (i = 0; i < src->n_macros; i++)
		if (!strcmp(src->macros[i].name, name))
			break;
	if (i < src->n_macros && how && !strcmp(how, "append")) {
		char *c = concat(src->macros[i].cond, scalar(cn));

		free(src->macros[i].cond);
		src->macros[i].cond = c;
		return 0;
	}
	if (how && !strcmp(how, "append"))
		diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col, "macro '%s': append to a macro not defined before", name);
	if (i < src->n_macros) {
		free(src->macros[i].cond);
	} else {
		GROW(src->macros, src->n_macros, src->cap_macros);
		i = src->n_macros++;
		memset(&src->macros[i], 0, sizeof(src->macros[i]));
		src->macros[i].name = strdup(name);
	}
	src->macros[i].cond = strdup(scalar(cn));
	src->macros[i].cpos = text_pos(cn);
	src->macros[i].pos = p;
	return 0;
}

static void exceptions_free(struct exception_src *e, size_t n)
{
	size_t i, r;

	for (i = 0; e && i < n; i++) {
		free(e[i].name);
		strings_free(e[i].fields, e[i].n_fields);
		strings_free(e[i].comps, e[i].n_comps);
		for (r = 0; r < e[i].n_rows; r++)
			strings_free(e[i].rows[r], e[i].row_len[r]);
		free(e[i].rows);
		free(e[i].row_len);
	}
	free(e);
}

static struct exception_src *load_exceptions(struct ydoc *y, yaml_node_t *seq, size_t *n)
{
	struct exception_src *out;
	yaml_node_item_t *it;
	size_t k = 0;

	*n = 0;
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return NULL;
	out = calloc(seq->data.sequence.items.top - seq->data.sequence.items.start + 1, sizeof(*out));
	for (it = seq->data.sequence.items.start; out && it < seq->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(&y->doc, *it), *fields, *values, *comps;
		struct exception_src *x = &out[k];
		yaml_node_item_t *v;

		x->pos = pos_of(y, e);
		x->name = scalar(map_get(y, e, "name")) ? strdup(scalar(map_get(y, e, "name"))) : strdup("?");
		fields = map_get(y, e, "fields");
		x->fields_is_list = fields && fields->type == YAML_SEQUENCE_NODE;
		x->fields = strings(y, fields, &x->n_fields, "exception fields");
		comps = map_get(y, e, "comps");
		x->comps = strings(y, comps, &x->n_comps, "exception comps");
		values = map_get(y, e, "values");
		if (values && values->type == YAML_SEQUENCE_NODE) {
			size_t nv = values->data.sequence.items.top - values->data.sequence.items.start;

			x->rows = calloc(nv + 1, sizeof(char **));
			x->row_len = calloc(nv + 1, sizeof(size_t));
			if (!x->fields_is_list) {
				/* one field: the values are one list (comps: in) */
				x->rows[0] = strings(y, values, &x->row_len[0], "exception values");
				x->n_rows = 1;
			} else {
				for (v = values->data.sequence.items.start; x->rows && v < values->data.sequence.items.top; v++) {
					yaml_node_t *row = yaml_document_get_node(&y->doc, *v);

					x->rows[x->n_rows] = strings(y, row, &x->row_len[x->n_rows], "exception values");
					x->n_rows++;
				}
			}
		}
		k++;
	}
	*n = k;
	return out;
}

static void rule_src_clear(struct rule_src *r)
{
	free(r->name);
	free(r->desc);
	free(r->cond);
	free(r->output);
	free(r->reason);
	free(r->burst_distinct);
	strings_free(r->tags, r->n_tags);
	exceptions_free(r->exc, r->n_exc);
	memset(r, 0, sizeof(*r));
}

static int load_rule(struct rules_src *src, struct ydoc *y, yaml_node_t *item, const char *name)
{
	struct src_pos p = pos_of(y, item);
	yaml_node_t *cn = map_get(y, item, "condition"), *n;
	const char *how_cond = override_of(y, item, "condition");
	const char *how_exc = override_of(y, item, "exceptions");
	const char *s;
	struct rule_src *r;
	size_t i;
	bool appending = (how_cond && !strcmp(how_cond, "append")) || (how_exc && !strcmp(how_exc, "append")) ||
			 map_get(y, item, "override");

	for (i = 0; i < src->n_rules; i++)
		if (!strcmp(src->rules[i].name, name))
			break;
	if (appending) {
		if (i == src->n_rules) {
			diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col,
				 "rule '%s': append/override of a rule not defined before", name);
			return 0;
		}
		r = &src->rules[i];
		if (scalar(cn)) {
			if (how_cond && !strcmp(how_cond, "replace")) {
				free(r->cond);
				r->cond = strdup(scalar(cn));
				r->cpos = text_pos(cn);
			} else {
				char *c = concat(r->cond, scalar(cn));

				free(r->cond);
				r->cond = c;
			}
		}
		if ((n = map_get(y, item, "exceptions"))) {
			size_t k, ne;
			struct exception_src *ex = load_exceptions(y, n, &ne);
			struct exception_src *all;

			if (how_exc && !strcmp(how_exc, "replace")) {
				exceptions_free(r->exc, r->n_exc);
				r->exc = ex;
				r->n_exc = ne;
			} else if (ne && (all = realloc(r->exc, (r->n_exc + ne) * sizeof(*all)))) {
				for (k = 0; k < ne; k++)
					all[r->n_exc + k] = ex[k];
				r->exc = all;
				r->n_exc += ne;
				free(ex);
			} else {
				exceptions_free(ex, ne);
			}
		}
		/* override: replace of scalar keys */
		if ((s = scalar(map_get(y, item, "output"))) && override_of(y, item, "output")) {
			free(r->output);
			r->output = strdup(s);
		}
		if ((s = scalar(map_get(y, item, "priority"))) && override_of(y, item, "priority"))
			priority_parse(s, &r->priority);
		if ((s = scalar(map_get(y, item, "enabled"))) && override_of(y, item, "enabled"))
			r->enabled = !strcmp(s, "true");
		if (override_of(y, item, "action"))
			action_parse(y, item, r);
		return 0;
	}
	/* a new definition (replaces one of the same name) */
	if (i < src->n_rules) {
		rule_src_clear(&src->rules[i]);
	} else {
		GROW(src->rules, src->n_rules, src->cap_rules);
		i = src->n_rules++;
		memset(&src->rules[i], 0, sizeof(src->rules[i]));
	}
	r = &src->rules[i];
	r->name = strdup(name);
	r->pos = p;
	r->enabled = 1;
	r->priority = PRI_WARNING;
	if (!scalar(cn)) {
		diag_add(y->d, DIAG_ERROR, p.file, p.line, p.col, "rule '%s' has no condition", name);
		r->enabled = 0;
	} else {
		r->cond = strdup(scalar(cn));
		r->cpos = text_pos(cn);
	}
	if ((s = scalar(map_get(y, item, "desc"))))
		r->desc = strdup(s);
	if ((s = scalar(map_get(y, item, "output"))))
		r->output = strdup(s);
	else
		diag_add(y->d, DIAG_WARNING, p.file, p.line, p.col, "rule '%s' has no output", name);
	if ((s = scalar(map_get(y, item, "reason"))))
		r->reason = strdup(s);
	n = map_get(y, item, "priority");
	if ((s = scalar(n)) && priority_parse(s, &r->priority)) {
		struct src_pos pp = pos_of(y, n);

		diag_add(y->d, DIAG_ERROR, pp.file, pp.line, pp.col,
			 "rule '%s': unknown priority '%s' (emergency, alert, critical, error, warning, notice, informational, debug)",
			 name, s);
	}
	if ((s = scalar(map_get(y, item, "enabled"))))
		r->enabled = r->enabled && !strcmp(s, "true");
	r->tags = strings(y, map_get(y, item, "tags"), &r->n_tags, "tags");
	action_parse(y, item, r);
	burst_parse(y, item, r);
	r->exc = load_exceptions(y, map_get(y, item, "exceptions"), &r->n_exc);
	return 0;
}

int rules_src_load_file(struct rules_src *src, const char *path, struct rules_diags *d)
{
	struct ydoc y = { .d = d };
	yaml_parser_t parser;
	yaml_node_t *root;
	yaml_node_item_t *it;
	FILE *f = fopen(path, "r");
	char **files;
	int err = 0;

	if (!f) {
		err = -errno;
		diag_add(d, DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
		return err;
	}
	files = realloc(src->files, (src->n_files + 1) * sizeof(char *));
	if (!files) {
		fclose(f);
		return -ENOMEM;
	}
	src->files = files;
	y.file = src->files[src->n_files++] = strdup(path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &y.doc)) {
		diag_add(d, DIAG_ERROR, path, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1,
			 "YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		return 0;
	}
	root = yaml_document_get_root_node(&y.doc);
	if (root && root->type != YAML_SEQUENCE_NODE) {
		struct src_pos p = pos_of(&y, root);

		diag_add(d, DIAG_ERROR, p.file, p.line, p.col, "a rules file is a list of rule, macro and list items");
		root = NULL;
	}
	for (it = root ? root->data.sequence.items.start : NULL; root && it < root->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(&y.doc, *it);
		struct src_pos p = pos_of(&y, item);
		const char *name;

		if (item->type != YAML_MAPPING_NODE) {
			diag_add(d, DIAG_ERROR, p.file, p.line, p.col, "expected a mapping (rule, macro or list)");
			continue;
		}
		if ((name = scalar(map_get(&y, item, "rule"))))
			err = load_rule(src, &y, item, name);
		else if ((name = scalar(map_get(&y, item, "macro"))))
			err = load_macro(src, &y, item, name);
		else if ((name = scalar(map_get(&y, item, "list"))))
			err = load_list(src, &y, item, name);
		else if (map_get(&y, item, "required_engine_version") || map_get(&y, item, "required_plugin_versions"))
			continue;	/* accepted: Vigil implements the language it supports */
		else
			diag_add(d, DIAG_WARNING, p.file, p.line, p.col, "unknown item, ignored (expected rule, macro or list)");
		if (err)
			break;
	}
	yaml_document_delete(&y.doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return err;
}

void rules_src_free(struct rules_src *src)
{
	size_t i;

	for (i = 0; i < src->n_lists; i++) {
		free(src->lists[i].name);
		strings_free(src->lists[i].items, src->lists[i].n);
	}
	for (i = 0; i < src->n_macros; i++) {
		free(src->macros[i].name);
		free(src->macros[i].cond);
	}
	for (i = 0; i < src->n_rules; i++)
		rule_src_clear(&src->rules[i]);
	for (i = 0; i < src->n_files; i++)
		free(src->files[i]);
	free(src->lists);
	free(src->macros);
	free(src->rules);
	free(src->files);
	memset(src, 0, sizeof(*src));
}
