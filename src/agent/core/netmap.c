/* netmap.c - the container traffic map (see netmap.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container/container.h"
#include "core/netmap.h"
#include "output/format.h"
#include "util/netaddr.h"

/* One end: a container (by its id) or an outside address. */
struct end {
	char id[CTR_ID_LEN + 1];	/* "" = outside */
	uint8_t addr[16];		/* outside: its address; a container: the address used */
};

struct edge {
	struct end from, to;		/* the key: to.addr is zero when to is a container */
	uint8_t to_shown[16];		/* the address a container was reached at */
	uint16_t port;
	char proto[8];
	uint64_t count;
	int64_t first_ns, last_ns;
	bool used;
};

/* A container's names at the time it was seen: it may be gone when the map is written. */
struct node {
	char id[CTR_ID_LEN + 1];
	char *name, *image, *pod, *ns;
};

/* A watched container's client end (its connect's local address and port), kept a while. */
struct client_end {
	uint8_t addr[16];
	uint16_t port;
	uint64_t at_ms;
};

#define CLIENT_SLOTS 4096		/* direct-mapped: a collision forgets the older one */
#define CLIENT_KEEP_MS (4 * NETMAP_INBOUND_WAIT_MS)
#define INBOUND_MAX 512

/* An accept of an unknown peer, waiting to see whether a watched container made it. */
struct inbound {
	uint8_t from[16], to_addr[16];
	uint16_t from_port, port;
	char to_id[CTR_ID_LEN + 1];
	char proto[8];
	int64_t real_ns;
	uint64_t due_ms;
};

struct netmap {
	struct edge *edges;		/* open addressing, NETMAP_MAX_EDGES * 2 slots */
	size_t n_edges, slots;
	struct node *nodes;
	size_t n_nodes, cap_nodes;
	uint64_t dropped;
	bool dirty;
	struct client_end *clients;	/* CLIENT_SLOTS */
	struct inbound inbound[INBOUND_MAX];
	size_t n_inbound;
};

struct netmap *netmap_new(void)
{
	struct netmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->slots = NETMAP_MAX_EDGES * 2;
	m->edges = calloc(m->slots, sizeof(*m->edges));
	m->clients = calloc(CLIENT_SLOTS, sizeof(*m->clients));
	if (!m->edges || !m->clients) {
		free(m->edges);
		free(m->clients);
		free(m);
		return NULL;
	}
	return m;
}

void netmap_free(struct netmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_nodes; i++) {
		free(m->nodes[i].name);
		free(m->nodes[i].image);
		free(m->nodes[i].pod);
		free(m->nodes[i].ns);
	}
	free(m->nodes);
	free(m->edges);
	free(m->clients);
	free(m);
}

static void set_str(char **dst, const char *src)
{
	if (!src || (*dst && !strcmp(*dst, src)))
		return;
	free(*dst);
	*dst = strdup(src);
}

static void remember(struct netmap *m, const struct ctr_info *c)
{
	struct node *n = NULL;
	size_t i;

	for (i = 0; i < m->n_nodes && !n; i++)
		if (!strcmp(m->nodes[i].id, c->id))
			n = &m->nodes[i];
	if (!n) {
		if (m->n_nodes == m->cap_nodes) {
			size_t cap = m->cap_nodes ? m->cap_nodes * 2 : 64;
			struct node *nn = realloc(m->nodes, cap * sizeof(*nn));

			if (!nn)
				return;
			m->nodes = nn;
			m->cap_nodes = cap;
		}
		n = &m->nodes[m->n_nodes++];
		memset(n, 0, sizeof(*n));
		snprintf(n->id, sizeof(n->id), "%s", c->id);
	}
	set_str(&n->name, c->name);
	set_str(&n->image, c->image);
	set_str(&n->pod, c->pod);
	set_str(&n->ns, c->k8s_ns);
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 1099511628211ULL;	/* FNV-1a */
	return h;
}

