/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Which address a request comes from, for the login brute-force lock:
 * the TCP peer, or behind trusted proxies the X-Forwarded-For hop they
 * vouch for. Pure: no Kore, no network.
 */

#ifndef REACTBIN_CLIENT_IP_H
#define REACTBIN_CLIENT_IP_H

#include <stddef.h>

#include "cidr.h"

#define CLIENT_IP_MAX		46	/* INET6_ADDRSTRLEN */

/* X-Forwarded-For entries looked at, counted from the right. */
#define CLIENT_IP_XFF_MAX_ENTRIES	64

/* Bytes of X-Forwarded-For looked at, counted from the right. */
#define CLIENT_IP_XFF_MAX_LEN		8192

/*
 * The client's address for the login lock: the TCP peer, unless the peer is
 * inside a trusted CIDR; then the right-most X-Forwarded-For entry that is
 * not itself trusted. xff may be NULL (no header) and may be several headers
 * already joined with ",". Writes a canonical text address (inet_ntop form;
 * IPv4-mapped IPv6 shown as plain IPv4) to out. Returns 0, -1 only if peer
 * itself is unparseable or out too small.
 *
 * Entries may be "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]"
 * or "[2001:db8::1]:443". The walk stops at an entry that is not an address
 * (or lies beyond CLIENT_IP_XFF_MAX_ENTRIES / CLIENT_IP_XFF_MAX_LEN): the
 * client is then the nearest hop examined before it, the peer if none. If
 * every entry is trusted, the left-most one is the client.
 */
int	client_ip_resolve(const char *peer, const char *xff,
	    const struct cidr_list *trusted, char *out, size_t outlen);

#endif
