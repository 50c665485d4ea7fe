/*
 * docker_filter.h - the syscalls Docker's default seccomp profile allows,
 * as the running engine installs it: the filter is read from a throwaway
 * container (ptrace PTRACE_SECCOMP_GET_FILTER) and evaluated for every
 * syscall number, so Vigil ships no copy of Docker's list.
 */
#ifndef VIGIL_DOCKER_FILTER_H
#define VIGIL_DOCKER_FILTER_H

#include <linux/filter.h>
#include <stddef.h>
#include "seccomp/syscall_set.h"

/*
 * Classic BPF seccomp filter evaluation for the native arch with all
 * arguments 0 ("allowed for some arguments" for Docker's argument rules).
 * Returns the filter's action for nr.
 */
unsigned int seccomp_filter_eval(const struct sock_filter *prog, size_t len, int nr);

/* The set allowed by prog. */
void seccomp_filter_allowed(const struct sock_filter *prog, size_t len, struct syscall_set *out);

/*
 * Starts `IMAGE sleep` with Docker's default profile, reads its filter and
 * fills out.  0 or -errno (reported).
 */
int docker_default_allowed(const char *image, struct syscall_set *out);

#endif
