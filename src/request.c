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
#include "form.h"
#include "json.h"
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
	line.request_id = ctx->id;
	line.client_ip = ctx->client_ip;
	log_access(&line);

	if (ctx->job != NULL)
		job_free(ctx->job);

	kore_free(ctx);
	req->hdlr_extra = NULL;
}

/*
 * Read the request body as a JSON object. On failure the error reply has
 * been sent and KORE_RESULT_ERROR comes back. A body that says it is
 * something else is refused even when it parses (a JSON-shaped text/plain
 * body is how a page on another site posts without a CORS preflight); one
 * with no Content-Type at all is read as JSON.
 */
int
request_body_json(struct http_request *req, yajl_val *out)
{
	struct kore_buf	*buf;
	const char	*type;
	u_int8_t	 chunk[BUFSIZ];
	ssize_t		 ret;
	char		 reason[128];

	*out = NULL;

	if (http_request_header(req, "content-type", &type) &&
	    !form_content_is_json(type, strlen(type))) {
		reply_error(req, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "unsupported_media_type",
		    "the body must be JSON (Content-Type: application/json)");
		return (KORE_RESULT_ERROR);
	}

	buf = kore_buf_alloc(BUFSIZ);

	for (;;) {
		ret = http_body_read(req, chunk, sizeof(chunk));
		if (ret == -1) {
			kore_buf_free(buf);
			reply_error(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
			    "the request body could not be read");
			return (KORE_RESULT_ERROR);
		}
		if (ret == 0)
			break;
		if (buf->offset + (size_t)ret > JSON_BODY_MAX) {
			kore_buf_free(buf);
			reply_error(req, HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE,
			    "payload_too_large", "the JSON body is too large");
			return (KORE_RESULT_ERROR);
		}
		kore_buf_append(buf, chunk, (size_t)ret);
	}

	*out = json_parse_object(buf->data, buf->offset, reason,
	    sizeof(reason));
	kore_buf_free(buf);

	if (*out == NULL) {
		reply_error(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    reason);
		return (KORE_RESULT_ERROR);
	}

	return (KORE_RESULT_OK);
}

/*
 * After a header hook refuses a request Kore frees it at once, while its
 * connection would go on handing body bytes to it: the connection has to
 * be gone before the next event. The answer (sent with CONN_CLOSE_EMPTY
 * set) is flushed first; one that cannot be written now is dropped with
 * the connection rather than leave the body reader on a freed request.
 */
void
request_refuse_early(struct connection *c)
{
	if (!net_send_flush(c) || c->state != CONN_STATE_DISCONNECTING)
		kore_connection_disconnect(c);
}

/*
 * The on_headers hook of routes that take a JSON body (and of the
 * catch-all route): a body larger than any JSON we accept is refused
 * before it is read, since Kore would otherwise buffer up to
 * http_body_max (sized for uploads) first.
 */
int
json_body_headers(struct http_request *req)
{
	if (request_headers_ambiguous(req))
		return (KORE_RESULT_ERROR);

	if (req->http_body_length <= JSON_BODY_MAX)
		return (KORE_RESULT_OK);

	request_refuse_headers(req, HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE,
	    "payload_too_large", "the JSON body is too large");
	return (KORE_RESULT_ERROR);
}

/*
 * Answer from a header hook, and close the connection after the answer:
 * the body that follows is never read (see request_refuse_early).
 */
void
request_refuse_headers(struct http_request *req, int status,
    const char *code, const char *message)
{
	req->owner->flags |= CONN_CLOSE_EMPTY;
	reply_error(req, status, code, message);
	request_refuse_early(req->owner);
}

/*
 * Headers that must not appear twice: two Content-Lengths let a proxy and
 * us disagree on where a request ends (RFC 9112 6.3 wants a 400), two
 * Authorizations or Content-Types on which one was looked at. A request
 * with any of them is answered 400 and its connection closed. Returns 1
 * when it was refused.
 */
int
request_headers_ambiguous(struct http_request *req)
{
	static const char	*const singles[] = {
		"content-length", "authorization", "content-type",
	};
	struct http_header	*hdr;
	const char		*twice;
	size_t			 i;
	int			 seen[sizeof(singles) / sizeof(singles[0])];

	memset(seen, 0, sizeof(seen));
	twice = NULL;

	TAILQ_FOREACH(hdr, &req->req_headers, list) {
		for (i = 0; i < sizeof(singles) / sizeof(singles[0]); i++) {
			if (strcasecmp(hdr->header, singles[i]))
				continue;
			if (seen[i]++ > 0)
				twice = singles[i];
		}
	}

	if (twice == NULL)
		return (0);

	request_refuse_headers(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
	    "a header that may appear once appears twice");
	return (1);
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
