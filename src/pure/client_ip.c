/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Client address for the login brute-force lock, see client_ip.h.
 *
 * X-Forwarded-For is written by whoever sends the request; only the entries
 * appended by our own trusted proxies can be believed. Walking from the
 * right, each trusted hop vouches for the entry to its left, and the first
 * untrusted one is the client. Anything a proxy could not have written (a
 * non-address) ends the walk without being used: otherwise an attacker could
 * pick arbitrary lock keys, or make every request share the peer's key.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "client_ip.h"
#include "encoding.h"

#define CLIENT_IP_PORT_DIGITS	5
#define CLIENT_IP_PORT_MAX	65535

/* Longest entry accepted: "[" address "]:" port. */
#define CLIENT_IP_ENTRY_MAX	\
	((INET6_ADDRSTRLEN - 1) + 2 + 1 + CLIENT_IP_PORT_DIGITS)

static int	client_ip_is_blank(char);
static int	client_ip_addr(const char *, size_t, int, char *, size_t);
static int	client_ip_port(const char *, size_t);
static int	client_ip_entry(const char *, size_t, char *, size_t);

int
client_ip_resolve(const char *peer, const char *xff,
    const struct cidr_list *trusted, char *out, size_t outlen)
{
	char		 best[INET6_ADDRSTRLEN], hop[INET6_ADDRSTRLEN];
	const char	*wbeg, *pos, *c;
	size_t		 len, n, entries;
	int		 cut;

	if (out == NULL || outlen == 0)
		return (-1);
	out[0] = '\0';

	if (peer == NULL ||
	    client_ip_addr(peer, strlen(peer), AF_UNSPEC, best,
	    sizeof(best)) == -1)
		return (-1);

	if (trusted == NULL || trusted->count == 0 || xff == NULL ||
	    !cidr_list_contains(trusted, best))
		goto done;

	/* Only the right-most CLIENT_IP_XFF_MAX_LEN bytes are looked at. */
	len = strlen(xff);
	wbeg = (len > CLIENT_IP_XFF_MAX_LEN) ?
	    xff + len - CLIENT_IP_XFF_MAX_LEN : xff;
	cut = (wbeg > xff && wbeg[-1] != ',');

	pos = xff + len;
	for (entries = 0; entries < CLIENT_IP_XFF_MAX_ENTRIES; entries++) {
		for (c = pos; c > wbeg && c[-1] != ','; c--)
			;

		/* An entry cut in two by the window is not an address. */
		if (c == wbeg && cut)
			break;
		if (client_ip_entry(c, (size_t)(pos - c), hop,
		    sizeof(hop)) == -1)
			break;

		memcpy(best, hop, strlen(hop) + 1);
		if (!cidr_list_contains(trusted, hop))
			break;

		/*
		 * Trusted and nothing more to the left (in the window):
		 * the left-most trusted hop is as far as we can see.
		 */
		if (c == wbeg)
			break;
		pos = c - 1;
	}

done:
	n = strlen(best);
	if (n >= outlen)
		return (-1);
	memcpy(out, best, n + 1);
	return (0);
}

static int
client_ip_is_blank(char ch)
{
	return (ch == ' ' || ch == '\t');
}

/*
 * Parse len bytes of a bare address of the given family (AF_UNSPEC: either,
 * chosen by the presence of a colon) and write its canonical text to out.
 */
static int
client_ip_addr(const char *p, size_t len, int family, char *out,
    size_t outlen)
{
	uint8_t		 addr[CIDR_ADDR_LEN];
	const uint8_t	*src, *v4;
	int		 af;

	if (cidr_addr_parse(p, len, &af, addr) == -1)
		return (-1);
	if (family != AF_UNSPEC && family != af)
		return (-1);

	src = addr;
	if (af == AF_INET6 && (v4 = cidr_addr_mapped_v4(addr)) != NULL) {
		af = AF_INET;
		src = v4;
	}

	if (inet_ntop(af, src, out, (socklen_t)outlen) == NULL)
		return (-1);

	return (0);
}

/* A port: 1-5 decimal digits, at most 65535. */
static int
client_ip_port(const char *p, size_t len)
{
	uint64_t	v;

	return (enc_decimal(p, len, CLIENT_IP_PORT_MAX, &v));
}

/*
 * One X-Forwarded-For entry, blanks around it allowed: "1.2.3.4",
 * "1.2.3.4:port", "v6", "[v6]" or "[v6]:port". Canonical text to out.
 */
static int
client_ip_entry(const char *p, size_t len, char *out, size_t outlen)
{
	const char	*e, *rb, *colon;
	size_t		 alen;

	e = p + len;
	while (p < e && client_ip_is_blank(*p))
		p++;
	while (e > p && client_ip_is_blank(e[-1]))
		e--;

	len = (size_t)(e - p);
	if (len == 0 || len > CLIENT_IP_ENTRY_MAX)
		return (-1);

	if (p[0] == '[') {
		rb = memchr(p, ']', len);
		if (rb == NULL)
			return (-1);
		if (rb + 1 != e) {
			if (rb[1] != ':' ||
			    client_ip_port(rb + 2, (size_t)(e - rb - 2)) == -1)
				return (-1);
		}
		return (client_ip_addr(p + 1, (size_t)(rb - p - 1), AF_INET6,
		    out, outlen));
	}

	colon = memchr(p, ':', len);
	if (colon == NULL)
		return (client_ip_addr(p, len, AF_INET, out, outlen));

	/* A single colon can only separate an IPv4 address from a port. */
	if (memchr(colon + 1, ':', (size_t)(e - colon - 1)) == NULL) {
		alen = (size_t)(colon - p);
		if (client_ip_port(colon + 1, (size_t)(e - colon - 1)) == -1)
			return (-1);
		return (client_ip_addr(p, alen, AF_INET, out, outlen));
	}

	return (client_ip_addr(p, len, AF_INET6, out, outlen));
}
