/*
 * image.h - an image's files on disk for `vigil analyze`: a directory, a
 * tarball (`docker export`, `docker save`) or an image Docker knows
 * (exported from a created, never started, container).
 *
 * Image content is hostile: entries with "..", absolute names or paths
 * through symlinks are refused; only regular files, directories and links
 * are made (no devices, no FIFOs); a `docker save` manifest's layer files
 * are opened below the archive's directory only, never through a symlink
 * to a host file, never a FIFO; and the bytes written are bounded.
 */
#ifndef VIGIL_IMAGE_H
#define VIGIL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_MAX_BYTES (8ULL << 30)	/* unpacked, whole image */
#define IMAGE_MAX_ENTRIES 1000000

/* Extracts the tar archive on fd into directory dest.  0 or -errno (reported). */
int image_extract_fd(int fd, const char *name, const char *dest);

/* `docker save` output in dir: applies manifest.json's layers to dest.  -ENOENT: no manifest. */
int image_apply_saved_layers(const char *dir, const char *dest);

/* Resolves input to a root directory in root; *tmp is set to a directory made for it. */
int image_root(const char *input, char *root, size_t len, char **tmp);

#endif
