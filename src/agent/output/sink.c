/* sink.c - stdout and file outputs (see sink.h). */
#include <errno.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output/sink.h"
#include "output/tpm.h"
#include "util/log.h"

/*
 * Few, large writes to the file: for an append into a page-cache folio
 * that is not up to date the kernel zeroes the rest of the folio, and with
 * large folios many small appends cost half the agent's time at 150k
 * events/s.  The file is flushed every FILE_FLUSH_MS instead.
 */
#define OUT_BUF_BYTES (1 << 20)
#define LOG_BUF_BYTES (256 << 10)	/* each of --log-dir's files */
#define SEAL_BYTES 96			/* ,"seq":N,"chain":"<64 hex>" at most */
#define CHECKPOINT_BYTES 1200		/* a sealed checkpoint line at most */
#define FILE_FLUSH_MS 100
#define ERROR_REPORT_MS 10000

static void file_error(struct sink_file *sf, uint64_t now_ms)
{
	int err = errno;

	sf->lost += sf->pending;
	sf->pending = 0;
	clearerr(sf->f);
	if (sf->last_errno == err && now_ms - sf->last_report_ms < ERROR_REPORT_MS)
		return;
	sf->last_errno = err;
	sf->last_report_ms = now_ms;
	log_warnx("writing %s: %s: %llu event(s) lost so far", sf->name, strerror(err),
		  (unsigned long long)sf->lost);
}

static void file_flush(struct sink_file *sf, uint64_t now_ms)
{
	if (!sf->f)
		return;
	if (fflush(sf->f) == EOF || ferror(sf->f)) {
		file_error(sf, now_ms);
		return;
	}
	sf->pending = 0;
	if (sf->last_errno) {
		log_warnx("writing %s works again (%llu event(s) lost)", sf->name, (unsigned long long)sf->lost);
		sf->last_errno = 0;
	}
}

int sinks_open(struct sinks *s, enum output_mode mode, const char *file)
{
	int fd, err;

	memset(s, 0, sizeof(*s));
	s->logs.dirfd = -1;
	s->mode = mode;
	s->out.f = stdout;
	s->out.name = "stdout";
	/* glibc ignores the size unless given the buffer */
	s->out.buf = malloc(OUT_BUF_BYTES);
	if (s->out.buf)
		setvbuf(stdout, s->out.buf, _IOFBF, OUT_BUF_BYTES);
	if (!file)
		return 0;
	/* events name users' files and commands: readable by root only */
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(s->file.f = fdopen(fd, "a"))) {
		err = -errno;
		log_warn("%s", file);
		if (fd >= 0)
			close(fd);
		return err;
	}
	s->file.name = file;
	s->file.buf = malloc(OUT_BUF_BYTES);
	if (s->file.buf)
		setvbuf(s->file.f, s->file.buf, _IOFBF, OUT_BUF_BYTES);
	return 0;
}

static void log_checkpoint(struct sink_logdir *l, unsigned int i, const char *reason);
static void log_line(struct sink_logdir *l, unsigned int i, const char *doc, size_t len);
static void anchors_take(struct sink_logdir *l);

/*
 * The last lines of each log file: the TPM's anchor of its head (when
 * there is a TPM) and the shutdown checkpoint over that: the agent
 * stopped here, nothing was cut.
 */
static void logs_close(struct sink_logdir *l)
{
	char doc[TPM_DOC_MAX], err[256], hex[CHAIN_HASH_LEN * 2 + 1];
	unsigned int i;
	size_t n;

	if (l->o.tpm && l->o.key) {
		tpm_anchor_wait(l->o.tpm, 5000);
		anchors_take(l);
	}
	for (i = 0; i < SINK_FAMILIES; i++) {
		struct sink_file *sf = &l->files[i];

		if (!sf->f || !l->o.key)
			continue;
		if (l->o.tpm) {
			sodium_bin2hex(hex, sizeof(hex), sf->chain.head, CHAIN_HASH_LEN);
			n = tpm_anchor(l->o.tpm, sf->chain.stream, sf->chain.seq, hex, doc, sizeof(doc), err, sizeof(err));
			if (n)
				log_line(l, i, doc, n);
			else
				log_warnx("%s: TPM anchor at shutdown: %s", sf->name, err);
		}
		log_checkpoint(l, i, "shutdown");
	}
}

void sinks_close(struct sinks *s)
{
	unsigned int i;

	if (s->logs.dirfd >= 0)
		logs_close(&s->logs);
	sinks_tick(s, UINT64_MAX / 2, true);
	if (s->file.f)
		fclose(s->file.f);
	for (i = 0; i < SINK_FAMILIES; i++) {
		if (s->logs.files[i].f)
			fclose(s->logs.files[i].f);
		free(s->logs.files[i].buf);
		free(s->logs.files[i].seal);
		free((char *)s->logs.files[i].name);
	}
	if (s->logs.dirfd >= 0)
		close(s->logs.dirfd);
	fflush(stdout);
	setvbuf(stdout, NULL, _IOLBF, 0);	/* before its buffer is freed */
	free(s->out.buf);
	free(s->file.buf);
	memset(s, 0, sizeof(*s));
}

