/*
 * libFuzzer target: rule files.  Any bytes as a rules file must load or be
 * refused with diagnostics - never crash, never leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "rules/cond.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct rules_diags d = { 0 };
	struct cond_pos pos = { 1, 1 };
	const char *p = path;
	struct ruleset *rs;
	struct cond *c;
	char err[256], *text;
	FILE *f;

	/* the condition parser on its own */
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	c = cond_parse(text, pos, err, sizeof(err));
	cond_free(c);
	free(text);

	/* and the whole loader, through a file */
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/vigil-fuzz-rules.%d.yaml", getpid());
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	rs = rules_load(&p, 1, &d);
	ruleset_free(rs);
	rules_diags_free(&d);
	return 0;
}
