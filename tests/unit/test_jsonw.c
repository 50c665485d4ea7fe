/* Unit tests: JSON writer and escaping of hostile bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "output/jsonw.h"

static const char *escaped(struct jw *w, const char *s, size_t n)
{
	jw_reset(w);
	jw_escape(w, s, n);
	return w->buf ? w->buf : "";
}

static void test_escape_table(void **state)
{
	static const struct { const char *in; size_t n; const char *out; } cases[] = {
		{ "plain", 5, "plain" },
		{ "", 0, "" },
		{ "a\"b", 3, "a\\\"b" },
		{ "back\\slash", 10, "back\\\\slash" },
		{ "\n\t\r\b\f", 5, "\\n\\t\\r\\b\\f" },
		{ "\x01\x1f", 2, "\\u0001\\u001f" },
		{ "nul\0byte", 8, "nul\\u0000byte" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },			/* valid 2-byte UTF-8 */
		{ "\xe2\x82\xac", 3, "\xe2\x82\xac" },			/* euro sign */
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },		/* emoji */
		{ "\xff", 1, "\xef\xbf\xbd" },				/* never valid */
		{ "\xc3", 1, "\xef\xbf\xbd" },				/* cut sequence */
		{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd" },			/* overlong '/' */
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },		/* UTF-16 surrogate */
		{ "\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },/* > U+10FFFF */
		{ "a\x80z", 3, "a\xef\xbf\xbdz" },
	};
	struct jw w;
	size_t i;

	jw_init(&w);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(escaped(&w, cases[i].in, cases[i].n), cases[i].out);
	jw_free(&w);
}

/* Every byte value in every position: the document always parses. */
static void test_all_bytes_parse(void **state)
{
	char s[512];
	struct jw w;
	json_error_t err;
	json_t *doc;
	int i;

	for (i = 0; i < 512; i++)
		s[i] = (char)(i * 7 + (i >> 3));
	jw_init(&w);
	jw_obj_open(&w, NULL);
	jw_strn(&w, "path", s, sizeof(s));
	jw_strn(&w, "key", "v\"\n", 3);	/* keys are Vigil's constants; values escape */
	jw_obj_close(&w);
	assert_int_equal(w.err, 0);
	doc = json_loads(w.buf, JSON_ALLOW_NUL, &err);
	assert_non_null(doc);
	assert_true(json_is_string(json_object_get(doc, "path")));
	/* the exact bytes survive in path_b64 */
	assert_int_equal(strlen(json_string_value(json_object_get(doc, "path_b64"))), 684);
	assert_string_equal(json_string_value(json_object_get(doc, "key")), "v\"\n");
	json_decref(doc);
	jw_free(&w);
}

static void test_raw_bytes_kept(void **state)
{
	struct jw w;

	jw_init(&w);
	jw_obj_open(&w, NULL);
	jw_strn(&w, "p", "a\xff" "b", 3);		/* "a\xffb" = Yf9i */
	jw_strn(&w, "ok", "fine", 4);		/* valid: no _b64 */
	jw_arr_open(&w, "arr");
	jw_strn(&w, NULL, "\xfe", 1);		/* array element: no sibling */
	jw_arr_close(&w);
	jw_obj_close(&w);
	assert_string_equal(w.buf, "{\"p\":\"a\xef\xbf\xbd" "b\",\"p_b64\":\"Yf9i\",\"ok\":\"fine\","
				   "\"arr\":[\"\xef\xbf\xbd\"]}");
	jw_free(&w);
}

static void test_structure(void **state)
{
	struct jw w;

	jw_init(&w);
	jw_obj_open(&w, NULL);
	jw_str(&w, "s", "x");
	jw_int(&w, "i", -5);
	jw_uint(&w, "u", 18446744073709551615ULL);
	jw_bool(&w, "b", true);
	jw_null(&w, "n");
	jw_str(&w, "nullstr", NULL);
	jw_arr_open(&w, "a");
	jw_int(&w, NULL, 1);
	jw_obj_open(&w, NULL);
	jw_obj_close(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	assert_int_equal(w.err, 0);
	assert_string_equal(w.buf, "{\"s\":\"x\",\"i\":-5,\"u\":18446744073709551615,\"b\":true,"
				   "\"n\":null,\"nullstr\":null,\"a\":[1,{}]}");
	/* reset keeps the buffer and starts a new document */
	jw_reset(&w);
	jw_arr_open(&w, NULL);
	jw_arr_close(&w);
	assert_string_equal(w.buf, "[]");
	jw_free(&w);
}

static void test_misuse_is_an_error(void **state)
{
	struct jw w;
	int i;

	jw_init(&w);
	jw_obj_close(&w);		/* close with nothing open */
	assert_int_equal(w.err, -EINVAL);
	jw_reset(&w);
	for (i = 0; i < JW_MAX_DEPTH + 2; i++)
		jw_arr_open(&w, NULL);	/* too deep */
	assert_int_equal(w.err, -EINVAL);
	jw_free(&w);
	jw_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_all_bytes_parse),
		cmocka_unit_test(test_raw_bytes_kept),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_misuse_is_an_error),
	};

	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
