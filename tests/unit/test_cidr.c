/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for cidr.c: parsing LOGIN_TRUSTED_PROXY_IPS and testing
 * addresses against it.
 */

#include <sys/socket.h>

#include <stdio.h>

#include "testutil.h"

#include "cidr.h"

static void	assert_bad(const char *);
static int	one_contains(const char *, const char *);

static void
assert_bad(const char *text)
{
	struct cidr_list	l;

	/* A failed parse must not leave half a list behind. */
	if (cidr_list_parse(&l, "10.0.0.0/8") != 0)
		fail_msg("setup parse failed");
	if (cidr_list_parse(&l, text) != -1)
		fail_msg("accepted bad list \"%s\"", text);
	assert_int_equal(l.count, 0);
	assert_int_equal(cidr_list_contains(&l, "10.1.1.1"), 0);
}

static int
one_contains(const char *list, const char *addr)
{
	struct cidr_list	l;

	if (cidr_list_parse(&l, list) != 0)
		fail_msg("parse of \"%s\" failed", list);
	return (cidr_list_contains(&l, addr));
}

static void
test_parse_single_v4(void **state)
{
	struct cidr_list	l;

	(void)state;
	assert_int_equal(cidr_list_parse(&l, "10.0.0.0/8"), 0);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.items[0].family, AF_INET);
	assert_int_equal(l.items[0].prefix, 8);
	assert_int_equal(l.items[0].addr[0], 10);
}

static void
test_parse_mixed_with_blanks(void **state)
{
	struct cidr_list	l;

	(void)state;
	assert_int_equal(cidr_list_parse(&l,
	    " 10.0.0.0/8 ,\t2001:db8::/32,::1 , 192.168.1.7\t"), 0);
	assert_int_equal(l.count, 4);
	assert_int_equal(l.items[0].family, AF_INET);
	assert_int_equal(l.items[1].family, AF_INET6);
	assert_int_equal(l.items[1].prefix, 32);
	assert_int_equal(l.items[2].family, AF_INET6);
	assert_int_equal(l.items[2].prefix, 128);
	assert_int_equal(l.items[3].family, AF_INET);
	assert_int_equal(l.items[3].prefix, 32);
}

static void
test_parse_empty(void **state)
{
	struct cidr_list	l;

	(void)state;
	assert_int_equal(cidr_list_parse(&l, ""), 0);
	assert_int_equal(l.count, 0);
	assert_int_equal(cidr_list_parse(&l, " \t  "), 0);
	assert_int_equal(l.count, 0);
	assert_int_equal(cidr_list_parse(&l, NULL), 0);
	assert_int_equal(l.count, 0);
	assert_int_equal(cidr_list_contains(&l, "10.0.0.1"), 0);
	assert_int_equal(cidr_list_contains(&l, "::1"), 0);
	assert_int_equal(cidr_list_parse(NULL, "10.0.0.0/8"), -1);
}

static void
test_parse_host_bits_cleared(void **state)
{
	struct cidr_list	l;

	(void)state;
	assert_int_equal(cidr_list_parse(&l, "10.1.2.3/8,2001:db8::ffff/120"),
	    0);
	assert_int_equal(l.items[0].addr[0], 10);
	assert_int_equal(l.items[0].addr[1], 0);
	assert_int_equal(l.items[0].addr[2], 0);
	assert_int_equal(l.items[0].addr[3], 0);
	assert_int_equal(l.items[1].addr[14], 0xff);
	assert_int_equal(l.items[1].addr[15], 0);
	assert_int_equal(cidr_list_contains(&l, "10.200.0.1"), 1);
	assert_int_equal(cidr_list_contains(&l, "2001:db8::ff00"), 1);
	assert_int_equal(cidr_list_contains(&l, "2001:db8::1:ff00"), 0);

	/* A partial byte: /20 keeps the high nibble of the third octet. */
	assert_int_equal(cidr_list_parse(&l, "172.16.255.255/20"), 0);
	assert_int_equal(l.items[0].addr[2], 0xf0);
	assert_int_equal(l.items[0].addr[3], 0);
}