static bool same(const struct edge *e, const struct end *from, const struct end *to, uint16_t port, const char *proto)
{
	return e->port == port && !strcmp(e->proto, proto) && !strcmp(e->from.id, from->id) &&
	       !strcmp(e->to.id, to->id) && !memcmp(e->from.addr, from->addr, 16) && !memcmp(e->to.addr, to->addr, 16);
}

static void add_edge(struct netmap *m, const struct end *f, const struct end *t, const uint8_t *to_shown,
		     uint16_t port, const char *proto, int64_t real_ns)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i, k;

	h = hash_bytes(h, f, sizeof(*f));
	h = hash_bytes(h, t, sizeof(*t));
	h = hash_bytes(h, &port, sizeof(port));
	h = hash_bytes(h, proto, strlen(proto));
	for (k = 0, i = h % m->slots; k < m->slots; k++, i = (i + 1) % m->slots) {
		struct edge *e = &m->edges[i];

		if (e->used && same(e, f, t, port, proto)) {
			e->count++;
			e->last_ns = real_ns;
			m->dirty = true;
			return;
		}
		if (!e->used)
			break;
	}
	if (k == m->slots || m->n_edges == NETMAP_MAX_EDGES) {
		m->dropped++;
		return;
	}
	m->edges[i] = (struct edge){ .from = *f, .to = *t, .port = port, .count = 1, .first_ns = real_ns,
				      .last_ns = real_ns, .used = true };
	if (to_shown)
		memcpy(m->edges[i].to_shown, to_shown, 16);
	snprintf(m->edges[i].proto, sizeof(m->edges[i].proto), "%s", proto);
	m->n_edges++;
	m->dirty = true;
}

void netmap_add(struct netmap *m, const struct ctr_info *from, const uint8_t from_addr[16],
		const struct ctr_info *to, const uint8_t to_addr[16], uint16_t port, const char *proto,
		int64_t real_ns)
{
	struct end f = { { 0 } }, t = { { 0 } };

	if (from) {
		snprintf(f.id, sizeof(f.id), "%s", from->id);
		remember(m, from);
	} else if (from_addr) {
		memcpy(f.addr, from_addr, 16);
	}
	if (to) {
		snprintf(t.id, sizeof(t.id), "%s", to->id);
		remember(m, to);
	}
	/* a container is known by its id: the address it was reached at is shown, not a key */
	if (!to && to_addr)
		memcpy(t.addr, to_addr, 16);
	add_edge(m, &f, &t, to_addr, port, proto, real_ns);
}

static struct client_end *client_slot(struct netmap *m, const uint8_t addr[16], uint16_t port)
{
	uint64_t h = hash_bytes(1469598103934665603ULL, addr, 16);

	return &m->clients[hash_bytes(h, &port, sizeof(port)) % CLIENT_SLOTS];
}

void netmap_client(struct netmap *m, const uint8_t addr[16], uint16_t port, uint64_t now_ms)
{
	struct client_end *c = client_slot(m, addr, port);

	memcpy(c->addr, addr, 16);
	c->port = port;
	c->at_ms = now_ms;
}

static bool client_known(struct netmap *m, const uint8_t addr[16], uint16_t port, uint64_t now_ms)
{
	const struct client_end *c = client_slot(m, addr, port);

	return c->at_ms && c->port == port && !memcmp(c->addr, addr, 16) &&
	       (now_ms == UINT64_MAX || now_ms - c->at_ms <= CLIENT_KEEP_MS);
}

static void inbound_add(struct netmap *m, const struct inbound *in)
{
	struct end f = { { 0 } }, t = { { 0 } };

	memcpy(f.addr, in->from, 16);
	snprintf(t.id, sizeof(t.id), "%s", in->to_id);
	add_edge(m, &f, &t, in->to_addr, in->port, in->proto, in->real_ns);
}

