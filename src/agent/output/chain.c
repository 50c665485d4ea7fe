/* chain.c - sealed log lines, signed checkpoints, and their check (see chain.h). */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output/chain.h"
#include "output/format.h"

#define SIG_DOMAIN "vigil-log-checkpoint-v1"
#define CKPT_PREFIX "{\"type\":\"checkpoint\","

/* ---- keys ---- */

static int read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int b64_decode(const char *s, unsigned char *out, size_t want)
{
	size_t n = 0;

	if (sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) || n != want)
		return -EINVAL;
	return 0;
}

static void pk_text(struct chain_key *k)
{
	char b64[sodium_base64_ENCODED_LEN(CHAIN_PK_LEN, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(b64, sizeof(b64), k->pk, CHAIN_PK_LEN, sodium_base64_VARIANT_ORIGINAL);
	snprintf(k->pk_text, sizeof(k->pk_text), "ed25519:%s", b64);
}

static int write_new(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	size_t len = strlen(text);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd))
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

int chain_key_load(const char *path, struct chain_key *k, bool *made, char *err, size_t errlen)
{
	char text[256], pub[4200];
	struct stat st;
	int rc;

	*made = false;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium could not start");
		return -EIO;
	}
	snprintf(pub, sizeof(pub), "%s.pub", path);
	rc = read_small(path, text, sizeof(text));
	if (rc == -ENOENT) {
		char sk64[sodium_base64_ENCODED_LEN(CHAIN_SK_LEN, sodium_base64_VARIANT_ORIGINAL)];
		char line[sizeof(sk64) + 32];

		crypto_sign_keypair(k->pk, k->sk);
		sodium_bin2base64(sk64, sizeof(sk64), k->sk, CHAIN_SK_LEN, sodium_base64_VARIANT_ORIGINAL);
		snprintf(line, sizeof(line), "ed25519-secret:%s\n", sk64);
		if ((rc = write_new(path, line, 0600))) {
			snprintf(err, errlen, "%s: %s", path, strerror(-rc));
			return rc;
		}
		pk_text(k);
		snprintf(line, sizeof(line), "%s\n", k->pk_text);
		unlink(pub);
		if ((rc = write_new(pub, line, 0644))) {
			snprintf(err, errlen, "%s: %s", pub, strerror(-rc));
			return rc;
		}
		*made = true;
		return 0;
	}
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077)) {
		snprintf(err, errlen, "%s: a signing key readable by others is no secret (chmod 600 it)", path);
		return -EPERM;
	}
	if (strncmp(text, "ed25519-secret:", 15) || b64_decode(text + 15, k->sk, CHAIN_SK_LEN)) {
		snprintf(err, errlen, "%s: not an ed25519-secret:<base64> key", path);
		return -EINVAL;
	}
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	pk_text(k);
	return 0;
}

int chain_pubkey_parse(const char *s, unsigned char pk[CHAIN_PK_LEN], char *err, size_t errlen)
{
	char text[256];

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium could not start");
		return -EIO;
	}
	if (strncmp(s, "ed25519:", 8)) {
		if (read_small(s, text, sizeof(text))) {
			snprintf(err, errlen, "'%s' is neither ed25519:<base64> nor a file holding it", s);
			return -EINVAL;
		}
		s = text;
	}
	if (strncmp(s, "ed25519:", 8) || b64_decode(s + 8, pk, CHAIN_PK_LEN)) {
		snprintf(err, errlen, "not an ed25519:<base64> public key");
		return -EINVAL;
	}
	return 0;
}

/* ---- sealing ---- */

/*
 * One digest context and one fetched SHA-256, kept: OpenSSL 3 looks the
 * algorithm up again on every EVP_sha256() init, which costs more than
 * hashing a short line.  The chain is hashed on the agent's main thread
 * (and in verify), so one of each per thread.
 */
static __thread EVP_MD_CTX *hash_ctx;
static __thread EVP_MD *sha256;

