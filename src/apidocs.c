/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The API's own description: the OpenAPI document at
 * /api/v1/openapi.json and Swagger UI on it at /api/docs, all from files
 * kodev compiles in from assets/docs/ (Swagger UI's two files are copied
 * there from npm by tools/vendor-apidocs, and are not in git). Served as
 * the web app's files are (webapp.c): built once in the parent, gzip'd
 * once, revalidated by ETag; the page's files under the version of all
 * of them, cached for a year.
 */

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "assets.h"
#include "log.h"
#include "webpage.h"

#define DOCUMENT_CONTENT_TYPE	"application/json"
#define PAGE_CONTENT_TYPE	"text/html; charset=utf-8"

/* The document and the page change with a release: asked again each time. */
#define REVALIDATE_CACHE	"no-cache"
#define ASSET_CACHE		"public, max-age=31536000, immutable"
#define STALE_ASSET_CACHE	"no-cache"

/* The page's files: /api/docs/<version>/<name>. */
#define APIDOCS_ASSET_PREFIX	"/api/docs/"

/*
 * Swagger UI's script, style sheet and icons, and the page's own script
 * (no inline script: the policy allows none). Nothing comes from another
 * origin, and the page makes no request but for the document.
 */
#define APIDOCS_CSP							\
	"default-src 'none'; script-src 'self'; style-src 'self'; "	\
	"img-src 'self'; font-src 'self'; connect-src 'self'; "	\
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

struct apidocs_file {
	const char		*name;
	const u_int8_t		*data;
	const u_int32_t		*len;
	const char *const	*etag;
};

#define APIDOCS_FILE(n, sym)						\
	{ n, asset_##sym, &asset_len_##sym, &asset_sha256_##sym }

/*
 * The style sheet's icons were data: URIs, which the policy refuses:
 * tools/openapi/vendor.mjs makes each a file the sheet names, and stops
 * when a Swagger UI has another count of them than this list. The page's
 * icon is the web app's.
 */
static const struct apidocs_file apidocs_files[] = {
	APIDOCS_FILE("swagger-ui-bundle.js", swagger_ui_bundle_js),
	APIDOCS_FILE("swagger-ui.css", swagger_ui_css),
	APIDOCS_FILE("docs.js", docs_js),
	APIDOCS_FILE("icon.svg", icon_svg),
	APIDOCS_FILE("swagger-ui-img-1.svg", swagger_ui_img_1_svg),
	APIDOCS_FILE("swagger-ui-img-2.svg", swagger_ui_img_2_svg),
	APIDOCS_FILE("swagger-ui-img-3.svg", swagger_ui_img_3_svg),
	APIDOCS_FILE("swagger-ui-img-4.svg", swagger_ui_img_4_svg),
	APIDOCS_FILE("swagger-ui-img-5.svg", swagger_ui_img_5_svg),
	APIDOCS_FILE("swagger-ui-img-6.svg", swagger_ui_img_6_svg),
	APIDOCS_FILE("swagger-ui-img-7.svg", swagger_ui_img_7_svg),
	APIDOCS_FILE("swagger-ui-img-8.svg", swagger_ui_img_8_svg),
	APIDOCS_FILE("swagger-ui-img-9.svg", swagger_ui_img_9_svg),
	APIDOCS_FILE("swagger-ui-img-10.svg", swagger_ui_img_10_svg),
};

#define APIDOCS_FILES	(sizeof(apidocs_files) / sizeof(apidocs_files[0]))

/* Built once in the parent; the workers inherit it. */
static struct {
	char			version[WEBPAGE_VERSION_LEN + 1];
	char			page_etag[WEBPAGE_ETAG_MAX];
	struct webapp_body	document;
	struct webapp_body	page;
	struct webapp_body	files[APIDOCS_FILES];
} apidocs;

int	openapi_document(struct http_request *);
int	apidocs_page(struct http_request *);
int	apidocs_asset(struct http_request *);

static int	apidocs_page_render(void);
static int	apidocs_file(const char *);

int
apidocs_init(void)
{
	const char	*etags[APIDOCS_FILES + 1];
	size_t		 i;

	for (i = 0; i < APIDOCS_FILES; i++)
		etags[i] = *apidocs_files[i].etag;
	etags[APIDOCS_FILES] = asset_sha256_docs_html;
	if (webpage_version(etags, APIDOCS_FILES + 1, apidocs.version,
	    sizeof(apidocs.version)) == -1) {
		log_error("event=apidocs_failed reason=version");
		return (-1);
	}

	for (i = 0; i < APIDOCS_FILES; i++) {
		if (webapp_body_init(&apidocs.files[i], apidocs_files[i].data,
		    *apidocs_files[i].len, *apidocs_files[i].etag) == -1) {
			log_error("event=apidocs_failed reason=gzip file=%s",
			    apidocs_files[i].name);
			return (-1);
		}
	}

	if (webapp_body_init(&apidocs.document, asset_openapi_json,
	    asset_len_openapi_json, asset_sha256_openapi_json) == -1) {
		log_error("event=apidocs_failed reason=gzip file=openapi.json");
		return (-1);
	}

	return (apidocs_page_render());
}

/* GET and HEAD of /api/v1/openapi.json: public, like the page. */
int
openapi_document(struct http_request *req)
{
	reply_common_headers(req);
	http_response_header(req, "content-type", DOCUMENT_CONTENT_TYPE);
	webapp_send(req, &apidocs.document, REVALIDATE_CACHE);
	return (KORE_RESULT_OK);
}

/* GET and HEAD of /api/docs. */
int
apidocs_page(struct http_request *req)
{
	reply_common_headers(req);
	http_response_header(req, "content-security-policy", APIDOCS_CSP);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "referrer-policy", "no-referrer");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "cross-origin-opener-policy", "same-origin");
	http_response_header(req, "content-type", PAGE_CONTENT_TYPE);
	webapp_send(req, &apidocs.page, REVALIDATE_CACHE);
	return (KORE_RESULT_OK);
}

