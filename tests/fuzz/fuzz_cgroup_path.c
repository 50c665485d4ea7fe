/* libFuzzer target: cgroup paths (from the kernel or /proc). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container/cgroup_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgroup_ctr c;
	char *p = malloc(size);

	memcpy(p, data, size);
	if (cgroup_path_parse(p, size, &c) && strlen(c.id) != CTR_ID_LEN)
		abort();
	free(p);
	return 0;
}
