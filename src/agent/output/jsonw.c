/* jsonw.c - streaming JSON writer; see jsonw.h for the escaping rules. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/jsonw.h"

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

void jw_free(struct jw *w)
{
	if (!w)
		return;
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->depth = 0;
	w->err = 0;
	w->first[0] = true;
	if (w->buf)
		w->buf[0] = '\0';
}

static int grow(struct jw *w, size_t need)
{
	size_t cap;
	char *p;

	cap = w->cap ? w->cap : 1024;
	while (cap < need)
		cap *= 2;
	p = realloc(w->buf, cap);
	if (!p)
		return w->err = -ENOMEM;
	w->buf = p;
	w->cap = cap;
	return 0;
}

/* The common case - room left, no error - stays inline. */
static inline int reserve(struct jw *w, size_t extra)
{
	size_t need = w->len + extra + 1;

	if (__builtin_expect(need <= w->cap && !w->err, 1))
		return 0;
	if (w->err)
		return w->err;
	return grow(w, need);
}

static inline void put(struct jw *w, const char *s, size_t n)
{
	if (reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static inline void putc_(struct jw *w, char c)
{
	if (reserve(w, 1))
		return;
	w->buf[w->len++] = c;
	w->buf[w->len] = '\0';
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are invalid */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void jw_escape(struct jw *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[8];
	size_t i = 0, run;

	while (i < n) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			/* copy the longest plain ASCII run at once */
			run = i;
			while (run < n && s[run] >= 0x20 && s[run] < 0x80 &&
			       s[run] != '"' && s[run] != '\\')
				run++;
			put(w, str + i, run - i);
			i = run;
			continue;
		}
		switch (c) {
		case '"': put(w, "\\\"", 2); i++; continue;
		case '\\': put(w, "\\\\", 2); i++; continue;
		case '\n': put(w, "\\n", 2); i++; continue;
		case '\t': put(w, "\\t", 2); i++; continue;
		case '\r': put(w, "\\r", 2); i++; continue;
		case '\b': put(w, "\\b", 2); i++; continue;
		case '\f': put(w, "\\f", 2); i++; continue;
		}
		if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(w, esc, 6);
			i++;
			continue;
		}
		run = utf8_seq(s + i, n - i);
		if (run) {
			put(w, str + i, run);
			i += run;
		} else {
			put(w, "\xef\xbf\xbd", 3);	/* U+FFFD */
			i++;
		}
	}
}

static void member(struct jw *w, const char *key)
{
	if (w->depth < 0 || w->depth >= JW_MAX_DEPTH) {
		w->err = -EINVAL;
		return;
	}
	if (!w->first[w->depth])
		putc_(w, ',');
	w->first[w->depth] = false;
	if (key) {
		/* keys are Vigil's own names, never container data: no escaping */
		size_t n = strlen(key);

		if (reserve(w, n + 3))
			return;
		w->buf[w->len++] = '"';
		memcpy(w->buf + w->len, key, n);
		w->len += n;
		w->buf[w->len++] = '"';
		w->buf[w->len++] = ':';
		w->buf[w->len] = '\0';
	}
}

static void open_(struct jw *w, const char *key, char c)
{
	member(w, key);
	putc_(w, c);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->err = -EINVAL;
		return;
	}
	w->first[++w->depth] = true;
}

static void close_(struct jw *w, char c)
{
	if (w->depth <= 0) {
		w->err = -EINVAL;
		return;
	}
	w->depth--;
	putc_(w, c);
}

void jw_obj_open(struct jw *w, const char *key) { open_(w, key, '{'); }
void jw_obj_close(struct jw *w) { close_(w, '}'); }
void jw_arr_open(struct jw *w, const char *key) { open_(w, key, '['); }
void jw_arr_close(struct jw *w) { close_(w, ']'); }

bool jw_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		len = utf8_seq(s + i, n - i);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

static void base64(struct jw *w, const unsigned char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	size_t i;

	for (i = 0; i < n; i += 3) {
		uint32_t v = s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);

		q[0] = tab[v >> 18 & 63];
		q[1] = tab[v >> 12 & 63];
		q[2] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		put(w, q, 4);
	}
}

void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	char raw_key[96];

	member(w, key);
	putc_(w, '"');
	jw_escape(w, s, n);
	putc_(w, '"');
	if (!key || jw_utf8_valid(s, n))
		return;
	snprintf(raw_key, sizeof(raw_key), "%s_b64", key);
	member(w, raw_key);
	putc_(w, '"');
	base64(w, (const unsigned char *)s, n);
	putc_(w, '"');
}

void jw_b64(struct jw *w, const char *key, const char *s, size_t n)
{
	member(w, key);
	putc_(w, '"');
	base64(w, (const unsigned char *)s, n);
	putc_(w, '"');
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	if (!s) {
		jw_null(w, key);
		return;
	}
	jw_strn(w, key, s, strlen(s));
}

/* Decimal digits of v, right-aligned in buf[24]; returns the first. */
static char *u64_digits(uint64_t v, char buf[24])
{
	/* one past the end: the digits are written backwards from there */
	char *p = buf + 24;	// cppcheck-suppress ctuPointerArith

	do
		*--p = '0' + v % 10;
	while (v /= 10);
	return p;
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	char num[24], *p = u64_digits(v < 0 ? -(uint64_t)v : (uint64_t)v, num);

	if (v < 0)
		*--p = '-';
	member(w, key);
	put(w, p, num + 24 - p);
}

void jw_uint(struct jw *w, const char *key, uint64_t v)
{
	char num[24], *p = u64_digits(v, num);

	member(w, key);
	put(w, p, num + 24 - p);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	member(w, key);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w, const char *key)
{
	member(w, key);
	put(w, "null", 4);
}
