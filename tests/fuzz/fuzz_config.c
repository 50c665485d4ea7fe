/*
 * libFuzzer target: `vigil run --config` files.  Any bytes must become
 * option words or one error with a line number - never crash, never leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmd/config.h"

static const struct option opts[] = {
	{ "events", required_argument, NULL, 1 },
	{ "rules", required_argument, NULL, 2 },
	{ "enforce", no_argument, NULL, 3 },
	{ "log-dir", required_argument, NULL, 4 },
	{ 0 },
};
static const char *const repeatable[] = { "rules", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_words cw;
	char err[256];
	int i;

	if (config_parse((const char *)data, size, "fuzz.yaml", opts, repeatable, NULL, NULL, &cw, err,
			 sizeof(err)) == 0) {
		for (i = 0; i < cw.n; i++)
			if (strncmp(cw.w[i], "--", 2))
				__builtin_trap();	/* every word is an option */
		config_words_free(&cw);
	} else if (!strstr(err, "fuzz.yaml:")) {
		__builtin_trap();	/* every error names the file and line */
	}
	return 0;
}
