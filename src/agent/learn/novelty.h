/*
 * novelty.h - what an image's containers normally do, learned: the
 * executables they run, the directories they write in, the ports they
 * listen on and the peers they connect to.
 *
 * An image (by digest) is learned once: every container of it adds to its
 * model during the window its first container opens (--learn-seconds from
 * its cgroup's creation), and the model closes when a container that ran
 * before the window's end is seen after it (see novelty.c: an image of
 * short jobs keeps learning).  Later containers of the image and a
 * restarted agent are judged against it and add nothing, so starting
 * containers cannot widen what is normal.  Afterwards, a behaviour outside
 * it is new: reported once per container.  Learned behaviour is kept in STATE_DIR/behaviour.json;
 * `vigil learn` shows it and starts an image over.
 */
#ifndef VIGIL_NOVELTY_H
#define VIGIL_NOVELTY_H

#include <stdbool.h>
#include <stdint.h>
#include "container/container.h"

enum novelty_kind {
	NOV_EXEC,	/* an executable, as the container sees its path */
	NOV_WRITE,	/* a directory written in (at most 3 components deep) */
	NOV_LISTEN,	/* a port bound: "tcp/8080" */
	NOV_CONNECT,	/* a peer connected to: "192.0.2.1:443" */
	NOV_KINDS,
};

/* Items learned per image and kind at most; past it, learning that kind stops (and says so). */
#define NOVELTY_MAX_ITEMS 2048
#define NOVELTY_STATE_FILE "behaviour.json"

struct novelty;

struct novelty *novelty_new(uint64_t learn_ns, const char *state_dir);
void novelty_free(struct novelty *n);		/* saves first */
void novelty_flush(struct novelty *n);		/* saves what was learned since */
/* Rereads the state file: images removed from it (vigil learn --reset) are learned again. */
void novelty_reload(struct novelty *n);

void novelty_start(struct novelty *n, const struct ctr_info *c, uint64_t ts);
void novelty_forget(struct novelty *n, uint64_t cgid);

struct novelty_judgement {
	bool learning;	/* the image is still being learned */
	bool novel;	/* outside what was learned, and the first time for this container */
};

/* A behaviour of container c at boot-time ts. */
struct novelty_judgement novelty_judge(struct novelty *n, const struct ctr_info *c, enum novelty_kind kind,
				       const char *value, uint64_t ts);

const char *novelty_kind_name(enum novelty_kind kind);

/* The directory a written path (plen bytes) counts as: its dirname, cut to 3 components. */
void novelty_write_prefix(const char *path, size_t plen, char *out, size_t len);

#endif
