/*
 * vigil-reseal KEYFILE LOGFILE: what root on the host can do with the
 * agent's signing key, for the TPM tests: reseal every line of an edited
 * log file into a fresh chain from its opening checkpoint, and re-sign
 * every checkpoint.  The result verifies against the key; only a TPM
 * anchor (vigil verify --ak) shows that it is not what the agent wrote.
 */
#include <jansson.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/chain.h"

int main(int argc, char **argv)
{
	struct chain_key key;
	struct chain c = { 0 };
	struct chain_line *lines;
	char err[256], *buf, *out;
	size_t n, i, cap = 1 << 20;
	bool made;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: vigil-reseal KEYFILE LOGFILE\n");
		return 2;
	}
	if (chain_key_load(argv[1], &key, &made, err, sizeof(err)) || made) {
		fprintf(stderr, "vigil-reseal: %s: %s\n", argv[1], made ? "no such key (one was made)" : err);
		return 1;
	}
	buf = chain_read_lines(AT_FDCWD, argv[2], argv[2], &lines, &n);
	if (!buf || !n || !(out = malloc(cap))) {
		fprintf(stderr, "vigil-reseal: %s: unreadable or empty\n", argv[2]);
		return 1;
	}
	c.key = &key;
	if (!(f = fopen(argv[2], "w"))) {
		perror(argv[2]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		unsigned char h[CHAIN_HASH_LEN];
		uint64_t seq;
		size_t dl, len;
		char *doc;
		json_t *j;

		if (!chain_parse(lines[i].p, lines[i].len, &seq, h, &dl)) {
			fprintf(stderr, "vigil-reseal: %s:%lu: not a sealed line\n", argv[2], lines[i].lineno);
			return 1;
		}
		doc = strndup(lines[i].p, dl + 1);
		doc[dl] = '}';
		j = json_loads(doc, 0, NULL);
		if (j && !strcmp(json_string_value(json_object_get(j, "type")) ?: "", "checkpoint")) {
			const char *head = json_string_value(json_object_get(j, "head"));

			if (!i) {
				/* where the chain stood when the file was opened */
				snprintf(c.stream, sizeof(c.stream), "%s", json_string_value(json_object_get(j, "stream")));
				c.seq = (uint64_t)json_integer_value(json_object_get(j, "covers_seq"));
				sodium_hex2bin(c.head, sizeof(c.head), head, strlen(head), NULL, NULL, NULL);
			}
			doc = realloc(doc, dl + 1024);
			len = chain_checkpoint(&c, json_string_value(json_object_get(j, "reason")), doc, dl + 1024);
		} else {
			len = dl + 1;
		}
		json_decref(j);
		len = chain_seal(&c, doc, len, out, cap);
		if (!len) {
			fprintf(stderr, "vigil-reseal: %s:%lu: cannot seal\n", argv[2], lines[i].lineno);
			return 1;
		}
		fprintf(f, "%.*s\n", (int)len, out);
		free(doc);
	}
	return fclose(f) ? 1 : 0;
}
