/* bodybuf.c - see bodybuf.h. */
#include <stdlib.h>
#include <string.h>

#include "util/bodybuf.h"

size_t bodybuf_write(char *p, size_t size, size_t n, void *arg)
{
	struct bodybuf *b = arg;
	char *q;

	if (n && size > b->max / n)
		return 0;
	if (b->len + size * n > b->max)
		return 0;	/* curl fails the transfer: no answer is that large */
	q = realloc(b->p, b->len + size * n + 1);
	if (!q)
		return 0;
	memcpy(q + b->len, p, size * n);
	b->p = q;
	b->len += size * n;
	b->p[b->len] = '\0';
	return size * n;
}