static void chain_hash(const unsigned char prev[CHAIN_HASH_LEN], uint64_t seq, const char *doc, size_t len,
		       bool close_brace, unsigned char out[CHAIN_HASH_LEN])
{
	unsigned char le[8];
	unsigned int n = CHAIN_HASH_LEN;
	int i;

	if (!sha256)
		sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!hash_ctx)
		hash_ctx = EVP_MD_CTX_new();
	for (i = 0; i < 8; i++)
		le[i] = (unsigned char)(seq >> (8 * i));
	if (!sha256 || !hash_ctx || !EVP_DigestInit_ex2(hash_ctx, sha256, NULL) ||
	    !EVP_DigestUpdate(hash_ctx, prev, CHAIN_HASH_LEN) || !EVP_DigestUpdate(hash_ctx, le, 8) ||
	    !EVP_DigestUpdate(hash_ctx, doc, len) || (close_brace && !EVP_DigestUpdate(hash_ctx, "}", 1)) ||
	    !EVP_DigestFinal_ex(hash_ctx, out, &n))
		memset(out, 0, CHAIN_HASH_LEN);	/* never matches a real hash: verify says so */
}

size_t chain_seal(struct chain *c, const char *doc, size_t len, char *out, size_t cap)
{
	unsigned char h[CHAIN_HASH_LEN];
	char hex[CHAIN_HASH_LEN * 2 + 1];
	uint64_t seq = c->seq + 1;
	bool empty;
	int n;

	if (len < 2 || doc[len - 1] != '}' || cap < len + 96)
		return 0;
	empty = doc[len - 2] == '{';
	chain_hash(c->head, seq, doc, len, false, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	memcpy(out, doc, len - 1);
	n = snprintf(out + len - 1, cap - (len - 1), "%s\"seq\":%llu,\"chain\":\"%s\"}", empty ? "" : ",",
		     (unsigned long long)seq, hex);
	if (n < 0 || (size_t)n >= cap - (len - 1))
		return 0;
	c->seq = seq;
	memcpy(c->head, h, sizeof(h));
	c->since_checkpoint++;
	return len - 1 + (size_t)n;
}

static void sig_message(char *buf, size_t len, const char *stream, uint64_t covers, const char *head_hex,
			const char *time, const char *reason)
{
	snprintf(buf, len, SIG_DOMAIN "\n%s\n%llu\n%s\n%s\n%s\n", stream, (unsigned long long)covers, head_hex, time,
		 reason);
}

size_t chain_checkpoint(struct chain *c, const char *reason, char *out, size_t cap)
{
	char hex[CHAIN_HASH_LEN * 2 + 1], ts[48], msg[512];
	char sig64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	unsigned char sig[crypto_sign_BYTES];
	struct timespec now;
	int n;

	clock_gettime(CLOCK_REALTIME, &now);
	time_rfc3339(now.tv_sec * 1000000000LL + now.tv_nsec, ts, sizeof(ts));
	sodium_bin2hex(hex, sizeof(hex), c->head, sizeof(c->head));
	sig_message(msg, sizeof(msg), c->stream, c->seq, hex, ts, reason);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), c->key->sk);
	sodium_bin2base64(sig64, sizeof(sig64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(out, cap,
		     CKPT_PREFIX "\"stream\":\"%s\",\"time\":\"%s\",\"covers_seq\":%llu,\"head\":\"%s\","
		     "\"reason\":\"%s\",\"key\":\"%s\",\"sig\":\"%s\"}",
		     c->stream, ts, (unsigned long long)c->seq, hex, reason, c->key->pk_text, sig64);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	c->checkpoint_ms = now.tv_sec * 1000ULL + now.tv_nsec / 1000000;
	c->since_checkpoint = 0;
	return (size_t)n;
}

/* ---- verification ---- */

const char *chain_damage_name(enum chain_damage d)
{
	static const char *const names[] = {
		[CHAIN_OK] = "intact", [CHAIN_MODIFIED] = "modified", [CHAIN_DELETED] = "deleted",
		[CHAIN_INSERTED] = "inserted", [CHAIN_REORDERED] = "reordered", [CHAIN_TRUNCATED] = "truncated tail",
		[CHAIN_FORGED] = "forged checkpoint", [CHAIN_KEY_REPLACED] = "replaced key",
		[CHAIN_UNREADABLE] = "unreadable",
	};

	return d <= CHAIN_UNREADABLE ? names[d] : "?";
}

bool chain_parse(const char *line, size_t len, uint64_t *seq, unsigned char chain[CHAIN_HASH_LEN], size_t *doc_len)
{
	static const char ck[] = ",\"chain\":\"";
	const size_t tail = sizeof(ck) - 1 + CHAIN_HASH_LEN * 2 + 2;	/* ,"chain":"<hex>"} */
	const char *p, *digits;
	uint64_t v = 0;

	if (len < tail + 8 || line[len - 1] != '}' || line[len - 2] != '"')
		return false;
	p = line + len - tail;
	if (memcmp(p, ck, sizeof(ck) - 1) ||
	    sodium_hex2bin(chain, CHAIN_HASH_LEN, p + sizeof(ck) - 1, CHAIN_HASH_LEN * 2, NULL, NULL, NULL))
		return false;
	/* back over the digits of "seq":N */
	digits = p;
	while (digits > line && digits[-1] >= '0' && digits[-1] <= '9')
		digits--;
	if (digits == p || p - digits > 20 || digits - line < 7 || memcmp(digits - 6, "\"seq\":", 6))
		return false;
	for (const char *d = digits; d < p; d++)
		v = v * 10 + (uint64_t)(*d - '0');
	*seq = v;
	p = digits - 6;
	if (p > line + 1 && p[-1] == ',')
		p--;
	*doc_len = (size_t)(p - line);
	return *seq > 0;
}

struct parsed {
	bool ok;
	uint64_t seq;
	unsigned char chain[CHAIN_HASH_LEN];
	size_t doc_len;
};

static void report(struct chain_report *r, enum chain_damage d, const struct chain_line *l, uint64_t seq,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report(struct chain_report *r, enum chain_damage d, const struct chain_line *l, uint64_t seq,
		   const char *fmt, ...)
{
	va_list ap;

	r->damage = d;
	r->seq = seq;
	r->file = l ? l->file : NULL;
	r->lineno = l ? l->lineno : 0;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/*
 * A checkpoint's fields and signature.  Returns CHAIN_OK, CHAIN_FORGED,
 * CHAIN_KEY_REPLACED; *covers and head_hex get what it says it covers.
 */
static enum chain_damage check_checkpoint(const char *doc, size_t len, const unsigned char *pk, uint64_t *covers,
					  char head_hex[CHAIN_HASH_LEN * 2 + 1], bool *shutdown, const char **why)
{
	char *whole = malloc(len + 1);
	json_t *j = NULL;
	const char *stream, *time, *head, *reason, *key, *sig64;
	unsigned char sig[crypto_sign_BYTES], embedded[CHAIN_PK_LEN];
	char msg[512], e[128];
	enum chain_damage d = CHAIN_OK;
	json_int_t cv;

	*why = "not JSON";
	/* the document is the line's bytes before the seal, and its closing brace */
	if (whole) {
		memcpy(whole, doc, len);
		whole[len] = '}';
		j = json_loadb(whole, len + 1, 0, NULL);
		free(whole);
	}
	if (!j)
		return CHAIN_MODIFIED;
	*why = "";
	stream = json_string_value(json_object_get(j, "stream"));
	time = json_string_value(json_object_get(j, "time"));
	head = json_string_value(json_object_get(j, "head"));
	reason = json_string_value(json_object_get(j, "reason"));
	key = json_string_value(json_object_get(j, "key"));
	sig64 = json_string_value(json_object_get(j, "sig"));
	cv = json_integer_value(json_object_get(j, "covers_seq"));
	if (!stream || !time || !head || !reason || !key || !sig64 || strlen(head) != CHAIN_HASH_LEN * 2 ||
	    b64_decode(sig64, sig, sizeof(sig)) || chain_pubkey_parse(key, embedded, e, sizeof(e))) {
		*why = "a checkpoint without its fields";
		json_decref(j);
		return CHAIN_FORGED;
	}
	*covers = (uint64_t)cv;
	snprintf(head_hex, CHAIN_HASH_LEN * 2 + 1, "%s", head);
	*shutdown = !strcmp(reason, "shutdown");
	sig_message(msg, sizeof(msg), stream, (uint64_t)cv, head, time, reason);
	if (crypto_sign_verify_detached(sig, (const unsigned char *)msg, strlen(msg), embedded)) {
		*why = "its signature does not verify";
		d = CHAIN_FORGED;
	} else if (pk && memcmp(pk, embedded, CHAIN_PK_LEN)) {
		*why = "signed by another key than the one given";
		d = CHAIN_KEY_REPLACED;
	}
	json_decref(j);
	return d;
}

void chain_verify(const struct chain_line *lines, size_t n, const unsigned char *pk, bool live,
		  struct chain_report *r)
{
	struct parsed *ps = calloc(n ? n : 1, sizeof(*ps));
	unsigned char head[CHAIN_HASH_LEN] = { 0 }, h[CHAIN_HASH_LEN], key[CHAIN_PK_LEN];
	char hex[CHAIN_HASH_LEN * 2 + 1], claimed[CHAIN_HASH_LEN * 2 + 1];
	uint64_t expect = 0, last_ckpt = 0, covers;
	bool started = false, have_key = pk != NULL, shutdown = false;
	const char *why;
	size_t i, j;

	memset(r, 0, sizeof(*r));
	if (!ps) {
		report(r, CHAIN_UNREADABLE, NULL, 0, "out of memory");
		return;
	}
	if (pk)
		memcpy(key, pk, CHAIN_PK_LEN);
	for (i = 0; i < n; i++)
		ps[i].ok = chain_parse(lines[i].p, lines[i].len, &ps[i].seq, ps[i].chain, &ps[i].doc_len);
	if (!n) {
		report(r, CHAIN_TRUNCATED, NULL, 0, "no records at all");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct chain_line *l = &lines[i];
		const struct parsed *p = &ps[i];
		bool is_ckpt, opening = false;

		if (!p->ok) {
			report(r, CHAIN_INSERTED, l, expect, "a line Vigil did not seal");
			goto out;
		}
		is_ckpt = p->doc_len >= sizeof(CKPT_PREFIX) - 1 && !memcmp(l->p, CKPT_PREFIX, sizeof(CKPT_PREFIX) - 1);
		if (!started) {
			/* the stream opens with a checkpoint: where it starts, and from which head */
			if (!is_ckpt) {
				report(r, CHAIN_DELETED, l, p->seq, "the stream does not open with a checkpoint: records before seq %llu are gone",
				       (unsigned long long)p->seq);
				goto out;
			}
			started = opening = true;
			expect = p->seq;
			r->first_seq = p->seq;
		}
		if (p->seq != expect) {
			bool later = false, earlier = false;

			for (j = i + 1; j < n && !later; j++)
				later = ps[j].ok && ps[j].seq == expect;
			for (j = 0; j < i && !earlier; j++)
				earlier = ps[j].ok && ps[j].seq == p->seq;
			if (p->seq > expect && later)
				report(r, CHAIN_REORDERED, l, expect, "seq %llu comes before seq %llu",
				       (unsigned long long)p->seq, (unsigned long long)expect);
			else if (p->seq > expect)
				report(r, CHAIN_DELETED, l, expect, "seq %llu to %llu are missing", (unsigned long long)expect,
				       (unsigned long long)(p->seq - 1));
			else if (earlier)
				report(r, CHAIN_INSERTED, l, expect, "a second copy of seq %llu", (unsigned long long)p->seq);
			else
				report(r, CHAIN_INSERTED, l, expect, "seq %llu where seq %llu belongs", (unsigned long long)p->seq,
				       (unsigned long long)expect);
			goto out;
		}
		if (is_ckpt) {
			enum chain_damage d = check_checkpoint(l->p, p->doc_len, have_key ? key : NULL, &covers, claimed,
								&shutdown, &why);

			if (d == CHAIN_FORGED && strstr(why, "without")) {
				/* not even a checkpoint's shape: its bytes were changed */
				d = CHAIN_MODIFIED;
			}
			if (d) {
				report(r, d, l, p->seq, "checkpoint at seq %llu: %s", (unsigned long long)p->seq, why);
				goto out;
			}
			if (!have_key) {
				char e[64];
				const char *k = memmem(l->p, p->doc_len, "\"key\":\"ed25519:", 16);
				char text[CHAIN_KEY_TEXT];

				/* the first checkpoint's key: the others must be signed by it too */
				if (k && sscanf(k + 7, "%63[^\"]", text) == 1 && !chain_pubkey_parse(text, key, e, sizeof(e)))
					have_key = true;
			}
			/* the opening checkpoint says where the chain stood (its signature vouches for it) */
			if (opening && sodium_hex2bin(head, sizeof(head), claimed, strlen(claimed), NULL, NULL, NULL)) {
				report(r, CHAIN_MODIFIED, l, p->seq, "checkpoint at seq %llu: its head is not hex",
				       (unsigned long long)p->seq);
				goto out;
			}
			sodium_bin2hex(hex, sizeof(hex), head, sizeof(head));
			if (covers != p->seq - 1 || strcmp(hex, claimed)) {
				report(r, CHAIN_MODIFIED, l, last_ckpt + 1,
				       "records after the checkpoint at seq %llu were changed and the chain recomputed: the signed head at seq %llu does not match",
				       (unsigned long long)last_ckpt, (unsigned long long)p->seq);
				goto out;
			}
		}
		chain_hash(head, p->seq, l->p, p->doc_len, true, h);
		if (memcmp(h, p->chain, CHAIN_HASH_LEN)) {
			report(r, CHAIN_MODIFIED, l, p->seq, "seq %llu: its bytes do not hash to its chain",
			       (unsigned long long)p->seq);
			goto out;
		}
		if (is_ckpt) {
			last_ckpt = p->seq;
			r->checkpoints++;
		}
		memcpy(head, h, sizeof(head));
		r->records++;
		r->last_seq = p->seq;
		r->ends_with_shutdown = is_ckpt && shutdown;
		expect++;
	}
	r->unsigned_tail = r->last_seq - last_ckpt;
	memcpy(r->head, head, sizeof(head));
	if (!live && !r->ends_with_shutdown)
		report(r, CHAIN_TRUNCATED, &lines[n - 1], r->last_seq + 1,
		       "the log ends at seq %llu, %llu record(s) after the last checkpoint, without the agent's shutdown checkpoint",
		       (unsigned long long)r->last_seq, (unsigned long long)r->unsigned_tail);
out:
	free(ps);
}

char *chain_read_lines(int dirfd, const char *name, const char *label, struct chain_line **lines, size_t *n)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t len = 0, cap = 0, k;
	unsigned long no = 0;
	struct stat st;
	char *buf, *p;

	*lines = NULL;
	*n = 0;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (1L << 30)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);

		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	for (p = buf; p < buf + len; p += k + 1) {
		k = strcspn(p, "\n");
		no++;
		if (!k)
			continue;
		if (*n == cap) {
			struct chain_line *nl = realloc(*lines, (cap = cap ? cap * 2 : 1024) * sizeof(*nl));

			if (!nl)
				break;
			*lines = nl;
		}
		(*lines)[(*n)++] = (struct chain_line){ .file = label, .lineno = no, .p = p, .len = k };
	}
	return buf;
}
