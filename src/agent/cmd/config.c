/* config.c - `vigil run --config FILE` (see config.h); libyaml parses it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cmd/config.h"

#define CONFIG_MAX_BYTES (1 << 20)

static int failf(char *err, size_t errlen, const char *name, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%zu: %s", name, n ? n->start_mark.line + 1 : 1, msg);
	return -1;
}

static int add_word(struct config_words *cw, const char *key, const char *value)
{
	char **w = realloc(cw->w, (cw->n + 1) * sizeof(*w));
	int rc;

	if (!w)
		return -1;
	cw->w = w;
	rc = value ? asprintf(&w[cw->n], "--%s=%s", key, value) : asprintf(&w[cw->n], "--%s", key);
	if (rc < 0)
		return -1;
	cw->n++;
	return 0;
}

static const struct option *find_opt(const struct option *opts, const char *key)
{
	for (; opts->name; opts++)
		if (!strcmp(opts->name, key))
			return opts;
	return NULL;
}

static bool in_list(const char *const *list, const char *key)
{
	for (; list && *list; list++)
		if (!strcmp(*list, key))
			return true;
	return false;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A scalar holding a NUL is not an option value: getopt would see it cut. */
static bool scalar_clean(const yaml_node_t *n)
{
	return strlen((const char *)n->data.scalar.value) == n->data.scalar.length;
}

static int one_key(yaml_document_t *doc, const yaml_node_pair_t *pair, const char *name, const struct option *opts,
		   const char *const *repeatable, bool (*skip)(const char *, void *), void *arg,
		   struct config_words *out, char *err, size_t errlen)
{
	yaml_node_t *k = yaml_document_get_node(doc, pair->key), *v = yaml_document_get_node(doc, pair->value);
	const char *key = scalar(k), *val;
	const struct option *o;
	yaml_node_item_t *it;

	if (!key || !scalar_clean(k))
		return failf(err, errlen, name, k, "a key is not a plain option name");
	if (!strcmp(key, "config") || !strcmp(key, "help"))
		return failf(err, errlen, name, k, "'%s' cannot be set in a configuration file", key);
	o = find_opt(opts, key);
	if (!o)
		return failf(err, errlen, name, k, "unknown option '%s' (vigil run --help lists them)", key);
	if (skip && skip(key, arg))
		return 0;
	if (!v || (v->type == YAML_SCALAR_NODE && !v->data.scalar.length &&
		   v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE))
		return failf(err, errlen, name, k, "'%s' has no value", key);
	if (o->has_arg == no_argument) {
		val = scalar(v);
		if (!val)
			return failf(err, errlen, name, v, "'%s' takes true or false", key);
		if (!strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "on"))
			return add_word(out, key, NULL) ? failf(err, errlen, name, v, "out of memory") : 0;
		if (!strcmp(val, "false") || !strcmp(val, "no") || !strcmp(val, "off"))
			return 0;
		return failf(err, errlen, name, v, "'%s' takes true or false, not '%s'", key, val);
	}
	if (v->type == YAML_SCALAR_NODE) {
		if (!scalar_clean(v))
			return failf(err, errlen, name, v, "'%s': a value holds a NUL byte", key);
		return add_word(out, key, scalar(v)) ? failf(err, errlen, name, v, "out of memory") : 0;
	}
	if (v->type != YAML_SEQUENCE_NODE || !in_list(repeatable, key))
		return failf(err, errlen, name, v, "'%s' takes one value%s", key,
			     v->type == YAML_SEQUENCE_NODE ? ", not a list" : "");
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(doc, *it);

		if (!scalar(e) || !scalar_clean(e))
			return failf(err, errlen, name, e, "'%s': each item is one value", key);
		if (add_word(out, key, scalar(e)))
			return failf(err, errlen, name, e, "out of memory");
	}
	return 0;
}

int config_parse(const char *text, size_t len, const char *name, const struct option *opts,
		 const char *const *repeatable, bool (*skip)(const char *key, void *arg), void *arg,
		 struct config_words *out, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_pair_t *pair;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!yaml_parser_initialize(&parser))
		return failf(err, errlen, name, NULL, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu: %s", name, parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE)
		rc = failf(err, errlen, name, root, "not a mapping of option: value");
	for (pair = root && !rc ? root->data.mapping.pairs.start : NULL;
	     pair && pair < root->data.mapping.pairs.top && !rc; pair++)
		rc = one_key(&doc, pair, name, opts, repeatable, skip, arg, out, err, errlen);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc)
		config_words_free(out);
	return rc;
}

int config_load(const char *path, const struct option *opts, const char *const *repeatable,
		bool (*skip)(const char *key, void *arg), void *arg, struct config_words *out, char *err,
		size_t errlen)
{
	FILE *f = fopen(path, "re");
	size_t len;
	char *text;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(CONFIG_MAX_BYTES + 1);
	len = text ? fread(text, 1, CONFIG_MAX_BYTES + 1, f) : 0;
	rc = text && !ferror(f) ? 0 : -1;
	fclose(f);
	if (rc || len > CONFIG_MAX_BYTES) {
		snprintf(err, errlen, "%s: %s", path, rc ? "cannot be read" : "larger than 1 MiB");
		free(text);
		return -1;
	}
	text[len] = '\0';
	rc = config_parse(text, len, path, opts, repeatable, skip, arg, out, err, errlen);
	free(text);
	return rc;
}

void config_words_free(struct config_words *cw)
{
	int i;

	for (i = 0; i < cw->n; i++)
		free(cw->w[i]);
	free(cw->w);
	cw->w = NULL;
	cw->n = 0;
}
