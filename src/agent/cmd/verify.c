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

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "cmd/cmd.h"
#include "output/attest.h"
#include "output/chain.h"
#include "util/bodybuf.h"
#include "util/log.h"

#define MAX_FILES 4096

static void usage(FILE *f)
{
	fprintf(f,
"usage: vigil verify [--pubkey KEY] [--ak AK.pem] [--live] LOGFILE|LOGDIR...\n"
"       vigil verify --remote URL --ak AK.pem [--pubkey KEY] [LOGFILE|LOGDIR...]\n"
"       vigil verify --answer FILE --nonce HEX --ak AK.pem [LOGFILE|LOGDIR...]\n"
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
"      --ak AK.pem    the agent's TPM attestation key (STATE_DIR/tpm-ak.pem):\n"
"                     every TPM anchor in the files must be quoted by it and\n"
"                     all of them replay as one history of the PCR\n"
"      --remote URL   ask the agent for proof first (e.g.\n"
"                     http://HOST:9464/attest): a fresh nonce, which its TPM\n"
"                     quotes with the PCR and the chain heads; the files\n"
"                     given must reach that PCR value and hold those heads\n"
"      --answer FILE  check a saved answer instead, for the nonce --nonce\n"
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

/* One stream's files, read whole, and what the chain check found. */
struct stream {
	const char *name;
	size_t n_files;
	char **bufs;
	struct chain_line *lines;
	size_t n;
	struct chain_report r;
	bool intact;
	bool have_anchors;
	uint64_t first_anchor_key[2];	/* (reset count, clock) of its oldest anchor */
};

static void stream_free(struct stream *s)
{
	size_t i;

	for (i = 0; i < s->n_files; i++)
		free(s->bufs[i]);
	free(s->bufs);
	free(s->lines);
}

/* Reads and checks one stream, files[0..k).  false when damaged. */
static bool verify_stream(struct stream *s, const struct file *files, size_t k, const unsigned char *pk, bool live)
{
	struct chain_line *lines;
	size_t n, i;

	memset(s, 0, sizeof(*s));
	s->name = files[0].stream;
	s->n_files = k;
	if (!(s->bufs = calloc(k, sizeof(char *))))
		fatalx("verify: out of memory");
	for (i = 0; i < k; i++) {
		struct chain_line *grown;

		s->bufs[i] = chain_read_lines(AT_FDCWD, files[i].path, files[i].path, &lines, &n);
		if (!s->bufs[i]) {
			printf("%s: DAMAGED: unreadable: %s\n", s->name, files[i].path);
			return false;
		}
		grown = realloc(s->lines, (s->n + n + 1) * sizeof(*s->lines));
		if (!grown)
			fatalx("verify: out of memory");
		s->lines = grown;
		memcpy(s->lines + s->n, lines, n * sizeof(*lines));
		s->n += n;
		free(lines);
	}
	chain_verify(s->lines, s->n, pk, live, &s->r);
	if (s->r.damage != CHAIN_OK) {
		printf("%s: DAMAGED: %s at seq %llu (%s:%lu): %s\n", s->name, chain_damage_name(s->r.damage),
		       (unsigned long long)s->r.seq, s->r.file ? s->r.file : "-", s->r.lineno, s->r.detail);
		return false;
	}
	printf("%s: intact: seq %llu to %llu in %zu file(s), %llu checkpoint(s)%s", s->name,
	       (unsigned long long)s->r.first_seq, (unsigned long long)s->r.last_seq, k,
	       (unsigned long long)s->r.checkpoints,
	       s->r.ends_with_shutdown ? ", ends with the agent's shutdown checkpoint" : "");
	if (s->r.unsigned_tail)
		printf(", %llu record(s) after the last checkpoint (not yet signed)", (unsigned long long)s->r.unsigned_tail);
	putchar('\n');
	s->intact = true;
	return true;
}

/* The chain hash (hex) of an intact stream's record seq; false when its files do not hold it. */
static bool stream_hash_at(const struct stream *s, uint64_t seq, char hex[ATTEST_HEX_LEN])
{
	unsigned char h[CHAIN_HASH_LEN];
	const struct chain_line *l;
	uint64_t got;
	size_t dl;

	if (!s->intact || seq < s->r.first_seq || seq > s->r.last_seq)
		return false;
	l = &s->lines[seq - s->r.first_seq];	/* an intact stream's seqs run without a gap */
	if (!chain_parse(l->p, l->len, &got, h, &dl) || got != seq)
		return false;
	sodium_bin2hex(hex, ATTEST_HEX_LEN, h, sizeof(h));
	return true;
}

/* ---- TPM anchors (output/attest.h) ---- */

struct anchors {
	struct attest_anchor *a;
	size_t n, cap;
	const struct stream **of;	/* the stream each is in */
};

static int key_cmp(uint32_t ra, uint64_t ca, uint32_t rb, uint64_t cb)
{
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/*
 * Every anchor of the intact streams, each checked against the AK and
 * its stream's chain.  false (reported) at the first that does not hold.
 */
static bool anchors_collect(struct stream *ss, size_t n_ss, const struct attest_ak *ak, struct anchors *as)
{
	size_t i, j;
	char err[256], hex[ATTEST_HEX_LEN];

	memset(as, 0, sizeof(*as));
	for (i = 0; i < n_ss; i++) {
		struct stream *s = &ss[i];

		for (j = 0; s->intact && j < s->n; j++) {
			const struct chain_line *l = &s->lines[j];
			struct attest_anchor *a;

			if (l->len < sizeof(ATTEST_TPM_PREFIX) - 1 ||
			    memcmp(l->p, ATTEST_TPM_PREFIX, sizeof(ATTEST_TPM_PREFIX) - 1))
				continue;
			if (as->n == as->cap) {
				/* doubled: a day of anchors is tens of thousands, each 2.7 KB */
				as->cap = as->cap ? as->cap * 2 : 64;
				as->a = realloc(as->a, as->cap * sizeof(*as->a));
				as->of = realloc(as->of, as->cap * sizeof(*as->of));
				if (!as->a || !as->of)
					fatalx("verify: out of memory");
			}
			a = &as->a[as->n];
			/* the sealed line is JSON itself: its seal adds seq and chain */
			if (attest_parse_anchor(l->p, l->len, a, err, sizeof(err)))
				;
			else if (strcmp(a->stream, s->name))
				snprintf(err, sizeof(err), "an anchor of stream '%s' in stream %s", a->stream, s->name);
			else if (!attest_check_anchor(ak, a, err, sizeof(err)))
				err[0] = '\0';
			if (err[0]) {
				printf("%s: DAMAGED: forged checkpoint at seq %llu (%s:%lu): TPM anchor: %s\n", s->name,
				       (unsigned long long)a->seq, l->file, l->lineno, err);
				return false;
			}
			if (a->covers_seq >= a->seq) {
				printf("%s: DAMAGED: forged checkpoint at seq %llu (%s:%lu): a TPM anchor of a later record\n",
				       s->name, (unsigned long long)a->seq, l->file, l->lineno);
				return false;
			}
			if (stream_hash_at(s, a->covers_seq, hex)) {
				if (strcmp(hex, a->head)) {
					printf("%s: DAMAGED: modified at seq %llu (%s:%lu): the TPM anchored another head for seq %llu: the records up to it were rewritten and re-signed\n",
					       s->name, (unsigned long long)a->covers_seq, l->file, l->lineno,
					       (unsigned long long)a->covers_seq);
					return false;
				}
			}
			if (!s->have_anchors || key_cmp(a->q.reset_count, a->q.clock, (uint32_t)s->first_anchor_key[0],
							s->first_anchor_key[1]) < 0) {
				s->first_anchor_key[0] = a->q.reset_count;
				s->first_anchor_key[1] = a->q.clock;
			}
			s->have_anchors = true;
			as->of[as->n++] = s;
		}
	}
	return true;
}

static int by_prev(const void *x, const void *y)
{
	return memcmp((*(const struct attest_anchor *const *)x)->pcr_prev,
		      (*(const struct attest_anchor *const *)y)->pcr_prev, ATTEST_HASH_LEN);
}

static int by_new(const void *x, const void *y)
{
	return memcmp((*(const struct attest_anchor *const *)x)->pcr_new,
		      (*(const struct attest_anchor *const *)y)->pcr_new, ATTEST_HASH_LEN);
}

/* bsearch in the by_new order for an anchor that ended where key began */
static int by_prev_in_new(const void *key, const void *elem)
{
	return memcmp((*(const struct attest_anchor *const *)key)->pcr_prev,
		      (*(const struct attest_anchor *const *)elem)->pcr_new, ATTEST_HASH_LEN);
}

static int by_time(const void *x, const void *y)
{
	const struct attest_anchor *a = *(const struct attest_anchor *const *)x, *b = *(const struct attest_anchor *const *)y;

	return key_cmp(a->q.reset_count, a->q.clock, b->q.reset_count, b->q.clock);
}

/*
 * The anchors of all streams are one history of the PCR: in each TPM
 * epoch (reset count) every anchor starts where another ended, but the
 * first.  Anchors up to the newest "oldest anchor" of a stream are not
 * held to it: rotation removes the old files of busy streams first.
 */
static bool anchors_continuous(const struct anchors *as, unsigned int *epochs)
{
	const struct attest_anchor **prev = calloc(as->n + 1, sizeof(*prev)), **next = calloc(as->n + 1, sizeof(*next));
	const struct attest_anchor **when = calloc(as->n + 1, sizeof(*when));
	uint32_t window_r = 0;
	uint64_t window_c = 0;
	bool ok = true, first = true;
	size_t i;

	*epochs = 0;
	if (!prev || !next || !when)
		fatalx("verify: out of memory");
	for (i = 0; i < as->n; i++) {
		const struct stream *s = as->of[i];

		prev[i] = next[i] = when[i] = &as->a[i];
		if (first || key_cmp((uint32_t)s->first_anchor_key[0], s->first_anchor_key[1], window_r, window_c) > 0) {
			window_r = (uint32_t)s->first_anchor_key[0];
			window_c = s->first_anchor_key[1];
			first = false;
		}
	}
	qsort(prev, as->n, sizeof(*prev), by_prev);
	qsort(next, as->n, sizeof(*next), by_new);
	qsort(when, as->n, sizeof(*when), by_time);
	/* the PCR never holds a value twice: two anchors from one value means one is not the TPM's */
	for (i = 1; i < as->n && ok; i++) {
		if (memcmp(prev[i - 1]->pcr_prev, prev[i]->pcr_prev, ATTEST_HASH_LEN))
			continue;
		printf("%s: DAMAGED: inserted at seq %llu: two TPM anchors extend the PCR from one value (the other: %s seq %llu)\n",
		       prev[i]->stream, (unsigned long long)prev[i]->seq, prev[i - 1]->stream,
		       (unsigned long long)prev[i - 1]->seq);
		ok = false;
	}
	for (i = 0; i < as->n && ok; i++) {
		const struct attest_anchor *a = when[i];
		bool starts = !i || when[i - 1]->q.reset_count != a->q.reset_count;

		if (starts)
			(*epochs)++;
		if (starts || key_cmp(a->q.reset_count, a->q.clock, window_r, window_c) <= 0 ||
		    bsearch(&a, next, as->n, sizeof(*next), by_prev_in_new))
			continue;
		printf("%s: DAMAGED: deleted before seq %llu: the TPM's PCR was extended before this anchor by one not in these files (a stream's records deleted, or the PCR extended outside Vigil)\n",
		       a->stream, (unsigned long long)a->seq);
		ok = false;
	}
	free(prev);
	free(next);
	free(when);
	return ok;
}

/* ---- remote attestation ---- */


/* POSTs the nonce to url; the answer, or NULL (reported). */
static json_t *attest_fetch(const char *url, const char *nonce)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hdr = NULL;
	struct bodybuf b = { .max = 1u << 20 };
	char body[256];
	long code = 0;
	CURLcode rc;
	json_t *j = NULL;

	if (!c)
		fatalx("verify: libcurl could not start");
	snprintf(body, sizeof(body), "{\"nonce\":\"%s\"}", nonce);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bodybuf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);	/* a real TPM quotes in up to a second or so */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK)
		printf("attestation: FAILED: %s: %s\n", url, curl_easy_strerror(rc));
	else if (code != 200)
		printf("attestation: FAILED: %s answered %ld: %s\n", url, code, b.p ? b.p : "");
	else if (!(j = json_loads(b.p ? b.p : "", 0, NULL)))
		printf("attestation: FAILED: %s: the answer is not JSON\n", url);
	free(b.p);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return j;
}

