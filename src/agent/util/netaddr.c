/* netaddr.c - addresses and networks in their 16-byte form (see netaddr.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/netaddr.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void addr_to16(unsigned int family, const uint8_t *a, uint8_t out[16])
{
	if (family == AF_INET) {
		memcpy(out, v4mapped, 12);
		memcpy(out + 12, a, 4);
	} else {
		memcpy(out, a, 16);
	}
}

static int parse_any(const char *s, uint8_t out[16])
{
	uint8_t v4[4];

	if (inet_pton(AF_INET, s, v4) == 1) {
		addr_to16(AF_INET, v4, out);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, s, out) == 1)
		return AF_INET6;
	return 0;
}

bool addr_parse16(const char *s, uint8_t out[16])
{
	return s && parse_any(s, out) != 0;
}

static void mask_to(struct net_prefix *p)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		unsigned int keep = p->bits > 8 * i ? p->bits - 8 * i : 0;

		if (keep < 8)
			p->addr[i] &= (uint8_t)(0xff00 >> keep);
	}
}

bool net_make(const char *addr, unsigned int prefixlen, struct net_prefix *out)
{
	int fam = addr ? parse_any(addr, out->addr) : 0;

	if (!fam || prefixlen > (fam == AF_INET ? 32u : 128u))
		return false;
	out->bits = prefixlen + (fam == AF_INET ? 96 : 0);
	mask_to(out);
	return true;
}

bool net_parse(const char *s, struct net_prefix *out)
{
	char buf[64], *slash, *end;
	unsigned long n;
	int fam;

	if (!s || strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	fam = parse_any(buf, out->addr);
	if (!fam)
		return false;
	if (!slash)
		return net_make(buf, fam == AF_INET ? 32 : 128, out);
	if (!slash[1])
		return false;
	n = strtoul(slash + 1, &end, 10);
	if (*end || slash[1] == '+' || slash[1] == '-')
		return false;
	return net_make(buf, n, out);
}

bool net_contains(const struct net_prefix *p, const uint8_t a[16])
{
	unsigned int full = p->bits / 8, rest = p->bits % 8;

	if (memcmp(p->addr, a, full))
		return false;
	return !rest || ((p->addr[full] ^ a[full]) & (uint8_t)(0xff00 >> rest)) == 0;
}

const char *addr16_str(const uint8_t a[16], char *buf, size_t len)
{
	bool v4 = !memcmp(a, v4mapped, 12);

	if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? a + 12 : a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

bool addr16_loopback(const uint8_t a[16])
{
	static const uint8_t loop6[16] = { [15] = 1 };

	return (!memcmp(a, v4mapped, 12) && a[12] == 127) || !memcmp(a, loop6, 16);
}
