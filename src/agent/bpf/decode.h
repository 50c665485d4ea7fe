/*
 * decode.h - checking ring-buffer records before anything reads them.
 *
 * record_check() validates a record once: header, version, type, body size
 * and every {off,len} string reference of its type.  After it succeeds the
 * typed views and rec_sv() may be used without further checks.
 */
#ifndef VIGIL_DECODE_H
#define VIGIL_DECODE_H

#include <stddef.h>
#include "abi/abi.h"

/* A borrowed, not NUL-terminated, view into a record. */
struct sv {
	const char *p;
	size_t len;
};

/* Returns 0, or -EBADMSG (malformed) / -EPROTO (other ABI version). */
int record_check(const void *data, size_t size);

/* Body size of a record type, 0 if the type is unknown. */
size_t record_body_size(unsigned int type);

/* The string s of a checked record; {NULL, 0} when absent. */
static inline struct sv rec_sv(const void *rec, struct vigil_str s)
{
	struct sv v = { NULL, 0 };

	if (s.off) {
		v.p = (const char *)rec + s.off;
		v.len = s.len;
	}
	return v;
}

#endif
