/*
 * pkgdb.c - the package a file belongs to, from dpkg's md5sums lists in
 * the container's root (see pkgdb.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/identity.h"
#include "proc/pkgdb.h"
#include "util/safefile.h"

#define PKGDB_DIR "/var/lib/dpkg/info"
#define PKGDB_LIST_MAX (8u << 20)	/* one package's md5sums */
#define PKGDB_CACHE 64

/* Answers by file: a build runs the same compiler thousands of times. */
static __thread struct owner {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec ctime;
	char pkg[64];		/* "" no package */
	bool valid;
} cache[PKGDB_CACHE];

int pkgdb_parse_line(const char *line, size_t n, const char *path, unsigned char md5[16])
{
	size_t plen = strlen(path), got = 0;

	/* 32 hex digits, two spaces (or space and '*'), the path with no leading '/' */
	if (n != 34 + plen || (line[33] != ' ' && line[33] != '*') || line[32] != ' ')
		return 0;
	if (memcmp(line + 34, path, plen))
		return 0;
	return !sodium_hex2bin(md5, 16, line, 32, NULL, &got, NULL) && got == 16;
}

/* The md5 a list gives path, if it lists it. */
static bool listed(const char *buf, size_t len, const char *path, unsigned char md5[16])
{
	size_t plen = strlen(path);
	const char *p = buf, *end = buf + len, *hit;

	/* the path ends a line: "HEX  PATH\n" */
	while (p < end && (hit = memmem(p, end - p, path, plen))) {
		const char *ls = hit, *le = hit + plen;

		while (ls > buf && ls[-1] != '\n')
			ls--;
		if ((le == end || *le == '\n') && pkgdb_parse_line(ls, le - ls, path, md5))
			return true;
		p = hit + 1;
	}
	return false;
}

static int md5_fd(int fd, unsigned char md5[16])
{
	static __thread unsigned char buf[1 << 16];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	size_t total = 0;
	ssize_t r;
	int err = 0;

	if (!ctx)
		return -ENOMEM;
	if (lseek(fd, 0, SEEK_SET) < 0 || !EVP_DigestInit_ex(ctx, EVP_md5(), NULL)) {
		err = -EIO;
		goto out;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		if ((total += r) > IDENTITY_MAX_BYTES) {
			err = -EFBIG;
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, r);
	}
	if (r < 0)
		err = -errno;
	else if (!EVP_DigestFinal_ex(ctx, md5, &n) || n != 16)
		err = -EIO;
out:
	EVP_MD_CTX_free(ctx);
	return err;
}

/* Which package's list names path with these bytes: 0 and pkg, or -ENOENT. */
static int search(int dfd, const char *rel, int fd, char *pkg, size_t len)
{
	unsigned char want[16], have[16];
	bool hashed = false;
	struct dirent *d;
	int err = -ENOENT, lfd = dup(dfd);
	DIR *dir;

	if (lfd < 0 || !(dir = fdopendir(lfd))) {
		if (lfd >= 0)
			close(lfd);
		return -errno;
	}
	while ((d = readdir(dir))) {
		size_t nl = strlen(d->d_name), blen;
		char *buf;

		if (nl <= 8 || strcmp(d->d_name + nl - 8, ".md5sums"))
			continue;
		buf = safefile_read(dfd, d->d_name, SAFEFILE_BENEATH, PKGDB_LIST_MAX, &blen);
		if (!buf)
			continue;
		if (listed(buf, blen, rel, want)) {
			if (!hashed && (err = md5_fd(fd, have)) < 0) {
				free(buf);
				break;
			}
			hashed = true;
			err = -ENOENT;
			if (!memcmp(want, have, 16)) {
				snprintf(pkg, len, "%.*s", (int)(nl - 8), d->d_name);
				err = 0;
				free(buf);
				break;
			}
		}
		free(buf);
	}
	closedir(dir);
	return err;
}

int pkgdb_owner(const char *root, const char *path, int fd, char *pkg, size_t len)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct owner *slot;
	struct stat sb;
	int rfd, dfd, err;

	*pkg = '\0';
	if (path[0] != '/' || !path[1] || fstat(fd, &sb) || !S_ISREG(sb.st_mode))
		return -EINVAL;
	slot = &cache[(sb.st_ino ^ (sb.st_dev << 7)) % PKGDB_CACHE];
	if (slot->valid && slot->dev == sb.st_dev && slot->ino == sb.st_ino && slot->size == sb.st_size &&
	    slot->ctime.tv_sec == sb.st_ctim.tv_sec && slot->ctime.tv_nsec == sb.st_ctim.tv_nsec) {
		snprintf(pkg, len, "%s", slot->pkg);
		return *pkg ? 0 : -ENOENT;
	}
	if ((rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	/* inside the container's root: its symlinks resolve there, not on the host */
	dfd = syscall(SYS_openat2, rfd, PKGDB_DIR, &how, sizeof(how));
	err = dfd < 0 ? -errno : search(dfd, path + 1, fd, pkg, len);
	if (dfd >= 0)
		close(dfd);
	close(rfd);
	if (err == 0 || err == -ENOENT) {
		slot->dev = sb.st_dev;
		slot->ino = sb.st_ino;
		slot->size = sb.st_size;
		slot->ctime = sb.st_ctim;
		snprintf(slot->pkg, sizeof(slot->pkg), "%s", err ? "" : pkg);
		slot->valid = true;
	}
	return err;
}
