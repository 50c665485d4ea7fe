/*
 * netmap.h - the container traffic map: who talks to whom.
 *
 * An edge is a client (a container, or an address outside every watched
 * container) reaching a server (a container, or an outside address) on a
 * port and protocol, with a count and when it was first and last seen.
 * Clients' connects and first sends to a peer (the kernel's copy of the
 * address, from the cgroup hooks) make the edges; a destination address
 * is a container when the runtime's network settings give it that
 * address.  A container's accept of a peer that is no watched container
 * adds an inbound edge from outside (accepts are reported where a rule
 * tests them, or with --events all).  Loopback stays inside a container
 * and is no edge.
 *
 * Whether an accepted peer is a watched container is not the runtime's
 * word alone: a client that started a moment ago may not be described yet,
 * and one that has exited has no address left to look up.  The kernel's
 * ends decide: a container's connect leaves its local address and port
 * (netmap_client), and an accept of a peer nobody knows waits
 * NETMAP_INBOUND_WAIT_MS (past the time a new container's events may be
 * parked) for such a connect before it becomes an edge from outside.
 *
 * The agent writes the map to STATE_DIR/netmap.json every few seconds and
 * at exit (and serves it at /netmap.json with --metrics); `vigil netmap`
 * renders it as JSON, Graphviz dot or SVG.
 */
#ifndef VIGIL_NETMAP_H
#define VIGIL_NETMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "output/jsonw.h"

#define NETMAP_MAX_EDGES 8192	/* past it new edges are counted, not kept */
#define NETMAP_FILE "netmap.json"

struct netmap;
struct ctr_info;

struct netmap *netmap_new(void);
void netmap_free(struct netmap *m);

/*
 * One edge seen: from (NULL: outside, at from_addr) to (NULL: outside, at
 * to_addr), 16-byte addresses (util/netaddr.h), at wall-clock real_ns.
 */
void netmap_add(struct netmap *m, const struct ctr_info *from, const uint8_t from_addr[16],
		const struct ctr_info *to, const uint8_t to_addr[16], uint16_t port, const char *proto,
		int64_t real_ns);
#define NETMAP_INBOUND_WAIT_MS 3000

/* A watched container's connect left from addr:port (its local end) at now_ms (monotonic). */
void netmap_client(struct netmap *m, const uint8_t addr[16], uint16_t port, uint64_t now_ms);
/*
 * Container `to` accepted a peer at from_addr:from_port that no runtime
 * names: an edge from outside unless a container's connect from that end
 * is seen within NETMAP_INBOUND_WAIT_MS.
 */
void netmap_inbound(struct netmap *m, const uint8_t from_addr[16], uint16_t from_port, const struct ctr_info *to,
		    const uint8_t to_addr[16], uint16_t port, const char *proto, int64_t real_ns, uint64_t now_ms);
/* Decides the accepts that waited long enough (all with UINT64_MAX). */
void netmap_tick(struct netmap *m, uint64_t now_ms);
/* Edges changed since the last netmap_json(). */
bool netmap_dirty(const struct netmap *m);
/* The whole map as one JSON document: {"time", "nodes": [...], "edges": [...], "edges_dropped"}. */
void netmap_json(struct netmap *m, struct jw *w);

#endif
