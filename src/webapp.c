/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The owner's web app, served from the files kodev compiles in from
 * assets/app/. The page (/ and the app's own paths) is rendered once in
 * the parent from its template, with the assets' version in every URL it
 * names, and is revalidated by the browser on each load; the assets live
 * under /app/<version>/ and are cached for a year, since any change to
 * any of them changes the version. The API stays under /api/.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "assets.h"
#include "log.h"
#include "ranges.h"
#include "webpage.h"

#define PAGE_CONTENT_TYPE	"text/html; charset=utf-8"
#define ASSET_CACHE		"public, max-age=31536000, immutable"

/* The browser asks again every time, and mostly gets a 304. */
#define PAGE_CACHE		"no-cache"

/* An asset of another version: whatever is asked, never stored long. */
#define STALE_ASSET_CACHE	"no-cache"

/* Room for MAX_UPLOAD_BYTES as decimal text. */
#define NUMBER_TEXT_MAX		24

#define GZIP_ETAG_SUFFIX	"-gz"

struct webapp_file {
	const char		*name;
	const u_int8_t		*data;
	const u_int32_t		*len;
	const char *const	*etag;
};

#define WEBAPP_FILE(n, sym)						\
	{ n, asset_##sym, &asset_len_##sym, &asset_sha256_##sym }

/* What /app/<version>/ serves; assets/app/ holds these and index.html. */
static const struct webapp_file webapp_files[] = {
	WEBAPP_FILE("app.css", app_css),
	WEBAPP_FILE("icon.svg", icon_svg),
	WEBAPP_FILE("main.js", main_js),
	WEBAPP_FILE("api.js", api_js),
	WEBAPP_FILE("dom.js", dom_js),
	WEBAPP_FILE("query.js", query_js),
	WEBAPP_FILE("tagbox.js", tagbox_js),
	WEBAPP_FILE("search.js", search_js),
	WEBAPP_FILE("grid.js", grid_js),
	WEBAPP_FILE("detail.js", detail_js),
	WEBAPP_FILE("uploads.js", uploads_js),
	WEBAPP_FILE("login.js", login_js),
	WEBAPP_FILE("terms.js", terms_js),
	WEBAPP_FILE("ui.js", ui_js),
	WEBAPP_FILE("select.js", select_js),
	WEBAPP_FILE("views.js", views_js),
	WEBAPP_FILE("tagsview.js", tagsview_js),
	WEBAPP_FILE("keysview.js", keysview_js),
	WEBAPP_FILE("exportview.js", exportview_js),
};

#define WEBAPP_FILES	(sizeof(webapp_files) / sizeof(webapp_files[0]))

/* Built once in the parent; the workers inherit it. */
static struct {
	char			version[WEBPAGE_VERSION_LEN + 1];
	char			page_etag[WEBPAGE_ETAG_MAX];
	char			csp[WEBPAGE_CSP_MAX];
	struct webapp_body	page;
	struct webapp_body	files[WEBAPP_FILES];
} webapp;

int	webapp_page(struct http_request *);
int	webapp_asset(struct http_request *);

static int	webapp_page_render(void);
static int	webapp_file(const char *);
static void	webapp_page_headers(struct http_request *);

int
webapp_init(void)
{
	const char	*etags[WEBAPP_FILES + 1];
	size_t		 i;

	for (i = 0; i < WEBAPP_FILES; i++)
		etags[i] = *webapp_files[i].etag;
	etags[WEBAPP_FILES] = asset_sha256_index_html;
	if (webpage_version(etags, WEBAPP_FILES + 1, webapp.version,
	    sizeof(webapp.version)) == -1) {
		log_error("event=webapp_failed reason=version");
		return (-1);
	}

	for (i = 0; i < WEBAPP_FILES; i++) {
		if (webapp_body_init(&webapp.files[i], webapp_files[i].data,
		    *webapp_files[i].len, *webapp_files[i].etag) == -1) {
			log_error("event=webapp_failed reason=gzip file=%s",
			    webapp_files[i].name);
			return (-1);
		}
	}

	if (webapp_page_render() == -1)
		return (-1);

	if (webpage_csp(app_config.api_base_url, webapp.csp,
	    sizeof(webapp.csp)) == -1) {
		log_error("event=webapp_failed reason=csp");
		return (-1);
	}

	return (0);
}

/* GET and HEAD of / and of the app's paths: the page, same for all. */
int
webapp_page(struct http_request *req)
{
	webapp_page_headers(req);
	webapp_send(req, &webapp.page, PAGE_CACHE);
	return (KORE_RESULT_OK);
}

/*
 * GET and HEAD of /app/<version>/<name>. A version other than ours is
 * a page of another release (a rolling update, a tab left open): it
 * gets our file, and no promise that the name will hold it forever.
 */
int
webapp_asset(struct http_request *req)
{
	const char	*name, *type;
	int		 current, i;

	if (webpage_asset_path(req->path, webapp.version, &name,
	    &current) == -1 || (i = webapp_file(name)) == -1 ||
	    (type = webpage_content_type(name)) == NULL) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no such resource");
		return (KORE_RESULT_OK);
	}

	reply_common_headers(req);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "content-type", type);
	webapp_send(req, &webapp.files[i],
	    current ? ASSET_CACHE : STALE_ASSET_CACHE);
	return (KORE_RESULT_OK);
}

