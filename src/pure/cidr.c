/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * CIDR blocks and lists of them (LOGIN_TRUSTED_PROXY_IPS), see cidr.h.
 *
 * Entries are parsed strictly: a prefix is 1-3 decimal digits without sign
 * or leading zero ("/08" is rejected, as glibc's inet_pton rejects "08" in
 * an IPv4 octet), so that one configuration string cannot be read two ways.
 *
 * An IPv4 address and its IPv4-mapped IPv6 form (::ffff:a.b.c.d) are the
 * same host: containment tests both forms, so the answer does not depend
 * on whether the listening socket reports peers as IPv4 or IPv6.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "cidr.h"
#include "encoding.h"

#define CIDR_V4_LEN		4
#define CIDR_V4_BITS		32
#define CIDR_V6_BITS		128
#define CIDR_BITS_PER_BYTE	8

/* Longest prefix text: "128". */

/* Bytes 0-11 of an IPv4-mapped IPv6 address are ::ffff. */
#define CIDR_MAPPED_PREFIX_LEN	12

static const uint8_t	cidr_mapped_prefix[CIDR_MAPPED_PREFIX_LEN] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int	cidr_is_blank(char);
static int	cidr_prefix_parse(const char *, size_t, unsigned int,
		    unsigned int *);
static int	cidr_entry_parse(struct cidr *, const char *, size_t);
static void	cidr_clear_host_bits(uint8_t *, unsigned int);
static int	cidr_match(const uint8_t *, const uint8_t *, unsigned int);

int
cidr_list_parse(struct cidr_list *list, const char *text)
{
	const char	*p, *end, *comma, *b, *e;
	size_t		 len;

	if (list == NULL)
		return (-1);

	list->count = 0;
	if (text == NULL)
		return (0);

	len = strlen(text);
	end = text + len;

	/* An all-blank string is an empty list, not one empty entry. */
	for (p = text; p < end && cidr_is_blank(*p); p++)
		;
	if (p == end)
		return (0);

	p = text;
	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		e = (comma != NULL) ? comma : end;

		for (b = p; b < e && cidr_is_blank(*b); b++)
			;
		while (e > b && cidr_is_blank(e[-1]))
			e--;

		if (list->count == CIDR_LIST_MAX)
			goto fail;
		if (cidr_entry_parse(&list->items[list->count], b,
		    (size_t)(e - b)) == -1)
			goto fail;
		list->count++;

		if (comma == NULL)
			break;
		p = comma + 1;
	}

	return (0);

fail:
	list->count = 0;
	return (-1);
}

int
cidr_list_contains(const struct cidr_list *list, const char *text)
{
	uint8_t		 addr[CIDR_ADDR_LEN], v4[CIDR_V4_LEN];
	uint8_t		 v6[CIDR_ADDR_LEN];
	const uint8_t	*mapped;
	const struct cidr *c;
	size_t		 i;
	int		 family, has_v4;

	if (list == NULL || text == NULL)
		return (0);
	if (cidr_addr_parse(text, strlen(text), &family, addr) == -1)
		return (0);

	has_v4 = 0;
	if (family == AF_INET) {
		memcpy(v4, addr, sizeof(v4));
		memcpy(v6, cidr_mapped_prefix, sizeof(cidr_mapped_prefix));
		memcpy(v6 + CIDR_MAPPED_PREFIX_LEN, addr, CIDR_V4_LEN);
		has_v4 = 1;
	} else {
		memcpy(v6, addr, sizeof(v6));
		if ((mapped = cidr_addr_mapped_v4(addr)) != NULL) {
			memcpy(v4, mapped, sizeof(v4));
			has_v4 = 1;
		}
	}

	for (i = 0; i < list->count && i < CIDR_LIST_MAX; i++) {
		c = &list->items[i];
		if (c->family == AF_INET) {
			if (has_v4 && cidr_match(v4, c->addr, c->prefix))
				return (1);
		} else if (c->family == AF_INET6) {
			if (cidr_match(v6, c->addr, c->prefix))
				return (1);
		}
	}

	return (0);
}

static int
cidr_is_blank(char ch)
{
	return (ch == ' ' || ch == '\t');
}

/*
 * The family is chosen by the presence of a colon; inet_pton does the
 * real checking.
 */
int
cidr_addr_parse(const char *p, size_t len, int *family,
    uint8_t addr[CIDR_ADDR_LEN])
{
	char	buf[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(buf))
		return (-1);
	memcpy(buf, p, len);
	buf[len] = '\0';

	/* A NUL inside the slice would let inet_pton see less than asked. */
	if (strlen(buf) != len)
		return (-1);

	memset(addr, 0, CIDR_ADDR_LEN);
	if (memchr(buf, ':', len) != NULL) {
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return (-1);
		*family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, buf, addr) != 1)
			return (-1);
		*family = AF_INET;
	}

	return (0);
}

const uint8_t *
cidr_addr_mapped_v4(const uint8_t addr[CIDR_ADDR_LEN])
{
	if (memcmp(addr, cidr_mapped_prefix, sizeof(cidr_mapped_prefix)))
		return (NULL);

	return (addr + CIDR_MAPPED_PREFIX_LEN);
}

static int
cidr_prefix_parse(const char *p, size_t len, unsigned int max,
    unsigned int *out)
{
	uint64_t	v;

	/* One spelling per prefix: no leading zeros ("/08"). */
	if (len > 1 && p[0] == '0')
		return (-1);
	if (enc_decimal(p, len, max, &v) == -1)
		return (-1);

	*out = (unsigned int)v;
	return (0);
}

static int
cidr_entry_parse(struct cidr *c, const char *p, size_t len)
{
	const char	*slash;
	size_t		 alen;
	unsigned int	 max;

	if (len == 0)
		return (-1);

	slash = memchr(p, '/', len);
	alen = (slash != NULL) ? (size_t)(slash - p) : len;

	if (cidr_addr_parse(p, alen, &c->family, c->addr) == -1)
		return (-1);

	max = (c->family == AF_INET) ? CIDR_V4_BITS : CIDR_V6_BITS;
	if (slash == NULL) {
		c->prefix = max;
	} else if (cidr_prefix_parse(slash + 1, len - alen - 1, max,
	    &c->prefix) == -1) {
		return (-1);
	}

	cidr_clear_host_bits(c->addr, c->prefix);
	return (0);
}

static void
cidr_clear_host_bits(uint8_t *addr, unsigned int prefix)
{
	unsigned int	byte, bits;

	byte = prefix / CIDR_BITS_PER_BYTE;
	bits = prefix % CIDR_BITS_PER_BYTE;

	if (byte >= CIDR_ADDR_LEN)
		return;
	if (bits != 0) {
		addr[byte] &= (uint8_t)(0xff << (CIDR_BITS_PER_BYTE - bits));
		byte++;
	}
	if (byte < CIDR_ADDR_LEN)
		memset(addr + byte, 0, CIDR_ADDR_LEN - byte);
}

/* Do the first prefix bits of addr equal those of net? */
static int
cidr_match(const uint8_t *addr, const uint8_t *net, unsigned int prefix)
{
	unsigned int	byte, bits;
	uint8_t		mask;

	byte = prefix / CIDR_BITS_PER_BYTE;
	bits = prefix % CIDR_BITS_PER_BYTE;

	if (memcmp(addr, net, byte) != 0)
		return (0);
	if (bits == 0)
		return (1);

	mask = (uint8_t)(0xff << (CIDR_BITS_PER_BYTE - bits));
	return ((addr[byte] & mask) == (net[byte] & mask));
}
