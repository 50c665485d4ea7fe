/* pathutil.h - lexical path joining for paths the kernel could not resolve. */
#ifndef VIGIL_PATHUTIL_H
#define VIGIL_PATHUTIL_H

#include <stddef.h>

/*
 * Joins dir and path (path wins if absolute), removes "." and empty
 * components and applies ".." lexically (never above "/").  Writes a
 * NUL-terminated result to out; returns its length, or -ENAMETOOLONG
 * (out then holds a truncated path).  Inputs need not be NUL-terminated.
 */
int path_join(const char *dir, size_t dlen, const char *path, size_t plen,
	      char *out, size_t outlen);

#endif