/* The page from its template: the version in its URLs, the limit. */
static int
webapp_page_render(void)
{
	struct webpage_var	 vars[2];
	const char		*tag[1];
	char			 limit[NUMBER_TEXT_MAX];
	char			 version[WEBPAGE_VERSION_LEN + 1];
	char			*page;
	size_t			 len;
	int			 n;

	n = snprintf(limit, sizeof(limit), "%llu",
	    (unsigned long long)app_config.max_upload_bytes);
	if (n < 0 || (size_t)n >= sizeof(limit))
		return (-1);

	vars[0].name = "VERSION";
	vars[0].value = webapp.version;
	vars[1].name = "MAX_UPLOAD_BYTES";
	vars[1].value = limit;
	page = webpage_render((const char *)asset_index_html,
	    asset_len_index_html, vars, sizeof(vars) / sizeof(vars[0]), &len);
	if (page == NULL) {
		log_error("event=webapp_failed reason=page");
		return (-1);
	}

	/* The page holds the limit: its tag covers its bytes, not only files. */
	tag[0] = page;
	if (webpage_version(tag, 1, version, sizeof(version)) == -1) {
		log_error("event=webapp_failed reason=page_etag");
		return (-1);
	}
	(void)snprintf(webapp.page_etag, sizeof(webapp.page_etag), "\"%s\"",
	    version);

	if (webapp_body_init(&webapp.page, page, len, webapp.page_etag) == -1) {
		log_error("event=webapp_failed reason=gzip file=index.html");
		return (-1);
	}
	return (0);
}

/* Both forms of a body; the API docs (apidocs.c) serve theirs so too. */
int
webapp_body_init(struct webapp_body *body, const void *data, size_t len,
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

static int
webapp_file(const char *name)
{
	size_t	i;

	for (i = 0; i < WEBAPP_FILES; i++) {
		if (!strcmp(webapp_files[i].name, name))
			return ((int)i);
	}
	return (-1);
}

/*
 * The page runs only its own scripts, is framed by no one, and tells
 * no other site where its links were clicked.
 */
static void
webapp_page_headers(struct http_request *req)
{
	reply_common_headers(req);
	http_response_header(req, "content-security-policy", webapp.csp);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "referrer-policy", "no-referrer");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "cross-origin-opener-policy", "same-origin");
	http_response_header(req, "content-type", PAGE_CONTENT_TYPE);
}

/*
 * The body in the form the client takes, or a 304 when it has that form
 * already. Kore sends a HEAD the length of the body and not the body.
 */
void
webapp_send(struct http_request *req, const struct webapp_body *body,
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
