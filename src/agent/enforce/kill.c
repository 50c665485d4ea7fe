/*
 * kill.c - the agent's own kill: for rules the kernel cannot decide, after
 * the event (see enforce.h).  A pid may have been reused by the time the
 * event is judged, so the process is pinned with a pidfd first and its
 * start time compared with the event's; only then is the signal sent,
 * through the pidfd, to exactly that process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "enforce/enforce.h"

/* starttime (field 22 of /proc/PID/stat), clock ticks since boot. */
static int start_ticks(uint32_t pid, unsigned long long *out)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", out) != 1)
		return -EIO;
	return 0;
}

int enforce_kill(uint32_t pid, uint64_t start_ns)
{
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long ticks, want;
	int pfd, err;

	if (!pid || hz <= 0)
		return -EINVAL;
	pfd = syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return -errno;
	err = start_ticks(pid, &ticks);
	want = start_ns / (1000000000ULL / hz);
	if (!err && (ticks + 1 < want || ticks > want + 1))
		err = -ESRCH;	/* another process has the pid now */
	if (!err && syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0))
		err = -errno;
	close(pfd);
	return err;
}