/*
 * GET and HEAD of /api/docs/<version>/<name>; another version (a page of
 * another release) gets today's file, with no promise to keep it.
 */
int
apidocs_asset(struct http_request *req)
{
	const char	*name, *type;
	int		 current, i;

	if (webpage_asset_path_in(APIDOCS_ASSET_PREFIX, req->path,
	    apidocs.version, &name, &current) == -1 ||
	    (i = apidocs_file(name)) == -1 ||
	    (type = webpage_content_type(name)) == NULL) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no such resource");
		return (KORE_RESULT_OK);
	}

	reply_common_headers(req);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "content-type", type);
	webapp_send(req, &apidocs.files[i],
	    current ? ASSET_CACHE : STALE_ASSET_CACHE);
	return (KORE_RESULT_OK);
}

/* The page from its template, with the version in its URLs. */
static int
apidocs_page_render(void)
{
	struct webpage_var	 var;
	const char		*tag[1];
	char			 version[WEBPAGE_VERSION_LEN + 1];
	char			*page;
	size_t			 len;

	var.name = "VERSION";
	var.value = apidocs.version;
	page = webpage_render((const char *)asset_docs_html,
	    asset_len_docs_html, &var, 1, &len);
	if (page == NULL) {
		log_error("event=apidocs_failed reason=page");
		return (-1);
	}

	tag[0] = page;
	if (webpage_version(tag, 1, version, sizeof(version)) == -1) {
		log_error("event=apidocs_failed reason=page_etag");
		return (-1);
	}
	(void)snprintf(apidocs.page_etag, sizeof(apidocs.page_etag), "\"%s\"",
	    version);

	if (webapp_body_init(&apidocs.page, page, len,
	    apidocs.page_etag) == -1) {
		log_error("event=apidocs_failed reason=gzip file=docs.html");
		return (-1);
	}
	return (0);
}

static int
apidocs_file(const char *name)
{
	size_t	i;

	for (i = 0; i < APIDOCS_FILES; i++) {
		if (!strcmp(apidocs_files[i].name, name))
			return ((int)i);
	}
	return (-1);
}
