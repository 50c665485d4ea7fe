/*
 * pkgdb.h - which installed package a file belongs to, by the package
 * manager's own record in the container's root.
 *
 * A program a build container installs (apt-get install gcc) is written
 * after the container started, so it is not in the image; run, it looks
 * like a dropped binary.  dpkg keeps, per package, the MD5 of every file
 * it installed (/var/lib/dpkg/info/PACKAGE.md5sums): a file listed there
 * whose bytes still match is the package's.  The database is the
 * container's to write, so the default rules report any change to it made
 * outside the package manager.
 */
#ifndef VIGIL_PKGDB_H
#define VIGIL_PKGDB_H

#include <stddef.h>

/*
 * The package that installed path (as the container sees it, absolute)
 * with the bytes of the open file fd: its name in pkg, 0; -ENOENT when no
 * package lists it or the bytes differ; other -errno on failure.  root is
 * the container's root directory.  Blocking: worker thread.
 */
int pkgdb_owner(const char *root, const char *path, int fd, char *pkg, size_t len);

/* One md5sums line "HEX  PATH": 1 when it lists path (no leading '/') and sets md5, else 0. */
int pkgdb_parse_line(const char *line, size_t n, const char *path, unsigned char md5[16]);

#endif
