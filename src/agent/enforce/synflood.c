/*
 * synflood.c - where the SYN counter runs (net/synflood.bpf.c): the host
 * side of every container's veth, found by its driver, and the host
 * interfaces named with --syn-flood-iface.  Interfaces come and go with
 * containers: the kernel's link notifications (rtnetlink) start a scan as
 * soon as a veth appears, so a container that floods from its first
 * instruction is counted; a scan once a second catches anything a full
 * notification queue lost.  An XDP link goes away with its interface.
 */
#include <errno.h>
#include <dirent.h>
#include <linux/ethtool.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
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
	int nl;			/* rtnetlink, link notifications */
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

/*
 * Drains the link notifications; true when an interface appeared (or the
 * queue overflowed, so one may have).
 */
static bool links_changed(struct synflood *s)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool changed = false;
	ssize_t n;

	if (s->nl < 0)
		return false;
	while ((n = recv(s->nl, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0) {
			if (errno == ENOBUFS)
				changed = true;
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			break;
		}
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
			if (h->nlmsg_type == RTM_NEWLINK)
				changed = true;
	}
	return changed;
}

void synflood_poll(struct synflood *s)
{
	if (s && links_changed(s))
		synflood_scan(s);
}

static int link_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

struct synflood *synflood_new(struct loader *ld, const struct enforce_opts *o)
{
	struct synflood *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ld = ld;
	s->o = *o;
	s->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	s->nl = link_socket();
	if (s->nl < 0)
		log_info("SYN counter: no link notifications (%s); new interfaces found once a second",
			 strerror(errno));
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
	if (s->nl >= 0)
		close(s->nl);
	free(s);
}
