/* worker.c - the helper thread for blocking lookups (see worker.h). */
#include <fcntl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/worker.h"
#include "proc/pkgdb.h"
#include "util/deadline.h"
#include "seccomp/check.h"
#include "util/log.h"

struct queue {
	struct job *head, *tail;
};

/* The image programs of the containers seen lately, by root directory. */
#define PROGRAM_CACHE 64
struct program_cache {
	char root[sizeof(((struct job *)0)->root)];
	struct program_table *t;
};

struct worker {
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* a job was queued, or stop */
	pthread_cond_t done;		/* a job finished */
	struct queue todo, finished;
	unsigned int live, max_jobs;	/* jobs made and not freed */
	bool stop;
	struct ctr_meta *meta;		/* used by the thread only */
	struct program_cache programs[PROGRAM_CACHE];
	unsigned int programs_next;
	char *profile_dir;
};

static void q_push(struct queue *q, struct job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct job *q_pop(struct queue *q)
{
	struct job *j = q->head;

	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		j->next = NULL;
	}
	return j;
}

static struct program_table *programs_of(struct worker *w, const char *root)
{
	struct program_cache *pc;
	unsigned int i;

	for (i = 0; i < PROGRAM_CACHE; i++)
		if (w->programs[i].t && !strcmp(w->programs[i].root, root))
			return w->programs[i].t;
	pc = &w->programs[w->programs_next++ % PROGRAM_CACHE];
	program_table_free(pc->t);
	snprintf(pc->root, sizeof(pc->root), "%s", root);
	pc->t = program_table_build(root);
	return pc->t;
}

/*
 * A new executable's bytes: the file the main thread opened when it saw
 * the exec (it stays readable however soon the process exits or the file
 * is removed), else through the process while it lives, else at its path
 * under the container's root (a file written in the container is in the
 * root's upper layer); matched with the image's programs and looked up in
 * the container's package database.
 */
static void run_identity(struct worker *w, struct job *j)
{
	uint8_t hash[IDENTITY_HASH];
	struct program_table *t;
	char path[900];
	const char *m;
	int fd = j->exe_fd;

	j->exe_fd = -1;
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%u/exe", j->pid);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	}
	if (fd < 0 && j->root[0] && j->exe[0] == '/') {
		snprintf(path, sizeof(path), "%s%s", j->root, j->exe);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	}
	j->err = fd < 0 ? -errno : identity_hash_fd(fd, hash);
	if (j->err) {
		snprintf(j->msg, sizeof(j->msg), "%s: %s", j->exe, strerror(-j->err));
		if (fd >= 0)
			close(fd);
		return;
	}
	t = j->root[0] ? programs_of(w, j->root) : NULL;
	m = t ? program_table_match(t, hash, strrchr(j->exe, '/') ? strrchr(j->exe, '/') + 1 : j->exe) : NULL;
	snprintf(j->origin, sizeof(j->origin), "%s", m ? m : "");
	/* a program the container's package manager installed */
	j->package[0] = '\0';
	if (j->root[0] && j->exe[0] == '/')
		pkgdb_owner(j->root, j->exe, fd, j->package, sizeof(j->package));
	if (identity_elf_padding(fd, &j->padding))
		j->padding = 0;
	close(fd);
}

static void run_job(struct worker *w, struct job *j)
{
	switch (j->kind) {
	case JOB_META:
		memcpy(j->meta.id, j->id, sizeof(j->meta.id));
		j->meta.runtime = j->runtime;
		j->meta.cgroup_id = j->cgid;
		j->state = ctr_meta_fetch(w->meta, &j->meta);
		/* the image's passwd, before any process runs (JOB_USERS refreshes it) */
		if (j->meta.rootfs)
			j->users = user_table_load(j->meta.rootfs);
		break;
	case JOB_USERS:
		j->users = user_table_load(j->root);
		if (!j->users) {
			j->err = -errno;
			snprintf(j->msg, sizeof(j->msg), "%s/etc/passwd: %s", j->root, strerror(errno));
		}
		break;
	case JOB_PROFILE:
		j->err = profile_load_label(w->profile_dir, j->name, &j->profile, j->msg, sizeof(j->msg));
		break;
	case JOB_IDENTITY:
		run_identity(w, j);
		break;
	}
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		j = q_pop(&w->todo);
		if (!j) {
			pthread_cond_wait(&w->wake, &w->lock);
			continue;
		}
		pthread_mutex_unlock(&w->lock);
		run_job(w, j);
		pthread_mutex_lock(&w->lock);
		q_push(&w->finished, j);
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct worker *worker_new(const struct worker_config *cfg)
{
	struct worker *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->done, NULL);
	w->max_jobs = cfg->max_jobs ? cfg->max_jobs : 4096;
	w->meta = ctr_meta_new(&cfg->meta);
	w->profile_dir = strdup(cfg->profile_dir ? cfg->profile_dir : PROFILE_DIR_DEFAULT);
	if (!w->meta || !w->profile_dir) {
		worker_free(w);
		errno = ENOMEM;
		return NULL;
	}
	err = pthread_create(&w->thread, NULL, thread_main, w);
	if (err) {
		worker_free(w);
		errno = err;
		return NULL;
	}
	w->started = true;
	return w;
}

static void job_release(struct job *j)
{
	if (j->exe_fd >= 0)
		close(j->exe_fd);
	ctr_info_fini(&j->meta);
	user_table_free(j->users);
	free(j);
}

void worker_free(struct worker *w)
{
	struct job *j;

	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_broadcast(&w->wake);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	while ((j = q_pop(&w->todo)))
		job_release(j);
	while ((j = q_pop(&w->finished)))
		job_release(j);
	ctr_meta_free(w->meta);
	for (unsigned int i = 0; i < PROGRAM_CACHE; i++)
		program_table_free(w->programs[i].t);
	free(w->profile_dir);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

struct job *job_new(struct worker *w, enum job_kind kind, uint64_t cgid)
{
	struct job *j;

	/* only the main thread makes and frees jobs: live needs no lock */
	if (w->live >= w->max_jobs)
		return NULL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->kind = kind;
	j->cgid = cgid;
	j->exe_fd = -1;
	ctr_info_init(&j->meta);
	w->live++;
	return j;
}

void worker_submit(struct worker *w, struct job *j)
{
	pthread_mutex_lock(&w->lock);
	q_push(&w->todo, j);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

struct job *worker_take(struct worker *w)
{
	struct job *j;

	pthread_mutex_lock(&w->lock);
	j = q_pop(&w->finished);
	pthread_mutex_unlock(&w->lock);
	return j;
}

void job_free(struct worker *w, struct job *j)
{
	if (!j)
		return;
	job_release(j);
	w->live--;
}

unsigned int worker_pending(struct worker *w)
{
	return w->live;
}

bool worker_wait(struct worker *w, unsigned int ms)
{
	struct timespec until = deadline_ms(ms);
	bool any;

	pthread_mutex_lock(&w->lock);
	while (!w->finished.head && pthread_cond_timedwait(&w->done, &w->lock, &until) == 0)
		;
	any = w->finished.head != NULL;
	pthread_mutex_unlock(&w->lock);
	return any;
}
