/*
 * libFuzzer target: container metadata from Docker and OCI bundles, and a
 * container's /etc/passwd - all bytes a container's owner chooses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "proc/users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_info c = { 0 };
	struct user_table *t;
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	ctr_info_init(&c);
	docker_list_parse(s, &c);
	oci_config_parse(s, "/bundle", &c);
	ctr_info_fini(&c);
	/* passwd lines: any bytes, NULs included */
	t = user_table_parse((const char *)data, size);
	if (t) {
		user_table_name(t, 0);
		user_table_name(t, 1000);
		user_table_free(t);
	}
	free(s);
	return 0;
}
