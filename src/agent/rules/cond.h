/*
 * rules_cond.h - the condition language of rules (Falco's syntax):
 *
 *   expr    := or
 *   or      := and ("or" and)*
 *   and     := not ("and" not)*
 *   not     := "not" not | primary
 *   primary := "(" expr ")" | FIELD OP VALUE | FIELD "exists" | FIELD IN_OP "(" values ")"
 *            | MACRO_NAME
 *   FIELD   := name("." name)* ("[" arg "]")?      e.g. proc.aname[2], evt.arg.flags
 *   values  := (VALUE | LIST_NAME) ("," ...)*      nested lists expand at compile time
 *
 * Parsing yields an AST with source positions; names are resolved later
 * (rules_compile.c), so a macro may be used before it is defined.
 */
#ifndef VIGIL_RULES_COND_H
#define VIGIL_RULES_COND_H

#include <stddef.h>

enum cond_op {
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_CONTAINS, OP_ICONTAINS, OP_BCONTAINS, OP_STARTSWITH, OP_ENDSWITH, OP_GLOB,
	OP_IN, OP_INTERSECTS, OP_PMATCH, OP_EXISTS,
};

enum cond_kind {
	COND_AND, COND_OR, COND_NOT,
	COND_CMP,		/* field op value(s) */
	COND_NAME,		/* a bare identifier: a macro, resolved later */
	COND_TRUE,		/* compiled-in constants */
	COND_FALSE,
};

struct cond_pos {
	int line;		/* 1-based, in the rules file */
	int col;
};

struct cond {
	enum cond_kind kind;
	struct cond_pos pos;
	struct cond *left, *right;	/* AND/OR; NOT uses left */
	/* COND_CMP */
	char *field;			/* "proc.name" */
	char *field_arg;		/* "2" in proc.aname[2], or NULL */
	enum cond_op op;
	char **values;			/* one for scalar ops, several for in/pmatch/... */
	int n_values;
	int values_are_list;		/* written as (a, b, ...) */
	/* COND_NAME */
	char *name;
	void *compiled;			/* set by rules_compile.c, owned there */
};

/*
 * Parses text (a rule's or macro's condition).  base is where text starts in
 * its file, so errors and nodes carry file positions.  Returns the AST or
 * NULL with a message in err ("line:col: ...").
 */
struct cond *cond_parse(const char *text, struct cond_pos base, char *err, size_t errlen);
void cond_free(struct cond *c);
const char *cond_op_name(enum cond_op op);

#endif
