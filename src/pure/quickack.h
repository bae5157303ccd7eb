/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The sockets curl opens, known by their local port, so that the end of
 * a response head can be acknowledged at once (quickack.c). The first two
 * are curl's CURLOPT_SOCKOPTFUNCTION and CURLOPT_CLOSESOCKETFUNCTION.
 */

#ifndef REACTBIN_QUICKACK_H
#define REACTBIN_QUICKACK_H

#include <curl/curl.h>

/* The most sockets one process keeps track of; more go without. */
#define QUICKACK_SOCKETS_MAX	256

int	quickack_sockopt(void *, curl_socket_t, curlsocktype);
int	quickack_close(void *, curl_socket_t);
int	quickack_port(long);

#endif
