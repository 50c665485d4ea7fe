/*
 * Unit tests: unpacking hostile image archives for vigil analyze.  An
 * archive may name devices and FIFOs, climb out with "..", and a `docker
 * save` manifest may name a "layer" that is a symlink to a host file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "seccomp/image.h"

static char dir[64];

static int mk(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vigil-image.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int rm(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void add(struct archive *a, const char *name, unsigned int type, const char *data, const char *link)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, 0644);
	if (link)
		archive_entry_set_symlink(e, link);
	if (type == AE_IFCHR)
		archive_entry_set_rdev(e, makedev(1, 3));
	archive_entry_set_size(e, data ? strlen(data) : 0);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	if (data)
		archive_write_data(a, data, strlen(data));
	archive_entry_free(e);
}

/* Writes a tar of the entries into path. */
static void tar_with(const char *path, void (*fill)(struct archive *))
{
	struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	fill(a);
	archive_write_close(a);
	archive_write_free(a);
}

static void hostile_entries(struct archive *a)
{
	add(a, "ok.txt", AE_IFREG, "fine", NULL);
	add(a, "fifo", AE_IFIFO, NULL, NULL);
	add(a, "null", AE_IFCHR, NULL, NULL);
	add(a, "../escape.txt", AE_IFREG, "out", NULL);
	add(a, "link", AE_IFLNK, NULL, "/etc");
	add(a, "link/through.txt", AE_IFREG, "through", NULL);
}

static void test_hostile_entries(void **state)
{
	char tar[128], root[128], p[256];
	struct stat st;
	int fd;

	snprintf(tar, sizeof(tar), "%s/a.tar", dir);
	snprintf(root, sizeof(root), "%s/root", dir);
	mkdir(root, 0755);
	tar_with(tar, hostile_entries);
	fd = open(tar, O_RDONLY);
	assert_true(fd >= 0);
	image_extract_fd(fd, "a.tar", root);
	close(fd);
	snprintf(p, sizeof(p), "%s/ok.txt", root);
	assert_int_equal(stat(p, &st), 0);
	/* no FIFO to block a later reader, no device node */
	snprintf(p, sizeof(p), "%s/fifo", root);
	assert_int_not_equal(lstat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/null", root);
	assert_int_not_equal(lstat(p, &st), 0);
	/* nothing written outside the root, nor through the symlink */
	snprintf(p, sizeof(p), "%s/escape.txt", dir);
	assert_int_not_equal(lstat(p, &st), 0);
	assert_int_not_equal(lstat("/etc/through.txt", &st), 0);
}

static void test_layer_symlink_refused(void **state)
{
	char outer[128], root[128], p[256];
	FILE *f;

	snprintf(outer, sizeof(outer), "%s/outer", dir);
	snprintf(root, sizeof(root), "%s/root", dir);
	mkdir(outer, 0755);
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/manifest.json", outer);
	f = fopen(p, "w");
	fputs("[{\"Layers\": [\"layer.tar\"]}]", f);
	fclose(f);
	/* the "layer" is a host file, reached through a symlink the archive made */
	snprintf(p, sizeof(p), "%s/layer.tar", outer);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(image_apply_saved_layers(outer, root), -ELOOP);
	/* and a FIFO in its place is refused without blocking */
	unlink(p);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(image_apply_saved_layers(outer, root), -EINVAL);
	/* a layer outside the archive's directory */
	snprintf(p, sizeof(p), "%s/manifest.json", outer);
	f = fopen(p, "w");
	fputs("[{\"Layers\": [\"../root\"]}]", f);
	fclose(f);
	assert_true(image_apply_saved_layers(outer, root) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hostile_entries, mk, rm),
		cmocka_unit_test_setup_teardown(test_layer_symlink_refused, mk, rm),
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
