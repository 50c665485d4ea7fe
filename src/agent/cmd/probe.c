/* probe.c - `vigil probe`: what this kernel offers Vigil (no root needed for most). */
#include <stdio.h>

#include "bpf/loader.h"
#include "bpf/probe.h"
#include "cmd/cmd.h"

int probe_cmd(int argc, char **argv)
{
	struct probe_result r;

	if (argc > 1) {
		fprintf(stderr, "usage: vigil probe\n"
				"Prints each kernel feature Vigil uses, whether this kernel has it, and the\n"
				"Linux version that brings it.  Exit 0 when `vigil run` can start.\n");
		return 2;
	}
	loader_mount_fs();	/* tracefs, as `vigil run` mounts it; fails quietly without root */
	probe_kernel(&r);
	printf("kernel %s:\n", r.release);
	probe_print(&r, stdout, false);
	printf("%s\n", probe_required_ok(&r) ? "vigil run can start here" : "vigil run cannot start here");
	return probe_required_ok(&r) ? 0 : 1;
}