void netmap_inbound(struct netmap *m, const uint8_t from_addr[16], uint16_t from_port, const struct ctr_info *to,
		    const uint8_t to_addr[16], uint16_t port, const char *proto, int64_t real_ns, uint64_t now_ms)
{
	struct inbound in = { .from_port = from_port, .port = port, .real_ns = real_ns,
			      .due_ms = now_ms + NETMAP_INBOUND_WAIT_MS };

	if (client_known(m, from_addr, from_port, now_ms))
		return;		/* a watched container's connect: that made the edge */
	memcpy(in.from, from_addr, 16);
	memcpy(in.to_addr, to_addr, 16);
	snprintf(in.to_id, sizeof(in.to_id), "%s", to->id);
	snprintf(in.proto, sizeof(in.proto), "%s", proto);
	remember(m, to);
	if (m->n_inbound == INBOUND_MAX)
		inbound_add(m, &in);	/* no room to wait: decided now */
	else
		m->inbound[m->n_inbound++] = in;
}

void netmap_tick(struct netmap *m, uint64_t now_ms)
{
	size_t i, kept = 0;

	for (i = 0; i < m->n_inbound; i++) {
		const struct inbound *in = &m->inbound[i];

		if (now_ms != UINT64_MAX && in->due_ms > now_ms)
			m->inbound[kept++] = *in;
		else if (!client_known(m, in->from, in->from_port, now_ms))
			inbound_add(m, in);
	}
	m->n_inbound = kept;
}

bool netmap_dirty(const struct netmap *m)
{
	return m->dirty;
}

static const struct node *node_of(const struct netmap *m, const char *id)
{
	size_t i;

	for (i = 0; i < m->n_nodes; i++)
		if (!strcmp(m->nodes[i].id, id))
			return &m->nodes[i];
	return NULL;
}

static void end_json(const struct netmap *m, struct jw *w, const char *key, const struct end *e,
		     const uint8_t shown[16])
{
	const struct node *n = e->id[0] ? node_of(m, e->id) : NULL;
	char a[64], id[80];

	jw_obj_open(w, key);
	if (e->id[0]) {
		snprintf(id, sizeof(id), "container:%.12s", e->id);
		jw_str(w, "node", id);
		jw_str(w, "kind", "container");
		jw_str(w, "id", e->id);
		if (n && n->name)
			jw_str(w, "name", n->name);
	} else {
		addr16_str(e->addr, a, sizeof(a));
		snprintf(id, sizeof(id), "address:%s", a);
		jw_str(w, "node", id);
		jw_str(w, "kind", "outside");
	}
	if (memcmp(shown, (uint8_t[16]){ 0 }, 16))
		jw_str(w, "address", addr16_str(shown, a, sizeof(a)));
	jw_obj_close(w);
}

void netmap_json(struct netmap *m, struct jw *w)
{
	char ts[48];
	struct timespec now;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &now);
	time_rfc3339(now.tv_sec * 1000000000LL + now.tv_nsec, ts, sizeof(ts));
	jw_reset(w);
	jw_obj_open(w, NULL);
	jw_str(w, "time", ts);
	jw_arr_open(w, "containers");
	for (i = 0; i < m->n_nodes; i++) {
		const struct node *n = &m->nodes[i];
		char id[80];

		snprintf(id, sizeof(id), "container:%.12s", n->id);
		jw_obj_open(w, NULL);
		jw_str(w, "node", id);
		jw_str(w, "id", n->id);
		if (n->name)
			jw_str(w, "name", n->name);
		if (n->image)
			jw_str(w, "image", n->image);
		if (n->pod)
			jw_str(w, "pod", n->pod);
		if (n->ns)
			jw_str(w, "namespace", n->ns);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_arr_open(w, "edges");
	for (i = 0; i < m->slots; i++) {
		const struct edge *e = &m->edges[i];

		if (!e->used)
			continue;
		jw_obj_open(w, NULL);
		end_json(m, w, "from", &e->from, e->from.addr);
		end_json(m, w, "to", &e->to, e->to_shown);
		jw_uint(w, "port", e->port);
		jw_str(w, "proto", e->proto);
		jw_uint(w, "count", e->count);
		time_rfc3339(e->first_ns, ts, sizeof(ts));
		jw_str(w, "first_seen", ts);
		time_rfc3339(e->last_ns, ts, sizeof(ts));
		jw_str(w, "last_seen", ts);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_uint(w, "edges_dropped", m->dropped);
	jw_obj_close(w);
	m->dirty = false;
}
