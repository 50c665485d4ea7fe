/*
 * netaddr.h - IP addresses and networks in one form: 16 bytes, IPv4 as
 * its IPv4-mapped IPv6 address (::ffff:a.b.c.d), so one comparison serves
 * both families and a dual-stack socket's IPv4 peer matches IPv4 networks.
 * The kernel's policy sets use the same form (abi/policy.h).
 */
#ifndef VIGIL_NETADDR_H
#define VIGIL_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_prefix {
	uint8_t addr[16];	/* bits beyond `bits` are zero */
	uint8_t bits;		/* 0..128, of the 16-byte form */
};

/* "192.0.2.1", "2001:db8::1" -> 16 bytes.  false when it is not an address. */
bool addr_parse16(const char *s, uint8_t out[16]);
/* The 16-byte form of a socket address of family (AF_INET: 4 bytes in a). */
void addr_to16(unsigned int family, const uint8_t *a, uint8_t out[16]);
/* "10.0.0.0/8", "fd00::/8", or a lone address (/32, /128).  false on anything else. */
bool net_parse(const char *s, struct net_prefix *out);
/* A network from an address and its prefix length in its own family. */
bool net_make(const char *addr, unsigned int prefixlen, struct net_prefix *out);
bool net_contains(const struct net_prefix *p, const uint8_t a[16]);
/* "192.0.2.1" or "2001:db8::1" from the 16-byte form; returns buf. */
const char *addr16_str(const uint8_t a[16], char *buf, size_t len);
/* 127.0.0.0/8 or ::1: traffic that stays inside a network namespace. */
bool addr16_loopback(const uint8_t a[16]);

#endif
