/* pathutil.h - lexical path joining for paths the kernel could not resolve. */
#ifndef VIGIL_PATHUTIL_H
#define VIGIL_PATHUTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Joins dir and path (path wins if absolute), removes "." and empty
 * components and applies ".." lexically (never above "/").  Writes a
 * NUL-terminated result to out; returns its length, or -ENAMETOOLONG
 * (out then holds a truncated path).  Inputs need not be NUL-terminated.
 */
int path_join(const char *dir, size_t dlen, const char *path, size_t plen,
	      char *out, size_t outlen);

/*
 * path_join, then the prefixes that lead back to the process's own root
 * taken away: /proc/self/root, /proc/thread-self/root, /proc/<vpid>/root
 * (vpid: the process's pid in its own namespace, 0 = unknown), so
 * "/proc/self/root/etc/shadow" is "/etc/shadow".  Lexical, like path_join:
 * for paths the kernel could not resolve itself.
 */
int path_canonical(const char *dir, size_t dlen, const char *path, size_t plen, uint32_t vpid, char *out,
		   size_t outlen);

#endif
