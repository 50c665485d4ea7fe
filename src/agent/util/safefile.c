/* safefile.c - bounded reads of untrusted files (see safefile.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/safefile.h"

char *safefile_read(int dirfd, const char *path, enum safefile_scope scope, size_t max, size_t *len)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS |
			   (scope == SAFEFILE_IN_ROOT ? RESOLVE_IN_ROOT : RESOLVE_BENEATH),
	};
	struct stat st;
	size_t n = 0;
	ssize_t r;
	char *buf;
	int fd, err;

	fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err = S_ISREG(st.st_mode) ? errno : EINVAL;
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		err = EFBIG;
		goto fail;
	}
	buf = malloc(max + 1);
	if (!buf) {
		err = ENOMEM;
		goto fail;
	}
	/* st_size may be wrong (procfs) or change under us: read up to max + 1 */
	while (n <= max && (r = read(fd, buf + n, max + 1 - n)) > 0)
		n += r;
	close(fd);
	if (n > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	close(fd);
	errno = err;
	return NULL;
}

char *safefile_read_at(const char *dir, const char *path, enum safefile_scope scope, size_t max,
		       size_t *len)
{
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), err;
	char *buf;

	if (dfd < 0)
		return NULL;
	buf = safefile_read(dfd, path, scope, max, len);
	err = errno;
	close(dfd);
	errno = err;
	return buf;
}

int safefile_replace(const char *dir, const char *name, const char *buf, size_t len)
{
	char path[4096], tmp[4200];
	size_t done = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (done < len && !err) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (!err && (fsync(fd) || rename(tmp, path)))
		err = -errno;
	close(fd);
	if (err)
		unlink(tmp);
	return err;
}
