/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for client_ip.c: which address the login lock counts, given
 * the TCP peer, X-Forwarded-For and LOGIN_TRUSTED_PROXY_IPS.
 */

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "cidr.h"
#include "client_ip.h"

/* Trusted proxies used by most tests. */
#define TRUSTED		"10.0.0.0/8, 2001:db8:ffff::/48"

static const char	*resolve(const char *, const char *, const char *);
static void		 expect(const char *, const char *, const char *,
			    const char *);
static char		*make_chain(size_t);

static char	result[CLIENT_IP_MAX];

static const char *
resolve(const char *trusted, const char *peer, const char *xff)
{
	struct cidr_list	l;

	if (cidr_list_parse(&l, trusted) != 0)
		fail_msg("bad trusted list \"%s\"", trusted);
	memset(result, 'X', sizeof(result));
	if (client_ip_resolve(peer, xff, &l, result, sizeof(result)) != 0)
		fail_msg("resolve failed for peer \"%s\"", peer);
	return (result);
}

static void
expect(const char *trusted, const char *peer, const char *xff,
    const char *want)
{
	const char	*got;

	got = resolve(trusted, peer, xff);
	if (strcmp(got, want) != 0)
		fail_msg("peer %s xff \"%s\": got %s, want %s", peer,
		    xff ? xff : "(none)", got, want);
}

static void
test_untrusted_peer_ignores_xff(void **state)
{
	(void)state;
	expect(TRUSTED, "203.0.113.9", "1.1.1.1", "203.0.113.9");
	expect(TRUSTED, "203.0.113.9", "10.0.0.1, 1.1.1.1", "203.0.113.9");
	expect(TRUSTED, "2001:db8:1::5", "1.1.1.1", "2001:db8:1::5");
	expect(TRUSTED, "203.0.113.9", NULL, "203.0.113.9");
}

