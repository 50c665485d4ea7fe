/* libFuzzer target: container metadata from Docker and OCI bundles. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/container.h"

static void clear(struct ctr_info *c)
{
	free(c->name);
	free(c->image);
	free(c->image_id);
	free(c->pod);
	free(c->k8s_ns);
	free(c->k8s_container);
	free(c->profile_label);
	memset(c, 0, sizeof(*c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_info c = { 0 };
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	docker_list_parse(s, &c);
	oci_config_parse(s, &c);
	clear(&c);
	free(s);
	return 0;
}
