/*
 * join.h - actions the kernel reports in two parts, made one event:
 *
 *   a connect's attempt (the cgroup hook, with the kernel's copy of the
 *   address) and the return of its syscall, or its io_uring completion;
 *   an io_uring op's submission (the kernel's copies of its paths and
 *   flags) and its completion.
 *
 * The first part waits here up to JOIN_WAIT_MS.  When the second comes,
 * the pair is one event; when it does not (a connect still blocking, an op
 * whose completion is never posted: IOSQE_CQE_SKIP_SUCCESS, a CQ overflow),
 * the first part is an event of its own, so nothing waits unseen.  Keys
 * may repeat (a client opening many connections to one server): the
 * oldest record of a key is taken first.  Bounded by JOIN_MAX records.
 */
#ifndef VIGIL_JOIN_H
#define VIGIL_JOIN_H

#include <stddef.h>
#include <stdint.h>
#include "abi/abi.h"

#define JOIN_WAIT_MS 300
#define JOIN_MAX 8192

struct join;

struct join *join_new(void);
void join_free(struct join *j);

/* Keeps a copy of rec under key.  0, or -ENOSPC (the caller handles rec at once). */
int join_hold(struct join *j, uint64_t key, const void *rec, size_t size, uint64_t now_ms);
/* The oldest record held under key, taken out (caller frees), or NULL. */
void *join_take(struct join *j, uint64_t key, size_t *size);

typedef void (*join_cb)(void *arg, const void *rec, size_t size);
/* Hands over the records that waited JOIN_WAIT_MS (all with UINT64_MAX), oldest first. */
void join_expire(struct join *j, uint64_t now_ms, join_cb cb, void *arg);

/* Keys: a connect by (process, destination); an io_uring op by its request. */
uint64_t join_key_connect(uint32_t tgid, const struct vigil_sock *dest);
uint64_t join_key_uring(uint64_t req);

/*
 * One io_uring record of a submission and its completion: the completion's
 * result and file, the submission's paths, flags and slot.  Returns a new
 * record (caller frees) and its size, or NULL.
 */
void *join_uring_merge(const struct vigil_uring_event *sub, const struct vigil_uring_event *done, size_t *size);

#endif
