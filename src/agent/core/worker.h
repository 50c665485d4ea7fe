/*
 * worker.h - the agent's one helper thread: everything that may block
 * (the runtime's API, files inside a container) runs here, never in the
 * ring-buffer callback.
 *
 * The main thread submits jobs and, between ring-buffer polls, takes the
 * finished ones back (worker_take); results are plain data it merges into
 * its own tables, so nothing the event path reads is shared.  Queues are
 * bounded: a job that does not fit is refused (the caller counts it and
 * retries later), never waited for.
 */
#ifndef VIGIL_WORKER_H
#define VIGIL_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include "container/container.h"
#include "proc/identity.h"
#include "proc/users.h"
#include "seccomp/syscall_set.h"

enum job_kind {
	JOB_META,		/* a container's metadata (and its users) */
	JOB_USERS,		/* re-read a container's /etc/passwd */
	JOB_PROFILE,		/* a profile named by a container's label */
	JOB_IDENTITY,		/* which image program a new executable's bytes are */
};

struct job {
	enum job_kind kind;
	uint64_t cgid;
	/* in */
	char id[CTR_ID_LEN + 1];
	enum ctr_runtime runtime;
	char root[300];		/* JOB_USERS: the container's root directory */
	char name[256];		/* JOB_PROFILE: the label's profile name */
	uint32_t pid;		/* JOB_IDENTITY: the process that ran it */
	uint64_t ts_ns;		/* JOB_IDENTITY: its exec */
	char exe[512];		/* JOB_IDENTITY: its path as the container sees it */
	/* out */
	struct ctr_info meta;	/* JOB_META: what the backends said (caller merges, then finis) */
	enum ctr_meta_state state;
	struct user_table *users;	/* JOB_META / JOB_USERS; caller owns */
	struct syscall_set profile;	/* JOB_PROFILE */
	char origin[64];	/* JOB_IDENTITY: the image program with its bytes, "" none */
	char package[64];	/* JOB_IDENTITY: the installed package it belongs to (pkgdb.h), "" none */
	uint64_t padding;	/* JOB_IDENTITY: bytes past its ELF image (identity_elf_padding) */
	int exe_fd;		/* JOB_IDENTITY: the executable, opened when its exec was seen (-1 none); the job owns it */
	int err;		/* 0, or -errno with msg */
	char msg[600];
	struct job *next;
};

struct worker;

struct worker_config {
	struct ctr_meta_config meta;
	const char *profile_dir;
	unsigned int max_jobs;	/* queued and finished, together */
};

struct worker *worker_new(const struct worker_config *cfg);
/* Stops the thread (after the job it runs) and frees every job. */
void worker_free(struct worker *w);

/* A zeroed job of kind for cgid (caller fills the inputs), or NULL when full. */
struct job *job_new(struct worker *w, enum job_kind kind, uint64_t cgid);
/* Hands the job to the thread. */
void worker_submit(struct worker *w, struct job *j);
/* The finished jobs, oldest first, or NULL; the caller frees each with job_free(). */
struct job *worker_take(struct worker *w);
void job_free(struct worker *w, struct job *j);

/* Jobs submitted and not yet taken back. */
unsigned int worker_pending(struct worker *w);
/* Waits up to ms for a finished job (start-up only). */
bool worker_wait(struct worker *w, unsigned int ms);

#endif
