/* rules_cmd.c - `vigil rules check`: every diagnostic as file:line:col. */
#include <stdio.h>
#include <string.h>

#include "bpf/syscalls.h"
#include "rules/lower.h"
#include "rules/rules.h"
#include "cmd/cmd.h"

/* How each rule with an action is carried out (vigil run --enforce). */
static void explain_actions(const struct ruleset *rs)
{
	const struct rule *r;
	struct lowered l;
	size_t i, k;

	if (rules_lower(rs, NULL, &l))
		return;
	for (i = 0; (r = ruleset_rule(rs, i)); i++) {
		const struct lrule *lr = &l.rules[i];
		char hooks[512] = "";
		uint32_t seen[64];
		size_t n = 0, n_seen = 0, j;

		if (!lr->action)
			continue;
		for (k = 0; k < l.n_cl && n < sizeof(hooks); k++) {
			uint32_t h = l.cl[k].hook;
			const char *what = h == VIGIL_HOOK_EXEC ? "exec" : h == VIGIL_HOOK_NET ? "connect/send" : sys_name(h);

			if (l.cl[k].c.rule != i)
				continue;
			for (j = 0; j < n_seen && seen[j] != h; j++)
				;
			if (j < n_seen || n_seen == 64)
				continue;
			seen[n_seen++] = h;
			n += snprintf(hooks + n, sizeof(hooks) - n, "%s%s", n ? ", " : "", what);
		}
		printf("  %-5s %s:", rule_action_name(rule_action(r)), rule_name(r));
		if (n)
			printf(" in the kernel at %s", hooks);
		if (lr->per_container)
			printf("%s in the kernel per container, once its metadata is known", n ? ";" : "");
		if (lr->agent)
			printf("%s by the agent after the event (%s)", n || lr->per_container ? ";" : "", lr->why);
		printf("\n");
	}
	lowered_free(&l);
}

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
	explain_actions(rs);
	ruleset_free(rs);
	rules_diags_free(&d);
	return 0;
}
