/*
 * hash.h - FNV-1a, 64 bits: the agent's small tables key on strings and
 * addresses with it (not for anything an attacker gains by colliding:
 * a collision merges two entries of a bounded, best-effort table).
 */
#ifndef VIGIL_HASH_H
#define VIGIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325ull

static inline uint64_t fnv1a_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static inline uint64_t fnv1a_str(const char *s)
{
	uint64_t h = FNV1A_INIT;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

#endif
