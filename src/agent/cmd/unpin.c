/* unpin.c - `vigil unpin`: removes what `vigil run --pin` left in the kernel. */
#include <stdio.h>
#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include "bpf/loader.h"
#include "bpf/persist.h"
#include "cmd/cmd.h"

int unpin_cmd(int argc, char **argv)
{
	int fd, n;

	if (argc > 1) {
		fprintf(stderr, "usage: vigil unpin\n"
				"Detaches the hooks and drops the maps `vigil run --pin` left behind (its\n"
				"enforcement ends).  Refused while an agent runs: stop it first.\n");
		return 2;
	}
	fd = open(VIGIL_PIN_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "vigil: unpin: an agent is running (it holds %s)\n", VIGIL_PIN_LOCK);
		close(fd);
		return 1;
	}
	n = persist_clear();
	printf("%d pin(s) removed from %s\n", n, VIGIL_PIN_KEEP);
	if (fd >= 0)
		close(fd);
	return 0;
}
