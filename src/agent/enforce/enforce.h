/*
 * enforce.h - enforcement: what the rules' actions make the kernel do, and
 * what the agent does itself where the kernel cannot decide.
 *
 *   policy.c    the lowered rules (rules/lower.h) written into the kernel's
 *               policy maps, for every container and per container; the
 *               syscalls whose entry the kill program watches
 *   kill.c      the agent's own kill, after the event, by pidfd
 *   synflood.c  the SYN counter's interfaces (the containers' veths)
 *
 * Without --enforce every decision is still made, in the kernel as with
 * it, and reported as what would have been done (audit mode).
 */
#ifndef VIGIL_ENFORCE_H
#define VIGIL_ENFORCE_H

#include <stdbool.h>
#include <stdint.h>
#include "abi/policy.h"
#include "bpf/loader.h"
#include "container/container.h"
#include "rules/lower.h"
#include "rules/rules.h"

struct enforce_opts {
	bool enforce;			/* act; else audit: say what would be done */
	unsigned int syn_rate;		/* SYNs per second per source; 0 = off */
	unsigned int syn_window_ms;
	unsigned int syn_block_s;	/* enforce: how long a flooding source's SYNs are dropped */
	const char *syn_ifaces[16];	/* host interfaces watched besides the containers' veths */
	unsigned int n_syn_ifaces;
};

struct enforce;

struct enforce *enforce_new(struct loader *ld, const struct enforce_opts *o);
void enforce_free(struct enforce *e);

/*
 * A rule set to enforce (start, reload): the rules for every container
 * are written; each known container must then be given again
 * (enforce_container).  rs must outlive its use here (until the next call).
 */
int enforce_rules(struct enforce *e, const struct ruleset *rs);
/*
 * Container c is known (its metadata, or new addresses): its own entries.
 * Returns how many it has (0: the rules for every container are its own), or -errno.
 */
int enforce_container(struct enforce *e, const struct ctr_info *c);
/*
 * After start-up (the running containers named): entries and set members
 * an earlier agent left in maps taken over with --pin, that this one did
 * not write, are removed.  Returns how many.
 */
int enforce_sweep(struct enforce *e);
/* Container cgid is gone. */
void enforce_forget(struct enforce *e, uint64_t cgid);

/* The rule a kernel decision names, or NULL (an earlier rule set, or a busy slot). */
const char *enforce_rule_name(const struct enforce *e, const struct vigil_pol_outcome *o);
/* How rule i is enforced (lower.h), from the rules for every container; NULL if unknown. */
const struct lrule *enforce_rule_info(const struct enforce *e, size_t i);
bool enforce_acting(const struct enforce *e);
/* One line: the tier, the rules in the kernel and by the agent. */
void enforce_describe(const struct enforce *e, char *buf, size_t len);

/* Once a second: interfaces that appeared get the SYN counter. */
void enforce_tick(struct enforce *e);
void enforce_poll(struct enforce *e);

/*
 * SIGKILL to process pid if it is still the process that started at
 * start_ns (boot-time ns): 0, -ESRCH (gone, or its pid reused), -errno.
 */
int enforce_kill(uint32_t pid, uint64_t start_ns);

/* synflood.c */
struct synflood;
struct synflood *synflood_new(struct loader *ld, const struct enforce_opts *o);
void synflood_free(struct synflood *s);
void synflood_scan(struct synflood *s);
void synflood_poll(struct synflood *s);

#endif
