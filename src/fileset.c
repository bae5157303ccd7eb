/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * A page and its files, compiled in by kodev and served as the web app
 * (webapp.c) and the API docs (apidocs.c) serve theirs. Everything is
 * built once in the parent, which the workers inherit: the files' version
 * (a hash of every file's SHA-256 and of the page's template, so that
 * any change to any of them changes every URL), each body gzip'd once,
 * and the page rendered from its template with the version in the URLs
 * it names. The page is revalidated on each load; a file under
 * <prefix><version>/ is cached for a year.
 */

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "ranges.h"

#define ASSET_CACHE		"public, max-age=31536000, immutable"
/* A file asked for under another release's version: ours, no promise. */
#define STALE_ASSET_CACHE	"no-cache"
#define GZIP_ETAG_SUFFIX	"-gz"
#define PAGE_CONTENT_TYPE	"text/html; charset=utf-8"

static int	fileset_find(const struct fileset *, const char *);

int
fileset_init(struct fileset *set, const char *template_etag)
{
	const char	*etags[FILESET_FILES_MAX + 1];
	size_t		 i;

	if (set->nfiles > FILESET_FILES_MAX) {
		log_error("event=%s_failed reason=files count=%zu", set->what,
		    set->nfiles);
		return (-1);
	}

	for (i = 0; i < set->nfiles; i++)
		etags[i] = *set->files[i].etag;
	etags[set->nfiles] = template_etag;
	if (webpage_version(etags, set->nfiles + 1, set->version,
	    sizeof(set->version)) == -1) {
		log_error("event=%s_failed reason=version", set->what);
		return (-1);
	}

	for (i = 0; i < set->nfiles; i++) {
		if (fileset_body_init(&set->bodies[i], set->files[i].data,
		    *set->files[i].len, *set->files[i].etag) == -1) {
			log_error("event=%s_failed reason=gzip file=%s",
			    set->what, set->files[i].name);
			return (-1);
		}
	}

	return (0);
}

int
fileset_page(struct fileset *set, const void *template, size_t len,
    const struct webpage_var *vars, size_t nvars)
{
	const char	*tag[1];
	char		 version[WEBPAGE_VERSION_LEN + 1];
	char		*page;
	size_t		 page_len;

	page = webpage_render(template, len, vars, nvars, &page_len);
	if (page == NULL) {
		log_error("event=%s_failed reason=page", set->what);
		return (-1);
	}

	/* The page holds what was put in: its tag covers its own bytes. */
	tag[0] = page;
	if (webpage_version(tag, 1, version, sizeof(version)) == -1) {
		log_error("event=%s_failed reason=page_etag", set->what);
		return (-1);
	}
	(void)snprintf(set->page_etag, sizeof(set->page_etag), "\"%s\"",
	    version);

	if (fileset_body_init(&set->page, page, page_len,
	    set->page_etag) == -1) {
		log_error("event=%s_failed reason=gzip file=page", set->what);
		return (-1);
	}
	return (0);
}

/*
 * The page runs only its own scripts (the policy csp), is framed by no
 * one, and tells no other site where its links were clicked.
 */
void
fileset_send_page(struct http_request *req, const struct fileset *set,
    const char *csp)
{
	reply_common_headers(req);
	http_response_header(req, "content-security-policy", csp);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "referrer-policy", "no-referrer");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "cross-origin-opener-policy", "same-origin");
	http_response_header(req, "content-type", PAGE_CONTENT_TYPE);
	fileset_send(req, &set->page, FILESET_REVALIDATE);
}

/* GET and HEAD of <prefix><version>/<name>; another name is a JSON 404. */
void
fileset_send_file(struct http_request *req, const struct fileset *set)
{
	const char	*name, *type;
	int		 current, i;

	if (webpage_asset_path_in(set->prefix, req->path, set->version, &name,
	    &current) == -1 || (i = fileset_find(set, name)) == -1 ||
	    (type = webpage_content_type(name)) == NULL) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no such resource");
		return;
	}

	reply_common_headers(req);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "content-type", type);
	fileset_send(req, &set->bodies[i],
	    current ? ASSET_CACHE : STALE_ASSET_CACHE);
}

int
fileset_body_init(struct fileset_body *body, const void *data, size_t len,
    const char *etag)
{
	size_t	elen;
	int	n;

	body->data = data;
	body->len = len;
	body->etag = etag;

	/* "\"<hex>\"" becomes "\"<hex>-gz\"". */
	elen = strlen(etag);
	if (elen < 2 || etag[0] != '"' || etag[elen - 1] != '"')
		return (-1);
	n = snprintf(body->gz_etag, sizeof(body->gz_etag), "%.*s%s\"",
	    (int)(elen - 1), etag, GZIP_ETAG_SUFFIX);
	if (n < 0 || (size_t)n >= sizeof(body->gz_etag))
		return (-1);

	if ((body->gz = webpage_gzip(data, len, &body->gz_len)) == NULL)
		return (-1);
	return (0);
}

/*
 * The body in the form the client takes, or a 304 when it has that form
 * already. Kore sends a HEAD the length of the body and not the body.
 */
void
fileset_send(struct http_request *req, const struct fileset_body *body,
    const char *cache)
{
	struct request_ctx	*ctx;
	const char		*value, *etag;
	const void		*data;
	size_t			 len;
	int			 gzip;

	if (!http_request_header(req, "accept-encoding", &value))
		value = NULL;
	gzip = webpage_accepts_gzip(value);
	etag = gzip ? body->gz_etag : body->etag;
	data = gzip ? (const void *)body->gz : body->data;
	len = gzip ? body->gz_len : body->len;

	http_response_header(req, "cache-control", cache);
	http_response_header(req, "vary", "accept-encoding");
	http_response_header(req, "etag", etag);

	if (http_request_header(req, "if-none-match", &value) &&
	    etag_match(value, etag)) {
		req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;
		http_response(req, HTTP_STATUS_NOT_MODIFIED, NULL, 0);
		return;
	}

	if (gzip)
		http_response_header(req, "content-encoding", "gzip");

	ctx = request_ctx(req);
	if (req->method == HTTP_METHOD_GET)
		ctx->bytes_out = len;
	http_response(req, HTTP_STATUS_OK, data, len);
}

static int
fileset_find(const struct fileset *set, const char *name)
{
	size_t	i;

	for (i = 0; i < set->nfiles; i++) {
		if (!strcmp(set->files[i].name, name))
			return ((int)i);
	}
	return (-1);
}
