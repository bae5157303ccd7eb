/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * What a request may send, decided as early as it can be. Kore runs a
 * route's on_headers hook once the headers are in and before it reads a
 * byte of body: the hooks here refuse a body the route does not take, or
 * one larger than it takes (auth.c's refuse one sent without the token
 * the route needs), so that no route reads more than it will use. What
 * gets through is read by the JSON body reader at the end.
 */

#include <sys/epoll.h>

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "form.h"
#include "json.h"

/* A parse error's text, for the 400's message. */
#define REASON_MAX		128

static int	request_has_body(struct http_request *);

/*
 * The on_headers hook of routes that take no body (GET, HEAD, DELETE).
 * Kore reads a DELETE's body (up to the upload limit) before the handler
 * runs, and never looks at a GET's Content-Length at all, so its body
 * would be parsed as the next request: both are refused here.
 */
int
bodiless_headers(struct http_request *req)
{
	if (!request_has_body(req))
		return (KORE_RESULT_OK);

	request_refuse_headers(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
	    "this endpoint takes no request body");
	return (KORE_RESULT_ERROR);
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
 * Stop reading a request's body for now (its consumer is full). Kore
 * reads a connection until the socket is empty while KORE_EVENT_READ is
 * set, and its epoll is edge-triggered, so clearing the flag would only
 * stop this round: every new byte from the client would start another.
 * The socket's read interest goes too; its hang-up is still reported, so
 * a client that leaves meanwhile is seen. Kore's body timeout runs on.
 */
void
request_read_pause(struct connection *c)
{
	c->evt.flags &= ~KORE_EVENT_READ;
	if (c->state == CONN_STATE_DISCONNECTING)
		return;

	kore_platform_event_schedule(c->fd, EPOLLOUT | EPOLLRDHUP | EPOLLET,
	    0, c);
}

/*
 * Read on: the interest Kore set at accept(2) again, and what waits in
 * the socket now (an edge already passed would not be told again). Not
 * from inside a curl or pgsql callback: the reading runs the body hook.
 * Returns -1 when the connection failed, and is now being closed.
 */
int
request_read_resume(struct connection *c)
{
	if (c->state == CONN_STATE_DISCONNECTING)
		return (-1);

	kore_platform_event_all(c->fd, c);
	c->evt.flags |= KORE_EVENT_READ;
	if (!net_recv_flush(c)) {
		kore_connection_disconnect(c);
		return (-1);
	}

	return (0);
}

/*
 * Let the event loop come round before reading on: Kore reads a
 * connection until its socket is empty, and a client that sends fast
 * would have the whole of its body read before curl sends a byte of it
 * on or a query's answer is looked at. The flag stops this round; the
 * read interest set again makes epoll report the socket anew (edge-
 * triggered, it would not: the edge is past) at the next turn, after the
 * timers, curl and pgsql have had theirs.
 */
void
request_read_yield(struct connection *c)
{
	c->evt.flags &= ~KORE_EVENT_READ;
	if (c->state != CONN_STATE_DISCONNECTING)
		kore_platform_event_all(c->fd, c);
}

/*
 * The read interest back, without reading: for a request whose body was
 * all in when it paused. What comes next is the next request's, and an
 * event is reported for it when it is there already.
 */
void
request_read_rearm(struct connection *c)
{
	if (c->state == CONN_STATE_DISCONNECTING)
		return;

	kore_platform_event_all(c->fd, c);
	c->evt.flags |= KORE_EVENT_READ;
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
	char		 reason[REASON_MAX];

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

/* A Content-Length other than zero, or any Transfer-Encoding, means one. */
static int
request_has_body(struct http_request *req)
{
	const char	*value;

	if (http_request_header(req, "transfer-encoding", &value))
		return (1);

	if (!http_request_header(req, "content-length", &value))
		return (0);

	return (value[strspn(value, "0")] != '\0');
}