static void
test_empty_list_ignores_xff(void **state)
{
	char	out[CLIENT_IP_MAX];

	(void)state;
	expect("", "10.0.0.1", "1.1.1.1", "10.0.0.1");
	expect("", "203.0.113.9", "1.1.1.1", "203.0.113.9");
	assert_int_equal(client_ip_resolve("10.0.0.1", "1.1.1.1", NULL, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "10.0.0.1");
}

static void
test_trusted_peer_right_most_hop(void **state)
{
	(void)state;
	expect(TRUSTED, "10.0.0.1", "198.51.100.7", "198.51.100.7");
	/* The client can prepend anything; only the right-most counts. */
	expect(TRUSTED, "10.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7");
	expect(TRUSTED, "10.0.0.1", "6.6.6.6,198.51.100.7", "198.51.100.7");
	/* No header behind a trusted proxy: the proxy is all we know. */
	expect(TRUSTED, "10.0.0.1", NULL, "10.0.0.1");
}

static void
test_chain_of_trusted_proxies(void **state)
{
	(void)state;
	expect(TRUSTED, "10.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.1.1, 10.2.2.2",
	    "198.51.100.7");
	expect(TRUSTED, "10.0.0.1",
	    "198.51.100.7, 2001:db8:ffff::1, 10.9.9.9", "198.51.100.7");
	/* Every hop trusted: the left-most is the furthest we can see. */
	expect(TRUSTED, "10.0.0.1", "10.3.3.3, 10.2.2.2, 10.1.1.1",
	    "10.3.3.3");
	expect(TRUSTED, "10.0.0.1", "10.3.3.3", "10.3.3.3");
	/* Several headers joined by the framework. */
	expect(TRUSTED, "10.0.0.1", "6.6.6.6,198.51.100.7,10.1.1.1",
	    "198.51.100.7");
}

static void
test_garbage_entries(void **state)
{
	(void)state;
	/* Garbage right at the proxy: the proxy itself is the client. */
	expect(TRUSTED, "10.0.0.1", "unknown", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "  ", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "1.1.1.1,", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "1.1.1.1, garbage", "10.0.0.1");
	/* Garbage further left: the nearest trusted hop before it. */
	expect(TRUSTED, "10.0.0.1", "1.1.1.1, unknown, 10.7.7.7", "10.7.7.7");
	expect(TRUSTED, "10.0.0.1", "1.1.1.1,,10.7.7.7", "10.7.7.7");
	/* Garbage left of the client does not matter. */
	expect(TRUSTED, "10.0.0.1", "garbage, 1.1.1.1, 10.7.7.7", "1.1.1.1");
	expect(TRUSTED, "10.0.0.1", "1.1.1.1;2.2.2.2", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "1.1.1.1 2.2.2.2", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "1.1.1", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "1.1.1.256", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "01.1.1.1", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "1.1.1.1/32", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "1.1.1.1\r\nX-Evil: 1", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "fe80::1%eth0", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "\xc3\xa9", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1",
	    "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb",
	    "10.0.0.1");
}

static void
test_port_forms(void **state)
{
	(void)state;
	expect(TRUSTED, "10.0.0.1", "198.51.100.7:5678", "198.51.100.7");
	expect(TRUSTED, "10.0.0.1", "198.51.100.7:65535", "198.51.100.7");
	expect(TRUSTED, "10.0.0.1", "198.51.100.7:65536", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "198.51.100.7:", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "198.51.100.7:-1", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "198.51.100.7:http", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "198.51.100.7:123456", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "1.1.1.1, 10.5.5.5:443", "1.1.1.1");
}

static void
test_ipv6_forms(void **state)
{
	(void)state;
	expect(TRUSTED, "10.0.0.1", "2001:db8::1", "2001:db8::1");
	expect(TRUSTED, "10.0.0.1", "[2001:db8::1]", "2001:db8::1");
	expect(TRUSTED, "10.0.0.1", " [2001:db8::1]:443 ", "2001:db8::1");
	/* Canonical text: leading zeros and case normalised. */
	expect(TRUSTED, "10.0.0.1", "2001:0DB8:0:0:0:0:0:0001",
	    "2001:db8::1");
	expect(TRUSTED, "2001:db8:ffff::2", "2001:db8::1, 2001:db8:ffff::9",
	    "2001:db8::1");
	expect(TRUSTED, "2001:db8:ffff::2", "[2001:db8:ffff::3]:80",
	    "2001:db8:ffff::3");
	/* Malformed brackets are garbage. */
	expect(TRUSTED, "10.0.0.1", "[2001:db8::1", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "2001:db8::1]", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "[2001:db8::1]443", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "[2001:db8::1]:", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "[1.2.3.4]", "10.0.0.1");
	expect(TRUSTED, "10.0.0.1", "[]", "10.0.0.1");
}

static void
test_mapped_addresses(void **state)
{
	(void)state;
	/* A dual-stack listener reports IPv4 peers as mapped IPv6. */
	expect(TRUSTED, "::ffff:10.0.0.1", "198.51.100.7", "198.51.100.7");
	expect(TRUSTED, "::ffff:203.0.113.9", "1.1.1.1", "203.0.113.9");
	expect(TRUSTED, "10.0.0.1", "::ffff:198.51.100.7", "198.51.100.7");
	expect(TRUSTED, "10.0.0.1", "198.51.100.7, ::ffff:10.1.1.1",
	    "198.51.100.7");
	expect(TRUSTED, "10.0.0.1", "[::ffff:10.1.1.1]", "10.1.1.1");
}

static void
test_bad_peer_and_buffer(void **state)
{
	struct cidr_list	l;
	char			out[CLIENT_IP_MAX], small[8];

	(void)state;
	assert_int_equal(cidr_list_parse(&l, TRUSTED), 0);
	assert_int_equal(client_ip_resolve("nope", "1.1.1.1", &l, out,
	    sizeof(out)), -1);
	assert_int_equal(client_ip_resolve("", NULL, &l, out, sizeof(out)),
	    -1);
	assert_int_equal(client_ip_resolve(NULL, NULL, &l, out, sizeof(out)),
	    -1);
	assert_int_equal(client_ip_resolve("10.0.0.1", NULL, &l, NULL, 0), -1);

	/* "1.2.3.4" needs 8 bytes with its NUL; the longest v6 needs 40. */
	assert_int_equal(client_ip_resolve("1.2.3.4", NULL, &l, small,
	    sizeof(small)), 0);
	assert_string_equal(small, "1.2.3.4");
	assert_int_equal(client_ip_resolve("11.22.33.44", NULL, &l, small,
	    sizeof(small)), -1);
	assert_string_equal(small, "");
	assert_int_equal(client_ip_resolve("10.0.0.1", "198.51.100.7", &l,
	    small, sizeof(small)), -1);
	assert_int_equal(client_ip_resolve(
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL, &l, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

/* A chain of n trusted hops 10.0.x.y with a client in front of it. */
static char *
make_chain(size_t n)
{
	char	*s;
	size_t	 i, off, cap;
	int	 w;

	cap = 32 + n * 16;
	if ((s = malloc(cap)) == NULL) {
		fail_msg("malloc");
		return (NULL);
	}
	off = (size_t)snprintf(s, cap, "198.51.100.7");
	for (i = 0; i < n; i++) {
		w = snprintf(s + off, cap - off, ", 10.0.%zu.%zu",
		    (i / 250) % 250, i % 250 + 1);
		if (w < 0 || (size_t)w >= cap - off)
			fail_msg("snprintf");
		off += (size_t)w;
	}
	return (s);
}

static void
test_entry_limit(void **state)
{
	char	*s;

	(void)state;
	/* 63 trusted hops plus the client: 64 entries, all looked at. */
	s = make_chain(CLIENT_IP_XFF_MAX_ENTRIES - 1);
	expect(TRUSTED, "10.0.0.1", s, "198.51.100.7");
	free(s);

	/*
	 * 64 trusted hops: the client is the 65th from the right, beyond
	 * the limit, so the left-most hop examined (10.0.0.1) stands in.
	 */
	s = make_chain(CLIENT_IP_XFF_MAX_ENTRIES);
	expect(TRUSTED, "10.9.9.9", s, "10.0.0.1");
	free(s);
}

static void
test_length_limit(void **state)
{
	char	*s;
	size_t	 pad, len;

	(void)state;
	/*
	 * "<client>,<blanks>10.1.1.1": blanks are legal around an entry,
	 * so a long header can hold few entries. Place the client right at
	 * the edge of the window and just beyond it.
	 */
	len = CLIENT_IP_XFF_MAX_LEN + 64;
	if ((s = malloc(len + 1)) == NULL) {
		fail_msg("malloc");
		return;
	}

	/* "198.51.100.7," is 13 bytes, "10.1.1.1" 8: total exactly MAX. */
	pad = CLIENT_IP_XFF_MAX_LEN - 13 - 8;
	snprintf(s, len + 1, "198.51.100.7,%*s10.1.1.1", (int)pad, "");
	assert_int_equal(strlen(s), CLIENT_IP_XFF_MAX_LEN);
	expect(TRUSTED, "10.0.0.1", s, "198.51.100.7");

	/* One more byte on the left: the client entry is cut by the window. */
	snprintf(s, len + 1, "1198.51.100.7,%*s10.1.1.1", (int)pad, "");
	expect(TRUSTED, "10.0.0.1", s, "10.1.1.1");

	/* A window starting exactly after a comma holds a whole entry. */
	snprintf(s, len + 1, "9.9.9.9,198.51.100.7,%*s10.1.1.1", (int)pad, "");
	assert_int_equal(strlen(s), CLIENT_IP_XFF_MAX_LEN + 8);
	expect(TRUSTED, "10.0.0.1", s, "198.51.100.7");

	/*
	 * Entries beyond the window are never used, even when everything
	 * inside it is trusted: the left-most hop inside stands in.
	 */
	snprintf(s, len + 1, "198.51.100.7,10.2.2.2,%*s10.1.1.1",
	    (int)(CLIENT_IP_XFF_MAX_LEN - 9 - 8), "");
	assert_int_equal(strlen(s), CLIENT_IP_XFF_MAX_LEN + 13);
	expect(TRUSTED, "10.0.0.1", s, "10.2.2.2");
	free(s);
}

static void
test_hostile_long_header(void **state)
{
	char	*s;
	size_t	 len;

	(void)state;
	/* A megabyte of commas, or of one address-like run, is cheap. */
	len = 1024 * 1024;
	if ((s = malloc(len + 1)) == NULL) {
		fail_msg("malloc");
		return;
	}
	memset(s, ',', len);
	s[len] = '\0';
	expect(TRUSTED, "10.0.0.1", s, "10.0.0.1");
	memset(s, '1', len);
	expect(TRUSTED, "10.0.0.1", s, "10.0.0.1");
	memset(s, ':', len);
	expect(TRUSTED, "10.0.0.1", s, "10.0.0.1");
	memset(s, '[', len);
	expect(TRUSTED, "10.0.0.1", s, "10.0.0.1");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untrusted_peer_ignores_xff),
		cmocka_unit_test(test_empty_list_ignores_xff),
		cmocka_unit_test(test_trusted_peer_right_most_hop),
		cmocka_unit_test(test_chain_of_trusted_proxies),
		cmocka_unit_test(test_garbage_entries),
		cmocka_unit_test(test_port_forms),
		cmocka_unit_test(test_ipv6_forms),
		cmocka_unit_test(test_mapped_addresses),
		cmocka_unit_test(test_bad_peer_and_buffer),
		cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_hostile_long_header),
	};

	return (cmocka_run_group_tests_name("client_ip", tests, NULL, NULL));
}
