/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Delayed ACKs against Nagle on the way back from S3. A server that writes
 * a response head and a small body in two writes, without TCP_NODELAY,
 * sends the body only once the head is acknowledged; Linux delays that
 * ACK (up to 40 ms) on a connection it thinks is interactive, which every
 * connection curl reuses is. TCP_QUICKACK on the socket sends the pending
 * ACK at once. curl names a transfer's socket only after the transfer,
 * but its local port during it, so the sockets it opens are kept here
 * with their ports (looked up the first time they are needed: a socket
 * has none before it connects).
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <string.h>
#include <unistd.h>

#include "quickack.h"

struct quickack_socket {
	curl_socket_t	fd;
	long		port;		/* 0: not looked up yet */
};

static long	quickack_local_port(curl_socket_t);

static struct quickack_socket	sockets[QUICKACK_SOCKETS_MAX];
static size_t			nsockets;

/* A socket curl has just made: remember it (when there is room). */
int
quickack_sockopt(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	(void)arg;

	if (purpose != CURLSOCKTYPE_IPCXN || nsockets == QUICKACK_SOCKETS_MAX)
		return (CURL_SOCKOPT_OK);

	sockets[nsockets].fd = fd;
	sockets[nsockets].port = 0;
	nsockets++;

	return (CURL_SOCKOPT_OK);
}

/* curl is done with a socket: forget it, and close it as curl would. */
int
quickack_close(void *arg, curl_socket_t fd)
{
	size_t	i;

	(void)arg;

	for (i = 0; i < nsockets; i++) {
		if (sockets[i].fd == fd) {
			sockets[i] = sockets[--nsockets];
			break;
		}
	}

	return (close(fd));
}

/*
 * Acknowledge now what the socket bound to this local port has received.
 * Returns 0, or -1 when no known socket has that port or the kernel
 * refused.
 */
int
quickack_port(long port)
{
	size_t	i;
	int	on;

	if (port <= 0)
		return (-1);

	for (i = 0; i < nsockets; i++) {
		if (sockets[i].port == 0)
			sockets[i].port = quickack_local_port(sockets[i].fd);
		if (sockets[i].port != port)
			continue;

		on = 1;
		return (setsockopt(sockets[i].fd, IPPROTO_TCP, TCP_QUICKACK,
		    &on, sizeof(on)));
	}

	return (-1);
}

/* The local port of a connected socket; 0 while it has none. */
static long
quickack_local_port(curl_socket_t fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return (0);

	switch (ss.ss_family) {
	case AF_INET:
		return (ntohs(((struct sockaddr_in *)&ss)->sin_port));
	case AF_INET6:
		return (ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	default:
		return (0);
	}
}