static void put_line(struct sink_file *sf, const char *p, size_t len)
{
	if (fwrite(p, 1, len, sf->f) != len || putc('\n', sf->f) == EOF) {
		sf->pending++;
		file_error(sf, 0);
		return;
	}
	sf->pending++;
	sf->bytes += len + 1;
}

/* ---- --log-dir ---- */

static const char *const family_names[SINK_FAMILIES] = {
	[SINK_EXEC] = "exec", [SINK_FILE] = "file", [SINK_NET] = "net",
	[SINK_PRIV] = "priv", [SINK_SYSCALL] = "syscall", [SINK_ALERT] = "alert",
};

const char *sink_family_name(enum sink_family f)
{
	return f < SINK_FAMILIES ? family_names[f] : "?";
}

static void log_base(const struct sink_logdir *l, unsigned int i, unsigned int gen, char *buf, size_t len)
{
	const char *name = l->o.unified ? "vigil" : family_names[i];

	if (gen)
		snprintf(buf, len, "%s.json.%u", name, gen);
	else
		snprintf(buf, len, "%s.json", name);
}

/* (Re)opens file i of the directory, appending.  0 or -errno. */
static int log_open(struct sink_logdir *l, unsigned int i)
{
	struct sink_file *sf = &l->files[i];
	struct stat st;
	char base[64];
	int fd, err;

	log_base(l, i, 0, base, sizeof(base));
	fd = openat(l->dirfd, base, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err = S_ISREG(st.st_mode) ? -errno : -EINVAL;
		close(fd);
		return err;
	}
	/* readable by root only, whatever made the file */
	if ((st.st_mode & 077) && fchmod(fd, 0600)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!(sf->f = fdopen(fd, "a"))) {
		err = -errno;
		close(fd);
		return err;
	}
	if (sf->buf)
		setvbuf(sf->f, sf->buf, _IOFBF, LOG_BUF_BYTES);
	sf->bytes = (uint64_t)st.st_size;
	return 0;
}

/*
 * NAME -> NAME.1 -> ... -> NAME.keep (which the rename over it removes),
 * then a new NAME.  What was buffered goes to the old file first.
 */
static void log_rotate(struct sink_logdir *l, unsigned int i, uint64_t now_ms)
{
	struct sink_file *sf = &l->files[i];
	char from[64], to[64];
	unsigned int k;
	int err;

	file_flush(sf, now_ms);
	if (fclose(sf->f))
		file_error(sf, now_ms);
	sf->f = NULL;
	if (!l->o.keep) {
		log_base(l, i, 0, from, sizeof(from));
		unlinkat(l->dirfd, from, 0);
	}
	for (k = l->o.keep; k >= 1; k--) {
		log_base(l, i, k - 1, from, sizeof(from));
		log_base(l, i, k, to, sizeof(to));
		if (renameat(l->dirfd, from, l->dirfd, to) && errno != ENOENT)
			log_warn("rotating %s/%s", l->o.dir, from);
	}
	l->rotations++;
	if ((err = log_open(l, i)))
		log_warnx("%s: reopening after rotation: %s (its events are counted as lost)", sf->name, strerror(-err));
	else
		log_checkpoint(l, i, "rotation");	/* a file verifies from its own first line */
}

/*
 * A file (or, when it is new, the newest rotated one) of an earlier agent:
 * its chain is checked and continued.  True when there was one.
 */
static bool log_resume(struct sink_logdir *l, unsigned int i)
{
	struct sink_file *sf = &l->files[i];
	struct chain_report r;
	struct chain_line *lines;
	char base[64];
	size_t n;
	char *buf;

	log_base(l, i, 0, base, sizeof(base));
	buf = chain_read_lines(l->dirfd, base, sf->name, &lines, &n);
	if (!n) {
		/* new, or the agent stopped right after a rotation: the chain is in NAME.1 */
		free(lines);
		free(buf);
		log_base(l, i, 1, base, sizeof(base));
		buf = chain_read_lines(l->dirfd, base, sf->name, &lines, &n);
	}
	if (!buf || !n) {
		free(lines);
		free(buf);
		return false;
	}
	chain_verify(lines, n, l->o.key->pk, true, &r);
	if (r.damage == CHAIN_OK) {
		sf->chain.seq = r.last_seq;
		memcpy(sf->chain.head, r.head, CHAIN_HASH_LEN);
	} else {
		/* go on from the last line as it stands; verify reports the damage */
		uint64_t seq;
		size_t dl;

		log_warnx("%s/%s:%lu: the log an earlier agent wrote does not verify: %s at seq %llu (%s); continuing after it",
			  l->o.dir, base, r.lineno, chain_damage_name(r.damage), (unsigned long long)r.seq, r.detail);
		if (chain_parse(lines[n - 1].p, lines[n - 1].len, &seq, sf->chain.head, &dl))
			sf->chain.seq = seq;
	}
	free(lines);
	free(buf);
	return true;
}

