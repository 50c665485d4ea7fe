/* rules_cond.c - lexer and recursive-descent parser for conditions. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/cond.h"

enum tok_kind { T_END, T_LPAREN, T_RPAREN, T_COMMA, T_OP, T_WORD, T_STRING, T_ERROR };

struct tok {
	enum tok_kind kind;
	const char *start;
	size_t len;
	struct cond_pos pos;
	enum cond_op op;
};

struct lexer {
	const char *s, *p;
	struct cond_pos base;
	int line, col;		/* of p, relative */
	struct tok cur;
	char *err;
	size_t errlen;
	int failed;
};

static const struct { const char *text; enum cond_op op; } ops[] = {
	/* longest first */
	{ "<=", OP_LE }, { ">=", OP_GE }, { "!=", OP_NE }, { "==", OP_EQ },
	{ "=", OP_EQ }, { "<", OP_LT }, { ">", OP_GT },
};

static const struct { const char *word; enum cond_op op; } word_ops[] = {
	{ "contains", OP_CONTAINS }, { "icontains", OP_ICONTAINS }, { "bcontains", OP_BCONTAINS },
	{ "startswith", OP_STARTSWITH }, { "endswith", OP_ENDSWITH }, { "glob", OP_GLOB },
	{ "in", OP_IN }, { "intersects", OP_INTERSECTS }, { "pmatch", OP_PMATCH },
	{ "exists", OP_EXISTS },
};

const char *cond_op_name(enum cond_op op)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == op && op != OP_EQ)
			return ops[i].text;
	if (op == OP_EQ)
		return "=";
	for (i = 0; i < sizeof(word_ops) / sizeof(word_ops[0]); i++)
		if (word_ops[i].op == op)
			return word_ops[i].word;
	return "?";
}

static struct cond_pos abs_pos(const struct lexer *lx)
{
	struct cond_pos p = { lx->base.line + lx->line, lx->line ? lx->col + 1 : lx->base.col + lx->col };

	return p;
}

static void lex_error(struct lexer *lx, struct cond_pos pos, const char *msg)
{
	if (lx->failed)
		return;
	lx->failed = 1;
	snprintf(lx->err, lx->errlen, "%d:%d: %s", pos.line, pos.col, msg);
}

static void advance_char(struct lexer *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 0;
	} else {
		lx->col++;
	}
	lx->p++;
}

/* A word runs until white space, a parenthesis, a comma, or a comparison operator. */
static int word_char(const char *p)
{
	return *p && !isspace((unsigned char)*p) && *p != '(' && *p != ')' && *p != ',' &&
	       *p != '=' && *p != '<' && *p != '>' && !(p[0] == '!' && p[1] == '=') &&
	       *p != '"' && *p != '\'';
}

static void next(struct lexer *lx)
{
	struct tok *t = &lx->cur;
	size_t i;

	while (*lx->p && isspace((unsigned char)*lx->p))
		advance_char(lx);
	memset(t, 0, sizeof(*t));
	t->pos = abs_pos(lx);
	t->start = lx->p;
	if (!*lx->p) {
		t->kind = T_END;
		return;
	}
	if (*lx->p == '(' || *lx->p == ')' || *lx->p == ',') {
		t->kind = *lx->p == '(' ? T_LPAREN : *lx->p == ')' ? T_RPAREN : T_COMMA;
		t->len = 1;
		advance_char(lx);
		return;
	}
	if (*lx->p == '"' || *lx->p == '\'') {
		char q = *lx->p;

		advance_char(lx);
		t->start = lx->p;
		while (*lx->p && *lx->p != q) {
			if (*lx->p == '\\' && lx->p[1])
				advance_char(lx);
			advance_char(lx);
		}
		if (!*lx->p) {
			t->kind = T_ERROR;
			lex_error(lx, t->pos, "unterminated string");
			return;
		}
		t->len = lx->p - t->start;
		t->kind = T_STRING;
		advance_char(lx);
		return;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if (!strncmp(lx->p, ops[i].text, n)) {
			t->kind = T_OP;
			t->op = ops[i].op;
			t->len = n;
			while (n--)
				advance_char(lx);
			return;
		}
	}
	while (word_char(lx->p)) {
		/* brackets belong to the word: proc.aname[2], fd.types[0] */
		if (*lx->p == '[') {
			while (*lx->p && *lx->p != ']')
				advance_char(lx);
			if (*lx->p == ']')
				advance_char(lx);
			continue;
		}
		advance_char(lx);
	}
	t->len = lx->p - t->start;
	if (!t->len) {
		t->kind = T_ERROR;
		lex_error(lx, t->pos, "unexpected character");
		advance_char(lx);
		return;
	}
	t->kind = T_WORD;
	for (i = 0; i < sizeof(word_ops) / sizeof(word_ops[0]); i++)
		if (t->len == strlen(word_ops[i].word) && !strncmp(t->start, word_ops[i].word, t->len)) {
			t->kind = T_OP;
			t->op = word_ops[i].op;
		}
}