static void
test_parse_bad_prefixes(void **state)
{
	(void)state;
	assert_bad("1.2.3.4/33");
	assert_bad("::/129");
	assert_bad("1.2.3.4/");
	assert_bad("/8");
	assert_bad("1.2.3.4/-1");
	assert_bad("1.2.3.4/+8");
	/* Leading zeros are rejected, as inet_pton rejects "010" octets. */
	assert_bad("1.2.3.4/08");
	assert_bad("::/0128");
	assert_bad("1.2.3.4/8/8");
	assert_bad("1.2.3.4/8a");
	assert_bad("1.2.3.4/ 8");
	assert_bad("1.2.3.4 /8");
	assert_bad("1.2.3.4/4294967304");
	assert_bad("1.2.3.4/0x8");
}

static void
test_parse_prefix_limits_ok(void **state)
{
	(void)state;
	assert_int_equal(one_contains("1.2.3.4/0", "200.1.1.1"), 1);
	assert_int_equal(one_contains("1.2.3.4/32", "1.2.3.4"), 1);
	assert_int_equal(one_contains("1.2.3.4/32", "1.2.3.5"), 0);
	assert_int_equal(one_contains("::/0", "2001:db8::1"), 1);
	assert_int_equal(one_contains("2001:db8::1/128", "2001:db8::1"), 1);
	assert_int_equal(one_contains("2001:db8::1/128", "2001:db8::2"), 0);
}

static void
test_parse_bad_entries(void **state)
{
	(void)state;
	assert_bad("10.0.0.0/8,,::1");
	assert_bad(",10.0.0.0/8");
	assert_bad("10.0.0.0/8,");
	assert_bad("10.0.0.0/8, ,::1");
	assert_bad(" , ");
	assert_bad("10.0.0");
	assert_bad("10.0.0.256");
	assert_bad("010.0.0.1");
	assert_bad("example.com");
	assert_bad("10.0.0.0/8;192.168.0.0/16");
	assert_bad("10.0.0.0 192.168.0.0");
	assert_bad("10.0.0.0/8\n");
	assert_bad("[::1]");
	assert_bad("fe80::1%eth0");
	assert_bad("2001:db8:::1");
	assert_bad("1.2.3.4.5");
	assert_bad("\xff\xfe");
}

static void
test_parse_too_many(void **state)
{
	struct cidr_list	l;
	char			buf[CIDR_LIST_MAX * 16 + 32];
	size_t			i, off;
	int			n;

	(void)state;
	off = 0;
	for (i = 0; i < CIDR_LIST_MAX; i++) {
		n = snprintf(buf + off, sizeof(buf) - off, "%s10.0.%zu.0/24",
		    i ? "," : "", i);
		assert_true(n > 0 && (size_t)n < sizeof(buf) - off);
		off += (size_t)n;
	}
	assert_int_equal(cidr_list_parse(&l, buf), 0);
	assert_int_equal(l.count, CIDR_LIST_MAX);
	assert_int_equal(cidr_list_contains(&l, "10.0.63.9"), 1);
	assert_int_equal(cidr_list_contains(&l, "10.0.64.9"), 0);

	n = snprintf(buf + off, sizeof(buf) - off, ",10.0.64.0/24");
	assert_true(n > 0 && (size_t)n < sizeof(buf) - off);
	assert_bad(buf);
}

static void
test_contains_v4_boundaries(void **state)
{
	struct cidr_list	l;

	(void)state;
	assert_int_equal(cidr_list_parse(&l, "10.0.0.0/8, 192.168.4.0/22"), 0);
	assert_int_equal(cidr_list_contains(&l, "10.0.0.0"), 1);
	assert_int_equal(cidr_list_contains(&l, "10.255.255.255"), 1);
	assert_int_equal(cidr_list_contains(&l, "9.255.255.255"), 0);
	assert_int_equal(cidr_list_contains(&l, "11.0.0.0"), 0);
	assert_int_equal(cidr_list_contains(&l, "192.168.4.0"), 1);
	assert_int_equal(cidr_list_contains(&l, "192.168.7.255"), 1);
	assert_int_equal(cidr_list_contains(&l, "192.168.3.255"), 0);
	assert_int_equal(cidr_list_contains(&l, "192.168.8.0"), 0);
	/* A v4 block does not swallow unrelated v6 addresses. */
	assert_int_equal(cidr_list_contains(&l, "a00::"), 0);
	assert_int_equal(cidr_list_contains(&l, "::10.0.0.1"), 0);
}

