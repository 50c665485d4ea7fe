/*
 * verdict.c - what a verdict says: the keys an INSECURE event carries
 * (rule, rules, reasons, priority, tags, output, output_fields) and the
 * rendering of a rule's output template (see rules.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output/format.h"
#include "rules/ruleset_priv.h"

static size_t field_token(const char *p)
{
	size_t n = 0;

	while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.' || p[n] == '[' || p[n] == ']'))
		n++;
	while (n && (p[n - 1] == '.'))
		n--;	/* "%proc.name." ends a sentence */
	return n;
}

/* The value of a %field in text; "<NA>" when missing or unknown. */
static const char *token_value(const char *tok, struct field_ctx *fc, char *buf, size_t len, struct fval *v, bool *have)
{
	const struct field_def *f;
	const char *arg = NULL;
	char name[128], *br, *idx = NULL;

	*have = false;
	snprintf(name, sizeof(name), "%s", tok);
	br = strchr(name, '[');
	if (br) {
		*br = '\0';
		idx = br + 1;
		idx[strcspn(idx, "]")] = '\0';
	}
	f = field_lookup(name, &arg);
	if (!f || !field_get(f, idx ? idx : arg, fc, v))
		return "<NA>";
	*have = true;
	if (v->type == FT_NUM) {
		snprintf(buf, len, "%lld", (long long)v->n);
		return buf;
	}
	if (v->type == FT_BOOL)
		return v->n ? "true" : "false";
	snprintf(buf, len, "%.*s", (int)v->len, v->s);
	return buf;
}

void rule_output(const struct rule *r, struct field_ctx *fc, char *buf, size_t len)
{
	const char *p = r->output;
	size_t n = 0;

	if (!len)
		return;
	while (*p && n + 1 < len) {
		if (*p == '%' && field_token(p + 1)) {
			size_t k = field_token(p + 1);
			char tok[128], val[1024];
			struct fval v;
			bool have;
			const char *s;

			snprintf(tok, sizeof(tok), "%.*s", (int)k, p + 1);
			s = token_value(tok, fc, val, sizeof(val), &v, &have);
			n += snprintf(buf + n, len - n, "%s", s);
			if (n >= len)
				n = len - 1;
			p += k + 1;
			continue;
		}
		buf[n++] = *p++;
	}
	buf[n] = '\0';
}

static void output_fields_json(struct jw *w, const struct rule *r, struct field_ctx *fc, bool close)
{
	const char *p = r->output;

	jw_obj_open(w, "output_fields");
	for (; (p = strchr(p, '%')); p++) {
		size_t k = field_token(p + 1);
		char tok[128], val[1024];
		struct fval v;
		bool have;
		const char *s;

		if (!k)
			continue;
		snprintf(tok, sizeof(tok), "%.*s", (int)k, p + 1);
		s = token_value(tok, fc, val, sizeof(val), &v, &have);
		if (!have)
			jw_null(w, tok);
		else if (v.type == FT_NUM)
			jw_int(w, tok, v.n);
		else if (v.type == FT_BOOL)
			jw_bool(w, tok, v.n);
		else
			jw_str(w, tok, s);
	}
	if (close)
		jw_obj_close(w);
}

void rules_verdict_json(struct jw *w, const struct rule *const *m, size_t n, struct field_ctx *fc)
{
	enum rule_priority top = PRI_DEBUG;
	char out[4096], unsafe[1024];
	size_t i, k, used = 0;

	jw_str(w, "verdict", n ? "INSECURE" : "NORMAL");
	if (!n)
		return;
	jw_str(w, "rule", m[0]->name);
	jw_arr_open(w, "rules");
	for (i = 0; i < n; i++) {
		jw_str(w, NULL, m[i]->name);
		if (m[i]->priority < top)
			top = m[i]->priority;
	}
	jw_arr_close(w);
	/* Unsafe:[execve shell], [opening passwd] */
	used = snprintf(unsafe, sizeof(unsafe), "Unsafe:");
	for (i = 0; i < n && used < sizeof(unsafe); i++)
		used += snprintf(unsafe + used, sizeof(unsafe) - used, "%s[%s]", i ? ", " : "", m[i]->reason);
	jw_str(w, "reasons", unsafe);
	jw_str(w, "priority", priority_name(top));
	jw_arr_open(w, "tags");
	for (i = 0; i < n; i++)
		for (k = 0; k < m[i]->n_tags; k++)
			jw_str(w, NULL, m[i]->tags[k]);
	jw_arr_close(w);
	rule_output(m[0], fc, out, sizeof(out));
	jw_str(w, "output", out);
	output_fields_json(w, m[0], fc, true);
}

const char *priority_falco_name(enum rule_priority p)
{
	static const char *const names[] = { "Emergency", "Alert", "Critical", "Error", "Warning",
					     "Notice", "Informational", "Debug" };

	return p <= PRI_DEBUG ? names[p] : "Debug";
}

void falco_alert_open(struct jw *w, int64_t real_ns, const char *host, const char *rule, enum rule_priority pri,
		      const char *output)
{
	char ts[48], line[4200];
	time_t sec = (time_t)(real_ns / 1000000000LL);
	struct tm tm;

	gmtime_r(&sec, &tm);
	/* Falco's output line: "%evt.time: %priority %output" */
	snprintf(line, sizeof(line), "%02d:%02d:%02d.%09lld: %s %s", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long long)(real_ns % 1000000000LL), priority_falco_name(pri), output);
	time_rfc3339(real_ns, ts, sizeof(ts));
	jw_reset(w);
	jw_obj_open(w, NULL);
	jw_str(w, "time", ts);
	jw_str(w, "rule", rule);
	jw_str(w, "priority", priority_falco_name(pri));
	jw_str(w, "output", line);
	jw_str(w, "source", "syscall");
	jw_str(w, "hostname", host);
}

/* A field Falco's consumers route on, unless the rule's output already has it. */
static void falco_field(struct jw *w, const struct rule *r, struct field_ctx *fc, const char *name)
{
	char tok[128], val[1024];
	struct fval v;
	bool have;
	const char *s;

	snprintf(tok, sizeof(tok), "%%%s", name);
	if (strstr(r->output, tok))
		return;
	s = token_value(name, fc, val, sizeof(val), &v, &have);
	if (!have)
		jw_null(w, name);
	else if (v.type == FT_NUM)
		jw_int(w, name, v.n);
	else
		jw_str(w, name, s);
}

void rules_falco_json(struct jw *w, const struct rule *r, struct field_ctx *fc, int64_t real_ns, const char *host)
{
	char out[4096];
	size_t k;

	rule_output(r, fc, out, sizeof(out));
	falco_alert_open(w, real_ns, host, r->name, r->priority, out);
	jw_arr_open(w, "tags");
	for (k = 0; k < r->n_tags; k++)
		jw_str(w, NULL, r->tags[k]);
	jw_arr_close(w);
	output_fields_json(w, r, fc, false);
	jw_int(w, "evt.time", real_ns);
	falco_field(w, r, fc, "container.id");
	falco_field(w, r, fc, "container.name");
	falco_field(w, r, fc, "container.image.repository");
	falco_field(w, r, fc, "k8s.ns.name");
	falco_field(w, r, fc, "k8s.pod.name");
	jw_obj_close(w);
	jw_obj_close(w);
}
