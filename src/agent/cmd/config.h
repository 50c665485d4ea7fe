/*
 * config.h - `vigil run --config FILE`: a YAML mapping whose keys are the
 * long options of `vigil run` without their dashes.  The file is turned
 * into option words ("--key=value") that getopt reads before the command
 * line's, so a flag given on the command line wins: a scalar option by
 * coming later, a repeatable one (rules, profile, ...) by replacing the
 * file's values.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

struct config_words {
	char **w;	/* "--key=value" or "--key", owned */
	int n;
};

/*
 * Parses text (len bytes; name is used in messages) against opts.  skip(key)
 * true drops the key's values (the command line has its own).  0, or -1 with
 * "NAME:LINE: what" in err.  Repeatable options take a list; others a scalar;
 * an option without an argument takes true or false.
 */
int config_parse(const char *text, size_t len, const char *name, const struct option *opts,
		 const char *const *repeatable, bool (*skip)(const char *key, void *arg), void *arg,
		 struct config_words *out, char *err, size_t errlen);

/* The same from a file (at most 1 MiB). */
int config_load(const char *path, const struct option *opts, const char *const *repeatable,
		bool (*skip)(const char *key, void *arg), void *arg, struct config_words *out, char *err,
		size_t errlen);

void config_words_free(struct config_words *cw);

#endif
