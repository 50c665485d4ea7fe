/*
 * rules_src.h - rule files as loaded, before compilation (internal to
 * rules_load.c and rules_compile.c): every element with its position.
 */
#ifndef VIGIL_RULES_SRC_H
#define VIGIL_RULES_SRC_H

#include "rules/rules.h"
#include "rules/cond.h"

struct src_pos {
	const char *file;	/* owned by struct rules_src */
	int line, col;
};

struct list_src {
	char *name;
	char **items;
	size_t n;
	struct src_pos pos;
};

struct macro_src {
	char *name;
	char *cond;
	struct cond_pos cpos;	/* where cond starts */
	struct src_pos pos;
	int state;		/* compile: 0 new, 1 compiling (cycle check), 2 done, 3 failed */
	void *expr;		/* compile: the compiled condition */
};

struct exception_src {
	char *name;
	char **fields;
	size_t n_fields;
	char **comps;
	size_t n_comps;
	char ***rows;		/* values: rows of n_fields strings, or one list for one field */
	size_t *row_len;
	size_t n_rows;
	int fields_is_list;	/* fields: [a, b] rather than fields: a */
	struct src_pos pos;
};

struct rule_src {
	char *name;
	char *desc;
	char *cond;
	struct cond_pos cpos;
	char *output;
	char *reason;		/* Vigil's short label for Unsafe:[...] */
	enum rule_priority priority;
	char **tags;
	size_t n_tags;
	int enabled;
	enum rule_action action;
	struct src_pos action_pos;	/* where `action:` is, for errors about it */
	struct exception_src *exc;
	size_t n_exc;
	struct src_pos pos;
	/* burst: {count, window, by, distinct}: fires once count distinct values are seen */
	unsigned int burst_count;	/* 0: not a burst rule */
	unsigned int burst_window_s;
	enum rule_burst_by burst_by;
	char *burst_distinct;		/* a field name, default proc.exe_name */
	struct src_pos burst_pos;
};

struct rules_src {
	struct list_src *lists;
	size_t n_lists, cap_lists;
	struct macro_src *macros;
	size_t n_macros, cap_macros;
	struct rule_src *rules;
	size_t n_rules, cap_rules;
	char **files;
	size_t n_files;
};

/* Adds the elements of one YAML file to src.  0, or -errno when it could not be read. */
int rules_src_load_file(struct rules_src *src, const char *path, struct rules_diags *d);
void rules_src_free(struct rules_src *src);

void diag_add(struct rules_diags *d, enum diag_severity sev, const char *file, int line, int col,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));

int priority_parse(const char *s, enum rule_priority *out);

#endif
