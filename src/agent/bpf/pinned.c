/* pinned.c - opening the running agent's pinned maps (see pinned.h). */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "abi/abi.h"
#include "bpf/pinned.h"
#include "util/log.h"

static int info_checked;

static int check_info(void)
{
	struct vigil_pin_info info;
	__u32 zero = 0;
	int fd, err;

	if (info_checked)
		return 0;
	fd = bpf_obj_get(VIGIL_PIN_DIR "/" VIGIL_PIN_INFO);
	if (fd < 0) {
		err = -errno;
		log_warnx("no running agent: nothing pinned at %s/%s (%s)", VIGIL_PIN_DIR, VIGIL_PIN_INFO,
			  strerror(-err));
		return err;
	}
	err = bpf_map_lookup_elem(fd, &zero, &info) ? -errno : 0;
	close(fd);
	if (err) {
		log_warnx("%s/%s: unreadable (%s)", VIGIL_PIN_DIR, VIGIL_PIN_INFO, strerror(-err));
		return err;
	}
	if (info.abi_version != VIGIL_ABI_VERSION) {
		log_warnx("the running agent (pid %u) speaks event ABI %u, this vigil ABI %d: "
			  "use the vigil binary that agent runs", info.agent_pid, info.abi_version,
			  VIGIL_ABI_VERSION);
		return -EPROTO;
	}
	info_checked = 1;
	return 0;
}

int pinned_open(const char *name)
{
	char path[256];
	int fd, err;

	if ((err = check_info()))
		return err;
	snprintf(path, sizeof(path), VIGIL_PIN_DIR "/%s", name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		log_warn("%s", path);
		return err;
	}
	return fd;
}
