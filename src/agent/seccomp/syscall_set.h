/*
 * syscall_set.h - a set of native syscall numbers, and Docker/OCI seccomp
 * profiles made from one (SCMP_ACT_ERRNO by default, the set allowed).
 */
#ifndef VIGIL_SYSCALL_SET_H
#define VIGIL_SYSCALL_SET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "abi/abi.h"

struct syscall_set {
	uint64_t bits[VIGIL_NR_SYSCALLS / 64];
};

static inline void sset_add(struct syscall_set *s, int nr)
{
	if (nr >= 0 && nr < VIGIL_NR_SYSCALLS)
		s->bits[nr / 64] |= 1ULL << (nr % 64);
}

static inline bool sset_has(const struct syscall_set *s, int nr)
{
	return nr >= 0 && nr < VIGIL_NR_SYSCALLS && (s->bits[nr / 64] >> (nr % 64)) & 1;
}

void sset_union(struct syscall_set *dst, const struct syscall_set *src);
int sset_count(const struct syscall_set *s);

/*
 * What the OCI runtime (runc) itself still calls after it has installed the
 * container's filter and before the program runs: see docs/seccomp.md.
 */
void sset_add_runtime_baseline(struct syscall_set *s);

/* Writes a Docker/OCI seccomp profile allowing s.  0 or -errno. */
int profile_write(const struct syscall_set *s, FILE *out);

/*
 * Reads the syscalls a profile allows (SCMP_ACT_ALLOW entries of a
 * default-deny profile) into s.  Unknown names are counted in *unknown.
 * 0, or -EINVAL with a message in err (size errlen).
 */
int profile_read(const char *path, struct syscall_set *s, int *unknown, char *err, size_t errlen);
/* The same from text (len bytes); name is for messages. */
int profile_parse(const char *text, size_t len, const char *name, struct syscall_set *s, int *unknown,
		  char *err, size_t errlen);

#endif
