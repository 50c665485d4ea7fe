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

struct netmap {
	struct edge *edges;		/* open addressing, NETMAP_MAX_EDGES * 2 slots */
	size_t n_edges, slots;
	struct node *nodes;
	size_t n_nodes, cap_nodes;
	uint64_t dropped;
	bool dirty;
};

struct netmap *netmap_new(void)
{
	struct netmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->slots = NETMAP_MAX_EDGES * 2;
	m->edges = calloc(m->slots, sizeof(*m->edges));
	if (!m->edges) {
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

void netmap_add(struct netmap *m, const struct ctr_info *from, const uint8_t from_addr[16],
		const struct ctr_info *to, const uint8_t to_addr[16], uint16_t port, const char *proto,
		int64_t real_ns)
{
	struct end f = { { 0 } }, t = { { 0 } };
	uint64_t h = 1469598103934665603ULL;
	size_t i, k;

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
	h = hash_bytes(h, &f, sizeof(f));
	h = hash_bytes(h, &t, sizeof(t));
	h = hash_bytes(h, &port, sizeof(port));
	h = hash_bytes(h, proto, strlen(proto));
	for (k = 0, i = h % m->slots; k < m->slots; k++, i = (i + 1) % m->slots) {
		struct edge *e = &m->edges[i];

		if (e->used && same(e, &f, &t, port, proto)) {
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
	m->edges[i] = (struct edge){ .from = f, .to = t, .port = port, .count = 1, .first_ns = real_ns,
				      .last_ns = real_ns, .used = true };
	if (to_addr)
		memcpy(m->edges[i].to_shown, to_addr, 16);
	snprintf(m->edges[i].proto, sizeof(m->edges[i].proto), "%s", proto);
	m->n_edges++;
	m->dirty = true;
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
