/* Unit tests: `vigil run --config` files (cmd/config.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/config.h"

static const struct option opts[] = {
	{ "events", required_argument, NULL, 1 },
	{ "rules", required_argument, NULL, 2 },
	{ "enforce", no_argument, NULL, 3 },
	{ "log-dir", required_argument, NULL, 4 },
	{ "config", required_argument, NULL, 5 },
	{ 0 },
};
static const char *const repeatable[] = { "rules", NULL };

static int parse(const char *text, struct config_words *cw, char *err)
{
	return config_parse(text, strlen(text), "v.yaml", opts, repeatable, NULL, NULL, cw, err, 256);
}

static void test_words(void **state)
{
	struct config_words cw;
	char err[256];

	assert_int_equal(parse("# defaults\nevents: all\nrules:\n  - /a.yaml\n  - \"/b c.yaml\"\n"
			       "enforce: true\nlog-dir: /var/log/vigil\n", &cw, err), 0);
	assert_int_equal(cw.n, 5);
	assert_string_equal(cw.w[0], "--events=all");
	assert_string_equal(cw.w[1], "--rules=/a.yaml");
	assert_string_equal(cw.w[2], "--rules=/b c.yaml");	/* one word: a space is no separator */
	assert_string_equal(cw.w[3], "--enforce");
	assert_string_equal(cw.w[4], "--log-dir=/var/log/vigil");
	config_words_free(&cw);

	/* false leaves a flag out; an empty file is no options */
	assert_int_equal(parse("enforce: false\n", &cw, err), 0);
	assert_int_equal(cw.n, 0);
	assert_int_equal(parse("", &cw, err), 0);
	assert_int_equal(cw.n, 0);
	assert_int_equal(parse("# only a comment\n", &cw, err), 0);
	assert_int_equal(cw.n, 0);
}

static bool skip_rules(const char *key, void *arg)
{
	return !strcmp(key, "rules");
}

/* A repeatable option on the command line replaces the file's values. */
static void test_command_line_wins(void **state)
{
	const char *text = "rules: [/a.yaml, /b.yaml]\nevents: all\n";
	struct config_words cw;
	char err[256];

	assert_int_equal(config_parse(text, strlen(text), "v.yaml", opts, repeatable, skip_rules, NULL, &cw, err,
				      sizeof(err)), 0);
	assert_int_equal(cw.n, 1);
	assert_string_equal(cw.w[0], "--events=all");
	config_words_free(&cw);
}

/* Every mistake names the file and the line. */
static void test_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ "events: all\nbogus: 1\n", "v.yaml:2: unknown option 'bogus'" },
		{ "events: [all, alerts]\n", "v.yaml:1: 'events' takes one value, not a list" },
		{ "\n\nenforce: maybe\n", "v.yaml:3: 'enforce' takes true or false, not 'maybe'" },
		{ "enforce: [true]\n", "v.yaml:1: 'enforce' takes true or false" },
		{ "log-dir:\n", "v.yaml:1: 'log-dir' has no value" },
		{ "rules: [[/a]]\n", "v.yaml:1: 'rules': each item is one value" },
		{ "events: {a: b}\n", "v.yaml:1: 'events' takes one value" },
		{ "- events\n", "v.yaml:1: not a mapping" },
		{ "config: /other.yaml\n", "v.yaml:1: 'config' cannot be set" },
		{ "[x]: 1\n", "v.yaml:1: a key is not a plain option name" },
		{ "events: \"a\\0b\"\n", "v.yaml:1: 'events': a value holds a NUL byte" },
		{ "events: all\n  bad: indent\n", "v.yaml:2:" },
		{ "rules: [\n", "v.yaml:2:" },
	};
	struct config_words cw;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (parse(cases[i].text, &cw, err) != -1)
			fail_msg("'%s' was accepted", cases[i].text);
		if (strncmp(err, cases[i].err, strlen(cases[i].err)))
			fail_msg("'%s': said '%s', want '%s...'", cases[i].text, err, cases[i].err);
		assert_int_equal(cw.n, 0);
		assert_null(cw.w);
	}
}

static void test_file(void **state)
{
	struct config_words cw;
	char err[256];

	assert_int_equal(config_load("/nonexistent/vigil.yaml", opts, repeatable, NULL, NULL, &cw, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/vigil.yaml: No such file"));
	/* (the shipped deploy/vigil.yaml is read against the real option table in e2e: family deploy) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_command_line_wins),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
