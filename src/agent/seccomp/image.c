/* image.c - an image's files, unpacked safely (see image.h). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp/image.h"
#include "util/log.h"
#include "util/safefile.h"

/* Entry kinds an image may make: files, directories, links.  Never devices or FIFOs. */
static int entry_allowed(struct archive_entry *e)
{
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
	case AE_IFDIR:
	case AE_IFLNK:
		return 1;
	default:
		return 0;
	}
}

int image_extract_fd(int fd, const char *name, const char *dest)
{
	int flags = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_PERM;
	struct archive *in = archive_read_new(), *out = archive_write_disk_new();
	int r, err = 0, cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t total = 0, entries = 0;
	struct archive_entry *e;

	archive_read_support_format_tar(in);
	archive_read_support_filter_all(in);
	archive_write_disk_set_options(out, flags);
	if (cwd < 0 || archive_read_open_fd(in, fd, 1 << 16) != ARCHIVE_OK || chdir(dest)) {
		log_warnx("analyze: %s: %s", name, archive_error_string(in) ? archive_error_string(in) : strerror(errno));
		err = -EINVAL;
		goto out;
	}
	/* layer whiteouts mean "deleted": keeping the file over-approximates, safely */
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		if (++entries > IMAGE_MAX_ENTRIES) {
			log_warnx("analyze: %s: more than %d entries", name, IMAGE_MAX_ENTRIES);
			err = -EFBIG;
			goto out;
		}
		if (!entry_allowed(e) && !archive_entry_hardlink(e))
			continue;
		if (archive_write_header(out, e) == ARCHIVE_OK && archive_entry_size(e) > 0) {
			const void *buf;
			size_t size;
			la_int64_t off;

			while (archive_read_data_block(in, &buf, &size, &off) == ARCHIVE_OK) {
				total += size;
				if (total > IMAGE_MAX_BYTES) {
					log_warnx("analyze: %s: more than %llu bytes unpacked", name,
						  (unsigned long long)IMAGE_MAX_BYTES);
					err = -EFBIG;
					goto out;
				}
				archive_write_data_block(out, buf, size, off);
			}
		}
	}
	if (r != ARCHIVE_EOF) {
		log_warnx("analyze: %s: %s", name, archive_error_string(in));
		err = -EINVAL;
	}
out:
	archive_read_free(in);
	archive_write_free(out);
	if (cwd >= 0) {
		if (fchdir(cwd))
			err = err ? err : -errno;
		close(cwd);
	}
	return err;
}

/* A file the caller named: opened as given. */
static int extract(const char *tar, const char *dest)
{
	int fd = open(tar, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0) {
		err = -errno;
		log_warn("analyze: %s", tar);
		return err;
	}
	err = image_extract_fd(fd, tar, dest);
	close(fd);
	return err;
}

/* A file an archive named: below dir only, no symlink, a regular file, not blocking. */
static int open_beneath(const char *dir, const char *name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), fd, err;
	struct stat st;

	if (dfd < 0)
		return -errno;
	fd = syscall(SYS_openat2, dfd, name, &how, sizeof(how));
	err = fd < 0 ? -errno : 0;
	close(dfd);
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		return -EINVAL;
	}
	return fd < 0 ? err : fd;
}

/* `docker save` output: manifest.json names the layers, applied in order. */
int image_apply_saved_layers(const char *dir, const char *dest)
{
	char path[PATH_MAX];
	json_t *m, *layers, *l;
	size_t i;
	int err = 0;

	char *text;
	size_t len;
	int fd;

	text = safefile_read_at(dir, "manifest.json", SAFEFILE_BENEATH, 1 << 20, &len);
	if (!text)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	m = json_loadb(text, len, 0, NULL);
	free(text);
	if (!m)
		return -EINVAL;
	layers = json_object_get(json_array_get(m, 0), "Layers");
	json_array_foreach(layers, i, l) {
		if (!json_is_string(l)) {
			err = -EINVAL;
			break;
		}
		/* the archive names its layers: they must be files inside it */
		fd = open_beneath(dir, json_string_value(l));
		if (fd < 0) {
			log_warnx("analyze: layer %s: %s (not a regular file inside the archive)", json_string_value(l),
				  strerror(-fd));
			err = fd;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(l));
		err = image_extract_fd(fd, path, dest);
		close(fd);
		if (err)
			break;
	}
	json_decref(m);
	return err;
}

static int run_docker(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		execvp("docker", argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/* Resolves the input to a root directory; *tmp is set when we made it. */
int image_root(const char *input, char *root, size_t len, char **tmp)
{
	struct stat st;
	char t[] = "/tmp/vigil-analyze.XXXXXX", sub[PATH_MAX];
	int err;

	if (!stat(input, &st) && S_ISDIR(st.st_mode)) {
		snprintf(root, len, "%s", input);
		return 0;
	}
	if (!mkdtemp(t))
		return -errno;
	*tmp = strdup(t);
	snprintf(root, len, "%s/rootfs", t);
	mkdir(root, 0755);
	if (!stat(input, &st) && S_ISREG(st.st_mode)) {
		char abs[PATH_MAX];

		if (!realpath(input, abs))
			return -errno;
		snprintf(sub, sizeof(sub), "%s/outer", t);
		mkdir(sub, 0755);
		if ((err = extract(abs, sub)))
			return err;
		/* a `docker save` archive has manifest.json; else it is a rootfs */
		if (image_apply_saved_layers(sub, root) == -ENOENT) {
			rmdir(root);
			return rename(sub, root) ? -errno : 0;
		}
		return 0;
	}
	/* an image name: export a created (never started) container */
	{
		char tar[PATH_MAX], name[64];
		char *create[] = { "docker", "create", "--name", name, (char *)input, "true", NULL };
		char *export[] = { "docker", "export", "-o", tar, name, NULL };
		char *rm[] = { "docker", "rm", "-f", name, NULL };

		snprintf(name, sizeof(name), "vigil-analyze-%d", getpid());
		snprintf(tar, sizeof(tar), "%s/image.tar", t);
		if (run_docker(create)) {
			log_warnx("analyze: '%s' is not a directory, a file, or an image Docker knows", input);
			return -ENOENT;
		}
		err = run_docker(export);
		run_docker(rm);
		if (err)
			return err;
		return extract(tar, root);
	}
}

