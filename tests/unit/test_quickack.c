/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for quickack.c: curl's sockets are found by their local
 * port once connected, forgotten (and closed) when curl closes them, and
 * sockets curl makes for other purposes are left alone.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "testutil.h"

#include "quickack.h"

struct pair {
	int	listener;
	int	client;
	int	server;
	long	port;		/* the client's local port */
};

static void	pair_open(struct pair *);
static void	pair_close(struct pair *);

static void
test_found_by_port(void **state)
{
	struct pair	p;

	(void)state;
	pair_open(&p);

	assert_int_equal(quickack_port(p.port), -1);
	assert_int_equal(quickack_sockopt(NULL, p.client, CURLSOCKTYPE_IPCXN),
	    CURL_SOCKOPT_OK);
	assert_int_equal(quickack_port(p.port), 0);
	assert_int_equal(quickack_port(p.port + 1), -1);
	assert_int_equal(quickack_port(0), -1);
	assert_int_equal(quickack_port(-1), -1);

	/* curl's close goes through us: the socket is closed and forgotten. */
	assert_int_equal(quickack_close(NULL, p.client), 0);
	assert_int_equal(fcntl(p.client, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(quickack_port(p.port), -1);
	p.client = -1;

	pair_close(&p);
}

static void
test_other_purposes_ignored(void **state)
{
	struct pair	p;

	(void)state;
	pair_open(&p);

	assert_int_equal(quickack_sockopt(NULL, p.client,
	    CURLSOCKTYPE_ACCEPT), CURL_SOCKOPT_OK);
	assert_int_equal(quickack_port(p.port), -1);

	pair_close(&p);
}

/* Registered before connect, as curl does: the port is looked up later. */
static void
test_port_looked_up_after_connect(void **state)
{
	struct sockaddr_in	 addr;
	socklen_t		 len;
	struct pair		 p;
	int			 fd, peer;

	(void)state;
	pair_open(&p);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd != -1);
	assert_int_equal(quickack_sockopt(NULL, fd, CURLSOCKTYPE_IPCXN),
	    CURL_SOCKOPT_OK);
	assert_int_equal(quickack_port(p.port), -1);

	memset(&addr, 0, sizeof(addr));
	len = sizeof(addr);
	assert_int_equal(getsockname(p.listener, (struct sockaddr *)&addr,
	    &len), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, len), 0);
	peer = accept(p.listener, NULL, NULL);
	assert_true(peer != -1);

	len = sizeof(addr);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	assert_int_equal(quickack_port(ntohs(addr.sin_port)), 0);

	assert_int_equal(quickack_close(NULL, fd), 0);
	(void)close(peer);
	pair_close(&p);
}

/* More sockets than the table holds: the extra ones go without. */
static void
test_table_full(void **state)
{
	struct pair	p;
	int		fds[QUICKACK_SOCKETS_MAX];
	size_t		i;

	(void)state;
	for (i = 0; i < QUICKACK_SOCKETS_MAX; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fds[i] != -1);
		assert_int_equal(quickack_sockopt(NULL, fds[i],
		    CURLSOCKTYPE_IPCXN), CURL_SOCKOPT_OK);
	}

	pair_open(&p);
	assert_int_equal(quickack_sockopt(NULL, p.client, CURLSOCKTYPE_IPCXN),
	    CURL_SOCKOPT_OK);
	assert_int_equal(quickack_port(p.port), -1);

	for (i = 0; i < QUICKACK_SOCKETS_MAX; i++)
		assert_int_equal(quickack_close(NULL, fds[i]), 0);

	/* Room again. */
	assert_int_equal(quickack_sockopt(NULL, p.client, CURLSOCKTYPE_IPCXN),
	    CURL_SOCKOPT_OK);
	assert_int_equal(quickack_port(p.port), 0);
	assert_int_equal(quickack_close(NULL, p.client), 0);
	p.client = -1;

	pair_close(&p);
}

/* A connected loopback pair; p->port is the client's local port. */
static void
pair_open(struct pair *p)
{
	struct sockaddr_in	 addr;
	socklen_t		 len;

	p->listener = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(p->listener != -1);

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(p->listener, (struct sockaddr *)&addr,
	    sizeof(addr)), 0);
	assert_int_equal(listen(p->listener, 1), 0);

	len = sizeof(addr);
	assert_int_equal(getsockname(p->listener, (struct sockaddr *)&addr,
	    &len), 0);

	p->client = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(p->client != -1);
	assert_int_equal(connect(p->client, (struct sockaddr *)&addr, len), 0);
	p->server = accept(p->listener, NULL, NULL);
	assert_true(p->server != -1);

	len = sizeof(addr);
	assert_int_equal(getsockname(p->client, (struct sockaddr *)&addr,
	    &len), 0);
	p->port = ntohs(addr.sin_port);
}

static void
pair_close(struct pair *p)
{
	if (p->client != -1)
		(void)close(p->client);
	(void)close(p->server);
	(void)close(p->listener);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_by_port),
		cmocka_unit_test(test_other_purposes_ignored),
		cmocka_unit_test(test_port_looked_up_after_connect),
		cmocka_unit_test(test_table_full),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