static const struct stream *stream_named(const struct stream *ss, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(ss[i].name, name))
			return &ss[i];
	return NULL;
}

/*
 * The answer to our nonce: a quote by the AK over the nonce and the
 * claimed heads, of the PCR value given; with files, the anchors in
 * them end at that value and the heads are in them.  0 holds, 1 not.
 */
static int attest_check_answer(json_t *ans, const char *nonce, const struct attest_ak *ak,
			       const struct stream *ss, size_t n_ss, const struct anchors *as)
{
	const char *got = json_string_value(json_object_get(ans, "nonce"));
	const char *claims = json_string_value(json_object_get(ans, "claims"));
	const char *pcr_hex = json_string_value(json_object_get(ans, "pcr_value"));
	const char *quote = json_string_value(json_object_get(ans, "quote"));
	const char *sig = json_string_value(json_object_get(ans, "sig"));
	unsigned char d[ATTEST_HASH_LEN], pcr[ATTEST_HASH_LEN], dig[ATTEST_HASH_LEN];
	char err[256], line[256];
	const char *p;
	struct attest_quote q;
	size_t i, n_heads = 0;
	bool end_found = false;

	if (!got || !claims || !pcr_hex || !quote || !sig || strlen(pcr_hex) != ATTEST_HASH_LEN * 2 ||
	    sodium_hex2bin(pcr, sizeof(pcr), pcr_hex, ATTEST_HASH_LEN * 2, NULL, NULL, NULL)) {
		printf("attestation: FAILED: the answer lacks its fields\n");
		return 1;
	}
	if (strcmp(got, nonce)) {
		printf("attestation: FAILED: the answer is for nonce %.16s..., not ours (%.16s...): a replayed answer\n", got,
		       nonce);
		return 1;
	}
	attest_answer_digest(nonce, claims, d);
	if (attest_check_quote(ak, quote, sig, d, &q, err, sizeof(err))) {
		printf("attestation: FAILED: %s\n", err);
		return 1;
	}
	attest_digest(pcr, sizeof(pcr), dig);
	if (memcmp(dig, q.pcr_digest, ATTEST_HASH_LEN)) {
		printf("attestation: FAILED: the TPM quoted PCR %u with another value than the answer gives\n", q.pcr);
		return 1;
	}
	printf("attestation: the TPM (AK %s) quotes PCR %u = %.16s... over our nonce; reset count %u, clock %llu ms\n",
	       attest_ak_id(ak), q.pcr, pcr_hex, q.reset_count, (unsigned long long)q.clock);
	if (!n_ss) {
		printf("attestation: no log files given: the heads it reports are not checked\n");
		return 0;
	}
	/* the anchors replay to the PCR: one of them ended at its value, and none goes past it */
	for (i = 0; i < as->n; i++) {
		if (as->a[i].pcr != q.pcr)
			continue;
		if (!memcmp(as->a[i].pcr_new, pcr, ATTEST_HASH_LEN))
			end_found = true;
		if (!memcmp(as->a[i].pcr_prev, pcr, ATTEST_HASH_LEN)) {
			printf("%s: DAMAGED: inserted at seq %llu: a TPM anchor after the PCR's present value\n",
			       as->a[i].stream, (unsigned long long)as->a[i].seq);
			return 1;
		}
	}
	if (!end_found) {
		/*
		 * anchored just now, their records not yet in the files: the
		 * newest anchors the answer carries (each quoted by the TPM) must
		 * lead from the PCR back to one that is
		 */
		json_t *recent = json_object_get(ans, "recent");
		struct attest_anchor cand[9];
		unsigned char cur[ATTEST_HASH_LEN];
		size_t nc = 0, k, steps, pending = 0;

		for (k = 0; k <= json_array_size(recent) && nc < 9; k++) {
			json_t *one = k < json_array_size(recent) ? json_array_get(recent, k) : json_object_get(ans, "last");
			char *text = one ? json_dumps(one, JSON_COMPACT) : NULL;

			if (text && !attest_parse_anchor(text, strlen(text), &cand[nc], err, sizeof(err)) &&
			    !attest_check_anchor(ak, &cand[nc], err, sizeof(err)))
				nc++;
			free(text);
		}
		memcpy(cur, pcr, ATTEST_HASH_LEN);
		for (steps = 0; steps <= nc && !end_found; steps++) {
			for (i = 0; i < as->n && !end_found; i++)
				end_found = as->a[i].pcr == q.pcr && !memcmp(as->a[i].pcr_new, cur, ATTEST_HASH_LEN);
			if (end_found)
				break;
			for (k = 0; k < nc; k++)
				if (!memcmp(cand[k].pcr_new, cur, ATTEST_HASH_LEN))
					break;
			if (k == nc)
				break;
			memcpy(cur, cand[k].pcr_prev, ATTEST_HASH_LEN);
			pending++;
		}
		if (!end_found) {
			printf("attestation: FAILED: truncated tail: the TPM's PCR is at %.16s..., which no anchor in the files reaches: records after the last anchor in them are gone\n",
			       pcr_hex);
			return 1;
		}
		printf("attestation: the newest %zu anchor(s) are not yet in the files\n", pending);
	}
	/* each stream's head as the agent reported it: the files hold it */
	for (p = claims; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n')) {
		char name[64], head[ATTEST_HEX_LEN], have[ATTEST_HEX_LEN];
		unsigned long long seq;
		const struct stream *s;

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
		if (sscanf(line, "%63s %llu %64s", name, &seq, head) != 3)
			continue;
		if (!(s = stream_named(ss, n_ss, name))) {
			printf("attestation: FAILED: deleted: the agent reports stream %s at seq %llu; no files of it were given\n",
			       name, seq);
			return 1;
		}
		if (!stream_hash_at(s, seq, have)) {
			printf("attestation: FAILED: truncated tail: the agent reports %s at seq %llu; its files end at seq %llu\n",
			       name, seq, (unsigned long long)s->r.last_seq);
			return 1;
		}
		if (strcmp(have, head)) {
			printf("attestation: FAILED: modified: %s seq %llu is not the record the agent reports\n", name, seq);
			return 1;
		}
		n_heads++;
	}
	printf("attestation: intact: %zu anchor(s) replay to the quoted PCR, and the files hold the %zu stream head(s) the agent reports\n",
	       as->n, n_heads);
	return 0;
}

