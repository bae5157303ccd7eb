/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The per-request context: request id, client address and clock, made on
 * a handler's first call and released, with the access line, when Kore
 * frees the request (every route names request_finish as its on_free).
 */

#include <arpa/inet.h>

#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "log.h"

/* Joined X-Forwarded-For headers longer than this are not looked at. */
#define XFF_MAX			8192

#define US_PER_S		1000000
#define NS_PER_US		1000

static u_int64_t	request_clock_us(void);
static void	request_peer(struct http_request *, char *, size_t);
static void	request_forwarded_for(struct http_request *, char *, size_t);
static const char	*request_method(const struct http_request *);

struct request_ctx *
request_ctx(struct http_request *req)
{
	struct request_ctx	*ctx;
	const char		*hdr;
	char			 xff[XFF_MAX];

	if (req->hdlr_extra != NULL)
		return (req->hdlr_extra);

	ctx = kore_calloc(1, sizeof(*ctx));
	ctx->started_us = request_clock_us();

	if (http_request_header(req, "x-request-id", &hdr) &&
	    request_id_valid(hdr)) {
		(void)kore_strlcpy(ctx->id, hdr, sizeof(ctx->id));
	} else if (request_id_generate(ctx->id, sizeof(ctx->id)) == -1) {
		/* Without randomness the id still has to be unique enough. */
		(void)snprintf(ctx->id, sizeof(ctx->id), "%d-%llu",
		    (int)getpid(), (unsigned long long)ctx->started_us);
	}

	request_peer(req, ctx->peer_ip, sizeof(ctx->peer_ip));
	request_forwarded_for(req, xff, sizeof(xff));

	/*
	 * Most requests come straight from an IPv4 peer, whose text from
	 * inet_ntop is already canonical: nothing to resolve.
	 */
	if (xff[0] == '\0' && req->owner->family == AF_INET) {
		(void)kore_strlcpy(ctx->client_ip, ctx->peer_ip,
		    sizeof(ctx->client_ip));
	} else if (client_ip_resolve(ctx->peer_ip, xff[0] != '\0' ?
	    xff : NULL, &app_config.trusted_proxies, ctx->client_ip,
	    sizeof(ctx->client_ip)) == -1) {
		(void)kore_strlcpy(ctx->client_ip, ctx->peer_ip,
		    sizeof(ctx->client_ip));
	}

	req->hdlr_extra = ctx;
	return (ctx);
}

/*
 * The route's on_free hook: one access line per request, then the
 * context goes. Kore calls this for requests our handlers never saw
 * (a body that timed out, say); those have no context and no line of ours.
 */
void
request_finish(struct http_request *req)
{
	struct request_ctx	*ctx;
	struct log_access	 line;

	if ((ctx = req->hdlr_extra) == NULL)
		return;

	line.method = request_method(req);
	line.path = req->path;
	line.status = req->status;
	line.bytes = ctx->bytes_out;
	line.duration_us = request_clock_us() - ctx->started_us;
	/* The metrics count what the access line says, and no other. */
	counters_request(req, line.duration_us, ctx->bytes_out);
	line.request_id = ctx->id;
	line.client_ip = ctx->client_ip;
	log_access(&line);

	if (ctx->state != NULL)
		ctx->state_free(ctx->state);

	kore_free(ctx);
	req->hdlr_extra = NULL;
}

static void
request_peer(struct http_request *req, char *out, size_t outlen)
{
	const void	*addr;

	switch (req->owner->family) {
	case AF_INET:
		addr = &req->owner->addr.ipv4.sin_addr;
		break;
	case AF_INET6:
		addr = &req->owner->addr.ipv6.sin6_addr;
		break;
	default:
		addr = NULL;
		break;
	}

	if (addr == NULL ||
	    inet_ntop(req->owner->family, addr, out, outlen) == NULL)
		(void)kore_strlcpy(out, "-", outlen);
}

/*
 * Several X-Forwarded-For headers mean one list in order (RFC 7230 3.2.2),
 * so they are joined with commas. A list too long to hold is dropped: the
 * client address then falls back to the TCP peer, never to a guess.
 */
static void
request_forwarded_for(struct http_request *req, char *out, size_t outlen)
{
	struct http_header	*hdr;
	size_t			 len, vlen;

	len = 0;
	out[0] = '\0';

	TAILQ_FOREACH(hdr, &req->req_headers, list) {
		if (strcasecmp(hdr->header, "x-forwarded-for"))
			continue;

		vlen = strlen(hdr->value);
		if (len + vlen + 2 > outlen) {
			out[0] = '\0';
			return;
		}
		if (len > 0)
			out[len++] = ',';
		memcpy(out + len, hdr->value, vlen);
		len += vlen;
		out[len] = '\0';
	}
}

/* Kore's clock has milliseconds; the access line wants finer. */
static u_int64_t
request_clock_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((u_int64_t)ts.tv_sec * US_PER_S +
	    (u_int64_t)ts.tv_nsec / NS_PER_US);
}

static const char *
request_method(const struct http_request *req)
{
	return (http_method_text(req->method));
}
