/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * CIDR blocks (IPv4 and IPv6) and lists of them, as used for
 * LOGIN_TRUSTED_PROXY_IPS. Pure: no Kore, no network.
 */

#ifndef REACTBIN_CIDR_H
#define REACTBIN_CIDR_H

#include <stddef.h>
#include <stdint.h>

/* More trusted proxy ranges than this is a configuration mistake. */
#define CIDR_LIST_MAX		64

/* Bytes of an IPv6 address; IPv4 uses the first four. */
#define CIDR_ADDR_LEN		16

struct cidr {
	int		family;			/* AF_INET or AF_INET6 */
	uint8_t		addr[CIDR_ADDR_LEN];	/* host bits cleared */
	unsigned int	prefix;			/* 0-32 or 0-128 */
};

struct cidr_list {
	size_t		count;
	struct cidr	items[CIDR_LIST_MAX];
};

/*
 * Parse a comma-separated list such as "10.0.0.0/8, 2001:db8::/32, ::1".
 * A bare address is a /32 or /128. Blanks around entries are ignored and
 * an empty (or all-blank) string yields an empty list. Returns 0, or -1 when
 * any entry is malformed (bad address, prefix out of range, host bits set
 * is accepted and cleared, too many entries).
 */
int	cidr_list_parse(struct cidr_list *, const char *);

/*
 * Is the textual address inside any block of the list? IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d) match IPv4 blocks. Returns 1 or 0; an
 * unparseable address is never contained.
 */
int	cidr_list_contains(const struct cidr_list *, const char *);

/*
 * Parse len bytes of a bare address (no prefix, no blanks, no NUL) into
 * *family (AF_INET or AF_INET6) and addr (IPv4 in the first four bytes).
 * Returns 0 or -1.
 */
int	cidr_addr_parse(const char *, size_t, int *, uint8_t [CIDR_ADDR_LEN]);

/* The IPv4 part of an IPv4-mapped IPv6 address (::ffff:a.b.c.d), or NULL. */
const uint8_t	*cidr_addr_mapped_v4(const uint8_t [CIDR_ADDR_LEN]);

#endif
