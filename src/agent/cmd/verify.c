/*
 * verify.c - `vigil verify`: are the log files as the agent wrote them?
 * Each stream (exec, file, ..., or vigil for --log-files unified) is
 * checked across its rotated files, oldest first (output/chain.h).
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "output/chain.h"
#include "util/log.h"

#define MAX_FILES 4096

static void usage(FILE *f)
{
	fprintf(f,
"usage: vigil verify [--pubkey KEY] [--live] LOGFILE|LOGDIR...\n"
"\n"
"Checks that --log-dir files are as the agent wrote them: every line's chain\n"
"hash, every checkpoint's signature and the head it signs, and that the log\n"
"ends with the agent's shutdown checkpoint.  Names the first bad sequence\n"
"number of each stream and the kind of damage: modified, deleted, inserted,\n"
"reordered, truncated tail, forged checkpoint, replaced key.  Exit 0 only\n"
"when every stream is intact.\n"
"\n"
"      --pubkey KEY   ed25519:<base64>, or a file holding it (the agent's\n"
"                     log-signing.key.pub); without it the log is checked\n"
"                     against the key it names itself, which proves little\n"
"      --live         the agent still writes these files: records after the\n"
"                     last checkpoint are not counted as a cut end\n");
}

struct file {
	char path[4096];
	char stream[64];
	unsigned int gen;	/* 0: NAME.json, k: NAME.json.k (older) */
};

/* "exec.json.3" -> stream "exec", generation 3; false for other names. */
static bool parse_name(const char *path, struct file *f)
{
	const char *base = strrchr(path, '/'), *dot;
	char *end;

	base = base ? base + 1 : path;
	dot = strstr(base, ".json");
	if (!dot || dot == base || (size_t)(dot - base) >= sizeof(f->stream))
		return false;
	snprintf(f->stream, sizeof(f->stream), "%.*s", (int)(dot - base), base);
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (!dot[5]) {
		f->gen = 0;
		return true;
	}
	if (dot[5] != '.')
		return false;
	f->gen = (unsigned int)strtoul(dot + 6, &end, 10);
	return *end == '\0' && f->gen > 0;
}

static int by_stream_then_age(const void *x, const void *y)
{
	const struct file *a = x, *b = y;
	int c = strcmp(a->stream, b->stream);

	if (c)
		return c;
	return a->gen > b->gen ? -1 : a->gen < b->gen ? 1 : 0;	/* oldest (highest gen) first */
}

static void add_path(struct file *files, size_t *n, const char *path)
{
	DIR *d;
	struct dirent *e;

	if ((d = opendir(path))) {
		while ((e = readdir(d))) {
			char p[4096];

			if (e->d_name[0] == '.' || *n == MAX_FILES)
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			if (parse_name(p, &files[*n]) && strcmp(files[*n].stream, "netmap"))
				(*n)++;
		}
		closedir(d);
		return;
	}
	if (*n == MAX_FILES)
		fatalx("verify: more than %d files", MAX_FILES);
	if (!parse_name(path, &files[*n]))
		fatalx("verify: %s: not a log file name (NAME.json or NAME.json.N)", path);
	(*n)++;
}

/* One stream, files[0..k): 0 intact, 1 damaged. */
static int verify_stream(const struct file *files, size_t k, const unsigned char *pk, bool live)
{
	struct chain_line *all = NULL, *lines;
	char **bufs = calloc(k, sizeof(char *));
	size_t n_all = 0, n, i;
	struct chain_report r;
	int status = 0;

	if (!bufs)
		fatalx("verify: out of memory");
	for (i = 0; i < k; i++) {
		struct chain_line *grown;

		bufs[i] = chain_read_lines(AT_FDCWD, files[i].path, files[i].path, &lines, &n);
		if (!bufs[i]) {
			printf("%s: DAMAGED: unreadable: %s\n", files[i].stream, files[i].path);
			status = 1;
			goto out;
		}
		grown = realloc(all, (n_all + n + 1) * sizeof(*all));
		if (!grown)
			fatalx("verify: out of memory");
		all = grown;
		memcpy(all + n_all, lines, n * sizeof(*lines));
		n_all += n;
		free(lines);
	}
	chain_verify(all, n_all, pk, live, &r);
	if (r.damage == CHAIN_OK) {
		printf("%s: intact: seq %llu to %llu in %zu file(s), %llu checkpoint(s)%s", files[0].stream,
		       (unsigned long long)r.first_seq, (unsigned long long)r.last_seq, k, (unsigned long long)r.checkpoints,
		       r.ends_with_shutdown ? ", ends with the agent's shutdown checkpoint" : "");
		if (r.unsigned_tail)
			printf(", %llu record(s) after the last checkpoint (not yet signed)", (unsigned long long)r.unsigned_tail);
		putchar('\n');
	} else {
		printf("%s: DAMAGED: %s at seq %llu (%s:%lu): %s\n", files[0].stream, chain_damage_name(r.damage),
		       (unsigned long long)r.seq, r.file ? r.file : "-", r.lineno, r.detail);
		status = 1;
	}
out:
	for (i = 0; i < k; i++)
		free(bufs[i]);
	free(bufs);
	free(all);
	return status;
}

int verify_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pubkey", required_argument, NULL, 'k' },
		{ "live", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned char pk[CHAIN_PK_LEN];
	const char *pubkey = NULL;
	struct file *files;
	bool live = false;
	size_t n = 0, i, j;
	char err[256];
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': pubkey = optarg; break;
		case 'l': live = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	if (pubkey && chain_pubkey_parse(pubkey, pk, err, sizeof(err)))
		fatalx("verify: --pubkey: %s", err);
	if (!pubkey)
		fprintf(stderr, "vigil: verify: no --pubkey: checked against the key the log names, which whoever "
				"rewrote the log would name too\n");
	files = calloc(MAX_FILES, sizeof(*files));
	if (!files)
		fatalx("verify: out of memory");
	for (; optind < argc; optind++)
		add_path(files, &n, argv[optind]);
	if (!n)
		fatalx("verify: no log files (NAME.json, NAME.json.N) given");
	qsort(files, n, sizeof(*files), by_stream_then_age);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && !strcmp(files[j].stream, files[i].stream); j++)
			;
		status |= verify_stream(files + i, j - i, pubkey ? pk : NULL, live);
	}
	free(files);
	return status;
}
