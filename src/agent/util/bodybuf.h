/*
 * bodybuf.h - an HTTP answer's body collected by libcurl (vigil top,
 * vigil verify --remote), NUL-terminated and bounded.
 */
#ifndef VIGIL_BODYBUF_H
#define VIGIL_BODYBUF_H

#include <stddef.h>

struct bodybuf {
	char *p;	/* malloc'd; NULL until something arrived */
	size_t len;
	size_t max;	/* a body past this makes the transfer fail */
};

/* CURLOPT_WRITEFUNCTION with CURLOPT_WRITEDATA a struct bodybuf. */
size_t bodybuf_write(char *p, size_t size, size_t n, void *arg);

#endif