int sinks_open_logdir(struct sinks *s, const struct sink_logdir_opts *o)
{
	struct sink_logdir *l = &s->logs;
	unsigned int i, n;
	char base[64], *path;
	struct stat st;
	int err;

	l->o = *o;
	if (mkdir(o->dir, 0700) && errno != EEXIST) {
		err = -errno;
		log_warn("--log-dir %s", o->dir);
		return err;
	}
	l->dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (l->dirfd < 0 || fstat(l->dirfd, &st)) {
		err = -errno;
		log_warn("--log-dir %s", o->dir);
		return err;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		log_warnx("--log-dir %s: must be owned by this user and writable by no one else", o->dir);
		return -EPERM;
	}
	n = o->unified ? 1 : SINK_FAMILIES;
	for (i = 0; i < n; i++) {
		log_base(l, i, 0, base, sizeof(base));
		if (asprintf(&path, "%s/%s", o->dir, base) < 0)
			return -ENOMEM;
		l->files[i].name = path;
		l->files[i].buf = malloc(LOG_BUF_BYTES);
		if ((err = log_open(l, i))) {
			log_warnx("%s: %s", path, strerror(-err));
			return err;
		}
		if (o->key) {
			struct chain *c = &l->files[i].chain;

			snprintf(c->stream, sizeof(c->stream), "%s", o->unified ? "vigil" : family_names[i]);
			c->key = o->key;
			log_checkpoint(l, i, log_resume(l, i) ? "restart" : "start");
		}
	}
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* doc sealed into the file's chain (chain.h), or as it is without a key. */
static void put_sealed(struct sink_logdir *l, struct sink_file *sf, const char *doc, size_t len)
{
	bool timed;
	uint64_t t0 = 0;
	size_t n;

	if (!l->o.key) {
		put_line(sf, doc, len);
		return;
	}
	if (sf->seal_cap < len + 128) {
		char *b = realloc(sf->seal, len + 128);

		if (!b) {
			sf->lost++;
			return;
		}
		sf->seal = b;
		sf->seal_cap = len + 128;
	}
	timed = l->sealed++ % SINK_SEAL_SAMPLE == 0;
	if (timed)
		t0 = mono_ns();
	n = chain_seal(&sf->chain, doc, len, sf->seal, sf->seal_cap);
	if (timed)
		l->seal_ns += (mono_ns() - t0) * SINK_SEAL_SAMPLE;
	if (!n) {
		sf->lost++;	/* not a JSON object: never happens to the agent's documents */
		return;
	}
	put_line(sf, sf->seal, n);
}

static void log_checkpoint(struct sink_logdir *l, unsigned int i, const char *reason)
{
	struct sink_file *sf = &l->files[i];
	char doc[1024];
	uint64_t t0;
	size_t n;

	if (!l->o.key || !sf->f)
		return;
	t0 = mono_ns();
	n = chain_checkpoint(&sf->chain, reason, doc, sizeof(doc));
	l->seal_ns += mono_ns() - t0;
	if (n)
		put_sealed(l, sf, doc, n);
	sf->chain.since_checkpoint = 0;	/* its own seal is no record to sign for */
	/* the head after the checkpoint to the TPM, at most once per anchor_ms (shutdown: logs_close) */
	/* (not when all since the last anchor is its own record and this checkpoint: an idle stream rests) */
	if (l->o.tpm && strcmp(reason, "shutdown") &&
	    (!sf->anchor_ms ||
	     (sf->chain.checkpoint_ms - sf->anchor_ms >= l->o.anchor_ms && sf->chain.seq > sf->anchor_seq + 2))) {
		char hex[CHAIN_HASH_LEN * 2 + 1];

		sodium_bin2hex(hex, sizeof(hex), sf->chain.head, CHAIN_HASH_LEN);
		if (tpm_anchor_async(l->o.tpm, i, sf->chain.stream, sf->chain.seq, hex)) {
			sf->anchor_ms = sf->chain.checkpoint_ms;
			sf->anchor_seq = sf->chain.seq;
		}
	}
}

/* Anchors the TPM thread finished, each into its stream (sealed and covered by the next checkpoint). */
static void anchors_take(struct sink_logdir *l)
{
	char doc[TPM_DOC_MAX];
	unsigned int tag;
	size_t n;

	while ((n = tpm_anchor_take(l->o.tpm, &tag, doc, sizeof(doc))))
		if (tag < SINK_FAMILIES)
			log_line(l, tag, doc, n);
}

/* What an attestation reports: each stream's head as written ("STREAM SEQ HEAD" lines). */
static void anchors_claims(struct sink_logdir *l)
{
	char claims[2048], hex[CHAIN_HASH_LEN * 2 + 1];
	size_t off = 0;
	unsigned int i;

	claims[0] = '\0';
	for (i = 0; i < SINK_FAMILIES; i++) {
		const struct sink_file *sf = &l->files[i];
		int k;

		if (!sf->f || !sf->chain.seq)
			continue;
		sodium_bin2hex(hex, sizeof(hex), sf->chain.head, CHAIN_HASH_LEN);
		k = snprintf(claims + off, sizeof(claims) - off, "%s %llu %s\n", sf->chain.stream,
			     (unsigned long long)sf->chain.seq, hex);
		if (k < 0 || (size_t)k >= sizeof(claims) - off)
			break;
		off += (size_t)k;
	}
	tpm_set_claims(l->o.tpm, claims);
}

static void log_line(struct sink_logdir *l, unsigned int i, const char *doc, size_t len)
{
	struct sink_file *sf = &l->files[i];
	bool ckpt = l->o.key && sf->chain.since_checkpoint >= l->o.checkpoint_records;
	uint64_t need = len + 1 + (l->o.key ? SEAL_BYTES : 0) + (ckpt ? CHECKPOINT_BYTES : 0);

	if (!sf->name)
		return;
	/* the line, its seal and a checkpoint due before it all fit, or the file is rotated first */
	if (sf->f && sf->bytes && sf->bytes + need > l->o.max_bytes) {
		log_rotate(l, i, 0);
		ckpt = false;	/* the new file opens with one */
	}
	if (!sf->f) {
		sf->lost++;
		return;
	}
	if (ckpt)
		log_checkpoint(l, i, "periodic");
	put_sealed(l, sf, doc, len);
}

void sink_json(struct sinks *s, enum sink_family fam, bool alert, const char *doc, size_t len)
{
	if (s->mode == OUTPUT_JSON)
		put_line(&s->out, doc, len);
	if (s->file.f)
		put_line(&s->file, doc, len);
	if (s->logs.dirfd < 0)
		return;
	if (s->logs.o.unified) {
		log_line(&s->logs, 0, doc, len);
		return;
	}
	if (fam != SINK_ALERT)
		log_line(&s->logs, fam, doc, len);
	if (alert || fam == SINK_ALERT)
		log_line(&s->logs, SINK_ALERT, doc, len);
}

void sink_text(struct sinks *s, const char *line, size_t len)
{
	if (s->mode == OUTPUT_TEXT)
		put_line(&s->out, line, len);
}

void sinks_tick(struct sinks *s, uint64_t now_ms, bool force)
{
	file_flush(&s->out, now_ms);
	if (force || now_ms - s->last_flush_ms >= FILE_FLUSH_MS) {
		unsigned int i;

		file_flush(&s->file, now_ms);
		if (s->logs.o.tpm && s->logs.o.key)
			anchors_take(&s->logs);	/* flushed below with the rest */
		for (i = 0; i < SINK_FAMILIES; i++) {
			struct sink_file *sf = &s->logs.files[i];

			/* a file that could not be reopened after a rotation: again */
			if (!sf->f && sf->name && s->logs.dirfd >= 0 && !log_open(&s->logs, i)) {
				log_warnx("%s works again (%llu event(s) lost)", sf->name, (unsigned long long)sf->lost);
				log_checkpoint(&s->logs, i, "rotation");
			}
			if (s->logs.o.key && sf->f && sf->chain.since_checkpoint &&
			    now_ms - sf->chain.checkpoint_ms >= s->logs.o.checkpoint_ms) {
				if (sf->bytes + CHECKPOINT_BYTES > s->logs.o.max_bytes)
					log_rotate(&s->logs, i, now_ms);	/* it opens the new file */
				else
					log_checkpoint(&s->logs, i, "periodic");
			}
			file_flush(sf, now_ms);
		}
		if (s->logs.o.tpm && s->logs.o.key)
			anchors_claims(&s->logs);	/* after the flush: what is in the files */
		s->last_flush_ms = now_ms;
	}
}

bool sinks_seal_stats(const struct sinks *s, uint64_t *lines, uint64_t *ns)
{
	*lines = s->logs.sealed;
	*ns = s->logs.seal_ns;
	return s->logs.dirfd >= 0 && s->logs.o.key;
}

uint64_t sinks_lost(const struct sinks *s)
{
	uint64_t n = s->out.lost + s->file.lost;
	unsigned int i;

	for (i = 0; i < SINK_FAMILIES; i++)
		n += s->logs.files[i].lost;
	return n;
}
