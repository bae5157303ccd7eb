/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The last route of the configuration catches what no other route took:
 * a path some route serves with other methods is a 405 with an Allow
 * header built from those routes, anything else a JSON 404. The routes in
 * the configuration stay the single description of the API.
 */

#include <stdio.h>
#include <string.h>

#include "app.h"

/* "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS" with room to spare. */
#define ALLOW_MAX		64

int	fallback(struct http_request *);

static int	fallback_allowed(struct http_request *);
static void	fallback_allow_header(int, char *, size_t);

static const struct {
	int		 method;
	const char	*name;
} methods[] = {
	{ HTTP_METHOD_GET,	"GET" },
	{ HTTP_METHOD_HEAD,	"HEAD" },
	{ HTTP_METHOD_POST,	"POST" },
	{ HTTP_METHOD_PUT,	"PUT" },
	{ HTTP_METHOD_PATCH,	"PATCH" },
	{ HTTP_METHOD_DELETE,	"DELETE" },
	{ HTTP_METHOD_OPTIONS,	"OPTIONS" },
};

int
fallback(struct http_request *req)
{
	int	allowed;
	char	allow[ALLOW_MAX];

	if ((allowed = fallback_allowed(req)) == 0) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no such resource");
		return (KORE_RESULT_OK);
	}

	fallback_allow_header(allowed, allow, sizeof(allow));
	http_response_header(req, "allow", allow);
	reply_error(req, HTTP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
	    "method not allowed on this resource");
	return (KORE_RESULT_OK);
}

/* The methods of every other route whose path matches this request's. */
static int
fallback_allowed(struct http_request *req)
{
	struct kore_route	*rt;
	regmatch_t		 groups[HTTP_CAPTURE_GROUPS];
	int			 allowed;

	allowed = 0;

	TAILQ_FOREACH(rt, &req->rt->dom->routes, list) {
		if (rt == req->rt)
			continue;

		if (rt->type == HANDLER_TYPE_STATIC) {
			if (!strcmp(rt->path, req->path))
				allowed |= rt->methods;
			continue;
		}

		if (!regexec(&rt->rctx, req->path, HTTP_CAPTURE_GROUPS,
		    groups, 0))
			allowed |= rt->methods;
	}

	return (allowed);
}

static void
fallback_allow_header(int allowed, char *out, size_t outlen)
{
	size_t	i, len;
	int	n;

	len = 0;
	out[0] = '\0';

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (!(allowed & methods[i].method))
			continue;
		n = snprintf(out + len, outlen - len, "%s%s",
		    len > 0 ? ", " : "", methods[i].name);
		if (n < 0 || (size_t)n >= outlen - len)
			return;
		len += (size_t)n;
	}
}
