/* status.c - the status page and /status.json (see status.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf/maps.h"
#include "core/agent.h"
#include "core/status.h"
#include "output/format.h"
#include "output/httpd.h"
#include "rules/rules.h"
#include "util/version.h"

/* The page, embedded whole (a NUL after it). */
__asm__(".section .rodata\n"
	".global vigil_status_html\n"
	"vigil_status_html:\n"
	".incbin \"src/agent/output/web/status.html\"\n"
	".byte 0\n"
	".previous\n");
extern const char vigil_status_html[];

void status_alert(struct agent *a, const struct event_view *ev, const struct verdict *v)
{
	struct status *s = &a->status;
	struct status_alert *al = &s->alerts[s->next];
	const struct ctr_info *c = ev->ctr;

	al->real_ns = fmt_real_ns(&a->fmt, ((const struct vigil_hdr *)ev->rec)->ts_ns);
	snprintf(al->container, sizeof(al->container), "%s", c ? (c->name ? c->name : c->id) : "host");
	if (v->n) {
		snprintf(al->rule, sizeof(al->rule), "%s", rule_name(v->m[0]));
		snprintf(al->priority, sizeof(al->priority), "%s", priority_name(rule_priority(v->m[0])));
		rule_output(v->m[0], &a->fc, al->output, sizeof(al->output));
	} else {
		snprintf(al->rule, sizeof(al->rule), "%s", ev->profile ? "Syscall outside profile" : "Kernel policy");
		snprintf(al->priority, sizeof(al->priority), "WARNING");
		snprintf(al->output, sizeof(al->output), "%s %s", event_type_name(ev->rec), ev->profile ? ev->profile : "");
	}
	s->next = (s->next + 1) % STATUS_ALERTS;
	if (s->n < STATUS_ALERTS)
		s->n++;
}

struct ctr_arg {
	struct agent *a;
	struct jw *w;
	uint64_t *prog, *setup;
};

static int container_cb(void *arg, struct ctr_info *c)
{
	struct ctr_arg *ca = arg;
	struct jw *w = ca->w;
	uint64_t total = 0;
	int i;

	if (c->exited)
		return 0;
	jw_obj_open(w, NULL);
	jw_str(w, "id", c->id);
	if (c->name)
		jw_str(w, "name", c->name);
	if (c->image)
		jw_str(w, "image", c->image);
	if (c->pod)
		jw_str(w, "pod", c->pod);
	if (c->k8s_ns)
		jw_str(w, "namespace", c->k8s_ns);
	jw_uint(w, "events", c->events);
	jw_uint(w, "alerts", c->alerts);
	/* counted while the syscall counter is attached (--syscall-counts) */
	if (ca->prog && !kmaps_counts_read(&ca->a->ld, c->cgroup_id, ca->prog, ca->setup)) {
		for (i = 0; i < VIGIL_NR_SYSCALLS; i++)
			total += ca->prog[i] + ca->setup[i];
		jw_uint(w, "syscalls", total);
	}
	jw_obj_close(w);
	return 0;
}

void status_publish(struct agent *a)
{
	struct status *s = &a->status;
	struct timespec now;
	struct jw *w = &a->jw;
	struct ctr_arg ca = { .a = a, .w = w };
	char ts[48];
	unsigned int i;

	if (!a->metrics.on)
		return;
	if (!s->page_published) {
		httpd_publish(a->metrics.http, "/", "text/html; charset=utf-8", vigil_status_html,
			      strlen(vigil_status_html));
		s->page_published = true;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	time_rfc3339(now.tv_sec * 1000000000LL + now.tv_nsec, ts, sizeof(ts));
	jw_reset(w);
	jw_obj_open(w, NULL);
	jw_str(w, "time", ts);
	jw_str(w, "host", a->host);
	jw_str(w, "version", VIGIL_VERSION);
	jw_bool(w, "syscall_counting", loader_counter_on(&a->ld));
	jw_arr_open(w, "containers");
	ca.prog = malloc(sizeof(uint64_t) * VIGIL_NR_SYSCALLS);
	ca.setup = malloc(sizeof(uint64_t) * VIGIL_NR_SYSCALLS);
	if (!ca.prog || !ca.setup) {
		free(ca.prog);
		ca.prog = NULL;
	}
	ctr_each(a->ctrs, container_cb, &ca);
	free(ca.prog);
	free(ca.setup);
	jw_arr_close(w);
	jw_arr_open(w, "alerts");
	for (i = 0; i < s->n; i++) {
		const struct status_alert *al = &s->alerts[(s->next + STATUS_ALERTS - 1 - i) % STATUS_ALERTS];

		jw_obj_open(w, NULL);
		time_rfc3339(al->real_ns, ts, sizeof(ts));
		jw_str(w, "time", ts);
		jw_str(w, "container", al->container);
		jw_str(w, "rule", al->rule);
		jw_str(w, "priority", al->priority);
		jw_str(w, "output", al->output);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
	if (!w->err)
		httpd_publish(a->metrics.http, "/status.json", "application/json", w->buf, w->len);
}