static json_t *read_answer(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	if (!j)
		fatalx("verify: --answer %s: %s (line %d)", path, e.text, e.line);
	return j;
}

int verify_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pubkey", required_argument, NULL, 'k' },
		{ "ak", required_argument, NULL, 'a' },
		{ "remote", required_argument, NULL, 'r' },
		{ "answer", required_argument, NULL, 'A' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "live", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned char pk[CHAIN_PK_LEN], rnd[32];
	const char *pubkey = NULL, *ak_path = NULL, *remote = NULL, *answer = NULL, *nonce_arg = NULL;
	char nonce[ATTEST_HEX_LEN], err[256];
	struct attest_ak *ak = NULL;
	struct stream *ss;
	struct anchors as = { 0 };
	struct file *files;
	bool live = false, ok = true;
	size_t n = 0, n_ss = 0, i, j;
	unsigned int epochs = 0;
	json_t *ans = NULL;
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': pubkey = optarg; break;
		case 'a': ak_path = optarg; break;
		case 'r': remote = optarg; break;
		case 'A': answer = optarg; break;
		case 'n': nonce_arg = optarg; break;
		case 'l': live = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc && !remote && !answer) {
		usage(stderr);
		return 2;
	}
	if ((remote || answer) && !ak_path)
		fatalx("verify: --remote and --answer need --ak (the agent's tpm-ak.pem, kept off the host)");
	if (answer && (remote || !nonce_arg))
		fatalx("verify: --answer FILE goes with --nonce HEX (the nonce that was sent), not with --remote");
	if (nonce_arg && !answer)
		fatalx("verify: --nonce is for --answer; --remote makes a fresh one");
	if (pubkey && chain_pubkey_parse(pubkey, pk, err, sizeof(err)))
		fatalx("verify: --pubkey: %s", err);
	if (ak_path && !(ak = attest_ak_load(ak_path, err, sizeof(err))))
		fatalx("verify: --ak: %s", err);
	if (!pubkey && optind < argc)
		fprintf(stderr, "vigil: verify: no --pubkey: checked against the key the log names, which whoever "
				"rewrote the log would name too\n");
	/* the nonce first and the files after: the files then hold at least what the answer reports */
	if (remote) {
		if (sodium_init() < 0)
			fatalx("verify: libsodium could not start");
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(nonce, sizeof(nonce), rnd, sizeof(rnd));
		if (!(ans = attest_fetch(remote, nonce))) {
			attest_ak_free(ak);
			return 1;
		}
		live = true;	/* the agent still writes */
	} else if (answer) {
		snprintf(nonce, sizeof(nonce), "%s", nonce_arg);
		ans = read_answer(answer);
		live = true;	/* an answer is of a running agent */
	}
	files = calloc(MAX_FILES, sizeof(*files));
	ss = calloc(MAX_FILES, sizeof(*ss));
	if (!files || !ss)
		fatalx("verify: out of memory");
	for (; optind < argc; optind++)
		add_path(files, &n, argv[optind]);
	if (!n && !ans)
		fatalx("verify: no log files (NAME.json, NAME.json.N) given");
	qsort(files, n, sizeof(*files), by_stream_then_age);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && !strcmp(files[j].stream, files[i].stream); j++)
			;
		ok &= verify_stream(&ss[n_ss++], files + i, j - i, pubkey ? pk : NULL, live);
	}
	if (!ok)
		status = 1;
	if (ak && n_ss) {
		if (!anchors_collect(ss, n_ss, ak, &as) || !anchors_continuous(&as, &epochs)) {
			status = 1;
		} else if (!as.n) {
			printf("tpm: DAMAGED: no TPM anchors in these files (the agent ran without --tpm, or they were removed)\n");
			status = 1;
		} else {
			printf("tpm: %zu anchor(s), each quoted by AK %s, replay as one history of the PCR%s\n", as.n,
			       attest_ak_id(ak), epochs > 1 ? " in each TPM epoch (the machine rebooted in between)" : "");
		}
	}
	if (ans && !status)
		status = attest_check_answer(ans, nonce, ak, ss, n_ss, &as);
	json_decref(ans);
	for (i = 0; i < n_ss; i++)
		stream_free(&ss[i]);
	free(ss);
	free(as.a);
	free(as.of);
	free(files);
	attest_ak_free(ak);
	return status;
}
