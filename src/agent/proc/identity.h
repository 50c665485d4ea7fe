/*
 * identity.h - which program a process runs, from the kernel's facts and
 * the file's bytes, never from the name it gives itself.
 *
 * An executable from the container's image (its root mount, an overlay
 * lower layer) is what its path says.  Anything else - a file written in
 * the container, a memfd, a file on a volume - may be a renamed copy of a
 * shell: its bytes are hashed (SHA-256, libsodium) off the event path and
 * compared with those of the programs that matter in the container's own
 * image (shells, interpreters, netcat and friends, found by name under the
 * usual bin directories), so `cp /bin/bash /tmp/ls` runs "bash".
 *
 * A multi-call binary (busybox) is the applet its argv[0] names: that is
 * how it decides what to be.
 */
#ifndef VIGIL_IDENTITY_H
#define VIGIL_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDENTITY_MAX_BYTES (64u << 20)	/* larger files are not hashed */
#define IDENTITY_HASH 32

/* The image programs one container root holds: name, path, hash. */
struct program_table;

/* Hashes the known programs under root (blocking: worker thread).  NULL with errno. */
struct program_table *program_table_build(const char *root);
void program_table_free(struct program_table *t);
size_t program_table_count(const struct program_table *t);
/* The image path of a program with these bytes, named `named` when one is (may be NULL), or NULL (borrowed). */
const char *program_table_match(const struct program_table *t, const uint8_t hash[IDENTITY_HASH], const char *named);

/* SHA-256 of the open file fd, from its start (regular files only, bounded).  0 or -errno. */
int identity_hash_fd(int fd, uint8_t hash[IDENTITY_HASH]);
/* SHA-256 of the file at path (opened as given, regular files only, bounded).  0 or -errno. */
int identity_hash_file(const char *path, uint8_t hash[IDENTITY_HASH]);

/*
 * Bytes of the open file fd past the last one its ELF headers describe
 * (program and section headers and what they point at): padding that
 * changes a program's hash and size without changing what runs.  0 for a
 * file that is not a 64-bit ELF.  0 or -errno.
 */
int identity_elf_padding(int fd, uint64_t *padding);

/* Is basename name a multi-call binary that picks its applet from argv[0]? */
bool identity_multicall(const char *name);

/*
 * The program's name for rules (proc.exe_name): the applet of a multi-call
 * binary, else the basename of the image path a copy matches (origin), else
 * the basename of the executable's path.  Writes into buf; returns it.
 */
const char *identity_name(const char *exepath, const char *origin, const char *argv0, char *buf, size_t len);

/*
 * Does a copy of an image program run under another program's name?  True
 * when origin is set, is not a multi-call binary, and neither basename is
 * a prefix of the other (python3 for python3.11 is the same program).
 */
bool identity_renamed(const char *exepath, const char *origin);

#endif
