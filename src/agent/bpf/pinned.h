/*
 * pinned.h - the running agent's maps, as `vigil stats` and `vigil profile`
 * open them from bpffs: only when the agent that pinned them speaks this
 * binary's ABI (abi/pins.h).
 */
#ifndef VIGIL_PINNED_H
#define VIGIL_PINNED_H

#include "abi/pins.h"

/*
 * Opens pinned map name (VIGIL_PIN_COUNTS, ...).  Returns an fd, or -errno
 * after printing why: no agent runs, or it is another version.
 */
int pinned_open(const char *name);

#endif
