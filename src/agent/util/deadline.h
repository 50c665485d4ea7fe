/*
 * deadline.h - "ms from now" as the absolute CLOCK_REALTIME time that
 * pthread_cond_timedwait takes.
 */
#ifndef VIGIL_DEADLINE_H
#define VIGIL_DEADLINE_H

#include <time.h>

static inline struct timespec deadline_ms(unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

#endif
