/*
 * jsonw.h - a streaming JSON writer for event output.
 *
 * Hand-written because it is on the per-event hot path: it appends straight
 * into one reused buffer, where a tree-building library would allocate per
 * node.  (Vigil parses JSON - Docker's answers - with jansson.)
 *
 * Strings from containers may hold any byte.  Valid UTF-8 passes through;
 * control characters, '"' and '\' are escaped; each byte that is not part
 * of valid UTF-8 becomes U+FFFD, so every document is valid JSON of valid
 * Unicode that any strict parser accepts.  Nothing is lost: a keyed string
 * that held invalid UTF-8 is followed by "<key>_b64", its exact bytes in
 * base64.
 */
#ifndef VIGIL_JSONW_H
#define VIGIL_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 16

struct jw {
	char *buf;		/* owned; NUL-terminated after each write */
	size_t len;
	size_t cap;
	int depth;
	bool first[JW_MAX_DEPTH];	/* no member written yet at this depth */
	int err;		/* -ENOMEM or -EINVAL once something failed */
};

void jw_init(struct jw *w);
void jw_free(struct jw *w);
/* Empties the buffer for the next document; keeps the allocation. */
void jw_reset(struct jw *w);

/* key is NULL for array elements and the top-level value. */
void jw_obj_open(struct jw *w, const char *key);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w, const char *key);
void jw_arr_close(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *s);
void jw_strn(struct jw *w, const char *key, const char *s, size_t n);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_uint(struct jw *w, const char *key, uint64_t v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);

/* s[0..n) in base64, as a string value. */
void jw_b64(struct jw *w, const char *key, const char *s, size_t n);
/* Is s[0..n) valid UTF-8 (what jw_strn passes through unchanged)? */
bool jw_utf8_valid(const char *s, size_t n);

/* Appends the escaped form of s[0..n) (no quotes) to w; exposed for tests. */
void jw_escape(struct jw *w, const char *s, size_t n);

#endif
