/* libFuzzer target: container metadata from Docker and OCI bundles. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_info c = { 0 };
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	docker_list_parse(s, &c);
	oci_config_parse(s, &c);
	ctr_info_fini(&c);
	free(s);
	return 0;
}
