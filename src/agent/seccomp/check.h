/*
 * check.h - checking containers' syscalls against seccomp profiles in the
 * kernel (detection, not enforcement: Docker applies profiles).
 *
 * A container gets a profile from `--profile NAME=FILE` (files read at
 * start-up) or from its label vigil.profile=NAME, a file name inside
 * --profile-dir (read by the worker thread, never a path of the label's
 * choosing).  The kernel reports the first use of each syscall outside the
 * profile, once the container's own program runs (armed).
 */
#ifndef VIGIL_CHECK_H
#define VIGIL_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "bpf/loader.h"
#include "container/container.h"
#include "seccomp/syscall_set.h"

#define PROFILE_MAX_BYTES (1 << 20)
#define PROFILE_DIR_DEFAULT "/etc/vigil/profiles"

struct profile_checks;

struct profile_checks *profile_checks_new(struct loader *ld);
void profile_checks_free(struct profile_checks *pc);

/* --profile NAME=FILE: reads FILE now.  0 or -errno (reported). */
int profile_checks_add(struct profile_checks *pc, const char *container, const char *path);
bool profile_checks_any(const struct profile_checks *pc);

/*
 * Container c's metadata is known: attaches its --profile one if it has
 * one (armed: its program already runs).  Returns true when c has none
 * but names one by label, to be loaded with profile_load_label().
 */
bool profile_checks_container(struct profile_checks *pc, const struct ctr_info *c, bool armed);

/* Reads label profile name from dir (any thread).  0 or -errno with err set. */
int profile_load_label(const char *dir, const char *name, struct syscall_set *set, char *err, size_t errlen);

/* Attaches a profile loaded for container cgid. */
void profile_checks_attach(struct profile_checks *pc, const struct ctr_info *c, const char *name,
			   const struct syscall_set *set, bool armed);

/* The container's program started: check from now on. */
void profile_checks_arm(struct profile_checks *pc, uint64_t cgid);

/* The profile container cgid is checked against, or NULL. */
const char *profile_checks_name(const struct profile_checks *pc, uint64_t cgid);

void profile_checks_forget(struct profile_checks *pc, uint64_t cgid);

#endif
