/* Unit tests: sealed lines, signed checkpoints, and what verify names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "output/chain.h"

#define MAXL 64

struct log {
	char text[MAXL][1400];
	struct chain_line lines[MAXL];
	size_t n;
};

static struct chain_key key, other;

static int setup(void **state)
{
	assert_true(sodium_init() >= 0);
	crypto_sign_keypair(key.pk, key.sk);
	crypto_sign_keypair(other.pk, other.sk);
	{
		char b64[48];

		sodium_bin2base64(b64, sizeof(b64), key.pk, 32, sodium_base64_VARIANT_ORIGINAL);
		snprintf(key.pk_text, sizeof(key.pk_text), "ed25519:%s", b64);
		sodium_bin2base64(b64, sizeof(b64), other.pk, 32, sodium_base64_VARIANT_ORIGINAL);
		snprintf(other.pk_text, sizeof(other.pk_text), "ed25519:%s", b64);
	}
	return 0;
}

static void add(struct log *g, struct chain *c, const char *doc)
{
	size_t n = chain_seal(c, doc, strlen(doc), g->text[g->n], sizeof(g->text[0]));

	assert_true(n > 0);
	g->lines[g->n] = (struct chain_line){ .file = "t.json", .lineno = g->n + 1, .p = g->text[g->n], .len = n };
	g->n++;
}

static void ckpt(struct log *g, struct chain *c, const char *reason)
{
	char doc[1024];
	size_t n = chain_checkpoint(c, reason, doc, sizeof(doc));

	assert_true(n > 0);
	add(g, c, doc);
}

/* start, 10 records, periodic, 5 records, shutdown: 18 lines */
static void make_log(struct log *g, const struct chain_key *k)
{
	struct chain c = { .stream = "file", .key = k };
	char doc[128];
	int i;

	memset(g, 0, sizeof(*g));
	ckpt(g, &c, "start");
	for (i = 0; i < 10; i++) {
		snprintf(doc, sizeof(doc), "{\"type\":\"open\",\"n\":%d}", i);
		add(g, &c, doc);
	}
	ckpt(g, &c, "periodic");
	for (i = 10; i < 15; i++) {
		snprintf(doc, sizeof(doc), "{\"type\":\"open\",\"n\":%d}", i);
		add(g, &c, doc);
	}
	ckpt(g, &c, "shutdown");
}

static enum chain_damage check(struct log *g, const unsigned char *pk, bool live, struct chain_report *r)
{
	chain_verify(g->lines, g->n, pk, live, r);
	return r->damage;
}

static void test_seal_parse(void **state)
{
	struct chain c = { .stream = "x", .key = &key };
	unsigned char h[CHAIN_HASH_LEN];
	char out[256];
	uint64_t seq;
	size_t n, dl;

	n = chain_seal(&c, "{\"a\":1}", 7, out, sizeof(out));
	assert_true(n > 0);
	assert_true(chain_parse(out, n, &seq, h, &dl));
	assert_int_equal(seq, 1);
	assert_int_equal(dl, 6);	/* {"a":1 */
	assert_memory_equal(h, c.head, CHAIN_HASH_LEN);
	n = chain_seal(&c, "{}", 2, out, sizeof(out));
	assert_true(n > 0 && !strncmp(out, "{\"seq\":2,", 9));
	assert_int_equal(chain_seal(&c, "[1]", 3, out, sizeof(out)), 0);	/* not an object */
	assert_int_equal(chain_seal(&c, "{\"a\":1}", 7, out, 20), 0);	/* no room */
	assert_false(chain_parse("{\"a\":1}", 7, &seq, h, &dl));
}

static void test_intact_and_keys(void **state)
{
	static struct log g;
	struct chain_report r;

	make_log(&g, &key);
	assert_int_equal(check(&g, key.pk, false, &r), CHAIN_OK);
	assert_int_equal(r.records, 18);
	assert_int_equal(r.checkpoints, 3);
	assert_true(r.ends_with_shutdown);
	assert_int_equal(check(&g, NULL, false, &r), CHAIN_OK);
	assert_int_equal(check(&g, other.pk, false, &r), CHAIN_KEY_REPLACED);
	assert_int_equal(r.seq, 1);
	/* the whole log re-made by someone with their own key */
	make_log(&g, &other);
	assert_int_equal(check(&g, key.pk, false, &r), CHAIN_KEY_REPLACED);
}

