/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for LOGIN_TRUSTED_PROXY_IPS and the client address
 * (cidr.h, client_ip.h). The input is "cidr list" NUL-or-newline "peer"
 * newline "X-Forwarded-For"; each piece becomes its own exact-size,
 * NUL-terminated heap string so that ASan sees any overread. Checked too:
 * the answer is a canonical address, it fits exactly the buffer it needs,
 * and an untrusted peer's X-Forwarded-For is never looked at.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "client_ip.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_canonical(const char *);
static void	check_sizes(const char *, const char *,
		    const struct cidr_list *, size_t);

/* inet_ntop's form, with IPv4-mapped IPv6 shown as IPv4. */
static void
check_canonical(const char *addr)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 back[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, addr, &a4) == 1) {
		if (inet_ntop(AF_INET, &a4, back, sizeof(back)) == NULL)
			abort();
	} else if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6))
			abort();
		if (inet_ntop(AF_INET6, &a6, back, sizeof(back)) == NULL)
			abort();
	} else
		abort();
	if (strcmp(addr, back) != 0)
		abort();
}

/* The answer fits in len + 1 bytes and not in len. */
static void
check_sizes(const char *peer, const char *xff, const struct cidr_list *l,
    size_t len)
{
	char	*out;

	if ((out = malloc(len + 1)) == NULL)
		abort();
	if (client_ip_resolve(peer, xff, l, out, len + 1) != 0 ||
	    strlen(out) != len)
		abort();
	if (client_ip_resolve(peer, xff, l, out, len) != -1)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cidr_list	 list;
	char			 out[CLIENT_IP_MAX], alone[CLIENT_IP_MAX];
	char			*cidrs, *peer, *xff;

	cidrs = fuzz_line(&data, &size, 1);
	peer = fuzz_line(&data, &size, 0);
	/* No newline after the peer: no X-Forwarded-For header at all. */
	xff = (data != NULL) ? fuzz_strdup(data, size) : NULL;

	memset(&list, 0, sizeof(list));
	if (cidr_list_parse(&list, cidrs) == 0) {
		if (list.count > CIDR_LIST_MAX)
			abort();
		(void)cidr_list_contains(&list, peer);
		if (xff != NULL)
			(void)cidr_list_contains(&list, xff);
	} else {
		/* Fuzz the resolver anyway, with one fixed proxy range. */
		if (cidr_list_parse(&list, "10.0.0.0/8, ::1") != 0)
			abort();
	}

	/* The peer alone, canonical: what any call answers for it. */
	if (client_ip_resolve(peer, NULL, NULL, alone, sizeof(alone)) != 0) {
		if (client_ip_resolve(peer, xff, &list, out,
		    sizeof(out)) != -1)
			abort();
		goto done;
	}
	check_canonical(alone);

	if (client_ip_resolve(peer, xff, &list, out, sizeof(out)) != 0)
		abort();
	check_canonical(out);
	if ((xff == NULL || !cidr_list_contains(&list, alone)) &&
	    strcmp(out, alone) != 0)
		abort();
	check_sizes(peer, xff, &list, strlen(out));

done:
	free(cidrs);
	free(peer);
	free(xff);
	return (0);
}
