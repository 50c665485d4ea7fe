/*
 * synflood.c - where the SYN counter runs (net/synflood.bpf.c): the host
 * side of every container's veth, found by its driver, and the host
 * interfaces named with --syn-flood-iface.  Interfaces come and go with
 * containers; a scan once a second attaches the new ones (an XDP link
 * goes away with its interface by itself).
 */
#include <errno.h>
#include <dirent.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bpf/maps.h"
#include "enforce/enforce.h"
#include "util/log.h"

struct synflood {
	struct loader *ld;
	struct enforce_opts o;
	int sock;		/* for the ethtool ioctl */
	int failed[LOADER_MAX_XDP];	/* interfaces that refused: not tried again */
	int n_failed;
};

static bool is_veth(struct synflood *s, const char *name)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&info;
	return ioctl(s->sock, SIOCETHTOOL, &ifr) == 0 && !strcmp(info.driver, "veth");
}

static bool named(const struct synflood *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->o.n_syn_ifaces; i++)
		if (!strcmp(s->o.syn_ifaces[i], name))
			return true;
	return false;
}

static bool failed_before(const struct synflood *s, int ifindex)
{
	int i;

	for (i = 0; i < s->n_failed; i++)
		if (s->failed[i] == ifindex)
			return true;
	return false;
}

void synflood_scan(struct synflood *s)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int err, k;

	if (!ifs)
		return;
	/* links of interfaces that are gone */
	for (k = 0; k < s->ld->n_xdp;) {
		if (!if_indextoname(s->ld->xdp[k].ifindex, (char[IF_NAMESIZE]){ 0 }))
			loader_xdp_detach(s->ld, s->ld->xdp[k].ifindex);
		else
			k++;
	}
	for (i = ifs; i->if_index; i++) {
		if (loader_xdp_attached(s->ld, i->if_index) || failed_before(s, i->if_index))
			continue;
		if (!named(s, i->if_name) && !is_veth(s, i->if_name))
			continue;
		err = loader_xdp_attach(s->ld, i->if_index);
		if (err) {
			log_warnx("SYN counter on %s: %s", i->if_name, strerror(-err));
			if (s->n_failed < LOADER_MAX_XDP)
				s->failed[s->n_failed++] = i->if_index;
		} else {
			log_debug("SYN counter on %s", i->if_name);
		}
	}
	if_freenameindex(ifs);
}

struct synflood *synflood_new(struct loader *ld, const struct enforce_opts *o)
{
	struct synflood *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ld = ld;
	s->o = *o;
	s->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->sock < 0 || kmaps_syn_cfg(ld, o->syn_rate, o->syn_window_ms ? o->syn_window_ms : 1000,
					  (uint64_t)(o->syn_block_s ? o->syn_block_s : 10) * 1000000000ULL,
					  o->enforce)) {
		log_warnx("SYN flood detection: %s", strerror(errno));
		synflood_free(s);
		return NULL;
	}
	synflood_scan(s);
	return s;
}

void synflood_free(struct synflood *s)
{
	if (!s)
		return;
	if (s->sock >= 0)
		close(s->sock);
	free(s);
}
