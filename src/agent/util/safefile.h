/*
 * safefile.h - reading small files that a container (or a container's
 * owner) may have shaped: its /etc/passwd, a profile named by a label, a
 * runtime's bundle.  The path is resolved with openat2() so a symlink
 * cannot lead outside the given root and a magic link (/proc/PID/...) is
 * never followed; the file is opened O_NONBLOCK and must be a regular file
 * (a FIFO would block, /dev/zero would never end), and at most max bytes
 * are read.
 */
#ifndef VIGIL_SAFEFILE_H
#define VIGIL_SAFEFILE_H

#include <stddef.h>

enum safefile_scope {
	SAFEFILE_IN_ROOT,	/* path is resolved as if dirfd were "/" (RESOLVE_IN_ROOT) */
	SAFEFILE_BENEATH,	/* path must stay below dirfd (RESOLVE_BENEATH) */
};

/*
 * Reads path relative to dirfd.  Returns a NUL-terminated buffer (caller
 * frees) and its length in *len, or NULL with errno: EFBIG past max,
 * EINVAL not a regular file, ELOOP/EXDEV when resolution was refused.
 */
char *safefile_read(int dirfd, const char *path, enum safefile_scope scope, size_t max, size_t *len);

/* The same with dirfd opened from dir (O_PATH). */
char *safefile_read_at(const char *dir, const char *path, enum safefile_scope scope, size_t max,
		       size_t *len);

/*
 * Replaces dir/name with buf[0..len), 0600: written whole to name.tmp,
 * synced, then renamed over, so a crash leaves the old file or the new
 * one.  0 or -errno.
 */
int safefile_replace(const char *dir, const char *name, const char *buf, size_t len);

#endif