static int is_word(const struct tok *t, const char *w)
{
	return t->kind == T_WORD && t->len == strlen(w) && !strncmp(t->start, w, t->len);
}

/* A string value: quoted text loses its quotes and backslash escapes. */
static char *tok_text(const struct tok *t)
{
	char *s = malloc(t->len + 1), *o = s;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < t->len; i++) {
		if (t->kind == T_STRING && t->start[i] == '\\' && i + 1 < t->len)
			i++;
		*o++ = t->start[i];
	}
	*o = '\0';
	return s;
}

static struct cond *node(enum cond_kind kind, struct cond_pos pos)
{
	struct cond *c = calloc(1, sizeof(*c));

	if (c) {
		c->kind = kind;
		c->pos = pos;
	}
	return c;
}

static struct cond *parse_or(struct lexer *lx);

static int add_value(struct cond *c, char *v)
{
	char **vals = realloc(c->values, (c->n_values + 1) * sizeof(*vals));

	if (!vals || !v) {
		free(v);
		return -1;
	}
	c->values = vals;
	c->values[c->n_values++] = v;
	return 0;
}

/* "(" value ("," value)* ")" -- also accepts an empty list */
static int parse_value_list(struct lexer *lx, struct cond *c)
{
	c->values_are_list = 1;
	next(lx);	/* ( */
	if (lx->cur.kind == T_RPAREN) {
		next(lx);
		return 0;
	}
	for (;;) {
		/* a value may be a word made of several tokens: "runc:[0:PARENT]" lexes whole */
		if (lx->cur.kind != T_WORD && lx->cur.kind != T_STRING) {
			lex_error(lx, lx->cur.pos, "expected a value in the list");
			return -1;
		}
		if (add_value(c, tok_text(&lx->cur)))
			return -1;
		next(lx);
		if (lx->cur.kind == T_COMMA) {
			next(lx);
			continue;
		}
		if (lx->cur.kind == T_RPAREN) {
			next(lx);
			return 0;
		}
		lex_error(lx, lx->cur.pos, "expected ',' or ')' in the list");
		return -1;
	}
}

static struct cond *parse_primary(struct lexer *lx)
{
	struct tok t = lx->cur;
	struct cond *c;
	char *name, *br;

