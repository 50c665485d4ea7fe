/* rules_cmd.c - `vigil rules check`: every diagnostic as file:line:col. */
#include <stdio.h>
#include <string.h>

#include "rules/rules.h"
#include "cmd/cmd.h"

int rules_cmd(int argc, char **argv)
{
	struct rules_diags d = { 0 };
	struct ruleset *rs;
	const char *types[256];
	size_t n, i;

	if (argc < 3 || strcmp(argv[1], "check")) {
		fprintf(stderr, "usage: vigil rules check FILE...\n"
				"Validates rule files (syntax, fields, operators, types, macros, lists,\n"
				"cycles) and prints file:line:col: message for each problem.\n"
				"Exit 0 when the files load (warnings allowed), 1 on errors.\n");
		return 2;
	}
	rs = rules_load((const char *const *)argv + 2, argc - 2, &d);
	rules_diags_print(&d, stderr);
	if (!rs) {
		fprintf(stderr, "vigil: rules: %zu error(s), %zu warning(s)\n", d.errors, d.warnings);
		rules_diags_free(&d);
		return 1;
	}
	n = ruleset_event_types(rs, types, 256);
	printf("%zu rules loaded, %zu skipped (unsupported fields), %zu warning(s); event types:",
	       ruleset_rule_count(rs), ruleset_skipped_count(rs), d.warnings);
	for (i = 0; i < n; i++)
		printf(" %s", types[i]);
	printf("\n");
	ruleset_free(rs);
	rules_diags_free(&d);
	return 0;
}
