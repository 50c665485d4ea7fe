/* prom.c - the Prometheus text format (see prom.h). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/jsonw.h"
#include "output/prom.h"

void prom_init(struct prom *p)
{
	memset(p, 0, sizeof(*p));
}

void prom_reset(struct prom *p)
{
	p->len = 0;
	p->err = 0;
	if (p->buf)
		p->buf[0] = '\0';
}

void prom_free(struct prom *p)
{
	free(p->buf);
	prom_init(p);
}

static int reserve(struct prom *p, size_t more)
{
	size_t cap = p->cap ? p->cap : 4096;
	char *n;

	if (p->err)
		return -1;
	if (p->len + more + 1 <= p->cap)
		return 0;
	while (cap < p->len + more + 1)
		cap *= 2;
	n = realloc(p->buf, cap);
	if (!n) {
		p->err = -ENOMEM;
		return -1;
	}
	p->buf = n;
	p->cap = cap;
	return 0;
}

static void put(struct prom *p, const char *s, size_t n)
{
	if (reserve(p, n))
		return;
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

static void putf(struct prom *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(p, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(p->buf + p->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	p->len += (size_t)n;
}

void prom_label_escape(struct prom *p, const char *v)
{
	bool utf8 = jw_utf8_valid(v, strlen(v));
	const char *s;

	for (s = v; *s; s++) {
		if (*s == '\\')
			put(p, "\\\\", 2);
		else if (*s == '"')
			put(p, "\\\"", 2);
		else if (*s == '\n')
			put(p, "\\n", 2);
		else if (!utf8 && (unsigned char)*s >= 0x80)
			put(p, "?", 1);	/* the format asks for UTF-8 */
		else
			put(p, s, 1);
	}
}

void prom_family(struct prom *p, const char *name, const char *type, const char *help)
{
	putf(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void series(struct prom *p, const char *name, const char *const *labels)
{
	size_t i;

	put(p, name, strlen(name));
	if (!labels || !labels[0])
		return;
	put(p, "{", 1);
	for (i = 0; labels[i] && labels[i + 1]; i += 2) {
		putf(p, "%s%s=\"", i ? "," : "", labels[i]);
		prom_label_escape(p, labels[i + 1]);
		put(p, "\"", 1);
	}
	put(p, "}", 1);
}

void prom_sample(struct prom *p, const char *name, const char *const *labels, double value)
{
	series(p, name, labels);
	if (isnan(value))
		putf(p, " NaN\n");
	else if (isinf(value))
		putf(p, " %s\n", value > 0 ? "+Inf" : "-Inf");
	else
		putf(p, " %.15g\n", value);
}

void prom_sample_u64(struct prom *p, const char *name, const char *const *labels, uint64_t value)
{
	series(p, name, labels);
	putf(p, " %llu\n", (unsigned long long)value);
}