	if (t.kind == T_LPAREN) {
		next(lx);
		c = parse_or(lx);
		if (!c)
			return NULL;
		if (lx->cur.kind != T_RPAREN) {
			lex_error(lx, lx->cur.pos, "expected ')'");
			cond_free(c);
			return NULL;
		}
		next(lx);
		return c;
	}
	if (t.kind != T_WORD || is_word(&t, "and") || is_word(&t, "or")) {
		lex_error(lx, t.pos, t.kind == T_END ? "unexpected end of condition" : "expected a field or macro name");
		return NULL;
	}
	name = tok_text(&t);
	next(lx);
	if (lx->cur.kind != T_OP) {
		/* a macro reference */
		c = node(COND_NAME, t.pos);
		if (!c) {
			free(name);
			return NULL;
		}
		c->name = name;
		return c;
	}
	c = node(COND_CMP, t.pos);
	if (!c) {
		free(name);
		return NULL;
	}
	br = strchr(name, '[');
	if (br) {
		size_t n = strlen(br);

		if (n < 3 || br[n - 1] != ']') {
			lex_error(lx, t.pos, "malformed field argument, expected field[arg]");
			free(name);
			cond_free(c);
			return NULL;
		}
		c->field_arg = strndup(br + 1, n - 2);
		*br = '\0';
	}
	c->field = name;
	c->op = lx->cur.op;
	next(lx);
	if (c->op == OP_EXISTS)
		return c;
	if (lx->cur.kind == T_LPAREN) {
		if (parse_value_list(lx, c)) {
			cond_free(c);
			return NULL;
		}
		return c;
	}
	if (c->op == OP_IN || c->op == OP_INTERSECTS || c->op == OP_PMATCH) {
		lex_error(lx, lx->cur.pos, "expected '(' and a list of values");
		cond_free(c);
		return NULL;
	}
	if (lx->cur.kind != T_WORD && lx->cur.kind != T_STRING) {
		lex_error(lx, lx->cur.pos, "expected a value after the operator");
		cond_free(c);
		return NULL;
	}
	if (add_value(c, tok_text(&lx->cur))) {
		cond_free(c);
		return NULL;
	}
	next(lx);
	return c;
}

static struct cond *parse_not(struct lexer *lx)
{
	if (is_word(&lx->cur, "not")) {
		struct cond_pos pos = lx->cur.pos;
		struct cond *c = node(COND_NOT, pos);

		next(lx);
		if (!c)
			return NULL;
		c->left = parse_not(lx);
		if (!c->left) {
			cond_free(c);
			return NULL;
		}
		return c;
	}
	return parse_primary(lx);
}

static struct cond *parse_binary(struct lexer *lx, const char *word, enum cond_kind kind,
				 struct cond *(*sub)(struct lexer *))
{
	struct cond *left = sub(lx), *c;

	while (left && is_word(&lx->cur, word)) {
		c = node(kind, lx->cur.pos);
		next(lx);
		if (!c) {
			cond_free(left);
			return NULL;
		}
		c->left = left;
		c->right = sub(lx);
		if (!c->right) {
			cond_free(c);
			return NULL;
		}
		left = c;
	}
	return left;
}

static struct cond *parse_and(struct lexer *lx)
{
	return parse_binary(lx, "and", COND_AND, parse_not);
}

static struct cond *parse_or(struct lexer *lx)
{
	return parse_binary(lx, "or", COND_OR, parse_and);
}

struct cond *cond_parse(const char *text, struct cond_pos base, char *err, size_t errlen)
{
	struct lexer lx = { .s = text, .p = text, .base = base, .err = err, .errlen = errlen };
	struct cond *c;

	if (errlen)
		err[0] = '\0';
	next(&lx);
	c = parse_or(&lx);
	if (lx.failed && c) {
		cond_free(c);	/* an error inside a valid prefix */
		c = NULL;
	}
	if (c && lx.cur.kind != T_END) {
		lex_error(&lx, lx.cur.pos, "unexpected text after the condition (missing 'and'/'or'?)");
		cond_free(c);
		return NULL;
	}
	if (lx.failed) {
		cond_free(c);
		return NULL;
	}
	return c;
}

void cond_free(struct cond *c)
{
	int i;

	if (!c)
		return;
	cond_free(c->left);
	cond_free(c->right);
	free(c->field);
	free(c->field_arg);
	for (i = 0; i < c->n_values; i++)
		free(c->values[i]);
	free(c->values);
	free(c->name);
	free(c);
}