static void test_damage(void **state)
{
	static struct log g;
	struct chain_report r;
	struct chain_line t;

	make_log(&g, &key);
	g.text[4][10] ^= 1;	/* a byte of seq 5 */
	assert_int_equal(check(&g, key.pk, false, &r), CHAIN_MODIFIED);
	assert_int_equal(r.seq, 5);

	make_log(&g, &key);
	memmove(&g.lines[5], &g.lines[6], (g.n - 6) * sizeof(g.lines[0]));
	g.n--;
	assert_int_equal(check(&g, key.pk, false, &r), CHAIN_DELETED);
	assert_int_equal(r.seq, 6);

	make_log(&g, &key);
	t = g.lines[7];
	g.lines[7] = g.lines[8];
	g.lines[8] = t;
	assert_int_equal(check(&g, key.pk, false, &r), CHAIN_REORDERED);
	assert_int_equal(r.seq, 8);

	make_log(&g, &key);
	g.lines[9] = g.lines[3];	/* a replayed copy over seq 10 */
	assert_int_equal(check(&g, key.pk, false, &r), CHAIN_INSERTED);

	make_log(&g, &key);
	g.n--;	/* the shutdown checkpoint cut */
	assert_int_equal(check(&g, key.pk, false, &r), CHAIN_TRUNCATED);
	assert_int_equal(check(&g, key.pk, true, &r), CHAIN_OK);	/* --live: a tail not yet signed */
	assert_int_equal(r.unsigned_tail, 5);
}

/* Who edits a record and recomputes every seal after it is caught by the next signed head. */
static void test_recomputed_chain(void **state)
{
	static struct log g, h;
	struct chain attacker = { .stream = "file" };
	struct chain_report r;
	size_t i, dl;
	uint64_t seq;

	make_log(&g, &key);
	memset(&h, 0, sizeof(h));
	for (i = 0; i < g.n; i++) {
		char doc[1400];

		unsigned char scratch[CHAIN_HASH_LEN];

		assert_true(chain_parse(g.lines[i].p, g.lines[i].len, &seq, scratch, &dl));
		memcpy(doc, g.lines[i].p, dl);
		doc[dl] = '}';
		doc[dl + 1] = '\0';
		if (i == 3)
			memcpy(strstr(doc, "\"n\":2"), "\"n\":9", 5);	/* the edit */
		if (i == 0) {
			attacker.seq = 0;
			memset(attacker.head, 0, CHAIN_HASH_LEN);
		}
		add(&h, &attacker, doc);
	}
	assert_int_equal(check(&h, key.pk, false, &r), CHAIN_MODIFIED);
	assert_int_equal(r.seq, 2);	/* somewhere after the checkpoint at seq 1 */
	assert_non_null(strstr(r.detail, "recomputed"));
}

static void test_forged_checkpoint(void **state)
{
	static struct log g;
	struct chain_report r;
	char *sig;

	make_log(&g, &key);
	/* a checkpoint's signature changed, its seal re-made so the chain still links */
	{
		struct chain c = { .stream = "file" };
		size_t dl;
		uint64_t seq;
		char doc[1400];

		/* line 11 is the periodic checkpoint; line 10 the record before it */
		assert_true(chain_parse(g.lines[10].p, g.lines[10].len, &c.seq, c.head, &dl));
		assert_true(chain_parse(g.lines[11].p, g.lines[11].len, &seq, (unsigned char[32]){ 0 }, &dl));
		memcpy(doc, g.lines[11].p, dl);
		doc[dl] = '}';
		doc[dl + 1] = '\0';
		sig = strstr(doc, "\"sig\":\"");
		assert_non_null(sig);
		sig += 7;
		sig[0] = sig[0] == 'A' ? 'B' : 'A';
		g.n = 11;
		add(&g, &c, doc);
	}
	assert_int_equal(check(&g, key.pk, true, &r), CHAIN_FORGED);
	assert_int_equal(r.seq, 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_parse),
		cmocka_unit_test(test_intact_and_keys),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_recomputed_chain),
		cmocka_unit_test(test_forged_checkpoint),
	};

	return cmocka_run_group_tests_name("chain", tests, setup, NULL);
}