static void
test_contains_v6(void **state)
{
	struct cidr_list	l;

	(void)state;
	assert_int_equal(cidr_list_parse(&l, "2001:db8::/32"), 0);
	assert_int_equal(cidr_list_contains(&l, "2001:db8::"), 1);
	assert_int_equal(cidr_list_contains(&l,
	    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), 1);
	assert_int_equal(cidr_list_contains(&l, "2001:DB8::1"), 1);
	assert_int_equal(cidr_list_contains(&l,
	    "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), 0);
	assert_int_equal(cidr_list_contains(&l, "2001:db9::"), 0);
	/* v6 blocks never match plain IPv4 outside ::ffff:0:0/96. */
	assert_int_equal(cidr_list_contains(&l, "32.1.13.184"), 0);

	assert_int_equal(cidr_list_parse(&l, "::1"), 0);
	assert_int_equal(cidr_list_contains(&l, "::1"), 1);
	assert_int_equal(cidr_list_contains(&l, "0:0:0:0:0:0:0:1"), 1);
	assert_int_equal(cidr_list_contains(&l, "::2"), 0);
	assert_int_equal(cidr_list_contains(&l, "::"), 0);
}

static void
test_contains_mapped(void **state)
{
	struct cidr_list	l;

	(void)state;
	assert_int_equal(cidr_list_parse(&l, "10.0.0.0/8"), 0);
	assert_int_equal(cidr_list_contains(&l, "::ffff:10.1.2.3"), 1);
	assert_int_equal(cidr_list_contains(&l, "::FFFF:a01:203"), 1);
	assert_int_equal(cidr_list_contains(&l, "::ffff:11.0.0.0"), 0);
	/* Not mapped: ::fffe: and IPv4-compatible are other addresses. */
	assert_int_equal(cidr_list_contains(&l, "::fffe:10.1.2.3"), 0);
	assert_int_equal(cidr_list_contains(&l, "1::ffff:10.1.2.3"), 0);

	/* A mapped block also holds the plain IPv4 addresses. */
	assert_int_equal(cidr_list_parse(&l, "::ffff:192.0.2.0/120"), 0);
	assert_int_equal(cidr_list_contains(&l, "192.0.2.77"), 1);
	assert_int_equal(cidr_list_contains(&l, "::ffff:192.0.2.77"), 1);
	assert_int_equal(cidr_list_contains(&l, "192.0.3.0"), 0);
}

static void
test_contains_bad_address(void **state)
{
	struct cidr_list	l;

	(void)state;
	assert_int_equal(cidr_list_parse(&l, "0.0.0.0/0, ::/0"), 0);
	assert_int_equal(cidr_list_contains(&l, "1.2.3.4"), 1);
	assert_int_equal(cidr_list_contains(&l, ""), 0);
	assert_int_equal(cidr_list_contains(&l, NULL), 0);
	assert_int_equal(cidr_list_contains(&l, " 1.2.3.4"), 0);
	assert_int_equal(cidr_list_contains(&l, "1.2.3.4/32"), 0);
	assert_int_equal(cidr_list_contains(&l, "unknown"), 0);
	assert_int_equal(cidr_list_contains(&l, "[::1]"), 0);
	assert_int_equal(cidr_list_contains(&l,
	    "1111:2222:3333:4444:5555:6666:7777:8888:9999"), 0);
	assert_int_equal(cidr_list_contains(NULL, "1.2.3.4"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_single_v4),
		cmocka_unit_test(test_parse_mixed_with_blanks),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_host_bits_cleared),
		cmocka_unit_test(test_parse_bad_prefixes),
		cmocka_unit_test(test_parse_prefix_limits_ok),
		cmocka_unit_test(test_parse_bad_entries),
		cmocka_unit_test(test_parse_too_many),
		cmocka_unit_test(test_contains_v4_boundaries),
		cmocka_unit_test(test_contains_v6),
		cmocka_unit_test(test_contains_mapped),
		cmocka_unit_test(test_contains_bad_address),
	};

	return (cmocka_run_group_tests_name("cidr", tests, NULL, NULL));
}
